import type { ChangelogRecord } from './task.ts';

/**
 * State keys changed since the last commit. Their values are materialized from memory only at
 * commit, so a key touched a thousand times in a batch costs one changelog record.
 */
export class DirtyKeys {
  private keys = new Set<string>();

  mark(key: string): void {
    this.keys.add(key);
  }

  /** `materialize` returns the key's current value, encoded, or undefined when it is gone (a tombstone). */
  flush(materialize: (key: string) => Buffer | string | undefined): ChangelogRecord[] {
    const records: ChangelogRecord[] = [];
    for (const key of this.keys) records.push({ key, value: materialize(key) ?? null });
    this.keys.clear();
    return records;
  }
}
