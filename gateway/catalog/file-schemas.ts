/** The shapes of the catalog file and of a contract file, checked at load. */

const SYSTEM = '^VN/(GOV|PROV)/[A-Za-z0-9._-]{1,64}/[A-Za-z0-9._-]{1,64}$';
const SYSTEM_PATTERN = '^VN/(GOV|PROV|\\*)/([A-Za-z0-9._-]{1,64}|\\*)/([A-Za-z0-9._-]{1,64}|\\*)$';
const SERVICE = '^VN/(GOV|PROV)/[A-Za-z0-9._-]{1,64}/[A-Za-z0-9._-]{1,64}/[A-Za-z0-9._-]{1,64}/v[1-9][0-9]{0,8}$';
const SERVICE_PATTERN = '^VN/(GOV|PROV)/([A-Za-z0-9._-]{1,64}|\\*)/([A-Za-z0-9._-]{1,64}|\\*)/[A-Za-z0-9._-]{1,64}/v[1-9][0-9]{0,8}$';
const PART = '^[A-Za-z0-9._-]{1,64}$';
const FILE = '^[A-Za-z0-9._/-]{1,200}$';

const jwk = {
  type: 'object',
  required: ['kty', 'kid'],
  properties: {
    kty: { enum: ['OKP', 'EC'] },
    crv: { enum: ['Ed25519', 'P-256'] },
    kid: { type: 'string', pattern: PART },
    x: { type: 'string' },
    y: { type: 'string' },
    alg: { enum: ['EdDSA', 'ES256'] },
    use: { const: 'sig' },
  },
  additionalProperties: false,
};

const names = {
  type: 'object',
  required: ['vi', 'en'],
  properties: { vi: { type: 'string', minLength: 1 }, en: { type: 'string', minLength: 1 } },
  additionalProperties: false,
};

/** What a system is, in the catalog and beside it (LGSP_HOME/systems.yaml). */
const systemCore = {
  id: { type: 'string', pattern: SYSTEM },
  name: names,
  agencyCode: { description: "The agency's code at the national portal (the adapter's madonvi).", type: 'string', pattern: '^[0-9A-Z.]{1,20}$' },
};

export const catalogFileSchema = {
  type: 'object',
  required: ['gateway', 'systems', 'access'],
  additionalProperties: false,
  properties: {
    gateway: {
      type: 'object',
      required: ['id'],
      additionalProperties: false,
      properties: { id: { type: 'string', pattern: SYSTEM }, keys: { type: 'array', items: jwk } },
    },
    systems: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name'],
        additionalProperties: false,
        properties: {
          ...systemCore,
          keys: { type: 'array', items: jwk },
          services: {
            type: 'array',
            items: {
              type: 'object',
              required: ['code', 'version', 'mode', 'contract'],
              additionalProperties: false,
              properties: {
                code: { type: 'string', pattern: PART },
                version: { type: 'string', pattern: '^v[1-9][0-9]{0,8}$' },
                mode: { enum: ['request-reply', 'event'] },
                contract: { type: 'string', pattern: FILE },
                timeoutMs: { type: 'integer', minimum: 1, maximum: 600000 },
              },
            },
          },
        },
      },
    },
    access: {
      type: 'array',
      items: {
        type: 'object',
        required: ['service', 'clients'],
        additionalProperties: false,
        properties: {
          service: { type: 'string', pattern: SERVICE },
          clients: { type: 'array', items: { type: 'string', pattern: SYSTEM_PATTERN } },
        },
      },
    },
  },
};

export const contractFileSchema = {
  type: 'object',
  required: ['service', 'title', 'personalData', 'timeoutMs', 'request'],
  additionalProperties: false,
  properties: {
    service: { type: 'string', pattern: SERVICE_PATTERN },
    title: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    personalData: { type: 'boolean' },
    timeoutMs: { type: 'integer', minimum: 1, maximum: 600000 },
    request: { type: 'object' },
    response: { type: 'object' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'description'],
        additionalProperties: false,
        properties: {
          type: { type: 'string', pattern: '^[a-z][a-z0-9_-]*(\\.[a-z0-9_-]+)+$' },
          description: { type: 'string' },
        },
      },
    },
    examples: {
      type: 'object',
      additionalProperties: false,
      properties: {
        valid: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'request'],
            additionalProperties: false,
            properties: {
              name: { type: 'string' },
              userId: { type: 'string' },
              request: { type: 'object' },
              response: { type: 'object' },
              error: { type: 'string' },
            },
          },
        },
        invalid: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'request', 'error'],
            additionalProperties: false,
            properties: {
              name: { type: 'string' },
              userId: { type: 'string' },
              request: { type: 'object' },
              error: { type: 'string' },
            },
          },
        },
      },
    },
  },
};

/** `LGSP_HOME/systems.yaml`, systems registered beside the catalog (`lgsp system add`). */
export const systemsFileSchema = {
  type: 'object',
  required: ['systems'],
  additionalProperties: false,
  properties: {
    systems: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name'],
        additionalProperties: false,
        properties: {
          ...systemCore,
          like: { type: 'string', pattern: SYSTEM },
          calls: { type: 'array', items: { type: 'string' } },
          providerUrl: { type: 'string', pattern: '^https?://[^\\s]+$', maxLength: 500 },
        },
      },
    },
  },
};
