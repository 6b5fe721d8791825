/**
 * The one way a transaction record is made (docs/protocol.md §6): begun as a message arrives —
 * at the bus's ingress, or at an HTTP door that refuses it itself — and written by one
 * record-then-notify, so that every part that records tells the operator's counters the same way.
 */
import type { ErrorType } from '../protocol/errors.ts';
import type { Ledger, StoredAnswer, TransactionRecord } from './ledger.ts';

/** A fresh record for a message of `size` bytes received at `requestIn` by `instance`. */
export function newRecord(tx: string, requestIn: number, size: number, instance: string): TransactionRecord {
  return {
    tx, messageId: null, kind: 'unknown', client: null, service: null, provider: null, userId: null, issue: null,
    requestIn, requestOut: null, responseIn: null, responseOut: null, requestSize: size, responseSize: null,
    outcome: 'ok', businessError: null, instance, requestHash: null, responseHash: null,
  };
}

/** What a door knew of a request it refused itself. */
export interface RefusedAtDoor {
  readonly messageId?: string;
  readonly kind?: TransactionRecord['kind'];
  readonly client?: string;
  readonly service?: string;
  readonly provider?: string;
  readonly requestHash?: string;
}

/** The record of a refusal a door made itself, answered at `responseOut` with `type` (and the signed answer's hash and size, when signed). */
export function doorRefusalRecord(
  begun: { tx: string; requestIn: number; size: number; instance: string }, type: ErrorType, about: RefusedAtDoor, responseOut: number, signed?: { hash: string; size: number },
): TransactionRecord {
  return {
    ...newRecord(begun.tx, begun.requestIn, begun.size, begun.instance),
    messageId: about.messageId ?? null, kind: about.kind ?? 'unknown', client: about.client ?? null, service: about.service ?? null,
    provider: about.provider ?? null, requestHash: about.requestHash ?? null, outcome: type, responseOut,
    responseHash: signed?.hash ?? null, responseSize: signed?.size ?? null,
  };
}

/** Writes a record (with its answer) and, once it is in the ledger, tells `onRecord`; true when it was new. */
export type Recorder = (record: TransactionRecord, answer?: StoredAnswer) => Promise<boolean>;

export function recordThenNotify(ledger: Pick<Ledger, 'record'>, onRecord?: (record: TransactionRecord) => void): Recorder {
  return async (record, answer) => {
    const inserted = await ledger.record(record, answer);
    if (inserted) onRecord?.(record);
    return inserted;
  };
}
