/** The control plane's REST API from the command line: one function per call, errors with their code. */
import { SynfinError } from '../../core/errors.ts';
import type { RunStatus } from '../runs/status.ts';

export interface ClientOptions {
  url: string;
  apiKey?: string | undefined;
}

export interface RunView {
  id: string;
  name: string;
  state: string;
  spec: Record<string, unknown>;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  error: string | null;
  stats: Record<string, unknown>;
}

/** One change point as the REST layer returns it: times as ISO strings, parameters parsed. */
export interface DriftChangeView {
  seq: number;
  kind: string;
  subject: string;
  startDay: number;
  endDay: number;
  startTime: string;
  endTime: string;
  fromValue: number | null;
  toValue: number | null;
  params: Record<string, unknown> | null;
  description: string;
}

export interface DriftManifestView {
  runId: string;
  changes: DriftChangeView[];
}

export interface ControlPlaneClient {
  start(spec: Record<string, unknown>): Promise<RunView>;
  list(query?: {
    state?: string;
    limit?: number;
    offset?: number;
  }): Promise<{ items: RunView[]; total: number }>;
  get(id: string): Promise<RunView>;
  status(id: string): Promise<RunStatus>;
  /** The run's drift manifest (GET /v1/runs/{id}/drift). */
  drift(id: string): Promise<DriftManifestView>;
  act(id: string, action: 'pause' | 'resume' | 'stop'): Promise<RunView>;
  setRate(id: string, ratePerSecond: number): Promise<RunView>;
  remove(id: string): Promise<void>;
  /** Server-Sent Events of a run, until it ends or `signal` aborts. */
  events(id: string, signal?: AbortSignal): AsyncGenerator<{ event: string; data: unknown }>;
}

export function controlPlaneClient(options: ClientOptions): ControlPlaneClient {
  const base = options.url.replace(/\/+$/, '');
  const headers = (body: boolean): Record<string, string> => ({
    ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    ...(body ? { 'content-type': 'application/json' } : {}),
  });
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: headers(body !== undefined),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (cause) {
      throw new SynfinError(
        'CONTROL_PLANE_UNAVAILABLE',
        `cannot reach the control plane at ${base}: ${String(cause)}`,
        {
          cause,
        },
      );
    }
    if (response.status === 204) return undefined as T;
    const payload = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
    if (!response.ok) {
      const error = new SynfinError(
        'CONTROL_PLANE_UNAVAILABLE',
        `${method} ${path}: ${response.status} ${payload.code ?? ''} ${payload.message ?? ''}`.trim(),
        { details: { status: response.status, code: payload.code } },
      );
      throw error;
    }
    return payload as T;
  }
  return {
    start: (spec) => call('POST', '/v1/runs', spec),
    list: (query = {}) => {
      const params = new URLSearchParams(
        Object.entries(query).flatMap(([k, v]): [string, string][] =>
          v === undefined ? [] : [[k, String(v)]],
        ),
      );
      return call('GET', `/v1/runs${params.size ? `?${params}` : ''}`);
    },
    get: (id) => call('GET', `/v1/runs/${id}`),
    status: (id) => call('GET', `/v1/runs/${id}/status`),
    drift: (id) => call('GET', `/v1/runs/${id}/drift`),
    act: (id, action) => call('PUT', `/v1/runs/${id}/${action}`),
    setRate: (id, ratePerSecond) => call('PATCH', `/v1/runs/${id}`, { ratePerSecond }),
    remove: (id) => call('DELETE', `/v1/runs/${id}`),
    async *events(id, signal) {
      const response = await fetch(`${base}/v1/runs/${id}/events`, {
        headers: headers(false),
        signal: signal ?? null,
      });
      if (!response.ok || !response.body)
        throw new SynfinError('RUN_NOT_FOUND', `no events for run ${id}: ${response.status}`);
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) yield { event, data: JSON.parse(data) as unknown };
        }
      }
    },
  };
}
