import { describe, expect, it } from 'vitest';
import { ReplayGuard } from '../../gateway/pipeline/replay.ts';

describe('replay guard', () => {
  const at = 1_000_000;

  it('calls a different message with a used id a replay, and the same bytes a duplicate', async () => {
    const guard = new ReplayGuard(() => at);
    const first = guard.claim('A', 'id-1', 'hash-1', at + 300_000);
    expect(first.status).toBe('new');
    expect(guard.claim('A', 'id-1', 'hash-2', at + 300_000).status).toBe('replay');
    const copy = guard.claim('A', 'id-1', 'hash-1', at + 300_000);
    expect(copy.status).toBe('duplicate');
    if (first.status === 'new') first.settle(true);
    if (copy.status === 'duplicate') await expect(copy.handled).resolves.toBe(true);
  });

  it('keeps ids apart per client', () => {
    const guard = new ReplayGuard(() => at);
    guard.claim('A', 'id-1', 'h', at + 1000);
    expect(guard.claim('B', 'id-1', 'h', at + 1000).status).toBe('new');
  });

  it('forgets a message whose handling failed for want of a broker, so its redelivery is handled', async () => {
    const guard = new ReplayGuard(() => at);
    const first = guard.claim('A', 'id-1', 'h', at + 1000);
    const copy = guard.claim('A', 'id-1', 'h', at + 1000);
    if (first.status === 'new') first.settle(false);
    if (copy.status === 'duplicate') await expect(copy.handled).resolves.toBe(false);
    expect(guard.claim('A', 'id-1', 'h', at + 1000).status).toBe('new');
  });

  it('forgets ids once their window has passed', () => {
    let now = at;
    const guard = new ReplayGuard(() => now);
    guard.claim('A', 'id-1', 'h', at + 1000);
    now = at + 2000;
    expect(guard.claim('A', 'id-1', 'other', now + 1000).status).toBe('new');
    expect(guard.size).toBe(1);
  });
});
