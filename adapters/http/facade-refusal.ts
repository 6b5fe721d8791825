/**
 * What every facade of a real API does with a refusal it makes itself: recorded in the ledger
 * when the caller proved who it is (a valid session, token or ApiKey), else only counted (as at
 * the REST ingress: anyone could otherwise fill the ledger without credentials); and what a body
 * that could not be read is refused as.
 */
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { TransactionRecord } from '../../gateway/ledger/ledger.ts';
import { doorRefusalRecord } from '../../gateway/ledger/record.ts';
import { GatewayError } from '../../gateway/protocol/errors.ts';
import { sha256 } from '../../gateway/protocol/jws.ts';
import type { BusClients } from './bus-clients.ts';
import { noteRefusedInJournal } from './door-journal.ts';

/** What every facade of a real API is built with: the bus's clients, its body limit, and how to note refusals. */
export interface FacadeDeps extends Omit<RefusalNotes, 'provider'> {
  readonly clients: BusClients;
  readonly maxBytes: number;
  /** Failed authentications one address may make a minute as one system before it is answered 429 (guessing.ts). */
  readonly failedAuthPerMinute: number;
}

export interface RefusalNotes {
  readonly record?: (record: TransactionRecord) => unknown;
  readonly countUnauthenticated?: (type: string) => void;
  /** The facade's name in the ledger. */
  readonly instance: string;
  /** The system the facade's services belong to. */
  readonly provider: string;
  readonly now: () => number;
  readonly log: Logger;
}

/**
 * Records (or counts) a refusal; returns its transaction id when recorded. A refusal of a caller
 * that never proved who it is counts toward its address's failed authentications (guessingLimit).
 */
export async function noteRefusal(notes: RefusalNotes, req: Request, res: Response, err: GatewayError, who?: { system: string; service?: string }): Promise<string | undefined> {
  if (!who) {
    res.locals.authFailed = true;
    notes.countUnauthenticated?.(err.type);
    return undefined;
  }
  const tx = randomUUID();
  const record = doorRefusalRecord({ tx, requestIn: notes.now(), size: Number(req.get('content-length') ?? 0) || 0, instance: notes.instance }, err.type, {
    kind: 'request', client: who.system, service: who.service, provider: notes.provider, requestHash: Buffer.isBuffer(req.body) ? sha256(req.body) : undefined,
  }, notes.now());
  noteRefusedInJournal(res, err, notes.now());
  try {
    await notes.record?.(record);
  } catch (cause) {
    notes.log.error({ err: cause, tx }, 'could not record a refusal');
  }
  return tx;
}

/** What a body that express could not read (too large, unreadable) is refused as. */
export function unreadBody(err: unknown, maxBytes: number): GatewayError {
  if (err instanceof GatewayError) return err;
  return (err as { type?: unknown }).type === 'entity.too.large'
    ? new GatewayError('client.too_large', `Yêu cầu lớn hơn ${maxBytes} byte (the body is larger than ${maxBytes} bytes).`)
    : new GatewayError('client.malformed', 'Không đọc được yêu cầu (the body could not be read).');
}

/** The error middleware that answers an unread body in the facade's own shape, through `refuse`. */
export function refuseUnreadBody(maxBytes: number, refuse: (req: Request, res: Response, err: GatewayError) => Promise<void>) {
  return (err: unknown, req: Request, res: Response, next: (err?: unknown) => void): void => {
    if (res.headersSent) return next(err);
    void refuse(req, res, unreadBody(err, maxBytes));
  };
}
