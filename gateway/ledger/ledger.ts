/** The transaction record (docs/protocol.md §6) and the interface every ledger keeps. */

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

export interface Ledger {
  /** Resolves once the record is durable; the gateway acknowledges the message only then. */
  record(record: TransactionRecord): Promise<void>;
  close(): Promise<void>;
}

/** A ledger held in memory: for tests and runs that need no history after exit. */
export class MemoryLedger implements Ledger {
  readonly records: TransactionRecord[] = [];

  async record(record: TransactionRecord): Promise<void> {
    this.records.push(record);
  }

  async close(): Promise<void> {}
}
