/**
 * The procedures a province runs dossiers through (SYSTEMS.md), as calls on the bus. Each
 * step's outcome is the gateway's business to record; a procedure goes on to its planned end.
 */
import type { GatewayClient, Reply } from '../../adapters/amqp/client.ts';
import type { JsonObject } from '../../gateway/protocol/envelope.ts';
import type { Citizen } from '../data/people.ts';
import type { Province } from '../data/places.ts';
import type { Random } from '../data/random.ts';
import { DANCU, DKKD, HOTICH, LLTP, THUE } from '../national/systems.ts';

export type ProcedureKind = 'judicial' | 'marital' | 'birth' | 'land' | 'business';

/** The national procedure code of each kind. */
export const PROCEDURE_CODES: Readonly<Record<ProcedureKind, string>> = {
  judicial: '1.001234', marital: '1.000656', birth: '2.000889', land: '1.004227', business: '1.001612',
};

export interface StepContext {
  readonly client: GatewayClient;
  readonly province: Province;
  readonly applicant: Citizen;
  readonly dossierCode: string;
  readonly officer: string;
  readonly random: Random;
  /** A new ID number for a child born now in this province. */
  newChildId(sex: 'male' | 'female'): string;
  /** Resolves when the judicial record certificate for `ticket` arrives (or after a while). */
  certificate(ticket: string): Promise<void>;
  /** An enterprise code to look up. */
  enterprise(): string;
  /** Tells the officer (and the portal) the dossier's status, with a note: a step that could not be done. */
  tell(status: 'supplement_required', note: string): Promise<void>;
}

const svc = (system: string, method: string) => `${system}/${method}`;

/** Answers worth asking again: the provider's database or the provider itself away for a moment. */
const TRANSIENT = new Set(['database.unavailable', 'server.provider_timeout', 'server.provider_unavailable']);
export const RETRY = { attempts: 3, pauseMs: 500 } as const;

/**
 * A request of a dossier's step, asked again (a new message, the same issue) after a transient
 * failure: at most RETRY.attempts times, RETRY.pauseMs apart, as an officer's system should.
 */
async function ask(ctx: StepContext, service: string, body: JsonObject): Promise<Reply> {
  for (let attempt = 1; ; attempt += 1) {
    const reply = await ctx.client.request(service, body, { issue: ctx.dossierCode, userId: ctx.officer });
    if (reply.status === 'ok' || !TRANSIENT.has(reply.error.type) || attempt === RETRY.attempts) return reply;
    await new Promise((r) => setTimeout(r, RETRY.pauseMs));
  }
}

async function verify(ctx: StepContext): Promise<void> {
  const { applicant: a } = ctx;
  const reply = await ask(ctx, svc(DANCU, 'citizen.verify/v1'), { idNumber: a.idNumber, fullName: a.fullName, dateOfBirth: a.dateOfBirth });
  if (reply.status === 'error' && TRANSIENT.has(reply.error.type)) {
    await ctx.tell('supplement_required', `Chưa xác thực được công dân với CSDL quốc gia về dân cư (${reply.error.type}); cán bộ xác minh lại.`);
  }
}

export const PROCEDURES: Readonly<Record<ProcedureKind, (ctx: StepContext, complete: boolean) => Promise<void>>> = {
  /** Judicial record certificate: verify → request the record → wait for the result event. */
  async judicial(ctx, complete) {
    await verify(ctx);
    const reply = await ask(ctx, svc(LLTP, 'criminal-record.request/v1'), {
      idNumber: ctx.applicant.idNumber, fullName: ctx.applicant.fullName, purpose: `Hồ sơ ${ctx.dossierCode}`,
    });
    if (complete && reply.status === 'ok') await ctx.certificate(String(reply.body.ticket));
  },
  /** Marital-status confirmation: verify → look up. */
  async marital(ctx) {
    await verify(ctx);
    await ask(ctx, svc(HOTICH, 'marital-status.lookup/v1'), { idNumber: ctx.applicant.idNumber, purpose: 'Xác nhận tình trạng hôn nhân' });
  },
  /** Birth registration: verify the mother → register the birth. */
  async birth(ctx, complete) {
    await verify(ctx);
    if (!complete) return;
    const sex = ctx.random() < 0.5 ? 'male' : 'female';
    await ctx.client.sendEvent(svc(HOTICH, 'civil-event.register/v1'), {
      type: 'birth', date: new Date().toISOString().slice(0, 10), commune: ctx.applicant.address.commune, subject: ctx.applicant.idNumber,
      child: { idNumber: ctx.newChildId(sex), fullName: `${ctx.applicant.fullName.split(' ')[0]} ${sex === 'male' ? 'Văn' : 'Thị'} An`, sex },
    }, { issue: ctx.dossierCode, userId: ctx.officer });
  },
  /** Land change registration: verify → assess obligations → check the taxpayer. */
  async land(ctx) {
    await verify(ctx);
    const landValue = 100_000_000 * (1 + Math.floor(ctx.random() * 30));
    await ask(ctx, svc(THUE, 'obligation.assess/v1'), {
      dossierCode: ctx.dossierCode, procedureCode: PROCEDURE_CODES.land, taxCode: ctx.applicant.idNumber, landValue,
      ...(ctx.random() < 0.5 && { transferValue: Math.round(landValue * 1.2) }),
    });
  },
  /** Household business registration: look the enterprise up in both registers. */
  async business(ctx) {
    const code = ctx.enterprise();
    await ask(ctx, svc(DKKD, 'enterprise.lookup/v1'), { enterpriseCode: code });
    await ask(ctx, svc(THUE, 'taxpayer.lookup/v1'), { taxCode: code });
  },
};
