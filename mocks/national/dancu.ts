/** The National Population Database (VN/GOV/BCA/DANCU): verifies citizens and looks them up. */
import type { Handler } from '../../adapters/amqp/provider.ts';
import type { NationalData } from '../data/national.ts';
import { businessError } from './systems.ts';

const notFound = () => businessError('citizen.not_found', 'No citizen has this ID number.');

export function dancuHandlers(data: NationalData): Record<string, Handler> {
  return {
    'citizen.verify/v1': ({ body }) => {
      const c = data.citizens.get(String(body.idNumber));
      if (!c) return notFound();
      const differences: string[] = [];
      if (String(body.fullName).normalize('NFC') !== c.fullName) differences.push('fullName');
      if (body.dateOfBirth !== c.dateOfBirth) differences.push('dateOfBirth');
      return { body: { match: differences.length === 0, differences } };
    },
    'citizen.lookup/v1': ({ body }) => {
      const c = data.citizens.get(String(body.idNumber));
      if (!c) return notFound();
      const { province: _p, ...record } = c;
      return { body: { ...record, address: { ...c.address }, ...(c.legacyAddress && { legacyAddress: { ...c.legacyAddress } }) } };
    },
  };
}
