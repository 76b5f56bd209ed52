/** What the files hold of a run: records landed per topic, as the position files count them. */
import { access, constants, mkdir } from 'node:fs/promises';
import type { LandedCounts } from '../descriptor.ts';
import type { RecordKind } from '../tables.ts';
import type { FilesConnection } from './connection.ts';
import { lakeRoot } from './layout.ts';
import { readPositions } from './positions.ts';

export async function filesLanded(
  connection: Readonly<FilesConnection>,
  topics: Readonly<Partial<Record<RecordKind, string>>>,
  kinds: readonly RecordKind[],
): Promise<LandedCounts> {
  const landed: LandedCounts = {};
  for (const kind of kinds) {
    const topic = topics[kind];
    if (!topic) continue;
    let records = 0;
    for (const position of (await readPositions(lakeRoot(connection), topic)).values())
      records += position.records;
    landed[kind] = records;
  }
  return landed;
}

/** Whether the lake's folder can be written (created when missing). */
export async function filesProbe(connection: Readonly<FilesConnection>): Promise<string> {
  const root = lakeRoot(connection);
  await mkdir(root, { recursive: true });
  await access(root, constants.W_OK);
  return `${connection.format} files in ${root}`;
}
