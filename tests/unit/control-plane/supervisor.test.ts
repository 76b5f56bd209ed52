import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { RunSpecSchema } from '../../../control-plane/runs/spec.ts';
import {
  canTransition,
  RUN_STATES,
  TERMINAL_STATES,
  transition,
} from '../../../control-plane/runs/states.ts';
import type { RunRecord } from '../../../control-plane/runs/store.ts';
import { INTERRUPTED_WHILE_PRODUCING, RunSupervisor } from '../../../control-plane/runs/supervisor.ts';
import { createLogger } from '../../../core/logger.ts';
import { fakeLauncher } from '../../fixtures/fake-launcher.ts';
import { memoryRunStore } from '../../fixtures/memory-run-store.ts';

const logger = createLogger({ level: 'silent', pretty: false });
const spec = Value.Default(RunSpecSchema, {
  name: 'r',
  mode: 'realtime',
  sinks: [],
  processors: true,
}) as RunRecord['spec'];

function record(id: string, state: RunRecord['state'], stats: RunRecord['stats'] = {}): RunRecord {
  return {
    id,
    name: id,
    owner: null,
    state,
    spec,
    createdAt: '2026-11-22T00:00:00.000Z',
    startedAt: null,
    endedAt: null,
    error: null,
    stats,
  };
}

describe('run states', () => {
  it('end in terminal states that lead nowhere, and refuse illegal moves with the current state', () => {
    for (const terminal of TERMINAL_STATES)
      for (const next of RUN_STATES) expect(canTransition(terminal, next), `${terminal}→${next}`).toBe(false);
    expect(canTransition('running', 'paused')).toBe(true);
    expect(canTransition('paused', 'completed')).toBe(false);
    expect(() => transition('r1', 'completed', 'running', 'resume')).toThrow(
      'run r1 is completed: cannot resume',
    );
  });
});

describe('recovery after a restart', () => {
  it('resumes runs whose producer had finished and marks the others interrupted with the reason', async () => {
    const store = memoryRunStore([
      record('draining', 'running', { producerDone: true, produced: { transactions: 5 } }),
      record('producing', 'running'),
      record('paused', 'paused'),
      record('done', 'completed'),
    ]);
    const launcher = fakeLauncher();
    const supervisor = new RunSupervisor({ store, launcher, logger, statusIntervalMs: 1000 });
    const result = await supervisor.recover();
    expect(result).toEqual({ resumed: ['draining'], interrupted: ['producing', 'paused'] });
    // The resumed run gets its processors again, not a second producer.
    expect(launcher.launched.map((stage) => stage.kind)).toEqual(['processors']);
    expect(store.rows.get('producing')).toMatchObject({
      state: 'interrupted',
      error: INTERRUPTED_WHILE_PRODUCING,
    });
    expect(store.rows.get('producing')?.endedAt).not.toBeNull();
    expect(store.rows.get('done')?.state).toBe('completed');
    expect((await supervisor.get('draining')).state).toBe('running');
    await supervisor.drain();
    // It stays resumable: the producer had finished before the shutdown.
    expect(store.rows.get('draining')?.state).toBe('running');
  });

  it('on drain, interrupts a run that was still producing after its producer flushed', async () => {
    const store = memoryRunStore();
    const launcher = fakeLauncher();
    const supervisor = new RunSupervisor({
      store,
      launcher,
      logger,
      statusIntervalMs: 1000,
      stopTimeoutMs: 200,
    });
    const run = await supervisor.create({ ...spec, processors: false });
    await supervisor.drain();
    expect(store.rows.get(run.id)).toMatchObject({ state: 'interrupted' });
    expect(store.rows.get(run.id)?.error).toContain('SIGTERM');
    await expect(supervisor.create(spec)).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
  });
});
