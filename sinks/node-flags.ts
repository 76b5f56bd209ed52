/**
 * Node flags of a sink process. A sink makes only short-lived objects per record and keeps bytes
 * until a batch lands, so a small young generation collects that garbage as well as a large one. V8 sizes semi-spaces from physical memory (64 MB each on a 24 GiB machine): an
 * idle sink then already holds 128 MB of new space. `npm run bench -- sinks`, 100k customers, one
 * day: default flags peak RSS 399 / 348 MB (ClickHouse / Postgres) at 51,702 / 24,469 rows/s
 * steady; 16 MB semi-spaces 318 / 311 MB at 53,098 / 26,190; 8 MB 306 / 287 MB at 47,168 / 21,258
 * (run from source, before Avro was transcoded). Passed by the control plane's launcher, `synfin
 * sink`, `npm run sink` and the bench; deploy/README.md says how to pass it elsewhere.
 */
export const SINK_NODE_FLAGS = ['--max-semi-space-size=16'] as const;
