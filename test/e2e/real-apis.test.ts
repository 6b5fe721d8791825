/**
 * The README's real-API example (examples/real-apis.sh), as a reader runs it beside `npm start`:
 * the national portal's adapter, a provincial LGSP's token and document APIs, and the
 * population database's SOAP service, each answered in its own shape, each call in the ledger.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken, OPERATOR } from '../../adapters/http/tokens.ts';
import { startLgsp, stopLgsp } from '../helpers/lgsp-process.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const home = mkdtempSync(join(tmpdir(), 'lgsp-real-apis-'));
const env: NodeJS.ProcessEnv = { ...process.env, LGSP_HOME: home };
delete env.AMQP_URL;
const run = promisify(execFile);
let up: ChildProcess | undefined;
let ingress: string;
let operator: string;

/** The operator's token: the journal holds personal data. */
let operatorToken: string;

beforeAll(async () => {
  operatorToken = issueToken(home, OPERATOR, 'real-apis test').token;
  const started = await startLgsp(['up', '--ingress-port', '0', '--operator-port', '0', '--rate', '1', '--citizens', '20000'], env,
    /dashboard (http:\/\/\S+)\/; HTTP ingress (http:\/\/\S+);/);
  up = started.child;
  operator = started.match[1]!;
  ingress = started.match[2]!;
}, 60_000);

afterAll(async () => {
  await stopLgsp(up);
  rmSync(home, { recursive: true, force: true });
});

describe('the README’s real-API example', () => {
  it('is shown in the README word for word', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`\`\`\`sh\n${readFileSync(join(ROOT, 'examples/real-apis.sh'), 'utf8')}\`\`\``);
  });

  it('gets an answer in each family’s own shape, each a transaction in the ledger', async () => {
    const { stdout } = await run('bash', ['examples/real-apis.sh'], { cwd: ROOT, env: { ...env, BASE: ingress }, timeout: 60_000 });
    const [dvcqg, lgsp, soap] = stdout.trim().split('\n');
    const portal = JSON.parse(dvcqg!) as { error_code: number; result: { MATTHC: string }[]; transaction: string };
    expect(portal).toMatchObject({ error_code: 0, result: [{ MATTHC: '1.001234' }] });
    const document = JSON.parse(lgsp!) as { success: boolean; transaction: string };
    expect(document.success).toBe(true);
    expect(soap).toMatch(/<TraCuuThongTinCongDanResponse xmlns="http:\/\/dancuquocgia.bca"><MaYeuCau>YC-0001<\/MaYeuCau><MaGiaoDich>([0-9a-f-]{36})<\/MaGiaoDich><CongdanCollection><CongDan><SoDinhDanh>004190000123</);
    const soapTx = /<MaGiaoDich>([0-9a-f-]{36})</.exec(soap!)![1]!;
    for (const [tx, service] of [[portal.transaction, 'VN/GOV/VPCP/DVCQG/LayThuTuc/v1'], [document.transaction, 'VN/GOV/VPCP/DVCQG/Document.SyncDocument/v1'],
      [soapTx, 'VN/GOV/BCA/DANCU/TraCuuThongTinCongDan/v1']]) {
      await expect.poll(async () => (await (await fetch(`${operator}/api/transactions/${tx}`)).json() as { record?: { service: string } }).record?.service).toBe(service);
      // With its journal (on in lgsp up): the request as it arrived at the door, among the gateway's steps.
      const { journal } = await (await fetch(`${operator}/api/transactions/${tx}`, { headers: { Authorization: `Bearer ${operatorToken}` } })).json() as { journal: { door: string; what: string }[] };
      expect(journal.map((e) => e.what)).toEqual(expect.arrayContaining(['request at the door', 'received on the ingress', 'answer at the door']));
    }
  });
});

describe('the real APIs’ places and lifetimes, moved as a client’s configuration expects', () => {
  it('answers where --api-path puts them, says so at start, and keeps no journal with --no-journal', async () => {
    const other = mkdtempSync(join(tmpdir(), 'lgsp-real-apis-moved-'));
    const token = (await run(process.execPath, ['bin/lgsp.mjs', 'keys', 'token', 'VN/PROV/CAOBANG/MOTCUA'], { cwd: ROOT, env: { ...env, LGSP_HOME: other } })).stdout.trim();
    const started = await startLgsp(['up', '--ingress-port', '0', '--operator-port', '0', '--rate', '1', '--citizens', '20000', '--no-journal',
      '--api-path', 'dvcqg-auth=/adapter/login', 'soap=/ws/dancu', '--session-seconds', '60'], { ...env, LGSP_HOME: other }, /real APIs .*\n/);
    try {
      const line = started.match[0];
      expect(line).toMatch(/DVCQG adapter http:\/\/\S+\/adapter\/login, http:\/\/\S+\/dvcqg\/api; .*SOAP http:\/\/\S+\/ws\/dancu \(\?wsdl\)/);
      const at = /DVCQG adapter (http:\/\/[\d.:]+)\//.exec(line)![1]!;
      expect((await fetch(`${at}/ws/dancu?wsdl`)).status).toBe(200);
      expect((await fetch(`${at}/dancu/soap?wsdl`)).status).toBe(404);
      const login = await (await fetch(`${at}/adapter/login`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', dstcode: 'x' }, body: JSON.stringify({ username: 'VN/PROV/CAOBANG/MOTCUA', password: token }),
      })).json() as { error_code: number; expires_in: number };
      expect(login).toMatchObject({ error_code: 0, expires_in: 60 });
    } finally {
      await stopLgsp(started.child);
      rmSync(other, { recursive: true, force: true });
    }
  });
});
