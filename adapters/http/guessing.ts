/**
 * The guessing limit every HTTP door shares (express-rate-limit): failed authentications are
 * counted per (address, claimed system), so that the penalty falls on the failing credential —
 * never on the other systems behind one address (a NAT, a province's proxy), nor on a request
 * whose credential proves what it claims.
 */
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { GatewayError } from '../../gateway/protocol/errors.ts';

/** How a door names who a request claims to be, and whether its credential proves it (cheaply, before the route). */
export interface Claimant {
  /** The system the request claims to be (a header, a login's username…), if it names one. */
  claimedBy(req: Request): string | undefined;
  /** True when the request's credential is valid for what it claims: it is let through, whatever failed before. */
  authenticates?(req: Request): boolean;
}

/**
 * Guessing credentials is slowed, at every door: past `perMinute` failed authentications a minute
 * for one (address, claimed system), `onLimit` answers `client.rate_limited` in the door's own
 * shape. The penalty falls on the failing credential, never on those who authenticate: other
 * systems behind the same address (one NAT or proxy) are not counted with it, and a request whose
 * credential proves its claim is let through. Only refusals a door marks as failed
 * authentications (`res.locals.authFailed`, or a 401) count.
 */
export function guessingLimit(perMinute: number, claimant: Claimant, onLimit: (req: Request, res: Response) => void): RequestHandler {
  return rateLimit({
    windowMs: 60_000, limit: perMinute, legacyHeaders: false, standardHeaders: 'draft-7', skipSuccessfulRequests: true,
    keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? '')} ${claimant.claimedBy(req) ?? '(no claim)'}`,
    skip: (req) => {
      try {
        return claimant.authenticates?.(req) === true;
      } catch {
        return false;
      }
    },
    requestWasSuccessful: (_req, res) => res.locals.authFailed !== true && res.statusCode !== 401,
    handler: onLimit,
  });
}

/** The guessing limit of a facade, its answer a GatewayError in the facade's own shape through `refuse`. */
export function facadeGuessingLimit(perMinute: number, claimant: Claimant, refuse: (req: Request, res: Response, err: GatewayError) => Promise<void>): RequestHandler {
  return guessingLimit(perMinute, claimant, (req, res) => void refuse(req, res, new GatewayError('client.rate_limited',
    `Quá ${perMinute} lần xác thực sai trong một phút cho ${claimant.claimedBy(req) ?? 'yêu cầu không xưng danh'} từ địa chỉ này; hãy đợi một phút `
    + `(more than ${perMinute} failed authentications a minute as ${claimant.claimedBy(req) ?? 'nobody named'} from this address; wait a minute).`)));
}

