/**
 * The ingress's clients on the bus: one GatewayClient per calling system, opened on first use,
 * each with a reply queue of this ingress's own (instance `http-…`), so several ingresses can run.
 * What they hand over is marked as the HTTP doors' (`x-lgsp-door`): the gateway answers, but does
 * not record, what it refuses before a signature vouched for a caller the door could not prove.
 */
import { randomBytes } from 'node:crypto';
import type { Catalog } from '../../gateway/catalog/catalog.ts';
import type { SigningKey } from '../../gateway/protocol/keys.ts';
import type { Transport } from '../../gateway/transport/transport.ts';
import { GatewayClient } from '../amqp/client.ts';

export class BusClients {
  private readonly clients = new Map<string, Promise<GatewayClient>>();
  readonly instance = `http-${randomBytes(4).toString('hex')}`;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(
    private readonly transport: Transport,
    private readonly catalog: Catalog,
    private readonly keyOf: (system: string) => Promise<SigningKey | undefined>,
    now: () => number,
    timeoutMs?: number,
  ) {
    // The gateway answers every timeout itself; this only guards against a gateway that is gone.
    this.timeoutMs = timeoutMs ?? Math.max(0, ...[...catalog.services.values()].map((s) => s.timeoutMs)) + 5000;
    this.now = now;
  }

  /** The client of `system`, with its signing key when LGSP_HOME holds one. */
  of(system: string): Promise<GatewayClient> {
    let client = this.clients.get(system);
    if (!client) {
      client = (async () => GatewayClient.connect({
        transport: this.transport, system, key: await this.keyOf(system), keys: this.catalog.keys, gateway: this.catalog.gateway,
        instance: this.instance, timeoutMs: this.timeoutMs, now: this.now, door: 'http',
      }))();
      client.catch(() => this.clients.delete(system));
      this.clients.set(system, client);
    }
    return client;
  }

  async close(): Promise<void> {
    const all = await Promise.allSettled(this.clients.values());
    this.clients.clear();
    for (const c of all) if (c.status === 'fulfilled') await c.value.close();
  }
}
