/**
 * A real Confluent-compatible schema registry: Apicurio Registry's runnable distribution from Maven
 * Central, used through its Confluent-compatible API (/apis/ccompat/v7). Schemas persist in an H2
 * file under the data dir, so ids stay valid across restarts of the stack.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ServiceError } from '../../../core/errors.ts';
import { type NativeService, type StackContext, serviceFolders } from '../native-service.ts';
import { ensureMaven, findJava, type Java, run } from '../toolchain.ts';

/** Apicurio 3.x is compiled for Java 21. */
const MINIMUM_JAVA = 21;
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

export function schemaRegistryService(ctx: StackContext): NativeService {
  const { version, port, heapMb } = ctx.config.schemaRegistry;
  const host = ctx.config.host;
  const folders = serviceFolders(ctx, 'schema-registry');
  const distribution = path.join(ctx.softwareDir, `apicurio-registry-${version}`);
  const runnable = path.join(distribution, 'quarkus-run.jar');
  const baseUrl = `http://${host}:${port}/apis/ccompat/v7`;
  let java: Java | undefined;

  return {
    name: 'schema-registry',
    ports: [port],
    ...folders,
    endpoint: baseUrl,
    stopSignal: 'SIGTERM',

    async install() {
      java = await findJava('schema-registry', MINIMUM_JAVA);
      if (existsSync(runnable)) return;
      ctx.say(`schema-registry: fetching Apicurio Registry ${version} from Maven Central`);
      const mvn = await ensureMaven('schema-registry');
      const download = path.join(ctx.softwareDir, 'downloads');
      const staging = `${distribution}.partial`;
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      try {
        await run(
          mvn,
          [
            '-B',
            '-q',
            `${DEPENDENCY_PLUGIN}:copy`,
            `-Dartifact=io.apicurio:apicurio-registry-app:${version}:tar.gz:all`,
            `-DoutputDirectory=${download}`,
          ],
          { cwd: ctx.softwareDir },
        );
        await run('tar', [
          'xzf',
          path.join(download, `apicurio-registry-app-${version}-all.tar.gz`),
          '-C',
          staging,
        ]);
      } catch (cause) {
        throw new ServiceError(
          'SERVICE_INSTALL_FAILED',
          'schema-registry',
          `cannot fetch Apicurio Registry ${version} with mvn`,
          { cause },
        );
      }
      renameSync(staging, distribution);
      rmSync(download, { recursive: true, force: true });
    },

    async prepare() {
      mkdirSync(path.join(folders.home, 'data'), { recursive: true });
      mkdirSync(path.dirname(folders.logFile), { recursive: true });
    },

    async command() {
      java ??= await findJava('schema-registry', MINIMUM_JAVA);
      const database = path.join(folders.home, 'data', 'registry');
      return {
        command: java.bin,
        args: [
          `-Xmx${heapMb}m`,
          `-Dquarkus.http.host=${host}`,
          `-Dquarkus.http.port=${port}`,
          // Its management port (9000 by default, on every interface) would collide with ClickHouse.
          '-Dquarkus.management.enabled=false',
          '-Dquarkus.log.console.json=false',
          `-Dapicurio.datasource.url=jdbc:h2:file:${database}`,
          `-Dapicurio.storage.snapshot.location=${path.join(folders.home, 'data')}`,
          '-jar',
          runnable,
        ],
        cwd: folders.home,
      };
    },

    async probe() {
      try {
        const response = await fetch(`${baseUrl}/subjects`, { signal: AbortSignal.timeout(2000) });
        return response.ok;
      } catch {
        return false;
      }
    },

    async version() {
      try {
        const response = await fetch(`http://${host}:${port}/apis/registry/v3/system/info`);
        const info = (await response.json()) as { name?: string; version?: string };
        return `${info.name ?? 'Apicurio Registry'} ${info.version ?? version}`;
      } catch {
        return `Apicurio Registry ${version}`;
      }
    },
  };
}
