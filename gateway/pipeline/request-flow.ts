/**
 * A request or event from a client: checked in the protocol's order (docs/protocol.md §4) and forwarded untouched with the
 * gateway's attestation to the provider's inbox. An event is acknowledged once forwarded and
 * recorded; a request once its answer is delivered and recorded (see reply-flow); a refused
 * message once its error is delivered and recorded.
 */
import { createHash } from 'node:crypto';
import { callsAnything } from '../catalog/catalog.ts';
import type { RequestEnvelope } from '../protocol/envelope.ts';
import { asGatewayError, GatewayError } from '../protocol/errors.ts';
import { parseKeyId, isSystemId } from '../protocol/ids.ts';
import type { DecodedJws } from '../protocol/jws.ts';
import { publisherOf } from '../transport/broker-users.ts';
import { TransportError, type Delivery } from '../transport/transport.ts';
import { deliverStoredAnswer } from './answer.ts';
import { checkClientMessage, claimedClient, REQUEST_CHECKS } from './checks.ts';
import type { PipelineContext } from './context.ts';
import type { Claim } from './replay.ts';
import type { Transaction } from './transaction.ts';

/**
 * Whom to tell about a message that failed: the system whose broker user published it, when
 * the broker vouches for one (per-system users); else the first named system the catalog knows
 * that calls anything. An error about a message naming any other (the metaservices, say) goes
 * to the dead letters with its reason, not to a queue nobody reads.
 */
export function recipientOf(ctx: PipelineContext, delivery: Delivery, decoded?: DecodedJws): string | undefined {
  const publisher = publisherOf(ctx.transport.names.prefix, delivery.props.userId);
  if (publisher?.kind === 'system') return callsAnything(ctx.catalog, publisher.system) ? publisher.system : undefined;
  const candidates = [decoded && claimedClient(decoded), decoded && parseKeyId(decoded.header.kid)?.system, delivery.props.appId];
  return candidates.find((c): c is string => isSystemId(c) && callsAnything(ctx.catalog, c));
}

function isLostConnection(err: unknown): boolean {
  return err instanceof TransportError && err.code === 'TRANSPORT_CLOSED';
}

/**
 * The transaction of a client's message: derived from the client, the message id and the hash of
 * its bytes, so a message forwarded again after a gateway or broker fault keeps its transaction
 * and the provider can tell the second delivery (its attestation says `redelivery`).
 */
