import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../../core/paths.ts';

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
