/** One processor instance on a worker thread (see core/stage-threads.ts); started by runProcessorThreads. */
import { stageThread } from '../core/stage-threads.ts';
import type { ProcessorConfig } from './config.ts';
import { processorMetrics } from './metrics.ts';
import { runProcessors } from './run.ts';

stageThread<ProcessorConfig>(({ data, kafka, codec, logger, registry, signal }) =>
  runProcessors(data, { kafka, codec, logger, metrics: processorMetrics(registry), signal }),
);
