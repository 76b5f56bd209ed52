/**
 * `synfin schemas register|check`: the four input schemas under `<topic>-value`. `check` asks the
 * registry whether each would be accepted (compatibility with the latest version) without
 * registering anything; `register` registers them (an incompatible one is refused).
 */
import type { SchemaRegistryConfig } from '../../core/config/schema.ts';
import { SynfinError } from '../../core/errors.ts';
import { createRegistryCodec } from '../../core/registry/codec.ts';
import { EVENT_KINDS, loadSchema } from '../../producers/avro.ts';
import type { GeneratorConfig } from '../../producers/config.ts';
import { topicsOf } from '../../producers/run.ts';

export interface SchemaResult {
  subject: string;
  outcome: 'registered' | 'compatible' | 'incompatible' | 'new';
  detail: string;
}

function subjects(config: Pick<GeneratorConfig, 'topics'>) {
  const topics = topicsOf(config as GeneratorConfig);
  return EVENT_KINDS.map((kind) => ({ kind, subject: `${topics[kind]}-value`, schema: loadSchema(kind) }));
}

export async function registerAll(registry: SchemaRegistryConfig, config: Pick<GeneratorConfig, 'topics'>) {
  const codec = createRegistryCodec(registry);
  const results: SchemaResult[] = [];
  for (const { subject, schema } of subjects(config)) {
    const id = await codec.register(subject, schema);
    results.push({ subject, outcome: 'registered', detail: `id ${id}` });
  }
  return results;
}

export async function checkAll(registry: SchemaRegistryConfig, config: Pick<GeneratorConfig, 'topics'>) {
  const base = registry.url.replace(/\/+$/, '');
  const results: SchemaResult[] = [];
  for (const { subject, schema } of subjects(config)) {
    let response: Response;
    try {
      response = await fetch(
        `${base}/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
          body: JSON.stringify({ schema: JSON.stringify(schema), schemaType: 'AVRO' }),
        },
      );
    } catch (cause) {
      throw new SynfinError('SCHEMA_REGISTRY_UNAVAILABLE', `cannot reach the registry at ${base}`, { cause });
    }
    if (response.status === 404) {
      results.push({
        subject,
        outcome: 'new',
        detail: 'not registered yet: the first version is always accepted',
      });
      continue;
    }
    const body = (await response.json().catch(() => ({}))) as {
      is_compatible?: boolean;
      messages?: string[];
    };
    if (!response.ok)
      throw new SynfinError(
        'SCHEMA_REGISTRY_UNAVAILABLE',
        `${subject}: registry answered ${response.status}`,
      );
    results.push({
      subject,
      outcome: body.is_compatible ? 'compatible' : 'incompatible',
      detail: body.is_compatible ? 'with the latest version' : (body.messages ?? []).join('; ') || 'refused',
    });
  }
  return results;
}
