/**
 * The gateway (docs/protocol.md §4): consumes the ingress queue (requests and events) and the responses
 * queue (providers' replies), runs every message through the checks, forwards requests and
 * events to providers, checks and delivers their replies, and records every transaction. Built by a factory from its dependencies; it imports no adapter or mock.
 */
import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type { Catalog } from '../catalog/catalog.ts';
import { gatewayConfig, type GatewayConfig } from '../config.ts';
import type { Journal } from '../ledger/journal.ts';
import { MemoryLedger, type Ledger, type TransactionRecord } from '../ledger/ledger.ts';
import { Attester } from '../protocol/attestation.ts';
import { GatewayError } from '../protocol/errors.ts';
import { decodeJws, sha256, type DecodedJws } from '../protocol/jws.ts';
import type { SigningKey } from '../protocol/keys.ts';
import type { Consumer, Delivery, Transport } from '../transport/transport.ts';
import { createAvailability } from './availability.ts';
import { newRecord, recordThenNotify } from '../ledger/record.ts';
import type { PipelineContext, Waiting } from './context.ts';
import { Lanes, LARGE_MESSAGE_BYTES } from './lanes.ts';
import { LargeReader, requestSchemas } from './large-reader.ts';
import { PendingRequests } from './pending.ts';
import { createPublisherBudget } from './publishers.ts';
import { createClientRate } from './rate.ts';
import { ReplayGuard } from './replay.ts';
import { bindingOf, handleReply } from './reply-flow.ts';
import { handleClientMessage, recipientOf } from './request-flow.ts';
import { Transaction } from './transaction.ts';

export interface GatewayDeps {
  readonly transport: Transport;
  readonly catalog: Catalog;
  /** The gateway's own signing key; its system must be the catalog's gateway id. */
  readonly key: SigningKey;
  readonly ledger?: Ledger;
  readonly config?: Partial<GatewayConfig>;
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly onRecord?: (record: TransactionRecord) => void;
  /** Journals each transaction (docs/protocol.md §6) when given. */
  readonly journal?: Journal;
  /** Counts a refusal not recorded (pipeline/publishers.ts), by type and by the door it came through (`amqp`, or an HTTP door's name). */
  readonly onUnrecorded?: (type: string, door: string) => void;
}

export interface Gateway {
  /** Declares the topology and starts consuming the ingress queue. */
  start(): Promise<void>;
  /** Stops taking messages and waits (up to `drainMs`) for transactions in flight. */
  stop(): Promise<void>;
  /** Transactions being handled or waiting for a provider. */
  inflight(): number;
  readonly ledger: Ledger;
}

/** What a client is told at its request's deadline: what was wrong with the replies that came (none signed by the provider), or a timeout. */
function timeoutAnswer(request: Waiting): GatewayError {
  const { provider, timeoutMs } = request.service;
  const seen = request.unauthenticReply;
  if (!seen) return new GatewayError('server.provider_timeout', `${provider} did not answer within ${timeoutMs} ms.`);
  if (seen instanceof GatewayError && seen.type.startsWith('server.')) return seen;
  return new GatewayError('server.provider_bad_signature', `The only reply from ${provider} within ${timeoutMs} ms was not signed by it.`, { cause: seen });
}

/**
 * Builds a gateway.
 * @example const gateway = createGateway({ transport, catalog, key }); await gateway.start();
 */
