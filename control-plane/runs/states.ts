/**
 * The life of a run. Every change of state goes through `transition`, so an illegal one (resume a
 * completed run, delete a running one) is refused the same way everywhere: RUN_STATE_CONFLICT,
 * a 409 naming the current state.
 */
import { SynfinError } from '../../core/errors.ts';

export const RUN_STATES = [
  'created',
  'running',
  'paused',
  'stopping',
  'stopped',
  'completed',
  'failed',
  'interrupted',
] as const;
export type RunState = (typeof RUN_STATES)[number];

export const TERMINAL_STATES: readonly RunState[] = ['stopped', 'completed', 'failed', 'interrupted'];

const NEXT: Record<RunState, readonly RunState[]> = {
  created: ['running', 'failed', 'interrupted'],
  running: ['paused', 'stopping', 'completed', 'failed', 'interrupted'],
  paused: ['running', 'stopping', 'failed', 'interrupted'],
  stopping: ['stopped', 'failed', 'interrupted'],
  stopped: [],
  completed: [],
  failed: [],
  interrupted: [],
};

export function isTerminal(state: RunState): boolean {
  return TERMINAL_STATES.includes(state);
}

export function canTransition(from: RunState, to: RunState): boolean {
  return NEXT[from].includes(to);
}

export class RunStateError extends SynfinError {
  readonly state: RunState;
  constructor(id: string, state: RunState, action: string) {
    super('RUN_STATE_CONFLICT', `run ${id} is ${state}: cannot ${action}`, { details: { state, action } });
    this.name = 'RunStateError';
    this.state = state;
  }
}

/** The state after `to`, or a RunStateError naming the current one. */
export function transition(id: string, from: RunState, to: RunState, action: string = to): RunState {
  if (!canTransition(from, to)) throw new RunStateError(id, from, action);
  return to;
}

/** Whether the run may be changed by `action` without changing state (a new rate). */
export function assertIn(id: string, state: RunState, allowed: readonly RunState[], action: string): void {
  if (!allowed.includes(state)) throw new RunStateError(id, state, action);
}
