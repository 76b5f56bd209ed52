/**
 * The Prometheus files checked by Prometheus' own tool. promtool comes from Debian's prometheus
 * package: `npm run stack -- up` (or `-- tools`) installs it; without it this suite fails, never skips.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../core/paths.ts';
import { which } from '../../../deploy/local/toolchain.ts';
import { alertExpressions } from '../../harness/monitoring.ts';

const run = promisify(execFile);
const dir = path.join(projectRoot(), 'monitoring', 'prometheus');

async function promtool(...args: string[]): Promise<string> {
  const binary = await which('promtool');
  if (!binary)
    throw new Error('promtool not found: run `npm run stack -- tools` (Debian package prometheus)');
  try {
    const { stdout, stderr } = await run(binary, args, { cwd: dir });
    return stdout + stderr;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${failed.stdout ?? ''}${failed.stderr ?? ''}`);
  }
}

describe('promtool', () => {
  it('accepts the scrape configuration and the rule file it loads', async () => {
    const output = await promtool('check', 'config', 'prometheus.yml');
    expect(output).toMatch(/SUCCESS: 1 rule files found/);
    expect(output).toMatch(/prometheus\.yml is valid/);
  });

  it('accepts every alert rule', async () => {
    const output = await promtool('check', 'rules', 'alerts.yml');
    expect(output).toContain(`SUCCESS: ${alertExpressions().size} rules found`);
  });

  it('passes the alert unit tests, which cover every alert', async () => {
    const output = await promtool('test', 'rules', 'alerts.test.yml');
    expect(output).toContain('SUCCESS');
    const { readFileSync } = await import('node:fs');
    const tests = readFileSync(path.join(dir, 'alerts.test.yml'), 'utf8');
    for (const alert of alertExpressions().keys()) expect(tests, alert).toContain(`alertname: ${alert}`);
  });

  it('fails a rule unit test whose expectation is wrong (the check can fail)', async () => {
    const { mkdtemp, writeFile, copyFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const scratch = await mkdtemp(path.join(tmpdir(), 'promtool-'));
    await copyFile(path.join(dir, 'alerts.yml'), path.join(scratch, 'alerts.yml'));
    await writeFile(
      path.join(scratch, 'wrong.test.yml'),
      [
        'rule_files: [alerts.yml]',
        'evaluation_interval: 1m',
        'tests:',
        '  - interval: 1m',
        '    input_series:',
        `      - series: 'up{job="synfin-sink", instance="x:9464"}'`,
        '        values: "1 1 1 1 1 1"',
        '    alert_rule_test:',
        '      - eval_time: 5m',
        '        alertname: SynfinTargetDown',
        '        exp_alerts: [{ exp_labels: { severity: critical, job: synfin-sink, instance: "x:9464" } }]',
      ].join('\n'),
    );
    const binary = (await which('promtool')) as string;
    await expect(run(binary, ['test', 'rules', 'wrong.test.yml'], { cwd: scratch })).rejects.toThrow();
  });
});
