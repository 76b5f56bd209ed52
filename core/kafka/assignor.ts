/**
 * The group's partition assignment: partition p of every subscribed topic goes to the same member.
 * A processor task owns one partition number across its co-partitioned inputs (transactions,
 * labels, customers, merchant features of partition p), as Kafka Streams' assignor guarantees. The
 * client's round-robin deals topic-partitions out in one sequence across topics, so with an odd
 * partition count two members got transactions:0 and labels:0 apart — and a task whose label
 * input was elsewhere never released anything (a run with 3 partitions and 2 threads stalled).
 */
import type { GroupPartitionsAssigner } from '@platformatic/kafka';

export const copartitionedAssigner: GroupPartitionsAssigner = (_current, members, topics, metadata) => {
  // Only the group leader runs this; sorted ids make the answer depend on nothing else.
  const ids = [...members.keys()].sort();
  const assignments = ids.map((memberId) => ({
    memberId,
    assignments: new Map<string, { topic: string; partitions: number[] }>(),
  }));
  if (assignments.length === 0) return assignments;
  for (const topic of topics) {
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
    for (let partition = 0; partition < count; partition++) {
      const member = assignments[partition % assignments.length] as (typeof assignments)[number];
      let assignment = member.assignments.get(topic);
      if (!assignment) {
        assignment = { topic, partitions: [] };
        member.assignments.set(topic, assignment);
      }
      assignment.partitions.push(partition);
    }
  }
  return assignments;
};
