/** The tax authority (VN/GOV/BTC/THUE): taxpayers and the obligations due on a dossier. */
import type { Handler } from '../../adapters/amqp/provider.ts';
import type { NationalData } from '../data/national.ts';
import { businessError } from './systems.ts';

/** Lệ phí trước bạ on land: 0.5 % of its value. */
export const REGISTRATION_FEE_RATE = 0.005;
/** Personal income tax on a land transfer: 2 % of the transfer value. */
export const TRANSFER_TAX_RATE = 0.02;

function taxpayer(data: NationalData, taxCode: string) {
  const person = data.citizens.get(taxCode);
  if (person) return { taxCode, name: person.fullName, kind: 'individual', status: 'active' };
  const org = data.enterprises.get(taxCode.slice(0, 10));
  if (org && (taxCode.length === 10 || taxCode.length === 13)) {
    return { taxCode, name: org.name, kind: 'organisation', status: org.status === 'active' ? 'active' : 'suspended' };
  }
  return undefined;
}

const notFound = () => businessError('taxpayer.not_found', 'No taxpayer has this tax code.');

export function thueHandlers(data: NationalData): Record<string, Handler> {
  return {
    'taxpayer.lookup/v1': ({ body }) => {
      const t = taxpayer(data, String(body.taxCode));
      return t ? { body: t } : notFound();
    },
    'obligation.assess/v1': ({ body }) => {
      if (!taxpayer(data, String(body.taxCode))) return notFound();
      const items = [{ code: 'registration_fee', name: 'Lệ phí trước bạ', amount: Math.round(Number(body.landValue) * REGISTRATION_FEE_RATE) }];
      if (typeof body.transferValue === 'number') {
        items.push({ code: 'personal_income_tax', name: 'Thuế thu nhập cá nhân', amount: Math.round(body.transferValue * TRANSFER_TAX_RATE) });
      }
      return { body: { dossierCode: body.dossierCode, items, total: items.reduce((n, i) => n + i.amount, 0) } };
    },
  };
}
