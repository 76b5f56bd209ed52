import type { Static, TSchema } from 'typebox';
import Value from 'typebox/value';
import { ConfigError, type ConfigIssue } from '../errors.ts';

/**
 * The one way any input from the edge (config files, CLI flags, a REST body) becomes a typed value:
 * defaults filled in, strings converted where the schema wants numbers or booleans, then checked.
 * Every problem is reported with the path of its field; the result is frozen.
 */
export function validateAgainst<T extends TSchema>(
  schema: T,
  input: unknown,
  source: string,
): Readonly<Static<T>> {
  const withDefaults = Value.Default(schema, structuredClone(input ?? {}));
  const converted = Value.Convert(schema, withDefaults);
  if (!Value.Check(schema, converted)) throw new ConfigError(source, configIssues(schema, converted));
  return deepFreeze(converted as Static<T>);
}

export function configIssues(schema: TSchema, value: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const error of Value.Errors(schema, value)) {
    // additionalProperties is also reported once per extra key as a bare "schema is false"; keep the clear one.
    if (error.keyword === 'boolean') continue;
    const extra = (error.params as { additionalProperties?: string[] }).additionalProperties;
    const issue = extra
      ? { path: `${error.instancePath}/${extra.join(',')}`, message: 'unknown setting' }
      : { path: error.instancePath, message: error.message };
    const key = `${issue.path}:${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
