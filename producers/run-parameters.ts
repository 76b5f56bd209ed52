/**
 * The generation parameters a person sets on a command line, declared once: each flag names where
 * its value lives in the generator's settings (GeneratorSchema: its type, bounds, default and
 * description) and, where a run spec (POST /v1/runs) names it otherwise, there. `synfin produce`,
 * `synfin run start` and `synfin generate` build their flags from this list, so a parameter's
 * help, choices and default are the schema's everywhere.
 */
import { Option } from 'commander';
import { GeneratorSchema } from './config.ts';

export interface RunParameter {
  /** The flag without dashes: `fraud-rate`. */
  flag: string;
  /** Where it lives in the generator settings. */
  path: readonly string[];
  /** Where it lives in a run spec, when not at `path`. */
  specPath?: readonly string[];
  /** The placeholder in the help: `<n>`. */
  value: string;
}

export const RUN_PARAMETERS = [
  { flag: 'seed', path: ['seed'], value: '<n>' },
  { flag: 'customers', path: ['customers'], value: '<n>' },
  { flag: 'merchants', path: ['merchants'], value: '<n>' },
  { flag: 'mode', path: ['mode'], value: '<mode>' },
  { flag: 'days', path: ['days'], value: '<n>' },
  { flag: 'start-date', path: ['startDate'], value: '<YYYY-MM-DD>' },
  { flag: 'rate', path: ['ratePerSecond'], value: '<eventsPerSecond>' },
  { flag: 'duration', path: ['durationSeconds'], value: '<seconds>' },
  { flag: 'max-transactions', path: ['maxTransactions'], value: '<n>' },
  { flag: 'fraud-rate', path: ['fraud', 'rate'], value: '<fraction>' },
  { flag: 'difficulty', path: ['fraud', 'difficulty'], value: '<level>' },
  { flag: 'partitions', path: ['topics', 'partitions'], specPath: ['partitions'], value: '<n>' },
  { flag: 'workers', path: ['workers'], specPath: ['producerWorkers'], value: '<n>' },
] as const satisfies readonly RunParameter[];

export type RunParameterFlag = (typeof RUN_PARAMETERS)[number]['flag'];

interface SchemaNode {
  type?: string;
  enum?: readonly string[];
  default?: unknown;
  description?: string;
  properties?: Record<string, SchemaNode>;
}

function schemaAt(path: readonly string[]): SchemaNode {
  let node = GeneratorSchema as unknown as SchemaNode;
  for (const key of path) {
    const next = node.properties?.[key];
    if (!next) throw new TypeError(`run parameter ${path.join('.')}: not in the generator schema`);
    node = next;
  }
  return node;
}

/** commander's name of a flag's value: `fraud-rate` → `fraudRate`. */
const attributeOf = (flag: string) => flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/**
 * The options of `flags` (all when omitted), for `command.addOption`. No commander defaults: a
 * flag not given leaves the settings file's value or the schema's default.
 */
export function runParameterOptions(flags?: readonly RunParameterFlag[]): Option[] {
  return RUN_PARAMETERS.filter((parameter) => !flags || flags.includes(parameter.flag)).map((parameter) => {
    const node = schemaAt(parameter.path);
    const help = [node.description ?? parameter.path.join('.')];
    if (node.default !== undefined) help.push(`(default ${String(node.default)})`);
    const option = new Option(`--${parameter.flag} ${parameter.value}`, help.join(' '));
    if (node.enum) option.choices([...node.enum]);
    else if (node.type === 'integer' || node.type === 'number') option.argParser(Number);
    return option;
  });
}

/** Copies the parameters given as flags into `target` (generator settings, or a run spec with `spec`). */
export function applyRunParameters(
  target: Record<string, unknown>,
  flags: Readonly<Record<string, unknown>>,
  where: 'generator' | 'spec' = 'generator',
): Record<string, unknown> {
  for (const parameter of RUN_PARAMETERS as readonly RunParameter[]) {
    const value = flags[attributeOf(parameter.flag)];
    if (value === undefined) continue;
    const path = where === 'spec' ? (parameter.specPath ?? parameter.path) : parameter.path;
    let node = target;
    for (const key of path.slice(0, -1)) {
      node[key] = { ...(node[key] as Record<string, unknown> | undefined) };
      node = node[key] as Record<string, unknown>;
    }
    node[path.at(-1) as string] = value;
  }
  return target;
}
