/** What the command line prints about transactions: outcomes in three kinds, local times, fixed columns. */
import { describe, expect, it } from 'vitest';
import { fit, line, localTime } from '../../cli/commands/watch.ts';
import { Summary } from '../../cli/summary.ts';
import type { TransactionRecord } from '../../gateway/ledger/ledger.ts';

const RECORD: TransactionRecord = {
  tx: '6edc9bbc-c24f-434a-81d5-235544227ec1', messageId: 'm', kind: 'request', client: 'VN/PROV/CAOBANG/MOTCUA',
  service: 'VN/GOV/BCA/DANCU/citizen.verify/v1', provider: 'VN/GOV/BCA/DANCU', userId: null, issue: null,
  requestIn: Date.UTC(2025, 5, 28, 3, 0, 0, 5), requestOut: null, responseIn: null, responseOut: Date.UTC(2025, 5, 28, 3, 0, 0, 47),
  requestSize: 500, responseSize: 400, outcome: 'ok', businessError: null, instance: 'test', requestHash: null, responseHash: null,
};

const stream = { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream;

describe('the live summary', () => {
  it('shows a provider’s declared error (an unreachable database behind a bridge) as business:<type>, never as ok', () => {
    const summary = new Summary(stream);
    summary.add(RECORD);
    summary.add({ ...RECORD, businessError: 'database.unavailable' });
    summary.add({ ...RECORD, outcome: 'server.provider_timeout' });
    const row = summary.render().split('\n').find((l) => l.includes('citizen.verify'))!;
    expect(row).toMatch(/ ok 1 /);
    expect(row).toMatch(/business:database\.unavailable 1/);
    expect(row).toMatch(/server\.provider_timeout 1/);
    expect(row).not.toMatch(/ok:/);
  });
});

describe('lgsp tail lines', () => {
  it('print local time, as the dashboard does', () => {
    const d = new Date(RECORD.requestIn);
    expect(localTime(RECORD.requestIn)).toBe(`${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')} `
      + `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:00.005`);
  });

  it('keep their columns whatever the length of a service id, cutting its front', () => {
    const long = line({ ...RECORD, service: 'VN/PROV/DONGTHAP/MOTCUA/criminal-record.result-with-a-long-name/v1' });
    const short = line(RECORD);
    expect(long.length).toBe(short.length);
    expect(long).toContain('…');
    expect(long).toContain('long-name/v1');
    expect(fit('abc', 5)).toBe('abc  ');
    expect(fit('abcdefgh', 5)).toBe('…efgh');
    expect(short).toMatch(/ 42 ms {2}6edc9bbc-/);
  });

  it('label a business error business:<type>', () => {
    expect(line({ ...RECORD, businessError: 'citizen.not_found' })).toMatch(/business:citizen\.not_found/);
  });
});
