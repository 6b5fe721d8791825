/**
 * The message envelope (docs/protocol.md §2): the JSON payload inside every JWS. Parsed and checked
 * here with one compiled schema per shape; identifiers get the stricter checks of ids.ts.
 */
import { createAjv, toViolations } from './ajv.ts';
import { GatewayError, type ErrorBody } from './errors.ts';
import { isServiceId, isSystemId } from './ids.ts';

export type Kind = 'request' | 'response' | 'event';
export type JsonObject = { [key: string]: unknown };

interface Common {
  v: 1;
  id: string;
  client: string;
  service: string;
  at: string;
  userId?: string;
  issue?: string;
}

export interface RequestEnvelope extends Common {
  kind: 'request' | 'event';
  body: JsonObject;
}

export interface OkResponse extends Common {
  kind: 'response';
  inReplyTo: string;
  requestHash: string;
  status: 'ok';
  body: JsonObject;
}

export interface ErrorResponse extends Common {
  kind: 'response';
  inReplyTo: string;
  requestHash: string;
  status: 'error';
  error: ErrorBody;
}

export type ResponseEnvelope = OkResponse | ErrorResponse;
export type Envelope = RequestEnvelope | ResponseEnvelope;

const SYSTEM = '^VN/(GOV|PROV)/[A-Za-z0-9._-]{1,64}/[A-Za-z0-9._-]{1,64}$';
const SERVICE = '^VN/(GOV|PROV)/[A-Za-z0-9._-]{1,64}/[A-Za-z0-9._-]{1,64}/[A-Za-z0-9._-]{1,64}/v[1-9][0-9]{0,8}$';
const TAG = '^[A-Za-z0-9._@:-]{1,128}$';
const TAG_RE = new RegExp(TAG);
/** The rule of `userId` and `issue`, for the doors that check them before an envelope exists. */
export const TAG_MAX_LENGTH = 128;
export const TAG_CHARACTERS = 'A-Z a-z 0-9 . _ @ : -';
export const isEnvelopeTag = (value: string): boolean => TAG_RE.test(value);

const common = {
  v: { const: 1 },
  id: { type: 'string', format: 'uuid', maxLength: 36 },
  client: { type: 'string', pattern: SYSTEM, maxLength: 200 },
  service: { type: 'string', pattern: SERVICE, maxLength: 300 },
  at: { type: 'string', format: 'date-time', maxLength: 40 },
  userId: { type: 'string', pattern: TAG, maxLength: 128 },
  issue: { type: 'string', pattern: TAG, maxLength: 128 },
};

const messageSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['v', 'kind', 'id', 'client', 'service', 'at', 'body'],
  properties: { ...common, kind: { enum: ['request', 'event'] }, body: { type: 'object' } },
};

const errorSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'message'],
  properties: {
    type: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,128}$', maxLength: 128 },
    message: { type: 'string', maxLength: 2000 },
    detail: { type: 'string', maxLength: 2000 },
    violations: {
      type: 'array',
      maxItems: 200,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['pointer', 'message'],
        properties: { pointer: { type: 'string', maxLength: 1000 }, message: { type: 'string', maxLength: 1000 } },
      },
    },
    moreViolations: { type: 'integer', minimum: 1 },
  },
};

const responseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['v', 'kind', 'id', 'client', 'service', 'at', 'inReplyTo', 'requestHash', 'status'],
  properties: {
    ...common,
    kind: { const: 'response' },
    inReplyTo: { type: 'string', format: 'uuid', maxLength: 36 },
    requestHash: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$', maxLength: 43 },
    status: { enum: ['ok', 'error'] },
    body: { type: 'object' },
    error: errorSchema,
  },
  if: { properties: { status: { const: 'ok' } } },
  then: { required: ['body'], properties: { error: false } },
  else: { required: ['error'], properties: { body: false } },
};

// `required` inside if/then names properties declared at the top level.
const ajv = createAjv({ strictRequired: false });
const validateMessage = ajv.compile<RequestEnvelope>(messageSchema);
const validateResponse = ajv.compile<ResponseEnvelope>(responseSchema);

/**
 * Checks a decoded payload as an envelope of any kind; throws `client.malformed` with a
 * violation per bad field.
 */
export function checkEnvelope(payload: unknown): Envelope {
  const kind = (payload as { kind?: unknown } | null)?.kind;
  const validate = kind === 'response' ? validateResponse : validateMessage;
  if (!validate(payload)) {
    throw new GatewayError('client.malformed', 'The envelope is missing fields or has wrong ones.', {
      violations: toViolations(validate.errors),
    });
  }
  const envelope = payload as Envelope;
  // The patterns admit '.' and '..' as parts; the id rules do not.
  if (!isSystemId(envelope.client) || !isServiceId(envelope.service)) {
    throw new GatewayError('client.malformed', 'The client or service id is not well formed.', {
      violations: [{ pointer: isSystemId(envelope.client) ? '/service' : '/client', message: 'not a valid identifier' }],
    });
  }
  return envelope;
}
