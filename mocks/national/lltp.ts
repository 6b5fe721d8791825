/**
 * Judicial Records (VN/GOV/BTP/LLTP): a certificate request answers at once with a ticket; the
 * certificate follows as a criminal-record.result event to the requesting province after the
 * processing time (by law up to 10 days; compressed here, `resultDelayMs`).
 */
import { createHash } from 'node:crypto';
import type { Handler } from '../../adapters/amqp/provider.ts';
import type { NationalData } from '../data/national.ts';
import { businessError } from './systems.ts';
import { keepLatest, KEPT_RECORDS } from '../keep.ts';

export interface Certificate {
  ticket: string;
  idNumber: string;
  requester: string;
  /** The requester's case (its envelope's `issue`, e.g. the dossier code), carried on to the result. */
  issue?: string;
  state: 'pending' | 'issued';
  certificateNo?: string;
  hasRecord?: boolean;
}

export interface LltpOptions {
  readonly data: NationalData;
  readonly resultDelayMs: number;
  /** Sends the result event to the requesting province. */
  readonly sendResult: (province: string, result: Record<string, unknown>, issue?: string) => Promise<void>;
  readonly now?: () => number;
}

/** The ticket for a person and a purpose: asking again gives the same ticket. */
export function ticketOf(idNumber: string, purpose: string): string {
  return `LLTP-${createHash('sha256').update(`${idNumber}|${purpose}`).digest('hex').slice(0, 10).toUpperCase()}`;
}

export function createLltp(options: LltpOptions): { handlers: Record<string, Handler>; certificates: Map<string, Certificate>; stop(): void } {
  const now = options.now ?? Date.now;
  const certificates = new Map<string, Certificate>([
    ['LLTP-0000000001', { ticket: 'LLTP-0000000001', idNumber: '004190000123', requester: 'VN/PROV/CAOBANG/MOTCUA', state: 'issued', certificateNo: 'LLTP/2025/000001', hasRecord: false }],
  ]);
  const timers = new Set<NodeJS.Timeout>();
  let issued = 1;

  const issue = (cert: Certificate) => {
    issued += 1;
    cert.state = 'issued';
    cert.certificateNo = `LLTP/2025/${String(issued).padStart(6, '0')}`;
    cert.hasRecord = options.data.criminal.has(cert.idNumber);
    void options.sendResult(cert.requester, {
      ticket: cert.ticket, idNumber: cert.idNumber, hasRecord: cert.hasRecord, certificateNo: cert.certificateNo, issuedAt: new Date(now()).toISOString(),
    }, cert.issue).catch(() => undefined);
  };

  return {
    certificates,
    stop: () => {
      for (const t of timers) clearTimeout(t);
    },
    handlers: {
      'criminal-record.request/v1': ({ body, client, envelope }) => {
        const id = String(body.idNumber);
        if (!options.data.citizens.has(id)) return businessError('citizen.not_found', 'No citizen has this ID number.');
        const ticket = ticketOf(id, String(body.purpose));
        const known = certificates.get(ticket);
        if (known) return { body: { ticket, state: known.state } };
        const cert: Certificate = { ticket, idNumber: id, requester: client, ...(envelope.issue && { issue: envelope.issue }), state: 'pending' };
        keepLatest(certificates, ticket, cert, KEPT_RECORDS);
        const timer = setTimeout(() => {
          timers.delete(timer);
          issue(cert);
        }, options.resultDelayMs);
        timers.add(timer);
        return { body: { ticket, state: 'pending' } };
      },
      'criminal-record.status/v1': ({ body }) => {
        const cert = certificates.get(String(body.ticket));
        if (!cert) return businessError('ticket.not_found', 'No request has this ticket.');
        return { body: { ticket: cert.ticket, state: cert.state, ...(cert.certificateNo && { certificateNo: cert.certificateNo }) } };
      },
    },
  };
}
