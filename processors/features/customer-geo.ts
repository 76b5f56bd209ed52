import { haversineKm } from '../../core/geo.ts';
import type { CustomerContext } from './customer-history.ts';
import type { FeatureFamily } from './types.ts';

/** Where the purchase happened relative to home and to the previous purchase. */
export const customerGeoFeatures: FeatureFamily<CustomerContext> = {
  name: 'customer geography',
  features: [
    {
      name: 'distanceFromHomeKm',
      type: 'double',
      nullable: true,
      definition: 'Great-circle distance from the customer’s home (null until the customer record is known)',
      window: '',
    },
    {
      name: 'distanceFromPreviousKm',
      type: 'double',
      nullable: true,
      definition: 'Great-circle distance from the previous purchase (null for the first)',
      window: '',
    },
    {
      name: 'speedFromPreviousKmh',
      type: 'double',
      nullable: true,
      definition: 'That distance over the time between them (null for the first or at the same millisecond)',
      window: '',
    },
  ],
  compute({ tx, entries, index, home }, into) {
    const previous = entries[index - 1];
    const fromPrevious = previous ? haversineKm(previous.lat, previous.lon, tx.latitude, tx.longitude) : null;
    const hours = previous ? (tx.eventTime - previous.t) / 3_600_000 : 0;
    into.distanceFromHomeKm = home ? haversineKm(home.lat, home.lon, tx.latitude, tx.longitude) : null;
    into.distanceFromPreviousKm = fromPrevious;
    into.speedFromPreviousKmh = fromPrevious !== null && hours > 0 ? fromPrevious / hours : null;
  },
};
