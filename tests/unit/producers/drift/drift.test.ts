/**
 * The drift schedule in the generated stream: each scenario's fraud rate before and after its
 * change points follows the schedule, a typology switched on mid-run is absent before it, the
 * category mix and the calendar move as configured, and the manifest names every change point.
 */
import { describe, expect, it } from 'vitest';
import { driftManifest } from '../../../../producers/drift/manifest.ts';
import { fraudShares } from '../../../../producers/fraud/shares.ts';
import { createSimulation, type GeneratedTransaction } from '../../../../producers/simulation.ts';
import { CATEGORIES } from '../../../../producers/world/categories.ts';
import { generatorConfig } from '../../../fixtures/generated.ts';

const DAYS = 20;
const CHANGE_DAY = 10;

const config = generatorConfig({
  customers: 3000,
  merchants: 600,
  days: DAYS,
  fraud: {
    rate: 0.04,
    // Shorter card-testing bursts: more independent episodes, so a tighter band on its rate.
    scenarios: {
      amount_threshold: {},
      compromised_terminal: {},
      compromised_card: {},
      card_testing: { minBurst: 2, maxBurst: 3 },
      account_takeover: {},
      impossible_travel: {},
    },
  },
  drift: {
    scenarios: [
      // A step: three times as much threshold fraud from day 10.
      { scenario: 'amount_threshold', day: CHANGE_DAY, rate: 3 },
      // A new typology: no card testing at all until day 10, then as configured.
      { scenario: 'card_testing', day: 0, rate: 0 },
      { scenario: 'card_testing', day: CHANGE_DAY, rate: 1 },
      // A ramp down to a fifth over days 5–9.
      { scenario: 'impossible_travel', day: 5, rampDays: 4, rate: 0.2 },
      // Compromises planned up front: closed from day 10 on, though planned to last longer.
      { scenario: 'compromised_terminal', day: CHANGE_DAY, rate: 0 },
    ],
    categories: [{ category: 'DIGITAL_GOODS', day: CHANGE_DAY, share: 3 }],
    seasonality: { paydays: [15], holidays: [{ date: '2026-01-06', factor: 0.5 }] },
  },
});

const simulation = createSimulation(config);
const days: GeneratedTransaction[][] = Array.from({ length: DAYS }, (_, day) => simulation.day(day));
const share = new Map(fraudShares(config).map(({ scenario, share }) => [scenario.name, share]));

/** The scenario's fraud as a share of all transactions over days [from, to). */
function fraudRate(scenario: string, from: number, to: number): number {
  let fraud = 0;
  let all = 0;
  for (let day = from; day < to; day++) {
    for (const tx of days[day] ?? []) {
      all += 1;
      if (tx.fraudScenario === scenario) fraud += 1;
    }
  }
  return fraud / all;
}

