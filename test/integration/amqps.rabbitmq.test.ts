/**
 * The bus over TLS: a RabbitMQ node of the suite's own with an amqps:// listener presenting a
 * certificate of the state directory's authority (lgsp keys tls). The gateway, a client and a
 * provider connect over TLS trusting that authority, and the broker says their connections are
 * TLS; without the authority, the first connection fails saying what to pass.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureTls } from '../../gateway/home/tls.ts';
import { connectRabbit } from '../../gateway/transport/rabbitmq.ts';
import { topologyFor } from '../../gateway/transport/topology.ts';
import type { Transport } from '../../gateway/transport/transport.ts';
import type { BrokerHandle } from '../helpers/broker.ts';
import { CAOBANG, createTestBus, DANCU, PERSON, verifyHandler, VERIFY, type TestBus } from '../helpers/bus.ts';
import { describeOwnRabbit, startRabbitNode, type RabbitNode } from '../helpers/rabbit-node.ts';

const run = promisify(execFile);

describeOwnRabbit('the bus over amqps://', () => {
  const home = mkdtempSync(join(tmpdir(), 'lgsp-amqps-'));
  let node: RabbitNode;
  let ca: string;
  let bus: TestBus;

  beforeAll(async () => {
    const files = await ensureTls(home);
    ca = readFileSync(files.ca, 'utf8');
    node = await startRabbitNode({ tls: files });
    const open: Transport[] = [];
    const broker: BrokerHandle = {
      kind: 'rabbitmq', prefix: 'lgsp',
      async connect(name = 'test') {
        const t = await connectRabbit({ url: node.tlsUrl!, ca, name: `amqps ${name}` });
        open.push(t);
        return t;
      },
      async cleanup() {
        await Promise.all(open.map((t) => t.close()));
      },
    };
    bus = await createTestBus(broker);
  }, 120_000);

  afterAll(async () => {
    await bus?.stop();
    await node?.stop();
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it('carries a request and its reply with every connection on TLS', async () => {
    await bus.provider(DANCU, { 'citizen.verify/v1': verifyHandler });
    const client = await bus.client(CAOBANG);
    const reply = await client.request(VERIFY, { ...PERSON }, { userId: 'CB-0042' });
    expect(reply.status).toBe('ok');
    // The node is the suite's own: every connection on it is one of the suite's.
    const { stdout } = await run('rabbitmqctl', ['-n', node.name, '-q', '--no-table-headers', 'list_connections', 'ssl', 'ssl_protocol']);
    const rows = stdout.trim().split('\n');
    expect(rows.length).toBeGreaterThanOrEqual(3); // the gateway, the provider, the client
    for (const row of rows) expect(row).toMatch(/^true\ttlsv1\.[23]$/);
  });

  it('refuses a broker certificate from an authority nobody passed, naming --amqp-ca', async () => {
    await expect(connectRabbit({ url: node.tlsUrl!, initialRetries: 0 })).rejects.toThrow(/certificate this machine does not trust .*--amqp-ca/);
  });

  it('keeps the topology the same over TLS', async () => {
    const t = await connectRabbit({ url: node.tlsUrl!, ca });
    for (const q of topologyFor([DANCU]).queues) expect(await t.inspect(q.name), q.name).toBeDefined();
    await t.close();
  });
});
