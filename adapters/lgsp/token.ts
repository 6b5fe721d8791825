/**
 * A provincial LGSP's token endpoint: OAuth2 client credentials (RFC 6749 §4.4). `POST /token`
 * with `grant_type=client_credentials` and the client's key and secret in the form body
 * (`client_id`, `client_secret`) or as HTTP Basic (RFC 6749 §2.3.1). The key is the system's id,
 * the secret a token issued to it by `lgsp keys token <system>`. The answer is an expiring bearer
 * token that the X-Road REST ingress, the LGSP document APIs and the facades accept; errors are
 * RFC 6749 §5.2's (`invalid_request`, `invalid_client`, `unsupported_grant_type`).
 */
import { notInRunningCatalog } from '../http/bearer.ts';
import express, { type Request, type Response, type Router } from 'express';
import { guessingLimit } from '../http/guessing.ts';
import type { Catalog } from '../../gateway/catalog/catalog.ts';
import type { ExpiringTokens } from '../http/expiring-tokens.ts';

export interface TokenEndpointDeps {
  readonly catalog: Catalog;
  readonly accessTokens: ExpiringTokens;
  /** The system a client secret (a token of `lgsp keys token`) was issued to. */
  readonly secretOwner: (secret: string) => string | undefined;
  readonly path: string;
  readonly failedAuthPerMinute: number;
  readonly countUnauthenticated?: (type: string) => void;
}

/** The client's key and secret, from HTTP Basic or else the form body (never both: RFC 6749 §2.3). */
function credentialsOf(req: Request, body: Record<string, unknown>): { id?: string; secret?: string; error?: string } {
  const header = req.get('authorization');
  const inBody = body.client_id !== undefined || body.client_secret !== undefined;
  if (header) {
    const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
    if (!m) return { error: 'The Authorization header must be "Basic base64(client_id:client_secret)".' };
    if (inBody) return { error: 'Send the client credentials once: as HTTP Basic or in the body, not both.' };
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { error: 'HTTP Basic must carry "client_id:client_secret".' };
    // RFC 6749 §2.3.1: both are form-urlencoded before Basic encoding.
    return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  }
  return { id: typeof body.client_id === 'string' ? body.client_id : undefined, secret: typeof body.client_secret === 'string' ? body.client_secret : undefined };
}

function oauthError(res: Response, status: number, error: string, description: string): void {
  res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  if (status === 401) res.set('WWW-Authenticate', 'Basic realm="lgsp"');
  res.status(status).json({ error, error_description: description });
}

export function tokenEndpoint(deps: TokenEndpointDeps): Router {
  const router = express.Router();
  // Guessing client secrets is slowed per (address, client_id), as at every door; the right secret
  // goes through. The form is read first: it is small (16 KiB at most).
  const claim = (req: Request) => credentialsOf(req, (req.body ?? {}) as Record<string, unknown>);
  const guessing = guessingLimit(deps.failedAuthPerMinute, {
    claimedBy: (req) => claim(req).id?.slice(0, 200),
    authenticates: (req) => {
      const { id, secret } = claim(req);
      return id !== undefined && secret !== undefined && deps.secretOwner(secret) === id;
    },
  }, (req, res) => {
    deps.countUnauthenticated?.('client.rate_limited');
    oauthError(res, 429, 'slow_down', `More than ${deps.failedAuthPerMinute} failed client authentications a minute as ${claim(req).id?.slice(0, 200) ?? 'no client'} from this address; wait a minute.`);
  });

  router.post(deps.path, express.urlencoded({ extended: false, limit: '16kb' }), guessing, (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!req.is('application/x-www-form-urlencoded')) {
      return oauthError(res, 400, 'invalid_request', 'The token request must be application/x-www-form-urlencoded (RFC 6749 §4.4.2).');
    }
    const grant = body.grant_type;
    if (grant === undefined) return oauthError(res, 400, 'invalid_request', 'grant_type is missing: send grant_type=client_credentials.');
    if (grant !== 'client_credentials') return oauthError(res, 400, 'unsupported_grant_type', `grant_type ${JSON.stringify(grant)} is not supported: send grant_type=client_credentials.`);
    const { id, secret, error } = credentialsOf(req, body);
    if (error) return oauthError(res, 400, 'invalid_request', error);
    if (!id || !secret) return oauthError(res, 400, 'invalid_request', 'client_id and client_secret are missing (in the body, or as HTTP Basic).');
    const owner = deps.secretOwner(secret);
    if (owner && owner === id && !deps.catalog.systems.has(owner)) {
      deps.countUnauthenticated?.('client.unknown_key');
      return oauthError(res, 401, 'invalid_client', notInRunningCatalog(owner));
    }
    if (!owner || owner !== id || !deps.catalog.systems.has(owner)) {
      deps.countUnauthenticated?.('client.unknown_key');
      return oauthError(res, 401, 'invalid_client', 'Unknown client_id or wrong client_secret (client_id is a system id such as VN/PROV/CAOBANG/MOTCUA; its secret a token from lgsp keys token <system>).');
    }
    const { token, expiresAt } = deps.accessTokens.issue(owner);
    res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    res.json({ access_token: token, token_type: 'Bearer', expires_in: deps.accessTokens.lifetimeSeconds, expires_at: new Date(expiresAt).toISOString() });
  });
  return router;
}