describe('drift timelines', () => {
  it('steps a scenario’s fraud rate at its change point, as scheduled', () => {
    const base = share.get('amount_threshold') as number;
    const before = fraudRate('amount_threshold', 0, CHANGE_DAY);
    const after = fraudRate('amount_threshold', CHANGE_DAY, DAYS);
    // ~800 frauds before, ~2,400 after: ±15% is over 4 standard deviations of the count before.
    expect(before / base).toBeGreaterThan(0.85);
    expect(before / base).toBeLessThan(1.15);
    expect(after / (3 * base)).toBeGreaterThan(0.9);
    expect(after / (3 * base)).toBeLessThan(1.1);
  });

  it('switches a typology on mid-run: none of it before, its configured rate after', () => {
    expect(fraudRate('card_testing', 0, CHANGE_DAY)).toBe(0);
    const after = fraudRate('card_testing', CHANGE_DAY, DAYS) / (share.get('card_testing') as number);
    // Bursts of 2–3 purchases: fewer independent episodes than purchases, so a wider band.
    expect(after).toBeGreaterThan(0.8);
    expect(after).toBeLessThan(1.2);
  });

  it('closes the planned compromises of a scenario stepped to 0', () => {
    // A few busy terminals make most of this scenario's fraud, so only a loose band before.
    expect(
      fraudRate('compromised_terminal', 0, CHANGE_DAY) / (share.get('compromised_terminal') as number),
    ).toBeGreaterThan(0.5);
    expect(fraudRate('compromised_terminal', CHANGE_DAY, DAYS)).toBe(0);
  });

  it('ramps a rate linearly and holds it at the ramp’s end', () => {
    const base = share.get('impossible_travel') as number;
    expect(fraudRate('impossible_travel', 0, 5) / base).toBeGreaterThan(0.8);
    // Held at a fifth after day 9; the ramp's middle (day 7) halfway between.
    const held = fraudRate('impossible_travel', 9, DAYS) / base;
    expect(held).toBeGreaterThan(0.1);
    expect(held).toBeLessThan(0.3);
    expect(fraudRate('impossible_travel', 5, 9) / base).toBeLessThan(0.85);
    expect(fraudRate('impossible_travel', 5, 9) / base).toBeGreaterThan(held);
  });

  it('leaves the scenarios without a schedule at their configured rates', () => {
    const base = share.get('account_takeover') as number;
    const before = fraudRate('account_takeover', 0, CHANGE_DAY) / base;
    const after = fraudRate('account_takeover', CHANGE_DAY, DAYS) / base;
    for (const ratio of [before, after]) {
      expect(ratio).toBeGreaterThan(0.8);
      expect(ratio).toBeLessThan(1.2);
    }
  });

  it('shifts the category mix: three times the weight is 3p / (1 + 2p) of the purchases', () => {
    const digital = CATEGORIES.findIndex((spec) => spec.category === 'DIGITAL_GOODS');
    const digitalShare = (from: number, to: number) => {
      let hits = 0;
      let all = 0;
      for (let day = from; day < to; day++) {
        for (const tx of days[day] ?? []) {
          if (tx.fraudScenario !== null) continue;
          all += 1;
          if (tx.value.merchantCategory === CATEGORIES[digital]?.category) hits += 1;
        }
      }
      return hits / all;
    };
    const before = digitalShare(0, CHANGE_DAY);
    const after = digitalShare(CHANGE_DAY, DAYS);
    expect(before).toBeGreaterThan(0.01);
    const expected = (3 * before) / (1 + 2 * before);
    expect(after / expected).toBeGreaterThan(0.9);
    expect(after / expected).toBeLessThan(1.1);
  });

  it('follows the calendar: a payday and a holiday against the same weekday a week apart', () => {
    const legit = (day: number) => (days[day] ?? []).filter((tx) => tx.fraudScenario === null).length;
    // 2026-01-15 (day 14, a payday) against 2026-01-08; 2026-01-06 (day 5, a holiday) against 01-13.
    expect(legit(14) / legit(7)).toBeGreaterThan(1.3 * 0.93);
    expect(legit(14) / legit(7)).toBeLessThan(1.3 * 1.07);
    expect(legit(5) / legit(12)).toBeGreaterThan(0.5 * 0.93);
    expect(legit(5) / legit(12)).toBeLessThan(0.5 * 1.07);
  });

  it('names every change point in the manifest, in order of time', () => {
    const manifest = driftManifest(config, simulation.startMs);
    const at = (kind: string, subject: string) =>
      manifest.filter((change) => change.kind === kind && change.subject === subject);
    expect(at('SCENARIO_RATE', 'amount_threshold')).toMatchObject([
      { startDay: CHANGE_DAY, endDay: CHANGE_DAY, fromValue: 1, toValue: 3 },
    ]);
    expect(at('SCENARIO_RATE', 'card_testing')).toMatchObject([
      { startDay: 0, fromValue: 1, toValue: 0 },
      { startDay: CHANGE_DAY, fromValue: 0, toValue: 1 },
    ]);
    expect(at('SCENARIO_RATE', 'impossible_travel')).toMatchObject([
      { startDay: 5, endDay: 9, fromValue: 1, toValue: 0.2 },
    ]);
    expect(at('CATEGORY_MIX', 'DIGITAL_GOODS')).toMatchObject([{ startDay: CHANGE_DAY, toValue: 3 }]);
    expect(at('PAYDAY', '2026-01-15')).toMatchObject([{ startDay: 14, toValue: 1.3 }]);
    expect(at('HOLIDAY', '2026-01-06')).toMatchObject([{ startDay: 5, toValue: 0.5 }]);
    expect(at('SCENARIO_RATE', 'compromised_terminal')).toMatchObject([{ startDay: CHANGE_DAY, toValue: 0 }]);
    expect(manifest).toHaveLength(8);
    expect(manifest.map((change) => change.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const starts = manifest.map((change) => change.startDay);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(manifest[0]?.startTime).toBe(Date.parse('2026-01-01T00:00:00Z'));
  });
});
