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
