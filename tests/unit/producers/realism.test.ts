/**
 * Realism of a generated sample: the configured fraud rate, referential integrity, the configured
 * shapes of amounts, hours and distances, and each fraud scenario's signature.
 */
import { describe, expect, it } from 'vitest';
import { haversineKm } from '../../../core/geo.ts';
import { loadSchema } from '../../../producers/avro.ts';
import { startMsOf } from '../../../producers/config.ts';
import { profileHourCdf } from '../../../producers/transactions/rhythm.ts';
import { CATEGORIES } from '../../../producers/world/categories.ts';
import { buildWorld } from '../../../producers/world/world.ts';
import { generateAll, generatorConfig, ofKind } from '../../fixtures/generated.ts';

const FRAUD_RATE = 0.02;
const config = generatorConfig({
  seed: 11,
  customers: 1500,
  merchants: 600,
  days: 21,
  fraud: { rate: FRAUD_RATE },
});
const events = generateAll(config);
const transactions = ofKind(events, 'transaction');
const legit = transactions.filter((t) => t.source.fraudScenario === null);
const fraud = transactions.filter((t) => t.source.fraudScenario !== null);
const scenario = (name: string) => fraud.filter((t) => t.source.fraudScenario === name);
const params = config.fraud.scenarios as Record<string, Record<string, number>>;

