/** The transaction record (docs/protocol.md §6) and the interface every ledger keeps. */
import type { LedgerHealth } from './outage.ts';

export type { LedgerHealth } from './outage.ts';

export interface TransactionRecord {
  tx: string;
  messageId: string | null;
  kind: 'request' | 'event' | 'unknown';
  client: string | null;
  service: string | null;
  provider: string | null;
  userId: string | null;
  issue: string | null;
  /** Epoch milliseconds: request received, forwarded, reply received, reply delivered. */
  requestIn: number;
  requestOut: number | null;
  responseIn: number | null;
  responseOut: number | null;
  requestSize: number;
  responseSize: number | null;
  /** `ok`, or the gateway error type. */
  outcome: string;
  /** A business error the provider answered (declared in its contract). */
  businessError: string | null;
  instance: string;
  requestHash: string | null;
  responseHash: string | null;
}

/** What the ledger holds about a message id a client used: the transaction and the bytes' hash. */
export interface PriorUse {
  readonly tx: string;
  readonly requestHash: string | null;
}

/** The key of a message id a client used. */
export const useKey = (client: string, messageId: string) => `${client}\u0000${messageId}`;

/**
 * Outcomes that do not use up a message id: a replay's refusal (the id was someone's already)
 * and a rate limit's (refused before the id was claimed: the same bytes may come again).
 */
export const NOT_A_USE = ['client.replay', 'client.rate_limited'] as const;

/** The SQL condition of a record that uses its id: the unique index and the look-up share it. */
export const USES_ID_SQL = `message_id IS NOT NULL AND outcome NOT IN (${NOT_A_USE.map((o) => `'${o}'`).join(', ')})`;

/** A record counts as a use of its id unless its outcome is one of NOT_A_USE. */
export const claimsId = (r: TransactionRecord): boolean =>
  r.client !== null && r.messageId !== null && !(NOT_A_USE as readonly string[]).includes(r.outcome);

/**
 * The uses of message ids in records queued and not yet written, so that a ledger's `priorUse`
 * sees them too (both ledgers write in batches).
 */
export class QueuedUses {
  private readonly uses = new Map<string, PriorUse>();

  /** Notes a record as it is queued; the first queued use of an id is the one that counts. */
  add(record: TransactionRecord): void {
    if (!claimsId(record)) return;
    const key = useKey(record.client!, record.messageId!);
    if (!this.uses.has(key)) this.uses.set(key, { tx: record.tx, requestHash: record.requestHash });
  }

  get(client: string, messageId: string): PriorUse | undefined {
    return this.uses.get(useKey(client, messageId));
  }

  /** Forgets the records of a batch once it is written (or failed). */
  forget(records: Iterable<TransactionRecord>): void {
    for (const record of records) {
      if (!claimsId(record)) continue;
      const key = useKey(record.client!, record.messageId!);
      if (this.uses.get(key)?.tx === record.tx) this.uses.delete(key);
    }
  }
}

/**
 * The answer a transaction delivered to its client, exactly as published: kept a while beside
 * the record so that the same request arriving again (a redelivery after a fault) gets the very
 * answer the ledger holds, never a second, different one.
 */
export interface StoredAnswer {
  readonly queue: string;
  readonly jws: string;
  readonly props: {
    readonly messageId?: string; readonly correlationId?: string; readonly type?: string; readonly appId?: string;
    readonly contentType?: string; readonly headers?: Record<string, string | number>;
  };
}

/** How long an answer is kept for redelivery (a fault's duplicates come within minutes). */
export const ANSWER_RETENTION_MS = 15 * 60_000;

export interface Ledger {
  /**
   * Resolves once the record (and the answer it delivers, if given) is durable — the gateway
   * delivers the answer and acknowledges the message only then — with whether it was inserted:
   * false when the ledger holds a use of the same client's message id already (the caller must
   * not drop that silently, and delivers the answer held for that use instead of `answer`, which
   * is then not kept). While the ledger cannot be written, the record waits and is written once
   * it can (see `health`): it is never refused for an outage.
   */
  record(record: TransactionRecord, answer?: StoredAnswer): Promise<boolean>;
  /** Whether it can be written now, and why not (outage.ts). */
  health(): LedgerHealth;
  /** Calls `listener` each time it goes down or comes back; returns how to stop. */
  onHealth(listener: (health: LedgerHealth) => void): () => void;
  /** The answer transaction `tx` delivered, while it is kept. */
  answerOf(tx: string): Promise<StoredAnswer | undefined>;
  /**
   * The one owner of "have we seen this message": the use of `messageId` by `client` that the
   * ledger holds (or is about to write), for as long as it keeps records.
   */
  priorUse(client: string, messageId: string): Promise<PriorUse | undefined>;
  close(): Promise<void>;
}

/** A ledger held in memory: for tests and runs that need no history after exit. */
export class MemoryLedger implements Ledger {
  readonly records: TransactionRecord[] = [];
  private readonly uses = new Map<string, PriorUse>();
  private readonly answers = new Map<string, StoredAnswer>();

  health(): LedgerHealth {
    return { ok: true, failures: 0 };
  }

  onHealth(): () => void {
    return () => undefined;
  }

  async record(record: TransactionRecord, answer?: StoredAnswer): Promise<boolean> {
    if (claimsId(record)) {
      const key = useKey(record.client!, record.messageId!);
      if (this.uses.has(key)) return false;
      this.uses.set(key, { tx: record.tx, requestHash: record.requestHash });
    }
    this.records.push(record);
    if (answer) this.answers.set(record.tx, answer);
    return true;
  }

  async answerOf(tx: string): Promise<StoredAnswer | undefined> {
    return this.answers.get(tx);
  }

  async priorUse(client: string, messageId: string): Promise<PriorUse | undefined> {
    return this.uses.get(useKey(client, messageId));
  }

  async close(): Promise<void> {}
}
