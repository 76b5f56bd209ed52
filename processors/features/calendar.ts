import type { FeatureFamily, TxFacts } from './types.ts';

/** Our night: the small hours before 6:00, local time of the purchase. */
const NIGHT_BEFORE_HOUR = 6;
/** The fraud handbook's `TX_DURING_NIGHT`: `hour <= 6` in its code, so 6:00–6:59 counts too. */
const HANDBOOK_NIGHT_TO_HOUR = 6;

export const calendarFeatures: FeatureFamily<{ tx: TxFacts }> = {
  name: 'calendar',
  features: [
    { name: 'hourOfDay', type: 'int', definition: 'Local hour of the purchase (0–23)', window: '' },
    {
      name: 'isWeekend',
      type: 'boolean',
      definition: 'Saturday or Sunday (UTC date of the event time)',
      window: '',
    },
    {
      name: 'isNight',
      type: 'boolean',
      definition: `Local hour before ${NIGHT_BEFORE_HOUR}:00`,
      window: '',
    },
    {
      name: 'txDuringNight',
      type: 'boolean',
      definition: `The fraud handbook's TX_DURING_NIGHT: local hour ≤ ${HANDBOOK_NIGHT_TO_HOUR}`,
      window: '',
      since: { default: false },
    },
  ],
  compute({ tx }, into) {
    const weekday = new Date(tx.eventTime).getUTCDay();
    into.hourOfDay = tx.localHour;
    into.isWeekend = weekday === 0 || weekday === 6;
    into.isNight = tx.localHour < NIGHT_BEFORE_HOUR;
    into.txDuringNight = tx.localHour <= HANDBOOK_NIGHT_TO_HOUR;
  },
};
