/**
 * What every step of the pipeline shares: built once by createGateway. A transaction and the
 * answers it makes need only part of it (TransactionContext, AnswerContext), which this extends:
 * the imports run one way, from here to them.
 */
import type { GatewayConfig } from '../config.ts';
import type { Attester } from '../protocol/attestation.ts';
import type { Availability } from './availability.ts';
import type { ClientRate } from './rate.ts';
import type { PendingRequest, PendingRequests } from './pending.ts';
import type { ReplayGuard } from './replay.ts';
import type { Transaction, TransactionContext } from './transaction.ts';

/** A request forwarded and waiting for its provider, with its transaction. */
export type Waiting = PendingRequest<Transaction>;

export interface PipelineContext extends TransactionContext {
  /** Signs the attestations of each event-loop turn together, with `key`. */
  readonly attester: Attester;
  readonly config: GatewayConfig;
  readonly replay: ReplayGuard;
  readonly pending: PendingRequests<Transaction>;
  readonly availability: Availability;
  /** Per-client budget on the bus: consumes one message of `client`, throwing `client.rate_limited` when over. */
  readonly rate: ClientRate;
  /** Messages that were waiting in the ingress queue when this gateway started: they get the redelivery grace too. */
  backlog: number;
}
