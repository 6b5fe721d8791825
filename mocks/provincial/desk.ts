/**
 * A province's one-stop desk at work: at a steady rate it takes a dossier, verifies the
 * applicant with the population database and, on a match, reports the dossier to the national
 * portal. Most applicants are on file; some mistype a name, some give an unknown ID number.
 */
import type { GatewayClient } from '../../adapters/amqp/client.ts';
import type { Citizen } from '../data/people.ts';
import { pick, seededRandom } from '../data/random.ts';

export interface DeskOptions {
  readonly client: GatewayClient;
  /** Agency code used in dossier codes, e.g. `000.00.04.H04`. */
  readonly agency: string;
  readonly ward: string;
  readonly people: readonly Citizen[];
  readonly perSecond: number;
  readonly seed: number;
  readonly now?: () => number;
}

function yymmdd(t: number): string {
  return new Date(t).toISOString().slice(2, 10).replaceAll('-', '');
}

/** Starts the desk; returns a function that stops it and waits for dossiers in hand. */
export function startDesk(options: DeskOptions): () => Promise<void> {
  const random = seededRandom(options.seed);
  const now = options.now ?? Date.now;
  const inHand = new Set<Promise<void>>();
  let serial = 0;

  const oneDossier = async () => {
    const person = pick(random, options.people);
    const roll = random();
    const applicant = roll < 0.05 ? { ...person, idNumber: `${person.idNumber.slice(0, 6)}999999` } : roll < 0.1 ? { ...person, fullName: `${person.fullName}h` } : person;
    const dossierCode = `${options.agency}-${yymmdd(now())}-${String((serial = (serial % 9999) + 1)).padStart(4, '0')}`;
    const reply = await options.client.request('VN/GOV/BCA/DANCU/citizen.verify/v1', {
      idNumber: applicant.idNumber, fullName: applicant.fullName, dateOfBirth: applicant.dateOfBirth,
    }, { issue: dossierCode, userId: 'DESK-01' });
    if (reply.status === 'ok' && reply.body.match === true) {
      await options.client.sendEvent('VN/GOV/VPCP/DVCQG/dossier.sync/v1', {
        dossierCode, procedureCode: '1.001234', receivedAt: new Date(now()).toISOString(), channel: random() < 0.8 ? 'online' : 'desk', ward: options.ward,
      }, { issue: dossierCode });
    }
  };

  const timer = setInterval(() => {
    const p = oneDossier().catch(() => undefined).finally(() => inHand.delete(p));
    inHand.add(p);
  }, 1000 / options.perSecond);

  return async () => {
    clearInterval(timer);
    await Promise.all(inHand);
  };
}
