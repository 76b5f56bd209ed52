import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError, type ConfigIssue, SynfinError } from '../errors.ts';
import { projectRoot } from '../paths.ts';
import { type Config, ConfigSchema } from './schema.ts';
import { validateAgainst } from './validate.ts';

export const ENV_PREFIX = 'SYNFIN_';
/**
 * Variables that steer loading itself rather than naming a setting, and the `synfin run` client's
 * own (its API key and the control plane's URL), which a server in the same shell must not refuse.
 */
const LOADER_VARIABLES = new Set([
  'SYNFIN_ENV',
  'SYNFIN_CONFIG',
  'SYNFIN_CONFIG_DIR',
  'SYNFIN_API_KEY',
  'SYNFIN_CONTROL_PLANE_URL',
]);

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  configDir?: string;
  /** Highest precedence: values from CLI flags or a REST body, already shaped like the config. */
  overrides?: Record<string, unknown>;
}

type Json = Record<string, unknown>;
interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
}

/**
 * Builds the configuration once, at the edge: config/default.yaml, then config/<env>.yaml, then the
 * file named by SYNFIN_CONFIG, then SYNFIN_* variables, then `overrides`. The result is validated
 * against the one schema, defaults filled in, and frozen.
 */
export function loadConfig(options: LoadOptions = {}): Readonly<Config> {
  const env = options.env ?? process.env;
  const configDir = options.configDir ?? env.SYNFIN_CONFIG_DIR ?? path.join(projectRoot(), 'config');
  const environment = env.SYNFIN_ENV ?? 'development';

  let merged: Json = {};
  const sources: string[] = [];
  for (const file of [path.join(configDir, 'default.yaml'), path.join(configDir, `${environment}.yaml`)]) {
    const layer = readYaml(file, false);
    if (layer) {
      merged = deepMerge(merged, layer);
      sources.push(file);
    }
  }
  if (env.SYNFIN_CONFIG) {
    merged = deepMerge(merged, readYaml(env.SYNFIN_CONFIG, true) ?? {});
    sources.push(env.SYNFIN_CONFIG);
  }
  merged = deepMerge(merged, envOverrides(env));
  merged = deepMerge(merged, options.overrides ?? {});
  merged.env = environment;

  return validateConfig(merged, [...sources, 'environment'].join(' + '));
}

/** Validates a plain object against the config schema (used by loadConfig and by tests). */
export function validateConfig(input: unknown, source = 'input'): Readonly<Config> {
  return validateAgainst(ConfigSchema, input, source);
}

function readYaml(file: string, required: boolean): Json | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    if (!required && (cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SynfinError('CONFIG_FILE_UNREADABLE', `cannot read config file ${file}`, { cause });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (cause) {
    throw new SynfinError('CONFIG_FILE_UNREADABLE', `config file ${file} is not valid YAML`, { cause });
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(file, [{ path: '/', message: 'must be a mapping of settings' }]);
  }
  return parsed as Json;
}

/**
 * SYNFIN_KAFKA__BROKERS=a:9092,b:9092 sets kafka.brokers. `__` separates levels; within a level,
 * case and underscores are ignored (SCHEMA_REGISTRY matches schemaRegistry). Lists are comma-separated.
 */
export function envOverrides(env: NodeJS.ProcessEnv): Json {
  const result: Json = {};
  const issues: ConfigIssue[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || LOADER_VARIABLES.has(name) || value === undefined) continue;
    const segments = name.slice(ENV_PREFIX.length).split('__');
    let node: SchemaNode = ConfigSchema as SchemaNode;
    let target = result;
    const keys: string[] = [];
    for (const segment of segments) {
      const wanted = segment.replaceAll('_', '').toLowerCase();
      const key = Object.keys(node.properties ?? {}).find((candidate) => candidate.toLowerCase() === wanted);
      if (!key) break;
      keys.push(key);
      node = node.properties?.[key] as SchemaNode;
    }
    if (keys.length !== segments.length || node.type === 'object') {
      issues.push({ path: name, message: 'environment variable names no setting' });
      continue;
    }
    for (const key of keys.slice(0, -1)) {
      target[key] ??= {};
      target = target[key] as Json;
    }
    const leaf = keys.at(-1) as string;
    target[leaf] = node.type === 'array' ? value.split(',').map((item) => item.trim()) : value;
  }
  if (issues.length > 0) throw new ConfigError('environment', issues);
  return result;
}

function deepMerge(base: Json, layer: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(layer)) {
    const current = out[key];
    out[key] = isPlainObject(value) && isPlainObject(current) ? deepMerge(current, value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
