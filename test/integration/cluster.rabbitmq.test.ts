/**
 * The bus on a three-node RabbitMQ cluster of the suite's own (its own node names, ports,
 * databases): the gateway, a provider and a province's client each connect with the URLs of all
 * three nodes, first the node that is stopped under load. The quorum queues are replicated on all
 * three; with one node stopped mid-load, every request is answered, every answer is recorded,
 * and the time until the bus answered again is printed. Then two of the three nodes are stopped
 * together for two minutes (no majority: nothing can be written), with requests sent meanwhile:
 * every process here stays alive, and once the majority is back every request is answered, as
 * recorded, and the bus answers ok again.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GatewayClient, type Reply } from '../../adapters/amqp/client.ts';
import { ServiceProvider } from '../../adapters/amqp/provider.ts';
import { MemoryLedger } from '../../gateway/ledger/ledger.ts';
import { createGateway, type Gateway } from '../../gateway/pipeline/gateway.ts';
import { sha256 } from '../../gateway/protocol/jws.ts';
import { connectRabbit } from '../../gateway/transport/rabbitmq.ts';
import type { Transport } from '../../gateway/transport/transport.ts';
import { CAOBANG, DANCU, fixtureCatalog, GATEWAY, PERSON, VERIFY, verifyHandler } from '../helpers/bus.ts';
import { lateAnswers } from '../helpers/late-answers.ts';
import { describeOwnRabbit, quorumMembers, startRabbitCluster, type RabbitNode } from '../helpers/rabbit-node.ts';
import { longSuite } from '../helpers/needs.ts';

const PREFIX = 'lgsp-cluster';
const REQUESTS = 1200;
/** Every 10 ms, 2 requests: 200 a second, for 6 s. */
const TICK_MS = 10;

