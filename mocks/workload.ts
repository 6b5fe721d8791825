/**
 * Workload profiles (SYSTEMS.md) and their replay. A profile's dossiers are planned with exactly
 * its counts (received, processed, returned, withdrawn, in progress, digitised), shuffled by the
 * seed and spread over its period; a replay runs them time-compressed and ends with those counts.
 */
import type { Citizen } from './data/people.ts';
import { pick, seededRandom, type Random } from './data/random.ts';
import type { DossierCounts, DossierPlan, Outcome, ProvinceMock } from './provincial/province.ts';
import type { ProcedureKind } from './provincial/procedures.ts';

export interface WorkloadProfile {
  readonly description: string;
  readonly province: string;
  readonly ward: string;
  /** The period the figures cover, as dates. */
  readonly from: string;
  readonly to: string;
  readonly outcomes: Readonly<Record<Outcome, number>>;
  readonly digitised: number;
  /** Share of dossiers received online. */
  readonly online: number;
}

export const WORKLOAD_PROFILES: Readonly<Record<string, WorkloadProfile>> = {
  'thuc-phan': {
    description: 'Thục Phán ward, Cao Bằng, 1 Jul – 22 Aug 2025: 2,386 received, 2,047 processed, 259 returned as ineligible, 2,116 digitised at reception',
    province: 'CAOBANG', ward: 'Thục Phán', from: '2025-07-01', to: '2025-08-22',
    outcomes: { completed: 2047, returned: 259, withdrawn: 0, in_progress: 80 }, digitised: 2116, online: 0.6,
  },
  'dien-bien-phu': {
    description: 'Điện Biên Phủ ward, 1 Jul – 22 Aug 2025: 903 received, 701 processed, 117 in progress, 85 withdrawn, none late',
    province: 'DIENBIEN', ward: 'Điện Biên Phủ', from: '2025-07-01', to: '2025-08-22',
    outcomes: { completed: 701, returned: 0, withdrawn: 85, in_progress: 117 }, digitised: 903, online: 126 / 391,
  },
  'cao-bang-centre': {
    description: 'Cao Bằng provincial public administration centre, H1 2025: 17,615 dossiers received and processed',
    province: 'CAOBANG', ward: 'Thục Phán', from: '2025-01-01', to: '2025-06-30',
    outcomes: { completed: 17615, returned: 0, withdrawn: 0, in_progress: 0 }, digitised: 17615, online: 0.6,
  },
  'ca-mau': {
    description: 'Cà Mau: online submission 80.8 %, electronic results 68.9 %, digitised 66.8 % (1,000 dossiers in those shares)',
    province: 'CAMAU', ward: 'Tân Thành', from: '2025-07-01', to: '2025-07-31',
    outcomes: { completed: 1000, returned: 0, withdrawn: 0, in_progress: 0 }, digitised: 668, online: 0.808,
  },
};

const PROCEDURE_MIX: readonly ProcedureKind[] = ['judicial', 'judicial', 'marital', 'marital', 'birth', 'land', 'land', 'business'];

function shuffle<T>(random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** The dossiers of a profile, with exactly its counts, the same for the same seed. */
export function planProfile(profile: WorkloadProfile, people: readonly Citizen[], seed: number): DossierPlan[] {
  const random = seededRandom(seed);
  const outcomes = shuffle(random, Object.entries(profile.outcomes).flatMap(([o, n]) => Array<Outcome>(n).fill(o as Outcome)));
  const total = outcomes.length;
  const digitised = shuffle(random, Array.from({ length: total }, (_, i) => i < profile.digitised));
  const locals = people.filter((p) => p.province === profile.province);
  const from = Date.parse(`${profile.from}T01:00:00Z`);
  const span = Date.parse(`${profile.to}T10:00:00Z`) - from;
  return outcomes.map((outcome, i) => ({
    outcome,
    procedure: pick(random, PROCEDURE_MIX),
    channel: random() < profile.online ? 'online' : random() < 0.9 ? 'desk' : 'post',
    digitised: digitised[i]!,
    applicant: pick(random, locals.length > 0 ? locals : people),
    receivedAt: new Date(from + Math.floor((i / total) * span)).toISOString(),
  }));
}

export interface ReplayOptions {
  /** How long the whole period takes (time compression). */
  readonly durationMs: number;
  /** Dossiers in hand at once. */
  readonly concurrency: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Runs the plans on a province, spread over `durationMs`, and returns its counts at the end. */
export async function replay(province: ProvinceMock, plans: readonly DossierPlan[], options: ReplayOptions): Promise<DossierCounts> {
  const started = Date.now();
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < plans.length) {
      const i = next++;
      const due = started + (i / plans.length) * options.durationMs;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      await province.run(plans[i]!);
      options.onProgress?.((done += 1), plans.length);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return province.counts();
}

/** The counts a profile must end with. */
export function expectedCounts(profile: WorkloadProfile): DossierCounts {
  const o = profile.outcomes;
  return {
    received: o.completed + o.returned + o.withdrawn + o.in_progress, processed: o.completed, returned: o.returned,
    withdrawn: o.withdrawn, inProgress: o.in_progress, digitised: profile.digitised,
  };
}
