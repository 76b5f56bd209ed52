/** Apache Kafka in KRaft mode, one node as broker and controller, from Maven Central jars. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ServiceError } from '../../../core/errors.ts';
import { createKafkaClient } from '../../../core/kafka/client.ts';
import { createLogger } from '../../../core/logger.ts';
import { type NativeService, type StackContext, serviceFolders } from '../native-service.ts';
import { ensureMaven, findJava, type Java, run } from '../toolchain.ts';

/** Readiness probes fail many times while the broker starts; none of that is worth a log line. */
const silent = createLogger({ level: 'silent', pretty: false });

/**
 * A cluster id is 16 random bytes in URL-safe base64 without padding. Like Kafka's own
 * `Uuid.randomUuid`, never one that starts with '-': one draw in 64 does, and a command line
 * reads it as an option (StorageTool then failed with "--cluster-id/-t: expected one argument").
 */
export function kraftClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export function kafkaService(ctx: StackContext): NativeService {
  const { version, port, controllerPort, heapMb } = ctx.config.kafka;
  const host = ctx.config.host;
  const folders = serviceFolders(ctx, 'kafka');
  const libs = path.join(ctx.softwareDir, `kafka-${version}`, 'libs');
  const dataDir = path.join(folders.home, 'data');
  const serverProperties = path.join(folders.home, 'server.properties');
  const log4j = path.join(folders.home, 'log4j2.properties');
  let java: Java | undefined;

  const javaArgs = (main: string, ...args: string[]) => [
    `-Dlog4j2.configurationFile=${log4j}`,
    `-Dkafka.logs.dir=${path.dirname(folders.logFile)}`,
    '-cp',
    `${libs}/*`,
    main,
    ...args,
  ];

  return {
    name: 'kafka',
    ports: [port, controllerPort],
    ...folders,
    endpoint: `${host}:${port}`,
    stopSignal: 'SIGTERM',

    async install() {
      java = await findJava('kafka', 17);
      if (existsSync(path.join(libs, `kafka_2.13-${version}.jar`))) return;
      ctx.say(`kafka: resolving Apache Kafka ${version} jars from Maven Central`);
      const mvn = await ensureMaven('kafka');
      const staging = `${libs}.partial`;
      rmSync(staging, { recursive: true, force: true });
      try {
        await run(mvn, [
          '-B',
          '-q',
          '-f',
          path.join(ctx.projectRoot, 'deploy', 'local', 'maven', 'pom.xml'),
          `-Dkafka.version=${version}`,
          'dependency:copy-dependencies',
          `-DoutputDirectory=${staging}`,
          '-DincludeScope=runtime',
        ]);
      } catch (cause) {
        throw new ServiceError(
          'SERVICE_INSTALL_FAILED',
          'kafka',
          `cannot resolve Kafka ${version} with mvn`,
          {
            cause,
          },
        );
      }
      mkdirSync(path.dirname(libs), { recursive: true });
      renameSync(staging, libs);
    },

    async prepare() {
      mkdirSync(dataDir, { recursive: true });
      mkdirSync(path.dirname(folders.logFile), { recursive: true });
      writeFileSync(
        serverProperties,
        [
          '# Written by the native stack on every start; edit config/*.yaml (stack.kafka) instead.',
          'process.roles=broker,controller',
          'node.id=1',
          `controller.quorum.bootstrap.servers=${host}:${controllerPort}`,
          `listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
          `advertised.listeners=PLAINTEXT://${host}:${port}`,
          'controller.listener.names=CONTROLLER',
          'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
          'inter.broker.listener.name=PLAINTEXT',
          `log.dirs=${dataDir}`,
          'num.partitions=3',
          // One node: internal topics cannot have more replicas than brokers, or groups and
          // transactions never become available.
          'offsets.topic.replication.factor=1',
          'transaction.state.log.replication.factor=1',
          'transaction.state.log.min.isr=1',
          'share.coordinator.state.topic.replication.factor=1',
          'share.coordinator.state.topic.min.isr=1',
          'group.initial.rebalance.delay.ms=0',
          'auto.create.topics.enable=false',
          'delete.topic.enable=true',
          '',
        ].join('\n'),
      );
      writeFileSync(
        log4j,
        [
          'status = warn',
          'appender.file.type = RollingFile',
          'appender.file.name = file',
          `appender.file.fileName = ${folders.logFile}`,
          `appender.file.filePattern = ${folders.logFile}.%i`,
          'appender.file.layout.type = PatternLayout',
          'appender.file.layout.pattern = [%d] %p %m (%c)%n',
          'appender.file.policies.type = Policies',
          'appender.file.policies.size.type = SizeBasedTriggeringPolicy',
          'appender.file.policies.size.size = 50MB',
          'appender.file.strategy.type = DefaultRolloverStrategy',
          'appender.file.strategy.max = 3',
          'rootLogger.level = info',
          'rootLogger.appenderRef.file.ref = file',
          'logger.controller.name = org.apache.kafka.controller',
          'logger.controller.level = warn',
          '',
        ].join('\n'),
      );
      if (readdirSync(dataDir).includes('meta.properties')) return;
      const clusterId = kraftClusterId();
      java ??= await findJava('kafka', 17);
      try {
        await run(
          java.bin,
          javaArgs(
            'kafka.tools.StorageTool',
            'format',
            `--cluster-id=${clusterId}`,
            '-c',
            serverProperties,
            '--standalone',
          ),
        );
      } catch (cause) {
        throw new ServiceError('SERVICE_START_FAILED', 'kafka', 'formatting the KRaft storage failed', {
          cause,
          logFile: folders.logFile,
        });
      }
    },

    async command() {
      java ??= await findJava('kafka', 17);
      return {
        command: java.bin,
        args: [
          `-Xms${Math.min(256, heapMb)}m`,
          `-Xmx${heapMb}m`,
          ...javaArgs('kafka.Kafka', serverProperties),
        ],
        cwd: folders.home,
      };
    },

    async probe() {
      const kafka = createKafkaClient(
        {
          brokers: [`${host}:${port}`],
          clientId: 'synfin-stack',
          connectionTimeoutMs: 1000,
          requestTimeoutMs: 2000,
          ssl: false,
          sasl: { mechanism: 'none', username: '', password: '' },
        },
        silent,
        { clientRetries: 0 },
      );
      try {
        const cluster = await kafka.describeCluster();
        return cluster.brokers > 0 && cluster.controller !== null;
      } catch {
        return false;
      } finally {
        await kafka.close().catch(() => undefined);
      }
    },

    async version() {
      return existsSync(path.join(libs, `kafka_2.13-${version}.jar`)) ? `Apache Kafka ${version}` : 'unknown';
    },
  };
}
