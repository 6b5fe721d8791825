/**
 * The project's hostile suite at the HTTP door, run over each transport: generated requests
 * (every bus attack in signed mode, and path, header, token and body tricks), none accepted, none
 * crashing anything, each answered with its expected type — recorded when the caller proved who it
 * is, counted when it did not — and an honest request answered every 100 cases.
 */
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { doorServer, HEADERS_TIMEOUT_MS } from '../../adapters/http/door-server.ts';
import { createIngress, type Ingress } from '../../adapters/http/ingress.ts';
import { issueToken, TokenStore } from '../../adapters/http/tokens.ts';
import type { ErrorType } from '../../gateway/protocol/errors.ts';
import type { BrokerHandle } from './broker.ts';
import { CAOBANG, createTestBus, DANCU, DIENBIEN, PERSON, type TestBus, VERIFY, verifyHandler } from './bus.ts';
import { seededRandom } from '../../mocks/data/random.ts';
import { hostileCases } from './hostile-cases.ts';
import { http, type HttpReply } from './http.ts';

interface HttpCase {
  readonly family: string;
  readonly path: string;
  readonly headers: Array<[string, string]>;
  readonly body: string;
  readonly expected: readonly ErrorType[];
}

export function hostileHttpSuite(makeBroker: () => BrokerHandle, count: number): void {
  let bus: TestBus;
  let ingress: Ingress;
  let server: Server;
  let base: string;
  let home: string;
  let token: string;
  const counted: string[] = [];

  beforeAll(async () => {
    // What the gateway answers without recording for this door's callers is counted as the door's own.
    bus = await createTestBus(makeBroker(), { clientRatePerSecond: 1_000_000 }, (type, door) => void (door === 'http' && counted.push(type)));
    await bus.provider(DANCU, { 'citizen.verify/v1': verifyHandler });
    home = mkdtempSync(join(tmpdir(), 'lgsp-hostile-'));
    token = issueToken(home, CAOBANG).token;
    ingress = createIngress({
      transport: await bus.broker.connect('ingress'), catalog: bus.catalog, tokens: new TokenStore(home), gatewayKey: bus.keys.get('VN/GOV/LGSP/GATEWAY'),
      keyOf: async (system) => bus.keys.get(system), record: (r) => bus.ledger.record(r),
      countUnauthenticated: (type) => void counted.push(type),
      // The suite sends every attack from one address: only the attacks are under test here, not the guessing limit.
      config: { ratePerSecond: 1_000_000, failedAuthPerMinute: 1_000_000 },
    });
    server = await new Promise<Server>((resolve) => {
      const s = doorServer(ingress.app);
      s.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await ingress?.close();
    await bus?.stop();
    await bus?.broker.cleanup([], [`${bus.broker.prefix}.reply.${CAOBANG}#${ingress.instance}`]);
    rmSync(home, { recursive: true, force: true });
  });

  const json = (extra: Array<[string, string]> = []): Array<[string, string]> => [['Content-Type', 'application/json'], ['X-Road-Client', CAOBANG], ['Authorization', `Bearer ${token}`], ...extra];
  const honest = () => http(base, `/r1/${VERIFY}`, { method: 'POST', headers: json(), body: JSON.stringify(PERSON) });

  async function cases(): Promise<HttpCase[]> {
    const rnd = seededRandom(7);
    const used = await Promise.all(Array.from({ length: 20 }, async () => {
      const reply = await honest();
      expect(reply.status).toBe(200);
      return { id: String(reply.headers['x-road-id']) };
    }));
    const bus_ = (await hostileCases(Math.floor(count * 0.6), bus.keys, used as never)).map((c): HttpCase => ({
      family: `signed: ${c.family}`, path: `/r1/${VERIFY}`, headers: [['Content-Type', 'application/jose'], ['X-Road-Client', CAOBANG]], body: c.jws,
      // At the door, headers and path must agree with what the JWS claims: a mismatch is malformed first.
      expected: [...c.expected, 'client.malformed'],
    }));
    const other: Array<() => HttpCase> = [
      () => ({ family: 'body gives a key twice', path: `/r1/${VERIFY}`, headers: json(), body: '{"idNumber":"004190000001","fullName":"A","dateOfBirth":"1990-01-01","fullName":"B"}', expected: ['client.malformed'] }),
      () => ({ family: 'body not an object', path: `/r1/${VERIFY}`, headers: json(), body: ['[1]', '"x"', '1', 'null', '{', ''][Math.floor(rnd() * 6)]!, expected: ['client.malformed'] }),
      () => ({ family: 'body breaks the contract', path: `/r1/${VERIFY}`, headers: json(), body: JSON.stringify({ ...PERSON, idNumber: 'x'.repeat(Math.floor(rnd() * 300)) }), expected: ['client.contract_violation'] }),
      () => ({ family: 'X-Road-Id not a UUID', path: `/r1/${VERIFY}`, headers: json([['X-Road-Id', 'a'.repeat(1 + Math.floor(rnd() * 400))]]), body: JSON.stringify(PERSON), expected: ['client.malformed'] }),
      () => ({ family: 'X-Road-UserId ill-formed', path: `/r1/${VERIFY}`, headers: json([['X-Road-UserId', `u v${'v'.repeat(Math.floor(rnd() * 200))}`]]), body: JSON.stringify(PERSON), expected: ['client.malformed'] }),
      () => ({ family: 'path trick', path: ['/r1/VN/GOV/BCA%2FDANCU/X/citizen.verify/v1', '/r1/VN/GOV/BCA/../DANCU/citizen.verify/v1', '/r1/VN/GOV/BCA/%2e%2e/citizen.verify/v1', '/r1/VN/GOV/BCA/%c0%ae/citizen.verify/v1', '/r1/VN/GOV/BCA/DAN$CU/citizen.verify/v1', '/r1/VN/CITY/BCA/DANCU/citizen.verify/v1', '/r1/VN/GOV/BCA/DANCU/citizen.verify/v1%5C'][Math.floor(rnd() * 7)]!, headers: json(), body: '{}', expected: ['client.malformed'] }),
      () => ({ family: 'unknown service', path: `/r1/${DANCU}/citizen.erase/v${1 + Math.floor(rnd() * 9)}`, headers: json(), body: '{}', expected: ['client.unknown_service'] }),
      () => ({ family: 'X-Road-Client twice', path: `/r1/${VERIFY}`, headers: [...json(), ['X-Road-Client', DIENBIEN]], body: JSON.stringify(PERSON), expected: ['client.malformed'] }),
      () => ({ family: 'X-Road-Client ill-formed', path: `/r1/${VERIFY}`, headers: [['Content-Type', 'application/json'], ['X-Road-Client', ["VN/PROV/CAOBANG/MOTCUA'--", '', 'VN/PROV', 'a'.repeat(300)][Math.floor(rnd() * 4)]!]], body: '{}', expected: ['client.malformed'] }),
      () => ({ family: 'forged token', path: `/r1/${VERIFY}`, headers: [['Content-Type', 'application/json'], ['X-Road-Client', CAOBANG], ['Authorization', `Bearer lgsp_${rnd().toString(36).slice(2)}`]], body: JSON.stringify(PERSON), expected: ['client.unknown_key'] }),
      () => ({ family: 'token in another name', path: `/r1/${VERIFY}`, headers: [['Content-Type', 'application/json'], ['X-Road-Client', DIENBIEN], ['Authorization', `Bearer ${token}`]], body: JSON.stringify(PERSON), expected: ['client.key_mismatch'] }),
      () => ({ family: 'wrong content type', path: `/r1/${VERIFY}`, headers: [['Content-Type', ['text/plain', 'application/xml', 'multipart/form-data'][Math.floor(rnd() * 3)]!], ['X-Road-Client', CAOBANG]], body: 'x', expected: ['client.malformed'] }),
    ];
    const rest = Array.from({ length: count - bus_.length }, (_, i) => other[i % other.length]!());
    return [...bus_, ...rest];
  }

  it(`cuts a connection that trickles its headers (slowloris) at the ${HEADERS_TIMEOUT_MS / 1000} s the README promises, and one that sends nothing, and keeps serving`, async () => {
    const { port } = new URL(base);
    const cut = (send: string) => new Promise<{ seconds: number; answer: string }>((resolve, reject) => {
      const started = performance.now();
      let answer = '';
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(send));
      socket.on('data', (d) => (answer += d));
      socket.on('error', reject);
      socket.on('close', () => resolve({ seconds: (performance.now() - started) / 1000, answer }));
    });
    const [slow, idle] = await Promise.all([cut('POST /r1/VN/GOV/BCA/DANCU/citizen.verify/v1 HTTP/1.1\r\nHost: x\r\nX-Road-Client: '), cut('')]);
    // Cut by the server, with 408 for the one that began a request; not held for Node's default 30 s.
    expect(slow.answer).toMatch(/^HTTP\/1\.1 408/);
    for (const c of [slow, idle]) expect(c.seconds).toBeLessThan(25);
    expect((await honest()).status).toBe(200);
    console.log(`slow headers cut after ${slow.seconds.toFixed(1)} s, an idle connection after ${idle.seconds.toFixed(1)} s (limit ${HEADERS_TIMEOUT_MS / 1000} s, checked every second)`);
  }, 60_000);

  it(`refuses ${count} generated hostile requests, each typed, recorded or counted, and answers an honest one every 100`, async () => {
    const all = await cases();
    const wrong: string[] = [];
    for (let start = 0; start < all.length; start += 100) {
      const batch = all.slice(start, start + 100);
      const countedBefore = counted.length;
      const replies: HttpReply[] = await Promise.all(batch.map((c) => http(base, c.path, { method: 'POST', headers: c.headers, body: c.body })));
      for (const [i, r] of replies.entries()) {
        const c = batch[i]!;
        const type = r.headers['x-road-error'] as ErrorType | undefined;
        if (r.status < 400) wrong.push(`${c.family}: ${r.status}`);
        else if (!type || !c.expected.includes(type)) wrong.push(`${c.family}: ${r.status} ${type}, expected ${c.expected.join(' or ')}`);
        else if (r.json?.type !== type || !/^[0-9a-f-]{36}$/.test(String(r.json?.detail))) wrong.push(`${c.family}: body ${r.text.slice(0, 80)}`);
        else if (!r.headers['x-lgsp-signature']) wrong.push(`${c.family}: not signed by the gateway`);
      }
      // Each refusal is a ledger row, or — for a caller who never proved who it is — one count instead.
      const notRecorded = () => replies.filter((r) => !bus.ledger.records.some((rec) => rec.tx === r.json?.detail)).length;
      try {
        await expect.poll(notRecorded, { timeout: 15_000 }).toBe(counted.length - countedBefore);
      } catch (err) {
        const missing = replies.map((r, i) => [batch[i]!.family, r.headers['x-road-error'], bus.ledger.records.some((rec) => rec.tx === r.json?.detail)]).filter(([, , rec]) => !rec);
        const types = counted.slice(countedBefore);
        console.log(JSON.stringify({ missing: missing.map(([f, t]) => `${f} ${t}`).sort(), counted: [...types].sort() }));
        throw err;
      }
      expect((await honest()).status, `honest request after case ${start + batch.length}`).toBe(200);
    }
    expect(wrong).toEqual([]);
    expect(counted.length).toBeGreaterThan(0); // the unauthenticated families were counted, not recorded
  }, 180_000);
}
