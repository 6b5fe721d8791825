/**
 * `/openapi.json`: an OpenAPI 3.1 description of the ingress, made from the catalog — one path
 * per service with its contract's schemas (JSON Schema 2020-12, which OpenAPI 3.1 takes as is),
 * the X-Road headers, both modes, every error status, and the metaservices.
 */
import type { Catalog, ServiceEntry } from '../../gateway/catalog/catalog.ts';
import { ERROR_CATALOGUE } from '../../gateway/protocol/errors.ts';
import { BUSINESS_ERROR_STATUS } from './respond.ts';

const header = (name: string, description: string, required = false) => ({ name, in: 'header', required, description, schema: { type: 'string' } });

const REQUEST_HEADERS = [
  header('X-Road-Client', 'The calling system, e.g. VN/PROV/CAOBANG/MOTCUA. In signed mode it must equal the JWS `client`.', true),
  header('X-Road-Id', 'The message id (a UUID); in credential mode it becomes the envelope `id`.'),
  header('X-Road-UserId', 'The officer acting; required by services whose body carries personal data.'),
  header('X-Road-Issue', 'The dossier or case the request belongs to.'),
];

const REPLY_HEADERS = {
  'X-Road-Id': { description: 'The request id.', schema: { type: 'string' } },
  'X-Road-Client': { description: 'The calling system.', schema: { type: 'string' } },
  'X-Road-Service': { description: 'The service called.', schema: { type: 'string' } },
  'X-Road-Request-Hash': { description: 'base64url SHA-256 of the request JWS.', schema: { type: 'string' } },
  'X-Lgsp-Transaction': { description: 'The transaction id in the ledger.', schema: { type: 'string' } },
  'X-Lgsp-Signature': { description: "The reply's JWS: the provider's, or the gateway's for its errors.", schema: { type: 'string' } },
  'X-Lgsp-Attestation': { description: "The gateway's attestation of the provider's reply: <root JWS>~<claims>~<proof> (docs/protocol.md §2).", schema: { type: 'string' } },
};

const errorStatuses = [...new Set(Object.values(ERROR_CATALOGUE).map((e) => e.status))].sort();

function errorResponses(): Record<string, object> {
  const out: Record<string, object> = {};
  for (const status of errorStatuses) {
    const types = Object.entries(ERROR_CATALOGUE).filter(([, e]) => e.status === status).map(([t]) => t);
    out[String(status)] = {
      description: `A gateway error: ${types.join(', ')}.`,
      headers: { 'X-Road-Error': { description: 'The error type.', schema: { type: 'string', enum: types } }, ...REPLY_HEADERS },
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return out;
}

function serviceOperation(service: ServiceEntry): object {
  const { contract } = service;
  const responses: Record<string, object> = service.mode === 'event'
    ? { 202: { description: 'The event passed the checks and is queued for the provider.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Accepted' } } } } }
    : {
        200: {
          description: "The provider's answer, verified end to end.",
          headers: REPLY_HEADERS,
          content: { 'application/json': { schema: contract.responseSchema }, 'application/jose': { schema: { type: 'string', description: "The provider's response JWS." } } },
        },
        [BUSINESS_ERROR_STATUS]: {
          description: `A business error the contract declares: ${contract.errors.map((e) => e.type).join(', ') || 'none'}.`,
          headers: { 'X-Lgsp-Business-Error': { description: 'The business error type.', schema: { type: 'string' } }, ...REPLY_HEADERS },
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      };
  return {
    operationId: service.id.replaceAll('/', '_'),
    summary: contract.title,
    tags: [service.provider],
    parameters: REQUEST_HEADERS,
    security: [{}, { bearer: [] }],
    requestBody: {
      required: true,
      content: {
        'application/json': { schema: contract.requestSchema },
        'application/jose': { schema: { type: 'string', description: 'The client\'s own request JWS (signed mode).' } },
      },
    },
    responses: { ...responses, ...errorResponses() },
  };
}

const list = (items: object) => ({ type: 'object', properties: { [Object.keys(items)[0]!]: { type: 'array', items: Object.values(items)[0] } } });
const method = { type: 'object', properties: { id: { type: 'string' }, mode: { enum: ['request-reply', 'event'] }, title: { type: 'string' } } };
const systemParams = ['cls', 'member', 'subsystem'].map((name) => ({ name, in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' } }));

function metaservicePaths(): Record<string, object> {
  const ok = (schema: object) => ({ 200: { description: 'OK', content: { 'application/json': { schema } } }, ...errorResponses() });
  return {
    '/listClients': { get: { operationId: 'listClients', summary: 'Every system on the bus', tags: ['metaservices'],
      parameters: [{ name: 'class', in: 'query', schema: { enum: ['GOV', 'PROV'] } }, { name: 'member', in: 'query', schema: { type: 'string' } }],
      responses: ok(list({ clients: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'object' }, scope: { type: 'string' } } } })) } },
    '/r1/VN/{cls}/{member}/{subsystem}/listMethods': { get: { operationId: 'listMethods', summary: 'The services a system provides', tags: ['metaservices'],
      parameters: systemParams, responses: ok(list({ services: method })) } },
    '/r1/VN/{cls}/{member}/{subsystem}/allowedMethods': { get: { operationId: 'allowedMethods', summary: "A system's services the caller may call", tags: ['metaservices'],
      parameters: [...systemParams, REQUEST_HEADERS[0]], responses: ok(list({ services: method })) } },
    '/r1/VN/{cls}/{member}/{subsystem}/getContract': { get: { operationId: 'getContract', summary: "A service's contract", tags: ['metaservices'],
      parameters: [...systemParams, { name: 'serviceCode', in: 'query', required: true, schema: { type: 'string' } }, { name: 'version', in: 'query', schema: { type: 'string', default: 'v1' } }],
      responses: ok({ type: 'object' }) } },
  };
}

/** The OpenAPI 3.1 document of the ingress for `catalog`. */
export function openApiDocument(catalog: Catalog): object {
  const paths: Record<string, object> = {};
  for (const service of catalog.services.values()) paths[`/r1/${service.id}`] = { post: serviceOperation(service) };
  return {
    openapi: '3.1.0',
    info: {
      title: 'LGSP Simulator ingress',
      version: '1',
      description: 'X-Road-style REST ingress. Signed mode: POST the request JWS as application/jose. Credential mode: POST the JSON body with a bearer token issued by `lgsp keys token <system>`; the ingress signs as that system.',
    },
    paths: { ...paths, ...metaservicePaths() },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A token issued to the X-Road-Client system (credential mode).' } },
      schemas: {
        Error: {
          type: 'object', required: ['type', 'message', 'detail'],
          properties: {
            type: { type: 'string' }, message: { type: 'string' }, detail: { type: 'string', description: 'The transaction id.' },
            violations: { type: 'array', items: { type: 'object', properties: { pointer: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
        Accepted: { type: 'object', properties: { id: { type: 'string' }, status: { const: 'accepted' } } },
      },
    },
  };
}
