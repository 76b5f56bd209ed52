/**
 * Runs: created, started as child processes, watched through their metrics, paused, re-rated,
 * stopped and finished — with every state change written to the store first, so a restarted
 * control plane knows what it had. A run completes once what its producer wrote has been
 * processed and landed (its stages report zero lag), then its processors and sinks are stopped.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { SynfinError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { isStageReport, type ProducerSummary } from '../../core/stage-protocol.ts';
import { simulatedStartMs } from '../../producers/config.ts';
import { type DriftChange, driftManifest } from '../../producers/drift/manifest.ts';
import { parseSamples, type Sample } from './exposition.ts';
import { allLanded, type LandedCounter } from './landed.ts';
import type { StageHandle, StageKind, StageLauncher } from './launcher.ts';
import { checkConcurrency, checkRate, checkRunSize, type Quotas } from './quotas.ts';
import { planRun, type RunPlan, type RunSpec } from './spec.ts';
import { assertIn, isTerminal, type RunState, RunStateError, transition } from './states.ts';
import {
  computeStatus,
  drained,
  producedByTopic,
  type RunPhase,
  type RunStatus,
  type StageScrapes,
} from './status.ts';
import type { RunQuery, RunRecord, RunStore } from './store.ts';

export interface SupervisorOptions {
  store: RunStore;
  launcher: StageLauncher;
  logger: Logger;
  statusIntervalMs: number;
  /** How long a stage gets to exit after SIGTERM before it is killed. */
  stopTimeoutMs?: number;
  /** Counts in the databases, for runs resumed after a restart (see landed.ts). */
  landed?: LandedCounter;
  /** Limits on what callers may start; none when absent. */
  quotas?: Quotas;
}

interface ActiveRun {
  record: RunRecord;
  plan: RunPlan;
  stages: Partial<Record<StageKind, StageHandle>>;
  /** Stages we asked to stop: their exit is expected, not a failure. */
  stopping: Set<StageKind>;
  scrapes: StageScrapes;
  status: RunStatus;
  timer?: NodeJS.Timeout;
  refreshing: boolean;
  finishing: boolean;
  /** Resumed after a control-plane restart: its stages' counters start from zero. */
  restarted: boolean;
  waitLogged: number;
}

export const INTERRUPTED_WHILE_PRODUCING =
  'the control plane stopped while the run was producing; a generator cannot continue mid-stream ' +
  '(its seeded world would start over), so the run ends here — what it produced is in Kafka and landed';

