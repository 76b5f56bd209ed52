/** What a fraudster brings: a device and an IP that are not the customer's. */
import type { Rng } from '../random.ts';
import { FOREIGN_CITIES } from '../world/geo.ts';
import type { Device } from '../world/types.ts';

export function fraudsterDevice(rng: Rng, country?: string): Device {
  const city = rng.pick(FOREIGN_CITIES);
  return {
    id: `DF${Math.floor(rng.float() * 0xffffffff)
      .toString(16)
      .padStart(8, '0')}`,
    type: rng.bool(0.6) ? 'DESKTOP' : 'MOBILE',
    ip: `${rng.int(100, 223)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
    ipCountry: country ?? city.country,
    userAgentFamily: rng.pick(['Chrome', 'Firefox', 'Headless Chrome', 'Android App']),
  };
}
