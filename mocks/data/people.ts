/**
 * Synthetic citizens, deterministic from a seed, with valid 12-digit ID numbers (SYSTEMS.md):
 * province code of birth registration + century-and-sex digit (0 male / 1 female born 1900s,
 * 2 / 3 born 2000s) + two-digit birth year + 6 digits. Names and ethnic groups plausible for
 * each province; some carry the legacy three-level address beside the two-level one.
 */
import { PROVINCES, type Province } from './places.ts';
import { pick, seededRandom, type Random } from './random.ts';

export interface Address {
  readonly province: string;
  readonly commune: string;
}

export interface LegacyAddress extends Address {
  readonly district: string;
}

export interface Citizen {
  readonly idNumber: string;
  readonly fullName: string;
  readonly dateOfBirth: string;
  readonly sex: 'male' | 'female';
  readonly ethnicity: string;
  readonly province: string;
  readonly address: Address;
  readonly legacyAddress?: LegacyAddress;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The ID number for a person born in `province` in `year`, with a 6-digit serial. */
export function idNumberOf(province: Province, sex: 'male' | 'female', year: number, serial: number): string {
  const digit = (year >= 2000 ? 2 : 0) + (sex === 'female' ? 1 : 0);
  return `${province.code}${digit}${pad(year % 100, 2)}${pad(serial, 6)}`;
}

function citizen(random: Random, province: Province, serial: number): Citizen {
  const sex = random() < 0.5 ? 'male' : 'female';
  const year = 1940 + Math.floor(random() * 67); // 1940–2006
  const dateOfBirth = `${year}-${pad(1 + Math.floor(random() * 12), 2)}-${pad(1 + Math.floor(random() * 28), 2)}`;
  const commune = pick(random, province.communes);
  return {
    idNumber: idNumberOf(province, sex, year, serial),
    fullName: `${pick(random, province.family)} ${pick(random, province.middle[sex])} ${pick(random, province.given)}`.normalize('NFC'),
    dateOfBirth, sex, ethnicity: pick(random, province.ethnicities), province: province.key,
    address: { province: province.name, commune },
    ...(random() < 0.3 && { legacyAddress: { province: province.name, district: pick(random, province.legacyDistricts), commune } }),
  };
}

/** `count` citizens spread over the four provinces, the same for the same seed, by ID number. */
export function population(seed: number, count: number): Map<string, Citizen> {
  const random = seededRandom(seed);
  const people = new Map<string, Citizen>();
  for (let i = 0; i < count; i++) {
    // Serials from 100000 up, so generated people never take a well-known person's number.
    const c = citizen(random, PROVINCES[i % PROVINCES.length]!, 100_000 + i);
    people.set(c.idNumber, c);
  }
  return people;
}
