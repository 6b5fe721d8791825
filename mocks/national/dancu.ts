/**
 * The National Population Database (VN/GOV/BCA/DANCU) as a mock provider: answers
 * `citizen.verify/v1` from a seeded synthetic population.
 */
import type { Handler } from '../../adapters/amqp/provider.ts';
import type { Citizen } from '../data/people.ts';

export const DANCU = 'VN/GOV/BCA/DANCU';

/** The handlers of the population database over `people`. */
export function dancuHandlers(people: ReadonlyMap<string, Citizen>): Record<string, Handler> {
  return {
    'citizen.verify/v1': ({ body }) => {
      const citizen = people.get(String(body.idNumber));
      if (!citizen) return { error: { type: 'citizen.not_found', message: 'No citizen has this ID number.' } };
      const differences: string[] = [];
      if (String(body.fullName).normalize('NFC') !== citizen.fullName) differences.push('fullName');
      if (body.dateOfBirth !== citizen.dateOfBirth) differences.push('dateOfBirth');
      return { body: { match: differences.length === 0, differences } };
    },
  };
}
