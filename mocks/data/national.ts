/**
 * The data behind the national mocks, deterministic from a seed: citizens, civil status,
 * criminal records, taxpayers, enterprises, the procedure database, payments and dossiers.
 * Lookups are map reads, fast with 100,000 citizens and more.
 */
import { createHash } from 'node:crypto';
import {
  KNOWN_CITIZENS, KNOWN_CRIMINAL_RECORDS, KNOWN_DOSSIERS, KNOWN_ENTERPRISES, KNOWN_MARRIAGES, KNOWN_PAYMENTS, KNOWN_PROCEDURES, KNOWN_SYNCED_DOSSIERS,
} from './known.ts';
import { population, type Address, type Citizen } from './people.ts';
import { PROVINCES } from './places.ts';
import { pick, seededRandom } from './random.ts';

export type Level = 'full_online' | 'partly_online' | 'offline';

export interface Birth {
  idNumber: string;
  fullName: string;
  dateOfBirth: string;
  sex: 'male' | 'female';
  placeOfBirth: Address;
  registeredAt: string;
  mother?: string;
}

export interface MaritalStatus {
  status: 'single' | 'married' | 'divorced' | 'widowed';
  since?: string;
  spouse?: string;
}

export interface Enterprise {
  enterpriseCode: string;
  name: string;
  status: 'active' | 'suspended' | 'dissolved';
  registeredAt: string;
  province: string;
}

export interface Payment {
  paymentRef: string;
  dossierCode: string;
  amount: number;
  status: 'paid' | 'refund_pending' | 'refunded';
}

export interface PortalDossier {
  dossierCode: string;
  province: string;
  procedureCode: string;
  status: string;
  updatedAt: string;
}

export interface NationalData {
  readonly citizens: Map<string, Citizen>;
  readonly births: Map<string, Birth>;
  readonly marital: Map<string, MaritalStatus>;
  readonly criminal: Set<string>;
  readonly enterprises: Map<string, Enterprise>;
  readonly procedures: readonly { code: string; name: string; level: Level }[];
  readonly payments: Map<string, Payment>;
  readonly dossiers: Map<string, PortalDossier>;
  /** Dossiers synchronised through the portal's adapter (DongBoHoSoMC), in its field names, by MaHoSo. */
  readonly synced: Map<string, SyncedDossier>;
  /** Dossiers synchronised through a provincial LGSP's document API, by DocCode, with their traces. */
  readonly documents: Map<string, { document: Record<string, unknown>; traces: Record<string, unknown>[] }>;
}

/** A dossier as the adapter took it, with the progress reported since (CapNhatTienDoHoSoMC). */
export interface SyncedDossier {
  fields: Record<string, unknown>;
  progress: Record<string, unknown>[];
}

/** A stable fraction in [0, 1) from a string: the same input, the same answer, whatever the seed. */
export function fraction(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The birth record a citizen was registered with (a week after birth, where they live). */
export function birthOf(c: Citizen): Birth {
  return { idNumber: c.idNumber, fullName: c.fullName, dateOfBirth: c.dateOfBirth, sex: c.sex, placeOfBirth: c.address, registeredAt: addDays(c.dateOfBirth, 7) };
}

const ACTIONS = ['Cấp', 'Đăng ký', 'Gia hạn', 'Điều chỉnh', 'Cấp lại', 'Xác nhận', 'Thu hồi'];
const OBJECTS = ['giấy phép kinh doanh', 'giấy chứng nhận quyền sử dụng đất', 'giấy phép xây dựng', 'chứng chỉ hành nghề', 'giấy phép lái xe',
  'hộ kinh doanh', 'giấy phép môi trường', 'chứng thực bản sao', 'thẻ bảo hiểm y tế', 'giấy phép hoạt động'];

/** 2,050 procedures: 578 fully online, 1,171 partly, 301 offline (Đồng Tháp's figures); the known ones first. */
function procedures(): NationalData['procedures'] {
  const list = KNOWN_PROCEDURES.map(([code, name, level]) => ({ code, name, level }));
  const want: Record<Level, number> = { full_online: 578, partly_online: 1171, offline: 301 };
  for (const p of list) want[p.level] -= 1;
  let n = 0;
  for (const level of ['full_online', 'partly_online', 'offline'] as const) {
    for (let i = 0; i < want[level]; i++, n++) {
      list.push({ code: `3.${String(100000 + n).padStart(6, '0')}`, name: `${ACTIONS[n % ACTIONS.length]} ${OBJECTS[Math.floor(n / ACTIONS.length) % OBJECTS.length]} (${n + 1})`, level });
    }
  }
  return list;
}

/** The national data set for `seed`, with `count` generated citizens beside the well-known ones. */
export function nationalData(seed: number, count = 100_000): NationalData {
  const citizens = population(seed, count);
  for (const c of KNOWN_CITIZENS) citizens.set(c.idNumber, c);
  const marital = new Map<string, MaritalStatus>();
  for (const [a, b, since] of KNOWN_MARRIAGES) {
    marital.set(a, { status: 'married', since, spouse: b });
    marital.set(b, { status: 'married', since, spouse: a });
  }
  const criminal = new Set(KNOWN_CRIMINAL_RECORDS);
  for (const id of citizens.keys()) if (!citizens.get(id)!.idNumber.endsWith('000123') && fraction(`criminal ${id}`) < 0.02) criminal.add(id);
  for (const c of KNOWN_CITIZENS) if (!KNOWN_CRIMINAL_RECORDS.has(c.idNumber)) criminal.delete(c.idNumber);

  const random = seededRandom(seed + 1);
  const enterprises = new Map<string, Enterprise>();
  for (let i = 0; i < 2000; i++) {
    const province = PROVINCES[i % PROVINCES.length]!;
    const code = `${province.code.slice(1)}${String(10_000_000 + i).slice(-8)}`;
    enterprises.set(code, {
      enterpriseCode: code, name: `Công ty TNHH ${pick(random, province.family)} ${pick(random, ['Phát', 'Thịnh', 'An', 'Hưng', 'Lộc'])} ${i + 1}`,
      status: random() < 0.9 ? 'active' : 'suspended', registeredAt: `20${String(5 + Math.floor(random() * 20)).padStart(2, '0')}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`,
      province: province.name,
    });
  }
  for (const e of KNOWN_ENTERPRISES) enterprises.set(e.enterpriseCode, { ...e });

  return {
    citizens, births: new Map(), marital, criminal, enterprises, procedures: procedures(),
    payments: new Map(KNOWN_PAYMENTS.map((p) => [p.paymentRef, { ...p }])),
    dossiers: new Map(KNOWN_DOSSIERS.map((d) => [d.dossierCode, { ...d }])),
    synced: new Map(KNOWN_SYNCED_DOSSIERS.map((d) => [d.MaHoSo!, { fields: { ...d }, progress: [] }])),
    documents: new Map(),
  };
}
