/**
 * The doors' part of the journal (docs/protocol.md §6): each HTTP request that became a
 * transaction, as it arrived at the door and as it was answered — REST, the DVCQG adapter, the
 * LGSP document APIs, SOAP — with credentials hidden.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Journal } from '../../gateway/ledger/journal.ts';

const HIDDEN = '(hidden)';
/** Any header whose name says it carries a credential: Authorization, Proxy-Authorization, ApiKey, X-Api-Key, a token, a cookie… */
const SECRET_HEADER = /auth|key|token|secret|cookie|session|passw/i;
const SECRET_FIELDS = new Set(['session', 'password', 'client_secret', 'access_token']);

/** Which door a path belongs to. */
function doorOf(path: string): string | undefined {
  if (path.startsWith('/r1/')) return 'http';
  if (path.startsWith('/dvcqg/')) return 'dvcqg';
  if (path.startsWith('/lgsp/')) return 'lgsp';
  if (path.startsWith('/dancu/')) return 'soap';
  return undefined;
}

function headersOf(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, SECRET_HEADER.test(k) ? HIDDEN : v]));
}

/** A body as text, with the secrets of a JSON body hidden. */
function bodyOf(body: unknown): string {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body);
  if (!/^\s*\{/.test(text)) return text;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    for (const key of Object.keys(parsed)) if (SECRET_FIELDS.has(key)) parsed[key] = HIDDEN;
    return JSON.stringify(parsed);
  } catch {
    return text;
  }
}

/**
 * Journals what crossed an HTTP door, once its answer is sent, under the transaction the answer
 * names (`res.locals.journalTx`, else the `X-Lgsp-Transaction` header). Nothing without a journal.
 */
export function doorJournal(journal: Journal | undefined, now: () => number): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const door = doorOf(req.path);
    if (!journal || !door) return next();
    const at = now();
    let sent: unknown;
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      sent ??= body;
      return send(body);
    };
    res.on('finish', () => {
      const tx = res.locals.journalTx ?? res.getHeader('X-Lgsp-Transaction');
      if (typeof tx !== 'string') return;
      journal.add(tx, [
        { at, door, what: 'request at the door', detail: { method: req.method, url: req.originalUrl, headers: headersOf(req.headers), body: bodyOf(req.body) } },
        { at: now(), door, what: 'answer at the door', detail: { status: res.statusCode, headers: headersOf(res.getHeaders()), body: bodyOf(sent) } },
      ]);
    });
    next();
  };
}
