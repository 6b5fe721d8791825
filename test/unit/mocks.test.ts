/** The mocks behave, not answer from a can: what is registered changes what is looked up. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayClient, Reply } from '../../adapters/amqp/client.ts';
import { nationalData } from '../../mocks/data/national.ts';
import { HOTICH, LLTP } from '../../mocks/national/systems.ts';
import { ID_CARD_BEFORE_YEAR, idCardsOf } from '../../mocks/national/dancu.ts';
import { embeddedBroker } from '../helpers/broker.ts';
import { startSimulationBus, type SimulationBus } from '../helpers/simulation-bus.ts';

const body = (r: Reply) => (r.status === 'ok' ? r.body : r.error);

describe('mocked systems', () => {
  let bus: SimulationBus;
  let camau: GatewayClient;

  beforeAll(async () => {
    bus = await startSimulationBus(embeddedBroker(), { resultDelayMs: 200 });
    camau = await bus.client('VN/PROV/CAMAU/MOTCUA');
  });

  afterAll(async () => {
    await bus?.stop();
  });

  it('gives the same citizens for the same seed, with valid ID numbers, among 100,000', () => {
    const a = nationalData(42, 100_000);
    const b = nationalData(42, 100_000);
    expect([...a.citizens.keys()].slice(0, 1000)).toEqual([...b.citizens.keys()].slice(0, 1000));
    expect(a.citizens.size).toBeGreaterThanOrEqual(100_000);
    for (const c of [...a.citizens.values()].slice(0, 2000)) {
      const digit = Number(c.idNumber[3]);
      const year = Number(c.dateOfBirth.slice(0, 4));
      expect(c.idNumber).toMatch(/^(004|011|087|096)[0-3]\d{8}$/);
      expect(digit % 2 === 1 ? 'female' : 'male').toBe(c.sex);
      expect(digit >= 2).toBe(year >= 2000);
      expect(c.idNumber.slice(4, 6)).toBe(c.dateOfBirth.slice(2, 4));
    }
    expect(a.citizens.get('004190000123')?.fullName).toBe('Nông Thị Hoa');
  });

  it('gives older synthetic citizens an old 9-digit ID card, by which the SOAP look-up finds them', async () => {
    const data = nationalData(2025, 2000); // the bus's own citizens (startSimulationBus)
    const { cardOf } = idCardsOf(data);
    const older = [...data.citizens.values()].filter((c) => Number(c.dateOfBirth.slice(0, 4)) < ID_CARD_BEFORE_YEAR);
    expect(older.filter((c) => cardOf.has(c.idNumber)).length).toBeGreaterThan(older.length * 0.9);
    expect([...data.citizens.values()].some((c) => Number(c.dateOfBirth.slice(0, 4)) >= ID_CARD_BEFORE_YEAR && cardOf.has(c.idNumber) && c.idNumber !== '004190000123' && c.idNumber !== '011085000456')).toBe(false);
    const someone = older.find((c) => cardOf.has(c.idNumber) && c.idNumber !== '004190000123')!;
    const card = cardOf.get(someone.idNumber)!;
    expect(card).toMatch(/^\d{9}$/);
    const reply = await camau.request('VN/GOV/BCA/DANCU/TraCuuThongTinCongDan/v1', {
      MaYeuCau: 'YC-0101', MaDVC: '1.001234', MaTichHop: '037', MaCanBo: 'CB-0042', SoCMND: card, HoVaTen: someone.fullName,
      NgayThangNamSinh: { NgayThangNam: someone.dateOfBirth.replaceAll('-', '') },
    }, { userId: 'CB-0042' });
    expect(body(reply)).toMatchObject({ CongDan: [{ SoDinhDanh: someone.idNumber, SoCMND: card }] });
  });

  it('reflects a registered marriage in later marital-status look-ups', async () => {
    const lookup = () => camau.request(`${HOTICH}/marital-status.lookup/v1`, { idNumber: '096195004321', purpose: 'Xác nhận tình trạng hôn nhân' }, { userId: 'CM-0001' });
    expect(body(await lookup())).toMatchObject({ status: 'single' });
    await camau.sendEvent(`${HOTICH}/civil-event.register/v1`, { type: 'marriage', date: '2025-09-02', commune: 'Tân Thành', subject: '096195004321', partner: '011085000456' }, { userId: 'CM-0001' });
    await expect.poll(async () => body(await lookup())).toEqual({ idNumber: '096195004321', status: 'married', since: '2025-09-02', spouse: '011085000456' });
  });

  it('finds a birth once the commune registers it', async () => {
    const lookup = () => camau.request(`${HOTICH}/birth.lookup/v1`, { idNumber: '096325000777' }, { userId: 'CM-0001' });
    expect(body(await lookup())).toMatchObject({ type: 'birth.not_found' });
    await camau.sendEvent(`${HOTICH}/civil-event.register/v1`, {
      type: 'birth', date: '2025-09-01', commune: 'Tân Thành', subject: '096195004321', child: { idNumber: '096325000777', fullName: 'Thạch Thị Ngân', sex: 'female' },
    }, { userId: 'CM-0001' });
    await expect.poll(async () => body(await lookup())).toMatchObject({ fullName: 'Thạch Thị Ngân', placeOfBirth: { province: 'Cà Mau', commune: 'Tân Thành' }, mother: '096195004321' });
  });

  it('answers a certificate request with a ticket, then sends the result to the requesting province', async () => {
    const reply = await camau.request(`${LLTP}/criminal-record.request/v1`, { idNumber: '087092001234', fullName: 'Nguyễn Văn Phúc', purpose: 'Hồ sơ xin việc tại Cà Mau' }, { userId: 'CM-0001' });
    expect(body(reply)).toMatchObject({ state: 'pending', ticket: expect.stringMatching(/^LLTP-/) });
    const ticket = reply.status === 'ok' ? String(reply.body.ticket) : '';
    const delivered = () => bus.ledger.records.find((r) => r.service === 'VN/PROV/CAMAU/MOTCUA/criminal-record.result/v1' && r.client === LLTP && r.outcome === 'ok');
    await expect.poll(delivered, { timeout: 3000 }).toBeDefined();
    const status = await camau.request(`${LLTP}/criminal-record.status/v1`, { ticket });
    expect(body(status)).toMatchObject({ ticket, state: 'issued', certificateNo: expect.stringMatching(/^LLTP\/2025\//) });
  });
});
