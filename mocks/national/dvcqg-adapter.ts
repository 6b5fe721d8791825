/**
 * The national portal's adapter services (VN/GOV/VPCP/DVCQG/Lay…, TraCuuHoSo, DongBoHoSoMC,
 * CapNhatTienDoHoSoMC), in the adapter's own field names: the procedure database, the agencies
 * and fields, and the dossiers provinces synchronise — kept, so that TraCuuHoSo returns them.
 * An agency's dossiers are those whose code starts with its agency code.
 */
import type { Handler } from '../../adapters/amqp/provider.ts';
import { KNOWN_FIELDS, KNOWN_PROCEDURE_FIELDS } from '../data/known.ts';
import type { NationalData } from '../data/national.ts';
import { PROVINCES } from '../data/places.ts';
import { businessError } from './systems.ts';

/** Synchronised dossiers kept at most, oldest dropped first (a long replay stays in constant memory). */
export const KEPT_SYNCED = 100_000;

function fieldOf(procedure: string, position: number): readonly [string, string, string] {
  const code = KNOWN_PROCEDURE_FIELDS[procedure];
  return KNOWN_FIELDS.find(([c]) => c === code) ?? KNOWN_FIELDS[position % KNOWN_FIELDS.length]!;
}

/**
 * The adapter services' handlers; `agencyOf` gives a client's agency code (the catalog's, e.g.
 * 000.00.04.H04 for VN/PROV/CAOBANG/MOTCUA): a client's dossiers are those whose code starts with it.
 */
export function adapterHandlers(data: NationalData, agencyOf: (client: string) => string | undefined): Record<string, Handler> {
  const owns = (client: string, code: string) => code.startsWith(`${agencyOf(client) ?? '\u0000'}-`);
  const keep = (code: string, fields: Record<string, unknown>) => {
    const before = data.synced.get(code);
    data.synced.delete(code);
    data.synced.set(code, { fields, progress: before?.progress ?? [] });
    if (data.synced.size > KEPT_SYNCED) data.synced.delete(data.synced.keys().next().value!);
  };
  return {
    'LayDanhSachTTHC/v1': () => ({ body: { result: data.procedures.map((p) => ({ MATTHC: p.code, TENTTHC: p.name })) } }),
    'LayThuTuc/v1': ({ body }) => {
      const at = data.procedures.findIndex((p) => p.code === body.maTTHC);
      if (at < 0) return businessError('procedure.not_found', `Không có thủ tục mã ${String(body.maTTHC)} (no procedure has this code).`);
      const p = data.procedures[at]!;
      const [MALINHVUC, TENLINHVUC] = fieldOf(p.code, at);
      return { body: { result: [{ MATTHC: p.code, TENTTHC: p.name, LINHVUCTHUCHIEN: [{ MALINHVUC, TENLINHVUC }] }] } };
    },
    'LayDanhMucCoQuan/v1': () => ({ body: { result: PROVINCES.map((p) => ({ MADONVI: p.agency, TENDONVI: `Ủy ban nhân dân tỉnh ${p.name}`, CAPDONVI: '1' })) } }),
    'LayDanhMucLinhVuc/v1': () => ({ body: { result: KNOWN_FIELDS.map(([MALINHVUC, TENLINHVUC, MANGANH]) => ({ MALINHVUC, TENLINHVUC, MANGANH })) } }),
    'TraCuuHoSo/v1': ({ body, client }) => {
      const code = String(body.mahoso);
      const d = owns(client, code) ? data.synced.get(code) : undefined;
      if (!d) return businessError('dossier.not_found', `Đơn vị chưa đồng bộ hồ sơ ${code} (the agency synchronised no dossier with this code).`);
      return { body: { result: [{ ...d.fields, TienDo: d.progress.map((p) => ({ ...p })) }] } };
    },
    'DongBoHoSoMC/v1': ({ body, client }) => {
      const updating = body.isUpdating === 'True';
      const dossiers = body.data as Record<string, unknown>[];
      for (const d of dossiers) {
        const code = String(d.MaHoSo);
        if (!owns(client, code)) return businessError('dossier.wrong_agency', `Mã hồ sơ ${code} không bắt đầu bằng mã đơn vị ${agencyOf(client) ?? '?'} (the dossier code does not start with the agency's code).`);
        if (updating && !data.synced.has(code)) return businessError('dossier.not_found', `Hồ sơ ${code} chưa được đồng bộ; gửi với isUpdating "False" trước (not synchronised yet: send it with isUpdating "False" first).`);
        if (!updating && data.synced.has(code)) return businessError('dossier.exists', `Hồ sơ ${code} đã được đồng bộ; gửi với isUpdating "True" (synchronised before: send changes with isUpdating "True").`);
      }
      for (const d of dossiers) keep(String(d.MaHoSo), { ...d });
      return { body: { result: [] } };
    },
    'Document.SyncDocument/v1': ({ body, client }) => {
      const code = String(body.DocCode);
      if (!owns(client, code)) return businessError('document.wrong_agency', `Mã hồ sơ ${code} không bắt đầu bằng mã đơn vị ${agencyOf(client) ?? '?'} (the dossier code does not start with the agency's code).`);
      const before = data.documents.get(code);
      data.documents.delete(code);
      data.documents.set(code, { document: { ...body }, traces: before?.traces ?? [] });
      if (data.documents.size > KEPT_SYNCED) data.documents.delete(data.documents.keys().next().value!);
      return { body: { DocCode: code } };
    },
    'Document.UpdateDocumentTraces/v1': ({ body, client }) => {
      const code = String(body.DocCode);
      const d = owns(client, code) ? data.documents.get(code) : undefined;
      if (!d) return businessError('document.not_found', `Đơn vị chưa đồng bộ hồ sơ ${code} (the agency synchronised no dossier with this code: Document/SyncDocument first).`);
      d.traces.push({ ...body });
      return { body: { DocCode: code, Traces: d.traces.length } };
    },
    'CapNhatTienDoHoSoMC/v1': ({ body, client }) => {
      const steps = body.data as Record<string, unknown>[];
      for (const s of steps) {
        const code = String(s.MaHoSo);
        if (!owns(client, code) || !data.synced.has(code)) return businessError('dossier.not_found', `Đơn vị chưa đồng bộ hồ sơ ${code} (the agency synchronised no dossier with this code).`);
      }
      for (const s of steps) {
        const d = data.synced.get(String(s.MaHoSo))!;
        d.progress.push({ ...s });
        if (typeof s.TrangThai === 'string') d.fields.TrangThaiHoSo = s.TrangThai;
      }
      return { body: { result: [] } };
    },
  };
}
