/** One producer worker on a worker thread (see producers/threads.ts); started by runGeneratorThreads. */

import { isControlMessage } from '../core/stage-protocol.ts';
import { stageThread } from '../core/stage-threads.ts';
import { RunControl } from './control.ts';
import { producerMetrics } from './metrics.ts';
import { runGenerator } from './run.ts';
import type { GeneratorThreadData } from './threads.ts';

stageThread<GeneratorThreadData, Awaited<ReturnType<typeof runGenerator>>>(
  ({ data, kafka, codec, logger, registry, signal, onControl, addMetrics }) => {
    const control = new RunControl();
    onControl((message) => {
      if (isControlMessage(message)) control.apply(message);
    });
    return runGenerator(data.generator, {
      kafka,
      codec,
      logger,
      metrics: producerMetrics(registry),
      addMetrics,
      signal,
      control,
      ...(data.sink ? { sink: data.sink } : {}),
    });
  },
);
