/**
 * The admin API for users' own tests, on the operator server of `lgsp up` (changes need an operator
 * token, like every change there), after WireMock's and LocalStack's:
 *
 * - `POST /admin/reset`: every fault rule and profile off, and a new start for what is counted;
 * - `POST /admin/faults` `{service, error | latencyMs | outage, client?, after?, calls?, rate?}`:
 *   a fault on one service for the next calls (or a share of them); `GET`, `DELETE` (one or all);
 * - `GET /admin/requests?client=&service=&limit=`: the transactions since the reset, with bodies;
 * - `POST /admin/verify` `{client?, service?, outcome?, businessError?, issue?, userId?, body?, expect?}`:
 *   how many transactions since the reset match, and the nearest that did not, with what differed;
 * - `POST /admin/stubs` `{service, client?, body?, answer: {body} | {error}, scenario?, whenState?, thenState?}`
 *   (or `{stubs: [...]}`): canned answers of a mocked system (mocks/stubs.ts), each answer checked
 *   against the contract now; `GET` (with the scenarios' states), `DELETE` (one or all);
 * - `POST /admin/recordings`: record from now; `GET /admin/recordings`: what was answered since, as
 *   stubs to `POST /admin/stubs` later (a run replayed without the systems that answered it).
 */
import express from 'express';
import type { Catalog } from '../gateway/catalog/catalog.ts';
import { requestBodyOf, type JournalEntry } from '../gateway/ledger/journal.ts';
import type { TransactionRecord } from '../gateway/ledger/ledger.ts';
import { LedgerReader } from '../gateway/ledger/queries.ts';
import { createAjv } from '../gateway/protocol/ajv.ts';
import type { FaultController, FaultRule } from '../mocks/faults.ts';
import type { Stub } from '../mocks/stubs.ts';
import { toViolations } from '../gateway/protocol/ajv.ts';
import { decodeJws } from '../gateway/protocol/jws.ts';

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
const object = { type: 'object', maxProperties: 200 } as const;
const STUB_SCHEMA = {
  type: 'object', additionalProperties: false, required: ['service', 'answer'],
  properties: {
    service: id, client: id, body: { type: 'object', maxProperties: 50 }, scenario: id, whenState: id, thenState: id,
    answer: {
      type: 'object', additionalProperties: false, minProperties: 1, maxProperties: 1,
      properties: {
        body: object,
        error: { type: 'object', additionalProperties: false, required: ['type', 'message'], properties: { type: { type: 'string', maxLength: 100 }, message: { type: 'string', maxLength: 500 } } },
      },
    },
  },
} as const;
const STUBS_SCHEMA = { anyOf: [STUB_SCHEMA, { type: 'object', additionalProperties: false, required: ['stubs'], properties: { stubs: { type: 'array', maxItems: 1000, items: STUB_SCHEMA } } }] } as const;
const ajv = createAjv({ strictRequired: false });
const validStubs = ajv.compile(STUBS_SCHEMA);
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
    deps.faults.stubs.clear();
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

  /** Why a stub cannot be used (undefined: it can). */
  function stubProblem(stub: Stub): string | undefined {
    const service = deps.catalog.services.get(stub.service);
    if (!service) return `no service ${stub.service} in the catalog`;
    if (service.mode === 'event') return `${stub.service} takes events, which get no answer to stub`;
    if ('error' in stub.answer) {
      const { type } = stub.answer.error;
      return service.contract.errors.some((e) => e.type === type) ? undefined : `${stub.service} does not declare ${type}; it declares ${service.contract.errors.map((e) => e.type).join(', ') || 'no business errors'}`;
    }
    const validate = service.contract.validateResponse;
    if (validate && !validate(stub.answer.body)) return `the answer breaks the response contract of ${stub.service}: ${toViolations(validate.errors, '/answer/body').map((v) => `${v.pointer} ${v.message}`).join('; ')}`;
    return undefined;
  }

  router.post('/admin/stubs', (req, res) => {
    if (!validStubs(req.body)) return void res.status(400).json({ error: ajv.errorsText(validStubs.errors, { dataVar: 'stub' }) });
    const given = (req.body as { stubs?: Stub[] }).stubs ?? [req.body as Stub];
    for (const [i, stub] of given.entries()) {
      const problem = stubProblem(stub);
      if (problem) return void res.status(400).json({ error: given.length > 1 ? `stubs[${i}]: ${problem}` : problem });
    }
    const ids = given.map((stub) => deps.faults.stubs.add(stub));
    const added = deps.faults.stubs.list().filter((s) => ids.includes(s.id));
    res.status(201).json(given.length === 1 && !(req.body as { stubs?: unknown }).stubs ? added[0] : { stubs: added });
  });
  router.get('/admin/stubs', (_req, res) => void res.json({ stubs: deps.faults.stubs.list(), scenarios: deps.faults.stubs.scenarios() }));
  router.delete('/admin/stubs/:id', (req, res) => {
    if (!deps.faults.stubs.remove(req.params.id)) return void res.status(404).json({ error: `no stub ${req.params.id.slice(0, 64)}` });
    res.status(204).end();
  });
  router.delete('/admin/stubs', (_req, res) => {
    deps.faults.stubs.clear();
    res.status(204).end();
  });

  let recordingSince: number | undefined;
  router.post('/admin/recordings', (_req, res) => {
    recordingSince = now();
    res.status(201).json({ since: new Date(recordingSince).toISOString() });
  });
  router.get('/admin/recordings', (_req, res) => {
    if (recordingSince === undefined) return void res.status(404).json({ error: 'no recording: POST /admin/recordings starts one' });
    const answered = read().transactions({ from: recordingSince }, LOOK_BACK).items.filter((r) => r.kind === 'request' && r.outcome === 'ok');
    const stubs = answered.reverse().map((r) => recordedStub(r, read().journal(r.tx))).filter((s): s is Stub => s !== undefined);
    res.json({ since: new Date(recordingSince).toISOString(), stubs });
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

/**
 * A recorded transaction as a stub: its service, client and request body, and the answer its
 * provider gave (from the journal's delivered answer); undefined when the journal holds neither.
 */
function recordedStub(r: TransactionRecord, journal: readonly JournalEntry[]): Stub | undefined {
  const body = requestBodyOf(journal);
  const delivered = journal.find((e) => e.what === 'answer delivered to the client')?.detail as { jws?: unknown } | undefined;
  if (!r.service || !r.client || !body || typeof delivered?.jws !== 'string') return undefined;
  let payload: { status?: string; body?: Record<string, unknown>; error?: { type: string; message: string } };
  try {
    payload = decodeJws(delivered.jws).payload as typeof payload;
  } catch {
    return undefined;
  }
  const answer = payload.status === 'ok' && payload.body ? { body: payload.body } : payload.error ? { error: { type: payload.error.type, message: payload.error.message } } : undefined;
  return answer && { service: r.service, client: r.client, body, answer };
}