export function createGateway(deps: GatewayDeps): Gateway {
  if (deps.key.system !== deps.catalog.gateway) throw new Error(`the gateway key belongs to ${deps.key.system}, not ${deps.catalog.gateway}`);
  const config = gatewayConfig(deps.config);
  const now = deps.now ?? Date.now;
  const ledger = deps.ledger ?? new MemoryLedger();
  const log = deps.logger ?? pino({ level: 'silent' });
  const ctx: PipelineContext = {
    catalog: deps.catalog, transport: deps.transport, ledger, key: deps.key, attester: new Attester(deps.key, now), config, now, log,
    replay: new ReplayGuard(now, (client, id) => ledger.priorUse(client, id)),
    pending: new PendingRequests(now, (request) => void answerTimeout(request)),
    availability: createAvailability(deps.transport, config.availabilityTtlMs, now),
    rate: createClientRate(config.clientRatePerSecond),
    publishers: createPublisherBudget(deps.transport, config.junkPerSecond),
    onUnrecorded: deps.onUnrecorded,
    backlog: 0,
    record: recordThenNotify(ledger, deps.onRecord),
    journal: deps.journal,
  };
  let consumers: Consumer[] = [];
  let ingress: Consumer | undefined;
  let handling = 0;
  const lanes = new Lanes();
  const largeReader = new LargeReader(requestSchemas(deps.catalog), log);
  let stopHealth: (() => void) | undefined;

  /**
   * While the ledger cannot be written, nothing new is taken off the ingress: what is held stays
   * unacknowledged and waits for its record (written once the ledger is back), and the rest waits
   * on the broker. Replies keep coming: each waits for its record the same way.
   */
  function onLedgerHealth(health: ReturnType<Ledger['health']>): void {
    if (health.ok) log.info({ failures: health.failures }, 'the ledger can be written again: taking messages again');
    else log.error({ reason: health.reason }, 'the ledger cannot be written: no new messages are taken until it can (retrying)');
    void (health.ok ? ingress?.resume() : ingress?.pause())?.catch((err: Error) => log.warn({ err: err.message }, 'could not pause or resume the ingress'));
  }

  async function answerTimeout(request: Waiting): Promise<void> {
    try {
      await request.transaction.refuse(timeoutAnswer(request), bindingOf(request));
    } catch (cause) {
      request.transaction.log.error({ err: cause }, 'could not answer a timeout');
    }
  }

  async function onIngress(delivery: Delivery): Promise<void> {
    if (ctx.publishers.unattributed(delivery)) {
      // Per-system broker users are in force, and none vouches for this message: nobody to answer.
      ctx.onUnrecorded?.('unattributed', 'amqp');
      delivery.nack(false);
      return;
    }
    if (delivery.body.length <= LARGE_MESSAGE_BYTES) return handleIngress(delivery);
    // Its publisher as the broker says, else as the message says (who else but it would wait).
    return lanes.run(delivery.props.userId ?? delivery.props.appId ?? '', () => handleIngress(delivery));
  }

  async function handleIngress(delivery: Delivery): Promise<void> {
    const record = newRecord(randomUUID(), now(), delivery.body.length, config.instance);
    const fromBacklog = ctx.backlog > 0;
    if (fromBacklog) ctx.backlog -= 1;
    handling += 1;
    try {
      // The hash of the very bytes received, whatever they are: it binds even a refusal to its request.
      record.requestHash = sha256(delivery.body);
      if (delivery.body.length > config.maxBytes) {
        const err = new GatewayError('client.too_large', `The message has ${delivery.body.length} bytes; the limit is ${config.maxBytes}.`);
        return await reject(delivery, record, err);
      }
      const text = delivery.body.toString('utf8');
      let decoded: DecodedJws;
      try {
        decoded = delivery.body.length > LARGE_MESSAGE_BYTES ? await largeReader.read(text) : decodeJws(text);
      } catch (err) {
        return await reject(delivery, record, err as GatewayError);
      }
      return await handleClientMessage(ctx, received(delivery, record), decoded, fromBacklog);
    } finally {
      handling -= 1;
    }
  }

  async function onResponse(delivery: Delivery): Promise<void> {
    handling += 1;
    try {
      if (delivery.body.length > config.maxBytes) {
        const err = new GatewayError('server.provider_contract_violation', `The reply has ${delivery.body.length} bytes; the limit is ${config.maxBytes}.`);
        return await handleReply(ctx, delivery, undefined, err);
      }
      let decoded: DecodedJws | undefined;
      let decodeError: unknown;
      try {
        decoded = decodeJws(delivery.body.toString('utf8'));
      } catch (err) {
        decodeError = err;
      }
      return await handleReply(ctx, delivery, decoded, decodeError);
    } finally {
      handling -= 1;
    }
  }

  /** A transaction for a message taken off the ingress, its journal starting with the message as it arrived. */
  function received(delivery: Delivery, record: TransactionRecord): Transaction {
    const t = new Transaction(ctx, delivery, record);
    t.note('amqp', 'received on the ingress', () => ({ properties: delivery.props, redelivered: delivery.redelivered, body: delivery.body.toString('utf8') }));
    return t;
  }

  /** A message refused before any envelope could be read. */
  async function reject(delivery: Delivery, record: TransactionRecord, err: GatewayError): Promise<void> {
    await received(delivery, record).refuse(err, {
      recipient: recipientOf(ctx, delivery), inReplyTo: delivery.props.messageId, requestHash: record.requestHash ?? sha256(''),
      replyTo: delivery.props.replyTo,
    });
  }

  return {
    ledger,
    inflight: () => handling + ctx.pending.size,
    async start() {
      await deps.transport.declare([...deps.catalog.systems.keys()], undefined, config.instance);
      const { names } = deps.transport;
      ctx.backlog = (await deps.transport.inspect(names.ingress))?.messages ?? 0;
      consumers = [
        // Replies to what this instance forwarded come to its own queue; the shared one takes
        // those of a provider that does not honour `replyTo` (one gateway on the bus needs no more).
        await deps.transport.consume(names.responsesOf(config.instance), onResponse, { prefetch: config.responsePrefetch }),
        await deps.transport.consume(names.responses, onResponse, { prefetch: config.responsePrefetch }),
      ];
      ingress = await deps.transport.consume(names.ingress, onIngress, { prefetch: config.prefetch });
      consumers.push(ingress);
      stopHealth = ledger.onHealth(onLedgerHealth);
      if (!ledger.health().ok) await ingress.pause();
      log.info({ transport: deps.transport.kind, systems: deps.catalog.systems.size, services: deps.catalog.services.size }, 'gateway started');
    },
    async stop() {
      stopHealth?.();
      for (const c of consumers) await c.cancel();
      consumers = [];
      ingress = undefined;
      const deadline = now() + config.drainMs;
      while (handling > 0 && now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await Promise.race([ctx.pending.drained(), new Promise((r) => setTimeout(r, Math.max(0, deadline - now())).unref())]);
      ctx.pending.clear();
      await largeReader.stop();
      log.info('gateway stopped');
    },
  };
}
