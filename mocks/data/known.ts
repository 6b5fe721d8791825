/**
 * Well-known records: the people, businesses, payments and dossiers the contract examples
 * name. They are added to every generated data set, so that an example's answer is the same
 * for every seed.
 */
import type { Citizen } from './people.ts';

export const KNOWN_CITIZENS: readonly Citizen[] = [
  {
    idNumber: '004190000123', fullName: 'Nông Thị Hoa', dateOfBirth: '1990-05-14', sex: 'female', ethnicity: 'Tày', province: 'CAOBANG',
    address: { province: 'Cao Bằng', commune: 'Thục Phán' }, legacyAddress: { province: 'Cao Bằng', district: 'Thành phố Cao Bằng', commune: 'Hợp Giang' },
  },
  {
    idNumber: '011085000456', fullName: 'Lò Văn Pấng', dateOfBirth: '1985-03-02', sex: 'male', ethnicity: 'Thái', province: 'DIENBIEN',
    address: { province: 'Điện Biên', commune: 'Điện Biên Phủ' },
  },
  {
    idNumber: '011188000789', fullName: 'Quàng Thị Xuân', dateOfBirth: '1988-11-20', sex: 'female', ethnicity: 'Thái', province: 'DIENBIEN',
    address: { province: 'Điện Biên', commune: 'Điện Biên Phủ' },
  },
  {
    idNumber: '087092001234', fullName: 'Nguyễn Văn Phúc', dateOfBirth: '1992-07-01', sex: 'male', ethnicity: 'Kinh', province: 'DONGTHAP',
    address: { province: 'Đồng Tháp', commune: 'Đạo Thạnh' },
  },
  {
    idNumber: '096195004321', fullName: 'Thạch Thị Sóc', dateOfBirth: '1995-09-09', sex: 'female', ethnicity: 'Khmer', province: 'CAMAU',
    address: { province: 'Cà Mau', commune: 'Tân Thành' },
  },
];

/** Old 9-digit ID card numbers (CMND) of well-known citizens, by their 12-digit personal id. */
export const KNOWN_ID_CARDS: Readonly<Record<string, string>> = { '004190000123': '085123456', '011085000456': '040123789' };

/** An ID number nobody holds. */
export const UNKNOWN_ID = '004090999999';

/** Lò Văn Pấng and Quàng Thị Xuân are married; the others are single. */
export const KNOWN_MARRIAGES: readonly (readonly [string, string, string])[] = [['011085000456', '011188000789', '2010-06-15']];

/** Nguyễn Văn Phúc has a criminal record. */
export const KNOWN_CRIMINAL_RECORDS: ReadonlySet<string> = new Set(['087092001234']);

export const KNOWN_ENTERPRISES = [
  { enterpriseCode: '4800123456', name: 'Công ty TNHH Nông sản Cao Bằng', status: 'active', registeredAt: '2015-03-10', province: 'Cao Bằng' },
  { enterpriseCode: '1400987654', name: 'Hợp tác xã Sen Tháp Mười', status: 'suspended', registeredAt: '2012-08-01', province: 'Đồng Tháp' },
] as const;

export const KNOWN_PAYMENTS = [
  { paymentRef: 'PAY-250822-0001', dossierCode: '000.00.04.H04-250822-0001', amount: 200000, status: 'paid' },
  { paymentRef: 'PAY-250701-0042', dossierCode: '000.00.11.H12-250701-0042', amount: 50000, status: 'paid' },
] as const;

export const KNOWN_DOSSIERS = [
  { dossierCode: '000.00.04.H04-250822-0001', province: 'VN/PROV/CAOBANG/MOTCUA', procedureCode: '1.001234', status: 'completed', updatedAt: '2025-08-25T02:00:00.000Z' },
] as const;

/**
 * Dossiers a province synchronised through the portal's adapter before (DongBoHoSoMC), in its
 * field names: the first is only ever read (TraCuuHoSo's example), the second is updated.
 */
export const KNOWN_SYNCED_DOSSIERS: readonly Readonly<Record<string, string>>[] = [
  {
    MaHoSo: '000.00.04.H04-250822-0002', MaTTHC: '1.001234', TenTTHC: 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam', ChuHoSo: 'Nông Thị Hoa',
    LoaiDoiTuong: '1', NgayTiepNhan: '20250822100000', NgayHenTra: '20250905170000', TrangThaiHoSo: '2', HinhThuc: '1',
  },
  { MaHoSo: '000.00.04.H04-250822-0003', MaTTHC: '1.000656', ChuHoSo: 'Đàm Văn Lực', LoaiDoiTuong: '1', NgayTiepNhan: '20250822110000', TrangThaiHoSo: '2', HinhThuc: '0' },
];

/** The fields (lĩnh vực) of procedures: [code, name, sector]. */
export const KNOWN_FIELDS: readonly (readonly [string, string, string])[] = [
  ['G09-TP10', 'Lý lịch tư pháp', 'G09'],
  ['G09-TP04', 'Hộ tịch', 'G09'],
  ['G06-DD01', 'Đất đai', 'G06'],
  ['G12-DN01', 'Thành lập và hoạt động doanh nghiệp', 'G12'],
  ['G03-XD01', 'Hoạt động xây dựng', 'G03'],
];

/** The field of each known procedure; the others take one by their position. */
export const KNOWN_PROCEDURE_FIELDS: Readonly<Record<string, string>> = {
  '1.001234': 'G09-TP10', '1.000656': 'G09-TP04', '2.000889': 'G09-TP04', '1.004227': 'G06-DD01', '1.001612': 'G09-TP04',
};

/** Some procedures of the national procedure database: [code, name, level]. */
export const KNOWN_PROCEDURES: readonly (readonly [string, string, 'full_online' | 'partly_online' | 'offline'])[] = [
  ['1.001234', 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam', 'full_online'],
  ['1.000656', 'Cấp Giấy xác nhận tình trạng hôn nhân', 'full_online'],
  ['2.000889', 'Đăng ký khai sinh', 'full_online'],
  ['1.004227', 'Đăng ký biến động quyền sử dụng đất', 'partly_online'],
  ['1.001612', 'Đăng ký kết hôn', 'partly_online'],
  ['1.000894', 'Đăng ký khai tử', 'full_online'],
];
