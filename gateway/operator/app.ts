/**
 * The operator HTTP server (docs/protocol.md §6, default port 8081), apart from the ingress: Prometheus
 * metrics, counts, transactions, service health, liveness and readiness, and the dashboard.
 * Built by a factory; tests call it without opening a port unless the port is the point.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { LedgerReader } from '../ledger/queries.ts';
import type { GatewayMetrics } from './metrics.ts';
import { filterParams, intParam, QueryError } from './query.ts';
import { packageFile } from '../home/package-root.ts';

export interface OperatorDeps {
  /**
   * Reads the SQLite ledger for the transaction pages. Absent when the gateway records in
   * PostgreSQL: those pages then answer 501 and say where the records are.
   */
  readonly reader?: LedgerReader;
  readonly metrics: GatewayMetrics;
  /** Ready when both are true; `ledgerDown` says why the ledger cannot be written while it cannot. */
  readiness(): { broker: boolean; ledger: boolean; ledgerDown?: string };
  readonly now?: () => number;
  /** Message and consumer counts of the bus's queues, dead letters included. */
  queues?(): Promise<QueueDepth[]>;
  /**
   * True for an operator token (`lgsp keys operator-token`). Reading needs none; anything that
   * changes state (PUT, POST, DELETE: faults, refunds) needs one. Without this, changes are refused.
   */
  isOperatorToken?(token: string): boolean;
  /** Connection test runs kept in the state directory (`lgsp check`), newest first, of one system or all. */
  checkRuns?(system?: string): readonly unknown[];
  /** The path of a kept run's report file (`report.html`, `junit.xml`, `report.json`), or undefined. */
  checkReport?(run: string, file: 'report.html' | 'junit.xml' | 'report.json'): string | undefined;
  /** More routes for the process that runs the gateway (e.g. the simulator's fault controls). */
  readonly routes?: express.Router;
}

export interface QueueDepth {
  readonly queue: string;
  /** What the queue is for: `ingress`, `responses`, `inbox`, `replies` or `dead letters`. */
  readonly role: string;
  readonly system?: string;
  readonly messages: number;
  readonly consumers: number;
}

const DASHBOARD = packageFile('gateway', 'operator', 'dashboard');

const JOURNAL_NEEDS_TOKEN = 'the journal holds personal data: send "Authorization: Bearer <operator token>" (lgsp keys operator-token)';

export function createOperatorApp(deps: OperatorDeps): express.Express {
  const now = deps.now ?? Date.now;
  const app = express();
  const hasOperatorToken = (req: Request): boolean => {
    const token = /^Bearer ([A-Za-z0-9._~+/=-]{1,200})$/.exec(req.get('authorization') ?? '')?.[1];
    return Boolean(token && deps.isOperatorToken?.(token));
  };
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));

  app.get('/readyz', (_req, res) => {
    const checks = deps.readiness();
    res.status(checks.broker && checks.ledger ? 200 : 503).json(checks);
  });

  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  const ledgerPages = ['/api/stats', '/api/transactions', '/api/transactions/:tx', '/api/services/health'];
  app.get(ledgerPages, (_req, res, next) => {
    if (deps.reader) return next();
    res.status(501).json({
      error: 'ledger_elsewhere',
      message: "This gateway records in PostgreSQL (--ledger), shared with other gateway instances; the operator server's transaction pages read a SQLite ledger. Query the transactions table there.",
    });
  });
  const reader = () => deps.reader!;

  app.get('/api/stats', (req, res) => {
    const bucketMs = intParam(req.query, 'bucket', 1000, 86_400_000, 10_000)!;
    const filter = filterParams(req.query);
    const window = { ...filter, from: filter.from ?? now() - 3_600_000 };
    const buckets = reader().stats(window, bucketMs);
    const totals = { byClient: {} as Record<string, number>, byService: {} as Record<string, number>, byOutcome: {} as Record<string, number> };
    for (const b of buckets) {
      totals.byClient[b.client ?? 'unknown'] = (totals.byClient[b.client ?? 'unknown'] ?? 0) + b.count;
      totals.byService[b.service ?? 'unknown'] = (totals.byService[b.service ?? 'unknown'] ?? 0) + b.count;
      totals.byOutcome[b.outcome] = (totals.byOutcome[b.outcome] ?? 0) + b.count;
    }
    res.json({ from: window.from, to: window.to ?? now(), bucketMs, buckets, totals, latency: reader().latency({ ...window, from: Math.max(window.from, now() - 60_000) }) });
  });

  app.get('/api/transactions', (req, res) => {
    const limit = intParam(req.query, 'limit', 1, 1000, 50)!;
    const before = intParam(req.query, 'before', 1, Number.MAX_SAFE_INTEGER);
    res.json(reader().transactions(filterParams(req.query), limit, before));
  });

  app.get('/api/transactions/:tx', (req, res) => {
    const tx = req.params.tx;
    const record = /^[0-9a-f-]{36}$/.test(tx) ? reader().transaction(tx) : undefined;
    if (!record) return void res.status(404).json({ error: `no transaction ${tx.slice(0, 64)}` });
    // The journal holds what crossed the doors: personal data. The operator's alone.
    if (!hasOperatorToken(req)) return void res.json({ record, journal: null, journalNeedsToken: JOURNAL_NEEDS_TOKEN });
    res.json({ record, journal: reader().journal(tx) });
  });

  app.get('/api/queues', async (_req, res, next) => {
    try {
      res.json({ queues: deps.queues ? await deps.queues() : [] });
    } catch (err) {
      next(err);
    }
  });

  app.get('/api/checks', (req, res) => {
    const system = typeof req.query.system === 'string' && req.query.system ? req.query.system : undefined;
    res.json({ runs: deps.checkRuns?.(system) ?? [] });
  });

  app.get('/api/checks/:system/:run/:file', (req, res) => {
    const file = req.params.file;
    const path = file === 'report.html' || file === 'junit.xml' || file === 'report.json' ? deps.checkReport?.(`${req.params.system}/${req.params.run}`, file) : undefined;
    if (!path) return void res.status(404).json({ error: 'no such report' });
    // The default state directory is `.lgsp`: a dot-folder send would refuse by default.
    res.sendFile(path, { dotfiles: 'allow' }, (err) => {
      if (err && !res.headersSent) res.status(404).json({ error: 'no such report' });
    });
  });

  app.get('/api/services/health', (_req, res) => void res.json({ at: now(), services: reader().health(now()) }));

  // Read-only without a token: every change is an operator's, with a token of their own; so is
  // reading the admin API, whose requests carry personal data.
  app.use((req, res, next) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && !req.path.startsWith('/admin/')) return next();
    if (hasOperatorToken(req)) return next();
    res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'changes, and the admin API, need "Authorization: Bearer <operator token>" (lgsp keys operator-token)' });
  });
  if (deps.routes) app.use(deps.routes);
  app.use(express.static(DASHBOARD, { index: 'index.html', maxAge: 0 }));

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const bodyError = (err as { type?: unknown }).type;
    if (err instanceof QueryError) res.status(400).json({ error: err.message });
    // A body express could not read: too large (also when it came in chunks), or not JSON.
    else if (bodyError === 'entity.too.large') res.status(413).set('Connection', 'close').json({ error: 'the body is too large' });
    else if (bodyError === 'entity.parse.failed' || bodyError === 'encoding.unsupported' || bodyError === 'charset.unsupported') res.status(400).json({ error: 'the body could not be read as JSON' });
    else res.status(500).json({ error: 'internal error' });
  });
  return app;
}
