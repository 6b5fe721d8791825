#!/usr/bin/env bash
# Your system's real calls against the simulator, unchanged but for the base URL: the national
# portal's adapter (DVCQG), a provincial LGSP's token and document APIs, and the population
# database's SOAP service. Needs curl, sha256sum and base64; run beside `npm start`.
set -euo pipefail
BASE=${BASE:-http://127.0.0.1:8080}
SYSTEM=VN/PROV/CAOBANG/MOTCUA
SECRET=$(npx lgsp keys token "$SYSTEM" 2>/dev/null)   # the password, client secret and ApiKey below

# 1. DVCQG adapter: log in (username = system id, password = its token), then call a service.
SESSION=$(curl -s -X POST "$BASE/dvcqg/auth" -H 'Content-Type: application/json' -H 'dstcode: 000.00.00.G22' \
  -d "{\"username\":\"$SYSTEM\",\"password\":\"$SECRET\"}" | sed -E 's/.*"session":"([^"]+)".*/\1/')
curl -s -X POST "$BASE/dvcqg/api" -H 'Content-Type: application/json' -H 'dstcode: 000.00.00.G22' \
  -d "{\"session\":\"$SESSION\",\"madonvi\":\"000.00.04.H04\",\"service\":\"LayThuTuc\",\"maTTHC\":\"1.001234\"}"
echo

# 2. LGSP: an OAuth2 access token (client credentials as HTTP Basic), then a document API.
TOKEN=$(curl -s -X POST "$BASE/token" -u "$(printf %s "$SYSTEM" | sed 's#/#%2F#g'):$SECRET" -d grant_type=client_credentials \
  | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
curl -s -X POST "$BASE/lgsp/Document/SyncDocument" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"DocTypeCode":"1.001234","DocCode":"000.00.04.H04-251124-0001","CitizenName":"NÔNG THỊ HOA","ApplicantsType":1,"DateReceived":"2025-11-24T02:00:00Z"}'
echo

# 3. Population database SOAP: X-Road-Client, ApiKey, Timestamp and the Basic hash.
TS=$(date +%s%3N)
HASH=$(printf %s "$BASE/dancu/soap$SYSTEM$TS$SECRET" | sha256sum | cut -d' ' -f1)
curl -s -X POST "$BASE/dancu/soap" -H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: ""' \
  -H "X-Road-Client: $SYSTEM" -H "ApiKey: $SECRET" -H "Timestamp: $TS" \
  -H "Authorization: Basic $(printf %s "$SYSTEM:$HASH" | base64 -w0)" --data-binary @- <<'XML'
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:dan="http://dancuquocgia.bca">
  <soapenv:Body>
    <dan:TraCuuThongTinCongDan>
      <dan:MaYeuCau>YC-0001</dan:MaYeuCau><dan:MaDVC>1.001234</dan:MaDVC><dan:MaTichHop>037</dan:MaTichHop>
      <dan:MaCanBo>CB-0042</dan:MaCanBo><dan:SoDinhDanh>004190000123</dan:SoDinhDanh>
      <dan:HoVaTen>NÔNG THỊ HOA</dan:HoVaTen><dan:NgayThangNamSinh><dan:NgayThangNam>19900514</dan:NgayThangNam></dan:NgayThangNamSinh>
    </dan:TraCuuThongTinCongDan>
  </soapenv:Body>
</soapenv:Envelope>
XML
echo
