/**
 * PostgreSQL from Debian's package, with its own cluster under the data dir. As root it runs as the
 * `postgres` system user (the server refuses root), which the package creates.
 */
import { chownSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  const data = path.join(folders.home, 'data');
  let runAs: RunAs | undefined;

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
      if (runAs) {
        // The server user must reach its folders through the data dir.
        mkdirSync(folders.home, { recursive: true });
        chownTree(path.dirname(folders.logFile), runAs);
        chownSync(folders.home, runAs.uid, runAs.gid);
      }
      if (existsSync(path.join(data, 'PG_VERSION'))) return;
      rmSync(data, { recursive: true, force: true });
      const pwfile = path.join(folders.home, '.pwfile');
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
        throw new ServiceError('SERVICE_START_FAILED', 'postgres', 'initdb failed', {
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
          data,
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
        cwd: folders.home,
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
