/**
 * What the rest of the project knows of a sink: one descriptor per sink folder (its `index.ts`),
 * listed once in registry.ts. Configuration (its connection section), readiness and the doctor
 * (its probe), the environment a run's stages get, the CLI's and run spec's sink names and the
 * control plane's completion check (its landed counts) all derive from the list.
 *
 * A descriptor stays light: what needs a database client (`create`, `probe`, `landed`) imports
 * it when called, so loading the configuration does not load every sink's driver.
 */
import type { Static, TObject } from 'typebox';
import type { Logger } from '../core/logger.ts';
import type { Sink } from './engine/sink.ts';
import type { RecordKind } from './tables.ts';

export interface SinkContext<Connection> {
  connection: Readonly<Connection>;
  /** Topic → kind of record, for the kinds this sink is configured to land. */
  routes: ReadonlyMap<string, RecordKind>;
  logger: Logger;
}

/** Records a sink holds of a run, per kind: what the control plane compares with what was produced. */
export type LandedCounts = Partial<Record<RecordKind, number>>;

export interface SinkDescriptor<Name extends string = string, Connection extends TObject = TObject> {
  readonly name: Name;
  /** One line for the CLI's help and the docs. */
  readonly description: string;
  /** Where it lands: the `<name>` section of the project configuration (the operator's settings). */
  readonly connection: Connection;
  /** The kinds of records it can land; a sink's settings choose among them. */
  readonly kinds: readonly RecordKind[];
  /** The kinds it lands when its settings do not say (default: all of `kinds`). */
  readonly defaultKinds?: readonly RecordKind[];
  /** Whether a run lands in it when the run spec does not name its sinks. */
  readonly byDefault: boolean;
  /** Where it lands, for display (secrets redacted). */
  endpoint(connection: Readonly<Static<Connection>>): string;
  /** The server's (or store's) name and version; throws when it does not answer. */
  probe(connection: Readonly<Static<Connection>>): Promise<string>;
  create(context: SinkContext<Static<Connection>>): Promise<Sink>;
  /**
   * What it holds of the topics named per kind, for the kinds it lands — counted so a run resumed
   * after a restart can tell it is complete (its stages' counters start from zero).
   */
  landed(
    connection: Readonly<Static<Connection>>,
    topics: Readonly<Partial<Record<RecordKind, string>>>,
    kinds: readonly RecordKind[],
  ): Promise<LandedCounts>;
}

/** Keeps a descriptor's name and connection schema exact in its type (the config's sections come from them). */
export function defineSink<const Name extends string, Connection extends TObject>(
  descriptor: SinkDescriptor<Name, Connection>,
): SinkDescriptor<Name, Connection> {
  return Object.freeze(descriptor);
}
