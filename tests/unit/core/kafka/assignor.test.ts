import type { ClusterMetadata, ExtendedGroupProtocolSubscription } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { copartitionedAssigner } from '../../../../core/kafka/assignor.ts';

function assign(memberIds: string[], partitions: Record<string, number>) {
  const members = new Map(
    memberIds.map((memberId) => [memberId, { memberId } as ExtendedGroupProtocolSubscription]),
  );
  const metadata = {
    topics: new Map(
      Object.entries(partitions).map(([topic, partitionsCount]) => [topic, { partitionsCount }]),
    ),
  } as unknown as ClusterMetadata;
  const result = copartitionedAssigner(
    memberIds[0] ?? '',
    members,
    new Set(Object.keys(partitions)),
    metadata,
  );
  // topic:partition -> member
  const owner = new Map<string, string>();
  for (const { memberId, assignments } of result)
    for (const { topic, partitions: list } of assignments.values())
      for (const partition of list) {
        expect(owner.has(`${topic}:${partition}`), `${topic}:${partition} assigned twice`).toBe(false);
        owner.set(`${topic}:${partition}`, memberId);
      }
  return owner;
}

describe('copartitionedAssigner', () => {
  it('gives partition p of every topic to one member, with an odd partition count too', () => {
    // Round-robin across topics gave transactions:0 and labels:0 to different members here.
    const owner = assign(['m-b', 'm-a'], { transactions: 3, labels: 3, customers: 3, features: 3 });
    expect(owner.size).toBe(12);
    for (let p = 0; p < 3; p++) {
      const first = owner.get(`transactions:${p}`);
      for (const topic of ['labels', 'customers', 'features']) expect(owner.get(`${topic}:${p}`)).toBe(first);
    }
    expect(new Set(owner.values())).toEqual(new Set(['m-a', 'm-b']));
  });

  it('spreads partitions evenly and the same way whatever order the members come in', () => {
    const one = assign(['x', 'y', 'z'], { t: 7 });
    const other = assign(['z', 'x', 'y'], { t: 7 });
    expect([...one]).toEqual([...other]);
    const counts = [...one.values()].reduce(
      (m, id) => m.set(id, (m.get(id) ?? 0) + 1),
      new Map<string, number>(),
    );
    expect([...counts.values()].sort()).toEqual([2, 2, 3]);
    expect(assign(['only'], { t: 4 }).size).toBe(4);
  });
});