export function newRunId(): string {
  return `run-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export class RunSupervisor extends EventEmitter<{ status: [RunStatus]; state: [RunRecord] }> {
  readonly #options: SupervisorOptions;
  readonly #active = new Map<string, ActiveRun>();
  readonly #log: Logger;
  /** Runs accepted but not yet in #active (their record is being written): counted by quotas. */
  readonly #creating: (string | null)[] = [];
  #draining = false;

  constructor(options: SupervisorOptions) {
    super();
    this.#options = options;
    this.#log = options.logger.child({ component: 'supervisor' });
  }

  get activeCount(): number {
    return this.#active.size;
  }

  /** Starts a run for `owner` (the API key id that asked; null: unattributed). */
  async create(spec: RunSpec, owner: string | null = null): Promise<RunRecord> {
    if (this.#draining) throw new SynfinError('SHUTTING_DOWN', 'the control plane is shutting down');
    const id = newRunId();
    const plan = planRun(id, spec);
    const quotas = this.#options.quotas;
    if (quotas) {
      checkRunSize(spec, quotas);
      checkConcurrency(this.#activeCounts(owner), owner, quotas);
    }
    // Reserved before the first await, so callers racing each other cannot all pass the check.
    this.#creating.push(owner);
    try {
      return await this.#insertAndStart(id, plan, spec, owner);
    } finally {
      this.#creating.splice(this.#creating.indexOf(owner), 1);
    }
  }

  #activeCounts(owner: string | null): { total: number; byOwner: number } {
    let byOwner = this.#creating.filter((creator) => creator === owner).length;
    for (const run of this.#active.values()) if (run.record.owner === owner) byOwner++;
    return { total: this.#active.size + this.#creating.length, byOwner };
  }

  async #insertAndStart(id: string, plan: RunPlan, spec: RunSpec, owner: string | null): Promise<RunRecord> {
    const record: RunRecord = {
      id,
      name: spec.name,
      owner,
      state: 'created',
      spec,
      createdAt: new Date().toISOString(),
      startedAt: null,
      endedAt: null,
      error: null,
      stats: spec.mode === 'realtime' ? { ratePerSecond: spec.ratePerSecond } : {},
    };
    await this.#options.store.insert(record);
    // Kept before the run starts, so GET …/drift answers as soon as the run exists.
    await this.#options.store.saveDrift(
      id,
      driftManifest(plan.generator, simulatedStartMs(plan.generator, Date.parse(record.createdAt))),
    );
    await this.#start(record, plan, true);
    return this.#active.get(id)?.record ?? record;
  }

  /** The run's drift manifest: the true change points of its schedule, in order. */
  async drift(id: string): Promise<DriftChange[]> {
    await this.get(id);
    return this.#options.store.drift(id);
  }

  async get(id: string): Promise<RunRecord> {
    const active = this.#active.get(id);
    if (active) return active.record;
    const record = await this.#options.store.get(id);
    if (!record) throw new SynfinError('RUN_NOT_FOUND', `no run ${id}`);
    return record;
  }

  list(query: RunQuery) {
    return this.#options.store.list(query);
  }

  /** The latest status: live runs from memory (refreshed every interval), others from the store. */
  async status(id: string): Promise<RunStatus> {
    const active = this.#active.get(id);
    if (active) return active.status;
    const record = await this.get(id);
    return this.#finalStatus(record);
  }

  /** Every live stage's metrics port, with its run and stage: what Prometheus should scrape. */
  scrapeTargets(): { runId: string; stage: StageKind; port: number }[] {
    return [...this.#active.values()].flatMap((run) =>
      Object.values(run.stages).map((stage) => ({
        runId: run.record.id,
        stage: stage.kind,
        port: stage.metricsPort,
      })),
    );
  }

  /** The cached status of a live run without touching the store (the hot path of /status). */
  cachedStatus(id: string): RunStatus | undefined {
    return this.#active.get(id)?.status;
  }

  // Asking for the state a run is in, or is heading to, answers with the run: PUT is idempotent.

  async pause(id: string): Promise<RunRecord> {
    const already = await this.#alreadyIn(id, ['paused']);
    if (already) return already;
    const run = await this.#live(id, 'pause');
    await this.#setState(run, transition(id, run.record.state, 'paused', 'pause'));
    run.stages.producer?.send({ type: 'pause' });
    return run.record;
  }

  async resume(id: string): Promise<RunRecord> {
    const already = await this.#alreadyIn(id, ['running']);
    if (already) return already;
    const run = await this.#live(id, 'resume');
    await this.#setState(run, transition(id, run.record.state, 'running', 'resume'));
    run.stages.producer?.send({ type: 'resume' });
    return run.record;
  }

  async setRate(id: string, ratePerSecond: number): Promise<RunRecord> {
    if (this.#options.quotas) checkRate(ratePerSecond, this.#options.quotas);
    const run = await this.#live(id, 'change the rate');
    assertIn(id, run.record.state, ['running', 'paused'], 'change the rate');
    if (run.record.spec.mode !== 'realtime')
      throw new SynfinError(
        'RUN_STATE_CONFLICT',
        `run ${id} is a backfill: it produces as fast as it can, at no set rate`,
        {
          details: { state: run.record.state },
        },
      );
    run.stages.producer?.send({ type: 'rate', ratePerSecond });
    run.record = { ...run.record, stats: { ...run.record.stats, ratePerSecond } };
    await this.#options.store.update(id, { stats: run.record.stats });
    this.#log.info({ runId: id, ratePerSecond }, 'rate changed');
    return run.record;
  }

  async stop(id: string): Promise<RunRecord> {
    const already = await this.#alreadyIn(id, ['stopping', 'stopped']);
    if (already) return already;
    const run = await this.#live(id, 'stop');
    await this.#setState(run, transition(id, run.record.state, 'stopping', 'stop'));
    // The producer flushes what it generated and exits; the run then drains like a completed one.
    run.stages.producer?.send({ type: 'stop' });
    return run.record;
  }

  async remove(id: string): Promise<void> {
    const record = await this.get(id);
    if (!isTerminal(record.state) || this.#active.has(id))
      throw new SynfinError(
        'RUN_STATE_CONFLICT',
        `run ${id} is ${record.state}: stop it before deleting it`,
        {
          details: { state: record.state },
        },
      );
    await this.#options.store.remove(id);
  }

  /**
   * After a restart: a run whose producer had finished is resumed (its processors and sinks are
   * exactly-once consumers and carry on from their committed positions); any other unfinished
   * run is marked interrupted with the reason.
   */
  async recover(): Promise<{ resumed: string[]; interrupted: string[] }> {
    const resumed: string[] = [];
    const interrupted: string[] = [];
    for (const record of await this.#options.store.unfinished()) {
      const resumable =
        record.stats.producerDone === true && (record.state === 'running' || record.state === 'stopping');
      if (resumable) {
        this.#log.info({ runId: record.id }, 'resuming a run after a restart: draining its topics');
        await this.#start(record, planRun(record.id, record.spec), false);
        resumed.push(record.id);
      } else {
        await this.#options.store.update(record.id, {
          state: 'interrupted',
          endedAt: new Date().toISOString(),
          error: INTERRUPTED_WHILE_PRODUCING,
        });
        this.#log.warn({ runId: record.id, was: record.state }, 'run interrupted by a control-plane restart');
        interrupted.push(record.id);
      }
    }
    return { resumed, interrupted };
  }

  /**
   * SIGTERM: no new runs; producers flush and exit, processors commit and sinks land what they
   * hold, then stop. A run whose producer had finished stays resumable; the others are interrupted.
   */
  async drain(): Promise<void> {
    this.#draining = true;
    await Promise.all(
      [...this.#active.values()].map(async (run) => {
        const wasDone = run.record.stats.producerDone === true;
        run.finishing = true;
        clearInterval(run.timer);
        await this.#stopStages(run, ['producer']);
        await this.#stopStages(run, ['processors', 'sinks']);
        this.#active.delete(run.record.id);
        if (!wasDone) {
          run.record = {
            ...run.record,
            state: 'interrupted',
            endedAt: new Date().toISOString(),
            error:
              'the control plane shut down (SIGTERM) while the run was producing; what it produced was flushed and committed',
          };
          await this.#options.store.update(run.record.id, run.record);
          this.emit('state', run.record);
        }
      }),
    );
  }

  /** The run when it is in one of `states` (live or finished); otherwise undefined. */
  async #alreadyIn(id: string, states: readonly RunState[]): Promise<RunRecord | undefined> {
    const record = await this.get(id);
    return states.includes(record.state) ? record : undefined;
  }

  /** The live run, or 404 (no such run) or 409 naming the state it ended in. */
  async #live(id: string, action: string): Promise<ActiveRun> {
    const run = this.#active.get(id);
    if (!run) throw new RunStateError(id, (await this.get(id)).state, action);
    // A run being finished takes no more changes; say so with its current state.
    if (run.finishing) throw new RunStateError(id, run.record.state, action);
    return run;
  }

  async #start(record: RunRecord, plan: RunPlan, withProducer: boolean): Promise<void> {
    const run: ActiveRun = {
      record,
      plan,
      stages: {},
      stopping: new Set(),
      scrapes: {},
      status: computeStatus(record, plan, {}, undefined, 'starting'),
      refreshing: false,
      finishing: false,
      restarted: !withProducer,
      waitLogged: 0,
    };
    this.#active.set(record.id, run);
    try {
      if (plan.processors)
        this.#watch(run, await this.#options.launcher.launch('processors', record.id, plan.processors));
      if (plan.sinks) this.#watch(run, await this.#options.launcher.launch('sinks', record.id, plan.sinks));
      if (withProducer) {
        const producer = await this.#options.launcher.launch('producer', record.id, plan.generator);
        producer.onMessage((message) => void this.#onProducerMessage(run, message));
        this.#watch(run, producer);
      }
      if (record.state === 'created')
        await this.#setState(run, transition(record.id, 'created', 'running', 'start'), {
          startedAt: new Date().toISOString(),
        });
      run.timer = setInterval(() => void this.#refresh(run), this.#options.statusIntervalMs);
    } catch (error) {
      await this.#fail(
        run,
        `could not start the run's stages: ${error instanceof Error ? error.message : String(error)}`,
      );
      throw error;
    }
  }

  #watch(run: ActiveRun, stage: StageHandle): void {
    run.stages[stage.kind] = stage;
    void stage.exited.then(async ({ code, signal }) => {
      const expected = run.stopping.has(stage.kind) || run.finishing;
      if (stage.kind === 'producer' && code === 0) {
        // Its summary message came before the exit; what it produced is in the record.
        if (!run.record.stats.producerDone) await this.#markProducerDone(run, undefined);
        return;
      }
      if (expected) return;
      const how = signal ? `signal ${signal}` : `code ${code}`;
      const tail = stage.stderrTail();
      await this.#fail(
        run,
        `the ${stage.kind} stage exited with ${how}${tail ? `: ${tail.split('\n').slice(-3).join(' | ')}` : ''}`,
      );
    });
  }

  async #onProducerMessage(run: ActiveRun, message: unknown): Promise<void> {
    if (isStageReport(message)) await this.#markProducerDone(run, message.summary);
  }

  async #markProducerDone(run: ActiveRun, summary: ProducerSummary | undefined): Promise<void> {
    const stats = {
      ...run.record.stats,
      producerDone: true,
      ...(summary
        ? { produced: producedByTopic(summary.produced), fraudTransactions: summary.fraudTransactions }
        : {}),
    };
    // Durable first: once /status says "draining", a control plane killed that instant must find
    // producerDone in the store and resume the run (a kill between the two interrupted it).
    await this.#options.store.update(run.record.id, { stats });
    run.record = { ...run.record, stats: { ...run.record.stats, ...stats } };
    this.#log.info({ runId: run.record.id, produced: stats.produced }, 'producer finished; draining');
  }

  async #scrape(stage: StageHandle | undefined): Promise<Sample[] | undefined> {
    if (!stage) return undefined;
    try {
      const response = await fetch(stage.metricsUrl, { signal: AbortSignal.timeout(2000) });
      return response.ok ? parseSamples(await response.text()) : undefined;
    } catch {
      return undefined; // not listening yet, or gone: keep the previous numbers
    }
  }

  #phase(run: ActiveRun): RunPhase {
    if (isTerminal(run.record.state)) return 'done';
    if (run.record.stats.producerDone) return 'draining';
    if (run.record.state === 'paused') return 'paused';
    return run.scrapes.producer ? 'producing' : 'starting';
  }

  async #refresh(run: ActiveRun): Promise<void> {
    if (run.refreshing || run.finishing) return;
    run.refreshing = true;
    try {
      const [producer, processors, sinks] = await Promise.all([
        this.#scrape(run.stages.producer),
        this.#scrape(run.stages.processors),
        this.#scrape(run.stages.sinks),
      ]);
      run.scrapes = {
        producer: producer ?? run.scrapes.producer,
        processors: processors ?? run.scrapes.processors,
        sinks: sinks ?? run.scrapes.sinks,
      };
      run.status = computeStatus(run.record, run.plan, run.scrapes, run.status, this.#phase(run));
      this.emit('status', run.status);
      const fresh = { producer: undefined, processors, sinks };
      if (
        run.record.stats.producerDone &&
        drained(run.plan, run.status.produced, fresh, { restarted: run.restarted })
      ) {
        // Resumed runs count again from zero: the databases must hold what was produced.
        const landed =
          run.restarted && this.#options.landed ? await this.#options.landed(run.plan) : undefined;
        if (
          landed &&
          !allLanded(run.plan, run.status.produced, landed) &&
          Date.now() - run.waitLogged > 10_000
        ) {
          run.waitLogged = Date.now();
          this.#log.info(
            { runId: run.record.id, landed, produced: run.status.produced },
            'waiting for the databases',
          );
        }
        if (!landed || allLanded(run.plan, run.status.produced, landed))
          await this.#finish(run, run.record.state === 'stopping' ? 'stopped' : 'completed');
      }
    } finally {
      run.refreshing = false;
    }
  }

  async #finish(run: ActiveRun, state: RunState, error: string | null = null): Promise<void> {
    if (run.finishing) return;
    run.finishing = true;
    clearInterval(run.timer);
    await this.#stopStages(run, ['producer', 'processors', 'sinks']);
    const endedAt = new Date().toISOString();
    const lastStatus: RunStatus = { ...run.status, state, phase: 'done', endedAt, error };
    await this.#setState(run, transition(run.record.id, run.record.state, state, state), {
      endedAt,
      error,
      stats: { ...run.record.stats, lastStatus },
    });
    this.#active.delete(run.record.id);
    this.#log.info({ runId: run.record.id, state, produced: run.status.produced }, `run ${state}`);
  }

  async #fail(run: ActiveRun, error: string): Promise<void> {
    if (run.finishing || isTerminal(run.record.state)) return;
    this.#log.error({ runId: run.record.id, error }, 'run failed');
    await this.#finish(run, 'failed', error);
  }

  async #stopStages(run: ActiveRun, kinds: StageKind[]): Promise<void> {
    const timeout = this.#options.stopTimeoutMs ?? 30_000;
    await Promise.all(
      kinds.map(async (kind) => {
        const stage = run.stages[kind];
        if (!stage) return;
        run.stopping.add(kind);
        stage.stop();
        const exited = await Promise.race([stage.exited.then(() => true), sleep(timeout).then(() => false)]);
        if (!exited) {
          this.#log.warn({ runId: run.record.id, stage: kind }, 'stage did not stop in time: killed');
          stage.kill();
          await stage.exited;
        }
      }),
    );
  }

  async #setState(run: ActiveRun, state: RunState, patch: Partial<RunRecord> = {}): Promise<void> {
    run.record = { ...run.record, ...patch, state };
    await this.#options.store.update(run.record.id, { ...patch, state });
    run.status = {
      ...run.status,
      state,
      phase: this.#phase(run),
      startedAt: run.record.startedAt,
      endedAt: run.record.endedAt,
      error: run.record.error,
    };
    this.emit('state', run.record);
    this.emit('status', run.status);
  }

  #finalStatus(record: RunRecord): RunStatus {
    const plan = planRun(record.id, record.spec);
    const last = record.stats.lastStatus;
    if (last && isTerminal(record.state)) return { ...last, state: record.state, error: record.error };
    return computeStatus(record, plan, {}, last, isTerminal(record.state) ? 'done' : 'starting');
  }
}
