/**
 * Node flags of a sink process. Passed by the control plane's launcher, `synfin sink`, `npm run sink`
 * and the bench; deploy/README.md says how to pass them elsewhere.
 *
 * A sink makes only short-lived objects per record and keeps bytes until a batch lands, so a small
 * young generation collects that garbage as well as a large one. V8 sizes semi-spaces from
 * physical memory (64 MB each on a 24 GiB machine): an idle sink then already holds 128 MB of new
 * space. `npm run bench -- sinks`, 100k customers, one day: default flags peak RSS 399 / 348 MB
 * (ClickHouse / Postgres) at 51,702 / 24,469 rows/s steady; 16 MB semi-spaces 318 / 311 MB at
 * 53,098 / 26,190; 8 MB 306 / 287 MB at 47,168 / 21,258 (run from source, before Avro was
 * transcoded).
 *
 * What a batch keeps until it lands (a record, its row's view) outlives the young generation, so
 * the old generation grows by ~90 MB in that run and V8 lets it reach about twice what survived
 * the last full collection before the next (`--trace-gc`: 105–110 MB → 45–50 MB, every ~0.5 s).
 * `--heap-growing-percent=100` fixes that factor at 2 instead of letting it rise with the
 * collector's speed. On 2026-12-04 (2 vCPU): ClickHouse sink peak RSS 320–341 MB → 262–284 MB at
 * a cost in speed (steady 163–187k → 141–166k rows/s), Postgres 271–314 → 236–257 MB; 50 gave
 * 242–253 MB at 132–147k, 25 gave 229–237 MB at 118k rows/s.
 */
export const SINK_NODE_FLAGS = ['--max-semi-space-size=16', '--heap-growing-percent=100'] as const;
