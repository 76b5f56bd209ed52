/** How far each partition of a topic has landed in the files: its position file (layout.ts). */
import { mkdir, open, readdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { positionFile, topicDir } from './layout.ts';

export interface Position {
  /** The next offset not landed. */
  nextOffset: number;
  /** Records landed below it (rows and dead letters; transaction markers take offsets, not records). */
  records: number;
}

export const EMPTY_POSITION: Position = { nextOffset: 0, records: 0 };

/** Writes `data` at `file` atomically: a temporary name, synced, then renamed into place. */
export async function writeAtomically(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.tmp-${process.pid}`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}

export async function readPosition(root: string, topic: string, partition: number): Promise<Position> {
  try {
    return JSON.parse(await readFile(positionFile(root, topic, partition), 'utf8')) as Position;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_POSITION;
    throw error;
  }
}

/** Every position file of `topic`: partition → position. */
export async function readPositions(root: string, topic: string): Promise<Map<number, Position>> {
  const positions = new Map<number, Position>();
  const names = await readdir(path.join(topicDir(root, topic), '_positions')).catch(() => [] as string[]);
  for (const name of names) {
    const match = /^p(\d+)\.json$/.exec(name);
    if (match) positions.set(Number(match[1]), await readPosition(root, topic, Number(match[1])));
  }
  return positions;
}
