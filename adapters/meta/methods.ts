/**
 * The metaservices (after X-Road): who is on the bus, what a system provides, what a caller may
 * call, and a service's contract. Plain functions of the catalog, served over HTTP by the
 * ingress and on the bus by the metaservice provider.
 */
import type { Catalog, ServiceEntry } from '../../gateway/catalog/catalog.ts';

/** The system that provides the metaservices on the bus. */
export const META_SYSTEM = 'VN/GOV/LGSP/META';

export interface ClientInfo {
  readonly id: string;
  readonly name: { readonly vi: string; readonly en: string };
  readonly scope: 'national' | 'provincial';
}

export interface MethodInfo {
  readonly id: string;
  readonly mode: ServiceEntry['mode'];
  readonly title: string;
}

export interface ContractInfo {
  readonly service: string;
  readonly title: string;
  readonly mode: ServiceEntry['mode'];
  readonly personalData: boolean;
  readonly timeoutMs: number;
  readonly request: object;
  readonly response?: object;
  readonly errors: readonly { type: string; description: string }[];
}

/** Every system, optionally only those of one class or member. */
export function listClients(catalog: Catalog, filter: { class?: string; member?: string } = {}): ClientInfo[] {
  return [...catalog.systems.values()]
    .filter((s) => {
      const [, cls, member] = s.id.split('/');
      return (filter.class === undefined || cls === filter.class) && (filter.member === undefined || member === filter.member);
    })
    .map((s) => ({ id: s.id, name: { vi: s.name.vi, en: s.name.en }, scope: s.scope }));
}

function methodInfo(service: ServiceEntry): MethodInfo {
  return { id: service.id, mode: service.mode, title: service.contract.title };
}

/** The services `provider` offers, or undefined when the catalog has no such system. */
export function listMethods(catalog: Catalog, provider: string): MethodInfo[] | undefined {
  const system = catalog.systems.get(provider);
  return system?.services.map((id) => methodInfo(catalog.services.get(id)!));
}

/** The services `client` has an access right to, of one provider or of all. */
export function allowedMethods(catalog: Catalog, client: string, provider?: string): MethodInfo[] {
  return [...catalog.services.values()]
    .filter((s) => (provider === undefined || s.provider === provider) && catalog.canAccess(client, s.id))
    .map(methodInfo);
}

/** A service's contract: its schemas, business errors, timeout; undefined for an unknown service. */
export function getContract(catalog: Catalog, service: string): ContractInfo | undefined {
  const entry = catalog.services.get(service);
  if (!entry) return undefined;
  const { contract } = entry;
  return {
    service: entry.id, title: contract.title, mode: entry.mode, personalData: contract.personalData, timeoutMs: entry.timeoutMs,
    request: contract.requestSchema, ...(contract.responseSchema && { response: contract.responseSchema }),
    errors: contract.errors.map((e) => ({ type: e.type, description: e.description })),
  };
}
