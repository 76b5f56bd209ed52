/**
 * Path (b) of the harness: the real services in containers, through Testcontainers, with the image
 * tags of docker-compose.yml. Used where a Docker engine answers (users' machines and CI).
 */
import { ClickHouseContainer } from '@testcontainers/clickhouse';
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { GenericContainer, getContainerRuntimeClient, Network, Wait } from 'testcontainers';
import { freePort } from '../../core/ports.ts';
import { composeImage, readComposeFile } from './compose-file.ts';
import type { Endpoints } from './endpoints.ts';

export async function startContainers(): Promise<{ endpoints: Endpoints; stop: () => Promise<void> }> {
  const compose = readComposeFile();
  const runtime = await getContainerRuntimeClient();
  const host = runtime.info.containerRuntime.host;
  const network = await new Network().start();
  const kafkaPort = await freePort();

  const kafkaImage = composeImage(compose, 'kafka');
  const kafka = await new GenericContainer(kafkaImage)
    .withNetwork(network)
    .withNetworkAliases('kafka')
    .withExposedPorts({ container: kafkaPort, host: kafkaPort })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `INTERNAL://0.0.0.0:29092,HOST://0.0.0.0:${kafkaPort},CONTROLLER://0.0.0.0:9093`,
      KAFKA_ADVERTISED_LISTENERS: `INTERNAL://kafka:29092,HOST://${host}:${kafkaPort}`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'INTERNAL:PLAINTEXT,HOST:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'INTERNAL',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@kafka:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(180_000)
    .start();

  const registryImage = composeImage(compose, 'schema-registry');
  const registry = await new GenericContainer(registryImage)
    .withNetwork(network)
    .withNetworkAliases('schema-registry')
    .withExposedPorts(8081)
    .withEnvironment({
      SCHEMA_REGISTRY_HOST_NAME: 'schema-registry',
      SCHEMA_REGISTRY_LISTENERS: 'http://0.0.0.0:8081',
      SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS: 'PLAINTEXT://kafka:29092',
    })
    .withWaitStrategy(Wait.forHttp('/subjects', 8081).forStatusCode(200))
    .withStartupTimeout(180_000)
    .start();

  const clickhouseImage = composeImage(compose, 'clickhouse');
  const clickhouse = await new ClickHouseContainer(clickhouseImage).start();
  const postgresImage = composeImage(compose, 'postgres');
  const postgres = await new PostgreSqlContainer(postgresImage)
    .withDatabase('synfin')
    .withUsername('synfin')
    .withPassword('synfin')
    .start();

  return {
    endpoints: {
      source: 'testcontainers',
      kafkaBrokers: [`${host}:${kafkaPort}`],
      schemaRegistryUrl: `http://${registry.getHost()}:${registry.getMappedPort(8081)}`,
      clickhouseUrl: `http://${clickhouse.getHost()}:${clickhouse.getHttpPort()}`,
      clickhouseUser: clickhouse.getUsername(),
      clickhousePassword: clickhouse.getPassword(),
      postgresUrl: postgres.getConnectionUri(),
      versions: {
        kafka: kafkaImage,
        'schema-registry': registryImage,
        clickhouse: clickhouseImage,
        postgres: postgresImage,
      },
    },
    async stop() {
      await Promise.allSettled([kafka.stop(), registry.stop(), clickhouse.stop(), postgres.stop()]);
      await network.stop();
    },
  };
}

/** True when a Docker (or compatible) engine answers; false fast where none is configured. */
export async function dockerAnswers(timeoutMs = 15_000): Promise<boolean> {
  const { existsSync } = await import('node:fs');
  const sockets = [
    '/var/run/docker.sock',
    `${process.env.HOME ?? ''}/.docker/run/docker.sock`,
    `${process.env.XDG_RUNTIME_DIR ?? '/nonexistent'}/docker.sock`,
  ];
  if (!process.env.DOCKER_HOST && !sockets.some((socket) => existsSync(socket))) return false;
  const probe = getContainerRuntimeClient().then(
    () => true,
    () => false,
  );
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
  return Promise.race([probe, timeout]);
}
