/**
 * PostgreSQL from Debian's package, with its own cluster under the data dir. As root it runs as the
 * `postgres` system user (the server refuses root), which the package creates. That user cannot
 * enter a data dir under a 0700 folder (a clone under /root, any `mktemp -d`), so then the cluster
 * lives in a folder of its own under /var/lib/synfin, recorded in the data dir (`cluster-home`).
 */
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { ServiceError } from '../../../core/errors.ts';
import { type NativeService, type StackContext, serviceFolders } from '../native-service.ts';
import { ensureDebianPackages, run } from '../toolchain.ts';

interface RunAs {
  uid: number;
  gid: number;
}

async function systemUser(name: string): Promise<RunAs | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  const fields = passwd
    .split('\n')
    .map((line) => line.split(':'))
    .find((entry) => entry[0] === name);
  return fields ? { uid: Number(fields[2]), gid: Number(fields[3]) } : undefined;
}

/** Where relocated clusters live: a folder the `postgres` user can reach on any Debian machine. */
export const RELOCATED_CLUSTERS = '/var/lib/synfin';

/**
 * Whether `who` can walk down to `dir`: search permission on every existing ancestor (by owner,
 * group or others; the server runs with no supplementary groups).
 */
export function canEnter(dir: string, who: RunAs): boolean {
  let current = path.resolve(dir);
  const chain: string[] = [];
  for (;;) {
    chain.push(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of chain) {
    if (!existsSync(folder)) continue;
    const { mode, uid, gid } = statSync(folder);
    const bit = uid === who.uid ? 0o100 : gid === who.gid ? 0o010 : 0o001;
    if ((mode & bit) === 0) return false;
  }
  return true;
}

function chownTree(target: string, owner: RunAs): void {
  chownSync(target, owner.uid, owner.gid);
  if (statSync(target).isDirectory()) {
    for (const entry of readdirSync(target)) chownTree(path.join(target, entry), owner);
  }
}

export function postgresService(ctx: StackContext): NativeService {
  const { port, majorVersion, user, password, database } = ctx.config.postgres;
  const host = ctx.config.host;
  const folders = serviceFolders(ctx, 'postgres');
  const binDir = `/usr/lib/postgresql/${majorVersion}/bin`;
  const marker = path.join(folders.home, 'cluster-home');
  let runAs: RunAs | undefined;

  /** The cluster's folder: under the data dir, or where a relocation recorded it. */
  const clusterHome = (): string => (existsSync(marker) ? readFileSync(marker, 'utf8').trim() : folders.home);
  const dataOf = () => path.join(clusterHome(), 'data');

  /** Moves the cluster out of reach-less folders once, and says so. */
  const relocateIfUnreachable = (who: RunAs): void => {
    if (existsSync(marker) || canEnter(folders.home, who)) return;
    const home = path.join(RELOCATED_CLUSTERS, `postgres-${randomBytes(6).toString('hex')}`);
    mkdirSync(RELOCATED_CLUSTERS, { recursive: true, mode: 0o755 });
    mkdirSync(home, { mode: 0o700 });
    chownSync(home, who.uid, who.gid);
    writeFileSync(marker, `${home}\n`);
    ctx.say(
      `postgres: the postgres user cannot enter ${folders.home} (a parent folder is private, mode 0700); ` +
        `its cluster lives in ${home}, recorded in ${marker}`,
    );
  };

  const client = (db: string) =>
    new pg.Client({ host, port, user, password, database: db, connectionTimeoutMillis: 2000 });

  const resolveRunAs = async (): Promise<RunAs | undefined> => {
    if (process.getuid?.() !== 0) return undefined;
    const postgres = await systemUser('postgres');
    if (!postgres)
      throw new ServiceError('SERVICE_INSTALL_FAILED', 'postgres', 'no postgres system user to run as');
    return postgres;
  };

  return {
    name: 'postgres',
    ports: [port],
    ...folders,
    endpoint: `postgres://${user}@${host}:${port}/${database}`,
    processMarker: clusterHome,
    // SIGINT is Postgres' "fast" shutdown: it does not wait for clients to disconnect.
    stopSignal: 'SIGINT',

    async install() {
      if (!existsSync(path.join(binDir, 'postgres'))) {
        ctx.say(`postgres: installing postgresql-${majorVersion}`);
        await ensureDebianPackages('postgres', [`postgresql-${majorVersion}`]);
      }
      runAs = await resolveRunAs();
    },

    async prepare() {
      mkdirSync(path.dirname(folders.logFile), { recursive: true });
      runAs ??= await resolveRunAs();
      mkdirSync(folders.home, { recursive: true });
      if (runAs) {
        relocateIfUnreachable(runAs);
        chownTree(path.dirname(folders.logFile), runAs);
        chownSync(clusterHome(), runAs.uid, runAs.gid);
      }
      const data = dataOf();
      if (existsSync(path.join(data, 'PG_VERSION'))) return;
      rmSync(data, { recursive: true, force: true });
      const pwfile = path.join(clusterHome(), '.pwfile');
      writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
      if (runAs) chownSync(pwfile, runAs.uid, runAs.gid);
      try {
        const args = [
          '-D',
          data,
          '-U',
          user,
          `--pwfile=${pwfile}`,
          '--auth-host=scram-sha-256',
          '--auth-local=peer',
          '-E',
          'UTF8',
          '--locale=C',
        ];
        if (runAs) {
          await run('setpriv', [
            `--reuid=${runAs.uid}`,
            `--regid=${runAs.gid}`,
            '--clear-groups',
            path.join(binDir, 'initdb'),
            ...args,
          ]);
        } else {
          await run(path.join(binDir, 'initdb'), args);
        }
      } catch (cause) {
        // The log named must exist and say what initdb said (the server has not written it yet).
        writeFileSync(folders.logFile, `initdb -D ${data} failed:\n${String(cause)}\n`, { flag: 'a' });
        throw new ServiceError('SERVICE_START_FAILED', 'postgres', `initdb failed in ${data}`, {
          cause,
          logFile: folders.logFile,
        });
      } finally {
        rmSync(pwfile, { force: true });
      }
    },

    async command() {
      runAs ??= await resolveRunAs();
      return {
        command: path.join(binDir, 'postgres'),
        args: [
          '-D',
          dataOf(),
          '-p',
          String(port),
          '-c',
          `listen_addresses=${host}`,
          // TCP only: a socket path under a deep data dir can exceed the 107-byte limit.
          '-c',
          'unix_socket_directories=',
          '-c',
          'max_connections=200',
          '-c',
          'fsync=on',
        ],
        cwd: clusterHome(),
        ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
      };
    },

    async probe() {
      const connection = client('postgres');
      try {
        await connection.connect();
        await connection.query('SELECT 1');
        return true;
      } catch {
        return false;
      } finally {
        await connection.end().catch(() => undefined);
      }
    },

    async afterStart() {
      const connection = client('postgres');
      await connection.connect();
      try {
        const exists = await connection.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
        if (exists.rowCount === 0)
          await connection.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
      } finally {
        await connection.end();
      }
    },

    async version() {
      const connection = client('postgres');
      await connection.connect();
      try {
        const result = await connection.query<{ server_version: string }>('SHOW server_version');
        return `PostgreSQL ${result.rows[0]?.server_version ?? 'unknown'}`;
      } finally {
        await connection.end();
      }
    },
  };
}
