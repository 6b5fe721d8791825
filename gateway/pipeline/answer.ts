/**
 * Answering with a gateway error (docs/protocol.md §4): a response envelope signed by the gateway's key,
 * sent to the client's reply queue — or, when no catalog system can be named as the sender, to
 * the dead-letter queue with the reason — and recorded.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { StoredAnswer, TransactionRecord } from '../ledger/ledger.ts';
import type { ErrorResponse, OkResponse, RequestEnvelope } from '../protocol/envelope.ts';
import type { GatewayError } from '../protocol/errors.ts';
import { isIdPart, isServiceId } from '../protocol/ids.ts';
import { sha256, signJws } from '../protocol/jws.ts';
import { publishWithRetry } from '../transport/retry.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { Recorder } from '../ledger/record.ts';
import type { SigningKey } from '../protocol/keys.ts';
import type { Transport } from '../transport/transport.ts';

/** What answering needs of the pipeline (the gateway's whole context is one: context.ts). */
export interface AnswerContext {
  readonly catalog: Catalog;
  readonly transport: Transport;
  readonly ledger: Ledger;
  readonly key: SigningKey;
  readonly now: () => number;
  readonly log: Logger;
  /** Writes a finished transaction's record, then tells the operator's counters (ledger/record.ts). */
  readonly record: Recorder;
}

const NIL_ID = '00000000-0000-0000-0000-000000000000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the error answers: the request as far as it could be read. */
export interface Answering {
  /** The catalog system to tell, or undefined when none can be named. */
  readonly recipient: string | undefined;
  readonly inReplyTo?: string;
  readonly service?: string;
  readonly requestHash: string;
  /** The `replyTo` the request asked for (honoured only if it is one of the recipient's queues). */
  readonly replyTo?: string;
}

/** The recipient's reply queue: its named instance's queue if `replyTo` names one, else the shared one. */
export function replyQueueOf(ctx: AnswerContext, recipient: string, replyTo: string | undefined): string {
  const shared = ctx.transport.names.replies(recipient);
  if (replyTo?.startsWith(`${shared}#`) && isIdPart(replyTo.slice(shared.length + 1))) return replyTo;
  return shared;
}

/** The error response envelope the gateway `gateway` answers `about` with, for `err` in transaction `tx`. */
export function errorEnvelope(gateway: string, err: GatewayError, tx: string, about: Answering, at: number): ErrorResponse {
  return {
    v: 1, kind: 'response', id: randomUUID(),
    client: about.recipient ?? gateway,
    service: about.service && isServiceId(about.service) ? about.service : `${gateway}/gateway/v1`,
    at: new Date(at).toISOString(),
    inReplyTo: about.inReplyTo && UUID.test(about.inReplyTo) ? about.inReplyTo : NIL_ID,
    requestHash: about.requestHash, status: 'error', error: err.toBody(tx),
  };
}

/** Signs the error response for `err` in transaction `record.tx`. */
export async function signError(ctx: AnswerContext, err: GatewayError, tx: string, about: Answering): Promise<{ id: string; jws: string }> {
  const envelope = errorEnvelope(ctx.catalog.gateway, err, tx, about, ctx.now());
  return { id: envelope.id, jws: await signJws(envelope, ctx.key) };
}

/**
 * Signs the gateway error `err` as the answer to `about`, and fills the record with it (its
 * outcome becomes the error type). The transaction records and delivers it (transaction.ts).
 */
export async function errorAnswer(ctx: AnswerContext, err: GatewayError, record: TransactionRecord, about: Answering, log: Logger): Promise<StoredAnswer> {
  const { id, jws } = await signError(ctx, err, record.tx, about);
  const queue = about.recipient ? replyQueueOf(ctx, about.recipient, about.replyTo) : ctx.transport.names.dead;
  const props = {
    messageId: id, correlationId: about.inReplyTo, type: 'response', appId: ctx.catalog.gateway, contentType: 'application/jose',
    headers: { 'x-lgsp-tx': record.tx, 'x-lgsp-error': err.type },
  };
  record.outcome = err.type;
  record.responseOut = ctx.now();
  record.responseHash = sha256(jws);
  record.responseSize = Buffer.byteLength(jws);
  if (err.type === 'server.internal') log.error({ err: err.cause ?? err, client: record.client, service: record.service }, 'internal error');
  else log.debug({ type: err.type, client: record.client, service: record.service }, 'answered with an error');
  return { queue, jws, props };
}

