/** The National Business Registration Database (VN/GOV/BTC/DKKD). */
import type { Handler } from '../../adapters/amqp/provider.ts';
import type { NationalData } from '../data/national.ts';
import { businessError } from './systems.ts';

export function dkkdHandlers(data: NationalData): Record<string, Handler> {
  return {
    'enterprise.lookup/v1': ({ body }) => {
      const e = data.enterprises.get(String(body.enterpriseCode));
      return e ? { body: { ...e } } : businessError('enterprise.not_found', 'No enterprise has this code.');
    },
  };
}
