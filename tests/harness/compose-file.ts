import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../../core/paths.ts';
import { PRODUCER_NODE_FLAGS } from '../../producers/node-flags.ts';
import { SINK_NODE_FLAGS } from '../../sinks/node-flags.ts';

export interface ComposeService {
  image?: string;
  build?: unknown;
  ports?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: unknown; disable?: boolean };
  depends_on?: Record<string, { condition?: string }>;
  command?: string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export function readComposeFile(file = path.join(projectRoot(), 'docker-compose.yml')): ComposeFile {
  // merge: the stage services share their environment through YAML merge keys, as compose does.
  return parse(readFileSync(file, 'utf8'), { merge: true }) as ComposeFile;
}

/** The image of a compose service: Testcontainers starts exactly what docker compose would. */
export function composeImage(compose: ComposeFile, service: string): string {
  const image = compose.services[service]?.image;
  if (!image) throw new Error(`docker-compose.yml has no image for service ${service}`);
  return image;
}

/** A stage's `node` arguments split: the node flags before its entry point (a `.js` file), the entry. */
export function splitStageCommand(args: readonly string[]): {
  nodeFlags: string[];
  entry: string | undefined;
} {
  const at = args.findIndex((arg) => arg.endsWith('.js'));
  return at < 0
    ? { nodeFlags: [...args], entry: undefined }
    : { nodeFlags: args.slice(0, at), entry: args[at] };
}

/** The node flags the control plane's launcher starts a stage's entry point with. */
export function stageNodeFlags(entry: string): readonly string[] {
  if (entry.endsWith('sinks/cli.js')) return SINK_NODE_FLAGS;
  if (entry.endsWith('producers/cli.js')) return PRODUCER_NODE_FLAGS;
  return [];
}
