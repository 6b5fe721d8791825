/**
 * Loads the catalog and its contracts from a folder (docs/protocol.md §3), checks every file once and
 * freezes the result. Any problem stops start-up with a CatalogError naming the file, the
 * place in it and what is wrong.
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { JWK } from 'jose';
import type { ValidateFunction } from 'ajv';
import { CONTRACT_AJV, createAjv } from '../protocol/ajv.ts';
import { importKey, type PublicKey } from '../protocol/keys.ts';
import { isGatewayErrorType } from '../protocol/errors.ts';
import { parseServiceId } from '../protocol/ids.ts';
import { matchesSystemPattern, type Catalog, type Contract, type ServiceEntry, type SystemEntry } from './catalog.ts';
import { catalogFileSchema, contractFileSchema, systemsFileSchema } from './file-schemas.ts';
import { schemaRuleBreaks } from './rules.ts';
import { readSource, schemaFailure, type SourceFile } from './source.ts';

export { CatalogError } from './source.ts';

export interface LoadOptions {
  /**
   * Systems registered beside the shipped catalog (`LGSP_HOME/systems.yaml`, written by
   * `lgsp system add`): an integrator's own, added without editing `catalog.yaml`.
   */
  readonly systemsFile?: string;
  /** Public keys registered outside the catalog file (from `LGSP_HOME`), by system id. */
  readonly extraKeys?: ReadonlyMap<string, readonly JWK[]>;
  /**
   * Asked once the catalog file is read (its gateway and systems known) and before any key is
   * taken: the keys registered outside it, which it may make first (a state directory's own
   * keys). One load where a bootstrap load and a second one would otherwise be needed.
   */
  readonly keysFor?: (ids: { gateway: string; systems: readonly string[] }) => Promise<ReadonlyMap<string, readonly JWK[]>>;
  /**
   * For a command that routes messages but checks none (`lgsp send`, `lgsp load`): each contract's
   * validators are compiled on first use, and its examples are not checked. The gateway, the
   * connection test and `lgsp contracts lint` load every contract whole.
   */
  readonly lazyContracts?: boolean;
}

interface CatalogFile {
  gateway: { id: string; keys?: JWK[] };
  systems: Array<{
    id: string;
    name: { vi: string; en: string };
    agencyCode?: string;
    keys?: JWK[];
    services?: Array<{ code: string; version: string; mode: 'request-reply' | 'event'; contract: string; timeoutMs?: number }>;
  }>;
  access: Array<{ service: string; clients: string[] }>;
}

const fileAjv = createAjv({ strictTypes: false });
const validateCatalogFile = fileAjv.compile<CatalogFile>(catalogFileSchema);
const validateSystemsFile = fileAjv.compile<SystemsFile>(systemsFileSchema);

/** `LGSP_HOME/systems.yaml`: systems registered beside the catalog. */
export interface SystemsFile {
  systems: Array<{
    id: string;
    name: { vi: string; en: string };
    agencyCode?: string;
    /** Provides what this catalog system provides (same contracts), e.g. another province's system. */
    like?: string;
    /** Services it may call, besides those the catalog's access patterns already give it. */
    calls?: string[];
    /**
     * Where it answers what it provides over HTTP (the HTTP provider door, adapters/http/provider-door.ts),
     * instead of on the bus: the gateway calls `<providerUrl>/r1/<service id>` for each request.
     */
    providerUrl?: string;
  }>;
}

/** Adds the registered systems to the catalog file, each checked against it with its own file and place. */
function addRegisteredSystems(file: CatalogFile, source: SourceFile): void {
  if (!validateSystemsFile(source.data)) throw schemaFailure(source, validateSystemsFile.errors);
  const known = new Set(file.systems.flatMap((s) => (s.services ?? []).map((svc) => `${s.id}/${svc.code}/${svc.version}`)));
  for (const [i, s] of (source.data as SystemsFile).systems.entries()) {
    if (s.id === file.gateway.id || file.systems.some((x) => x.id === s.id)) throw source.fail(`/systems/${i}/id`, `system ${s.id} is in the catalog already`);
    // One agency code, one system: a code is who may read and change that agency's dossiers at the portal's adapter.
    const holder = s.agencyCode === undefined ? undefined : file.systems.find((x) => x.agencyCode === s.agencyCode);
    if (holder) throw source.fail(`/systems/${i}/agencyCode`, `agency code ${s.agencyCode} is ${holder.id}'s already: one agency code, one system`);
    const like = s.like === undefined ? undefined : file.systems.find((x) => x.id === s.like);
    if (s.like !== undefined && !like) throw source.fail(`/systems/${i}/like`, `no system ${s.like} in the catalog`);
    for (const [j, service] of (s.calls ?? []).entries()) {
      if (!known.has(service)) throw source.fail(`/systems/${i}/calls/${j}`, `no service ${service} in the catalog`);
      file.access.push({ service, clients: [s.id] });
    }
    file.systems.push({ id: s.id, name: s.name, ...(s.agencyCode !== undefined && { agencyCode: s.agencyCode }), services: like?.services ? [...like.services] : [] });
    // Like that system, called by whoever may call it: the portal forwards applications to it, the judicial records send it results.
    for (const svc of like?.services ?? []) {
      const clients = file.access.filter((a) => a.service === `${like!.id}/${svc.code}/${svc.version}`).flatMap((a) => a.clients);
      if (clients.length > 0) file.access.push({ service: `${s.id}/${svc.code}/${svc.version}`, clients: [...new Set(clients)] });
    }
  }
}
const validateContractFile = fileAjv.compile(contractFileSchema);

