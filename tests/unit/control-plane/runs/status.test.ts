import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { planRun, type RunSpec, RunSpecSchema } from '../../../../control-plane/runs/spec.ts';
import { computeStatus } from '../../../../control-plane/runs/status.ts';
import type { RunRecord } from '../../../../control-plane/runs/store.ts';

function record(body: Record<string, unknown>): RunRecord {
  const spec = Value.Default(RunSpecSchema, structuredClone(body)) as RunSpec;
  return {
    id: 'r1',
    name: 'pace',
    owner: null,
    state: 'running',
    spec,
    createdAt: new Date(0).toISOString(),
    startedAt: new Date(0).toISOString(),
    endedAt: null,
    error: null,
    stats: {},
  };
}

const behind = (seconds: number) => [
  { name: 'synfin_producer_pace_behind_seconds', labels: {}, value: seconds },
];

describe('run status: keeping up', () => {
  it("says whether a realtime run's producer keeps its schedule, and nothing for a backfill", () => {
    const realtime = record({ name: 'pace', mode: 'realtime', ratePerSecond: 5000 });
    const plan = planRun('r1', realtime.spec);
    const onTime = computeStatus(realtime, plan, { producer: behind(0.02) }, undefined, 'producing');
    expect(onTime.keepingUp).toBe(true);
    const late = computeStatus(realtime, plan, { producer: behind(3.5) }, onTime, 'producing');
    expect(late.keepingUp).toBe(false);
    // Between scrapes the last answer stands.
    expect(computeStatus(realtime, plan, {}, late, 'producing').keepingUp).toBe(false);
    const backfill = record({ name: 'pace', mode: 'backfill' });
    expect(
      computeStatus(backfill, planRun('r1', backfill.spec), { producer: behind(0) }, undefined, 'producing')
        .keepingUp,
    ).toBeNull();
  });
});

describe('run status: target rate', () => {
  it("reports the producer's target at this moment, the configured rate before it has reported", () => {
    const shaped = record({
      name: 'shape',
      mode: 'realtime',
      ratePerSecond: 500,
      rateShape: { stages: [{ durationSeconds: 5, ratePerSecond: 3000 }] },
    });
    const plan = planRun('r1', shaped.spec);
    expect(computeStatus(shaped, plan, {}, undefined, 'producing').targetRatePerSecond).toBe(500);
    // Two worker threads, each with its share.
    const target = [1400, 1600].map((value) => ({
      name: 'synfin_producer_target_rate_events_per_second',
      labels: {},
      value,
    }));
    expect(
      computeStatus(shaped, plan, { producer: target }, undefined, 'producing').targetRatePerSecond,
    ).toBe(3000);
  });
});
