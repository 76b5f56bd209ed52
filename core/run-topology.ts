/**
 * The names of one run's topics, in one place: every stage, the control plane and the tests derive
 * them from here (`<prefix>.<kind>`; the dead letters `<applicationId>.dlq`). A run's prefix is its
 * id; the CLIs' defaults name each topic on its own instead (producers/config.ts).
 */

/** The topics of a run, by kind, in the order they are produced. */
export const RUN_TOPIC_KINDS = [
  'customers',
  'merchants',
  'transactions',
  'labels',
  'drift',
  'features',
  'labeled',
] as const;
export type RunTopicKind = (typeof RUN_TOPIC_KINDS)[number];

export function runTopicName(prefix: string, kind: RunTopicKind): string {
  return `${prefix}.${kind}`;
}

/** Every topic of the run named by `prefix`, by kind. */
export function runTopicNames(prefix: string): Record<RunTopicKind, string> {
  return Object.fromEntries(RUN_TOPIC_KINDS.map((kind) => [kind, runTopicName(prefix, kind)])) as Record<
    RunTopicKind,
    string
  >;
}

/** Where a stage application's poison goes (the processors' and the sinks' dead letters). */
export function deadLetterTopic(applicationId: string): string {
  return `${applicationId}.dlq`;
}
