/**
 * The sinks there are. A new sink is a new folder with a factory, added here; the runtime, CLI and
 * configuration need nothing else.
 */
import type { Config } from '../core/config/schema.ts';
import type { Logger } from '../core/logger.ts';
import { clickhouseSink } from './clickhouse/sink.ts';
import type { SinkName } from './config.ts';
import type { Sink } from './engine/sink.ts';
import { postgresSink } from './postgres/sink.ts';
import type { RecordKind } from './tables.ts';

export interface SinkFactoryDeps {
  config: Config;
  routes: ReadonlyMap<string, RecordKind>;
  logger: Logger;
}

export const SINK_FACTORIES: Record<SinkName, (deps: SinkFactoryDeps) => Sink> = {
  clickhouse: ({ config, routes, logger }) => clickhouseSink(config.clickhouse, { routes, logger }),
  postgres: ({ config, routes, logger }) => postgresSink(config.postgres, { routes, logger }),
};
