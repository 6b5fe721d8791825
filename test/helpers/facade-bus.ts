/**
 * The simulation bus behind an HTTP ingress on a port of its own, as the facade suites need it:
 * the real catalog and mocks, a token issued to each of `systems`, the refusals counted for
 * callers that never proved who they are, and a clock the suite may move (to let credentials expire).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIngress, type IngressDeps } from '../../adapters/http/ingress.ts';
import { issueToken, TokenStore } from '../../adapters/http/tokens.ts';
import type { Catalog } from '../../gateway/catalog/catalog.ts';
import { MemoryJournal } from '../../gateway/ledger/journal.ts';
import type { BrokerHandle } from './broker.ts';
import { startSimulationBus, type SimulationBus } from './simulation-bus.ts';

export interface FacadeBus {
  readonly bus: SimulationBus;
  /** Every transaction's journal, the gateway's and the doors' entries together. */
  readonly journal: MemoryJournal;
  /** The ingress, e.g. http://127.0.0.1:41234 */
  readonly base: string;
  /** A token issued to each system asked for. */
  readonly tokens: Readonly<Record<string, string>>;
  /** Types of the refusals counted (not recorded) for callers that never proved who they are. */
  readonly unauthenticated: readonly string[];
  /** Moves the ingress's clock by `ms` (0 puts it back). */
  setClockOffset(ms: number): void;
  stop(): Promise<void>;
}

export async function startFacadeBus(
  makeBroker: () => BrokerHandle, systems: readonly string[], options: Pick<IngressDeps, 'config' | 'dvcqg'> & { viewCatalog?: (catalog: Catalog) => Catalog } = {},
): Promise<FacadeBus> {
  const broker = makeBroker();
  const journal = new MemoryJournal();
  const { viewCatalog, ...doorOptions } = options;
  const bus = await startSimulationBus(broker, { journal, viewCatalog });
  const home = mkdtempSync(join(tmpdir(), 'lgsp-facade-'));
  const tokens = Object.fromEntries(systems.map((s) => [s, issueToken(home, s).token]));
  const unauthenticated: string[] = [];
  let offset = 0;
  let base: string | undefined;
  const ingress = createIngress({
    transport: await broker.connect('ingress'), catalog: bus.catalog, tokens: new TokenStore(home), keyOf: async (s) => bus.keys.get(s),
    gatewayKey: bus.keys.get(bus.catalog.gateway), record: (r) => bus.ledger.record(r), countUnauthenticated: (t) => unauthenticated.push(t),
    now: () => Date.now() + offset, journal, publicUrl: () => base, ...doorOptions,
  });
  const server = await new Promise<Server>((resolve) => {
    const s = ingress.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    bus, journal, tokens, unauthenticated, base,
    setClockOffset: (ms) => {
      offset = ms;
    },
    async stop() {
      server.close();
      await ingress.close();
      await bus.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * What is missing from the journal of a transaction that came through `door` as a request and was
 * answered by its provider: the door's request and answer, and the gateway's steps between.
 */
export function missingJournalSteps(journal: MemoryJournal, tx: string, door: string): string[] {
  const whats = journal.entries(tx).map((e) => `${e.door}: ${e.what}`);
  return [`${door}: request at the door`, 'amqp: received on the ingress', 'gateway: checks passed', 'amqp: forwarded to the provider',
    'amqp: reply received from the provider', 'gateway: reply checks passed', 'amqp: answer delivered to the client', `${door}: answer at the door`]
    .filter((step) => !whats.includes(step));
}
