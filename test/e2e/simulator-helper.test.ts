/**
 * The simulator in a user's own tests, imported as a user would (`lgsp-simulator/testing`, through
 * the package's exports map): `startSimulator()` comes up ready, its token calls the ingress, the
 * admin API sets a fault on one service for the next call and counts matching transactions with the
 * near-misses explained, stubs answer in the mocks' place (with scenarios of states), a recording
 * becomes stubs, `lgsp wait` sees the ready file, and `stop()` ends the process and its file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from 'lgsp-simulator/testing';

const ROOT = resolve(import.meta.dirname, '../..');
const CLIENT = 'VN/PROV/CAOBANG/MOTCUA';
const VERIFY = 'VN/GOV/BCA/DANCU/citizen.verify/v1';
const HOA = { idNumber: '004190000123', fullName: 'Nông Thị Hoa', dateOfBirth: '1990-05-14' };

describe('startSimulator() and the admin API', { timeout: 60_000 }, () => {
  let sim: Simulator;
  let token: string;
  beforeAll(async () => {
    sim = await startSimulator();
    token = sim.token(CLIENT);
  }, 60_000);
  afterAll(() => sim?.stop());

  const verify = (body: object) => fetch(`${sim.ingressUrl}/r1/${VERIFY}`, {
    method: 'POST', headers: { 'X-Road-Client': CLIENT, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });

  it('comes up ready: lgsp wait reads its ready file', () => {
    const r = spawnSync(process.execPath, ['bin/lgsp.mjs', 'wait', '--ready-file', join(sim.home, 'ready.json'), '--timeout', '10'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`HTTP ingress ${sim.ingressUrl}`);
  });

  it('sets a fault on one service for the next call only, then counts the calls with near-misses explained', async () => {
    await sim.admin.reset();
    await sim.admin.fault({ service: VERIFY, error: 'database.unavailable', calls: 1 });
    const first = await verify(HOA);
    expect(first.status).toBe(422);
    expect(first.headers.get('x-lgsp-business-error')).toBe('database.unavailable');
    const second = await verify(HOA);
    expect(second.status).toBe(200);
    await expect(second.json()).resolves.toEqual({ match: true, differences: [] });

    const all = await sim.admin.verify({ client: CLIENT, service: VERIFY, expect: 2 });
    expect(all).toMatchObject({ count: 2, ok: true });
    const failed = await sim.admin.verify({ client: CLIENT, service: VERIFY, businessError: 'database.unavailable', body: { idNumber: HOA.idNumber } });
    expect(failed.count).toBe(1);
    const none = await sim.admin.verify({ client: CLIENT, service: VERIFY, body: { idNumber: '001099000001' } });
    expect(none.count).toBe(0);
    expect(none.nearMisses).toHaveLength(2);
    expect(none.nearMisses[0]!.differences).toEqual(['body.idNumber: expected "001099000001", was "004190000123"']);
  });

  it('refuses a fault with an error the service does not declare, saying which it declares', async () => {
    await expect(sim.admin.fault({ service: VERIFY, error: 'tax.unknown' })).rejects.toThrow(/does not declare tax\.unknown; it declares citizen\.not_found, database\.unavailable/);
  });

  it('answers a stub when the request matches, the mock otherwise, and verify counts the stubbed calls', async () => {
    await sim.admin.reset();
    const other = { ...HOA, fullName: 'Nông Thị Hoà' };
    await sim.admin.stub({ service: VERIFY, client: CLIENT, body: { fullName: other.fullName }, answer: { body: { match: false, differences: ['fullName'] } } });
    const stubbed = await verify(other);
    await expect(stubbed.json()).resolves.toEqual({ match: false, differences: ['fullName'] });
    await expect((await verify(HOA)).json()).resolves.toEqual({ match: true, differences: [] }); // the mock's own answer
    expect(await sim.admin.verify({ client: CLIENT, service: VERIFY, body: { fullName: other.fullName }, expect: 1 })).toMatchObject({ count: 1, ok: true });
  });

  it('plays a scenario with states: the first call one answer, the next another', async () => {
    await sim.admin.reset();
    await sim.admin.stub([
      { service: VERIFY, scenario: 'flaky', answer: { error: { type: 'database.unavailable', message: 'down for a moment' } }, thenState: 'back' },
      { service: VERIFY, scenario: 'flaky', whenState: 'back', answer: { body: { match: true, differences: [] } }, thenState: 'back' },
    ]);
    const first = await verify(HOA);
    expect([first.status, first.headers.get('x-lgsp-business-error')]).toEqual([422, 'database.unavailable']);
    const second = await verify(HOA);
    expect(second.status).toBe(200);
    expect(await sim.admin.verify({ service: VERIFY, businessError: 'database.unavailable', expect: 1 })).toMatchObject({ ok: true });
  });

  it('refuses a stub whose answer breaks the service contract, naming the rule', async () => {
    await expect(sim.admin.stub({ service: VERIFY, answer: { body: { match: 'yes' } } })).rejects.toThrow(/breaks the response contract of .*citizen\.verify.*\/answer\/body/);
  });

  it('records what the mocks answered, and replays it as stubs', async () => {
    await sim.admin.reset();
    await sim.admin.record();
    await expect((await verify(HOA)).json()).resolves.toEqual({ match: true, differences: [] });
    await expect.poll(async () => (await sim.admin.recorded()).length).toBe(1);
    const [recorded] = await sim.admin.recorded();
    expect(recorded).toEqual({ service: VERIFY, client: CLIENT, body: HOA, answer: { body: { match: true, differences: [] } } });
    await sim.admin.reset();
    await sim.admin.stub([{ ...recorded!, answer: { body: { match: false, differences: ['fullName'] } } }]);
    await expect((await verify(HOA)).json()).resolves.toEqual({ match: false, differences: ['fullName'] });
  });

  it('stop() ends the process and removes its state directory', async () => {
    const home = sim.home;
    expect(existsSync(join(home, 'ready.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(home, 'ready.json'), 'utf8')).command).toBe('up');
    await sim.stop();
    expect(existsSync(home)).toBe(false);
    await expect(fetch(`${sim.operatorUrl}/healthz`)).rejects.toThrow();
  });
});
