/**
 * Fault profiles (SYSTEMS.md): what the 2025 reports say goes wrong, switched per system, with
 * rates, latency distributions and outage windows, and changeable while the simulator runs.
 * The numbers are the simulator's defaults, not the reports'.
 */
import { randomUUID } from 'node:crypto';
import { NO_REPLY, type Handler, type HandlerResult } from '../adapters/amqp/provider.ts';
import type { Random } from './data/random.ts';
import { DANCU, DVCQG, HOTICH, LLTP, THUE } from './national/systems.ts';
import { Stubs } from './stubs.ts';

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

/**
 * A fault on one service, after WireMock's scenarios: what it does (a declared business error,
 * latency, or no answer at all, so that the gateway answers `server.provider_timeout`), to whose
 * calls, and which of them — after the first `after`, the next `calls`, each with chance `rate`.
 */
export interface FaultRule {
  /** The service, e.g. `VN/GOV/BCA/DANCU/citizen.verify/v1`. */
  readonly service: string;
  /** Only this client system's calls (default: anyone's). */
  readonly client?: string;
  /** Answer this business error (one the contract declares). */
  readonly error?: string;
  /** Answer this much later. */
  readonly latencyMs?: number;
  /** Do not answer at all. */
  readonly outage?: boolean;
  /** Let this many matching calls through first (default 0): `after: 1` is "on the second call". */
  readonly after?: number;
  /** Then affect this many (default: all that follow). */
  readonly calls?: number;
  /** Affect each such call with this chance (default 1). */
  readonly rate?: number;
}

/** A rule as it stands: its id, and how many matching calls it has seen and affected. */
export interface ActiveRule extends FaultRule {
  readonly id: string;
  readonly seen: number;
  readonly affected: number;
}

/** What a rule does to one call. */
export type RuleEffect = Pick<FaultRule, 'error' | 'latencyMs' | 'outage'> & { readonly rule: string };

/** The faults in force per system; listeners hear of every change. */
export class FaultController {
  /** The mocks' canned answers (stubs.ts): what the admin API sets beside the faults. */
  readonly stubs = new Stubs();
  private readonly faults = new Map<string, SystemFaults>();
  private readonly rules = new Map<string, { rule: FaultRule; seen: number; affected: number }>();
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

  /** Adds a rule on one service; returns its id. */
  addRule(rule: FaultRule): string {
    const id = randomUUID();
    this.rules.set(id, { rule: { ...rule }, seen: 0, affected: 0 });
    return id;
  }

  removeRule(id: string): boolean {
    return this.rules.delete(id);
  }

  clearRules(): void {
    this.rules.clear();
  }

  activeRules(): ActiveRule[] {
    return [...this.rules].map(([id, r]) => ({ ...r.rule, id, seen: r.seen, affected: r.affected }));
  }

  /** Counts a call to `service` by `client` against every rule on it; the first that affects it says how. */
  take(service: string, client: string, random: Random): RuleEffect | undefined {
    let effect: RuleEffect | undefined;
    for (const [id, r] of this.rules) {
      if (r.rule.service !== service || (r.rule.client !== undefined && r.rule.client !== client)) continue;
      r.seen += 1;
      const due = r.seen > (r.rule.after ?? 0) && (r.rule.calls === undefined || r.affected < r.rule.calls);
      if (effect || !due || (r.rule.rate !== undefined && random() >= r.rule.rate)) continue;
      r.affected += 1;
      effect = { rule: id, error: r.rule.error, latencyMs: r.rule.latencyMs, outage: r.rule.outage };
    }
    return effect;
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
    const rule = faults.take(`${system}/${method}`, m.client, random);
    if (rule?.latencyMs) await sleep(rule.latencyMs);
    if (rule?.outage) return NO_REPLY;
    if (rule?.error) return { error: { type: rule.error, message: `Injected fault: ${rule.error} (fault rule ${rule.rule}).` } };
    // A canned answer, where one matches, in place of the mock's own (after an injected fault: that strikes first).
    const stubbed = faults.stubs.answer(`${system}/${method}`, m);
    if (stubbed !== undefined) return stubbed;
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
