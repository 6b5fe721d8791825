/**
 * The real APIs systems already speak, mounted on the ingress port (docs/real-apis.md): the
 * OAuth2 token endpoint, the national portal's adapter, a provincial LGSP's document APIs and
 * the population database's SOAP service — each a facade onto the bus through the ingress's own
 * bus clients, sharing its body limit, ledger, failed-authentication limit and clock.
 */
import type { Router } from 'express';
import express from 'express';
import type { Logger } from 'pino';
import type { Catalog } from '../../gateway/catalog/catalog.ts';
import type { TransactionRecord } from '../../gateway/ledger/ledger.ts';
import { dancuSoap } from '../dancu/soap.ts';
import { dvcqgFacade, type DvcqgConfig } from '../dvcqg/facade.ts';
import { lgspDocuments } from '../lgsp/documents.ts';
import { tokenEndpoint } from '../lgsp/token.ts';
import type { BearerOwner } from './bearer.ts';
import type { BusClients } from './bus-clients.ts';
import type { ExpiringTokens } from './expiring-tokens.ts';
import type { IngressConfig } from './ingress-config.ts';

export interface RealApiDeps {
  readonly catalog: Catalog;
  readonly clients: BusClients;
  readonly config: IngressConfig;
  readonly dvcqg?: Partial<DvcqgConfig>;
  /** The static tokens of `lgsp keys token`: passwords, client secrets and ApiKeys. */
  readonly tokenOwner: BearerOwner;
  readonly accessTokens: ExpiringTokens;
  /** Static tokens and access tokens together, for the bearer doors. */
  readonly bearerOwner: BearerOwner;
  readonly record?: (record: TransactionRecord) => unknown;
  readonly countUnauthenticated?: (type: string) => void;
  readonly now: () => number;
  readonly log: Logger;
  /** Where the doors are reached, for the WSDL's address. */
  readonly publicUrl?: () => string | undefined;
}

export function realApis(deps: RealApiDeps): Router {
  const { catalog, clients, config, tokenOwner, now, log } = deps;
  const facade = (door: string) => ({
    clients, maxBytes: config.maxBytes, record: deps.record, countUnauthenticated: deps.countUnauthenticated,
    instance: `${config.instance.replace(/-http$/, '')}-${door}`, failedAuthPerMinute: config.failedAuthPerMinute, now, log,
  });
  const router = express.Router();
  router.use(tokenEndpoint({
    catalog, accessTokens: deps.accessTokens, secretOwner: tokenOwner, path: config.tokenPath, failedAuthPerMinute: config.failedAuthPerMinute,
    countUnauthenticated: deps.countUnauthenticated,
  }));
  router.use(dvcqgFacade({ ...facade('dvcqg'), catalog, tokenOwner, config: deps.dvcqg }));
  router.use(lgspDocuments({ ...facade('lgsp'), catalog, bearerOwner: deps.bearerOwner, base: config.lgspBase }));
  router.use(dancuSoap({ ...facade('soap'), catalog, tokenOwner, path: config.dancuSoapPath, publicUrl: deps.publicUrl }));
  return router;
}
