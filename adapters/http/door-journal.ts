/**
 * The doors' part of the journal (docs/protocol.md §6): each HTTP request that became a
 * transaction, as it arrived at the door and as it was answered — REST, the DVCQG adapter, the
 * LGSP document APIs, SOAP — with credentials hidden.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Journal } from '../../gateway/ledger/journal.ts';
import type { GatewayError, Violation } from '../../gateway/protocol/errors.ts';
import { DEFAULT_DOOR_PATHS, doorOf, type DoorPaths } from './doors.ts';

const HIDDEN = '(hidden)';
/** Any header whose name says it carries a credential: Authorization, Proxy-Authorization, ApiKey, X-Api-Key, a token, a cookie… */
const SECRET_HEADER = /auth|key|token|secret|cookie|session|passw/i;
const SECRET_FIELDS = new Set(['session', 'password', 'client_secret', 'access_token']);

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

interface DoorLocals {
  refused?: { at: number; detail: { type: string; message: string; violations?: readonly Violation[] } };
}

/** Notes, for the journal, a refusal a door made itself and recorded: its type, message and violations, as the gateway notes its own. */
export function noteRefusedInJournal(res: Response, err: GatewayError, at: number): void {
  (res.locals as DoorLocals).refused = { at, detail: { type: err.type, message: err.message, ...(err.violations && { violations: err.violations }) } };
}

/**
 * Journals what crossed an HTTP door, once its answer is sent, under the transaction the answer
 * names (`res.locals.journalTx`, else the `X-Lgsp-Transaction` header). Nothing without a journal.
 */
export function doorJournal(journal: Journal | undefined, now: () => number, paths: DoorPaths = DEFAULT_DOOR_PATHS): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const door = doorOf(req.path, paths);
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
      const refused = (res.locals as DoorLocals).refused;
      journal.add(tx, [
        { at, door, what: 'request at the door', detail: { method: req.method, url: req.originalUrl, headers: headersOf(req.headers), body: bodyOf(req.body) } },
        // A refusal the door made itself, as the gateway journals its own: what `lgsp check` reads its violations from.
        ...(refused ? [{ at: refused.at, door, what: 'refused' as const, detail: refused.detail }] : []),
        { at: now(), door, what: 'answer at the door', detail: { status: res.statusCode, headers: headersOf(res.getHeaders()), body: bodyOf(sent) } },
      ]);
    });
    next();
  };
}
