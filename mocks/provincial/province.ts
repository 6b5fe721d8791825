/**
 * A province's administrative-procedure system (VN/PROV/<PROVINCE>/MOTCUA): provides
 * dossier.receive and criminal-record.result, and runs dossiers through procedures — reporting
 * each with dossier.sync at reception and dossier.progress at every status change.
 */
import { createHash } from 'node:crypto';
import { GatewayClient } from '../../adapters/amqp/client.ts';
import type { Handler } from '../../adapters/amqp/provider.ts';
import { KNOWN_PROCEDURES } from '../data/known.ts';
import type { NationalData } from '../data/national.ts';
import { idNumberOf, type Citizen } from '../data/people.ts';
import { provincialSystem, type Province } from '../data/places.ts';
import { pick, seededRandom } from '../data/random.ts';
import { withFaults } from '../faults.ts';
import { DVCQG } from '../national/systems.ts';
import { runSystem, type MockEnv, type RunningSystem } from '../system.ts';
import { PROCEDURE_CODES, PROCEDURES, type ProcedureKind } from './procedures.ts';

export type Outcome = 'completed' | 'returned' | 'withdrawn' | 'in_progress';

/** One dossier as a workload plans it. */
export interface DossierPlan {
  readonly procedure: ProcedureKind;
  readonly outcome: Outcome;
  readonly channel: 'online' | 'desk' | 'post';
  readonly digitised: boolean;
  /** How the applicant takes the result, where the workload says. */
  readonly resultDelivery?: 'electronic' | 'paper';
  readonly applicant: Citizen;
  /** When the dossier was received (a replay spreads them over its period); default now. */
  readonly receivedAt?: string;
}

export interface DossierCounts {
  received: number;
  processed: number;
  returned: number;
  withdrawn: number;
  inProgress: number;
  digitised: number;
}

export interface ProvinceMock {
  readonly system: string;
  readonly province: Province;
  readonly client: GatewayClient;
  /** Runs one dossier to its planned end. */
  run(plan: DossierPlan): Promise<string>;
  counts(): DossierCounts;
  stop(): Promise<void>;
}

const yymmdd = (iso: string) => iso.slice(2, 10).replaceAll('-', '');
const STATUS: Record<Exclude<Outcome, 'in_progress'>, string> = { completed: 'completed', returned: 'returned', withdrawn: 'withdrawn' };

export interface ProvinceOptions {
  readonly province: Province;
  readonly data: NationalData;
  readonly seed: number;
  /** How long a judicial dossier waits for its certificate before it is completed anyway. */
  readonly certificateWaitMs: number;
}

