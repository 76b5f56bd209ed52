import type { FeatureFamily, TxFacts } from './types.ts';

/** Night as the handbook has it: the small hours, local time of the purchase. */
const NIGHT_BEFORE_HOUR = 6;

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
  ],
  compute({ tx }) {
    const weekday = new Date(tx.eventTime).getUTCDay();
    return {
      hourOfDay: tx.localHour,
      isWeekend: weekday === 0 || weekday === 6,
      isNight: tx.localHour < NIGHT_BEFORE_HOUR,
    };
  },
};
