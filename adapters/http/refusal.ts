/**
 * What the ingress knows of a request as the edge reads it, and how it answers a refusal made
 * there: with the gateway's error body, signed by the gateway's key when it is at hand, and
 * recorded in the ledger like any transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Catalog } from '../../gateway/catalog/catalog.ts';
import type { TransactionRecord } from '../../gateway/ledger/ledger.ts';
import { errorEnvelope } from '../../gateway/pipeline/answer.ts';
import { doorRefusalRecord } from '../../gateway/ledger/record.ts';
import { noteRefusedInJournal } from './door-journal.ts';
import type { GatewayError } from '../../gateway/protocol/errors.ts';
import { sha256, signJws } from '../../gateway/protocol/jws.ts';
import type { SigningKey } from '../../gateway/protocol/keys.ts';
import { sendGatewayError, type Answered } from './respond.ts';

/** What is known of a request as the edge reads it, kept in `res.locals`. */
export interface Seen {
  requestIn: number;
  client?: string;
  service?: string;
  mode?: 'signed' | 'credential';
  messageId?: string;
  requestHash?: string;
  kind?: 'request' | 'event';
  /** Set once the caller proved who it is (a token of `client`, or a signature of `client`'s key). */
  authenticated?: boolean;
}

export const seen = (res: Response): Seen => res.locals as Seen;

export interface RefusalDeps {
  readonly catalog: Catalog;
  readonly gatewayKey?: SigningKey;
  readonly record?: (record: TransactionRecord) => unknown;
  readonly now: () => number;
  readonly log: Logger;
  /** The ingress's name in the ledger. */
  readonly instance: string;
  /**
   * Counts a refusal of a caller that never proved who it is. Such refusals are answered and
   * counted, not each written to the ledger: anyone could otherwise fill it without credentials.
   */
  readonly countUnauthenticated?: (type: string) => void;
}

/** Builds the function that answers and records a refusal made at the edge. */
export function createRefusal(deps: RefusalDeps): (req: Request, res: Response, err: GatewayError) => Promise<void> {
  const { catalog, now, log } = deps;
  return async (req, res, err) => {
    const s = seen(res);
    const tx = randomUUID();
    const size = Number(req.get('content-length') ?? 0) || 0;
    const provider = s.service && catalog.services.get(s.service)?.provider;
    let signed: string | undefined;
    if (deps.gatewayKey) {
      const about = { recipient: s.client, inReplyTo: s.messageId, service: s.service, requestHash: s.requestHash ?? sha256('') };
      signed = await signJws(errorEnvelope(catalog.gateway, err, tx, about, now()), deps.gatewayKey);
    }
    const record = doorRefusalRecord({ tx, requestIn: s.requestIn ?? now(), size, instance: deps.instance }, err.type, {
      messageId: s.messageId, kind: s.kind, client: s.client, service: s.service, provider: provider || undefined, requestHash: s.requestHash,
    }, now(), signed ? { hash: sha256(signed), size: Buffer.byteLength(signed) } : undefined);
    if (s.authenticated) {
      noteRefusedInJournal(res, err, now());
      try {
        await deps.record?.(record);
      } catch (cause) {
        log.error({ err: cause, tx }, 'could not record a refusal');
      }
    } else {
      deps.countUnauthenticated?.(err.type);
    }
    if (err.type === 'server.internal') log.error({ err: err.cause ?? err, tx, client: s.client, service: s.service }, 'ingress internal error');
    const about: Answered | undefined = s.client && s.service && s.messageId && s.requestHash
      ? { id: s.messageId, client: s.client, service: s.service, requestHash: s.requestHash } : undefined;
    sendGatewayError(res, err.toBody(tx), about, signed);
  };
}