/**
 * Loads `<dir>/catalog.yaml` and every contract it names.
 * @example const catalog = await loadCatalog('contracts')
 */
export async function loadCatalog(dir: string, options: LoadOptions = {}): Promise<Catalog> {
  const root = resolve(dir);
  const display = (file: string) => relative(process.cwd(), file) || file;
  const source = readSource(join(root, 'catalog.yaml'), display(join(root, 'catalog.yaml')));
  if (!validateCatalogFile(source.data)) throw schemaFailure(source, validateCatalogFile.errors);
  const file = source.data;
  if (options.systemsFile && existsSync(options.systemsFile)) addRegisteredSystems(file, readSource(options.systemsFile, display(options.systemsFile)));
  const contractAjv = createAjv(CONTRACT_AJV);
  const extraKeys = options.extraKeys ?? (await options.keysFor?.({ gateway: file.gateway.id, systems: file.systems.map((s) => s.id) }));

  const systems = new Map<string, SystemEntry>();
  const services = new Map<string, ServiceEntry>();
  const keys: PublicKey[] = [];

  const addKeys = async (system: string, jwks: readonly JWK[] | undefined, pointer: string) => {
    for (const [i, jwk] of (jwks ?? []).entries()) {
      try {
        keys.push(await importKey(system, jwk));
      } catch (err) {
        throw source.fail(`${pointer}/${i}`, (err as Error).message);
      }
    }
    for (const jwk of extraKeys?.get(system) ?? []) {
      if (!keys.some((k) => k.kid === `${system}#${String(jwk.kid)}`)) keys.push(await importKey(system, jwk));
    }
  };

  await addKeys(file.gateway.id, file.gateway.keys, '/gateway/keys');
  for (const [i, s] of file.systems.entries()) {
    if (systems.has(s.id) || s.id === file.gateway.id) throw source.fail(`/systems/${i}/id`, `system ${s.id} is listed twice`);
    const holder = s.agencyCode === undefined ? undefined : [...systems.values()].find((x) => x.agencyCode === s.agencyCode);
    if (holder) throw source.fail(`/systems/${i}/agencyCode`, `agency code ${s.agencyCode} is ${holder.id}'s already: one agency code, one system`);
    await addKeys(s.id, s.keys, `/systems/${i}/keys`);
    const ids: string[] = [];
    for (const [j, svc] of (s.services ?? []).entries()) {
      const place = `/systems/${i}/services/${j}`;
      const id = `${s.id}/${svc.code}/${svc.version}`;
      if (services.has(id)) throw source.fail(place, `service ${id} is listed twice`);
      const contractPath = resolve(root, svc.contract);
      if (!contractPath.startsWith(root + '/')) throw source.fail(`${place}/contract`, 'the contract file must lie inside the catalog folder');
      if (options.lazyContracts) {
        // Read when first asked for: a command that only routes never reads most of them.
        let contract: Contract | undefined;
        const read = () => (contract ??= loadContract(readSource(contractPath, display(contractPath)), contractAjv, { lazy: true }));
        services.set(id, Object.freeze({
          id, provider: s.id, code: svc.code, version: svc.version, mode: svc.mode,
          get timeoutMs() {
            return svc.timeoutMs ?? read().timeoutMs;
          },
          get contract() {
            return read();
          },
        }));
        ids.push(id);
        continue;
      }
      const contract = loadContract(readSource(contractPath, display(contractPath)), contractAjv);
      if (!contractServes(contract.service, id)) throw source.fail(`${place}/contract`, `the contract is for ${contract.service}, not ${id}`);
      if (svc.mode === 'request-reply' && !contract.validateResponse) {
        throw source.fail(`${place}/contract`, 'a request-reply service needs a response schema in its contract');
      }
      services.set(id, Object.freeze({ id, provider: s.id, code: svc.code, version: svc.version, mode: svc.mode, timeoutMs: svc.timeoutMs ?? contract.timeoutMs, contract }));
      ids.push(id);
    }
    systems.set(s.id, Object.freeze({
      id: s.id, name: Object.freeze({ ...s.name }), scope: s.id.startsWith('VN/GOV/') ? 'national' : 'provincial', services: Object.freeze(ids),
      ...(s.agencyCode !== undefined && { agencyCode: s.agencyCode }),
    }));
  }

  const rights = new Map<string, string[]>();
  for (const [i, a] of file.access.entries()) {
    if (!services.has(a.service)) throw source.fail(`/access/${i}/service`, `no service ${a.service} in the catalog`);
    rights.set(a.service, [...(rights.get(a.service) ?? []), ...a.clients]);
  }

  const byKid = new Map(keys.map((k) => [k.kid, k]));
  const allKeys = Object.freeze([...byKid.values()]);
  return Object.freeze({
    gateway: file.gateway.id,
    systems,
    services,
    keys: { get: (kid: string) => byKid.get(kid), all: () => allKeys },
    canAccess(client: string, service: string) {
      return (rights.get(service) ?? []).some((pattern) => matchesSystemPattern(pattern, client));
    },
  });
}

