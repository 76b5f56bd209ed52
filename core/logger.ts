import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogConfig } from './config/schema.ts';

export type { Logger };

/** Keys whose values never reach a log line. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'config.*.password',
  'sasl.password',
  '*.sasl.password',
  'config.kafka.sasl.password',
  // A Postgres URL carries its password; broker lists and HTTP endpoints stay readable.
  'postgres.url',
  'config.postgres.url',
  'connectionString',
  '*.connectionString',
  'headers.authorization',
  'headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
];

/**
 * The one root logger of a process. Stages take `root.child({ stage, runId })`; nothing imports a
 * global logger. JSON lines by default; pino-pretty only when asked or when stdout is a terminal.
 */
export function createLogger(
  config: LogConfig,
  bindings: Record<string, unknown> = {},
  destination?: DestinationStream,
): Logger {
  const pretty = !destination && (config.pretty === 'auto' ? Boolean(process.stdout.isTTY) : config.pretty);
  const options = {
    level: config.level,
    base: { pid: process.pid, ...bindings },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Where a retry is logged: a long outage says so at the first failure and every tenth, not at each. */
export function retryLog(log: Logger, attempt: number): Logger['warn'] {
  return attempt === 1 || attempt % 10 === 0 ? log.warn.bind(log) : log.debug.bind(log);
}
