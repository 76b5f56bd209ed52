/**
 * The sinks there are. A new sink is a new folder with a descriptor (its `index.ts`, see
 * descriptor.ts) and one line here; configuration, readiness, the CLIs, run specs, a run's stage
 * environment and the control plane's completion check derive from this list.
 */
import type { Static, TObject } from 'typebox';
import { clickhouse } from './clickhouse/index.ts';
import type { SinkContext, SinkDescriptor } from './descriptor.ts';
import type { Sink } from './engine/sink.ts';
import { files } from './files/index.ts';
import { postgres } from './postgres/index.ts';

export const SINKS = [clickhouse, postgres, files] as const;

type Descriptors = (typeof SINKS)[number];
export type SinkName = Descriptors['name'];
export const SINK_NAMES = SINKS.map((sink) => sink.name) as readonly SinkName[];
/** The sinks a run lands in when its spec does not name them. */
export const DEFAULT_SINK_NAMES = SINKS.filter((sink) => sink.byDefault).map(
  (sink) => sink.name,
) as readonly SinkName[];

/** Each sink's connection section of the project configuration, by its name. */
export type SinkConnectionSchemas = { [D in Descriptors as D['name']]: D['connection'] };
export const SINK_CONNECTIONS = Object.fromEntries(
  SINKS.map((sink) => [sink.name, sink.connection]),
) as SinkConnectionSchemas;

// Every descriptor seen through the one interface (their own types are what SINKS keeps).
export const SINK_DESCRIPTORS: readonly SinkDescriptor[] = SINKS;

export function sinkDescriptor(name: string): SinkDescriptor {
  const descriptor = SINK_DESCRIPTORS.find((sink) => sink.name === name);
  if (!descriptor) throw new TypeError(`no sink named ${name} (known: ${SINK_NAMES.join(', ')})`);
  return descriptor;
}

/** A sink's connection settings out of the project configuration (its section, named after it). */
export function sinkConnection(config: object, name: string): Static<TObject> {
  return (config as Record<string, Static<TObject>>)[name] ?? {};
}

export function createSink(
  name: string,
  config: object,
  context: Omit<SinkContext<Static<TObject>>, 'connection'>,
): Promise<Sink> {
  return sinkDescriptor(name).create({ ...context, connection: sinkConnection(config, name) });
}