/**
 * Whether a contract's `service` covers the service `id`: equal, or with `*` for whole parts of
 * the system, so one contract serves a service every province provides (`VN/PROV/*\/MOTCUA/…`).
 */
function contractServes(pattern: string, id: string): boolean {
  const p = parseServiceId(pattern.replace(/\*/g, 'X'));
  const s = parseServiceId(id);
  if (!p || !s || p.code !== s.code || p.version !== s.version) return false;
  return matchesSystemPattern(pattern.split('/').slice(0, 4).join('/'), s.system);
}

function compileSchema(source: SourceFile, ajv: ReturnType<typeof createAjv>, schema: object, pointer: string) {
  const breaks = schemaRuleBreaks(schema, pointer);
  if (breaks[0]) throw source.fail(breaks[0][0], breaks[0][1]);
  try {
    return ajv.compile(schema);
  } catch (err) {
    throw source.fail(pointer, `not a valid JSON Schema: ${(err as Error).message}`);
  }
}

/** A validator compiled the first time it is called, with ajv's `errors` as a compiled one has them. */
function compiledOnUse(compile: () => ValidateFunction): ValidateFunction {
  let compiled: ValidateFunction | undefined;
  const validate = ((data: unknown) => {
    compiled ??= compile();
    const ok = compiled(data);
    validate.errors = compiled.errors;
    return ok;
  }) as ValidateFunction;
  return validate;
}

/**
 * Loads one contract file: checks its shape and schema rules, compiles its validators, checks its
 * examples — or, `lazy`, checks its shape and leaves the rest to the validators' first use.
 */
export function loadContract(source: SourceFile, ajv = createAjv(CONTRACT_AJV), options: { lazy?: boolean } = {}): Contract {
  if (!validateContractFile(source.data)) throw schemaFailure(source, validateContractFile.errors);
  const c = source.data as {
    service: string; title: string; personalData: boolean; timeoutMs: number; request: object; response?: object;
    errors?: Array<{ type: string; description: string }>;
    examples?: { valid?: Contract['examples']['valid']; invalid?: Contract['examples']['invalid'] };
  };
  if (!parseServiceId(c.service.replace(/\*/g, 'X'))) throw source.fail('/service', 'not a valid service id');
  const compile = (schema: object, pointer: string) => (options.lazy ? compiledOnUse(() => compileSchema(source, ajv, schema, pointer)) : compileSchema(source, ajv, schema, pointer));
  const validateRequest = compile(c.request, '/request');
  const validateResponse = c.response ? compile(c.response, '/response') : undefined;
  const errors = c.errors ?? [];
  const valid = c.examples?.valid ?? [];
  const invalid = c.examples?.invalid ?? [];
  if (!options.lazy) checkExamples(source, ajv, { valid, invalid, errors, validateRequest, validateResponse });
  return deepFreeze({
    file: source.file, service: c.service, title: c.title, personalData: c.personalData, timeoutMs: c.timeoutMs,
    requestSchema: c.request, responseSchema: c.response, errors, examples: { valid, invalid }, validateRequest, validateResponse,
  });
}

/** Every valid example passes its schemas and names declared errors; every invalid one names an error that exists. */
function checkExamples(source: SourceFile, ajv: ReturnType<typeof createAjv>, c: {
  valid: Contract['examples']['valid']; invalid: Contract['examples']['invalid']; errors: Contract['errors']; validateRequest: ValidateFunction; validateResponse?: ValidateFunction;
}): void {
  const { valid, invalid, errors, validateRequest, validateResponse } = c;
  const declared = (type: string) => isGatewayErrorType(type) || errors.some((e) => e.type === type);
  for (const [i, ex] of valid.entries()) {
    if (!validateRequest(ex.request)) throw source.fail(`/examples/valid/${i}/request`, `the example breaks the request schema: ${ajv.errorsText(validateRequest.errors)}`);
    if (ex.response && validateResponse && !validateResponse(ex.response)) {
      throw source.fail(`/examples/valid/${i}/response`, `the example breaks the response schema: ${ajv.errorsText(validateResponse.errors)}`);
    }
    if (ex.error && !errors.some((e) => e.type === ex.error)) throw source.fail(`/examples/valid/${i}/error`, `${ex.error} is not a declared business error`);
  }
  for (const [i, ex] of invalid.entries()) {
    if (!declared(ex.error!)) throw source.fail(`/examples/invalid/${i}/error`, `${ex.error} is neither a gateway error type nor a declared business error`);
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) if (typeof v !== 'function') deepFreeze(v);
  }
  return value;
}
