import type { ErrorType } from '../../gateway/protocol/errors.ts';

/** docs/protocol.md §4's statuses, written out here so the catalogue is checked against the design. */
export const STATUS: Record<ErrorType, number> = {
  'client.malformed': 400, 'client.too_large': 413, 'client.bad_algorithm': 400, 'client.unknown_key': 401,
  'client.key_mismatch': 401, 'client.bad_signature': 401, 'client.clock_skew': 400, 'client.replay': 409,
  'client.unknown_service': 404, 'client.access_denied': 403, 'client.contract_violation': 400, 'client.rate_limited': 429,
  'server.provider_unavailable': 503, 'server.provider_timeout': 504, 'server.provider_bad_signature': 502,
  'server.provider_contract_violation': 502, 'server.internal': 500,
};
