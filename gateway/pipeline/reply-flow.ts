/**
 * A provider's reply: matched to its pending request by transaction id, checked (signature,
 * binding, contract), attested, recorded, and delivered untouched to the client's reply queue;
 * only then are the request (its transaction ends) and the reply acknowledged. Whatever fails is answered
 * to the client as a signed gateway error instead.
 */
import type { StoredAnswer } from '../ledger/ledger.ts';
import { asGatewayError, GatewayError } from '../protocol/errors.ts';
import { sha256, type DecodedJws } from '../protocol/jws.ts';
import type { Delivery } from '../transport/transport.ts';
import { replyQueueOf, type Answering } from './answer.ts';
import { REPLY_CHECKS } from './checks.ts';
import type { PipelineContext, Waiting } from './context.ts';
import { checkReplyContent, checkReplySignature } from './reply-checks.ts';

/**
 * A reply its provider signed for a request still waiting, that names it (`inReplyTo`) but not by
 * the request's `correlationId` (a provider that forgot to copy it): it cannot end the transaction
 * — only the correlation vouches for which forward it answers — but it is journaled with why, and
 * the client told so at the deadline instead of a bare timeout.
 */
async function setAsideUnmatched(ctx: PipelineContext, delivery: Delivery, decoded: DecodedJws | undefined): Promise<void> {
  const lost = decoded && ctx.pending.findByRequestId((decoded.payload as { inReplyTo?: unknown }).inReplyTo);
  if (!lost) return;
  try {
    await checkReplySignature(decoded, ctx.catalog, lost.service.provider);
  } catch {
    return; // not the provider's: nobody's business
  }
  const correlation = delivery.props.correlationId;
  const why = correlation === undefined
    ? `the reply has no correlationId: a provider sets it to the correlationId of the request it answers (${lost.tx})`
    : `the reply's correlationId ${JSON.stringify(correlation.slice(0, 80))} is not the request's (${lost.tx})`;
  lost.transaction.note('amqp', 'a reply not matched to its request, set aside', () => ({ reason: why, properties: delivery.props }));
  lost.unauthenticReply ??= new GatewayError('server.provider_timeout', `${lost.service.provider} answered, but ${why}; no matching reply came within ${lost.service.timeoutMs} ms.`);
  ctx.log.warn({ tx: lost.tx, reason: why }, 'a reply not matched to its request was set aside');
}

/**
 * Handles a delivery that claims to answer pending transaction `correlationId`. `decoded` is
 * undefined when the bytes are not even a JWS; `decodeError` then says why.
 */
export async function handleReply(ctx: PipelineContext, delivery: Delivery, decoded: DecodedJws | undefined, decodeError?: unknown): Promise<void> {
  const waiting = ctx.pending.peek(delivery.props.correlationId);
  if (!waiting) {
    await setAsideUnmatched(ctx, delivery, decoded);
    // Answered already (a duplicate), timed out, or from before a restart: nothing to answer.
    ctx.log.debug({ tx: delivery.props.correlationId }, 'reply for no pending request dropped');
    delivery.ack();
    return;
  }
  // Who signed it comes first: bytes the provider did not sign are not its answer, whoever put
  // them on the responses queue, and do not end the transaction (see PendingRequest.unauthenticReply).
  try {
    if (!decoded) {
      if (decodeError instanceof GatewayError && decodeError.type.startsWith('server.')) throw decodeError;
      throw new GatewayError('server.provider_bad_signature', 'The reply is not a signed message.', { cause: decodeError });
    }
    await checkReplySignature(decoded, ctx.catalog, waiting.service.provider);
  } catch (err) {
    waiting.unauthenticReply = err as Error;
    waiting.transaction.note('amqp', 'a reply not signed by the provider, set aside', () => ({ reason: (err as Error).message, body: delivery.body.toString('utf8') }));
    ctx.log.warn({ tx: waiting.tx, err: (err as Error).message }, 'a reply not signed by the provider was set aside');
    delivery.ack();
    return;
  }
  const request = ctx.pending.take(waiting.tx);
  if (!request) {
    delivery.ack(); // answered meanwhile
    return;
  }
  const { transaction } = request;
  const { record } = transaction;
  transaction.note('amqp', 'reply received from the provider', () => ({ properties: delivery.props, jws: decoded.jws }));
  record.responseIn = ctx.now();
  record.responseSize = delivery.body.length;
  let answer: StoredAnswer;
  try {
    const reply = checkReplyContent(decoded.payload, request);
    const attestation = await ctx.attester.attest(decoded.jws, record.tx, REPLY_CHECKS);
    const queue = replyQueueOf(ctx, request.client, request.replyTo);
    const props = {
      messageId: reply.id, correlationId: request.id, type: 'response', appId: request.service.provider, contentType: 'application/jose',
      headers: { 'x-lgsp-tx': record.tx, 'x-lgsp-attestation': attestation },
    };
    record.responseOut = ctx.now();
    record.responseHash = sha256(decoded.jws);
    record.businessError = reply.status === 'error' ? reply.error.type : null;
    transaction.note('gateway', 'reply checks passed', () => ({ checks: REPLY_CHECKS, attestation }));
    answer = { queue, jws: decoded.jws, props };
  } catch (err) {
    const failure = err instanceof GatewayError && err.type.startsWith('server.') ? err : asGatewayError(err);
    return settleOrRestore(ctx, delivery, request, () => request.transaction.refuse(failure, bindingOf(request)));
  }
  // Recorded first, with the answer: a gateway killed before it delivers finds it in the ledger
  // when the request comes again, and delivers that very answer (what the client gets is what the ledger holds).
  await settleOrRestore(ctx, delivery, request, () => transaction.answer(answer, delivery.body));
}

/**
 * Ends the request's transaction (`settle`), then acknowledges the reply. Once recorded, the
 * transaction owns its answer and never waits for a deadline again; only a record that could not
 * be made at all puts the request back to wait, and the reply back on its queue to come again.
 */
async function settleOrRestore(ctx: PipelineContext, delivery: Delivery, request: Waiting, settle: () => Promise<void>): Promise<void> {
  try {
    await settle();
  } catch (err) {
    if (!request.transaction.ended) ctx.pending.restore(request);
    throw err;
  }
  delivery.ack();
}

/** What a gateway error about a pending request answers. */
export function bindingOf(request: Waiting): Answering {
  return { recipient: request.client, inReplyTo: request.id, service: request.service.id, requestHash: request.requestHash, replyTo: request.replyTo };
}
