import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../../core/config/load.ts';
import { createMetricsRegistry } from '../../../core/metrics.ts';
import { serveMetrics } from '../../../core/metrics-server.ts';
import { projectRoot } from '../../../core/paths.ts';
import { parseGeneratorConfig } from '../../../producers/config.ts';
import { readComposeFile, splitStageCommand, stageNodeFlags } from '../../harness/compose-file.ts';

const root = projectRoot();
const k8sDir = path.join(root, 'deploy', 'k8s');

interface Probe {
  httpGet?: { path?: string; port?: string | number };
}
interface Container {
  name: string;
  image: string;
  command: string[];
  args?: string[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: { name: string; value: string }[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: { cpu?: string; memory?: string }; limits?: { memory?: string } };
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  resources?: string[];
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    maxUnavailable?: number;
    template?: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec?: { containers: Container[]; securityContext?: { runAsNonRoot?: boolean } };
    };
  };
}

function readManifests(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(path.join(k8sDir, file), 'utf8'))
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((doc): doc is Manifest => doc !== null);
}

const files = readdirSync(k8sDir).filter((file) => file.endsWith('.yaml'));
const manifests = files.flatMap(readManifests);
const ofKind = (kind: string) => manifests.filter((m) => m.kind === kind);
const deployments = ofKind('Deployment');
const configMap = ofKind('ConfigMap')[0] as Manifest;
const secret = ofKind('Secret')[0] as Manifest;
const environment = { ...configMap.data, ...secret.stringData };

/** bytes of a Kubernetes quantity like 512Mi or 1Gi */
const bytes = (quantity: string) => {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`unexpected quantity ${quantity}`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 ** 3 : 1024 ** 2);
};

/** `--help` of each stage CLI, from source: the flags a manifest may pass. */
const helpOf = new Map<string, string>();
function help(source: string): string {
  let text = helpOf.get(source);
  if (text === undefined) {
    text = execFileSync(process.execPath, [path.join(root, source), '--help'], { encoding: 'utf8' });
    helpOf.set(source, text);
  }
  return text;
}

let probeBase = '';
let probeServer: Server | undefined;
beforeAll(async () => {
  probeServer = serveMetrics(createMetricsRegistry({ defaultMetrics: false }), 0);
  await once(probeServer, 'listening');
  probeBase = `http://127.0.0.1:${(probeServer.address() as AddressInfo).port}`;
});
afterAll(() => {
  probeServer?.close();
});

