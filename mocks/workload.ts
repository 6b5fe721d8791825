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
  /** Share of dossiers whose result is delivered electronically, where the report gives it. */
  readonly electronicResults?: number;
  /** Transactions the province reports over its LGSP, where the report gives it. */
  readonly reportedTransactions?: number;
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
    description: 'Cà Mau: online submission 80.8 %, electronic results 68.9 %, digitised 66.8 % (1,000 dossiers in those shares); over 32 million LGSP transactions reported',
    province: 'CAMAU', ward: 'Tân Thành', from: '2025-07-01', to: '2025-07-31',
    outcomes: { completed: 1000, returned: 0, withdrawn: 0, in_progress: 0 }, digitised: 668, online: 0.808, electronicResults: 0.689,
    reportedTransactions: 32_000_000,
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

/** `count` of `total` flags set, in an order fixed by the seed. */
function exactly(random: Random, total: number, count: number): boolean[] {
  return shuffle(random, Array.from({ length: total }, (_, i) => i < count));
}

/**
 * How long a replay takes unless told: 30 s, or longer for a large profile, so that one machine
 * keeps the schedule (about 150 dossiers, some 800 transactions, a second on two cores).
 */
export function defaultReplaySeconds(profile: WorkloadProfile): number {
  return Math.max(30, Math.ceil(dossierTotal(profile) / 150));
}

/** The profile's total dossiers. */
export function dossierTotal(profile: WorkloadProfile): number {
  return Object.values(profile.outcomes).reduce((a, b) => a + b, 0);
}

/**
 * The dossiers of a profile, with exactly its counts and shares (online, electronic results,
 * digitised; a share rounds to the nearest dossier), the same for the same seed.
 */
export function planProfile(profile: WorkloadProfile, people: readonly Citizen[], seed: number): DossierPlan[] {
  const random = seededRandom(seed);
  const outcomes = shuffle(random, Object.entries(profile.outcomes).flatMap(([o, n]) => Array<Outcome>(n).fill(o as Outcome)));
  const total = outcomes.length;
  const digitised = exactly(random, total, profile.digitised);
  const online = exactly(random, total, Math.round(total * profile.online));
  const electronic = exactly(random, total, Math.round(total * (profile.electronicResults ?? 0)));
  const locals = people.filter((p) => p.province === profile.province);
  const from = Date.parse(`${profile.from}T01:00:00Z`);
  const span = Date.parse(`${profile.to}T10:00:00Z`) - from;
  return outcomes.map((outcome, i) => ({
    outcome,
    procedure: pick(random, PROCEDURE_MIX),
    channel: online[i] ? 'online' : random() < 0.9 ? 'desk' : 'post',
    digitised: digitised[i]!,
    ...(profile.electronicResults !== undefined && { resultDelivery: electronic[i] ? 'electronic' as const : 'paper' as const }),
    applicant: pick(random, locals.length > 0 ? locals : people),
    receivedAt: new Date(from + Math.floor((i / total) * span)).toISOString(),
  }));
}

/** True for exactly `round(n × share)` of the first n indexes, for every n: shares hold at any length. */
function spread(i: number, share: number, offset: number): boolean {
  const at = (k: number) => Math.floor(k * share + offset);
  return at(i + 1) > at(i);
}

/**
 * An endless stream of the profile's dossiers in its shares (outcomes, online, electronic
 * results, digitised), made one at a time so that any volume runs in constant memory.
 */
