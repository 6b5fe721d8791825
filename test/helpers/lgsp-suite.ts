/**
 * A provincial LGSP's token endpoint and document APIs, called as a one-stop system's LGSP client
 * calls them: every request below is written from ../shared/REAL-APIS.md §2 in this file (plain
 * fetch, form-encoded token requests, JSON documents), not built with the project's helpers. Run
 * over each transport: OAuth2 client credentials (RFC 6749 §4.4) give expiring bearer tokens that
 * the document APIs and the X-Road REST ingress accept; every accepted call is in the ledger.
 */
import { OPERATOR } from '../../adapters/http/tokens.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerHandle } from './broker.ts';
import { missingJournalSteps, startFacadeBus, type FacadeBus } from './facade-bus.ts';
import type { SimulationBus } from './simulation-bus.ts';

const CAOBANG = 'VN/PROV/CAOBANG/MOTCUA';
const DIENBIEN = 'VN/PROV/DIENBIEN/MOTCUA';
const ACCESS_TOKEN_SECONDS = 300;

/** A document as an LGSP client sends it to Document/SyncDocument (UTC dates; null until set). */
function document(code: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    DocTypeCode: '1.001234', DocTypeName: 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam', DocCode: code, CitizenName: 'NÔNG THỊ HOA',
    ApplicantsId: '004190000123', ApplicantsType: 1, Compendium: 'Cấp phiếu LLTP số 1', DateReceived: '2025-11-24T02:00:00Z',
    DateAppointed: '2025-12-01T10:00:00Z', IsSuccess: false, IsReturned: false, ReturnedType: null, FinishedDate: null, ...overrides,
  };
}

