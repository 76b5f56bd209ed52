/**
 * The one faker instance of the world (en_US names, streets, phones), drawing from the project's
 * own generator. Each customer and merchant reseeds it so that what it gets depends only on the
 * seed and its number; faker's default Mersenne Twister took ~50 µs per reseed — a quarter of
 * building a world — where this costs next to nothing.
 */
import { base, en, en_US, Faker, type Randomizer } from '@faker-js/faker';
import { Rng, seedFor } from '../random.ts';

/** faker calls `next` detached from its object, so the generator lives in a closure. */
function projectRandomizer(): Randomizer {
  let rng = new Rng(0);
  return {
    next: () => rng.float(),
    seed: (seed) => {
      rng = new Rng(typeof seed === 'number' ? seed : seedFor(...seed));
    },
  };
}

export const faker = new Faker({ locale: [en_US, en, base], randomizer: projectRandomizer() });
