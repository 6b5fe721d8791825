/**
 * Each fault profile of SYSTEMS.md, switched on while the simulator runs, shows up at the
 * client as the right outcome of docs/protocol.md §4, and goes away when switched off.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayClient, Reply } from '../../adapters/amqp/client.ts';
import { FAULT_PROFILES, FaultController } from '../../mocks/faults.ts';
import { DANCU, DVCQG, LLTP, THUE } from '../../mocks/national/systems.ts';
import { embeddedBroker } from '../helpers/broker.ts';
import { startSimulationBus, type SimulationBus } from '../helpers/simulation-bus.ts';

const CAOBANG = 'VN/PROV/CAOBANG/MOTCUA';
const HOA = { idNumber: '004190000123', fullName: 'Nông Thị Hoa', dateOfBirth: '1990-05-14' };
const outcome = (r: Reply) => (r.status === 'ok' ? 'ok' : `${r.signedBy}:${r.error.type}`);

describe('fault profiles', () => {
  let bus: SimulationBus;
  let caobang: GatewayClient;

  beforeAll(async () => {
    bus = await startSimulationBus(embeddedBroker(), { config: { availabilityTtlMs: 20 } });
    caobang = await bus.client(CAOBANG);
  });

  afterEach(() => bus.faults.clear());

  afterAll(async () => {
    await bus?.stop();
  });

  it('names five profiles, each from the reports', () => {
    expect(Object.keys(FAULT_PROFILES)).toEqual(['unstable-national-databases', 'tax-not-connected', 'signatures-out-of-sync', 'slow-links', 'refunds-not-automatic']);
  });

  it('unstable national databases: provider errors, timeouts and outages, each as its error type', async () => {
    const verify = () => caobang.request(`${DANCU}/citizen.verify/v1`, HOA);
    bus.faults.apply('unstable-national-databases');
    // The profile's rates, with the errors made certain one at a time.
    bus.faults.set(DANCU, { ...FAULT_PROFILES['unstable-national-databases']!.systems[DANCU], errorRate: 1, outage: undefined });
    expect(outcome(await verify())).toBe('provider:database.unavailable');
    bus.faults.set(DANCU, { outage: { everyMs: 20, forMs: 60_000 } });
    await new Promise((r) => setTimeout(r, 100));
    expect(outcome(await verify())).toBe('gateway:server.provider_unavailable');
    bus.faults.set(DANCU, { timeoutRate: 1 });
    await new Promise((r) => setTimeout(r, 100));
    expect(outcome(await verify())).toBe('gateway:server.provider_timeout');
    bus.faults.clear(DANCU);
    await new Promise((r) => setTimeout(r, 100));
    expect(outcome(await verify())).toBe('ok');
  }, 20_000);

  it('tax not connected: server.provider_unavailable', async () => {
    bus.faults.apply('tax-not-connected');
    await new Promise((r) => setTimeout(r, 50));
    expect(outcome(await caobang.request(`${THUE}/taxpayer.lookup/v1`, { taxCode: '4800123456' }))).toBe('gateway:server.provider_unavailable');
    bus.faults.clear(THUE);
    await new Promise((r) => setTimeout(r, 50));
    expect(outcome(await caobang.request(`${THUE}/taxpayer.lookup/v1`, { taxCode: '4800123456' }))).toBe('ok');
  });

  it('signatures out of sync: server.provider_bad_signature', async () => {
    bus.faults.apply('signatures-out-of-sync');
    const ticket = () => caobang.request(`${LLTP}/criminal-record.status/v1`, { ticket: 'LLTP-0000000001' });
    expect(outcome(await ticket())).toBe('gateway:server.provider_bad_signature');
    bus.faults.clear(LLTP);
    expect(outcome(await ticket())).toBe('ok');
  });

  it("slow links: a province's slowness reaches the portal as server.provider_timeout", async () => {
    bus.faults.apply('slow-links');
    bus.faults.set('VN/PROV/DIENBIEN/MOTCUA', { latency: { medianMs: 6000, p99Ms: 6001 } });
    const portal = await bus.client(DVCQG);
    const reply = await portal.request('VN/PROV/DIENBIEN/MOTCUA/dossier.receive/v1', {
      portalRef: 'DVC-2508-000500', procedureCode: '1.001234', applicant: { idNumber: '011085000456', fullName: 'Lò Văn Pấng', dateOfBirth: '1985-03-02' },
      submittedAt: '2025-08-22T03:00:00Z',
    }, { userId: 'DVC-SYSTEM' });
    expect(outcome(reply)).toBe('gateway:server.provider_timeout');
  }, 15_000);

  it('refunds not automatic: pending until an officer acts, then refunded', async () => {
    bus.faults.apply('refunds-not-automatic');
    const refund = await caobang.request(`${DVCQG}/payment.refund/v1`, { paymentRef: 'PAY-250701-0042', reason: 'withdrawn' });
    expect(refund.status === 'ok' && refund.body).toEqual({ paymentRef: 'PAY-250701-0042', status: 'refund_pending' });
    const status = async () => {
      const r = await caobang.request(`${DVCQG}/payment.status/v1`, { paymentRef: 'PAY-250701-0042' });
      return r.status === 'ok' ? r.body.status : r.error.type;
    };
    expect(await status()).toBe('refund_pending');
    expect(bus.sim.national.portal.approveRefund('PAY-250701-0042')).toBe(true);
    expect(await status()).toBe('refunded');
  });
});

describe('fault rules on one service', () => {
  const VERIFY = 'VN/GOV/BCA/DANCU/citizen.verify/v1';
  const never = () => 0.99;

  it('lets the first calls through, strikes the next ones, then lets the rest through', () => {
    const faults = new FaultController();
    faults.addRule({ service: VERIFY, error: 'database.unavailable', after: 1, calls: 2 });
    const effects = [1, 2, 3, 4].map(() => faults.take(VERIFY, 'VN/PROV/CAOBANG/MOTCUA', never)?.error);
    expect(effects).toEqual([undefined, 'database.unavailable', 'database.unavailable', undefined]);
    expect(faults.activeRules()[0]).toMatchObject({ seen: 4, affected: 2 });
  });

  it("strikes only the named client's calls and only that service", () => {
    const faults = new FaultController();
    faults.addRule({ service: VERIFY, outage: true, client: 'VN/PROV/CAMAU/MOTCUA' });
    expect(faults.take(VERIFY, 'VN/PROV/CAOBANG/MOTCUA', never)).toBeUndefined();
    expect(faults.take('VN/GOV/BCA/DANCU/citizen.lookup/v1', 'VN/PROV/CAMAU/MOTCUA', never)).toBeUndefined();
    expect(faults.take(VERIFY, 'VN/PROV/CAMAU/MOTCUA', never)).toMatchObject({ outage: true });
  });

  it('strikes a share of the calls by its rate, and a removed rule strikes nothing', () => {
    const faults = new FaultController();
    const id = faults.addRule({ service: VERIFY, latencyMs: 50, rate: 0.5 });
    expect(faults.take(VERIFY, 'x', () => 0.2)).toMatchObject({ latencyMs: 50 });
    expect(faults.take(VERIFY, 'x', () => 0.7)).toBeUndefined();
    faults.removeRule(id);
    expect(faults.take(VERIFY, 'x', () => 0.2)).toBeUndefined();
  });
});
