/**
 * What readers of the ClickHouse sink's tables use — `synfin validate`, the demo, the evaluation,
 * the benches: a client, string quoting for the SQL they build, the latest-labels query the
 * training set rests on, and the server's error codes. The rest of this folder is the sink's own.
 */
export { quoteString } from './dialect.ts';
export { serverErrorCode } from './errors.ts';
export { clickhouseClient } from './sink.ts';
export { latestLabelsSql } from './training-set.ts';
