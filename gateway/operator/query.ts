/** Query parameters of the operator API, checked before they reach SQL. */
import type { OutcomeKind } from '../ledger/outcome.ts';
import type { Filter } from '../ledger/queries.ts';
import { isServiceId, isSystemId } from '../protocol/ids.ts';
import { LgspError } from '../protocol/errors.ts';

const KINDS: readonly OutcomeKind[] = ['ok', 'business', 'gateway'];

/** A bad query parameter; the app answers 400 with it. */
export class QueryError extends LgspError {
  constructor(message: string) {
    super('QUERY_INVALID', message);
  }
}

type Query = Record<string, unknown>;

function one(query: Query, name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new QueryError(`${name} may be given once`);
  return v;
}

/** An integer parameter within [min, max], or the default. */
export function intParam(query: Query, name: string, min: number, max: number, fallback?: number): number | undefined {
  const v = one(query, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new QueryError(`${name} must be a whole number from ${min} to ${max}`);
  return n;
}

/** A time parameter: epoch milliseconds or an RFC 3339 date-time. */
function timeParam(query: Query, name: string): number | undefined {
  const v = one(query, name);
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n)) throw new QueryError(`${name} must be epoch milliseconds or an RFC 3339 time`);
  return n;
}

export function filterParams(query: Query): Filter {
  const client = one(query, 'client');
  const system = one(query, 'system');
  const kind = one(query, 'kind');
  const service = one(query, 'service');
  const outcome = one(query, 'outcome');
  if (client !== undefined && !isSystemId(client)) throw new QueryError('client must be a system id');
  if (system !== undefined && !isSystemId(system)) throw new QueryError('system must be a system id');
  if (kind !== undefined && !KINDS.includes(kind as OutcomeKind)) throw new QueryError('kind must be ok, business or gateway');
  if (service !== undefined && !isServiceId(service)) throw new QueryError('service must be a service id');
  if (outcome !== undefined && !/^[a-z][a-z0-9._-]{0,63}$/.test(outcome)) throw new QueryError('outcome must be ok or an error type');
  return { client, system, service, outcome, kind: kind as OutcomeKind | undefined, from: timeParam(query, 'from'), to: timeParam(query, 'to') };
}
