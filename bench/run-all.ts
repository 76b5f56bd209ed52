#!/usr/bin/env node
/**
 * npm run bench: every benchmark of the project, one after another (each alone on the machine),
 * then one results table — bench/results/RESULTS.md and bench/results/all.json — with the machine,
 * the versions of the services measured against, and the date. A benchmark that fails is reported
 * as failed in the table; the others still run. `npm run bench -- processors sinks` runs only those
 * whose name contains a word given; the table keeps the others' last results, dated.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../core/config/load.ts';
import { projectRoot } from '../core/paths.ts';
import { nativeStack } from '../deploy/local/index.ts';
import { type BenchRow, machine } from './lib.ts';

/** Each script and the results file (bench/results/<name>.json) it writes. */
const BENCHMARKS = [
  { script: 'producers/generate.ts', name: 'producers-generate' },
  { script: 'producers/world.ts', name: 'producers-world' },
  { script: 'producers/kafka.ts', name: 'producers-kafka' },
  { script: 'producers/realtime-pace.ts', name: 'producers-realtime-pace' },
  { script: 'processors/throughput.ts', name: 'processors-throughput' },
  { script: 'processors/state-memory.ts', name: 'processors-state-memory' },
  { script: 'sinks/throughput.ts', name: 'sinks-throughput' },
  { script: 'control-plane/status-latency.ts', name: 'control-plane-status' },
  { script: 'pipeline/realtime-latency.ts', name: 'pipeline-realtime-latency' },
  { script: 'evaluation/difficulty.ts', name: 'evaluation-difficulty' },
  { script: 'evaluation/adaptive.ts', name: 'evaluation-adaptive' },
] as const;

const benchDir = path.join(projectRoot(), 'bench');
const resultsDir = path.join(benchDir, 'results');
const started = new Date();
const outcomes: { name: string; ok: boolean; seconds: number; rows: BenchRow[]; earlier?: string }[] = [];
const wanted = process.argv.slice(2);
const unknown = wanted.filter((word) => !BENCHMARKS.some(({ name }) => name.includes(word)));
if (unknown.length > 0) {
  console.error(
    `no benchmark named ${unknown.join(', ')}; they are: ${BENCHMARKS.map((b) => b.name).join(', ')}`,
  );
  process.exit(2);
}

for (const { script, name } of BENCHMARKS) {
  const file = path.join(resultsDir, `${name}.json`);
  if (wanted.length > 0 && !wanted.some((word) => name.includes(word))) {
    // Not run this time: its last results stay in the table, with their date.
    const last = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
    outcomes.push({
      name,
      ok: last !== undefined,
      seconds: 0,
      rows: last?.rows ?? [],
      earlier: last?.machine?.date,
    });
    continue;
  }
  console.error(`\n[bench] ${script}`);
  const t0 = performance.now();
  const run = spawnSync(process.execPath, [path.join(benchDir, script)], { stdio: 'inherit' });
  const seconds = (performance.now() - t0) / 1000;
  // A results file older than this run is a previous run's, not this one's.
  const fresh =
    run.status === 0 &&
    existsSync(file) &&
    JSON.parse(readFileSync(file, 'utf8')).machine?.date >= started.toISOString();
  const rows = fresh ? (JSON.parse(readFileSync(file, 'utf8')).rows as BenchRow[]) : [];
  outcomes.push({ name, ok: fresh, seconds, rows });
}

const config = loadConfig({ env: { ...process.env, SYNFIN_LOG__LEVEL: 'warn' } });
const services = await nativeStack(config.stack).status();
const info = machine();
const versions = Object.fromEntries(services.map((s) => [s.name, s.version ?? s.state]));

const format = (value: number) =>
  value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2);
const lines = [
  '# Benchmark results',
  '',
  `Written by \`npm run bench\` on ${info.date}. Machine: ${info.cpu}, ${info.memory}. Node ${info.node}, commit ${info.commit}.`,
  `Services: ${Object.entries(versions)
    .map(([service, version]) => `${service} ${version}`)
    .join(' · ')}.`,
  '',
];
for (const outcome of outcomes) {
  lines.push(`## ${outcome.name}`, '');
  if (!outcome.ok) {
    lines.push(`**failed** after ${outcome.seconds.toFixed(0)} s — see the run's output.`, '');
    continue;
  }
  lines.push('| case | value | unit | target | note |', '| --- | ---: | --- | --- | --- |');
  for (const row of outcome.rows) {
    lines.push(
      `| ${row.case} | ${format(row.value)} | ${row.unit} | ${row.target ?? ''} | ${row.note ?? ''} |`,
    );
  }
  lines.push(
    '',
    outcome.earlier
      ? `(not run this time: results of ${outcome.earlier})`
      : `(${outcome.seconds.toFixed(0)} s)`,
    '',
  );
}
writeFileSync(path.join(resultsDir, 'RESULTS.md'), `${lines.join('\n')}\n`);
writeFileSync(
  path.join(resultsDir, 'all.json'),
  `${JSON.stringify({ machine: info, services: versions, benchmarks: outcomes }, null, 2)}\n`,
);
console.log(lines.join('\n'));
if (outcomes.some((o) => !o.ok && o.earlier === undefined)) process.exitCode = 1;
