/** What every stage's command-line entry point does the same way. */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/** The settings of a `--config` YAML file as a plain object (empty without one), for flags to override. */
export function readSettingsFile(file: string | number | undefined): Record<string, unknown> {
  return file === undefined
    ? {}
    : ((parseYaml(readFileSync(String(file), 'utf8')) ?? {}) as Record<string, unknown>);
}

/**
 * Aborts `controller` on SIGINT/SIGTERM, saying what the stage finishes first. Whatever a stage has
 * not committed is redone after a restart, so a stop that takes longer than `graceMs` gives up.
 */
export function stopOnSignals(controller: AbortController, finishing: string, graceMs = 15_000): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: ${finishing}, then stopping…`);
      controller.abort();
      setTimeout(() => process.exit(process.exitCode ?? 0), graceMs).unref();
    });
  }
}

/** Resolves once the stage is told to stop or `failed()` reports a failure. */
export function untilStopped(signal: AbortSignal, failed: () => boolean): Promise<void> {
  return new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (signal.aborted || failed()) {
        clearInterval(check);
        resolve();
      }
    }, 100);
  });
}
