/**
 * Every mocked system at once: the six national systems and the four provinces, on one set of
 * synthetic data. `lgsp up` runs this; tests build it on the embedded transport or RabbitMQ.
 */
import { GatewayClient } from '../adapters/amqp/client.ts';
import { nationalData, type NationalData } from './data/national.ts';
import { PROVINCES, provincialSystem } from './data/places.ts';
import { pick, seededRandom } from './data/random.ts';
import { startNational, type NationalMocks } from './national/index.ts';
import { DVCQG, NATIONAL_SYSTEMS } from './national/systems.ts';
import { startProvince, type DossierPlan, type Outcome, type ProvinceMock } from './provincial/province.ts';
import type { ProcedureKind } from './provincial/procedures.ts';
import type { MockEnv } from './system.ts';

export interface SimulationOptions {
  readonly seed: number;
  /** Generated citizens beside the well-known ones. */
  readonly citizens: number;
  /** How long a judicial record certificate takes, compressed (10 days by law). */
  readonly resultDelayMs: number;
  /** Systems not to mock, national or provincial (attached another way: a REST bridge, a system under test). */
  readonly without?: readonly string[];
}

export interface Simulation {
  readonly data: NationalData;
  readonly national: NationalMocks;
  readonly provinces: ReadonlyMap<string, ProvinceMock>;
  /** The portal's own client, which forwards online applications to provinces. */
  readonly portalClient: GatewayClient;
  stop(): Promise<void>;
}

export async function startSimulation(env: MockEnv, options: SimulationOptions): Promise<Simulation> {
  const data = nationalData(options.seed, options.citizens);
  const only = options.without && NATIONAL_SYSTEMS.filter((s) => !options.without!.includes(s));
  const national = await startNational(env, { data, resultDelayMs: options.resultDelayMs, seed: options.seed, only });
  const provinces = new Map<string, ProvinceMock>();
  for (const [i, province] of PROVINCES.entries()) {
    if (options.without?.includes(provincialSystem(province))) continue;
    provinces.set(province.key, await startProvince(env, { province, data, seed: options.seed + 100 + i, certificateWaitMs: options.resultDelayMs * 3 }));
  }
  const portalClient = await GatewayClient.connect({
    transport: await env.connect(`${DVCQG} client`, DVCQG), system: DVCQG, key: await env.key(DVCQG), keys: env.catalog.keys, gateway: env.catalog.gateway,
  });
  return {
    data, national, provinces, portalClient,
    async stop() {
      await portalClient.close();
      for (const p of provinces.values()) await p.stop();
      await national.stop();
    },
  };
}

const LIVE_PROCEDURES: readonly ProcedureKind[] = ['judicial', 'marital', 'birth', 'land', 'business'];
const LIVE_OUTCOMES: readonly Outcome[] = [...Array<Outcome>(17).fill('completed'), 'returned', 'returned', 'withdrawn'];

/**
 * A steady live workload: every province takes dossiers through every procedure, and the portal
 * forwards online applications to provinces. Returns a function that stops it and waits.
 */
export function startLiveWorkload(sim: Simulation, perSecond: number, seed: number): () => Promise<void> {
  const random = seededRandom(seed);
  const people = [...sim.data.citizens.values()];
  const provinces = [...sim.provinces.values()];
  const locals = new Map(provinces.map((p) => [p.province.key, people.filter((c) => c.province === p.province.key)]));
  const inHand = new Set<Promise<unknown>>();
  let tick = 0;
  const track = (p: Promise<unknown>) => {
    const tracked = p.catch(() => undefined).finally(() => inHand.delete(tracked));
    inHand.add(tracked);
  };
  const timer = setInterval(() => {
    tick += 1;
    const province = provinces[tick % provinces.length]!;
    const plan: DossierPlan = {
      procedure: LIVE_PROCEDURES[Math.floor(tick / provinces.length) % LIVE_PROCEDURES.length]!,
      outcome: pick(random, LIVE_OUTCOMES), channel: random() < 0.7 ? 'online' : 'desk', digitised: random() < 0.9,
      applicant: pick(random, locals.get(province.province.key)!),
    };
    track(province.run(plan));
    if (tick % 10 === 0) {
      const applicant = pick(random, people);
      const target = provinces[(tick / 10) % provinces.length]!;
      track(sim.portalClient.request(`${provincialSystem(target.province)}/dossier.receive/v1`, {
        portalRef: `DVC-${new Date().toISOString().slice(2, 7).replace('-', '')}-${String(tick).padStart(6, '0')}`, procedureCode: '1.001234',
        applicant: { idNumber: applicant.idNumber, fullName: applicant.fullName, dateOfBirth: applicant.dateOfBirth }, submittedAt: new Date().toISOString(),
      }, { userId: 'DVC-SYSTEM' }));
    }
  }, 1000 / perSecond);
  return async () => {
    clearInterval(timer);
    await Promise.all(inHand);
  };
}
