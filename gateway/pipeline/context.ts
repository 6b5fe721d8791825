/** What every step of the pipeline shares: built once by createGateway. */
import type { Logger } from 'pino';
import type { Catalog } from '../catalog/catalog.ts';
import type { GatewayConfig } from '../config.ts';
import type { Journal } from '../ledger/journal.ts';
import type { Ledger, TransactionRecord } from '../ledger/ledger.ts';
import type { Attester } from '../protocol/attestation.ts';
import type { SigningKey } from '../protocol/keys.ts';
import type { Transport } from '../transport/transport.ts';
import type { Availability } from './availability.ts';
import type { PublisherBudget } from './publishers.ts';
import type { ClientRate } from './rate.ts';
import type { PendingRequests } from './pending.ts';
import type { ReplayGuard } from './replay.ts';

export interface PipelineContext {
  readonly catalog: Catalog;
  readonly transport: Transport;
  readonly ledger: Ledger;
  readonly key: SigningKey;
  /** Signs the attestations of each event-loop turn together, with `key`. */
  readonly attester: Attester;
  readonly config: GatewayConfig;
  readonly now: () => number;
  readonly log: Logger;
  readonly replay: ReplayGuard;
  readonly pending: PendingRequests;
  readonly availability: Availability;
  /** Per-client budget on the bus: consumes one message of `client`, throwing `client.rate_limited` when over. */
  readonly rate: ClientRate;
  /** Each publisher's budget of refusals before a signature vouches for it. */
  readonly publishers: PublisherBudget;
  /** Counts a refusal neither recorded nor answered: junk past its publisher's budget, a message no broker user vouches for. */
  readonly onUnrecorded?: (type: string, door: string) => void;
  /** Messages that were waiting in the ingress queue when this gateway started: they get the redelivery grace too. */
  backlog: number;
  /** Called once per finished transaction, after it is recorded. */
  readonly onRecord?: (record: TransactionRecord) => void;
  /** Where each transaction's journal goes, when journaling is on. */
  readonly journal?: Journal;
}

/** A fresh record for a message received at `requestIn`. */
export function newRecord(tx: string, requestIn: number, size: number, instance: string): TransactionRecord {
  return {
    tx, messageId: null, kind: 'unknown', client: null, service: null, provider: null, userId: null, issue: null,
    requestIn, requestOut: null, responseIn: null, responseOut: null, requestSize: size, responseSize: null,
    outcome: 'ok', businessError: null, instance, requestHash: null, responseHash: null,
  };
}
