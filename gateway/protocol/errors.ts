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
 * A failure with a stable type. `message` is for a person and never carries a stack
 * trace, a key or personal data.
 * @example throw new GatewayError('client.replay', 'id 9b2c… was seen 3 s ago')
 */
export class GatewayError extends Error {
  readonly type: ErrorType;
  /** The first MAX_VIOLATIONS of the failing fields. */
  readonly violations: readonly Violation[] | undefined;
  /** How many failing fields are not in `violations`. */
  readonly moreViolations: number;

  constructor(type: ErrorType, message?: string, options?: { cause?: unknown; violations?: readonly Violation[]; moreViolations?: number }) {
    super(message ?? ERROR_CATALOGUE[type].message, { cause: options?.cause });
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
  return new GatewayError('server.internal', undefined, { cause: err });
}

/** True when an error of `type` is the sending client's to mend (a 4xx), not the provider's or the gateway's. */
export function isClientFault(type: ErrorType): boolean {
  return httpStatusOf(type) < 500;
}
