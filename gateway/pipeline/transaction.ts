/**
 * One transaction (docs/protocol.md §4–§5): a client's message from the moment the gateway takes
 * it off the ingress until it ends. It owns what must happen exactly once — its record, its
 * message-id claim, the client's delivery (acknowledged only once the transaction is recorded),
 * its logger (`{tx}`) and its ledger write — and it ends in one of a few ways:
 *
 * - `answered`: the provider's reply recorded, then delivered to the client (a request);
 * - `accepted`: forwarded to the provider, then recorded (an event);
 * - `refused`: a gateway error recorded, then delivered to the client (or to the dead letters);
 * - `duplicate`: the very bytes of a message already handled: acknowledged, not handled again;
 * - `abandoned`: the broker went away midway: not acknowledged, so the broker hands it out again
 *   and its claim is released for that copy.
 */
import type { Logger } from 'pino';
import type { JournalEntry } from '../ledger/journal.ts';
import type { StoredAnswer, TransactionRecord } from '../ledger/ledger.ts';
import type { RequestEnvelope } from '../protocol/envelope.ts';
import type { GatewayError } from '../protocol/errors.ts';
import type { Delivery } from '../transport/transport.ts';
import { answerError, finish, type Answering } from './answer.ts';
import type { PipelineContext } from './context.ts';

export type Ending = 'answered' | 'accepted' | 'refused' | 'duplicate' | 'abandoned';

export class Transaction {
  private settleClaim?: (handled: boolean) => void;
  /** Its journal so far (when journaling is on), written once the transaction ends and has its id for good. */
  private readonly journal: JournalEntry[] = [];
  private logger?: Logger;
  private ending?: Ending;

  constructor(private readonly ctx: PipelineContext, readonly delivery: Delivery, readonly record: TransactionRecord) {}

  get tx(): string {
    return this.record.tx;
  }

  /** This transaction's logger: every line carries its id. */
  get log(): Logger {
    this.logger ??= this.ctx.log.child({ tx: this.record.tx });
    return this.logger;
  }

  /** How it ended, once it has. */
  get ended(): Ending | undefined {
    return this.ending;
  }

  /**
   * Notes what happened, for the journal (docs/protocol.md §6). `detail` is only made when
   * journaling is on: a message's path pays nothing for it otherwise.
   */
  note(door: string, what: string, detail: () => unknown): void {
    if (this.ctx.journal) this.journal.push({ at: this.ctx.now(), door, what, detail: detail() });
  }

  /** Fills the record with what the checks so far vouch for: the message's own fields. */
  identify(envelope: RequestEnvelope): void {
    Object.assign(this.record, {
      messageId: envelope.id, kind: envelope.kind, client: envelope.client, service: envelope.service,
      userId: envelope.userId ?? null, issue: envelope.issue ?? null,
    });
  }

  /** Holds the claim of the message's id; the transaction takes the id that derives from it. */
  claimed(settle: (handled: boolean) => void, tx: string): void {
    this.settleClaim = settle;
    this.record.tx = tx;
    this.logger = undefined;
  }

  /** Records the answer with the transaction, then delivers it: what the client gets is what the ledger holds. */
  async answer(answer: StoredAnswer, bytes: Buffer = Buffer.from(answer.jws)): Promise<void> {
    await finish(this.ctx, this.record, answer);
    await this.ctx.transport.publish(answer.queue, bytes, answer.props);
    this.note('amqp', 'answer delivered to the client', () => ({ queue: answer.queue, properties: answer.props, jws: answer.jws }));
    this.end('answered');
  }

  /** An event forwarded to its provider: recorded, and done. */
  async accept(): Promise<void> {
    await finish(this.ctx, this.record);
    this.end('accepted');
  }

  /** Records, then sends, a gateway error; `patient` waits through a lost connection (a timeout has no delivery to fall back on). */
  async refuse(err: GatewayError, about: Answering, patient = false): Promise<void> {
    this.note('gateway', 'refused', () => ({ type: err.type, message: err.message, ...(err.violations && { violations: err.violations }) }));
    const answer = await answerError(this.ctx, err, this.record, about, this.log, patient);
    this.note('amqp', 'error delivered', () => ({ queue: answer.queue, properties: answer.props, jws: answer.jws }));
    this.end('refused');
  }

  /** The same bytes as a message already handled. */
  duplicate(): void {
    this.delivery.ack();
    this.ending = 'duplicate';
  }

  /** Left unacknowledged for the broker to hand out again; the claim is released for that copy. */
  abandon(): void {
    this.settleClaim?.(false);
    this.ending = 'abandoned';
  }

  private end(how: Ending): void {
    this.settleClaim?.(true);
    this.delivery.ack();
    this.ending = how;
    if (this.journal.length > 0) this.ctx.journal?.add(this.record.tx, this.journal.splice(0));
  }
}