export function txOf(client: string, id: string, requestHash: string): string {
  const h = createHash('sha256').update(`${client}\u0000${id}\u0000${requestHash}`).digest('hex');
  // Shaped as a UUID (version 8: custom), as every transaction id is.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * True once `provider` is served, checking until `until` (at least once). A message handed out
 * again after a fault, or a backlog found at start, waits the grace from now; a fresh one, the
 * grace from when its provider was last seen served (a broker event took its consumer a moment
 * ago), and not at all for a provider not seen within it.
 */
async function waitForProvider(ctx: PipelineContext, provider: string, handedOutAgain: boolean): Promise<boolean> {
  const grace = ctx.config.redeliveryGraceMs;
  // A gateway that has just reconnected came back from a broker event with everyone else: its
  // providers are reconnecting too, so a fresh message waits the grace from that moment.
  const reconnected = ctx.transport.reconnectedAt();
  const until = handedOutAgain ? ctx.now() + grace : Math.max((ctx.availability.lastSeenUp(provider) ?? -Infinity) + grace, (reconnected ?? -Infinity) + grace);
  for (;;) {
    if (await ctx.availability.isUp(provider)) return true;
    if (ctx.now() >= until) return false;
    await new Promise((r) => setTimeout(r, Math.min(250, ctx.config.availabilityTtlMs)));
  }
}

/** Claims the id; waits out a duplicate's first copy. Returns undefined when this copy is to be dropped. */
async function claimId(ctx: PipelineContext, envelope: RequestEnvelope, requestHash: string): Promise<Extract<Claim, { status: 'new' }> | undefined> {
  const expiresAt = Date.parse(envelope.at) + ctx.config.skewSeconds * 1000;
  for (;;) {
    const claim = await ctx.replay.claim(envelope.client, envelope.id, requestHash, expiresAt);
    if (claim.status === 'new') return claim;
    if (claim.status === 'replay') {
      // The first message still in flight has no record yet: its transaction derives from its bytes all the same.
      const first = claim.tx ?? (claim.firstHash && txOf(envelope.client, envelope.id, claim.firstHash));
      throw new GatewayError('client.replay', `Message id ${envelope.id} was already used by ${envelope.client}${first ? ` in transaction ${first}` : ''}.`);
    }
    if (await claim.handled) return undefined;
  }
}

/** Handles one client message as its transaction: checked, forwarded, and ended one of its few ways. */
export async function handleClientMessage(ctx: PipelineContext, t: Transaction, decoded: DecodedJws, fromBacklog = false): Promise<void> {
  const { delivery, record } = t;
  let envelope: RequestEnvelope | undefined;
  try {
    const admitted = await checkClientMessage(decoded, ctx.catalog, ctx.now(), ctx.config.skewSeconds, {
      publisher: publisherOf(ctx.transport.names.prefix, delivery.props.userId),
      replay: async (checked) => {
        envelope = checked;
        t.identify(checked);
        // The signature has verified: only now is the message charged to its client.
        await ctx.rate.consume(checked.client);
        const claim = await claimId(ctx, checked, record.requestHash!);
        if (!claim) return false;
        // One message, one transaction: forwarded again after a fault, it keeps its id (see txOf).
        t.claimed(claim.settle, txOf(checked.client, checked.id, record.requestHash!));
        return true;
      },
    });
    if (!admitted) {
      // The same bytes again, already handled: at least once, answered once — with the answer
      // the ledger holds, in case the first copy's answer never went out (a gateway killed between).
      const first = await ctx.ledger.priorUse(envelope!.client, envelope!.id);
      if (envelope!.kind === 'request' && first) await deliverStoredAnswer(ctx, first.tx, { client: envelope!.client, replyTo: delivery.props.replyTo });
      t.duplicate();
      return;
    }
    const { service } = admitted;
    record.provider = service.provider;
    // A message handed out again (a gateway or broker came back), or a backlog found as this
    // gateway starts, waits a grace period for its provider to come back too, before it is failed
    // as unavailable: a gateway back a second before its providers fails nothing. So does a fresh
    // one whose provider was served a moment ago (its consumer gone for a broker event).
    if (!(await waitForProvider(ctx, service.provider, delivery.redelivered || fromBacklog))) {
      throw new GatewayError('server.provider_unavailable', `Nobody serves ${service.provider} now.`);
    }
    const attestation = await ctx.attester.attest(decoded.jws, record.tx, REQUEST_CHECKS, delivery.redelivered);
    // The contract's timeout is the provider's time: it runs from the forward, not from the
    // request's arrival (a gateway held up by its ledger does not spend its providers' time).
    const deadline = ctx.now() + service.timeoutMs;
    if (admitted.envelope.kind === 'request') {
      ctx.pending.add({
        tx: record.tx, id: admitted.envelope.id, client: admitted.envelope.client, service, requestHash: record.requestHash!, replyTo: delivery.props.replyTo,
        deadline, transaction: t,
      });
    }
    try {
      await ctx.transport.publish(ctx.transport.names.inbox(service.provider), delivery.body, {
        // The provider replies to this instance's own responses queue: several gateways may share the bus.
        replyTo: ctx.transport.names.responsesOf(ctx.config.instance),
        messageId: admitted.envelope.id, correlationId: record.tx, type: admitted.envelope.kind, appId: admitted.envelope.client, contentType: 'application/jose',
        headers: { 'x-lgsp-tx': record.tx, 'x-lgsp-attestation': attestation },
        // A request its provider has not taken by its deadline is dropped by the broker: its
        // client has been told, and a provider back from a hang works off only what is still wanted.
        ...(admitted.envelope.kind === 'request' && { expiration: Math.max(1, deadline - ctx.now()) }),
      });
    } catch (err) {
      ctx.pending.take(record.tx);
      throw err;
    }
    record.requestOut = ctx.now();
    t.note('gateway', 'checks passed', () => ({ checks: REQUEST_CHECKS }));
    t.note('amqp', 'forwarded to the provider', () => ({ queue: ctx.transport.names.inbox(service.provider), attestation, redelivery: delivery.redelivered }));
    if (admitted.envelope.kind === 'event') await t.accept(admitted.envelope);
  } catch (err) {
    if (isLostConnection(err)) {
      t.abandon(); // not acknowledged: the broker hands the message out again
      return;
    }
    const failure = err instanceof TransportError
      ? new GatewayError('server.provider_unavailable', 'The broker refused the message for the provider.', { cause: err })
      : asGatewayError(err);
    try {
      await t.refuse(failure, {
        recipient: recipientOf(ctx, delivery, decoded), inReplyTo: envelope?.id ?? delivery.props.messageId,
        service: envelope?.service, requestHash: record.requestHash!, replyTo: delivery.props.replyTo,
      });
    } catch (answerFailure) {
      t.abandon();
      if (!isLostConnection(answerFailure)) throw answerFailure;
    }
  }
}
