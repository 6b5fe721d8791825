import { describe, expect, it } from 'vitest';
import { MemoryLedger, type TransactionRecord } from '../../gateway/ledger/ledger.ts';
import { ReplayGuard } from '../../gateway/pipeline/replay.ts';

const RECORD: TransactionRecord = {
  tx: 'tx-1', messageId: 'id-1', kind: 'request', client: 'VN/PROV/A/B', service: 'VN/GOV/C/D/x/v1', provider: 'VN/GOV/C/D', userId: null, issue: null,
  requestIn: 0, requestOut: null, responseIn: null, responseOut: null, requestSize: 1, responseSize: null, outcome: 'ok', businessError: null,
  instance: 'test', requestHash: 'h', responseHash: null,
};

describe('replay guard', () => {
  const at = 1_000_000;

  it('calls a different message with a used id a replay, and the same bytes a duplicate', async () => {
    const guard = new ReplayGuard(() => at);
    const first = await guard.claim('A', 'id-1', 'hash-1', at + 300_000);
    expect(first.status).toBe('new');
    expect((await guard.claim('A', 'id-1', 'hash-2', at + 300_000)).status).toBe('replay');
    const copy = await guard.claim('A', 'id-1', 'hash-1', at + 300_000);
    expect(copy.status).toBe('duplicate');
    if (first.status === 'new') first.settle(true);
    if (copy.status === 'duplicate') await expect(copy.handled).resolves.toBe(true);
  });

  it('keeps ids apart per client', async () => {
    const guard = new ReplayGuard(() => at);
    await guard.claim('A', 'id-1', 'h', at + 1000);
    expect((await guard.claim('B', 'id-1', 'h', at + 1000)).status).toBe('new');
  });

  it('forgets a message whose handling failed for want of a broker, so its redelivery is handled', async () => {
    const guard = new ReplayGuard(() => at);
    const first = await guard.claim('A', 'id-1', 'h', at + 1000);
    const copy = await guard.claim('A', 'id-1', 'h', at + 1000);
    if (first.status === 'new') first.settle(false);
    if (copy.status === 'duplicate') await expect(copy.handled).resolves.toBe(false);
    expect((await guard.claim('A', 'id-1', 'h', at + 1000)).status).toBe('new');
  });

  it('asks the ledger once its memory has passed: a new body under a recorded id is a replay whatever the time', async () => {
    let now = at;
    const ledger = new MemoryLedger();
    const guard = new ReplayGuard(() => now, (client, id) => ledger.priorUse(client, id));
    const first = await guard.claim('VN/PROV/A/B', 'id-1', 'h', at + 1000);
    if (first.status === 'new') first.settle(true);
    await ledger.record({ ...RECORD, client: 'VN/PROV/A/B', messageId: 'id-1', requestHash: 'h' });
    now = at + 86_400_000; // a day on: the window is long gone, and so would be a restarted gateway's memory
    expect(await guard.claim('VN/PROV/A/B', 'id-1', 'other', now + 1000)).toEqual({ status: 'replay', tx: RECORD.tx });
    const copy = await guard.claim('VN/PROV/A/B', 'id-1', 'h', now + 1000);
    expect(copy).toMatchObject({ status: 'duplicate', tx: RECORD.tx });
    if (copy.status === 'duplicate') await expect(copy.handled).resolves.toBe(true);
  });

  it('forgets ids once their window has passed (with no ledger to ask)', async () => {
    let now = at;
    const guard = new ReplayGuard(() => now);
    await guard.claim('A', 'id-1', 'h', at + 1000);
    now = at + 2000;
    expect((await guard.claim('A', 'id-1', 'other', now + 1000)).status).toBe('new');
    expect(guard.size).toBe(1);
  });
});