export function lgspSuite(makeBroker: () => BrokerHandle): void {
  let f: FacadeBus;
  let bus: SimulationBus;
  let base: string;
  let secrets: Readonly<Record<string, string>>;

  beforeAll(async () => {
    f = await startFacadeBus(makeBroker, [CAOBANG, DIENBIEN, OPERATOR], { config: { accessTokenSeconds: ACCESS_TOKEN_SECONDS } });
    ({ bus, base } = f);
    secrets = f.tokens;
  });

  afterAll(async () => {
    await f?.stop();
  });

  async function tokenRequest(form: Record<string, string>, headers: Record<string, string> = {}) {
    const res = await fetch(`${base}/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() });
    return { status: res.status, headers: res.headers, json: await res.json() as any };
  }

  async function accessToken(system = CAOBANG): Promise<string> {
    const { status, json } = await tokenRequest({ grant_type: 'client_credentials', client_id: system, client_secret: secrets[system]! });
    expect(status).toBe(200);
    return json.access_token as string;
  }

  async function api(path: string, body: unknown, token?: string) {
    const res = await fetch(`${base}/lgsp/Document/${path}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', ...(token !== undefined && { Authorization: `Bearer ${token}` }) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, json: await res.json() as any };
  }

  describe('POST /token (OAuth2 client credentials)', () => {
    it('issues an expiring bearer token for credentials in the body', async () => {
      const { status, headers, json } = await tokenRequest({ grant_type: 'client_credentials', client_id: CAOBANG, client_secret: secrets[CAOBANG]! });
      expect(status).toBe(200);
      expect(json).toMatchObject({ access_token: expect.stringMatching(/^[\w-]{20,}$/), token_type: 'Bearer', expires_in: ACCESS_TOKEN_SECONDS });
      expect(headers.get('cache-control')).toBe('no-store');
    });

    it('issues one for credentials as HTTP Basic (each part form-encoded, RFC 6749 §2.3.1)', async () => {
      const basic = Buffer.from(`${encodeURIComponent(CAOBANG)}:${encodeURIComponent(secrets[CAOBANG]!)}`).toString('base64');
      const { status, json } = await tokenRequest({ grant_type: 'client_credentials' }, { Authorization: `Basic ${basic}` });
      expect(status).toBe(200);
      expect(json.token_type).toBe('Bearer');
    });

    it.each([
      ['a wrong secret', { grant_type: 'client_credentials', client_id: CAOBANG, client_secret: 'lgsp_wrong' }, 401, 'invalid_client'],
      ["another system's secret", { grant_type: 'client_credentials', client_id: CAOBANG, client_secret: 'DIENBIEN' }, 401, 'invalid_client'],
      ['no grant_type', { client_id: CAOBANG, client_secret: 'x' }, 400, 'invalid_request'],
      ['another grant type', { grant_type: 'password', username: CAOBANG, password: 'x' }, 400, 'unsupported_grant_type'],
      ['no client secret', { grant_type: 'client_credentials', client_id: CAOBANG }, 400, 'invalid_request'],
    ] as Array<[string, Record<string, string>, number, string]>)('refuses %s with RFC 6749 §5.2 error %s', async (_, form, status, error) => {
      const sent = form.client_secret === 'DIENBIEN' ? { ...form, client_secret: secrets[DIENBIEN]! } : form;
      const reply = await tokenRequest(sent);
      expect({ status: reply.status, error: reply.json.error }).toEqual({ status, error });
      expect(reply.json.error_description).toEqual(expect.any(String));
      if (status === 401) expect(reply.headers.get('www-authenticate')).toMatch(/^Basic/);
    });

    it("slows a guesser of one system's secret, and lets that system's right secret and other systems through from the same address", async () => {
      const guesses = [];
      for (let i = 0; i < 32; i++) guesses.push(await tokenRequest({ grant_type: 'client_credentials', client_id: DIENBIEN, client_secret: `lgsp_guess-${i}` }));
      expect(guesses.at(-1)).toMatchObject({ status: 429, json: { error: 'slow_down' } });
      expect((await tokenRequest({ grant_type: 'client_credentials', client_id: DIENBIEN, client_secret: secrets[DIENBIEN]! })).status).toBe(200);
      expect((await tokenRequest({ grant_type: 'client_credentials', client_id: CAOBANG, client_secret: 'lgsp_wrong' })).status).toBe(401);
      expect((await tokenRequest({ grant_type: 'client_credentials', client_id: CAOBANG, client_secret: secrets[CAOBANG]! })).status).toBe(200);
    });

    it('refuses a JSON token request, naming the form encoding', async () => {
      const res = await fetch(`${base}/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials' }) });
      expect(await res.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/x-www-form-urlencoded/) });
    });
  });

  describe('the bearer token at every door', () => {
    it('is accepted by the X-Road REST ingress in credential mode', async () => {
      const res = await fetch(`${base}/r1/VN/GOV/BCA/DANCU/citizen.verify/v1`, {
        method: 'POST', headers: { Authorization: `Bearer ${await accessToken()}`, 'X-Road-Client': CAOBANG, 'Content-Type': 'application/json' },
        body: JSON.stringify({ idNumber: '004190000123', fullName: 'Nông Thị Hoa', dateOfBirth: '1990-05-14' }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ match: true, differences: [] });
    });

    it("refuses the operator's token at the document APIs with 401 (it is no system's), not a later timeout", async () => {
      const doc = await api('SyncDocument', document('000.00.04.H04-251124-0509'), secrets[OPERATOR]!);
      expect(doc.status).toBe(401);
      expect(doc.json).toMatchObject({ success: false, type: 'client.unknown_key', message: expect.stringMatching(/not a system's of this bus/) });
    });

    it('says it expired, and when, at the document APIs and the REST ingress (RFC 6750 invalid_token)', async () => {
      const token = await accessToken();
      f.setClockOffset((ACCESS_TOKEN_SECONDS + 1) * 1000);
      try {
        const doc = await api('SyncDocument', document('000.00.04.H04-251124-0501'), token);
        expect(doc.status).toBe(401);
        expect(doc.headers.get('www-authenticate')).toMatch(/^Bearer realm="lgsp", error="invalid_token", error_description="The access token expired at .*"$/);
        expect(doc.json).toMatchObject({ success: false, type: 'client.unknown_key', message: expect.stringMatching(/expired at/) });
        const rest = await fetch(`${base}/r1/VN/GOV/BCA/DANCU/citizen.verify/v1`, {
          method: 'POST', headers: { Authorization: `Bearer ${token}`, 'X-Road-Client': CAOBANG, 'Content-Type': 'application/json' }, body: '{}',
        });
        expect(rest.status).toBe(401);
        expect(rest.headers.get('www-authenticate')).toMatch(/error="invalid_token", error_description="The access token expired at/);
      } finally {
        f.setClockOffset(0);
      }
    });

    it('refuses a forged token and no token with 401 and the Bearer challenge', async () => {
      const forged = await api('SyncDocument', document('000.00.04.H04-251124-0502'), 'forged-token');
      expect(forged.status).toBe(401);
      expect(forged.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      const none = await api('SyncDocument', document('000.00.04.H04-251124-0502'));
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="lgsp"');
    });

    it("refuses another system's token for a client at the REST ingress (client.key_mismatch)", async () => {
      const res = await fetch(`${base}/r1/VN/GOV/BCA/DANCU/citizen.verify/v1`, {
        method: 'POST', headers: { Authorization: `Bearer ${await accessToken(DIENBIEN)}`, 'X-Road-Client': CAOBANG, 'Content-Type': 'application/json' }, body: '{}',
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('x-road-error')).toBe('client.key_mismatch');
    });
  });

  describe('Document/SyncDocument and Document/UpdateDocumentTraces', () => {
    it('synchronises a dossier and records its steps, each call a transaction in the ledger', async () => {
      const token = await accessToken();
      const code = '000.00.04.H04-251124-0503';
      const synced = await api('SyncDocument', document(code), token);
      expect(synced).toMatchObject({ status: 200, json: { success: true, data: { DocCode: code } } });
      const trace = await api('UpdateDocumentTraces', { DocumentId: '1', DocCode: code, UserName: 'hoangvannam', DateCreated: '2025-11-24T03:00:00Z', Comment: 'Thẩm định', Status: 4, OrganizationInchargeIdLevel1: '000.00.04.H04' }, token);
      expect(trace).toMatchObject({ status: 200, json: { success: true, data: { DocCode: code, Traces: 1 } } });
      for (const [answer, api] of [[synced, 'SyncDocument'], [trace, 'UpdateDocumentTraces']] as const) {
        expect(bus.ledger.records.find((r) => r.tx === answer.json.transaction)).toMatchObject({ client: CAOBANG, service: `VN/GOV/VPCP/DVCQG/Document.${api}/v1`, outcome: 'ok' });
        await expect.poll(() => missingJournalSteps(f.journal, answer.json.transaction, 'lgsp')).toEqual([]);
      }
      const headers = (f.journal.entries(synced.json.transaction).find((e) => e.what === 'request at the door')!.detail as { headers: Record<string, string> }).headers;
      expect(headers.authorization).toBe('(hidden)');
    });

    it('takes a dossier code outside the national form and a numeric DocumentId, as clients send them, with a warning of each', async () => {
      const token = await accessToken();
      const code = '000.00.04.H04-HS2511240601';
      const synced = await api('SyncDocument', document(code), token);
      expect(synced).toMatchObject({ status: 200, json: { success: true, data: { DocCode: code } } });
      expect(synced.json.warnings).toEqual([expect.stringMatching(/DocCode .* a stricter LGSP may refuse it/)]);
      const trace = await api('UpdateDocumentTraces', { DocumentId: 1, DocCode: code, UserName: 'hoangvannam', DateCreated: '2025-11-24T03:00:00Z', Status: 4 }, token);
      expect(trace).toMatchObject({ status: 200, json: { success: true, data: { DocCode: code, Traces: 1 } } });
      expect(trace.json.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/DocumentId is a number; a stricter LGSP may take only text/)]));
      // …and what was answered, warnings and all, is in the journal.
      await expect.poll(() => JSON.stringify(f.journal.entries(trace.json.transaction).find((e) => e.what === 'answer at the door')?.detail ?? null)).toMatch(/DocumentId is a number/);
      const plain = await api('SyncDocument', document('000.00.04.H04-251124-0602'), token);
      expect(plain.json).not.toHaveProperty('warnings');
    });

    it("answers the portal's \"no\" with 422 and its type: a step on an unknown dossier, another agency's dossier code", async () => {
      const token = await accessToken();
      const unknown = await api('UpdateDocumentTraces', { DocCode: '000.00.04.H04-250101-9999', UserName: 'x', DateCreated: '2025-11-24T03:00:00Z', Status: 4 }, token);
      expect(unknown).toMatchObject({ status: 422, json: { success: false, type: 'document.not_found' } });
      const foreign = await api('SyncDocument', document('000.00.11.H12-251124-0001'), token);
      expect(foreign).toMatchObject({ status: 422, json: { success: false, type: 'document.wrong_agency' } });
    });

    it.each(['DocTypeCode', 'DocCode', 'CitizenName', 'ApplicantsType', 'DateReceived'])('names the missing required field %s', async (field) => {
      const doc = document('000.00.04.H04-251124-0504');
      delete doc[field];
      const { status, json } = await api('SyncDocument', doc, await accessToken());
      expect(status).toBe(400);
      expect(json.violations).toContainEqual({ field, rule: 'thiếu trường bắt buộc (a required field is missing)' });
      expect(bus.ledger.records.find((r) => r.tx === json.transaction)?.outcome).toBe('client.contract_violation');
    });

    it.each([
      ['DateReceived', '24/11/2025 09:00', 'phải theo định dạng yyyy-MM-ddTHH:mm:ssZ (must be a date and time such as 2025-11-24T02:00:00Z)'],
      ['ApplicantsType', 5, 'không phải một giá trị được phép (not one of the allowed values)'],
      ['ApplicantsType', '1', 'không phải một giá trị được phép (not one of the allowed values)'],
    ])('names the rule %s = %j breaks', async (field, value, rule) => {
      const { status, json } = await api('SyncDocument', document('000.00.04.H04-251124-0505', { [field]: value }), await accessToken());
      expect(status).toBe(400);
      expect(json.violations).toContainEqual({ field, rule });
    });

    it.each([
      ['not JSON', 'DocCode=1', 400],
      ['a key given twice', '{"DocCode":"a","DocCode":"b"}', 400],
      ['10,000 nested arrays', `{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, 400],
      ['a 2 MiB body', JSON.stringify({ DocCode: 'x'.repeat(2 * 1024 * 1024) }), 413],
    ])('answers hostile input (%s) with its status, the process unharmed', async (_, body, status) => {
      const token = await accessToken();
      const reply = await api('SyncDocument', body, token);
      expect(reply.status).toBe(status);
      expect(reply.json.success).toBe(false);
      expect((await api('SyncDocument', document('000.00.04.H04-251124-0506'), token)).status).toBe(200);
    });
  });
}