/** The share of a generated run's transactions that are fraud, and how many transactions it has. */
function fraudRateOf(run: typeof config): { rate: number; transactions: number } {
  const sample = ofKind(generateAll(run), 'transaction');
  const frauds = sample.filter((t) => t.source.fraudScenario !== null).length;
  return { rate: frauds / sample.length, transactions: sample.length };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

describe('generated sample', () => {
  it('is large enough to judge', () => {
    expect(transactions.length).toBeGreaterThan(50_000);
  });

  it('has the configured fraud rate within ±10% (relative)', () => {
    const rate = fraud.length / transactions.length;
    expect(Math.abs(rate - FRAUD_RATE) / FRAUD_RATE).toBeLessThan(0.1);
  });

  it('hits another configured rate too', () => {
    const other = generatorConfig({
      seed: 12,
      customers: 1000,
      merchants: 400,
      days: 14,
      fraud: { rate: 0.05 },
    });
    expect(Math.abs(fraudRateOf(other).rate - 0.05) / 0.05).toBeLessThan(0.1);
  });

  it('hits the rate in a small world too, where some kinds of shop exist in no city of some customers', () => {
    const small = generatorConfig({
      seed: 5,
      customers: 300,
      merchants: 60,
      days: 30,
      fraud: { rate: 0.05 },
    });
    const world = buildWorld({ ...small, startMs: startMsOf(small), shard: { index: 0, count: 1 } });
    // Those customers buy less than they set out to; fraud must scale with what they buy.
    expect(world.customers.filter((customer) => customer.purchaseShare < 0.9).length).toBeGreaterThan(30);
    const { rate, transactions } = fraudRateOf(small);
    expect(transactions).toBeGreaterThan(10_000);
    expect(Math.abs(rate - 0.05) / 0.05).toBeLessThan(0.1);
  });

  it('gives every scenario its share of the fraud', () => {
    const expectedEach = fraud.length / 6;
    for (const name of Object.keys(params)) {
      const count = scenario(name).length;
      expect(count, name).toBeGreaterThan(expectedEach * 0.6);
      expect(count, name).toBeLessThan(expectedEach * 1.4);
    }
  });

  it('only refers to customers and merchants published before', () => {
    const customers = new Set(ofKind(events, 'customer').map((e) => e.value.customerId));
    const merchants = new Set(ofKind(events, 'merchant').map((e) => e.value.merchantId));
    const terminals = new Set(ofKind(events, 'merchant').flatMap((e) => e.value.terminalIds));
    for (const t of transactions) {
      expect(customers.has(t.value.customerId)).toBe(true);
      expect(merchants.has(t.value.merchantId)).toBe(true);
      expect(terminals.has(t.value.terminalId)).toBe(true);
    }
  });

  it('has unique transaction ids', () => {
    expect(new Set(transactions.map((t) => t.value.transactionId)).size).toBe(transactions.length);
  });

  it('draws amounts log-normally around each category median (±15% median, ±20% spread)', () => {
    for (const [index, spec] of CATEGORIES.entries()) {
      if (spec.category === 'CASH_WITHDRAWAL') continue; // rounded to twenties
      const logs = legit
        .filter((t) => t.value.merchantCategory === spec.category)
        .map((t) => Math.log(t.value.amountMinor / (spec.medianAmountMinor * t.source.customer.amountScale)));
      if (logs.length < 300) continue;
      const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
      const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / logs.length);
      expect(Math.abs(Math.exp(median(logs)) - 1), `${spec.category} (${index}) median`).toBeLessThan(0.15);
      expect(Math.abs(sd / spec.sigma - 1), `${spec.category} spread`).toBeLessThan(0.2);
    }
  });

  it('follows the configured hour-of-day profiles (total variation < 0.05)', () => {
    const observed = new Array<number>(24).fill(0);
    const expected = new Array<number>(24).fill(0);
    for (const t of legit) {
      observed[t.value.localHour] = (observed[t.value.localHour] ?? 0) + 1;
      const spec = CATEGORIES.find((c) => c.category === t.value.merchantCategory);
      const cdf = profileHourCdf(spec?.hours ?? 'flat');
      const total = cdf[23] ?? 1;
      for (let h = 0; h < 24; h++)
        expected[h] = (expected[h] ?? 0) + ((cdf[h] ?? 0) - (h > 0 ? (cdf[h - 1] ?? 0) : 0)) / total;
    }
    let distance = 0;
    for (let h = 0; h < 24; h++)
      distance += Math.abs((observed[h] ?? 0) - (expected[h] ?? 0)) / legit.length / 2;
    expect(distance).toBeLessThan(0.05);
    // And the rhythm is a day's: far fewer purchases at 3 am than at noon.
    expect((observed[3] ?? 0) * 10).toBeLessThan(observed[12] ?? 0);
  });

  it('keeps in-person purchases near home (95% within 50 km)', () => {
    const inPerson = legit.filter((t) => t.value.cardPresent);
    const near = inPerson.filter(
      (t) =>
        haversineKm(
          t.source.customer.homeLatitude,
          t.source.customer.homeLongitude,
          t.value.merchantLatitude,
          t.value.merchantLongitude,
        ) < 50,
    );
    expect(near.length / inPerson.length).toBeGreaterThan(0.95);
  });

  it('declines a few percent of authorisations, with a reason and response code', () => {
    const declined = transactions.filter((t) => t.value.authResult === 'DECLINED');
    expect(declined.length / transactions.length).toBeGreaterThan(0.01);
    expect(declined.length / transactions.length).toBeLessThan(0.1);
    for (const t of declined) {
      expect(t.value.declineReason).not.toBeNull();
      expect(t.value.responseCode).not.toBe('00');
      expect(t.value.authCode).toBeNull();
    }
  });
});

