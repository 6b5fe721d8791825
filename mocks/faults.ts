/**
 * Fault profiles (SYSTEMS.md): what the 2025 reports say goes wrong, switched per system, with
 * rates, latency distributions and outage windows, and changeable while the simulator runs.
 * The numbers are the simulator's defaults, not the reports'.
 */
import type { Handler, HandlerResult } from '../adapters/amqp/provider.ts';
import type { Random } from './data/random.ts';
import { DANCU, DVCQG, HOTICH, LLTP, THUE } from './national/systems.ts';

export interface SystemFaults {
  /** Share of requests answered with the declared business error `database.unavailable`. */
  readonly errorRate?: number;
  /** Share of requests answered only after the contract's timeout has passed. */
  readonly timeoutRate?: number;
  /** Added latency, log-normal with this median and 99th percentile. */
  readonly latency?: { readonly medianMs: number; readonly p99Ms: number };
  /** Short outages: every `everyMs` the system stops serving for `forMs`. */
  readonly outage?: { readonly everyMs: number; readonly forMs: number };
  /** Not connected at all. */
  readonly absent?: boolean;
  /** Signs with a rotated key the catalog does not know yet. */
  readonly rotatedKey?: boolean;
  /** Refunds wait for an officer (the national portal). */
  readonly manualRefunds?: boolean;
}

export const FAULT_PROFILES: Readonly<Record<string, { readonly description: string; readonly systems: Readonly<Record<string, SystemFaults>> }>> = {
  'unstable-national-databases': {
    description: 'Population and civil-status databases: some timeouts, some provider errors, long-tailed latency, short outages (Điện Biên)',
    systems: {
      [DANCU]: { errorRate: 0.05, timeoutRate: 0.02, latency: { medianMs: 30, p99Ms: 1500 }, outage: { everyMs: 60_000, forMs: 4_000 } },
      [HOTICH]: { errorRate: 0.05, timeoutRate: 0.02, latency: { medianMs: 30, p99Ms: 1500 }, outage: { everyMs: 45_000, forMs: 3_000 } },
    },
  },
  'tax-not-connected': {
    description: 'The tax authority is not connected (Thục Phán)',
    systems: { [THUE]: { absent: true } },
  },
  'signatures-out-of-sync': {
    description: 'Judicial records sign with a rotated key the catalog does not know yet (Thục Phán)',
    systems: { [LLTP]: { rotatedKey: true } },
  },
  'slow-links': {
    description: "The internet connection is sometimes slow on a province's side (Điện Biên Phủ)",
    systems: { 'VN/PROV/DIENBIEN/MOTCUA': { latency: { medianMs: 800, p99Ms: 9000 } } },
  },
  'refunds-not-automatic': {
    description: 'Online payments are not refunded automatically: an officer must act (Thục Phán)',
    systems: { [DVCQG]: { manualRefunds: true } },
  },
};

/** The faults in force per system; listeners hear of every change. */
export class FaultController {
  private readonly faults = new Map<string, SystemFaults>();
  private readonly listeners = new Set<(system: string) => void>();

  get(system: string): SystemFaults {
    return this.faults.get(system) ?? {};
  }

  set(system: string, faults: SystemFaults): void {
    this.faults.set(system, { ...faults });
    for (const l of this.listeners) l(system);
  }

  clear(system?: string): void {
    const systems = system ? [system] : [...this.faults.keys()];
    for (const s of systems) this.set(s, {});
  }

  /** Switches on a named profile (its systems' faults replace theirs). */
  apply(profile: string): void {
    const p = FAULT_PROFILES[profile];
    if (!p) throw new Error(`no fault profile "${profile}" (${Object.keys(FAULT_PROFILES).join(', ')})`);
    for (const [system, faults] of Object.entries(p.systems)) this.set(system, { ...this.get(system), ...faults });
  }

  snapshot(): Record<string, SystemFaults> {
    return Object.fromEntries([...this.faults].filter(([, f]) => Object.keys(f).length > 0));
  }

  onChange(listener: (system: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** A log-normal sample with this median and 99th percentile. */
export function logNormal(random: Random, medianMs: number, p99Ms: number): number {
  const sigma = Math.log(Math.max(p99Ms, medianMs + 1) / medianMs) / 2.326;
  const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return medianMs * Math.exp(sigma * z);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wraps a system's handlers so that its faults, as they are at each call, apply. */
export function withFaults(
  system: string,
  handlers: Record<string, Handler>,
  faults: FaultController,
  random: Random,
  timeoutOf: (method: string) => number,
): Record<string, Handler> {
  return Object.fromEntries(Object.entries(handlers).map(([method, handler]) => [method, async (m): Promise<HandlerResult> => {
    const f = faults.get(system);
    if (f.latency) await sleep(logNormal(random, f.latency.medianMs, f.latency.p99Ms));
    const isRequest = m.envelope.kind === 'request';
    if (isRequest && f.timeoutRate && random() < f.timeoutRate) await sleep(timeoutOf(method) + 500);
    if (isRequest && f.errorRate && random() < f.errorRate) {
      return { error: { type: 'database.unavailable', message: 'The national database could not be read just now; try again later.' } };
    }
    return handler(m);
  }]));
}