export function* streamProfile(profile: WorkloadProfile, people: readonly Citizen[], seed: number): Generator<DossierPlan> {
  const random = seededRandom(seed);
  const locals = people.filter((p) => p.province === profile.province);
  const total = dossierTotal(profile);
  const outcomeShares = Object.entries(profile.outcomes).filter(([, n]) => n > 0).map(([o, n]) => [o as Outcome, n / total] as const);
  const digitisedShare = profile.digitised / total;
  const from = Date.parse(`${profile.from}T01:00:00Z`);
  const span = Date.parse(`${profile.to}T10:00:00Z`) - from;
  const made = new Map<Outcome, number>();
  for (let i = 0; ; i++) {
    // The outcome furthest behind its share so far: every prefix is within one dossier of the shares.
    let outcome = outcomeShares[0]![0];
    let behind = -Infinity;
    for (const [o, share] of outcomeShares) {
      const gap = (i + 1) * share - (made.get(o) ?? 0);
      if (gap > behind) [outcome, behind] = [o, gap];
    }
    made.set(outcome, (made.get(outcome) ?? 0) + 1);
    yield {
      outcome,
      procedure: pick(random, PROCEDURE_MIX),
      channel: spread(i, profile.online, 0.5) ? 'online' : random() < 0.9 ? 'desk' : 'post',
      digitised: spread(i, digitisedShare, 0.25),
      ...(profile.electronicResults !== undefined && { resultDelivery: spread(i, profile.electronicResults, 0.75) ? 'electronic' as const : 'paper' as const }),
      applicant: pick(random, locals.length > 0 ? locals : people),
      receivedAt: new Date(from + (i % total) * Math.floor(span / total)).toISOString(),
    };
  }
}

export interface ReplayOptions {
  /** How long the whole period takes (time compression). */
  readonly durationMs: number;
  /**
   * Dossiers in hand at once, at most. Each starts at its time whatever the others do (a
   * judicial dossier waits seconds for its certificate); this only bounds memory.
   */
  readonly maxInFlight?: number;
  readonly onProgress?: (done: number, total: number) => void;
  /** Told, at the end, how late the latest dossier started (ms): more than a little means the bus could not keep up. */
  readonly onStartLag?: (ms: number) => void;
}

/**
 * Runs the plans on a province, each started at its place in `durationMs` (open loop), and
 * returns its counts at the end. A replay ends late only when the bus cannot carry the rate.
 */
export async function replay(province: ProvinceMock, plans: readonly DossierPlan[], options: ReplayOptions): Promise<DossierCounts> {
  const started = Date.now();
  let done = 0;
  const lag = await runOpenLoop(plans, (plan) => province.run(plan).then(() => options.onProgress?.((done += 1), plans.length)), {
    maxInFlight: options.maxInFlight ?? 4096,
    dueAt: (i) => started + (i / plans.length) * options.durationMs,
  });
  options.onStartLag?.(lag);
  return province.counts();
}

/**
 * Starts `run` for each item at its due time (or at once, without `dueAt`), with at most
 * `maxInFlight` running; stops taking items when `stop()` says so. Resolves when all have ended,
 * with how late (ms) the latest item started after its due time.
 */
export async function runOpenLoop<T>(
  items: Iterable<T>, run: (item: T) => Promise<unknown>, options: { maxInFlight: number; dueAt?: (i: number) => number; stop?: () => boolean },
): Promise<number> {
  const inFlight = new Set<Promise<unknown>>();
  let i = 0;
  let lag = 0;
  for (const item of items) {
    if (options.stop?.()) break;
    const due = options.dueAt?.(i) ?? 0;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    while (inFlight.size >= options.maxInFlight) await Promise.race(inFlight);
    if (options.dueAt) lag = Math.max(lag, Date.now() - due);
    const p: Promise<unknown> = run(item).catch(() => undefined).finally(() => inFlight.delete(p));
    inFlight.add(p);
    i += 1;
  }
  await Promise.all(inFlight);
  return lag;
}

/** The counts a profile must end with. */
export function expectedCounts(profile: WorkloadProfile): DossierCounts {
  const o = profile.outcomes;
  return {
    received: o.completed + o.returned + o.withdrawn + o.in_progress, processed: o.completed, returned: o.returned,
    withdrawn: o.withdrawn, inProgress: o.in_progress, digitised: profile.digitised,
  };
}
