/** Where the real services of an integration run are, and what the harness knows of them. */
export interface Endpoints {
  /** How they were found: given by environment variables, started by Testcontainers, or native. */
  source: 'environment' | 'testcontainers' | 'native';
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  clickhouseUrl: string;
  clickhouseUser: string;
  clickhousePassword: string;
  postgresUrl: string;
  /** Versions the harness knows from what it started (stack versions, image tags). */
  versions: Record<string, string>;
}

export const ENDPOINT_VARIABLES = [
  'SYNFIN_KAFKA__BROKERS',
  'SYNFIN_SCHEMA_REGISTRY__URL',
  'SYNFIN_CLICKHOUSE__URL',
  'SYNFIN_POSTGRES__URL',
] as const;

/**
 * Endpoints from the same variables the application reads. All four or none: a partial set is a
 * mistake worth stopping for, not a reason to start the rest silently.
 */
export function endpointsFromEnvironment(env: NodeJS.ProcessEnv): Endpoints | undefined {
  const given = ENDPOINT_VARIABLES.filter((name) => env[name]);
  if (given.length === 0) return undefined;
  if (given.length < ENDPOINT_VARIABLES.length) {
    const missing = ENDPOINT_VARIABLES.filter((name) => !env[name]);
    throw new Error(
      `test endpoints: ${given.join(', ')} set but ${missing.join(', ')} missing; set all four or none`,
    );
  }
  return {
    source: 'environment',
    kafkaBrokers: (env.SYNFIN_KAFKA__BROKERS ?? '').split(',').map((broker) => broker.trim()),
    schemaRegistryUrl: env.SYNFIN_SCHEMA_REGISTRY__URL ?? '',
    clickhouseUrl: env.SYNFIN_CLICKHOUSE__URL ?? '',
    clickhouseUser: env.SYNFIN_CLICKHOUSE__USERNAME ?? 'default',
    clickhousePassword: env.SYNFIN_CLICKHOUSE__PASSWORD ?? '',
    postgresUrl: env.SYNFIN_POSTGRES__URL ?? '',
    versions: {},
  };
}
