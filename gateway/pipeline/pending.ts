/**
 * Requests forwarded to a provider and not yet answered, by transaction id, each with the
 * timer of its contract's timeout. Taking an entry out is how a reply or a timeout claims the
 * right to answer: whoever takes it answers, exactly once. The client's delivery stays
 * unacknowledged meanwhile, so a gateway killed mid-transaction gets the request again.
 */
import type { RequestBinding } from './reply-checks.ts';

/** A request waiting for its provider, with `T`, the transaction that answers it (pipeline/transaction.ts). */
export interface PendingRequest<T> extends RequestBinding {
  readonly tx: string;
  /** The transaction, whose client delivery stays unacknowledged until it ends. */
  readonly transaction: T;
  readonly deadline: number;
  /**
   * Why the last reply that claimed this transaction was not the provider's (not signed by it):
   * such bytes never end a transaction — anyone able to publish could otherwise kill it — but if
   * no real reply comes before the deadline, the client is told this instead of a bare timeout.
   */
  unauthenticReply?: Error;
}

export class PendingRequests<T> {
  private readonly entries = new Map<string, { request: PendingRequest<T>; timer: NodeJS.Timeout }>();
  private idle: Array<() => void> = [];

  constructor(
    private readonly now: () => number,
    private readonly onTimeout: (request: PendingRequest<T>) => void,
  ) {}

  add(request: PendingRequest<T>): void {
    const timer = setTimeout(() => {
      if (this.take(request.tx)) this.onTimeout(request);
    }, Math.max(0, request.deadline - this.now()));
    timer.unref();
    this.entries.set(request.tx, { request, timer });
  }

  /** The request waiting under message id `id`, left in place (a reply that lost its way names it). */
  findByRequestId(id: unknown): PendingRequest<T> | undefined {
    if (typeof id !== 'string') return undefined;
    for (const { request } of this.entries.values()) if (request.id === id) return request;
    return undefined;
  }

  /** The request, left in place; undefined if it was answered or timed out already. */
  peek(tx: string | undefined): PendingRequest<T> | undefined {
    return tx === undefined ? undefined : this.entries.get(tx)?.request;
  }

  /** Removes and returns the request; undefined if it was answered or timed out already. */
  take(tx: string | undefined): PendingRequest<T> | undefined {
    if (tx === undefined) return undefined;
    const entry = this.entries.get(tx);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.entries.delete(tx);
    if (this.entries.size === 0) for (const wake of this.idle.splice(0)) wake();
    return entry.request;
  }

  /** Puts back a request whose answer could not be delivered (the broker went away); its deadline stands. */
  restore(request: PendingRequest<T>): void {
    this.add(request);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Resolves when nothing is pending. */
  drained(): Promise<void> {
    if (this.entries.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  clear(): void {
    for (const { timer } of this.entries.values()) clearTimeout(timer);
    this.entries.clear();
    for (const wake of this.idle.splice(0)) wake();
  }
}
