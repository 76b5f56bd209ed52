import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { checkRunSize } from '../../../../control-plane/runs/quotas.ts';
import {
  planRun,
  REALTIME_LATENESS_MS,
  type RunSpec,
  RunSpecSchema,
} from '../../../../control-plane/runs/spec.ts';
import { parseProcessorConfig } from '../../../../processors/config.ts';

const spec = (body: Record<string, unknown>): RunSpec =>
  Value.Default(RunSpecSchema, structuredClone(body)) as RunSpec;

describe('run spec', () => {
  it("passes processorThreads to the run's processors, one by default", () => {
    expect(planRun('r1', spec({ name: 'one' })).processors?.threads).toBe(1);
    expect(planRun('r2', spec({ name: 'two', processorThreads: 2 })).processors?.threads).toBe(2);
  });

  it('refuses processorThreads outside 1..64, as the processor settings do', () => {
    expect(Value.Check(RunSpecSchema, spec({ name: 'none', processorThreads: 0 }))).toBe(false);
    expect(Value.Check(RunSpecSchema, spec({ name: 'many', processorThreads: 65 }))).toBe(false);
    expect(Value.Check(RunSpecSchema, spec({ name: 'ok', processorThreads: 4 }))).toBe(true);
  });

  it("passes producerWorkers to the run's producer, one by default, within 1..64", () => {
    expect(planRun('r3', spec({ name: 'one' })).generator.workers).toBe(1);
    expect(planRun('r4', spec({ name: 'two', producerWorkers: 2 })).generator.workers).toBe(2);
    expect(Value.Check(RunSpecSchema, spec({ name: 'none', producerWorkers: 0 }))).toBe(false);
    expect(Value.Check(RunSpecSchema, spec({ name: 'many', producerWorkers: 65 }))).toBe(false);
  });
});

describe('run spec: processor lateness', () => {
  it('waits one second for disorder in realtime runs, the processors’ own default in backfills', () => {
    expect(planRun('l1', spec({ name: 'rt', mode: 'realtime' })).processors?.latenessMs).toBe(
      REALTIME_LATENESS_MS,
    );
    const backfill = planRun('l2', spec({ name: 'bf', mode: 'backfill', days: 1 })).processors?.latenessMs;
    expect(backfill).toBe(parseProcessorConfig({ applicationId: 'x' }).latenessMs);
    expect(backfill).not.toBe(REALTIME_LATENESS_MS);
  });

  it('takes processorLatenessMs from the spec in either mode, and refuses a negative one', () => {
    expect(planRun('l3', spec({ name: 'rt', processorLatenessMs: 250 })).processors?.latenessMs).toBe(250);
    expect(
      planRun('l4', spec({ name: 'bf', mode: 'backfill', days: 1, processorLatenessMs: 0 })).processors
        ?.latenessMs,
    ).toBe(0);
    expect(Value.Check(RunSpecSchema, spec({ name: 'neg', processorLatenessMs: -1 }))).toBe(false);
  });
});

describe('run spec: a shaped rate', () => {
  const rateShape = {
    stages: [
      { durationSeconds: 60, ratePerSecond: 500 },
      { durationSeconds: 10, ratePerSecond: 3000, ramp: true },
    ],
  };

  it("passes rateShape to the run's producer, with its defaults, and refuses a stage without a rate", () => {
    const plan = planRun('s1', spec({ name: 'shaped', rateShape }));
    expect(plan.generator.rateShape).toEqual({
      repeat: true,
      stages: [
        { durationSeconds: 60, ratePerSecond: 500, ramp: false },
        { durationSeconds: 10, ratePerSecond: 3000, ramp: true },
      ],
    });
    expect(planRun('s2', spec({ name: 'flat' })).generator.rateShape).toBeUndefined();
    const bad = { stages: [{ durationSeconds: 10 }] };
    expect(Value.Check(RunSpecSchema, spec({ name: 'bad', rateShape: bad }))).toBe(false);
  });

  it('holds every stage to the rate quota', () => {
    const quotas = { maxActiveRuns: 3, maxActiveRunsPerKey: 2, maxCustomerDays: 1e9, maxRatePerSecond: 1000 };
    expect(() =>
      checkRunSize(spec({ name: 'ok', mode: 'realtime', ratePerSecond: 500 }), quotas),
    ).not.toThrow();
    let error: unknown;
    try {
      checkRunSize(spec({ name: 'burst', mode: 'realtime', ratePerSecond: 500, rateShape }), quotas);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({
      code: 'RUN_TOO_LARGE',
      details: { limit: 'maxRatePerSecond', requested: 3000 },
    });
  });
});
