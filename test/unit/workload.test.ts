/**
 * Replaying the reports' workload profiles, time-compressed, through the gateway: each ends
 * with exactly the counts it was built from, at the province and at the national portal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planProfile, replay, WORKLOAD_PROFILES, expectedCounts } from '../../mocks/workload.ts';
import { embeddedBroker } from '../helpers/broker.ts';
import { startSimulationBus, type SimulationBus } from '../helpers/simulation-bus.ts';

describe('workload profiles', () => {
  let bus: SimulationBus;

  beforeAll(async () => {
    bus = await startSimulationBus(embeddedBroker(), { resultDelayMs: 20 });
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
    expect(await replay(province, plans, { durationMs: 2000, concurrency: 64 })).toEqual(counts);

    // The national portal saw every dossier reported, each with its last status (events are
    // delivered once the province's last ones have crossed the gateway).
    const portal = bus.sim.national.portal.counts;
    await expect.poll(() => portal.received.get(province.system)).toBe(counts.received);
    await expect.poll(() => {
      const s = portal.byStatus(province.system);
      return { processed: s.completed ?? 0, returned: s.returned ?? 0, withdrawn: s.withdrawn ?? 0, inProgress: s.processing ?? 0 };
    }).toEqual({ processed: counts.processed, returned: counts.returned, withdrawn: counts.withdrawn, inProgress: counts.inProgress });
  }, 60_000);
});
