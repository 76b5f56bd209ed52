/**
 * Settings as the SYNFIN_* variables the config loader reads (load.ts `envOverrides`): how a
 * process hands whole sections of its configuration to the stage processes it starts.
 */
import { ENV_PREFIX } from './load.ts';

/** `schemaRegistry` → `SCHEMA_REGISTRY`, `requestTimeoutMs` → `REQUEST_TIMEOUT_MS`. */
function variablePart(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** Every leaf of `value` under `path` (`['kafka']`) as a variable; lists comma-separated. */
export function environmentOf(path: readonly string[], value: unknown): Record<string, string> {
  const variables: Record<string, string> = {};
  const visit = (keys: readonly string[], node: unknown) => {
    if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
      for (const [key, child] of Object.entries(node)) visit([...keys, key], child);
      return;
    }
    if (node === undefined) return;
    variables[`${ENV_PREFIX}${keys.map(variablePart).join('__')}`] = Array.isArray(node)
      ? node.join(',')
      : String(node);
  };
  visit(path, value);
  return variables;
}
