/**
 * The WSDL (1.1, document/literal) of the population database's SOAP service as this simulator
 * answers it: its two operations, their elements in the order clients send them, and the
 * address a client is to call.
 */
const query = `
        <xsd:sequence>
          <xsd:element name="MaYeuCau" type="xsd:string"/>
          <xsd:element name="MaDVC" type="xsd:string"/>
          <xsd:element name="MaTichHop" type="xsd:string"/>
          <xsd:element name="MaCanBo" type="xsd:string"/>
          <xsd:element name="MaDonVi" type="xsd:string" minOccurs="0"/>
          <xsd:element name="TaiKhoan" type="xsd:string" minOccurs="0"/>
          <xsd:element name="SoDienThoai" type="xsd:string" minOccurs="0"/>
          <xsd:choice>
            <xsd:element name="SoDinhDanh" type="tns:SoDinhDanh"/>
            <xsd:element name="SoCMND" type="tns:SoCMND"/>
          </xsd:choice>
          <xsd:element name="HoVaTen" type="xsd:string"/>
          <xsd:element name="NgayThangNamSinh" type="tns:NgayThangNamSinh"/>
        </xsd:sequence>`;

export function wsdl(location: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="http://dancuquocgia.bca" targetNamespace="http://dancuquocgia.bca" name="DanCuQuocGia">
  <wsdl:types>
    <xsd:schema targetNamespace="http://dancuquocgia.bca" elementFormDefault="qualified">
      <xsd:simpleType name="SoDinhDanh"><xsd:restriction base="xsd:string"><xsd:pattern value="[0-9]{12}"/></xsd:restriction></xsd:simpleType>
      <xsd:simpleType name="SoCMND"><xsd:restriction base="xsd:string"><xsd:pattern value="[0-9]{9}"/></xsd:restriction></xsd:simpleType>
      <xsd:complexType name="NgayThangNamSinh">
        <xsd:choice>
          <xsd:element name="NgayThangNam"><xsd:simpleType><xsd:restriction base="xsd:string"><xsd:pattern value="[0-9]{8}"/></xsd:restriction></xsd:simpleType></xsd:element>
          <xsd:element name="Nam"><xsd:simpleType><xsd:restriction base="xsd:string"><xsd:pattern value="[0-9]{4}"/></xsd:restriction></xsd:simpleType></xsd:element>
        </xsd:choice>
      </xsd:complexType>
      <xsd:element name="TraCuuThongTinCongDan"><xsd:complexType>${query}
      </xsd:complexType></xsd:element>
      <xsd:element name="XacThucThongTinCongDan"><xsd:complexType>${query}
      </xsd:complexType></xsd:element>
      <xsd:complexType name="CongDan">
        <xsd:sequence>
          <xsd:element name="SoDinhDanh" type="xsd:string"/>
          <xsd:element name="SoCMND" type="xsd:string" minOccurs="0"/>
          <xsd:element name="HoVaTen" type="xsd:string"/>
          <xsd:element name="NgayThangNamSinh" type="xsd:string"/>
          <xsd:element name="GioiTinh" type="xsd:string"/>
          <xsd:element name="DanToc" type="xsd:string"/>
          <xsd:element name="NoiThuongTru"><xsd:complexType><xsd:sequence>
            <xsd:element name="TinhThanh" type="xsd:string"/><xsd:element name="XaPhuong" type="xsd:string"/>
          </xsd:sequence></xsd:complexType></xsd:element>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:element name="TraCuuThongTinCongDanResponse"><xsd:complexType><xsd:sequence>
        <xsd:element name="MaYeuCau" type="xsd:string"/>
        <xsd:element name="MaGiaoDich" type="xsd:string"/>
        <xsd:element name="CongdanCollection"><xsd:complexType><xsd:sequence>
          <xsd:element name="CongDan" type="tns:CongDan" minOccurs="0" maxOccurs="unbounded"/>
        </xsd:sequence></xsd:complexType></xsd:element>
      </xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="XacThucThongTinCongDanResponse"><xsd:complexType><xsd:sequence>
        <xsd:element name="MaYeuCau" type="xsd:string"/>
        <xsd:element name="MaGiaoDich" type="xsd:string"/>
        <xsd:element name="KetQua" type="xsd:boolean"/>
        <xsd:element name="SaiKhac"><xsd:complexType><xsd:sequence>
          <xsd:element name="TruongSaiKhac" type="xsd:string" minOccurs="0" maxOccurs="unbounded"/>
        </xsd:sequence></xsd:complexType></xsd:element>
      </xsd:sequence></xsd:complexType></xsd:element>
    </xsd:schema>
  </wsdl:types>
  <wsdl:message name="TraCuuThongTinCongDanRequest"><wsdl:part name="parameters" element="tns:TraCuuThongTinCongDan"/></wsdl:message>
  <wsdl:message name="TraCuuThongTinCongDanResponse"><wsdl:part name="parameters" element="tns:TraCuuThongTinCongDanResponse"/></wsdl:message>
  <wsdl:message name="XacThucThongTinCongDanRequest"><wsdl:part name="parameters" element="tns:XacThucThongTinCongDan"/></wsdl:message>
  <wsdl:message name="XacThucThongTinCongDanResponse"><wsdl:part name="parameters" element="tns:XacThucThongTinCongDanResponse"/></wsdl:message>
  <wsdl:portType name="DanCuPortType">
    <wsdl:operation name="TraCuuThongTinCongDan"><wsdl:input message="tns:TraCuuThongTinCongDanRequest"/><wsdl:output message="tns:TraCuuThongTinCongDanResponse"/></wsdl:operation>
    <wsdl:operation name="XacThucThongTinCongDan"><wsdl:input message="tns:XacThucThongTinCongDanRequest"/><wsdl:output message="tns:XacThucThongTinCongDanResponse"/></wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="DanCuBinding" type="tns:DanCuPortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="TraCuuThongTinCongDan"><soap:operation soapAction=""/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
    <wsdl:operation name="XacThucThongTinCongDan"><soap:operation soapAction=""/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="DanCuQuocGia">
    <wsdl:port name="DanCuPort" binding="tns:DanCuBinding"><soap:address location="${location.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;')}"/></wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`;
}
