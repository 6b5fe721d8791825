/**
 * Receivers trust only fresh, bound messages, run over each transport: a provider refuses a
 * captured event replayed with its own attestation, or an attestation past the freshness window;
 * a client refuses a gateway-signed error that answers someone else's bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayClient, Unmatched } from '../../adapters/amqp/client.ts';
import { ServiceProvider, type IncomingMessage } from '../../adapters/amqp/provider.ts';
import type { Delivery, Transport } from '../../gateway/transport/transport.ts';
import type { BrokerHandle } from './broker.ts';
import { CAOBANG, createTestBus, DANCU, DVCQG, GATEWAY, PERSON, type TestBus, VERIFY, verifyHandler } from './bus.ts';

const SYNC = `${DVCQG}/dossier.sync/v1`;
const DOSSIER = { dossierCode: 'H04.01-250822-0001', status: 'received' };

export function receiverTrustSuite(makeBroker: () => BrokerHandle): void {
  let bus: TestBus;
  let attacker: Transport;
  let client: GatewayClient | undefined;
  const handled: IncomingMessage[] = [];

  /** What someone holding the broker login reads off the portal's inbox, put back for the portal. */
  async function capture(): Promise<Delivery> {
    const got = new Promise<Delivery>((resolve) => {
      void attacker.consume(attacker.names.inbox(DVCQG), (d) => resolve(d), { prefetch: 1 }).then((c) => (tap = c));
    });
    let tap: { cancel(): Promise<void> } | undefined;
    await expect.poll(() => tap).toBeDefined();
    client ??= await bus.client(CAOBANG);
    await client.sendEvent(SYNC, DOSSIER);
    const d = await got;
    await tap!.cancel();
    d.nack(true); // back to the queue, for the portal
    return d;
  }

  beforeAll(async () => {
    bus = await createTestBus(makeBroker());
    await bus.provider(DANCU, {
      'citizen.verify/v1': async (m) => {
        await new Promise((r) => setTimeout(r, 150)); // time for a forgery to arrive first
        return verifyHandler(m);
      },
    });
    attacker = await bus.broker.connect('attacker');
  });

  afterAll(async () => {
    await attacker?.close();
    await bus?.stop();
  });

  describe('the provider SDK', () => {
    it('refuses a captured event replayed with its own attestation (dead-lettered, not handled again)', async () => {
      const captured = await capture();
      const portal = await bus.provider(DVCQG, { 'dossier.sync/v1': (m) => void handled.push(m) });
      await expect.poll(() => handled).toHaveLength(1);
      const dead: Delivery[] = [];
      await attacker.consume(attacker.names.dead, (d) => {
        dead.push(d);
        d.ack();
      }, { prefetch: 10 });
      await attacker.publish(attacker.names.inbox(DVCQG), captured.body, captured.props);
      await expect.poll(() => dead.length).toBe(1);
      expect(dead[0]!.body.equals(captured.body)).toBe(true);
      expect(handled).toHaveLength(1);
      await portal.stop();
    });

    it('refuses an attestation older than the freshness window', async () => {
      const captured = await capture();
      const late: IncomingMessage[] = [];
      // A portal whose clock reads six minutes on: the attestation it is handed is past the 300 s window.
      const portal = await ServiceProvider.start({
        transport: await bus.broker.connect('late portal'), system: DVCQG, key: bus.keys.get(DVCQG)!, keys: bus.catalog.keys, gateway: GATEWAY,
        handlers: { 'dossier.sync/v1': (m) => void late.push(m) }, now: () => Date.now() + 360_000,
      });
      const info = async () => (await attacker.inspect(attacker.names.inbox(DVCQG)))?.messages;
      await expect.poll(info).toBe(0);
      expect(late).toEqual([]);
      expect(captured.props.headers?.['x-lgsp-attestation']).toEqual(expect.any(String));
      await portal.stop();
    });
  });

  describe('the client SDK', () => {
    it('keeps waiting for its own answer when junk under its request id draws a gateway error to its queue', async () => {
      const victim = await bus.client(CAOBANG, { instance: 'victim' });
      const unmatched: Unmatched[] = [];
      victim.onUnmatched((u) => unmatched.push(u));
      const { envelope, jws } = await victim.sign('request', VERIFY, PERSON);
      const answer = victim.sendSigned(jws, envelope);
      // Only the right to publish to the ingress: junk with the victim's system, request id and reply queue.
      await attacker.publish(attacker.names.ingress, Buffer.from('garbage'), {
        appId: CAOBANG, messageId: envelope.id, replyTo: attacker.names.replies(CAOBANG, 'victim'), type: 'request',
      });
      const reply = await answer;
      expect(reply.status).toBe('ok');
      expect(reply.signedBy).toBe('provider');
      // The forged error did reach the client, which set it aside.
      await expect.poll(() => unmatched.map((u) => u.envelope?.kind === 'response' && u.envelope.status === 'error' ? u.envelope.error.type : 'other')).toContain('client.malformed');
    });
  });
}
