/**
 * Per-client rate limits for the ingress (express-rate-limit): each calling system gets
 * `perSecond` requests a second; beyond that it is answered `client.rate_limited` (429) with
 * `Retry-After`, through `refuse`, which records it.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { GatewayError } from '../../gateway/protocol/errors.ts';

export function clientRateLimit(perSecond: number, refuse: (req: Request, res: Response, err: GatewayError) => void): RequestHandler {
  return rateLimit({
    windowMs: 1000,
    limit: perSecond,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // The route sets res.locals.client from X-Road-Client (or the token) before this runs.
    keyGenerator: (_req, res) => String(res.locals.client),
    validate: { ip: false, trustProxy: false, xForwardedForHeader: false, keyGeneratorIpFallback: false },
    handler: (req: Request, res: Response, _next: NextFunction) => {
      const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      res.set('Retry-After', String(Math.max(1, Math.ceil(((reset?.getTime() ?? Date.now() + 1000) - Date.now()) / 1000))));
      refuse(req, res, new GatewayError('client.rate_limited', `${String(res.locals.client)} is over its rate of ${perSecond} requests a second.`));
    },
  });
}
