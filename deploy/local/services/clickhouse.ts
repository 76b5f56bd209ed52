/**
 * ClickHouse from the machine's package (Debian's clickhouse-server, 18.16), run with a config of
 * our own so that it keeps its data, logs and ports inside the data dir.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type NativeService, type StackContext, serviceFolders } from '../native-service.ts';
import { ensureDebianPackages, which } from '../toolchain.ts';

async function findServerBinary(): Promise<{ command: string; prefix: string[] } | undefined> {
  for (const candidate of ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server']) {
    if (existsSync(candidate)) return { command: candidate, prefix: [] };
  }
  const server = await which('clickhouse-server');
  if (server) return { command: server, prefix: [] };
  // Current releases ship one binary with subcommands.
  const single = await which('clickhouse');
  return single ? { command: single, prefix: ['server'] } : undefined;
}

export function clickhouseService(ctx: StackContext): NativeService {
  const { httpPort, tcpPort, interserverPort } = ctx.config.clickhouse;
  const host = ctx.config.host;
  const folders = serviceFolders(ctx, 'clickhouse');
  const data = path.join(folders.home, 'data');
  const configFile = path.join(folders.home, 'config.xml');
  const url = `http://${host}:${httpPort}`;

  return {
    name: 'clickhouse',
    ports: [httpPort, tcpPort, interserverPort],
    ...folders,
    endpoint: url,
    stopSignal: 'SIGTERM',

    async install() {
      if (await findServerBinary()) return;
      ctx.say('clickhouse: installing the clickhouse-server package');
      await ensureDebianPackages('clickhouse', ['clickhouse-server']);
    },

    async prepare() {
      for (const dir of [
        data,
        path.join(data, 'tmp'),
        path.join(data, 'user_files'),
        path.dirname(folders.logFile),
      ]) {
        mkdirSync(dir, { recursive: true });
      }
      // The <yandex> root element is what 18.16 reads; current releases still accept it.
      writeFileSync(
        configFile,
        `<?xml version="1.0"?>
<!-- Written by the native stack on every start; edit config/*.yaml (stack.clickhouse) instead. -->
<yandex>
  <logger>
    <level>information</level>
    <log>${folders.logFile}</log>
    <errorlog>${path.join(path.dirname(folders.logFile), 'clickhouse.err.log')}</errorlog>
    <size>50M</size>
    <count>3</count>
  </logger>
  <listen_host>${host}</listen_host>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <interserver_http_port>${interserverPort}</interserver_http_port>
  <max_connections>1024</max_connections>
  <keep_alive_timeout>10</keep_alive_timeout>
  <max_concurrent_queries>200</max_concurrent_queries>
  <mark_cache_size>268435456</mark_cache_size>
  <path>${data}/</path>
  <tmp_path>${data}/tmp/</tmp_path>
  <user_files_path>${data}/user_files/</user_files_path>
  <format_schema_path>${data}/format_schemas/</format_schema_path>
  <users_config>${path.join(folders.home, 'users.xml')}</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
</yandex>
`,
      );
      writeFileSync(
        path.join(folders.home, 'users.xml'),
        `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>4000000000</max_memory_usage>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas>
    <default>
      <interval>
        <duration>3600</duration>
        <queries>0</queries><errors>0</errors><result_rows>0</result_rows>
        <read_rows>0</read_rows><execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
`,
      );
    },

    async command() {
      const binary = await findServerBinary();
      if (!binary) throw new Error('clickhouse-server not found after install');
      return {
        command: binary.command,
        args: [...binary.prefix, `--config-file=${configFile}`],
        cwd: folders.home,
      };
    },

    async probe() {
      try {
        const response = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(2000) });
        return response.ok && (await response.text()).startsWith('Ok');
      } catch {
        return false;
      }
    },

    async version() {
      const response = await fetch(`${url}/?query=${encodeURIComponent('SELECT version()')}`);
      return `ClickHouse ${(await response.text()).trim()}`;
    },
  };
}
