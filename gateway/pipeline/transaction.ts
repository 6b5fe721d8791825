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
 *
 * Once its answer is recorded, that answer is the transaction's for good: a delivery that fails
 * after the record is tried again (bounded), and past that the message goes back to the broker,
 * whose next copy is answered from the ledger — never restored to wait for a deadline.
 */
import type { Logger } from 'pino';
import type { JournalDoor, JournalEntry, JournalStep } from '../ledger/journal.ts';
import type { StoredAnswer, TransactionRecord } from '../ledger/ledger.ts';
import type { RequestEnvelope } from '../protocol/envelope.ts';
import type { GatewayError } from '../protocol/errors.ts';
import { TransportError, type Delivery } from '../transport/transport.ts';
import { DOOR_HEADER, RECEIPT_HEADER } from '../protocol/headers.ts';
import { deliver, errorAnswer, finish, heldAnswerTo, receiptAnswer, type AnswerContext, type Answering } from './answer.ts';
import type { Journal } from '../ledger/journal.ts';
import type { PublisherBudget } from './publishers.ts';

/** What a transaction needs of the pipeline (the gateway's whole context is one: context.ts). */
export interface TransactionContext extends AnswerContext {
  /** Each publisher's budget of refusals before a signature vouches for it. */
  readonly publishers: PublisherBudget;
  /** Counts a refusal not recorded, by type and door. */
  readonly onUnrecorded?: (type: string, door: string) => void;
  /** Where each transaction's journal goes, when journaling is on. */
  readonly journal?: Journal;
}

export type Ending = 'answered' | 'accepted' | 'refused' | 'duplicate' | 'abandoned';

export class Transaction {
  private settleClaim?: (handled: boolean) => void;
  /** Its journal so far (when journaling is on), written once the transaction ends and has its id for good. */
  private readonly journal: JournalEntry[] = [];
  private logger?: Logger;
  private ending?: Ending;

  constructor(private readonly ctx: TransactionContext, readonly delivery: Delivery, readonly record: TransactionRecord) {}

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
  note(door: JournalDoor, what: JournalStep, detail: () => unknown): void {
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
    await this.settle(answer, bytes, 'answered', 'answer delivered to the client');
  }

  /**
   * An event forwarded to its provider: recorded, and done — with a receipt, the gateway's signed
   * `accepted`, recorded as the event's answer, when its sender asked for one (`x-lgsp-receipt`:
   * an HTTP door answers 202 only on it).
   */
  async accept(envelope: RequestEnvelope): Promise<void> {
    if (this.delivery.props.headers?.[RECEIPT_HEADER] !== 'wanted') {
      await finish(this.ctx, this.record);
      return this.end('accepted');
    }
    const receipt = await receiptAnswer(this.ctx, envelope, this.record, this.delivery.props.replyTo);
    await this.settle(receipt, Buffer.from(receipt.jws), 'accepted', 'receipt delivered');
  }

  /**
   * Records, then sends, a gateway error signed by the gateway — unless it comes before any
   * signature vouched for the sender (publishers.ts): junk past its publisher's budget is only
   * counted, and what an HTTP door could not charge to anyone is answered and counted, not recorded.
   */
  async refuse(err: GatewayError, about: Answering): Promise<void> {
    const fate = await this.ctx.publishers.refusalFate(this.delivery, err.type);
    if (fate !== 'record') {
      const door = this.delivery.props.headers?.[DOOR_HEADER];
      this.ctx.onUnrecorded?.(err.type, typeof door === 'string' ? door : 'amqp');
      this.journal.length = 0; // nothing of an unproven caller's junk is kept
      if (fate === 'answer') await deliver(this.ctx, await errorAnswer(this.ctx, err, this.record, about, this.log));
      return this.end('refused');
    }
    this.note('gateway', 'refused', () => ({ type: err.type, message: err.message, ...(err.violations && { violations: err.violations }) }));
    const answer = await errorAnswer(this.ctx, err, this.record, about, this.log);
    await this.settle(answer, Buffer.from(answer.jws), 'refused', 'error delivered');
  }

  /**
   * Records `answer`, then delivers what the ledger holds for this message (`answer`, or a first
   * use's answer), and ends. A delivery that cannot be made after the record leaves the message to
   * the broker (abandoned): its next copy is answered from the ledger.
   */
  private async settle(answer: StoredAnswer, bytes: Buffer, how: Ending, what: JournalStep): Promise<void> {
    const held = await finish(this.ctx, this.record, answer);
    if (held) {
      const out = held === answer ? answer : heldAnswerTo(this.ctx, held, this.record.client ? { client: this.record.client, replyTo: this.delivery.props.replyTo } : undefined);
      try {
        await deliver(this.ctx, out, out === answer ? bytes : undefined);
      } catch (err) {
        if (err instanceof TransportError && err.code === 'TRANSPORT_CLOSED') {
          this.log.warn({ queue: out.queue }, 'the recorded answer could not be delivered (no broker); the message goes back to the broker, and its next copy gets that answer');
          return this.abandon();
        }
        this.log.warn({ queue: out.queue, err: (err as Error).message }, 'the recorded answer could not be delivered');
      }
      this.note('amqp', what, () => ({ queue: out.queue, properties: out.props, jws: out.jws }));
    }
    this.end(how);
  }

  /** The same bytes as a message already handled. */
  duplicate(): void {
    this.delivery.ack();
    this.ending = 'duplicate';
  }

  /**
   * Handed back to the broker to hand out again (a no-op on a channel that died with its
   * connection: the broker does it then); the claim is released for that copy.
   */
  abandon(): void {
    this.settleClaim?.(false);
    this.delivery.nack(true);
    this.ending = 'abandoned';
  }

  private end(how: Ending): void {
    this.settleClaim?.(true);
    this.delivery.ack();
    this.ending = how;
    if (this.journal.length > 0) this.ctx.journal?.add(this.record.tx, this.journal.splice(0));
  }
}
