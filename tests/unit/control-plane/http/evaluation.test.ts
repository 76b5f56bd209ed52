/** GET /v1/runs/{id}/evaluation: settings validated at the edge, errors mapped, the chart as SVG. */
import { afterAll, describe, expect, it } from 'vitest';
import type { EvaluationReport } from '../../../../evaluation/report.ts';
import type { EvaluationSettings } from '../../../../evaluation/settings.ts';
import { testServer } from '../../../fixtures/control-plane-server.ts';

const asked: { run: string; settings: EvaluationSettings }[] = [];
const evaluated = await testServer({
  evaluate: async (run, settings) => {
    asked.push({ run, settings });
    const day = {
      day: '2026-01-20',
      transactions: 10,
      frauds: 1,
      auc: 0.9,
      averagePrecision: 0.5,
      cardPrecisionAtK: 0.1,
    };
    return {
      run,
      settings,
      transactions: 10,
      frauds: 1,
      span: { first: '2026-01-01', last: '2026-01-20', testDays: 1 },
      results: [
        {
          model: 'rule_score',
          description: 'rules',
          days: [day],
          overall: { auc: 0.9, averagePrecision: 0.5, cardPrecisionAtK: 0.1 },
        },
      ],
    } satisfies EvaluationReport;
  },
});
const plain = await testServer();
afterAll(async () => {
  await evaluated.app.close();
  await plain.app.close();
});

async function runOf(server: typeof plain): Promise<string> {
  const started = await server.start({ mode: 'backfill', days: 1 });
  return started.json().id as string;
}

describe('GET /v1/runs/{id}/evaluation', () => {
  it('evaluates with the defaults, or with the settings of the query string', async () => {
    const id = await runOf(evaluated);
    const defaults = await evaluated.app.inject({ url: `/v1/runs/${id}/evaluation` });
    expect(defaults.statusCode).toBe(200);
    expect(defaults.json().results[0].overall.auc).toBe(0.9);
    expect(asked.at(-1)).toEqual({
      run: id,
      settings: {
        trainDays: 7,
        delayDays: 7,
        k: 100,
        models: ['rule_score', 'logistic_regression'],
      },
    });
    const chosen = await evaluated.app.inject({
      url: `/v1/runs/${id}/evaluation?trainDays=3&delayDays=2&k=20&models=logistic_regression`,
    });
    expect(chosen.statusCode).toBe(200);
    expect(asked.at(-1)?.settings).toEqual({
      trainDays: 3,
      delayDays: 2,
      k: 20,
      models: ['logistic_regression'],
    });
  });

  it('serves the chart as SVG', async () => {
    const id = await runOf(evaluated);
    const chart = await evaluated.app.inject({ url: `/v1/runs/${id}/evaluation/chart.svg?k=20` });
    expect(chart.statusCode).toBe(200);
    expect(chart.headers['content-type']).toContain('image/svg+xml');
    expect(chart.body.startsWith('<svg')).toBe(true);
    expect(chart.body).toContain('Card Precision@20');
  });

  it('refuses bad settings with 400 naming the field, and an unknown run with 404', async () => {
    const id = await runOf(evaluated);
    const before = asked.length;
    for (const query of ['k=0', 'trainDays=abc', 'models=forest', 'delayDays=-1', 'unknown=1']) {
      const response = await evaluated.app.inject({ url: `/v1/runs/${id}/evaluation?${query}` });
      expect(response.statusCode, query).toBe(400);
      expect(response.json().code, query).toBe('VALIDATION_FAILED');
      expect(response.json().message, query).toContain(query.split('=')[0]);
    }
    expect(asked.length).toBe(before);
    const missing = await evaluated.app.inject({ url: '/v1/runs/nope/evaluation' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('RUN_NOT_FOUND');
  });

  it('answers 422 when the run cannot be evaluated (no features landed, too short)', async () => {
    const id = await runOf(plain);
    const response = await plain.app.inject({ url: `/v1/runs/${id}/evaluation` });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ code: 'EVALUATION_NOT_POSSIBLE' });
  });
});
