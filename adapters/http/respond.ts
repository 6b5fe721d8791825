/**
 * How the ingress answers (docs/protocol.md §7): a provider's reply as its JSON body, or as its JWS with
 * `Accept: application/jose`, with the X-Road and X-Lgsp headers; a gateway error as the
 * status and body of docs/protocol.md §4 with `X-Road-Error`.
 */
import type { Request, Response } from 'express';
import type { ErrorBody } from '../../gateway/protocol/errors.ts';
import { ERROR_CATALOGUE, isGatewayErrorType } from '../../gateway/protocol/errors.ts';
import type { Reply } from '../amqp/client.ts';

/** The status for a business error the provider declared (the request was understood; the answer is no). */
export const BUSINESS_ERROR_STATUS = 422;

/** What the answered request was. */
export interface Answered {
  readonly id: string;
  readonly client: string;
  readonly service: string;
  readonly requestHash: string;
}

function wantsJose(req: Request): boolean {
  return req.accepts(['application/json', 'application/jose']) === 'application/jose';
}

function setCommonHeaders(res: Response, about: Answered | undefined, tx: string | undefined): void {
  if (about) {
    res.set({ 'X-Road-Id': about.id, 'X-Road-Client': about.client, 'X-Road-Service': about.service, 'X-Road-Request-Hash': about.requestHash });
  }
  if (tx) res.set('X-Lgsp-Transaction', tx);
}

/** A gateway error: its status, `X-Road-Error`, the JSON error body, and its signed form when there is one. */
export function sendGatewayError(res: Response, error: ErrorBody, about?: Answered, signed?: string): void {
  const status = isGatewayErrorType(error.type) ? ERROR_CATALOGUE[error.type].status : 500;
  setCommonHeaders(res, about, error.detail);
  res.set('X-Road-Error', error.type);
  if (signed) res.set('X-Lgsp-Signature', signed);
  res.status(status).json(error);
}

/** An event the gateway checked, forwarded to its provider and recorded (its receipt's transaction). */
export function sendAccepted(res: Response, about: Answered, tx: string | undefined): void {
  setCommonHeaders(res, about, tx);
  res.status(202).json({ id: about.id, status: 'accepted' });
}

/** A verified reply from the bus: the provider's answer, or the gateway's error. */
export function sendReply(req: Request, res: Response, reply: Reply, about: Answered): void {
  if (reply.status === 'error' && reply.signedBy === 'gateway') {
    sendGatewayError(res, reply.error, about, reply.jws);
    return;
  }
  setCommonHeaders(res, about, reply.tx);
  res.set('X-Lgsp-Signature', reply.jws);
  if (reply.attestation) res.set('X-Lgsp-Attestation', reply.attestation);
  if (reply.status === 'error') res.set('X-Lgsp-Business-Error', reply.error.type);
  res.status(reply.status === 'ok' ? 200 : BUSINESS_ERROR_STATUS);
  if (wantsJose(req)) res.type('application/jose').send(reply.jws);
  else res.json(reply.status === 'ok' ? reply.body : reply.error);
}
