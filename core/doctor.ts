#!/usr/bin/env node
/** synfin-doctor: checks that Kafka, the registry, ClickHouse and Postgres answer; exit 1 if not. */
import { loadConfig } from './config/load.ts';
import { isSynfinError } from './errors.ts';
import { probeServices } from './service-info.ts';

try {
  const reports = await probeServices(loadConfig());
  for (const r of reports) {
    console.log(
      `${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(16)} ${r.endpoint}  ${r.ok ? r.version : r.error}`,
    );
  }
  process.exitCode = reports.every((r) => r.ok) ? 0 : 1;
} catch (error) {
  if (!isSynfinError(error)) throw error;
  console.error(`error ${error.code}: ${error.message}`);
  process.exitCode = 2;
}
