/**
 * The National Public Service Portal (VN/GOV/VPCP/DVCQG): takes the dossiers provinces report
 * (dossier.sync, dossier.progress) and answers look-ups from them; the procedure database;
 * payments and refunds — automatic, or waiting for an officer when `manualRefunds()` says so.
 */
import type { Handler } from '../../adapters/amqp/provider.ts';
import type { NationalData } from '../data/national.ts';
import { businessError } from './systems.ts';

export interface PortalCounts {
  /** Dossiers reported at reception, by province. */
  readonly received: Map<string, number>;
  /** Latest status of every dossier reported, counted by province and status. */
  byStatus(province: string): Record<string, number>;
}

export function createDvcqg(data: NationalData, manualRefunds: () => boolean) {
  const received = new Map<string, number>();
  const counts: PortalCounts = {
    received,
    byStatus(province) {
      const out: Record<string, number> = {};
      for (const d of data.dossiers.values()) if (d.province === province) out[d.status] = (out[d.status] ?? 0) + 1;
      return out;
    },
  };
  const handlers: Record<string, Handler> = {
    'dossier.sync/v1': ({ body, client }) => {
      received.set(client, (received.get(client) ?? 0) + 1);
      data.dossiers.set(String(body.dossierCode), {
        dossierCode: String(body.dossierCode), province: client, procedureCode: String(body.procedureCode), status: 'received', updatedAt: String(body.receivedAt),
      });
    },
    'dossier.progress/v1': ({ body, client }) => {
      const d = data.dossiers.get(String(body.dossierCode));
      if (d && d.province === client) Object.assign(d, { status: String(body.status), updatedAt: new Date(String(body.at)).toISOString() });
    },
    'dossier.lookup/v1': ({ body }) => {
      const d = data.dossiers.get(String(body.dossierCode));
      return d ? { body: { ...d } } : businessError('dossier.not_found', 'No province reported a dossier with this code.');
    },
    'procedure.list/v1': ({ body }) => {
      const list = body.level ? data.procedures.filter((p) => p.level === body.level) : data.procedures;
      const offset = Number(body.offset ?? 0);
      return { body: { total: list.length, items: list.slice(offset, offset + Number(body.limit)).map((p) => ({ ...p })) } };
    },
    'payment.status/v1': ({ body }) => {
      const p = data.payments.get(String(body.paymentRef));
      return p ? { body: { ...p } } : businessError('payment.not_found', 'No payment has this reference.');
    },
    'payment.refund/v1': ({ body }) => {
      const p = data.payments.get(String(body.paymentRef));
      if (!p) return businessError('payment.not_found', 'No payment has this reference.');
      if (p.status !== 'paid') return businessError('payment.not_refundable', 'The payment was refunded already.');
      p.status = manualRefunds() ? 'refund_pending' : 'refunded';
      return { body: { paymentRef: p.paymentRef, status: p.status } };
    },
  };
  return {
    handlers,
    counts,
    /** Records a payment made on the portal for a dossier. */
    pay(paymentRef: string, dossierCode: string, amount: number) {
      data.payments.set(paymentRef, { paymentRef, dossierCode, amount, status: 'paid' });
    },
    /** An officer completes a pending refund; false if there is none. */
    approveRefund(paymentRef: string): boolean {
      const p = data.payments.get(paymentRef);
      if (p?.status !== 'refund_pending') return false;
      p.status = 'refunded';
      return true;
    },
  };
}
