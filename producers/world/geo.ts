/** Places: the cities the synthetic world lives in, and distances on the globe. */
export interface City {
  name: string;
  region: string;
  country: string;
  currency: string;
  latitude: number;
  longitude: number;
  /** Relative population: where customers and shops are. */
  weight: number;
}

/** The home country's cities (US; customers live here). */
export const HOME_CITIES: readonly City[] = [
  {
    name: 'New York',
    region: 'NY',
    country: 'US',
    currency: 'USD',
    latitude: 40.7128,
    longitude: -74.006,
    weight: 19,
  },
  {
    name: 'Los Angeles',
    region: 'CA',
    country: 'US',
    currency: 'USD',
    latitude: 34.0522,
    longitude: -118.2437,
    weight: 13,
  },
  {
    name: 'Chicago',
    region: 'IL',
    country: 'US',
    currency: 'USD',
    latitude: 41.8781,
    longitude: -87.6298,
    weight: 9,
  },
  {
    name: 'Houston',
    region: 'TX',
    country: 'US',
    currency: 'USD',
    latitude: 29.7604,
    longitude: -95.3698,
    weight: 7,
  },
  {
    name: 'Phoenix',
    region: 'AZ',
    country: 'US',
    currency: 'USD',
    latitude: 33.4484,
    longitude: -112.074,
    weight: 5,
  },
  {
    name: 'Philadelphia',
    region: 'PA',
    country: 'US',
    currency: 'USD',
    latitude: 39.9526,
    longitude: -75.1652,
    weight: 6,
  },
  {
    name: 'San Antonio',
    region: 'TX',
    country: 'US',
    currency: 'USD',
    latitude: 29.4241,
    longitude: -98.4936,
    weight: 3,
  },
  {
    name: 'San Diego',
    region: 'CA',
    country: 'US',
    currency: 'USD',
    latitude: 32.7157,
    longitude: -117.1611,
    weight: 3,
  },
  {
    name: 'Dallas',
    region: 'TX',
    country: 'US',
    currency: 'USD',
    latitude: 32.7767,
    longitude: -96.797,
    weight: 7,
  },
  {
    name: 'Seattle',
    region: 'WA',
    country: 'US',
    currency: 'USD',
    latitude: 47.6062,
    longitude: -122.3321,
    weight: 4,
  },
  {
    name: 'Denver',
    region: 'CO',
    country: 'US',
    currency: 'USD',
    latitude: 39.7392,
    longitude: -104.9903,
    weight: 3,
  },
  {
    name: 'Boston',
    region: 'MA',
    country: 'US',
    currency: 'USD',
    latitude: 42.3601,
    longitude: -71.0589,
    weight: 5,
  },
  {
    name: 'Atlanta',
    region: 'GA',
    country: 'US',
    currency: 'USD',
    latitude: 33.749,
    longitude: -84.388,
    weight: 6,
  },
  {
    name: 'Miami',
    region: 'FL',
    country: 'US',
    currency: 'USD',
    latitude: 25.7617,
    longitude: -80.1918,
    weight: 6,
  },
  {
    name: 'Minneapolis',
    region: 'MN',
    country: 'US',
    currency: 'USD',
    latitude: 44.9778,
    longitude: -93.265,
    weight: 3,
  },
];

/** Far-away places fraud comes from (account takeover, impossible travel). */
export const FOREIGN_CITIES: readonly City[] = [
  {
    name: 'London',
    region: 'ENG',
    country: 'GB',
    currency: 'GBP',
    latitude: 51.5074,
    longitude: -0.1278,
    weight: 1,
  },
  {
    name: 'Lagos',
    region: 'LA',
    country: 'NG',
    currency: 'NGN',
    latitude: 6.5244,
    longitude: 3.3792,
    weight: 1,
  },
  {
    name: 'Bucharest',
    region: 'B',
    country: 'RO',
    currency: 'RON',
    latitude: 44.4268,
    longitude: 26.1025,
    weight: 1,
  },
  {
    name: 'Manila',
    region: 'NCR',
    country: 'PH',
    currency: 'PHP',
    latitude: 14.5995,
    longitude: 120.9842,
    weight: 1,
  },
  {
    name: 'São Paulo',
    region: 'SP',
    country: 'BR',
    currency: 'BRL',
    latitude: -23.5505,
    longitude: -46.6333,
    weight: 1,
  },
  {
    name: 'Jakarta',
    region: 'JK',
    country: 'ID',
    currency: 'IDR',
    latitude: -6.2088,
    longitude: 106.8456,
    weight: 1,
  },
];

/** Units of the billing currency (USD) per unit of a transaction currency: a fixed table, not a feed. */
export const USD_PER_UNIT: Readonly<Record<string, number>> = {
  USD: 1,
  GBP: 1.27,
  NGN: 0.00065,
  RON: 0.22,
  PHP: 0.018,
  BRL: 0.18,
  IDR: 0.000062,
};

/** A point `northKm` north and `eastKm` east of (lat, lon); good enough for offsets of tens of km. */
export function offsetKm(lat: number, lon: number, northKm: number, eastKm: number): [number, number] {
  const dLat = northKm / 110.574;
  const dLon = eastKm / (111.32 * Math.cos((lat * Math.PI) / 180));
  return [lat + dLat, lon + dLon];
}
