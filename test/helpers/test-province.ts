/**
 * A provincial procedure system written in the test, as an integrator's would be, that can be
 * broken on purpose in one way at a time — the system under test of `lgsp check`'s own tests.
 */
import type { GatewayClient } from '../../adapters/amqp/client.ts';
import { ServiceProvider } from '../../adapters/amqp/provider.ts';
import { generateSigningKey } from '../../gateway/protocol/keys.ts';
import type { BrokerHandle } from './broker.ts';
import { CAOBANG } from './bus.ts';
import type { SimulationBus } from './simulation-bus.ts';

export interface Breaks {
  /** dossier.receive answers a status its contract does not allow. */
  readonly wrongField?: boolean;
  /** Replies are signed with a key the catalog does not know. */
  readonly wrongKey?: boolean;
  /** No "processing" progress is reported. */
  readonly skipProcessing?: boolean;
  /** citizen.verify is not asked again after database.unavailable. */
  readonly noRetry?: boolean;
  /** Nothing tells the officer when the population database stays unavailable. */
  readonly silent?: boolean;
  /** dossier.sync is sent with a channel the contract does not know. */
  readonly badChannel?: boolean;
}

const PORTAL = 'VN/GOV/VPCP/DVCQG';
/** Dossier numbers never repeat in a test run: the judicial records mock answers a repeated request with its earlier ticket. */
let dossiers = 0;
const APPLICANT = { idNumber: '004190000123', fullName: 'Nông Thị Hoa', dateOfBirth: '1990-05-14' };

export interface TestProvince {
  /** Runs `n` judicial record dossiers, one after another. */
  run(n: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestProvince(bus: SimulationBus, broker: BrokerHandle, breaks: Breaks = {}): Promise<TestProvince> {
  const results = new Map<string, () => void>();
  const key = breaks.wrongKey ? (await generateSigningKey(CAOBANG, 'not-registered')).signing : bus.keys.get(CAOBANG)!;
  const provider = await ServiceProvider.start({
    transport: await broker.connect('province under test'), system: CAOBANG, key, keys: bus.catalog.keys, gateway: bus.catalog.gateway,
    handlers: {
      'dossier.receive/v1': ({ body }) => {
        if (body.procedureCode !== '1.001234') return { error: { type: 'procedure.not_offered', message: 'Not offered online here.' } };
        return { body: { dossierCode: '000.00.04.H04-251124-0999', status: breaks.wrongField ? 'accepted' : 'received' } };
      },
      'criminal-record.result/v1': ({ body }) => {
        results.get(String(body.ticket))?.();
      },
    },
  });
  const client: GatewayClient = await bus.client(CAOBANG);
  const officer = { userId: 'CB-0001' };

  const requestRecord = (code: string) => client.request('VN/GOV/BTP/LLTP/criminal-record.request/v1',
    { idNumber: APPLICANT.idNumber, fullName: APPLICANT.fullName, purpose: `Hồ sơ ${code}` }, { issue: code, ...officer });

  async function dossier(): Promise<void> {
    dossiers += 1;
    const code = `000.00.04.H04-251124-${String(dossiers).padStart(4, '0')}`;
    const issue = { issue: code };
    const at = () => new Date().toISOString();
    await client.sendEvent(`${PORTAL}/dossier.sync/v1`, { dossierCode: code, procedureCode: '1.001234', receivedAt: at(), channel: breaks.badChannel ? 'fax' : 'online' }, issue);
    if (!breaks.skipProcessing) await client.sendEvent(`${PORTAL}/dossier.progress/v1`, { dossierCode: code, status: 'processing', at: at() }, issue);
    let verified = false;
    for (let attempt = 1; attempt <= 3 && !verified; attempt += 1) {
      verified = (await client.request('VN/GOV/BCA/DANCU/citizen.verify/v1', APPLICANT, { ...issue, ...officer })).status === 'ok';
      if (breaks.noRetry) break;
      if (!verified) await new Promise((r) => setTimeout(r, 100));
    }
    if (!verified && !breaks.silent) {
      await client.sendEvent(`${PORTAL}/dossier.progress/v1`, { dossierCode: code, status: 'supplement_required', at: at(), note: 'Chưa xác thực được công dân' }, issue);
    }
    let reply = await requestRecord(code);
    for (let attempt = 2; attempt <= 3 && reply.status !== 'ok'; attempt += 1) reply = await requestRecord(code);
    if (reply.status === 'ok') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5000);
        results.set(String(reply.body.ticket), () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await client.sendEvent(`${PORTAL}/dossier.progress/v1`, { dossierCode: code, status: 'completed', at: at() }, issue);
  }

  return {
    async run(n) {
      for (let i = 0; i < n; i += 1) await dossier();
    },
    stop: () => provider.stop(),
  };
}
