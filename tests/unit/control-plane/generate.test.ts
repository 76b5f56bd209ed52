import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { generateFiles } from '../../../control-plane/cli/generate.ts';
import { parseGeneratorConfig } from '../../../producers/config.ts';
import { backfillEvents } from '../../../producers/stream.ts';

const config = parseGeneratorConfig({
  seed: 3,
  customers: 40,
  merchants: 10,
  days: 3,
  fraud: { rate: 0.05 },
});
const expected = { customers: 0, merchants: 0, transactions: 0, fraud_labels: 0 };
const firstTransaction = { value: undefined as Record<string, unknown> | undefined };
for (const batch of backfillEvents(config))
  for (const event of batch) {
    const key = {
      customer: 'customers',
      merchant: 'merchants',
      transaction: 'transactions',
      label: 'fraud_labels',
    }[event.kind] as keyof typeof expected;
    expected[key] += 1;
    if (event.kind === 'transaction' && !firstTransaction.value)
      firstTransaction.value = event.value as unknown as Record<string, unknown>;
  }

describe('synfin generate', () => {
  it('writes JSON lines: one object per event, every kind in its own file', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'gen-jsonl-'));
    const result = await generateFiles(config, 'jsonl', out, { chunkRows: 100 });
    expect(result.rows).toEqual(expected);
    const lines = readFileSync(path.join(out, 'transactions.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(expected.transactions);
    expect(JSON.parse(lines[0] as string)).toEqual(firstTransaction.value);
  });

  it('writes CSV with a header and quoted cells', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'gen-csv-'));
    await generateFiles(config, 'csv', out, { chunkRows: 100 });
    const lines = readFileSync(path.join(out, 'transactions.csv'), 'utf8').trimEnd().split('\r\n');
    expect(lines).toHaveLength(expected.transactions + 1);
    expect(lines[0]?.split(',')[0]).toBe('transactionId');
    expect(lines[1]?.split(',')[0]).toBe(firstTransaction.value?.transactionId);
  });

  it('writes Parquet in row groups that read back to the same values', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'gen-parquet-'));
    await generateFiles(config, 'parquet', out, { chunkRows: 100 });
    const file = await asyncBufferFromFile(path.join(out, 'transactions.parquet'));
    const metadata = await parquetMetadataAsync(file);
    expect(Number(metadata.num_rows)).toBe(expected.transactions);
    expect(metadata.row_groups.length).toBeGreaterThan(1);
    const [row] = await parquetReadObjects({ file, rowEnd: 1 });
    expect(row?.transactionId).toBe(firstTransaction.value?.transactionId);
    expect(Number(row?.amountMinor)).toBe(firstTransaction.value?.amountMinor);
  });
});
