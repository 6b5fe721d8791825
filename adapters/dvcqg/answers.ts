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

export interface AdapterAnswer {
  error_code: number;
  message: string;
  result: unknown[];
  type?: string;
  violations?: { field: string; rule: string }[];
  transaction?: string;
}

export const BUSINESS_ERROR_CODE = 1;

/** A violation's JSON pointer into the envelope, as the adapter's field path: /body/data/0/NgayTiepNhan → data[0].NgayTiepNhan. */
export function fieldOf(pointer: string): string {
  const parts = pointer.replace(/^\/body\/?/, '').split('/').filter(Boolean).map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  return parts.reduce((path, p) => (/^\d+$/.test(p) ? `${path}[${p}]` : path ? `${path}.${p}` : p), '') || '(the body)';
}

/** A rule from the contract check, in Vietnamese then English. */
export function ruleInWords(message: string): string {
  const rules: Array<[RegExp, (m: RegExpExecArray) => string]> = [
    [/must have required property '(.+)'/, () => 'thiếu trường bắt buộc (a required field is missing)'],
    [/must match format "(.+)"/, (m) => `phải theo định dạng ${m[1]} (must be in the format ${m[1]})`],
    [/must match pattern "(.+)"/, (m) => `không đúng mẫu ${m[1]} (must match the pattern ${m[1]})`],
    [/must be equal to one of the allowed values/, () => 'không phải một giá trị được phép (not one of the allowed values)'],
    [/must NOT have additional properties/, () => 'trường này không được nhận (a field the adapter does not take)'],
    [/must be (string|integer|number|boolean|object|array)/, (m) => `phải là kiểu ${m[1]} (must be a ${m[1]})`],
    [/must NOT have more than (\d+) characters/, (m) => `dài quá ${m[1]} ký tự (longer than ${m[1]} characters)`],
    [/must NOT have fewer than (\d+) characters/, (m) => `ngắn hơn ${m[1]} ký tự (shorter than ${m[1]} characters)`],
    [/must NOT have more than (\d+) items/, (m) => `nhiều hơn ${m[1]} phần tử (more than ${m[1]} items)`],
    [/must NOT have fewer than (\d+) items/, (m) => `ít hơn ${m[1]} phần tử (fewer than ${m[1]} items)`],
  ];
  for (const [re, say] of rules) {
    const m = re.exec(message);
    if (m) return say(m);
  }
  return message;
}

/** The message of a gateway error type, in Vietnamese, before its English. */
const VIETNAMESE: Record<string, string> = {
  'client.malformed': 'Yêu cầu không đúng cấu trúc',
  'client.unknown_key': 'Chưa xác thực',
  'client.key_mismatch': 'Chưa xác thực',
  'client.replay': 'Yêu cầu bị gửi lặp',
  'client.unknown_service': 'Không có dịch vụ này',
  'client.access_denied': 'Không có quyền',
  'client.contract_violation': 'Dữ liệu không hợp lệ',
  'client.too_large': 'Yêu cầu quá lớn',
  'client.rate_limited': 'Vượt quá tần suất cho phép',
  'server.provider_unavailable': 'Cổng Dịch vụ công quốc gia tạm thời không phục vụ',
  'server.provider_timeout': 'Cổng Dịch vụ công quốc gia không trả lời kịp',
  'server.provider_bad_signature': 'Trả lời không có chữ ký hợp lệ của Cổng',
  'server.provider_contract_violation': 'Trả lời của Cổng không đúng hợp đồng',
  'server.internal': 'Lỗi hệ thống',
};

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
