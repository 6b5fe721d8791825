/** The national systems' ids. */
export const DVCQG = 'VN/GOV/VPCP/DVCQG';
export const DANCU = 'VN/GOV/BCA/DANCU';
export const HOTICH = 'VN/GOV/BTP/HOTICH';
export const LLTP = 'VN/GOV/BTP/LLTP';
export const THUE = 'VN/GOV/BTC/THUE';
export const DKKD = 'VN/GOV/BTC/DKKD';
export const NATIONAL_SYSTEMS = [DVCQG, DANCU, HOTICH, LLTP, THUE, DKKD] as const;

/** A business error a handler answers (declared in the service's contract). */
export const businessError = (type: string, message: string) => ({ error: { type, message } });
