/**
 * Ground truth as an issuer learns it: investigators review a few alerted cards a day (fast), the
 * cardholder reports some fraud (hours to days), the network's chargebacks bring more (days to
 * weeks), some fraud is never reported, legitimate purchases are disputed and cleared, and a share
 * of first labels is wrong and overturned later. ground-truth/README.md has the model and its
 * parameters.
 *
 * A transaction's labels depend on the seed, the transaction and — for the investigators' daily
 * capacity only — on the alerts before it that day in this stream: transactions must be shown in
 * time order.
 */
import type { GeneratorConfig } from '../config.ts';
import { scenarioSettings } from '../config.ts';
import { Purpose, Rng, unitFor } from '../random.ts';
import type { FraudLabelRecord } from '../records.ts';
import type { GeneratedTransaction } from '../simulation.ts';
import { HOUR_MS } from '../transactions/rhythm.ts';
import type { PendingLabels } from './pending.ts';
import type { DelaySettings, GroundTruthConfig } from './schema.ts';

type Channel = FraudLabelRecord['reportChannel'];

export function delayHours(settings: DelaySettings, rng: Rng): number {
  const drawn = settings.medianHours > 0 ? rng.logNormal(settings.medianHours, settings.sigma) : 0;
  return Math.min(settings.maxHours, Math.max(settings.minHours, drawn));
}

/**
 * This stream's share of the investigators' daily capacity: a run split into shards splits it too,
 * so the shards review as many cards in all as one process would (not necessarily the same ones
 * once alerts exceed the capacity; ground-truth/README.md).
 */
function capacityOf(cardsPerDay: number, shard: GeneratorConfig['shard']): number {
  const { index, count } = shard;
  return Math.floor((cardsPerDay * (index + 1)) / count) - Math.floor((cardsPerDay * index) / count);
}

export class GroundTruth {
  private readonly settings: GroundTruthConfig;
  private readonly seed: number;
  private readonly recall: ReadonlyMap<string, number>;
  private readonly capacity: number;
  private reviewDay = -1;
  private readonly reviewed = new Set<string>();

  constructor(config: GeneratorConfig) {
    this.settings = config.fraud.groundTruth;
    this.seed = config.seed;
    this.recall = new Map(scenarioSettings(config).map(([name, settings]) => [name, settings.recall]));
    this.capacity = capacityOf(this.settings.investigators.cardsPerDay, config.shard);
  }

  /**
   * Decides the labels of one transaction of simulated day `dayIndex` (most get none) and adds them
   * to `pending`. `transactionTime` is when it really happened (the wall clock in realtime mode).
   */
  observe(
    transaction: GeneratedTransaction,
    dayIndex: number,
    pending: PendingLabels,
    transactionTime = transaction.value.eventTime,
  ): void {
    const tx = transaction.value;
    const fraud = transaction.fraudScenario !== null;
    const reviewed =
      tx.issuerRiskScore >= this.settings.investigators.alertScore && this.review(tx.cardId, dayIndex);
    const customerNo = transaction.customer.no;
    // Legitimate and not reviewed (nearly every purchase): one hash, no generator, unless disputed.
    if (
      !fraud &&
      !reviewed &&
      unitFor(this.seed, Purpose.disputes, customerNo, tx.sequenceNumber) >= this.settings.disputes.rate
    )
      return;
    const rng = Rng.for(this.seed, Purpose.labels, customerNo, tx.sequenceNumber);
    let channel: Channel;
    let delay: DelaySettings;
    if (reviewed) {
      channel = 'ISSUER_REVIEW';
      delay = this.settings.investigators;
    } else if (fraud) {
      if (!rng.bool(this.recall.get(transaction.fraudScenario as string) ?? 1)) return;
      const online = tx.channel === 'ECOMMERCE' || tx.channel === 'MOBILE_APP';
      const { customerReport } = this.settings;
      const byCustomer = rng.bool(online ? customerReport.onlineShare : customerReport.inPersonShare);
      channel = byCustomer ? 'CUSTOMER_REPORT' : 'CHARGEBACK';
      delay = byCustomer ? customerReport : this.settings.chargeback;
    } else {
      channel = 'CUSTOMER_REPORT';
      delay = this.settings.disputes;
    }
    const wrongFirst = rng.bool(this.settings.corrections.rate);
    const first = fraud !== wrongFirst;
    const reportedAt = transactionTime + Math.round(delayHours(delay, rng) * HOUR_MS);
    const label: FraudLabelRecord = {
      labelId: `L-${tx.transactionId}`,
      transactionId: tx.transactionId,
      customerId: tx.customerId,
      cardId: tx.cardId,
      merchantId: tx.merchantId,
      isFraud: first,
      scenario: transaction.fraudScenario ?? '',
      reportChannel: channel,
      amountMinor: tx.amountMinor,
      currency: tx.currency,
      transactionTime,
      reportedAt,
      runId: tx.runId,
      labelStatus: first ? 'REPORTED' : 'CLEARED',
      labelVersion: 1,
      labelFinal: !wrongFirst,
    };
    pending.add(label);
    if (!wrongFirst) return;
    pending.add({
      ...label,
      labelId: `${label.labelId}-2`,
      isFraud: fraud,
      reportedAt: reportedAt + Math.round(delayHours(this.settings.corrections, rng) * HOUR_MS),
      labelStatus: 'CORRECTED',
      labelVersion: 2,
      labelFinal: true,
    });
  }

  /** Whether the investigators review this alerted card today: each card once, up to the capacity. */
  private review(cardId: string, dayIndex: number): boolean {
    if (dayIndex !== this.reviewDay) {
      this.reviewDay = dayIndex;
      this.reviewed.clear();
    }
    if (this.reviewed.has(cardId)) return true;
    if (this.reviewed.size >= this.capacity) return false;
    this.reviewed.add(cardId);
    return true;
  }
}
