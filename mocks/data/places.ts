/**
 * Provinces of SYSTEMS.md with their 2025 wards and communes (two levels since 1 July 2025),
 * the districts of the legacy three-level addresses, and the ethnic groups the reports name.
 */
export interface Province {
  readonly key: string;
  readonly name: string;
  /** Province code of birth registration, the first three digits of an ID number. */
  readonly code: string;
  /** Agency code used in dossier codes (synthetic, in the national shape). */
  readonly agency: string;
  readonly communes: readonly string[];
  readonly legacyDistricts: readonly string[];
  readonly ethnicities: readonly string[];
  readonly family: readonly string[];
  readonly middle: { readonly male: readonly string[]; readonly female: readonly string[] };
  readonly given: readonly string[];
}

export const PROVINCES: readonly Province[] = [
  {
    key: 'CAOBANG', name: 'Cao Bằng', code: '004', agency: '000.00.04.H04',
    communes: ['Thục Phán', 'Nùng Trí Cao', 'Tân Giang', 'Hòa An', 'Trùng Khánh'],
    legacyDistricts: ['Thành phố Cao Bằng', 'Hòa An', 'Trùng Khánh'],
    ethnicities: ['Tày', 'Tày', 'Nùng', 'Nùng', 'Kinh', "H'Mông", 'Dao'],
    family: ['Nông', 'Hoàng', 'Lục', 'Bế', 'Lương', 'Đàm', 'Triệu', 'Lý'], middle: { male: ['Văn', 'Đức'], female: ['Thị'] },
    given: ['Hoa', 'Nam', 'Lan', 'Thắng', 'Mai', 'Cường', 'Hương', 'Tuấn', 'Sơn', 'Thủy'],
  },
  {
    key: 'DIENBIEN', name: 'Điện Biên', code: '011', agency: '000.00.11.H12',
    communes: ['Điện Biên Phủ', 'Mường Thanh', 'Him Lam', 'Mường Phăng', 'Thanh Nưa'],
    legacyDistricts: ['Thành phố Điện Biên Phủ', 'Điện Biên', 'Mường Ảng'],
    ethnicities: ['Thái', 'Thái', "H'Mông", "H'Mông", 'Kinh', 'Khơ Mú'],
    family: ['Lò', 'Quàng', 'Cà', 'Lường', 'Giàng', 'Sùng', 'Thào', 'Vàng'], middle: { male: ['Văn', 'A'], female: ['Thị'] },
    given: ['Pấng', 'Dơn', 'Xuân', 'Chính', 'Mỷ', 'Sính', 'Ánh', 'Thanh', 'Dế', 'Chua'],
  },
  {
    key: 'DONGTHAP', name: 'Đồng Tháp', code: '087', agency: '000.00.87.H20',
    communes: ['Đạo Thạnh', 'Mỹ Tho', 'Cao Lãnh', 'Sa Đéc', 'Hồng Ngự'],
    legacyDistricts: ['Thành phố Cao Lãnh', 'Thành phố Sa Đéc', 'Hồng Ngự'],
    ethnicities: ['Kinh', 'Kinh', 'Kinh', 'Hoa', 'Khmer'],
    family: ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Võ', 'Huỳnh', 'Đặng', 'Bùi'], middle: { male: ['Văn', 'Minh'], female: ['Thị', 'Ngọc'] },
    given: ['Tâm', 'Phúc', 'Hạnh', 'Lộc', 'Thảo', 'Nghĩa', 'Trinh', 'Khang', 'Duyên', 'Hậu'],
  },
  {
    key: 'CAMAU', name: 'Cà Mau', code: '096', agency: '000.00.96.H12',
    communes: ['Tân Thành', 'An Xuyên', 'Lý Văn Lâm', 'Bạc Liêu', 'Vĩnh Trạch'],
    legacyDistricts: ['Thành phố Cà Mau', 'Thành phố Bạc Liêu', 'Đầm Dơi'],
    ethnicities: ['Kinh', 'Kinh', 'Khmer', 'Khmer', 'Hoa'],
    family: ['Nguyễn', 'Trần', 'Lâm', 'Thạch', 'Danh', 'Châu', 'Quách', 'Sơn'], middle: { male: ['Văn', 'Hữu'], female: ['Thị', 'Kim'] },
    given: ['Sơn', 'Bích', 'Phương', 'Vũ', 'Sóc', 'Nhung', 'Hào', 'Diễm', 'Kha', 'Ngân'],
  },
];

/** The province whose birth-registration code starts an ID number. */
export function provinceOfId(idNumber: string): Province | undefined {
  return PROVINCES.find((p) => idNumber.startsWith(p.code));
}

/** The provincial procedure system of a province. */
export const provincialSystem = (p: Province): string => `VN/PROV/${p.key}/MOTCUA`;
