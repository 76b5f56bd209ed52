/**
 * The feature catalog: every field of `transactions.features` with its type, definition and window.
 * The Avro schemas in schemas/ and the table in processors/README.md are generated from it
 * (`npm run catalog`), and a unit test fails when they drift.
 */
import type { AvroSchema } from '../../core/registry/codec.ts';
import { calendarFeatures } from './calendar.ts';
import { customerActivityFeatures } from './customer-activity.ts';
import { customerAmountFeatures } from './customer-amount.ts';
import { customerGeoFeatures } from './customer-geo.ts';
import { merchantRiskFeatures } from './merchant-risk.ts';
import { ruleFeatures } from './rules.ts';
import { terminalRiskFeatures } from './terminal-risk.ts';
import type { FeatureSpec, FeatureType } from './types.ts';

/** The transaction's own facts that every feature record carries. */
export const identityFields: readonly FeatureSpec[] = [
  { name: 'transactionId', type: 'string', definition: 'The transaction', window: '' },
  { name: 'customerId', type: 'string', definition: 'Its customer (the record key)', window: '' },
  { name: 'merchantId', type: 'string', definition: 'Its merchant', window: '' },
  { name: 'terminalId', type: 'string', definition: 'Its terminal', window: '' },
  { name: 'runId', type: 'string', definition: 'The generation run it came from', window: '' },
  { name: 'eventTime', type: 'int', definition: 'Event time, epoch milliseconds', window: '' },
  { name: 'amountMinor', type: 'int', definition: 'Amount in minor units', window: '' },
  { name: 'currency', type: 'string', definition: 'ISO 4217 currency of the amount', window: '' },
  { name: 'channel', type: 'string', definition: 'CARD_PRESENT, ECOMMERCE, …', window: '' },
  { name: 'merchantCategory', type: 'string', definition: 'Category of the merchant', window: '' },
];

export const customerFamilies = [
  calendarFeatures,
  customerActivityFeatures,
  customerAmountFeatures,
  customerGeoFeatures,
] as const;

export const merchantFamilies = [merchantRiskFeatures, terminalRiskFeatures] as const;

/** The features each stage computes, in the catalog's order (the order of every record that carries them). */
export const customerFeatureSpecs: readonly FeatureSpec[] = customerFamilies.flatMap(
  (family) => family.features,
);
export const merchantFeatureSpecs: readonly FeatureSpec[] = merchantFamilies.flatMap(
  (family) => family.features,
);

export const lateField: FeatureSpec = {
  name: 'late',
  type: 'boolean',
  definition: 'Arrived after the allowed lateness: computed over what had arrived, not dropped',
  window: '',
};

export const featureFields: readonly FeatureSpec[] = [
  ...identityFields,
  ...customerFeatureSpecs,
  ...merchantFeatureSpecs,
  ...ruleFeatures,
  lateField,
];

export const labelFields: readonly FeatureSpec[] = [
  { name: 'labelId', type: 'string', definition: 'The fraud label joined', window: '' },
  { name: 'isFraud', type: 'boolean', definition: 'Ground truth from the label', window: '' },
  { name: 'scenario', type: 'string', definition: 'Fraud scenario named by the label', window: '' },
  {
    name: 'reportChannel',
    type: 'string',
    definition: 'Who reported it: ISSUER_REVIEW, CUSTOMER_REPORT, CHARGEBACK',
    window: '',
  },
  { name: 'reportedAt', type: 'int', definition: 'When it was reported, epoch milliseconds', window: '' },
  {
    name: 'labelStatus',
    type: 'string',
    definition: 'REPORTED (fraud), CLEARED (not fraud) or CORRECTED (overturns the version before)',
    window: '',
    since: { default: 'REPORTED' },
  },
  {
    name: 'labelVersion',
    type: 'int',
    definition: '1 for the first label, 2 for the correction; the row of the highest version is current',
    window: '',
    since: { default: 1 },
  },
  {
    name: 'labelFinal',
    type: 'boolean',
    definition: 'False when a later version overturns this label (hindsight: the simulator knows)',
    window: '',
    since: { default: true },
  },
  {
    name: 'labelAgeMs',
    type: 'int',
    definition: 'How old the label was when it arrived: reportedAt minus eventTime, milliseconds',
    window: '',
    since: { default: 0 },
  },
];

const LONG_FIELDS = new Set(['eventTime', 'amountMinor', 'reportedAt', 'labelAgeMs']);

function avroField(spec: FeatureSpec): Record<string, unknown> {
  const base: Record<FeatureType, unknown> = {
    int: 'int',
    double: 'double',
    boolean: 'boolean',
    string: 'string',
    'string[]': { type: 'array', items: 'string' },
  };
  let type = LONG_FIELDS.has(spec.name) ? 'long' : base[spec.type];
  if (spec.name === 'eventTime' || spec.name === 'reportedAt')
    type = { type: 'long', logicalType: 'timestamp-millis' };
  const doc = spec.window ? `${spec.definition} [window: ${spec.window}]` : spec.definition;
  if (spec.nullable) return { name: spec.name, type: ['null', type], default: null, doc };
  return spec.since
    ? { name: spec.name, type, default: spec.since.default, doc }
    : { name: spec.name, type, doc };
}

export function featuresSchema(): AvroSchema {
  return {
    type: 'record',
    name: 'TransactionFeatures',
    namespace: 'dev.synfinance.features',
    doc: 'One transaction with the features derived in flight (processors/README.md has the catalog).',
    fields: featureFields.map(avroField),
  };
}

export function labeledSchema(): AvroSchema {
  return {
    type: 'record',
    name: 'LabeledTransaction',
    namespace: 'dev.synfinance.features',
    doc: 'A transaction’s features joined with its ground-truth fraud label: a training row.',
    fields: [...featureFields, ...labelFields].map(avroField),
  };
}

/** The README table: one row per feature, generated. */
export function catalogMarkdown(): string {
  const rows = featureFields.map((spec) => {
    const type = spec.nullable ? `${spec.type} \\| null` : spec.type;
    return `| \`${spec.name}\` | ${type} | ${spec.window || '—'} | ${spec.definition} |`;
  });
  return ['| Feature | Type | Window | Definition |', '|---|---|---|---|', ...rows].join('\n');
}
