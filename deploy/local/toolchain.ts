/**
 * What the native stack needs from the machine — a JDK, Maven, Debian packages — found or installed.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ServiceError } from '../../core/errors.ts';

const execFileAsync = promisify(execFile);

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; a non-zero exit becomes an Error carrying its output. */
export async function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await execFileAsync(command, [...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      timeout: options.timeoutMs ?? 15 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { stdout, stderr };
  } catch (error) {
    const failed = error as Error & { stdout?: string; stderr?: string; code?: string | number };
    const output = `${failed.stderr ?? ''}\n${failed.stdout ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed (${failed.code ?? 'error'}):\n${output}`, {
      cause: error,
    });
  }
}

export async function which(command: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

const isRoot = () => process.getuid?.() === 0;
let aptUpdated = false;

/**
 * Installs Debian packages when we may (root with apt-get); otherwise says exactly what to install.
 */
export async function ensureDebianPackages(service: string, packages: readonly string[]): Promise<void> {
  if (!isRoot() || !(await which('apt-get'))) {
    throw new ServiceError(
      'SERVICE_INSTALL_FAILED',
      service,
      `missing; install the Debian packages ${packages.join(' ')} (or run this as root with apt-get)`,
    );
  }
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  try {
    if (!aptUpdated) {
      await run('apt-get', ['update', '-q'], { env });
      aptUpdated = true;
    }
    await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], { env });
  } catch (cause) {
    throw new ServiceError(
      'SERVICE_INSTALL_FAILED',
      service,
      `apt-get install ${packages.join(' ')} failed`,
      {
        cause,
      },
    );
  }
}

export interface Java {
  bin: string;
  major: number;
}

async function javaMajor(bin: string): Promise<number | undefined> {
  try {
    const { stderr, stdout } = await run(bin, ['-version'], { timeoutMs: 20_000 });
    const match = /version "(\d+)(?:\.(\d+))?/.exec(stderr + stdout);
    if (!match) return undefined;
    const major = Number(match[1]);
    return major === 1 ? Number(match[2]) : major;
  } catch {
    return undefined;
  }
}

/** The newest JDK/JRE on the machine: JAVA_HOME, the JVMs under /usr/lib/jvm, then `java` on PATH. */
export async function findJava(service: string, minimumMajor: number): Promise<Java> {
  const candidates = new Set<string>();
  if (process.env.JAVA_HOME) candidates.add(path.join(process.env.JAVA_HOME, 'bin', 'java'));
  const jvmRoot = '/usr/lib/jvm';
  if (existsSync(jvmRoot)) {
    for (const entry of readdirSync(jvmRoot)) candidates.add(path.join(jvmRoot, entry, 'bin', 'java'));
  }
  const onPath = await which('java');
  if (onPath) candidates.add(onPath);

  let best: Java | undefined;
  const seen: string[] = [];
  for (const bin of candidates) {
    if (!existsSync(bin)) continue;
    const major = await javaMajor(bin);
    if (major === undefined) continue;
    seen.push(`${bin} (${major})`);
    if (!best || major > best.major) best = { bin, major };
  }
  if (!best || best.major < minimumMajor) {
    throw new ServiceError(
      'SERVICE_INSTALL_FAILED',
      service,
      `needs Java ${minimumMajor} or newer; found ${seen.join(', ') || 'none'}. Set JAVA_HOME to a newer JDK.`,
    );
  }
  return best;
}

export async function ensureMaven(service: string): Promise<string> {
  const found = await which('mvn');
  if (found) return found;
  await ensureDebianPackages(service, ['maven']);
  const installed = await which('mvn');
  if (!installed)
    throw new ServiceError('SERVICE_INSTALL_FAILED', service, 'mvn not found after installing maven');
  return installed;
}
