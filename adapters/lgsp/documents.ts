/**
 * A provincial LGSP's document APIs, as one-stop systems call them today: `POST
 * {base}/Document/SyncDocument` and `POST {base}/Document/UpdateDocumentTraces`, JSON in the
 * APIs' own field names, `Authorization: Bearer <token>` (an access token from `POST /token`, or
 * a token of `lgsp keys token`). A thin translation onto the bus: each call is signed for the
 * token's system, sent through the gateway with every check, and recorded; the answer is the
 * HTTP status with a JSON message (clients read only those two).
 *
 * 200 `{success: true, message, data, transaction}`; a business error the portal declared, 422;
 * a gateway error, its status (docs/protocol.md §4) — each with `type`, a message in Vietnamese
 * and English, `violations` ({field, rule}) and the `transaction`. A missing, unknown or expired
 * token is 401 with RFC 6750's `WWW-Authenticate: Bearer error="invalid_token"`.
 */
import type { Catalog } from '../../gateway/catalog/catalog.ts';
import express, { type Request, type Response, type Router } from 'express';
import type { JsonObject } from '../../gateway/protocol/envelope.ts';
import { asGatewayError, ERROR_CATALOGUE, GatewayError, isGatewayErrorType, type Violation } from '../../gateway/protocol/errors.ts';
import type { Reply } from '../amqp/client.ts';
import { bearerChallenge, type BearerOwner } from '../http/bearer.ts';
import { noteRefusal, refuseUnreadBody, type FacadeDeps } from '../http/facade-refusal.ts';
import { facadeGuessingLimit } from '../http/guessing.ts';
import { fieldOf, ruleInWords, VIETNAMESE } from '../http/in-words.ts';
import { parseCredentialBody } from '../http/modes.ts';
import { BUSINESS_ERROR_STATUS } from '../http/respond.ts';

export const LGSP_PORTAL = 'VN/GOV/VPCP/DVCQG';
const APIS = ['SyncDocument', 'UpdateDocumentTraces'] as const;

export interface DocumentsDeps extends FacadeDeps {
  readonly catalog: Catalog;
  readonly bearerOwner: BearerOwner;
  /** Where the APIs answer: `{base}/Document/SyncDocument`, … */
  readonly base: string;
}

function failure(type: string, message: string, violations: readonly Violation[] | undefined, tx: string | undefined) {
  const fields = violations?.map((v) => ({ field: fieldOf(v.pointer), rule: ruleInWords(v.message) }));
  const said = fields?.length ? `${message} ${fields.map((f) => `${f.field}: ${f.rule}`).join('; ')}` : message;
  return {
    success: false, type, message: `${VIETNAMESE[type] ?? 'Lỗi'}. ${said}${tx ? ` (giao dịch / transaction ${tx})` : ''}`,
    ...(fields?.length && { violations: fields }), ...(tx && { transaction: tx }),
  };
}

/** The national dossier code's form (the portal's): `<agency code>-<yyMMdd>-<nnnn>`. */
const NATIONAL_DOSSIER_CODE = /^[0-9A-Z.]{1,20}-[0-9]{6}-[0-9]{4}$/;

const statusOf = (type: string) => (isGatewayErrorType(type) ? ERROR_CATALOGUE[type].status : 500);

