/**
 * Answering with a gateway error (docs/protocol.md §4): a response envelope signed by the gateway's key,
 * sent to the client's reply queue — or, when no catalog system can be named as the sender, to
 * the dead-letter queue with the reason — and recorded.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { StoredAnswer, TransactionRecord } from '../ledger/ledger.ts';
import type { ErrorResponse } from '../protocol/envelope.ts';
import type { GatewayError } from '../protocol/errors.ts';
import { isIdPart, isServiceId } from '../protocol/ids.ts';
import { sha256, signJws } from '../protocol/jws.ts';
import { publishWithRetry } from '../transport/retry.ts';
import type { MessageProps } from '../transport/transport.ts';
import type { PipelineContext } from './context.ts';

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
export function replyQueueOf(ctx: PipelineContext, recipient: string, replyTo: string | undefined): string {
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
export async function signError(ctx: PipelineContext, err: GatewayError, tx: string, about: Answering): Promise<{ id: string; jws: string }> {
  const envelope = errorEnvelope(ctx.catalog.gateway, err, tx, about, ctx.now());
  return { id: envelope.id, jws: await signJws(envelope, ctx.key) };
}

/**
 * Publishes, waiting through a lost connection when `patient` (a timeout's answer has no
 * delivery to fall back on); otherwise a lost connection is thrown for the caller, whose
 * unacknowledged delivery the broker will hand out again.
 */
export async function publish(ctx: PipelineContext, queue: string, body: Buffer, props: MessageProps, patient = false): Promise<void> {
  if (!patient) return ctx.transport.publish(queue, body, props);
  await publishWithRetry(ctx.transport, () => ctx.transport.publish(queue, body, props));
}

/**
 * Records, then sends, a gateway error signed by the gateway; the record's outcome becomes the
 * error type. Called by a Transaction (transaction.ts), which owns the record and its delivery.
 */
export async function answerError(ctx: PipelineContext, err: GatewayError, record: TransactionRecord, about: Answering, log: Logger, patient = false): Promise<StoredAnswer> {
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
  // Recorded first, with the answer: what the client receives is what the ledger holds.
  await finish(ctx, record, { queue, jws, props });
  await publish(ctx, queue, Buffer.from(jws), props, patient);
  return { queue, jws, props };
}

/**
 * Records a finished transaction, with the answer it is about to deliver; a second record of a
 * client's message id is said, not dropped in silence.
 */
export async function finish(ctx: PipelineContext, record: TransactionRecord, answer?: StoredAnswer): Promise<void> {
  const inserted = await ctx.ledger.record(record, answer);
  if (!inserted) {
    ctx.log.warn({ tx: record.tx, client: record.client, messageId: record.messageId, outcome: record.outcome },
      'the ledger holds this message id already; this transaction is not recorded again');
    return;
  }
  ctx.onRecord?.(record);
}

/** Delivers again the answer the ledger holds for transaction `tx`; false when none is kept. */
export async function deliverStoredAnswer(ctx: PipelineContext, tx: string): Promise<boolean> {
  const answer = await ctx.ledger.answerOf(tx);
  if (!answer) return false;
  await ctx.transport.publish(answer.queue, Buffer.from(answer.jws), answer.props);
  return true;
}
