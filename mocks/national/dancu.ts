/** The National Population Database (VN/GOV/BCA/DANCU): verifies citizens and looks them up. */
import type { Handler } from '../../adapters/amqp/provider.ts';
import { KNOWN_ID_CARDS } from '../data/known.ts';
import type { NationalData } from '../data/national.ts';
import { businessError } from './systems.ts';

const notFound = () => businessError('citizen.not_found', 'No citizen has this ID number.');

export function dancuHandlers(data: NationalData): Record<string, Handler> {
  return {
    // What clients speak today: the SOAP service, in its own element names.
    ...dancuSoapHandlers(data),
    'citizen.verify/v1': ({ body }) => {
      const c = data.citizens.get(String(body.idNumber));
      if (!c) return notFound();
      const differences: string[] = [];
      if (String(body.fullName).normalize('NFC') !== c.fullName) differences.push('fullName');
      if (body.dateOfBirth !== c.dateOfBirth) differences.push('dateOfBirth');
      return { body: { match: differences.length === 0, differences } };
    },
    'citizen.lookup/v1': ({ body }) => {
      const c = data.citizens.get(String(body.idNumber));
      if (!c) return notFound();
      const { province: _p, ...record } = c;
      return { body: { ...record, address: { ...c.address }, ...(c.legacyAddress && { legacyAddress: { ...c.legacyAddress } }) } };
    },
  };
}

/** A name as the population database compares it: NFC, upper case, single spaces. */
const nameKey = (name: unknown) => String(name).normalize('NFC').toLocaleUpperCase('vi').replace(/\s+/g, ' ').trim();

/** The date of birth of the SOAP services, yyyyMMdd or a year, against an ISO date. */
function birthMatches(given: { NgayThangNam?: unknown; Nam?: unknown }, iso: string): boolean {
  const compact = iso.replaceAll('-', '');
  return given.NgayThangNam !== undefined ? given.NgayThangNam === compact : given.Nam === compact.slice(0, 4);
}

/** Citizens born before this year still have the old 9-digit ID card (CMND) beside their personal id. */
export const ID_CARD_BEFORE_YEAR = 1995;

/**
 * The old 9-digit ID cards: the well-known citizens' own, and for every synthetic citizen born
 * before ID_CARD_BEFORE_YEAR one made from the personal id (its province's three digits and its
 * last six), the first holder keeping a number two would share.
 */
export function idCardsOf(data: NationalData): { cardOf: Map<string, string>; byCard: Map<string, string> } {
  const cardOf = new Map(Object.entries(KNOWN_ID_CARDS));
  const byCard = new Map([...cardOf].map(([id, card]) => [card, id]));
  for (const c of data.citizens.values()) {
    if (cardOf.has(c.idNumber) || Number(c.dateOfBirth.slice(0, 4)) >= ID_CARD_BEFORE_YEAR) continue;
    const card = `${c.idNumber.slice(0, 3)}${c.idNumber.slice(6)}`;
    if (byCard.has(card)) continue;
    cardOf.set(c.idNumber, card);
    byCard.set(card, c.idNumber);
  }
  return { cardOf, byCard };
}

/**
 * The SOAP services (TraCuuThongTinCongDan, XacThucThongTinCongDan), in their own element names:
 * a citizen by the 12-digit personal id or the old 9-digit ID card number (idCardsOf). A look-up
 * answers only when the name and birth date match as well.
 */
export function dancuSoapHandlers(data: NationalData): Record<string, Handler> {
  const { cardOf, byCard } = idCardsOf(data);
  const find = (body: Record<string, unknown>) => data.citizens.get(body.SoDinhDanh !== undefined ? String(body.SoDinhDanh) : byCard.get(String(body.SoCMND)) ?? '');
  const notFound = () => businessError('citizen.not_found', 'Không tìm thấy công dân (no citizen has this id).');
  return {
    'TraCuuThongTinCongDan/v1': ({ body }) => {
      const c = find(body);
      if (!c || nameKey(body.HoVaTen) !== nameKey(c.fullName) || !birthMatches(body.NgayThangNamSinh as object, c.dateOfBirth)) {
        return businessError('citizen.not_found', 'Không tìm thấy công dân với số, họ tên và ngày sinh này (no citizen with this id, name and birth date).');
      }
      const card = cardOf.get(c.idNumber);
      return {
        body: {
          MaYeuCau: String(body.MaYeuCau),
          CongDan: [{
            SoDinhDanh: c.idNumber, ...(card && { SoCMND: card }), HoVaTen: nameKey(c.fullName), NgayThangNamSinh: c.dateOfBirth.replaceAll('-', ''),
            GioiTinh: c.sex === 'male' ? '1' : '2', DanToc: c.ethnicity, NoiThuongTru: { TinhThanh: c.address.province, XaPhuong: c.address.commune },
          }],
        },
      };
    },
    'XacThucThongTinCongDan/v1': ({ body }) => {
      const c = find(body);
      if (!c) return notFound();
      const SaiKhac = [
        ...(nameKey(body.HoVaTen) === nameKey(c.fullName) ? [] : ['HoVaTen']),
        ...(birthMatches(body.NgayThangNamSinh as object, c.dateOfBirth) ? [] : ['NgayThangNamSinh']),
      ];
      return { body: { MaYeuCau: String(body.MaYeuCau), KetQua: SaiKhac.length === 0, SaiKhac } };
    },
  };
}