export function lgspDocuments(deps: DocumentsDeps): Router {
  const router = express.Router();
  const raw = express.raw({ type: () => true, limit: deps.maxBytes });

  const notes = { ...deps, provider: LGSP_PORTAL };

  async function refuse(req: Request, res: Response, err: GatewayError, who?: { system: string; service: string }): Promise<void> {
    const tx = await noteRefusal(notes, req, res, err, who);
    res.locals.journalTx = tx;
    res.status(statusOf(err.type)).json(failure(err.type, err.message, err.violations, tx));
  }

  /**
   * What this endpoint took that a stricter LGSP might refuse, where REAL-APIS.md pins neither a
   * type nor a form: said in the answer (and so in the journal), in both languages.
   */
  function leniencyWarnings(body: JsonObject): string[] {
    const warnings: string[] = [];
    if (typeof body.DocCode === 'string' && !NATIONAL_DOSSIER_CODE.test(body.DocCode)) {
      warnings.push(`DocCode ${JSON.stringify(body.DocCode.slice(0, 40))} không theo mẫu mã hồ sơ quốc gia <mã đơn vị>-<yyMMdd>-<nnnn>, ví dụ 000.00.04.H04-251124-0001; LGSP khác có thể từ chối `
        + '(DocCode is not in the national dossier-code form, e.g. 000.00.04.H04-251124-0001; a stricter LGSP may refuse it).');
    }
    if (typeof body.DocumentId === 'number') {
      warnings.push('DocumentId là số; LGSP khác có thể chỉ nhận chuỗi, ví dụ "12345" (DocumentId is a number; a stricter LGSP may take only text, e.g. "12345").');
    }
    return warnings;
  }

  function answer(res: Response, reply: Reply, warnings: readonly string[] = []): void {
    res.locals.journalTx = reply.status === 'error' && reply.signedBy === 'gateway' ? reply.error.detail || reply.tx : reply.tx;
    if (reply.status === 'ok') {
      res.status(200).json({ success: true, message: 'Thành công (success)', data: reply.body, transaction: reply.tx, ...(warnings.length > 0 && { warnings }) });
    } else if (reply.signedBy === 'gateway') {
      res.status(statusOf(reply.error.type)).json(failure(reply.error.type, reply.error.message, reply.error.violations, reply.error.detail || reply.tx));
    } else {
      res.status(BUSINESS_ERROR_STATUS).json({ success: false, type: reply.error.type, message: reply.error.message, transaction: reply.tx });
    }
  }

  /** The token's system; answers 401 with RFC 6750's challenge and returns undefined when there is none. */
  function authenticate(req: Request, res: Response): string | undefined {
    const header = req.get('authorization');
    let description: string | undefined;
    let owner: string | undefined;
    const m = header === undefined ? undefined : /^Bearer ([A-Za-z0-9._~+/=-]{1,200})$/.exec(header);
    if (header === undefined) description = undefined;
    else if (!m) description = 'The Authorization header must be "Bearer <token>".';
    else {
      try {
        owner = deps.bearerOwner(m[1]!);
        if (!owner) description = 'The token was not issued by this LGSP.';
        // A token of no system of the catalog (the operator's, say) proves no caller here.
        else if (!deps.catalog.systems.has(owner)) {
          description = `The token is ${owner}'s, not a system's of this bus: use a token issued to your system (POST /token).`;
          owner = undefined;
        }
      } catch (err) {
        description = (err as Error).message;
      }
    }
    if (owner) return owner;
    res.set('WWW-Authenticate', bearerChallenge(description));
    void refuse(req, res, new GatewayError('client.unknown_key', description ?? 'Send "Authorization: Bearer <token>" (POST /token gives one).'));
    return undefined;
  }

  // Guessing tokens is slowed per address, as at every door; a valid token goes through.
  const ownerOf = (req: Request): string | undefined => {
    const m = /^Bearer ([A-Za-z0-9._~+/=-]{1,200})$/.exec(req.get('authorization') ?? '');
    return m ? deps.bearerOwner(m[1]!) : undefined;
  };
  const guessing = facadeGuessingLimit(deps.failedAuthPerMinute, {
    claimedBy: (req) => {
      try {
        return ownerOf(req);
      } catch {
        return undefined;
      }
    },
    authenticates: (req) => {
      const owner = ownerOf(req);
      return owner !== undefined && deps.catalog.systems.has(owner);
    },
  }, refuse);

  for (const api of APIS) {
    const service = `${LGSP_PORTAL}/Document.${api}/v1`;
    router.post(`${deps.base}/Document/${api}`, guessing, raw, async (req, res) => {
      const system = authenticate(req, res);
      if (!system) return;
      let body: JsonObject;
      try {
        body = parseCredentialBody(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
      } catch (err) {
        return refuse(req, res, err as GatewayError, { system, service });
      }
      try {
        answer(res, await (await deps.clients.of(system)).request(service, body), leniencyWarnings(body));
      } catch (err) {
        // Switched on its code (errors.ts): a reply timeout or a lost bus is answered as at every door.
        if (!(err instanceof GatewayError)) deps.log.error({ err, system, service }, 'LGSP document API: the bus did not answer');
        return refuse(req, res, asGatewayError(err), { system, service });
      }
    });
  }

  router.use(APIS.map((api) => `${deps.base}/Document/${api}`), refuseUnreadBody(deps.maxBytes, refuse));

  return router;
}
