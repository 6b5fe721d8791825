/**
 * Replaying the reports' workload profiles, time-compressed, through the gateway: each ends
 * with exactly the counts it was built from, at the province and at the national portal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultReplaySeconds, expectedCounts, planProfile, replay, runOpenLoop, streamProfile, WORKLOAD_PROFILES } from '../../mocks/workload.ts';
import { embeddedBroker } from '../helpers/broker.ts';
import { startSimulationBus, type SimulationBus } from '../helpers/simulation-bus.ts';

describe('workload profiles', () => {
  let bus: SimulationBus;

  beforeAll(async () => {
    // Replays here are compressed to seconds: a province sends thousands of messages a second, above the bus's per-client default.
    bus = await startSimulationBus(embeddedBroker(), { resultDelayMs: 20, config: { clientRatePerSecond: 1_000_000 } });
  });

  afterAll(async () => {
    await bus?.stop();
  });

  it('plans a profile with exactly its counts, the same for the same seed', () => {
    const people = [...bus.sim.data.citizens.values()];
    const plans = planProfile(WORKLOAD_PROFILES['thuc-phan']!, people, 7);
    expect(plans).toHaveLength(2386);
    expect(plans.filter((p) => p.outcome === 'returned')).toHaveLength(259);
    expect(plans.filter((p) => p.digitised)).toHaveLength(2116);
    expect(planProfile(WORKLOAD_PROFILES['thuc-phan']!, people, 7)).toEqual(plans);
    expect(plans.every((p) => p.applicant.province === 'CAOBANG')).toBe(true);
  });

  it.each([
    ['thuc-phan', 'CAOBANG', { received: 2386, processed: 2047, returned: 259, withdrawn: 0, inProgress: 80, digitised: 2116 }],
    ['dien-bien-phu', 'DIENBIEN', { received: 903, processed: 701, returned: 0, withdrawn: 85, inProgress: 117, digitised: 903 }],
  ] as const)('replays %s and ends with exactly its counts', async (name, provinceKey, counts) => {
    const profile = WORKLOAD_PROFILES[name]!;
    expect(expectedCounts(profile)).toEqual(counts);
    const province = bus.sim.provinces.get(provinceKey)!;
    const plans = planProfile(profile, [...bus.sim.data.citizens.values()], 11);
    expect(await replay(province, plans, { durationMs: 2000 })).toEqual(counts);

    // The national portal saw every dossier reported, each with its last status (events are
    // delivered once the province's last ones have crossed the gateway).
    const portal = bus.sim.national.portal.counts;
    await expect.poll(() => portal.received.get(province.system)).toBe(counts.received);
    await expect.poll(() => {
      const s = portal.byStatus(province.system);
      return { processed: s.completed ?? 0, returned: s.returned ?? 0, withdrawn: s.withdrawn ?? 0, inProgress: s.processing ?? 0 };
    }).toEqual({ processed: counts.processed, returned: counts.returned, withdrawn: counts.withdrawn, inProgress: counts.inProgress });
  }, 60_000);

  it('plans Cà Mau with each of the report’s three shares to the dossier', () => {
    const plans = planProfile(WORKLOAD_PROFILES['ca-mau']!, [...bus.sim.data.citizens.values()], 3);
    expect(plans).toHaveLength(1000);
    expect(plans.filter((p) => p.channel === 'online')).toHaveLength(808);
    expect(plans.filter((p) => p.resultDelivery === 'electronic')).toHaveLength(689);
    expect(plans.filter((p) => p.digitised)).toHaveLength(668);
  });

  it('streams a profile in its shares, within one dossier at any length', () => {
    const profile = WORKLOAD_PROFILES['thuc-phan']!;
    const stream = streamProfile(profile, [...bus.sim.data.citizens.values()], 5);
    const seen = { online: 0, digitised: 0, returned: 0, in_progress: 0 };
    for (let i = 1; i <= 5000; i++) {
      const plan = stream.next().value as ReturnType<typeof planProfile>[number];
      if (plan.channel === 'online') seen.online += 1;
      if (plan.digitised) seen.digitised += 1;
      if (plan.outcome === 'returned') seen.returned += 1;
      if (plan.outcome === 'in_progress') seen.in_progress += 1;
      if (i % 997 === 0 || i === 5000) {
        expect(Math.abs(seen.online - i * profile.online)).toBeLessThanOrEqual(1);
        expect(Math.abs(seen.digitised - (i * profile.digitised) / 2386)).toBeLessThanOrEqual(1);
        expect(Math.abs(seen.returned - (i * 259) / 2386)).toBeLessThanOrEqual(1);
        expect(Math.abs(seen.in_progress - (i * 80) / 2386)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('starts each dossier at its time without waiting for earlier ones to end (open loop)', async () => {
    let started = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const done = runOpenLoop(Array.from({ length: 300 }, (_, i) => i), async () => {
      started += 1;
      await gate;
    }, { maxInFlight: 4096, dueAt: () => 0 });
    await expect.poll(() => started).toBe(300);
    release();
    await done;
  });

  it('bounds what is in flight, and stops taking items when told', async () => {
    let running = 0;
    let most = 0;
    let ran = 0;
    await runOpenLoop(Array.from({ length: 1000 }, (_, i) => i), async () => {
      running += 1;
      ran += 1;
      most = Math.max(most, running);
      await new Promise((r) => setImmediate(r));
      running -= 1;
    }, { maxInFlight: 8, stop: () => ran >= 100 });
    expect(most).toBe(8);
    expect(ran).toBe(100);
  });

  it('gives a large profile a replay period one machine can keep', () => {
    expect(defaultReplaySeconds(WORKLOAD_PROFILES['thuc-phan']!)).toBe(30);
    expect(defaultReplaySeconds(WORKLOAD_PROFILES['cao-bang-centre']!)).toBe(118);
  });
});
