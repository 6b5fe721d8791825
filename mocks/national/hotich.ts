/**
 * The Electronic Civil Status Database (VN/GOV/BTP/HOTICH): birth and marital-status look-ups,
 * and civil events registered by communes, which change what later look-ups return.
 */
import type { Handler } from '../../adapters/amqp/provider.ts';
import { birthOf, type NationalData } from '../data/national.ts';
import { provinceOfId } from '../data/places.ts';
import { businessError } from './systems.ts';

export function hotichHandlers(data: NationalData): Record<string, Handler> {
  return {
    'birth.lookup/v1': ({ body }) => {
      const id = String(body.idNumber);
      const birth = data.births.get(id) ?? (data.citizens.has(id) ? birthOf(data.citizens.get(id)!) : undefined);
      return birth ? { body: { ...birth, placeOfBirth: { ...birth.placeOfBirth } } } : businessError('birth.not_found', 'No birth is registered for this ID number.');
    },
    'marital-status.lookup/v1': ({ body }) => {
      const id = String(body.idNumber);
      if (!data.citizens.has(id) && !data.births.has(id)) return businessError('citizen.not_found', 'No civil-status record for this ID number.');
      return { body: { idNumber: id, ...(data.marital.get(id) ?? { status: 'single' }) } };
    },
    'civil-event.register/v1': ({ body }) => {
      const subject = String(body.subject);
      const date = String(body.date);
      if (body.type === 'marriage' && typeof body.partner === 'string') {
        data.marital.set(subject, { status: 'married', since: date, spouse: body.partner });
        data.marital.set(body.partner, { status: 'married', since: date, spouse: subject });
      } else if (body.type === 'death') {
        const spouse = data.marital.get(subject)?.spouse;
        if (spouse) data.marital.set(spouse, { status: 'widowed', since: date });
        data.marital.delete(subject);
      } else if (body.type === 'birth' && body.child && typeof body.child === 'object') {
        const child = body.child as { idNumber: string; fullName: string; sex: 'male' | 'female' };
        const province = provinceOfId(child.idNumber)?.name ?? data.citizens.get(subject)?.address.province ?? '';
        data.births.set(child.idNumber, {
          idNumber: child.idNumber, fullName: child.fullName, dateOfBirth: date, sex: child.sex,
          placeOfBirth: { province, commune: String(body.commune) }, registeredAt: date, mother: subject,
        });
      }
    },
  };
}
