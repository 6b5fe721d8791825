/**
 * Brokers for tests. RabbitMQ comes from AMQP_URL (CI's `.ci/run` starts one) or from the
 * Testcontainers fallback; without either, RabbitMQ suites are skipped with a visible notice —
 * except under CI=true, where a missing broker fails the run. Each RabbitMQ suite gets its own queue prefix, deleted afterwards.
 */
import amqp from 'amqplib';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { urlAs, type BrokerLogin } from '../../gateway/home/broker-users.ts';
import { EmbeddedBroker } from '../../gateway/transport/embedded.ts';
import { connectRabbit } from '../../gateway/transport/rabbitmq.ts';
import { topologyFor } from '../../gateway/transport/topology.ts';
import type { Transport } from '../../gateway/transport/transport.ts';
import { describeNeeding } from './needs.ts';

/** AMQP_URL, or the container the global setup started (see global-broker.ts). */
export const AMQP_URL = process.env.AMQP_URL || inject('amqpUrl') || undefined;

export interface BrokerHandle {
  readonly kind: 'embedded' | 'rabbitmq';
  readonly prefix: string;
  /** A new client connection, as a separate system process would have. */
  connect(name?: string): Promise<Transport>;
  /** Closes every connection made here and deletes what the suite declared (and `extraQueues`). */
  cleanup(systems?: readonly string[], extraQueues?: readonly string[]): Promise<void>;
}

/** A fresh embedded broker. */
export function embeddedBroker(deliveryLimit = 5, options: { deadLetterMax?: number; replyQueueMax?: number } = {}): BrokerHandle {
  const prefix = 'lgsp';
  const broker = new EmbeddedBroker({ prefix, deliveryLimit, ...options });
  const open: Transport[] = [];
  return {
    kind: 'embedded',
    prefix,
    async connect() {
      const t = broker.connect();
      open.push(t);
      return t;
    },
    async cleanup() {
      await Promise.all(open.map((t) => t.close()));
    },
  };
}

/**
 * A RabbitMQ namespace of its own on AMQP_URL. With `via` (a proxy's URL, see tcp-proxy.ts)
 * the suite's connections go through it; cleanup still talks to the broker directly.
 */
export function rabbitBroker(
  deliveryLimit = 5, via?: string,
  { loginFor, ...options }: { deadLetterMax?: number; replyQueueMax?: number; loginFor?: (name: string) => BrokerLogin | undefined } = {},
): BrokerHandle {
  if (!AMQP_URL) throw new Error('AMQP_URL is not set');
  const direct = AMQP_URL;
  const base = via ?? AMQP_URL;
  const prefix = `lgsp-t${randomBytes(4).toString('hex')}`;
  const open: Transport[] = [];
  return {
    kind: 'rabbitmq',
    prefix,
    async connect(name = 'test') {
      // With `loginFor`, each part logs in as its own broker user (a system id, or 'gateway').
      const login = loginFor?.(name);
      const url = login ? urlAs(base, login) : base;
      const t = await connectRabbit({ url, prefix, deliveryLimit, ...options, name: `${prefix} ${name}`, initialRetries: 3 });
      open.push(t);
      return t;
    },
    async cleanup(systems = [], extraQueues = []) {
      await Promise.all(open.map((t) => t.close()));
      const conn = await amqp.connect(direct);
      const ch = await conn.createChannel();
      const topology = topologyFor(systems, { prefix, deliveryLimit, ...options });
      for (const q of [...topology.queues.map((q) => q.name), ...extraQueues]) await ch.deleteQueue(q);
      for (const e of topology.exchanges) await ch.deleteExchange(e.name);
      await conn.close();
    },
  };
}

/**
 * `describe` for a suite that needs RabbitMQ: runs when AMQP_URL is set, fails under CI=true
 * without it, and is otherwise skipped with a notice saying why.
 */
export function describeRabbit(name: string, body: () => void): void {
  describeNeeding({
    available: AMQP_URL !== undefined,
    inCi: 'CI=true but AMQP_URL is not set: RabbitMQ tests must run in CI (see .ci/run)',
    notice: 'no RabbitMQ — set AMQP_URL=amqp://localhost to run it.',
    missing: 'AMQP_URL not set',
    placeholder: 'needs RabbitMQ (AMQP_URL)',
  }, name, body);
}

/**
 * RabbitMQ's management API on AMQP_URL's host is up (tests that make broker users need it):
 * LGSP_MANAGEMENT_URL, else http://<host>:15672 with AMQP_URL's login.
 */
export const MANAGEMENT_URL = process.env.LGSP_MANAGEMENT_URL ?? (AMQP_URL ? `http://${new URL(AMQP_URL).hostname}:15672` : undefined);

async function managementUp(): Promise<boolean> {
  if (!MANAGEMENT_URL || !AMQP_URL) return false;
  const amqp = new URL(AMQP_URL);
  const login = `${decodeURIComponent(amqp.username || 'guest')}:${decodeURIComponent(amqp.password || 'guest')}`;
  try {
    const res = await fetch(`${MANAGEMENT_URL.replace(/\/$/, '')}/api/overview`, { headers: { authorization: `Basic ${Buffer.from(login).toString('base64')}` } });
    return res.ok;
  } catch {
    return false;
  }
}

/** `describeRabbit` for a suite that also needs RabbitMQ's management API (to make broker users). */
export async function describeRabbitManagement(name: string, body: () => void): Promise<void> {
  if (!AMQP_URL || (await managementUp())) {
    describeRabbit(name, body);
    return;
  }
  describeNeeding({
    available: false,
    inCi: `CI=true but RabbitMQ's management API is not at ${MANAGEMENT_URL}: enable it (rabbitmq-plugins enable rabbitmq_management; see .ci/run)`,
    notice: `RabbitMQ's management API is not at ${MANAGEMENT_URL} — rabbitmq-plugins enable rabbitmq_management, or set LGSP_MANAGEMENT_URL.`,
    missing: 'no RabbitMQ management API',
    placeholder: 'needs the management API',
  }, name, body);
}
