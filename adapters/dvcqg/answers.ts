/**
 * The DVCQG adapter's answers: `{error_code, message, result}` — `error_code` 0 on success. A
 * failure also carries what a person needs to act: the error `type`, a message in Vietnamese
 * and English, each failing field with its rule (`violations`), and the `transaction` to look
 * up in the ledger. Clients read `error_code` as a number or a string: it is a number, which
 * parses either way. The HTTP status is 200 for every answer the adapter understood: clients
 * read `error_code`, and a failure they cannot miss is one in the body.
 *
 * error_code: 0 ok; 1 the portal's declared answer "no" (a business error); otherwise the HTTP
 * status of the gateway error type (401 session or login, 403 agency or access, 404 unknown
 * service name, 400 a field breaks its rule, 429 over the rate, 503/504 the portal away or slow).
 */
import type { Reply } from '../amqp/client.ts';
import { ERROR_CATALOGUE, isGatewayErrorType, type GatewayError, type Violation } from '../../gateway/protocol/errors.ts';
import { fieldOf, ruleInWords, VIETNAMESE } from '../http/in-words.ts';

export interface AdapterAnswer {
  error_code: number;
  message: string;
  result: unknown[];
  type?: string;
  violations?: { field: string; rule: string }[];
  transaction?: string;
}

export const BUSINESS_ERROR_CODE = 1;

function codeOf(type: string): number {
  return isGatewayErrorType(type) ? ERROR_CATALOGUE[type].status : 500;
}

/** A gateway error (raised by the facade or by the gateway) in the adapter's shape. */
export function errorAnswer(type: string, message: string, violations: readonly Violation[] | undefined, tx: string | undefined): AdapterAnswer {
  const fields = violations?.map((v) => ({ field: fieldOf(v.pointer), rule: ruleInWords(v.message) }));
  const said = fields?.length ? `${message} ${fields.map((f) => `${f.field}: ${f.rule}`).join('; ')}` : message;
  return {
    error_code: codeOf(type), message: `${VIETNAMESE[type] ?? 'Lỗi'}. ${said}${tx ? ` (giao dịch / transaction ${tx})` : ''}`, result: [], type,
    ...(fields?.length && { violations: fields }), ...(tx && { transaction: tx }),
  };
}

export function fromGatewayError(err: GatewayError, tx?: string): AdapterAnswer {
  return errorAnswer(err.type, err.message, err.violations, tx);
}

/** The bus's verified reply in the adapter's shape. */
export function fromReply(reply: Reply): AdapterAnswer {
  if (reply.status === 'ok') {
    const result = (reply.body as { result?: unknown }).result;
    return { error_code: 0, message: 'Thành công (success)', result: Array.isArray(result) ? result : [], transaction: reply.tx };
  }
  if (reply.signedBy === 'gateway') return errorAnswer(reply.error.type, reply.error.message, reply.error.violations, reply.error.detail || reply.tx);
  return { error_code: BUSINESS_ERROR_CODE, message: reply.error.message, result: [], type: reply.error.type, transaction: reply.tx };
}