describe('Kubernetes manifests (deploy/k8s)', () => {
  it('list every manifest but the example secret in kustomization.yaml', () => {
    const kustomization = readManifests('kustomization.yaml')[0] as Manifest;
    const expected = files.filter((f) => f !== 'kustomization.yaml' && f !== 'secret.example.yaml').sort();
    expect([...(kustomization.resources ?? [])].sort()).toEqual(expected);
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([
      'control-plane',
      'processor-customer',
      'processor-merchant',
      'sink-clickhouse',
      'sink-postgres',
    ]);
  });

  it('configure the stages with settings the config loader accepts', () => {
    const config = loadConfig({ env: environment });
    expect(config.env).toBe('production');
    expect(config.metrics.port).toBe(Number(configMap.data?.SYNFIN_METRICS__PORT));
    expect(config.runId).toBe(configMap.data?.SYNFIN_RUN_ID);
    // A misspelt variable would be refused, not ignored: the check above can fail.
    expect(() => loadConfig({ env: { ...environment, SYNFIN_METRICS__PROT: '1' } })).toThrow(
      /names no setting/,
    );
  });

  for (const deployment of deployments) {
    const name = deployment.metadata.name;
    const pod = deployment.spec?.template?.spec;
    const container = pod?.containers[0] as Container;

    describe(name, () => {
      it('runs a stage entry point of this repository with flags it declares', () => {
        const [node, ...rest] = container.command;
        expect(node).toBe('node');
        const { entry, nodeFlags } = splitStageCommand(rest);
        expect(nodeFlags, 'the node flags its launcher uses').toEqual(stageNodeFlags(String(entry)));
        const source = String(entry)
          .replace(/^dist\//, '')
          .replace(/\.js$/, '.ts');
        expect(existsSync(path.join(root, source)), source).toBe(true);
        const text = help(source);
        // Flags, and a subcommand (`serve`) where the entry point is the synfin CLI.
        for (const arg of container.args ?? []) expect(text, arg).toContain(arg);
        // It starts the real entry point (the control plane loads fastify and its plugins): seconds
        // on a machine busy with the integration suite, over vitest's default 5 s once here.
      }, 60_000);

      it('probes /health for liveness and /ready for readiness on the port the process serves', async () => {
        // Stages serve them on the metrics port; the control plane on its HTTP port.
        const served = name === 'control-plane' ? 'http' : 'metrics';
        const port = container.ports?.find((p) => p.name === served);
        const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
        const config = loadConfig({ env: { ...environment, ...env } });
        expect(port?.containerPort).toBe(served === 'http' ? config.controlPlane.port : config.metrics.port);
        expect(container.livenessProbe?.httpGet).toEqual({ path: '/health', port: served });
        expect(container.readinessProbe?.httpGet).toEqual({ path: '/ready', port: served });
        const annotations = deployment.spec?.template?.metadata?.annotations ?? {};
        expect(annotations['prometheus.io/port']).toBe(String(port?.containerPort));
        // The stage's own server answers those paths (not 404).
        for (const probe of ['/health', '/ready', annotations['prometheus.io/path'] ?? '']) {
          expect((await fetch(`${probeBase}${probe}`)).status, probe).toBe(200);
        }
      });

      it('takes its settings from the ConfigMap and the Secret', () => {
        const refs = container.envFrom ?? [];
        expect(refs.map((r) => r.configMapRef?.name).filter(Boolean)).toEqual([configMap.metadata.name]);
        expect(refs.map((r) => r.secretRef?.name).filter(Boolean)).toEqual([secret.metadata.name]);
      });

      it('requests resources, runs as non-root and stays within the partitions', () => {
        const { requests, limits } = container.resources ?? {};
        expect(requests?.cpu).toMatch(/^\d+m?$/);
        expect(bytes(limits?.memory ?? '0Mi')).toBeGreaterThanOrEqual(bytes(requests?.memory ?? '1Gi'));
        expect(pod?.securityContext?.runAsNonRoot).toBe(true);
        const partitions = parseGeneratorConfig({}).topics.partitions;
        expect(deployment.spec?.replicas ?? 1).toBeLessThanOrEqual(partitions);
      });

      it('has a PodDisruptionBudget selecting its pods', () => {
        const labels = deployment.spec?.template?.metadata?.labels ?? {};
        const budgets = ofKind('PodDisruptionBudget').filter((pdb) =>
          Object.entries(pdb.spec?.selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v),
        );
        expect(budgets).toHaveLength(1);
        expect(budgets[0]?.spec?.maxUnavailable).toBe(1);
        expect(deployment.spec?.selector?.matchLabels).toEqual({
          'app.kubernetes.io/name': labels['app.kubernetes.io/name'],
        });
      });
    });
  }
});

describe('Dockerfile and compose stages', () => {
  const dockerfile = readFileSync(path.join(root, 'deploy', 'Dockerfile'), 'utf8');

  it('builds in stages, ships every compiled folder and runs as non-root with a healthcheck', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    const build = JSON.parse(readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as {
      include: string[];
    };
    for (const folder of build.include)
      expect(dockerfile, folder).toMatch(new RegExp(`^COPY ${folder} `, 'm'));
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/health/m);
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${configMap.data?.SYNFIN_METRICS__PORT}$`, 'm'));
  });

  it('run every stage of the compose file on the scraped port with valid settings', () => {
    const compose = readComposeFile();
    const scrape = readFileSync(path.join(root, 'monitoring', 'prometheus', 'prometheus.yml'), 'utf8');
    const stages = Object.entries(compose.services).filter(([, s]) => s.image === 'synfinance-stream:dev');
    expect(stages.length).toBeGreaterThanOrEqual(6);
    for (const [name, service] of stages) {
      if (name === 'doctor') continue;
      if (name === 'control-plane') {
        // Its key hash comes from the user's shell (${SYNFIN_API_KEY_HASHES}); it serves /metrics itself.
        expect(scrape).toContain('"control-plane:18080"');
        expect(scrape).toContain('url: http://control-plane:18080/v1/targets');
        continue;
      }
      const env = service.environment ?? {};
      expect(() => loadConfig({ env }), name).not.toThrow();
      expect(scrape, name).toContain(`"${name}:${env.SYNFIN_METRICS__PORT}"`);
      const { entry, nodeFlags } = splitStageCommand(service.command?.slice(1) ?? []);
      expect(nodeFlags, `${name}: the node flags its launcher uses`).toEqual(stageNodeFlags(String(entry)));
      const source = String(entry)
        .replace(/^dist\//, '')
        .replace(/\.js$/, '.ts');
      expect(existsSync(path.join(root, source)), source).toBe(true);
    }
  });
});
