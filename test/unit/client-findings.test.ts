/**
 * What `lgsp check` says of a client that misses a step (checker/client.ts): a dossier never
 * reported completed is "not made", not "out of order" because an earlier progress report stood
 * for another step; and the finding names the door the system used (the portal's adapter,
 * `CapNhatTienDoHoSoMC`), not the bus service it did not use.
 */
import { expect, it } from 'vitest';
import { clientChecks } from '../../checker/client.ts';
import { planFor } from '../../checker/plan.ts';
import type { Seen } from '../../checker/traffic.ts';
import { newRecord } from '../../gateway/ledger/record.ts';
import { realCatalog } from '../helpers/simulation-bus.ts';

const SYSTEM = 'VN/PROV/CAOBANG/MOTCUA';
const CODE = '000.00.04.H04-251124-0001';

it('says a missing last progress report is not made — through the door the system used — rather than out of order', async () => {
  const { catalog } = await realCatalog();
  const plan = planFor(SYSTEM, catalog)!;
  let at = Date.now();
  const seen = (client: string, service: string, body?: Record<string, unknown>): Seen => ({
    record: { ...newRecord(`tx-${at}`, (at += 1000), 100, 'test'), client, service, issue: CODE, kind: 'request', messageId: `m-${at}` },
    ...(body && { body }),
  });
  const adapter = (status: string) => ({ data: [{ MaHoSo: CODE, TrangThai: status }] });
  const messages = [
    seen(SYSTEM, 'VN/GOV/VPCP/DVCQG/DongBoHoSoMC/v1', { data: [{ MaHoSo: CODE }] }),
    seen(SYSTEM, 'VN/GOV/VPCP/DVCQG/CapNhatTienDoHoSoMC/v1', adapter('4')),
    seen(SYSTEM, 'VN/GOV/BCA/DANCU/citizen.verify/v1'),
    seen(SYSTEM, 'VN/GOV/BTP/LLTP/criminal-record.request/v1'),
    seen('VN/GOV/BTP/LLTP', `${SYSTEM}/criminal-record.result/v1`),
    // …and no report of it completed.
  ];
  const results = clientChecks(plan, SYSTEM, messages, new Map());
  const scenario = plan.client!.scenarios[0]!.name;
  const failed = results.filter((r) => r.id.startsWith(`client/${scenario}/`) && r.status === 'failed');
  expect(failed.map((r) => r.name)).toEqual([`${scenario}: report it completed`]);
  const { finding } = failed[0]!;
  expect(finding!.message).toMatch(/report it completed: not made for case .* within the window/);
  expect(finding!.message).not.toMatch(/out of order/);
  expect(finding!.fix).toMatch(/CapNhatTienDoHoSoMC/);
});

it('finds the call a fault struck when its mock counted a call made before the check began', async () => {
  const { catalog } = await realCatalog();
  const plan = planFor(SYSTEM, catalog)!;
  const VERIFY = 'VN/GOV/BCA/DANCU/citizen.verify/v1';
  const [first, second] = plan.client!.faults!.filter((f) => f.service === VERIFY);
  let at = Date.now();
  const call = (businessError: string | null, issue: string): Seen => ({
    record: { ...newRecord(`tx-${at}`, (at += 1000), 100, 'test'), client: SYSTEM, service: VERIFY, issue, kind: 'request', messageId: `m-${at}`, outcome: 'ok', businessError },
  });
  // The rules' mock took a call made just before the check (not in `seen`): its second call, the
  // first rule's, is the check's first; the second rule struck the next three.
  const seen = [call('database.unavailable', 'A'), call(null, 'A'), call('database.unavailable', 'B'), call('database.unavailable', 'C'), call('database.unavailable', 'D'), call(null, 'B')];
  const rules = new Map([[first!, { ...first!.inject, service: VERIFY, id: 'r1', seen: 7, affected: 1 }], [second!, { ...second!.inject, service: VERIFY, id: 'r2', seen: 7, affected: 3 }]]);
  const results = clientChecks(plan, SYSTEM, seen, rules);
  const retry = results.find((r) => r.id === `fault/${first!.name}`)!;
  expect(retry.finding?.message).toBeUndefined();
  expect(retry.status).toBe('passed');
  expect(results.find((r) => r.id === `fault/${second!.name}`)!.finding?.message).not.toMatch(/never struck/);
});
