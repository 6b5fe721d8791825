/**
 * The one error catalogue (docs/protocol.md §4). Every failure the gateway answers is a
 * `GatewayError` with a stable `type`; the HTTP status and the message for a person sit
 * beside each type here and nowhere else.
 */

export const ERROR_CATALOGUE = {
  'client.malformed': { status: 400, message: 'The message is not a well-formed signed envelope.' },
  'client.too_large': { status: 413, message: 'The message is larger than the gateway accepts.' },
  'client.bad_algorithm': { status: 400, message: 'The signature algorithm is not allowed; use EdDSA or ES256.' },
  'client.unknown_key': { status: 401, message: 'The signing key is not in the catalog.' },
  'client.key_mismatch': { status: 401, message: 'The signing key does not belong to the client system.' },
  'client.bad_signature': { status: 401, message: 'The signature does not verify.' },
  'client.clock_skew': { status: 400, message: 'The message time is outside the accepted window.' },
  'client.replay': { status: 409, message: 'A message with this id was already received from this client.' },
  'client.unknown_service': { status: 404, message: 'No such service or version.' },
  'client.access_denied': { status: 403, message: 'The client has no access right to this service.' },
  'client.contract_violation': { status: 400, message: 'The message breaks the service contract.' },
  'client.rate_limited': { status: 429, message: 'The client is over its rate.' },
  'server.provider_unavailable': { status: 503, message: 'The providing system is not available.' },
  'server.provider_timeout': { status: 504, message: 'The providing system did not answer in time.' },
  'server.provider_bad_signature': { status: 502, message: 'The reply is not signed by the providing system.' },
  'server.provider_contract_violation': { status: 502, message: 'The reply breaks the service contract.' },
  'server.internal': { status: 500, message: 'The gateway failed to handle the message.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorType = keyof typeof ERROR_CATALOGUE;

/** One failing field of a contract check, by JSON pointer into the envelope. */
export interface Violation {
  pointer: string;
  message: string;
}

/** The error body on the wire (after X-Road). */
export interface ErrorBody {
  type: string;
  message: string;
  detail: string;
  /** The first MAX_VIOLATIONS failing fields. */
  violations?: Violation[];
  /** How many more failed, not listed: an answer stays small, whatever the request. */
  moreViolations?: number;
}

/** The most violations an error lists; the rest are counted (`moreViolations`). */
export const MAX_VIOLATIONS = 20;

/** Longest pointer or rule a violation carries; a longer one (a key of a hostile body) is cut. */
const VIOLATION_TEXT_MAX = 200;

const cut = (text: string) => (text.length > VIOLATION_TEXT_MAX ? `${text.slice(0, VIOLATION_TEXT_MAX - 1)}…` : text);

function bounded(v: Violation): Violation {
  return v.pointer.length > VIOLATION_TEXT_MAX || v.message.length > VIOLATION_TEXT_MAX ? { pointer: cut(v.pointer), message: cut(v.message) } : v;
}

/** The HTTP status for an error type. */
export function httpStatusOf(type: ErrorType): number {
  return ERROR_CATALOGUE[type].status;
}

/** True when `type` is one of the gateway's own error types. */
export function isGatewayErrorType(type: unknown): type is ErrorType {
  return typeof type === 'string' && Object.hasOwn(ERROR_CATALOGUE, type);
}

/**
 * Every code an error of this package carries, to `switch` on (as on jose's `code`): a gateway
 * error's wire type, or what failed on this side of the wire.
 */
export type LgspErrorCode =
  | ErrorType
  // The transport (TransportError): a queue that is not there, a nack, a lost or failed connection, a message the wire cannot carry.
  | 'TRANSPORT_UNROUTABLE' | 'TRANSPORT_REFUSED' | 'TRANSPORT_CLOSED' | 'TRANSPORT_UNREACHABLE' | 'TRANSPORT_INVALID'
  // Files that cannot be used: the catalog or a contract (CatalogError), a bridge configuration, a key file.
  | 'CATALOG_INVALID' | 'BRIDGE_CONFIG_INVALID' | 'KEY_INVALID'
  // The state directory and the machine: another lgsp on the same state, a port taken, the ledger closed while down.
  | 'HOME_IN_USE' | 'PORT_IN_USE' | 'LEDGER_CLOSED'
  // A connection test that cannot run (exit 2).
  | 'CHECK_SETUP'
  // The SDK: no reply in time, the client closed while waiting, no key to sign with, a received message that does not verify,
  // an answer of the HTTP ingress that carries no signed message.
  | 'REPLY_TIMEOUT' | 'CLIENT_CLOSED' | 'NO_SIGNING_KEY' | 'VERIFICATION_FAILED' | 'INGRESS_ANSWER'
  // Input read strictly: a JSON key given twice; an operator API query that is not well formed.
  | 'DUPLICATE_KEY' | 'QUERY_INVALID';

/**
 * The one base of every error this package throws: a `code` to switch on, a message for a
 * person (never a stack trace, a key or personal data on the wire), and its `cause`.
 * @example
 * try { await client.request(service, body); } catch (err) {
 *   if (err instanceof LgspError && err.code === 'REPLY_TIMEOUT') retryLater();
 * }
 */
export class LgspError extends Error {
  constructor(readonly code: LgspErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The SDK's own failures, on this side of the wire (the codes `REPLY_TIMEOUT`, `CLIENT_CLOSED`, `NO_SIGNING_KEY`, …). */
export class ClientError extends LgspError {}

/**
 * A failure with a stable type on the wire (its `code` too). `message` is for a person and never
 * carries a stack trace, a key or personal data.
 * @example throw new GatewayError('client.replay', 'id 9b2c… was seen 3 s ago')
 */
export class GatewayError extends LgspError {
  readonly type: ErrorType;
  /** The first MAX_VIOLATIONS of the failing fields. */
  readonly violations: readonly Violation[] | undefined;
  /** How many failing fields are not in `violations`. */
  readonly moreViolations: number;

  constructor(type: ErrorType, message?: string, options?: { cause?: unknown; violations?: readonly Violation[]; moreViolations?: number }) {
    super(type, message ?? ERROR_CATALOGUE[type].message, { cause: options?.cause });
    this.name = 'GatewayError';
    this.type = type;
    const all = options?.violations;
    this.violations = all && (all.length > MAX_VIOLATIONS ? all.slice(0, MAX_VIOLATIONS) : all).map(bounded);
    this.moreViolations = (options?.moreViolations ?? 0) + Math.max(0, (all?.length ?? 0) - MAX_VIOLATIONS);
  }

  get status(): number {
    return httpStatusOf(this.type);
  }

  /** The wire body for this error in transaction `tx`. */
  toBody(tx: string): ErrorBody {
    const body: ErrorBody = { type: this.type, message: this.message, detail: tx };
    if (this.violations) body.violations = [...this.violations];
    if (this.moreViolations > 0) body.moreViolations = this.moreViolations;
    return body;
  }
}

/** Turns anything thrown into a GatewayError; unknown failures become `server.internal`. */
export function asGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  // One failure, one answer, at every door: what a door met on its way to the gateway, by code.
  if (err instanceof LgspError) {
    switch (err.code) {
      case 'REPLY_TIMEOUT':
        return new GatewayError('server.provider_timeout', `The gateway gave no answer in time (${err.message}).`, { cause: err });
      case 'CLIENT_CLOSED':
      case 'TRANSPORT_CLOSED':
      case 'TRANSPORT_UNREACHABLE':
      case 'TRANSPORT_UNROUTABLE':
      case 'TRANSPORT_REFUSED':
        return new GatewayError('server.provider_unavailable', `The bus could not take the message (${err.message}).`, { cause: err });
      default:
        break;
    }
  }
  return new GatewayError('server.internal', undefined, { cause: err });
}

/** True when an error of `type` is the sending client's to mend (a 4xx), not the provider's or the gateway's. */
export function isClientFault(type: ErrorType): boolean {
  return httpStatusOf(type) < 500;
}
