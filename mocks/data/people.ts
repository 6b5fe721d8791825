/**
 * Synthetic citizens, deterministic from a seed, with valid 12-digit ID numbers (SYSTEMS.md):
 * province code of birth registration + century-and-sex digit + two-digit birth year + 6 digits.
 */
import { pick, seededRandom, type Random } from './random.ts';

export interface Citizen {
  readonly idNumber: string;
  readonly fullName: string;
  readonly dateOfBirth: string;
  readonly sex: 'male' | 'female';
  readonly province: string;
}

interface ProvinceNames {
  readonly code: string;
  readonly family: readonly string[];
  readonly middle: { readonly male: readonly string[]; readonly female: readonly string[] };
  readonly given: readonly string[];
}

/** Province codes from SYSTEMS.md, with family names common there (Tày and Nùng in Cao Bằng, Thái and H'Mông in Điện Biên…). */
export const PROVINCES: Readonly<Record<string, ProvinceNames>> = {
  CAOBANG: { code: '004', family: ['Nông', 'Hoàng', 'Lục', 'Bế', 'Lương', 'Đàm', 'Triệu'], middle: { male: ['Văn', 'Đức'], female: ['Thị'] }, given: ['Hoa', 'Nam', 'Lan', 'Thắng', 'Mai', 'Cường', 'Hương', 'Tuấn'] },
  DIENBIEN: { code: '011', family: ['Lò', 'Quàng', 'Cà', 'Lường', 'Giàng', 'Sùng', 'Thào'], middle: { male: ['Văn', 'A'], female: ['Thị'] }, given: ['Pấng', 'Dơn', 'Xuân', 'Chính', 'Mỷ', 'Sính', 'Ánh', 'Thanh'] },
  DONGTHAP: { code: '087', family: ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Võ', 'Huỳnh', 'Đặng'], middle: { male: ['Văn', 'Minh'], female: ['Thị', 'Ngọc'] }, given: ['Tâm', 'Phúc', 'Hạnh', 'Lộc', 'Thảo', 'Nghĩa', 'Trinh', 'Khang'] },
  CAMAU: { code: '096', family: ['Nguyễn', 'Trần', 'Lâm', 'Thạch', 'Danh', 'Châu', 'Quách'], middle: { male: ['Văn', 'Hữu'], female: ['Thị', 'Kim'] }, given: ['Sơn', 'Bích', 'Phương', 'Vũ', 'Sóc', 'Nhung', 'Hào', 'Diễm'] },
};

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function citizen(random: Random, province: string, serial: number): Citizen {
  const names = PROVINCES[province]!;
  const sex = random() < 0.5 ? 'male' : 'female';
  const year = 1940 + Math.floor(random() * 67); // 1940–2006
  const century = year >= 2000 ? 2 : 0;
  const month = 1 + Math.floor(random() * 12);
  const day = 1 + Math.floor(random() * 28);
  return {
    idNumber: `${names.code}${century + (sex === 'female' ? 1 : 0)}${pad(year % 100, 2)}${pad(serial, 6)}`,
    fullName: `${pick(random, names.family)} ${pick(random, names.middle[sex])} ${pick(random, names.given)}`.normalize('NFC'),
    dateOfBirth: `${year}-${pad(month, 2)}-${pad(day, 2)}`,
    sex,
    province,
  };
}

/** `count` citizens spread over the four provinces, the same for the same seed; indexed by ID number. */
export function population(seed: number, count: number): ReadonlyMap<string, Citizen> {
  const random = seededRandom(seed);
  const provinces = Object.keys(PROVINCES);
  const people = new Map<string, Citizen>();
  for (let i = 0; i < count; i++) {
    const c = citizen(random, provinces[i % provinces.length]!, i + 1);
    people.set(c.idNumber, c);
  }
  return people;
}
