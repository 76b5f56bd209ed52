/** The messages between the threaded event sink (threaded-sink.ts) and its sending thread. */
import type { ErrorCode } from '../../core/errors.ts';
import type { MetricsSnapshot } from '../../core/stage-threads.ts';
import type { Slab } from './slab.ts';

export type ToSender =
  | { type: 'slab'; slab: Slab }
  | { type: 'flush'; id: number }
  | { type: 'metrics'; id: number }
  | { type: 'close' };

export type FromSender =
  /** A slab's records are in the sink's batches: the generating side may send another. */
  | { type: 'taken' }
  | { type: 'flushed'; id: number }
  | { type: 'metrics'; id: number; metrics: MetricsSnapshot }
  | { type: 'failed'; code: ErrorCode | undefined; message: string }
  | { type: 'closed' };
