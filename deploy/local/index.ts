import path from 'node:path';
import type { StackConfig } from '../../core/config/schema.ts';
import { projectRoot } from '../../core/paths.ts';
import type { NativeService, StackContext } from './native-service.ts';
import { type ServiceStatus, stackDown, stackStatus, stackUp } from './runner.ts';
import { createServices } from './services/index.ts';

export type { ServiceStatus };

export interface NativeStack {
  readonly context: StackContext;
  readonly services: readonly NativeService[];
  up(): Promise<ServiceStatus[]>;
  down(): Promise<ServiceStatus[]>;
  status(): Promise<ServiceStatus[]>;
}

/** The native stack for one configuration; `only` limits it to some services. */
export function nativeStack(
  config: StackConfig,
  options: { say?: (message: string) => void; only?: readonly string[] } = {},
): NativeStack {
  const root = projectRoot();
  const context: StackContext = {
    config,
    dataDir: path.resolve(root, config.dataDir),
    softwareDir: path.resolve(root, config.softwareDir),
    projectRoot: root,
    say: options.say ?? (() => undefined),
  };
  const all = createServices(context);
  const services = options.only?.length ? all.filter((service) => options.only?.includes(service.name)) : all;
  return {
    context,
    services,
    up: () => stackUp(context, services),
    down: () => stackDown(context, services),
    status: () => stackStatus(services),
  };
}
