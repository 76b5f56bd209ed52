import { existsSync } from 'node:fs';
import path from 'node:path';

/** The folder holding package.json: the same from source (`core/`) and from the build (`dist/core/`). */
export function projectRoot(): string {
  let dir = import.meta.dirname;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'config'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}
