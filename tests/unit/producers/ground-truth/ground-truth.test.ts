import { describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../../../producers/fraud/index.ts';
import type { FraudLabelRecord } from '../../../../producers/records.ts';
import { backfillEvents, type StreamEvent } from '../../../../producers/stream.ts';
import { generateAll, generatorConfig, ofKind } from '../../../fixtures/generated.ts';

const HOUR_MS = 3_600_000;

const config = generatorConfig({
  customers: 600,
  merchants: 300,
  days: 30,
  fraud: { rate: 0.05, groundTruth: { disputes: { rate: 0.01 }, corrections: { rate: 0.05 } } },
});
const settings = config.fraud.groundTruth;
const events = generateAll(config);
const transactions = ofKind(events, 'transaction');
const labels = ofKind(events, 'label').map((event) => event.value);
const byId = new Map(transactions.map((event) => [event.value.transactionId, event]));
const firsts = labels.filter((label) => label.labelVersion === 1);

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

function truthOf(label: FraudLabelRecord): Extract<StreamEvent, { kind: 'transaction' }> {
  const tx = byId.get(label.transactionId);
  if (!tx) throw new Error(`label ${label.labelId} names no transaction of the run`);
  return tx;
}

/** Within three standard errors of a share `p` over `n` draws, plus a point for rounding. */
function expectShare(observed: number, p: number, n: number, what: string): void {
  expect(n, `${what}: samples`).toBeGreaterThan(100);
  expect(Math.abs(observed - p), what).toBeLessThan(3 * Math.sqrt((p * (1 - p)) / n) + 0.01);
}

describe('ground truth', () => {
  it('reports each scenario’s fraud at its recall when no investigator reviews the card', () => {
    const run = generateAll(
      generatorConfig({
        ...config,
        fraud: { ...config.fraud, groundTruth: { investigators: { cardsPerDay: 0 } } },
      }),
    );
    const labelled = new Set(ofKind(run, 'label').map((event) => event.value.transactionId));
    for (const scenario of SCENARIOS) {
      const fraud = ofKind(run, 'transaction').filter((tx) => tx.source.fraudScenario === scenario.name);
      const reported = fraud.filter((tx) => labelled.has(tx.value.transactionId)).length;
      expectShare(reported / fraud.length, scenario.recall, fraud.length, scenario.name);
    }
  });

  it('draws each source’s delay from its own distribution (median ±10%, 90th percentile ±15%)', () => {
    const sources = [
      ['investigators', settings.investigators, (l: FraudLabelRecord) => l.reportChannel === 'ISSUER_REVIEW'],
      [
        'customer reports',
        settings.customerReport,
        (l: FraudLabelRecord) =>
          l.reportChannel === 'CUSTOMER_REPORT' && truthOf(l).source.fraudScenario !== null,
      ],
      ['chargebacks', settings.chargeback, (l: FraudLabelRecord) => l.reportChannel === 'CHARGEBACK'],
      [
        'disputes',
        settings.disputes,
        (l: FraudLabelRecord) =>
          l.reportChannel === 'CUSTOMER_REPORT' && truthOf(l).source.fraudScenario === null,
      ],
    ] as const;
    for (const [name, delay, belongs] of sources) {
      const hours = firsts.filter(belongs).map((l) => (l.reportedAt - l.transactionTime) / HOUR_MS);
      expect(hours.length, name).toBeGreaterThan(200);
      expect(Math.min(...hours), name).toBeGreaterThanOrEqual(delay.minHours);
      expect(Math.max(...hours), name).toBeLessThanOrEqual(delay.maxHours);
      expect(Math.abs(quantile(hours, 0.5) / delay.medianHours - 1), `${name} median`).toBeLessThan(0.1);
      const p90 = Math.min(delay.maxHours, delay.medianHours * Math.exp(1.2816 * delay.sigma));
      expect(Math.abs(quantile(hours, 0.9) / p90 - 1), `${name} p90`).toBeLessThan(0.15);
    }
    // Sources differ: investigators within hours, chargebacks within weeks.
    expect(settings.investigators.medianHours * 10).toBeLessThan(settings.chargeback.medianHours);
  });

  it('reviews every alerted card under capacity and exactly cardsPerDay a day above it', () => {
    // A backfill yields one batch per simulated day after the entities: the days the capacity counts.
    const cardsOf = (batch: readonly StreamEvent[], reviewed: ReadonlySet<string> | null) =>
      new Set(
        ofKind(batch, 'transaction')
          .filter((tx) => tx.value.issuerRiskScore >= settings.investigators.alertScore)
          .filter((tx) => reviewed === null || reviewed.has(tx.value.transactionId))
          .map((tx) => tx.value.cardId),
      );
    // Under capacity (600 customers alert a few cards a day): every alerted purchase is reviewed.
    const alerted = transactions.filter(
      (tx) => tx.value.issuerRiskScore >= settings.investigators.alertScore,
    );
    const reviewed = new Set(
      firsts.filter((l) => l.reportChannel === 'ISSUER_REVIEW').map((l) => l.transactionId),
    );
    expect(alerted.length).toBeGreaterThan(100);
    expect(alerted.every((tx) => reviewed.has(tx.value.transactionId))).toBe(true);
    expect(reviewed.size).toBe(alerted.length);

    const capacity = 2;
    const few = generatorConfig({
      ...config,
      fraud: { ...config.fraud, groundTruth: { investigators: { cardsPerDay: capacity } } },
    });
    const all = [...backfillEvents(few)];
    const byReview = new Set(
      ofKind(all.flat(), 'label').flatMap((l) =>
        l.value.reportChannel === 'ISSUER_REVIEW' ? [l.value.transactionId] : [],
      ),
    );
    let saturated = 0;
    all.slice(1, few.days + 1).forEach((batch, day) => {
      const alertedToday = cardsOf(batch, null);
      expect(cardsOf(batch, byReview).size, `day ${day}`).toBe(Math.min(capacity, alertedToday.size));
      if (alertedToday.size > capacity) saturated++;
    });
    expect(saturated).toBeGreaterThan(10);
  });

  it('disputes legitimate purchases at the configured rate and clears them', () => {
    const legit = transactions.filter(
      (tx) =>
        tx.source.fraudScenario === null && tx.value.issuerRiskScore < settings.investigators.alertScore,
    );
    const disputed = new Set(
      firsts.filter((l) => l.reportChannel === 'CUSTOMER_REPORT').map((l) => l.transactionId),
    );
    const count = legit.filter((tx) => disputed.has(tx.value.transactionId)).length;
    expectShare(count / legit.length, settings.disputes.rate, legit.length, 'disputes');
    const negatives = labels.filter((l) => !l.isFraud);
    expect(negatives.length).toBeGreaterThan(count * 0.9);
    expect(negatives.every((l) => l.labelStatus !== 'REPORTED')).toBe(true);
  });

  it('overturns the configured share of first labels later, the correction saying the truth', () => {
    const wrong = firsts.filter((l) => !l.labelFinal);
    expectShare(wrong.length / firsts.length, settings.corrections.rate, firsts.length, 'corrections');
    const corrections = new Map(
      labels.filter((l) => l.labelVersion === 2).map((l) => [l.transactionId, l] as const),
    );
    expect(corrections.size).toBe(wrong.length);
    const gaps: number[] = [];
    for (const first of wrong) {
      const correction = corrections.get(first.transactionId);
      expect(correction).toMatchObject({
        labelId: `${first.labelId}-2`,
        labelStatus: 'CORRECTED',
        labelFinal: true,
        isFraud: !first.isFraud,
        reportChannel: first.reportChannel,
      });
      gaps.push(((correction?.reportedAt ?? 0) - first.reportedAt) / HOUR_MS);
    }
    expect(Math.abs(quantile(gaps, 0.5) / settings.corrections.medianHours - 1)).toBeLessThan(0.15);
    // Every final label tells the truth; every wrong first label does not.
    for (const label of labels) {
      const fraud = truthOf(label).source.fraudScenario !== null;
      expect(label.isFraud === fraud, label.labelId).toBe(label.labelFinal);
      expect(label.scenario).toBe(truthOf(label).source.fraudScenario ?? '');
    }
  });

  it('is the same for the same seed and config', () => {
    const again = ofKind(generateAll(config), 'label').map((event) => event.value);
    expect(again).toEqual(labels);
  });
});