const SUITE = 'the bus on a three-node RabbitMQ cluster';
longSuite(SUITE, 'about 150 s', () => describeOwnRabbit(SUITE, () => {
  let nodes: RabbitNode[];
  let gateway: Gateway;
  let provider: ServiceProvider;
  let client: GatewayClient;
  const transports: Transport[] = [];
  const ledger = new MemoryLedger();
  /** Answers that came for no waiting request: a second, different answer would show here. */
  let late = new Map<string, string[]>();

  /** A connection through every node, the stopped one first. */
  async function connect(name: string): Promise<Transport> {
    const [n1, n2, n3] = nodes as [RabbitNode, RabbitNode, RabbitNode];
    const t = await connectRabbit({ url: [n2.url, n3.url, n1.url].join(','), prefix: PREFIX, name });
    transports.push(t);
    return t;
  }

  beforeAll(async () => {
    nodes = await startRabbitCluster(3);
    const { catalog, keys } = await fixtureCatalog();
    gateway = createGateway({ transport: await connect('cluster gateway'), catalog, key: keys.get(GATEWAY)!, ledger });
    await gateway.start();
    provider = await ServiceProvider.start({ transport: await connect('cluster provider'), system: DANCU, key: keys.get(DANCU)!, keys: catalog.keys, gateway: GATEWAY, handlers: { 'citizen.verify/v1': verifyHandler } });
    client = await GatewayClient.connect({ transport: await connect('cluster client'), system: CAOBANG, key: keys.get(CAOBANG)!, keys: catalog.keys, gateway: GATEWAY, timeoutMs: 120_000 });
    late = lateAnswers(client);
  }, 300_000);

  afterAll(async () => {
    await client?.close();
    await provider?.stop();
    await gateway?.stop();
    for (const t of transports) await t.close();
    for (const node of nodes ?? []) await node.stop();
  }, 120_000);

  it('replicates every quorum queue of the bus on all three nodes', async () => {
    const members = await quorumMembers(nodes[0]!, `${PREFIX}.`);
    const all = nodes.map((n) => n.name).sort();
    expect(members.size).toBeGreaterThan(0);
    expect([...members].filter(([, m]) => m.join() !== all.join()).map(([q]) => q)).toEqual([]);
  });

  it('loses nothing when a node stops under load, and answers again within seconds', async () => {
    const replies = new Map<string, Reply>();
    const sent: Promise<void>[] = [];
    let stopped: Promise<void> | undefined;
    let stoppedAt = 0;
    const answeredAt: number[] = [];
    await new Promise<void>((done) => {
      let n = 0;
      const timer = setInterval(() => {
        for (let i = 0; i < 2 && n < REQUESTS; i++, n++) {
          sent.push(client.request(VERIFY, PERSON).then((r) => {
            replies.set(r.envelope.inReplyTo, r);
            answeredAt.push(performance.now());
          }));
        }
        if (!stopped && n >= REQUESTS / 4) {
          stoppedAt = performance.now();
          stopped = nodes[1]!.stopApp(); // the node every connection went to first
        }
        if (n >= REQUESTS) {
          clearInterval(timer);
          done();
        }
      }, TICK_MS);
    });
    await stopped;
    const outcomes = await Promise.allSettled(sent);
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason))).toEqual([]);
    expect(replies.size).toBe(REQUESTS);
    expect([...replies.values()].flatMap((r) => (r.status === 'ok' ? [] : [r.error.type]))).toEqual([]);
    // Every answer is recorded, with the very bytes the client got; no request got a second, different answer.
    await expect.poll(() => ledger.records.filter((r) => r.client === CAOBANG).length, { timeout: 30_000 }).toBe(REQUESTS);
    const byMessage = new Map(ledger.records.map((r) => [r.messageId, r]));
    expect([...replies].filter(([id, r]) => byMessage.get(id)?.responseHash !== sha256(r.jws)).map(([id]) => id)).toEqual([]);
    for (const [id, reply] of replies) for (const copy of late.get(id) ?? []) expect(copy, id).toBe(reply.jws);
    // The bus's pause: the longest time without an answer once the node stopped.
    const after = answeredAt.filter((t) => t >= stoppedAt);
    const pause = Math.max(0, ...after.map((t, i) => t - (i === 0 ? stoppedAt : after[i - 1]!)));
    console.log(`cluster: ${REQUESTS} requests at 200/s, every one answered ok, with the first node of every connection stopped after ${REQUESTS / 4}; `
      + `longest time without an answer after the stop: ${(pause / 1000).toFixed(2)} s`);
  }, 240_000);

  it('keeps every process alive through two minutes without a majority, loses nothing, and answers again once the majority is back', async () => {
    await nodes[1]!.startApp(); // stopped by the test before
    const { catalog, keys } = await fixtureCatalog();
    // An instance of its own: the first client of the province still reads the shared reply queue.
    const patient = await GatewayClient.connect({ transport: await connect('cluster patient client'), system: CAOBANG, instance: 'patient', key: keys.get(CAOBANG)!, keys: catalog.keys, gateway: GATEWAY, timeoutMs: 600_000 });
    try {
      expect((await patient.request(VERIFY, PERSON)).status).toBe('ok');
      await Promise.all([nodes[1]!.stopApp(), nodes[2]!.stopApp()]);
      // Sent while no majority stands: the broker cannot take them until it does.
      const answeredAt: number[] = [];
      const during = Array.from({ length: 40 }, () => patient.request(VERIFY, PERSON).then((r) => (answeredAt.push(performance.now()), r)));
      await new Promise((r) => setTimeout(r, 120_000)); // the fault's length, not a wait for a result
      const returningAt = performance.now();
      await Promise.all([nodes[1]!.startApp(), nodes[2]!.startApp()]);
      const bootedAt = performance.now();
      // Every one answered (none lost), with what the ledger holds; nothing answered without a majority: the fault was real.
      const replies = await Promise.all(during);
      expect(answeredAt.filter((t) => t < returningAt)).toEqual([]);
      await expect.poll(() => replies.filter((r) => ledger.records.some((rec) => rec.messageId === r.envelope.inReplyTo && rec.responseHash === sha256(r.jws))).length, { timeout: 30_000 }).toBe(40);
      // And the bus answers ok again (each process reconnected by itself).
      await expect.poll(async () => (await patient.request(VERIFY, PERSON)).status, { timeout: 120_000, interval: 500 }).toBe('ok');
      const okAgainAt = performance.now();
      // Every connection of the suite comes back by itself (one may still be on its way when the bus answers).
      await expect.poll(() => transports.every((t) => t.isConnected()), { timeout: 60_000, interval: 500 }).toBe(true);
      const secondsAfter = (t: number) => ((t - returningAt) / 1000).toFixed(1);
      const tally = new Map<string, number>();
      for (const r of replies) tally.set(r.status === 'ok' ? 'ok' : r.error.type, (tally.get(r.status === 'ok' ? 'ok' : r.error.type) ?? 0) + 1);
      console.log(`cluster: two of three nodes stopped for 120 s; the 40 requests sent meanwhile all answered (${[...tally].map(([o, n]) => `${o} ${n}`).join(', ')}), `
        + `the first ${secondsAfter(Math.min(...answeredAt))} s and the last ${secondsAfter(Math.max(...answeredAt))} s after the two nodes were started again `
        + `(they took ${secondsAfter(bootedAt)} s to boot); ok again ${secondsAfter(okAgainAt)} s after`);
    } finally {
      await patient.close();
    }
  }, 600_000);
}));
