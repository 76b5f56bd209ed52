/**
 * An event sink that sends from a thread of its own (sender-thread.ts): the generating thread only
 * packs each encoded event into a slab and moves full slabs over, so generation and encoding
 * overlap with the client's batching, compression and socket work instead of taking turns with
 * them on one thread. At most `SLABS_IN_FLIGHT` slabs wait for the sender (backpressure: the
 * generator waits, memory stays bounded); the sender's own sink bounds its batches in flight.
 */
import { Worker } from 'node:worker_threads';
import { SynfinError } from '../../core/errors.ts';
import type { AddMetrics, MetricsSnapshot } from '../../core/stage-threads.ts';
import { DEFAULT_SINK_OPTIONS, type EventSink } from './event-sink.ts';
import type { FromSender, ToSender } from './sender-protocol.ts';
import type { SenderThreadData } from './sender-thread.ts';
import { SlabWriter } from './slab.ts';

/** Slabs handed to the sender and not yet taken into its batches. */
const SLABS_IN_FLIGHT = 2;

/** What the sending thread needs to know of its process. */
export interface SenderThreadSettings extends SenderThreadData {
  /** Registers the sender's client metrics with the process's /metrics; returns the unregister call. */
  addMetrics?: AddMetrics;
}

/**
 * Returns at once: what is written before the thread has started (its modules take ~0.7 s to load)
 * waits in the thread's queue, so a realtime run starts on time.
 */
export function threadedEventSink(settings: SenderThreadSettings): EventSink {
  const { addMetrics, ...data } = settings;
  const options = settings.sink;
  // Source (.ts, run by Node's type stripping) or the build (.js), whichever this module is.
  const worker = new Worker(
    new URL(import.meta.url.endsWith('.ts') ? './sender-thread.ts' : './sender-thread.js', import.meta.url),
    { workerData: data },
  );
  const writer = new SlabWriter();
  const lingerMs = options.lingerMs ?? DEFAULT_SINK_OPTIONS.lingerMs;
  let outstanding = 0;
  let failure: Error | undefined;
  let nextId = 0;
  let slotFree: (() => void) | undefined;
  const flushes = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  const scrapes = new Map<number, (metrics: MetricsSnapshot) => void>();
  let closed: (() => void) | undefined;

  const fail = (error: Error) => {
    failure ??= error;
    for (const pending of flushes.values()) pending.reject(failure);
    flushes.clear();
    // A thread that has failed answers no scrape: its registry is gone with it.
    for (const answer of scrapes.values()) answer([]);
    scrapes.clear();
    slotFree?.();
    closed?.();
  };
  const send = (message: ToSender, transfer?: ArrayBuffer[]) => worker.postMessage(message, transfer);

  worker.on('message', (message: FromSender) => {
    switch (message.type) {
      case 'taken':
        outstanding--;
        slotFree?.();
        break;
      case 'flushed':
        flushes.get(message.id)?.resolve();
        flushes.delete(message.id);
        break;
      case 'metrics':
        scrapes.get(message.id)?.(message.metrics);
        scrapes.delete(message.id);
        break;
      case 'failed':
        fail(new SynfinError(message.code ?? 'KAFKA_UNAVAILABLE', `sending thread: ${message.message}`));
        break;
      case 'closed':
        closed?.();
        break;
    }
  });
  worker.on('error', (error) => fail(error));
  worker.on('exit', (code) => {
    if (code !== 0) fail(new SynfinError('STAGE_FAILED', `sending thread exited with code ${code}`));
    else fail(new SynfinError('STAGE_FAILED', 'sending thread ended'));
  });
  const unregister = addMetrics?.(async () => {
    const id = nextId++;
    const metrics = await new Promise<MetricsSnapshot>((resolve) => {
      scrapes.set(id, resolve);
      send({ type: 'metrics', id });
    });
    return [metrics];
  });

  const throwIfFailed = () => {
    if (failure) throw failure;
  };

  let linger: NodeJS.Timeout | undefined;
  const dispatch = () => {
    clearTimeout(linger);
    linger = undefined;
    if (writer.records === 0 || failure) return;
    const slab = writer.take();
    outstanding++;
    send({ type: 'slab', slab }, [slab.buffer]);
  };

  const waitForSlot = async () => {
    while (outstanding >= SLABS_IN_FLIGHT && !failure)
      await new Promise<void>((resolve) => {
        slotFree = resolve;
      });
    slotFree = undefined;
    throwIfFailed();
  };

  const flush = async () => {
    throwIfFailed();
    dispatch();
    const id = nextId++;
    await new Promise<void>((resolve, reject) => {
      flushes.set(id, { resolve, reject });
      send({ type: 'flush', id });
    });
  };

  return {
    write(topic, key, value, timestamp) {
      throwIfFailed();
      // An upper bound (UTF-8 takes at most 3 bytes per UTF-16 unit) spares a second byteLength.
      const keyBytes = typeof key === 'string' ? key.length * 3 : key.length;
      if (writer.records > 0 && !writer.fits(keyBytes, value.length)) dispatch();
      writer.add(topic, key, value, timestamp);
      if (writer.records === 1) linger = setTimeout(dispatch, lingerMs);
      return outstanding >= SLABS_IN_FLIGHT ? waitForSlot() : undefined;
    },
    flush,
    async close() {
      try {
        if (!failure) await flush();
      } finally {
        unregister?.();
        clearTimeout(linger);
        const done = new Promise<void>((resolve) => {
          closed = resolve;
        });
        if (failure) await worker.terminate();
        else {
          send({ type: 'close' });
          await done;
        }
      }
    },
  };
}
