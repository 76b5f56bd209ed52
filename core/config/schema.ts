import Type, { type Static } from 'typebox';
import { SINK_CONNECTIONS } from '../../sinks/registry.ts';

/**
 * The one schema for every setting of the project. Each section is closed
 * (`additionalProperties: false`) so a misspelt key is an error, not a silent default.
 */
const closed = { additionalProperties: false, default: {} } as const;

const port = (defaultPort: number) => Type.Integer({ minimum: 1, maximum: 65535, default: defaultPort });

export const LogSchema = Type.Object(
  {
    level: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
    /** `auto`: pretty output only when stdout is a terminal. */
    pretty: Type.Union([Type.Literal('auto'), Type.Boolean()], { default: 'auto' }),
  },
  closed,
);

export const KafkaSchema = Type.Object(
  {
    brokers: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, default: ['127.0.0.1:19092'] }),
    clientId: Type.String({ minLength: 1, default: 'synfin' }),
    connectionTimeoutMs: Type.Integer({ minimum: 100, default: 5000 }),
    requestTimeoutMs: Type.Integer({ minimum: 100, default: 30000 }),
    /** TLS to the brokers (managed clusters); the system's trusted CAs verify them. */
    ssl: Type.Boolean({ default: false }),
    /** SASL authentication; none when the mechanism is `none`. */
    sasl: Type.Object(
      {
        mechanism: Type.Enum(['none', 'plain', 'scram-sha-256', 'scram-sha-512'], { default: 'none' }),
        username: Type.String({ default: '' }),
        password: Type.String({ default: '' }),
      },
      closed,
    ),
  },
  closed,
);

export const SchemaRegistrySchema = Type.Object(
  {
    /** Base URL of a Confluent-compatible API (Apicurio: `…/apis/ccompat/v7`). */
    url: Type.String({ format: 'uri', default: 'http://127.0.0.1:18081/apis/ccompat/v7' }),
    compatibility: Type.Enum(
      ['BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE', 'NONE'],
      { default: 'BACKWARD' },
    ),
    /**
     * How long one registry request may take before it is abandoned and tried again (once seen
     * here: a registration that never got its answer held a test for 3 minutes).
     */
    requestTimeoutMs: Type.Integer({ minimum: 100, default: 10_000 }),
  },
  closed,
);

export const MetricsSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    prefix: Type.String({ pattern: '^[a-z_][a-z0-9_]*$', default: 'synfin_' }),
    /** Where a stage process serves /metrics, /health and /ready; 0: not served. */
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 0 }),
  },
  closed,
);

/** The REST control plane (`synfin serve`). */
export const ControlPlaneSchema = Type.Object(
  {
    host: Type.String({ default: '127.0.0.1' }),
    port: port(18080),
    /**
     * API keys that may call mutating routes, stored hashed: `id:sha256hex` (`synfin keys hash`).
     * Plain keys never appear in settings.
     */
    apiKeyHashes: Type.Array(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}:[0-9a-f]{64}$' }), {
      default: [],
    }),
    /** A secret file with one `id:sha256hex` per line (a mounted Kubernetes Secret). */
    apiKeysFile: Type.String({ default: '' }),
    /** Mutating requests per API key per window; over it: 429 with Retry-After. */
    writeLimit: Type.Object(
      {
        max: Type.Integer({ minimum: 1, default: 120 }),
        windowMs: Type.Integer({ minimum: 100, default: 60_000 }),
      },
      closed,
    ),
    /** Reads per client address per window. */
    readLimit: Type.Object(
      {
        max: Type.Integer({ minimum: 1, default: 600_000 }),
        windowMs: Type.Integer({ minimum: 100, default: 60_000 }),
      },
      closed,
    ),
    /** Origins allowed by CORS; empty: no cross-origin access. */
    corsOrigins: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
    bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 16 * 1024 * 1024, default: 1024 * 1024 }),
    /** The host name Prometheus reaches this control plane's run stages at (/v1/targets). */
    advertiseHost: Type.String({ minLength: 1, default: '127.0.0.1' }),
    /** Where runs keep their stage settings files. */
    workDir: Type.String({ minLength: 1, default: '.runs' }),
    /** How often a run's stages are scraped for its status. */
    statusIntervalMs: Type.Integer({ minimum: 100, default: 1000 }),
    /** How long a SIGTERM waits for runs to flush and commit before exiting anyway. */
    drainTimeoutMs: Type.Integer({ minimum: 1000, default: 30_000 }),
    /**
     * What one machine can carry. Over a concurrency limit a new run is refused with 429, over a
     * size limit with 422; both name the limit and its value. The defaults fit 2 cores and 24 GiB:
     * a 30-day backfill of 100,000 customers holds ~5.4 GB of processor state.
     */
    quotas: Type.Object(
      {
        /** Runs not yet finished, over all keys. */
        maxActiveRuns: Type.Integer({ minimum: 1, default: 4 }),
        /** Runs not yet finished started by one API key. */
        maxActiveRunsPerKey: Type.Integer({ minimum: 1, default: 2 }),
        /** customers × simulated days of one run (a realtime run counts one day). */
        maxCustomerDays: Type.Integer({ minimum: 1, default: 3_000_000 }),
        /** A realtime run's events/s, at start and when re-rated. */
        maxRatePerSecond: Type.Number({ exclusiveMinimum: 0, default: 20_000 }),
      },
      closed,
    ),
  },
  closed,
);