export async function startProvince(env: MockEnv, options: ProvinceOptions): Promise<ProvinceMock> {
  const { province } = options;
  const system = provincialSystem(province);
  const random = seededRandom(options.seed);
  // Open dossiers; a finished one leaves this map for the counters, so any volume runs in constant memory.
  const dossiers = new Map<string, { status: string; digitised: boolean }>();
  const finished = { processed: 0, returned: 0, withdrawn: 0, digitised: 0 };
  const certificates = new Map<string, () => void>();
  const enterprises = [...options.data.enterprises.keys()].filter((k) => k.startsWith(province.code.slice(1)));
  const daily = new Map<string, number>();
  let children = 0;

  /** `<agency>-<YYMMDD>-<NNNN>`, numbered per day; a day past 9,999 dossiers spills into the next. */
  function nextCode(receivedAt: string): string {
    let day = Date.parse(receivedAt.slice(0, 10));
    for (;;) {
      const date = new Date(day).toISOString();
      const n = (daily.get(date.slice(0, 10)) ?? 0) + 1;
      if (n <= 9999) {
        daily.set(date.slice(0, 10), n);
        return `${province.agency}-${yymmdd(date)}-${String(n).padStart(4, '0')}`;
      }
      day += 86_400_000;
    }
  }

  const handlers: Record<string, Handler> = {
    'dossier.receive/v1': ({ body }) => {
      if (!KNOWN_PROCEDURES.some(([code]) => code === body.procedureCode)) {
        return { error: { type: 'procedure.not_offered', message: `${province.name} does not offer ${String(body.procedureCode)} online.` } };
      }
      const n = (createHash('sha256').update(String(body.portalRef)).digest().readUInt32BE(0) % 9000) + 1000;
      const dossierCode = `${province.agency}-${yymmdd(String(body.submittedAt))}-${n}`;
      if (!dossiers.has(dossierCode)) dossiers.set(dossierCode, { status: 'received', digitised: true });
      return { body: { dossierCode, status: 'received' } };
    },
    'criminal-record.result/v1': ({ body }) => {
      certificates.get(String(body.ticket))?.();
    },
  };
  const timeoutOf = (method: string) => env.catalog.services.get(`${system}/${method}`)?.timeoutMs ?? 5000;
  const running: RunningSystem = await runSystem(env, system, withFaults(system, handlers, env.faults, random, timeoutOf));
  const client = await GatewayClient.connect({
    transport: await env.connect(`${system} client`, system), system, key: await env.key(system), keys: env.catalog.keys, gateway: env.catalog.gateway, timeoutMs: 60_000,
  });
  const portal = (method: string) => `${DVCQG}/${method}`;
  const officer = `${province.key.slice(0, 2)}-${String(1 + Math.floor(random() * 40)).padStart(4, '0')}`;

  async function progress(dossierCode: string, status: string, note?: string): Promise<void> {
    dossiers.get(dossierCode)!.status = status;
    await client.sendEvent(portal('dossier.progress/v1'), { dossierCode, status, at: new Date().toISOString(), ...(note && { note }) }, { issue: dossierCode });
  }

  async function run(plan: DossierPlan): Promise<string> {
    const receivedAt = plan.receivedAt ?? new Date().toISOString();
    const code = nextCode(receivedAt);
    dossiers.set(code, { status: 'received', digitised: plan.digitised });
    await client.sendEvent(portal('dossier.sync/v1'), {
      dossierCode: code, procedureCode: PROCEDURE_CODES[plan.procedure], receivedAt, channel: plan.channel, digitised: plan.digitised,
      ward: plan.applicant.address.commune, ...(plan.resultDelivery && { resultDelivery: plan.resultDelivery }),
    }, { issue: code });
    await progress(code, 'processing');
    const complete = plan.outcome === 'completed';
    await PROCEDURES[plan.procedure]({
      client, province, applicant: plan.applicant, dossierCode: code, officer, random,
      newChildId: (sex) => idNumberOf(province, sex, 2025, 600_000 + (children += 1)),
      certificate: (ticket) => new Promise<void>((resolve) => {
        const timer = setTimeout(done, options.certificateWaitMs);
        function done() {
          clearTimeout(timer);
          certificates.delete(ticket);
          resolve();
        }
        certificates.set(ticket, done);
      }),
      enterprise: () => pick(random, enterprises.length > 0 ? enterprises : ['4800123456']),
      tell: (status, note) => progress(code, status, note),
    }, complete).catch(() => undefined);
    if (plan.outcome !== 'in_progress') {
      await progress(code, STATUS[plan.outcome]);
      const d = dossiers.get(code)!;
      finished[d.status === 'completed' ? 'processed' : d.status as 'returned' | 'withdrawn'] += 1;
      if (d.digitised) finished.digitised += 1;
      dossiers.delete(code);
    }
    return code;
  }

  return {
    system, province, client, run,
    counts() {
      const c: DossierCounts = {
        received: dossiers.size + finished.processed + finished.returned + finished.withdrawn, ...finished, inProgress: 0,
      };
      for (const d of dossiers.values()) {
        if (d.status === 'completed') c.processed += 1;
        else if (d.status === 'returned') c.returned += 1;
        else if (d.status === 'withdrawn') c.withdrawn += 1;
        else c.inProgress += 1;
        if (d.digitised) c.digitised += 1;
      }
      return c;
    },
    async stop() {
      await client.close();
      await running.stop();
    },
  };
}
