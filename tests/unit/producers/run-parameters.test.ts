import { Command } from 'commander';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { planRun, type RunSpec, RunSpecSchema } from '../../../control-plane/runs/spec.ts';
import { GeneratorSchema, parseGeneratorConfig } from '../../../producers/config.ts';
import {
  applyRunParameters,
  RUN_PARAMETERS,
  runParameterOptions,
} from '../../../producers/run-parameters.ts';

type Node = { properties?: Record<string, Node> };
const at = (schema: unknown, path: readonly string[]) =>
  path.reduce<Node | undefined>((node, key) => node?.properties?.[key], schema as Node);

describe('run parameters, declared once', () => {
  it('are the generator schema’s own declarations in a run spec too: same bounds, same defaults', () => {
    for (const parameter of RUN_PARAMETERS) {
      const generator = at(GeneratorSchema, parameter.path);
      const spec = at(RunSpecSchema, 'specPath' in parameter ? parameter.specPath : parameter.path);
      expect(generator, parameter.flag).toBeDefined();
      expect(spec, parameter.flag).toBe(generator);
    }
  });

  it('give a run started with no parameters the generator’s defaults', () => {
    const spec = Value.Default(RunSpecSchema, { name: 'defaults' }) as RunSpec;
    const plan = planRun('d1', spec);
    const alone = parseGeneratorConfig({});
    for (const key of [
      'seed',
      'customers',
      'merchants',
      'mode',
      'days',
      'startDate',
      'ratePerSecond',
      'workers',
    ] as const)
      expect(plan.generator[key], key).toEqual(alone[key]);
    expect(plan.generator.topics.partitions).toBe(alone.topics.partitions);
    expect(plan.generator.fraud.rate).toBe(alone.fraud.rate);
  });

  it('parse flags by the schema’s types and choices, and put them where generator settings and run specs keep them', () => {
    const command = new Command().exitOverride();
    for (const option of runParameterOptions()) command.addOption(option);
    command.parse(
      [
        '--customers',
        '500',
        '--mode',
        'realtime',
        '--fraud-rate',
        '0.02',
        '--partitions',
        '4',
        '--workers',
        '2',
      ],
      {
        from: 'user',
      },
    );
    const flags = command.opts();
    expect(flags.customers).toBe(500);
    const generator = applyRunParameters({ fraud: { difficulty: 'hard' } }, flags);
    expect(generator).toEqual({
      customers: 500,
      mode: 'realtime',
      fraud: { difficulty: 'hard', rate: 0.02 },
      topics: { partitions: 4 },
      workers: 2,
    });
    expect(parseGeneratorConfig(generator).topics.partitions).toBe(4);
    const spec = applyRunParameters({ name: 'r' }, flags, 'spec');
    expect(spec).toEqual({
      name: 'r',
      customers: 500,
      mode: 'realtime',
      fraud: { rate: 0.02 },
      partitions: 4,
      producerWorkers: 2,
    });
    expect(() =>
      new Command()
        .exitOverride()
        .addOption(runParameterOptions(['mode'])[0] as never)
        .parse(['--mode', 'later'], { from: 'user' }),
    ).toThrow(/Allowed choices are backfill, realtime/);
  });

  it('show the schema’s description and default in the help, and only the flags asked for', () => {
    const options = runParameterOptions(['customers', 'difficulty']);
    expect(options.map((option) => option.long)).toEqual(['--customers', '--difficulty']);
    expect(options[0]?.description).toBe('Customers in the world (default 10000)');
    expect(options[1]?.argChoices).toEqual(['easy', 'realistic', 'hard']);
  });
});
