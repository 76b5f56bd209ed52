/**
 * The world at scale: building it and generating one simulated day (`synfin generate --days 1`
 * without the file writing) at 100k, 300k and 1M customers (merchants = customers / 20; 3M with
 * BENCH_WORLD_SIZES=…,3000000 needs ~15 GB today), each in a
 * process of its own for its peak RSS. Time per customer should stay flat across the sizes.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { type BenchRow, report } from '../lib.ts';

const SIZES = (process.env.BENCH_WORLD_SIZES ?? '100000,300000,1000000').split(',').map(Number);

interface WorldResult {
  customers: number;
  worldSeconds: number;
  totalSeconds: number;
  events: number;
  maxRssMb: number;
}

const rows: BenchRow[] = [];
const results: WorldResult[] = [];
for (const customers of SIZES) {
  const output = execFileSync(
    process.execPath,
    [path.join(import.meta.dirname, 'world-child.ts'), String(customers)],
    {
      maxBuffer: 1 << 20,
    },
  ).toString();
  const result = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as WorldResult;
  results.push(result);
  const size = customers.toLocaleString('en-US');
  rows.push(
    {
      case: `world build + 1 day, ${size} customers`,
      value: Math.round(result.totalSeconds * 10) / 10,
      unit: 's',
      ...(customers === 1_000_000 ? { target: '≤ 60' } : {}),
      note: `world ${result.worldSeconds.toFixed(1)} s; ${result.events.toLocaleString('en-US')} events`,
    },
    {
      case: `per customer, ${size} customers`,
      value: Math.round((result.totalSeconds / customers) * 1e6 * 10) / 10,
      unit: 'µs',
      target: 'flat within 2×',
    },
    {
      case: `peak RSS, ${size} customers`,
      value: result.maxRssMb,
      unit: 'MB',
      ...(customers === 1_000_000 ? { target: '≤ 500' } : {}),
    },
  );
}
const perCustomer = results.map((r) => r.totalSeconds / r.customers);
if (perCustomer.length > 1)
  rows.push({
    case: 'largest / smallest time per customer',
    value: Math.round((Math.max(...perCustomer) / Math.min(...perCustomer)) * 100) / 100,
    unit: '×',
    target: '≤ 2',
  });
report('producers-world', rows, { sizes: SIZES });
