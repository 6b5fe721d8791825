/**
 * The National Public Service Portal (VN/GOV/VPCP/DVCQG): takes the dossiers provinces report
 * (dossier.sync, dossier.progress) and answers look-ups from them; the procedure database;
 * payments and refunds — automatic, or waiting for an officer when `manualRefunds()` says so.
 */
import type { Handler } from '../../adapters/amqp/provider.ts';
import type { NationalData, PortalDossier } from '../data/national.ts';
import { adapterHandlers } from './dvcqg-adapter.ts';
import { businessError } from './systems.ts';
import { keepLatest, KEPT_RECORDS } from '../keep.ts';

export interface PortalCounts {
  /** Dossiers reported at reception, by province. */
  readonly received: Map<string, number>;
  /** Latest status of every dossier kept, counted by province and status. */
  byStatus(province: string): Record<string, number>;
  /** What the reception reports of a province said, counted as they arrived (never forgotten). */
  shares(province: string): ReceptionShares;
}

export interface ReceptionShares {
  received: number;
  online: number;
  electronicResults: number;
  digitised: number;
}

/**
 * The portal keeps the latest dossiers for look-ups, at most this many (mocks/keep.ts): a replay
 * of millions runs in constant memory, while counts (`received`, `shares`) cover every report.
 */
export const KEPT_DOSSIERS = KEPT_RECORDS;

/** How far along a status is: a later report never moves a dossier back (events may arrive out of order). */
const RANK: Record<string, number> = { received: 0, processing: 1, supplement_required: 2, late: 3, completed: 4, returned: 4, withdrawn: 4 };

/** Applies a status reported at `at` unless the dossier already has a later (or further) one. */
function report(d: PortalDossier, status: string, at: string): void {
  const t = Date.parse(at);
  const current = Date.parse(d.updatedAt);
  if (t > current || (t === current && (RANK[status] ?? 0) > (RANK[d.status] ?? 0))) {
    d.status = status;
    d.updatedAt = new Date(t).toISOString();
  }
}

/** `agencyOf`: a client's agency code (the catalog's `agencyCode`), which starts its dossier codes. */
export function createDvcqg(data: NationalData, manualRefunds: () => boolean, agencyOf: (client: string) => string | undefined) {
  const received = new Map<string, number>();
  const reception = new Map<string, ReceptionShares>();
  const keep = (d: PortalDossier) => keepLatest(data.dossiers, d.dossierCode, d, KEPT_DOSSIERS);
  const counts: PortalCounts = {
    received,
    shares: (province) => ({ ...(reception.get(province) ?? { received: 0, online: 0, electronicResults: 0, digitised: 0 }) }),
    byStatus(province) {
      const out: Record<string, number> = {};
      for (const d of data.dossiers.values()) if (d.province === province) out[d.status] = (out[d.status] ?? 0) + 1;
      return out;
    },
  };
  const handlers: Record<string, Handler> = {
    // What provinces speak today: the portal's adapter, in its own field names.
    ...adapterHandlers(data, agencyOf),
    'dossier.sync/v1': ({ body, client }) => {
      received.set(client, (received.get(client) ?? 0) + 1);
      const r = reception.get(client) ?? { received: 0, online: 0, electronicResults: 0, digitised: 0 };
      r.received += 1;
      if (body.channel === 'online') r.online += 1;
      if (body.resultDelivery === 'electronic') r.electronicResults += 1;
      if (body.digitised === true) r.digitised += 1;
      reception.set(client, r);
      const code = String(body.dossierCode);
      const known = data.dossiers.get(code);
      if (known && known.province === client) {
        known.procedureCode = String(body.procedureCode);
        report(known, 'received', String(body.receivedAt));
      } else {
        keep({ dossierCode: code, province: client, procedureCode: String(body.procedureCode), status: 'received', updatedAt: new Date(String(body.receivedAt)).toISOString() });
      }
    },
    'dossier.progress/v1': ({ body, client }) => {
      const code = String(body.dossierCode);
      const d = data.dossiers.get(code);
      if (d?.province === client) report(d, String(body.status), String(body.at));
      // A status ahead of its reception report: keep it; the sync fills in the rest.
      else if (!d) keep({ dossierCode: code, province: client, procedureCode: '', status: String(body.status), updatedAt: new Date(String(body.at)).toISOString() });
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
      keepLatest(data.payments, paymentRef, { paymentRef, dossierCode, amount, status: 'paid' }, KEPT_RECORDS);
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