/** The native stack (`npm run stack`): where it keeps its files and which loopback ports it takes. */
export const StackSchema = Type.Object(
  {
    dataDir: Type.String({ minLength: 1, default: '.stack' }),
    /** Downloaded software (Kafka jars, Apicurio); kept apart from data so a fresh data dir reuses it. */
    softwareDir: Type.String({ minLength: 1, default: '.stack/opt' }),
    host: Type.String({ default: '127.0.0.1' }),
    startTimeoutMs: Type.Integer({ minimum: 1000, default: 180_000 }),
    kafka: Type.Object(
      {
        version: Type.String({ pattern: '^\\d+\\.\\d+\\.\\d+$', default: '4.3.1' }),
        port: port(19092),
        controllerPort: port(19093),
        heapMb: Type.Integer({ minimum: 256, default: 1024 }),
      },
      closed,
    ),
    schemaRegistry: Type.Object(
      {
        version: Type.String({ pattern: '^\\d+\\.\\d+\\.\\d+', default: '3.3.3' }),
        port: port(18081),
        heapMb: Type.Integer({ minimum: 256, default: 512 }),
      },
      closed,
    ),
    clickhouse: Type.Object(
      { httpPort: port(18123), tcpPort: port(19000), interserverPort: port(19009) },
      closed,
    ),
    postgres: Type.Object(
      {
        port: port(15432),
        majorVersion: Type.Integer({ minimum: 12, default: 15 }),
        user: Type.String({ minLength: 1, default: 'synfin' }),
        password: Type.String({ minLength: 1, default: 'synfin' }),
        database: Type.String({ minLength: 1, default: 'synfin' }),
      },
      closed,
    ),
  },
  closed,
);

export const ConfigSchema = Type.Object(
  {
    env: Type.String({ default: 'development' }),
    /**
     * The run a stage process works for: a `run_id` label on its metrics and `runId` on its log
     * lines, so one run can be followed across producer, processors and sinks. Empty: none.
     */
    runId: Type.String({ pattern: '^[A-Za-z0-9._-]{0,64}$', default: '' }),
    log: LogSchema,
    kafka: KafkaSchema,
    schemaRegistry: SchemaRegistrySchema,
    // One section per sink, named after it, from its descriptor (sinks/registry.ts).
    ...SINK_CONNECTIONS,
    metrics: MetricsSchema,
    controlPlane: ControlPlaneSchema,
    stack: StackSchema,
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type StackConfig = Config['stack'];
export type KafkaConfig = Config['kafka'];
export type SchemaRegistryConfig = Config['schemaRegistry'];
export type ClickhouseConfig = Config['clickhouse'];
export type PostgresConfig = Config['postgres'];
export type LogConfig = Config['log'];
export type ControlPlaneConfig = Config['controlPlane'];
