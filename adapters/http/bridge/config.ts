/**
 * A REST bridge's configuration (YAML): which national system it speaks for, the base URL of
 * that system's HTTP API, and for each of its services the method and path to call and how the
 * API's error statuses map to the contract's business errors. Checked once against the catalog;
 * a bad file stops start-up with the file, the place and what is wrong.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Catalog } from '../../../gateway/catalog/catalog.ts';
import { createAjv } from '../../../gateway/protocol/ajv.ts';
import { LgspError } from '../../../gateway/protocol/errors.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface BridgeRoute {
  readonly method: HttpMethod;
  /** Path under the base URL; `{field}` is filled from the request body (URL-encoded). */
  readonly path: string;
  /** Business error types by the API's HTTP status, e.g. `404: citizen.not_found`. */
  readonly errors?: Readonly<Record<string, string>>;
  /** How long to wait for the API; defaults to the contract's timeout. */
  readonly timeoutMs?: number;
}

export interface BridgeConfig {
  readonly system: string;
  readonly baseUrl: string;
  /** Headers sent on every call (an API key, say). */
  readonly headers?: Readonly<Record<string, string>>;
  /** A field of the API's error body that names a business error, used when the status maps to none. */
  readonly errorField?: string;
  /**
   * The business error answered when the API is down or answers 5xx; without one (an HTTP
   * provider door), `upstream.unavailable`, which no contract declares: the gateway answers it as
   * `server.provider_contract_violation`, naming what the API said.
   */
  readonly unavailableError?: string;
  /** Routes by `<serviceCode>/<version>`. */
  readonly services: Readonly<Record<string, BridgeRoute>>;
}

const schema = {
  type: 'object',
  required: ['system', 'baseUrl', 'services'],
  additionalProperties: false,
  properties: {
    system: { type: 'string' },
    baseUrl: { type: 'string', pattern: '^https?://' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    errorField: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    unavailableError: { type: 'string' },
    services: {
      type: 'object',
      minProperties: 1,
      additionalProperties: {
        type: 'object',
        required: ['method', 'path'],
        additionalProperties: false,
        properties: {
          method: { enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
          path: { type: 'string', pattern: '^/[A-Za-z0-9._~/{}-]*$' },
          errors: { type: 'object', propertyNames: { pattern: '^[1-5][0-9][0-9]$' }, additionalProperties: { type: 'string' } },
          timeoutMs: { type: 'integer', minimum: 1 },
        },
      },
    },
  },
};

const validate = createAjv({ strictTypes: false }).compile(schema);

/** A bridge configuration that cannot be used, with where and why. */
export class BridgeConfigError extends LgspError {
  constructor(file: string, where: string, problem: string) {
    super('BRIDGE_CONFIG_INVALID', `${file} ${where || '/'}: ${problem}`);
  }
}

/** Checks `data` (from `file`) against the schema and the catalog. */
export function checkBridgeConfig(data: unknown, catalog: Catalog, file = 'bridge config'): BridgeConfig {
  if (!validate(data)) {
    const e = validate.errors![0]!;
    throw new BridgeConfigError(file, e.instancePath, e.message ?? 'is not valid');
  }
  const config = data as unknown as Omit<BridgeConfig, 'unavailableError'> & { unavailableError?: string };
  const system = catalog.systems.get(config.system);
  if (!system) throw new BridgeConfigError(file, '/system', `no system ${config.system} in the catalog`);
  for (const [method, route] of Object.entries(config.services)) {
    const service = catalog.services.get(`${config.system}/${method}`);
    if (!service) throw new BridgeConfigError(file, `/services/${method}`, `${config.system} provides no ${method}`);
    const fields = Object.keys((service.contract.requestSchema as { properties?: object }).properties ?? {});
    for (const [, field] of route.path.matchAll(/\{([^}]*)\}/g)) {
      if (!fields.includes(field!)) throw new BridgeConfigError(file, `/services/${method}/path`, `{${field}} is not a field of the request body`);
    }
  }
  return Object.freeze({ ...config, unavailableError: config.unavailableError ?? 'database.unavailable' });
}

/**
 * Reads and checks a bridge configuration file.
 * @example const config = loadBridgeConfig('bridges/dancu.yaml', catalog)
 */
export function loadBridgeConfig(file: string, catalog: Catalog): BridgeConfig {
  let data: unknown;
  try {
    data = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BridgeConfigError(file, '', (err as Error).message);
  }
  return checkBridgeConfig(data, catalog, file);
}
