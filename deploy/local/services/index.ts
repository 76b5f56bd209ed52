import type { NativeService, StackContext } from '../native-service.ts';
import { clickhouseService } from './clickhouse.ts';
import { kafkaService } from './kafka.ts';
import { postgresService } from './postgres.ts';
import { schemaRegistryService } from './schema-registry.ts';

/** The services of the native stack, in start order (stopped in reverse). */
export const SERVICE_FACTORIES = [
  postgresService,
  clickhouseService,
  kafkaService,
  schemaRegistryService,
] as const;

export const SERVICE_NAMES = ['postgres', 'clickhouse', 'kafka', 'schema-registry'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export function createServices(ctx: StackContext): NativeService[] {
  return SERVICE_FACTORIES.map((factory) => factory(ctx));
}
