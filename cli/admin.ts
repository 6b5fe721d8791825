/**
 * The admin API for users' own tests, on the operator server of `lgsp up` (changes need an operator
 * token, like every change there), after WireMock's and LocalStack's:
 *
 * - `POST /admin/reset`: every fault rule and profile off, and a new start for what is counted;
 * - `POST /admin/faults` `{service, error | latencyMs | outage, client?, after?, calls?, rate?}`:
 *   a fault on one service for the next calls (or a share of them); `GET`, `DELETE` (one or all);
 * - `GET /admin/requests?client=&service=&limit=`: the transactions since the reset, with bodies;
 * - `POST /admin/verify` `{client?, service?, outcome?, businessError?, issue?, userId?, body?, expect?}`:
 *   how many transactions since the reset match, and the nearest that did not, with what differed.
 */
import express from 'express';
import type { Catalog } from '../gateway/catalog/catalog.ts';
import { requestBodyOf } from '../gateway/ledger/journal.ts';
import type { TransactionRecord } from '../gateway/ledger/ledger.ts';
import { LedgerReader } from '../gateway/ledger/queries.ts';
import { createAjv } from '../gateway/protocol/ajv.ts';
import type { FaultController, FaultRule } from '../mocks/faults.ts';

const id = { type: 'string', minLength: 1, maxLength: 200 } as const;
const RULE_SCHEMA = {
  type: 'object', additionalProperties: false, required: ['service'], anyOf: [{ required: ['error'] }, { required: ['latencyMs'] }, { required: ['outage'] }],
  properties: {
    service: id, client: id, error: { type: 'string', maxLength: 100 }, latencyMs: { type: 'integer', minimum: 1, maximum: 600_000 }, outage: { const: true },
    after: { type: 'integer', minimum: 0, maximum: 1_000_000 }, calls: { type: 'integer', minimum: 1, maximum: 1_000_000 }, rate: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
  },
} as const;
const VERIFY_SCHEMA = {
  type: 'object', additionalProperties: false,
  properties: {
    client: id, service: id, outcome: id, businessError: id, issue: id, userId: id,
    body: { type: 'object', maxProperties: 50 }, expect: { type: 'integer', minimum: 0 },
  },
} as const;
const ajv = createAjv({ strictRequired: false });
const validRule = ajv.compile(RULE_SCHEMA);
const validVerify = ajv.compile(VERIFY_SCHEMA);

/** Matching looks at the latest transactions since the reset, at most this many. */
const LOOK_BACK = 5000;

type Criteria = Partial<Record<'client' | 'service' | 'outcome' | 'businessError' | 'issue' | 'userId', string>> & { body?: Record<string, unknown>; expect?: number };

export interface Admin {
  readonly router: express.Router;
  close(): void;
}

export function adminRoutes(deps: { faults: FaultController; catalog: Catalog; ledgerFile: string; now?: () => number }): Admin {
  const now = deps.now ?? Date.now;
  let since = now();
  let reader: LedgerReader | undefined;
  const read = () => (reader ??= new LedgerReader(deps.ledgerFile));
  const router = express.Router();
  router.use('/admin', express.json({ limit: '64kb' }));

  router.post('/admin/reset', (_req, res) => {
    deps.faults.clearRules();
    deps.faults.clear();
    since = now();
    res.json({ since: new Date(since).toISOString(), faults: [] });
  });

  router.post('/admin/faults', (req, res) => {
    if (!validRule(req.body)) return void res.status(400).json({ error: ajv.errorsText(validRule.errors, { dataVar: 'rule' }) });
    const rule = req.body as FaultRule;
    const service = deps.catalog.services.get(rule.service);
    if (!service) return void res.status(404).json({ error: `no service ${rule.service} in the catalog` });
    if (rule.error && !service.contract.errors.some((e) => e.type === rule.error)) {
      return void res.status(400).json({ error: `${rule.service} does not declare ${rule.error}; it declares ${service.contract.errors.map((e) => e.type).join(', ') || 'no business errors'}` });
    }
    const ruleId = deps.faults.addRule(rule);
    res.status(201).json(deps.faults.activeRules().find((r) => r.id === ruleId));
  });
  router.get('/admin/faults', (_req, res) => void res.json({ rules: deps.faults.activeRules(), profiles: deps.faults.snapshot() }));
  router.delete('/admin/faults/:id', (req, res) => {
    if (!deps.faults.removeRule(req.params.id)) return void res.status(404).json({ error: `no fault rule ${req.params.id.slice(0, 64)}` });
    res.status(204).end();
  });
  router.delete('/admin/faults', (_req, res) => {
    deps.faults.clearRules();
    res.status(204).end();
  });

  const recent = (): TransactionRecord[] => read().transactions({ from: since }, LOOK_BACK).items;
  const withBody = (r: TransactionRecord) => ({ ...r, body: requestBodyOf(read().journal(r.tx)) ?? null });

  router.get('/admin/requests', (req, res) => {
    const limit = Math.min(Math.max(Number(req.query.limit) || 100, 1), 1000);
    const items = recent().filter((r) => (!req.query.client || r.client === req.query.client) && (!req.query.service || r.service === req.query.service)).slice(0, limit);
    res.json({ since: new Date(since).toISOString(), requests: items.map(withBody) });
  });

  router.post('/admin/verify', (req, res) => {
    if (!validVerify(req.body)) return void res.status(400).json({ error: ajv.errorsText(validVerify.errors, { dataVar: 'criteria' }) });
    const criteria = req.body as Criteria;
    const judged = recent().map((r) => ({ r, differences: differencesOf(criteria, criteria.body ? withBody(r) : { ...r, body: null }) }));
    const matched = judged.filter((j) => j.differences.length === 0);
    const nearMisses = judged.filter((j) => j.differences.length > 0).sort((a, b) => a.differences.length - b.differences.length).slice(0, 5)
      .map((j) => ({ tx: j.r.tx, at: new Date(j.r.requestIn).toISOString(), differences: j.differences }));
    res.json({
      since: new Date(since).toISOString(), count: matched.length, ...(criteria.expect !== undefined && { ok: matched.length === criteria.expect }),
      transactions: matched.map((j) => j.r.tx), nearMisses: matched.length === 0 || criteria.expect !== undefined ? nearMisses : [],
    });
  });

  return { router, close: () => reader?.close() };
}

/** What differs between the criteria and one transaction, in words (empty: it matches). */
function differencesOf(criteria: Criteria, r: TransactionRecord & { body: Record<string, unknown> | null }): string[] {
  const out: string[] = [];
  for (const field of ['client', 'service', 'outcome', 'businessError', 'issue', 'userId'] as const) {
    if (criteria[field] !== undefined && r[field] !== criteria[field]) out.push(`${field}: expected ${JSON.stringify(criteria[field])}, was ${JSON.stringify(r[field])}`);
  }
  for (const [field, value] of Object.entries(criteria.body ?? {})) {
    if (r.body === null) {
      out.push(`body: not kept (the journal is off, or the message was refused before it was read)`);
      break;
    }
    if (JSON.stringify(r.body[field]) !== JSON.stringify(value)) out.push(`body.${field}: expected ${JSON.stringify(value)}, was ${JSON.stringify(r.body[field] ?? null)}`);
  }
  return out;
}
