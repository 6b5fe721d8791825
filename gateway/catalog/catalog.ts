/** The catalog, frozen after load: systems, services with their contracts, access rights, keys. */
import type { ValidateFunction } from 'ajv';
import type { KeyRing, PublicKey } from '../protocol/keys.ts';

export type Mode = 'request-reply' | 'event';

export interface SystemEntry {
  readonly id: string;
  readonly name: { readonly vi: string; readonly en: string };
  readonly scope: 'national' | 'provincial';
  readonly services: readonly string[];
  /** The agency's code at the national portal (the adapter's `madonvi`), where it has one. */
  readonly agencyCode?: string;
}

export interface ContractExample {
  readonly name: string;
  readonly userId?: string;
  readonly request: Record<string, unknown>;
  readonly response?: Record<string, unknown>;
  readonly error?: string;
}

export interface Contract {
  readonly file: string;
  readonly service: string;
  readonly title: string;
  readonly personalData: boolean;
  readonly timeoutMs: number;
  readonly requestSchema: object;
  readonly responseSchema?: object;
  readonly errors: readonly { type: string; description: string }[];
  readonly examples: { readonly valid: readonly ContractExample[]; readonly invalid: readonly ContractExample[] };
  readonly validateRequest: ValidateFunction;
  readonly validateResponse?: ValidateFunction;
}

export interface ServiceEntry {
  readonly id: string;
  readonly provider: string;
  readonly code: string;
  readonly version: string;
  readonly mode: Mode;
  readonly timeoutMs: number;
  readonly contract: Contract;
}

export interface Catalog {
  readonly gateway: string;
  readonly systems: ReadonlyMap<string, SystemEntry>;
  readonly services: ReadonlyMap<string, ServiceEntry>;
  readonly keys: KeyRing & { all(): readonly PublicKey[] };
  /** True when `client` has an access right to `service`. */
  canAccess(client: string, service: string): boolean;
}

/** A client pattern such as `VN/PROV/*\/MOTCUA`: `*` stands for one whole part. */
export function matchesSystemPattern(pattern: string, system: string): boolean {
  const p = pattern.split('/');
  const s = system.split('/');
  return p.length === s.length && p.every((part, i) => part === '*' || part === s[i]);
}

const callers = new WeakMap<Catalog, ReadonlySet<string>>();

/**
 * True when `system` may call some other system's service: only such a system sends to the
 * gateway's ingress and reads a reply queue.
 */
export function callsAnything(catalog: Catalog, system: string): boolean {
  let set = callers.get(catalog);
  if (!set) {
    const services = [...catalog.services.values()];
    set = new Set([...catalog.systems.keys()].filter((s) => services.some((svc) => svc.provider !== s && catalog.canAccess(s, svc.id))));
    callers.set(catalog, set);
  }
  return set.has(system);
}

/** True when `system` provides a service of the catalog. */
export function providesAnything(catalog: Catalog, system: string): boolean {
  return [...catalog.services.values()].some((s) => s.provider === system);
}