describe('fraud scenario signatures', () => {
  it('amount_threshold: every amount is above the threshold', () => {
    const threshold = params.amount_threshold?.thresholdMinor ?? 0;
    expect(scenario('amount_threshold').length).toBeGreaterThan(50);
    for (const t of scenario('amount_threshold'))
      expect(t.value.billingAmountMinor).toBeGreaterThan(threshold);
  });

  it('card_testing: bursts of tiny amounts seconds apart from one new device', () => {
    const bursts = new Map<string, number[]>();
    for (const t of scenario('card_testing')) {
      expect(t.value.amountMinor).toBeLessThanOrEqual(params.card_testing?.maxAmountMinor ?? 0);
      expect(t.value.deviceId).not.toBe(t.source.customer.device.id);
      const key = `${t.value.cardId}|${t.value.deviceId}`;
      bursts.set(key, [...(bursts.get(key) ?? []), t.value.eventTime]);
    }
    expect(bursts.size).toBeGreaterThan(10);
    for (const times of bursts.values()) {
      expect(times.length).toBeGreaterThanOrEqual(params.card_testing?.minBurst ?? 0);
      const sorted = [...times].sort((a, b) => a - b);
      const gaps = sorted.slice(1).map((time, i) => time - (sorted[i] ?? 0));
      // Most gaps are seconds: a burst, not spread over the day.
      expect(median(gaps)).toBeLessThanOrEqual((params.card_testing?.maxGapSeconds ?? 0) * 1000);
    }
  });

  it('compromised_terminal: while compromised, every purchase at the terminal is fraud', () => {
    const compromisedTerminalDays = new Set(
      scenario('compromised_terminal').map(
        (t) => `${t.value.terminalId}|${Math.floor(t.value.eventTime / 86_400_000)}`,
      ),
    );
    expect(compromisedTerminalDays.size).toBeGreaterThan(10);
    for (const t of transactions) {
      if (
        compromisedTerminalDays.has(`${t.value.terminalId}|${Math.floor(t.value.eventTime / 86_400_000)}`)
      ) {
        expect(t.source.fraudScenario).not.toBeNull();
      }
    }
  });

  it('compromised_card: fraudulent amounts are inflated several times over', () => {
    const relative = (list: typeof transactions) =>
      median(list.map((t) => t.value.amountMinor / (4_000 * t.source.customer.amountScale)));
    expect(relative(scenario('compromised_card')) / relative(legit)).toBeGreaterThan(3);
  });

  it('account_takeover: a new device, abroad, card not present', () => {
    expect(scenario('account_takeover').length).toBeGreaterThan(50);
    for (const t of scenario('account_takeover')) {
      expect(t.value.deviceId).not.toBe(t.source.customer.device.id);
      expect(t.value.merchantCountry).not.toBe(t.source.customer.city.country);
      expect(t.value.cardPresent).toBe(false);
    }
  });

  it('impossible_travel: card present far away, faster after the previous purchase than a plane', () => {
    const byCard = new Map<string, typeof transactions>();
    for (const t of transactions) byCard.set(t.value.cardId, [...(byCard.get(t.value.cardId) ?? []), t]);
    const travels = scenario('impossible_travel');
    expect(travels.length).toBeGreaterThan(50);
    for (const t of travels) {
      expect(t.value.cardPresent).toBe(true);
      const history = byCard.get(t.value.cardId) ?? [];
      const anchor = history.find(
        (p) =>
          p.source.fraudScenario === null &&
          p.value.cardPresent &&
          p.value.eventTime < t.value.eventTime &&
          t.value.eventTime - p.value.eventTime <= (params.impossible_travel?.maxGapMinutes ?? 0) * 60_000 &&
          haversineKm(
            p.value.merchantLatitude,
            p.value.merchantLongitude,
            t.value.merchantLatitude,
            t.value.merchantLongitude,
          ) >=
            (params.impossible_travel?.minDistanceKm ?? 0) * 0.9,
      );
      expect(anchor, t.value.transactionId).toBeDefined();
      if (!anchor) continue;
      const km = haversineKm(
        anchor.value.merchantLatitude,
        anchor.value.merchantLongitude,
        t.value.merchantLatitude,
        t.value.merchantLongitude,
      );
      const hours = (t.value.eventTime - anchor.value.eventTime) / 3_600_000;
      expect(km / hours).toBeGreaterThan(900);
    }
  });
});

describe('ground truth', () => {
  it('never puts a label on the transaction itself', () => {
    const fields = (loadSchema('transaction').fields as { name: string }[]).map((field) =>
      field.name.toLowerCase(),
    );
    expect(
      fields.filter((name) => name.includes('fraud') || name.includes('label') || name.includes('scenario')),
    ).toEqual([]);
  });
});
