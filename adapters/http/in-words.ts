/**
 * Errors in words a person can act on, for the facades of real APIs: a violation's place as the
 * API's own field path, and the rule it broke, in Vietnamese then English; the gateway error
 * types' names in Vietnamese.
 */

/** A violation's JSON pointer into the envelope, as the adapter's field path: /body/data/0/NgayTiepNhan → data[0].NgayTiepNhan. */
export function fieldOf(pointer: string): string {
  const parts = pointer.replace(/^\/body\/?/, '').split('/').filter(Boolean).map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  return parts.reduce((path, p) => (/^\d+$/.test(p) ? `${path}[${p}]` : path ? `${path}.${p}` : p), '') || '(the body)';
}

/** A rule from the contract check, in Vietnamese then English. */
export function ruleInWords(message: string): string {
  const rules: Array<[RegExp, (m: RegExpExecArray) => string]> = [
    [/must have required property '(.+)'/, () => 'thiếu trường bắt buộc (a required field is missing)'],
    // Formats: the gateway's own wording (formatInWords), with the Vietnamese before it.
    [/^must be the 12-digit personal id.*$/, (m) => `phải là số định danh cá nhân 12 chữ số; số CMND 9 chữ số thì gửi ở SoCMND (${m[0]})`],
    [/^must be the 9-digit ID card number.*$/, (m) => `phải là số CMND 9 chữ số; số định danh 12 chữ số thì gửi ở SoDinhDanh (${m[0]})`],
    [/^must be a date and time such as .*$/, (m) => `phải theo định dạng yyyy-MM-ddTHH:mm:ssZ (${m[0]})`],
    [/^must be a date such as .*$/, (m) => `phải theo định dạng yyyy-MM-dd (${m[0]})`],
    [/^must be in the format (.+?)(, such as .*)?$/, (m) => `phải theo định dạng ${m[1]} (${m[0]})`],
    [/must match pattern "(.+)"/, (m) => `không đúng mẫu ${m[1]} (must match the pattern ${m[1]})`],
    [/must match exactly one schema in oneOf/, () => 'phải có đúng một trong các trường cho phép (must have exactly one of its alternatives, e.g. SoDinhDanh or SoCMND)'],
    [/must be equal to one of the allowed values/, () => 'không phải một giá trị được phép (not one of the allowed values)'],
    [/must NOT have additional properties/, () => 'trường này không được nhận (a field the API does not take)'],
    [/must be (string|integer|number|boolean|object|array)/, (m) => `phải là kiểu ${m[1]} (must be a ${m[1]})`],
    [/must be <= (\d+)/, (m) => `không được lớn hơn ${m[1]} (must be at most ${m[1]})`],
    [/must be >= (\d+)/, (m) => `không được nhỏ hơn ${m[1]} (must be at least ${m[1]})`],
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
export const VIETNAMESE: Record<string, string> = {
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

