/** Killing a stage process mid-stream on purpose: once it made `from` progress, before it is done. */
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';

/** SIGKILLs `child` once `progress()` reaches `from`; returns the progress then (checked below `total`). */
export async function killWhen(
  child: ChildProcess,
  progress: () => Promise<number>,
  from: number,
  total: number,
): Promise<number> {
  const deadline = Date.now() + 120_000;
  while ((await progress().catch(() => 0)) < from) {
    expect(Date.now(), 'the stage made no progress').toBeLessThan(deadline);
    await sleep(50);
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  const atKill = await progress();
  expect(atKill, 'the kill came after the stage had finished').toBeLessThan(total);
  return atKill;
}