/**
 * The receipt of an event forwarded to its provider: a response the gateway signs, `ok` with
 * `{ "accepted": true }`, bound to the event as any answer is, for the record to hold.
 */
export async function receiptAnswer(ctx: AnswerContext, event: RequestEnvelope, record: TransactionRecord, replyTo: string | undefined): Promise<StoredAnswer> {
  const envelope: OkResponse = {
    v: 1, kind: 'response', id: randomUUID(), client: event.client, service: event.service, at: new Date(ctx.now()).toISOString(),
    inReplyTo: event.id, requestHash: record.requestHash!, status: 'ok', body: { accepted: true, transaction: record.tx },
  };
  const jws = await signJws(envelope, ctx.key);
  record.responseOut = ctx.now();
  record.responseHash = sha256(jws);
  record.responseSize = Buffer.byteLength(jws);
  const props = {
    messageId: envelope.id, correlationId: event.id, type: 'response', appId: ctx.catalog.gateway, contentType: 'application/jose',
    headers: { 'x-lgsp-tx': record.tx },
  };
  return { queue: replyQueueOf(ctx, event.client, replyTo), jws, props };
}

/**
 * Records a finished transaction with the answer it is about to deliver, and returns the answer
 * the ledger holds for its message: `answer` itself once recorded; or, when the ledger holds a use
 * of the same client's message id already, that first use's answer (undefined when none is kept)
 * — never a second, different one (what the client gets is what the ledger holds).
 */
export async function finish(ctx: AnswerContext, record: TransactionRecord, answer?: StoredAnswer): Promise<StoredAnswer | undefined> {
  if (await ctx.record(record, answer)) return answer;
  ctx.log.warn({ tx: record.tx, client: record.client, messageId: record.messageId, outcome: record.outcome },
    'the ledger holds this message id already; this transaction is not recorded again, and the answer held for it is delivered instead');
  const first = record.client && record.messageId ? await ctx.ledger.priorUse(record.client, record.messageId) : undefined;
  return first && first.tx !== record.tx ? ctx.ledger.answerOf(first.tx) : undefined;
}

/** Who asks for an answer again: the client and the reply queue its copy names. */
export interface Asker {
  readonly client: string;
  readonly replyTo?: string;
}

/**
 * Where an answer the ledger holds goes when it is delivered again: to the reply queue the copy
 * names when that queue is its client's own (a client restarted as a new instance asks from a new
 * queue), else where it went first.
 */
export function heldAnswerTo(ctx: AnswerContext, answer: StoredAnswer, asker: Asker | undefined): StoredAnswer {
  if (!asker || answer.queue === ctx.transport.names.dead) return answer;
  const queue = replyQueueOf(ctx, asker.client, asker.replyTo);
  return queue === answer.queue ? answer : { ...answer, queue };
}

/** Publishes an answer, waiting through a lost connection (bounded: publishWithRetry). */
export function deliver(ctx: AnswerContext, answer: StoredAnswer, bytes: Buffer = Buffer.from(answer.jws)): Promise<void> {
  return publishWithRetry(ctx.transport, () => ctx.transport.publish(answer.queue, bytes, answer.props));
}

/** Delivers again the answer the ledger holds for transaction `tx`, to `asker`; false when none is kept. */
export async function deliverStoredAnswer(ctx: AnswerContext, tx: string, asker?: Asker): Promise<boolean> {
  const answer = await ctx.ledger.answerOf(tx);
  if (!answer) return false;
  await deliver(ctx, heldAnswerTo(ctx, answer, asker));
  return true;
}
