/**
 * The names of one run's topics, consumer groups and transactional ids, in one place: every stage,
 * the control plane and the tests derive them from here (`<prefix>.<kind>`; the dead letters
 * `<applicationId>.dlq`; groups `<applicationId>-<stage>`). A run's prefix is its id; the CLIs'
 * defaults name each topic on its own instead (producers/config.ts).
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

/** The consumer group of a processor stage (`customer`, `merchant`) or a sink (`clickhouse`, …). */
export function stageGroup(applicationId: string, stage: string): string {
  return `${applicationId}-${stage}`;
}

/** A stage instance's transactional id: its group and the instance (fenced per instance). */
export function transactionalId(groupId: string, instanceId: string): string {
  return `${groupId}-${instanceId}`;
}

/** The consumer a stage reads records back with by offset (never joins its group). */
export function lookupGroup(groupId: string): string {
  return `${groupId}-lookups`;
}
