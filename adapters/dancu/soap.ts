/**
 * The national population database's SOAP service (SOAP 1.1, namespace http://dancuquocgia.bca),
 * as its clients call it today: `POST /dancu/soap` with `TraCuuThongTinCongDan` (look up) or
 * `XacThucThongTinCongDan` (verify), its WSDL at `GET /dancu/soap?wsdl`. A thin translation
 * onto the bus: each call is signed for the calling system, sent through the gateway with every
 * check, recorded, and its answer or error translated back into a SOAP response or fault.
 *
 * Who calls: `X-Road-Client` (a system id) and `ApiKey` (a token issued to it by `lgsp keys
 * token`). When the client sends `Authorization: Basic base64(user:sha256hex(url + user +
 * timestamp + secret))`, it is checked too: `user` is the system id, `secret` the ApiKey, and
 * `Timestamp` (epoch seconds or milliseconds) must be within ±300 s.
 */
import { notInRunningCatalog } from '../http/bearer.ts';
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { XMLBuilder } from 'fast-xml-parser';
import type { Catalog } from '../../gateway/catalog/catalog.ts';
import type { JsonObject } from '../../gateway/protocol/envelope.ts';
import { asGatewayError, GatewayError, type Violation } from '../../gateway/protocol/errors.ts';
import type { Reply } from '../amqp/client.ts';
import { noteRefusal, refuseUnreadBody, type FacadeDeps } from '../http/facade-refusal.ts';
import { facadeGuessingLimit } from '../http/guessing.ts';
import { fieldOf, ruleInWords, VIETNAMESE } from '../http/in-words.ts';
import { parseXml, XmlRefused, type XmlElement } from './xml.ts';
import { wsdl } from './wsdl.ts';

export const DANCU = 'VN/GOV/BCA/DANCU';
export const DANCU_NS = 'http://dancuquocgia.bca';
const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const OPERATIONS = ['TraCuuThongTinCongDan', 'XacThucThongTinCongDan'] as const;
/** The request's elements in the order clients send them (the id is one or the other). */
const ORDER = ['MaYeuCau', 'MaDVC', 'MaTichHop', 'MaCanBo', 'MaDonVi', 'TaiKhoan', 'SoDienThoai', 'SoDinhDanh|SoCMND', 'HoVaTen', 'NgayThangNamSinh'];
const SKEW_MS = 300_000;

export interface SoapDeps extends FacadeDeps {
  readonly catalog: Catalog;
  readonly tokenOwner: (token: string) => string | undefined;
  readonly path: string;
  /** Where the doors are reached (`http://host:port`), written into the WSDL; never taken from a request's Host. */
  readonly publicUrl?: () => string | undefined;
}

/** The operation a non-empty SOAPAction names (`"…/TraCuuThongTinCongDan"` or the bare name); undefined for `""`, which leaves it to the Body. */
function actionOf(header: string | undefined): string | undefined {
  const action = header?.trim().replace(/^"(.*)"$/, '$1') ?? '';
  return action === '' ? undefined : action.slice(action.lastIndexOf('/') + 1).replace(/^#/, '');
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false, format: false });

function envelope(body: unknown): string {
  return `<?xml version="1.0" encoding="utf-8"?>${builder.build({ 'soap:Envelope': { '@_xmlns:soap': SOAP_NS, 'soap:Body': body } })}`;
}

/** A SOAP 1.1 fault: `soap:Client` for the caller's mistakes, `soap:Server` for the service's. */
function fault(type: string, message: string, violations: readonly Violation[] | undefined, tx: string | undefined): string {
  const fields = violations?.map((v) => ({ Truong: fieldOf(v.pointer).replace(/^NgayThangNamSinh\./, 'NgayThangNamSinh/'), QuyTac: ruleInWords(v.message) }));
  const said = fields?.length ? `${message} ${fields.map((f) => `${f.Truong}: ${f.QuyTac}`).join('; ')}` : message;
  return envelope({
    'soap:Fault': {
      faultcode: type.startsWith('server.') ? 'soap:Server' : 'soap:Client',
      faultstring: `${VIETNAMESE[type] ?? 'Lỗi'}. ${said}${tx ? ` (giao dịch / transaction ${tx})` : ''}`,
      detail: { LoiChiTiet: { '@_xmlns': DANCU_NS, Loai: type, ...(tx && { GiaoDich: tx }), ...(fields?.length && { ViPham: fields }) } },
    },
  });
}

/** The bus body of an operation's element: its children by name, in the order clients send them. */
function bodyOf(operation: XmlElement): JsonObject {
  const body: Record<string, unknown> = {};
  let last = -1;
  for (const child of operation.children) {
    const at = ORDER.findIndex((n) => n.split('|').includes(child.name));
    if (at < 0) throw new GatewayError('client.contract_violation', `Phần tử ${child.name} không có trong ${operation.name} (an element the operation does not take).`, { violations: [{ pointer: `/${child.name}`, message: 'must NOT have additional properties' }] });
    if (at <= last) {
      throw new GatewayError('client.contract_violation', `Phần tử ${child.name} sai thứ tự (out of order): the order is ${ORDER.join(', ')}.`, {
        violations: [{ pointer: `/${child.name}`, message: `must come before ${ORDER[last]}` }],
      });
    }
    last = at;
    if (child.name === 'NgayThangNamSinh') {
      body.NgayThangNamSinh = Object.fromEntries(child.children.map((c) => [c.name, c.text.trim()]));
    } else {
      body[child.name] = child.text.trim();
    }
  }
  return body as JsonObject;
}

function basicMatches(header: string, url: string, user: string, timestamp: string, secret: string): boolean {
  const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
  if (!m) return false;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const expected = `${user}:${createHash('sha256').update(url + user + timestamp + secret).digest('hex')}`;
  return decoded.length === expected.length && timingSafeEqual(Buffer.from(decoded), Buffer.from(expected));
}

export function dancuSoap(deps: SoapDeps): Router {
  const router = express.Router();
  const raw = express.raw({ type: () => true, limit: deps.maxBytes });

  const notes = { ...deps, provider: DANCU };

  async function refuse(req: Request, res: Response, err: GatewayError, who?: { system: string; service?: string }): Promise<void> {
    const tx = await noteRefusal(notes, req, res, err, who);
    res.locals.journalTx = tx;
    res.status(500).type('text/xml').send(fault(err.type, err.message, err.violations, tx));
  }

  /** The calling system, from X-Road-Client and ApiKey (and the Basic hash when sent); throws client.unknown_key. */
  function caller(req: Request): string {
    const client = req.get('x-road-client');
    const apiKey = req.get('apikey');
    if (!client || !apiKey) throw new GatewayError('client.unknown_key', 'Cần header X-Road-Client và ApiKey (the X-Road-Client and ApiKey headers are needed; lgsp keys token <system> gives an ApiKey).');
    const owner = deps.tokenOwner(apiKey);
    if (owner && owner === client && !deps.catalog.systems.has(owner)) throw new GatewayError('client.unknown_key', notInRunningCatalog(owner));
    if (!owner || owner !== client || !deps.catalog.systems.has(owner)) throw new GatewayError('client.unknown_key', `ApiKey không phải của ${client} (the ApiKey was not issued to ${client}).`);
    const authorization = req.get('authorization');
    if (authorization) {
      const timestamp = req.get('timestamp') ?? '';
      const t = Number(timestamp);
      const ms = t > 1e12 ? t : t * 1000;
      if (!Number.isFinite(t) || Math.abs(deps.now() - ms) > SKEW_MS) {
        throw new GatewayError('client.clock_skew', `Timestamp ${JSON.stringify(timestamp)} phải là thời điểm hiện tại, tính bằng giây hoặc mili giây (must be now, in epoch seconds or milliseconds, within 300 s).`);
      }
      const url = `${req.protocol}://${req.get('host')}${req.originalUrl}`;
      if (!basicMatches(authorization, url, client, timestamp, apiKey)) {
        throw new GatewayError('client.bad_signature', `Authorization không khớp (Authorization must be Basic base64(${client}:sha256hex(${url} + ${client} + Timestamp + ApiKey))).`);
      }
    }
    return owner;
  }

  // Guessing ApiKeys is slowed per (address, claimed system), as at every door.
  const guessing = facadeGuessingLimit(deps.failedAuthPerMinute, {
    claimedBy: (req) => req.get('x-road-client'),
    authenticates: (req) => {
      const apiKey = req.get('apikey');
      return apiKey !== undefined && deps.tokenOwner(apiKey) === req.get('x-road-client');
    },
  }, refuse);

  router.get(deps.path, (req, res, next) => {
    if (!('wsdl' in req.query)) return next();
    // The address from configuration: a caller's Host header must not write itself into the WSDL.
    res.type('text/xml').send(wsdl(`${deps.publicUrl?.() ?? `http://127.0.0.1`}${deps.path}`));
  });

  router.post(deps.path, guessing, raw, async (req, res) => {
    let system: string;
    try {
      system = caller(req);
    } catch (err) {
      return refuse(req, res, err as GatewayError);
    }
    if (!req.is(['text/xml', 'application/xml', 'application/soap+xml'])) {
      return refuse(req, res, new GatewayError('client.malformed', 'Content-Type phải là text/xml hoặc application/xml (a SOAP request is text/xml or application/xml).'), { system });
    }
    let operation: XmlElement;
    try {
      const root = parseXml((req.body as Buffer).toString('utf8'));
      const body = root.name === 'Envelope' && root.uri === SOAP_NS ? root.children.find((c) => c.name === 'Body' && c.uri === SOAP_NS) : undefined;
      if (!body) throw new XmlRefused(`The document is not a SOAP 1.1 envelope (soap:Envelope / soap:Body in ${SOAP_NS}).`);
      // One operation per Body: a second would be another request under the same credential.
      if (body.children.length !== 1) {
        throw new GatewayError('client.malformed', `soap:Body phải có đúng một thao tác (the body must hold exactly one operation, not ${body.children.length}).`);
      }
      const op = body.children[0]!;
      if (!(OPERATIONS as readonly string[]).includes(op.name) || op.uri !== DANCU_NS) {
        throw new GatewayError('client.unknown_service', `Không có thao tác này (the body must hold ${OPERATIONS.join(' or ')} in ${DANCU_NS}).`);
      }
      const action = actionOf(req.get('soapaction'));
      if (action !== undefined && action !== op.name) {
        throw new GatewayError('client.malformed', `SOAPAction ${JSON.stringify(action)} không khớp thao tác ${op.name} (the SOAPAction names another operation than the body's).`);
      }
      operation = op;
    } catch (err) {
      return refuse(req, res, err instanceof GatewayError ? err : new GatewayError('client.malformed', (err as Error).message), { system });
    }
    const service = `${DANCU}/${operation.name}/v1`;
    try {
      const body = bodyOf(operation);
      // MaDonVi, when sent, names the asking agency: it must be the caller's own.
      const agency = deps.catalog.systems.get(system)?.agencyCode;
      if (typeof body.MaDonVi === 'string' && body.MaDonVi !== '' && body.MaDonVi !== agency) {
        throw new GatewayError('client.access_denied', `MaDonVi ${body.MaDonVi} không phải mã đơn vị của ${system} (MaDonVi is not the calling agency's code${agency ? ` ${agency}` : ''}).`, {
          violations: [{ pointer: '/MaDonVi', message: agency ? `must be ${agency}` : 'the calling system has no agency code' }],
        });
      }
      const client = await deps.clients.of(system);
      const userId = typeof body.MaCanBo === 'string' && body.MaCanBo ? body.MaCanBo : undefined;
      answer(res, operation.name, await client.request(service, body, userId ? { userId } : {}));
    } catch (err) {
      // Switched on its code (errors.ts): a reply timeout or a lost bus is answered as at every door.
      if (!(err instanceof GatewayError)) deps.log.error({ err, system, service }, 'population database SOAP: the bus did not answer');
      return refuse(req, res, asGatewayError(err), { system, service });
    }
  });

  function answer(res: Response, operation: string, reply: Reply): void {
    res.locals.journalTx = reply.status === 'error' && reply.signedBy === 'gateway' ? reply.error.detail || reply.tx : reply.tx;
    if (reply.status === 'error') {
      const tx = res.locals.journalTx as string | undefined;
      res.status(500).type('text/xml').send(fault(reply.error.type, reply.error.message, reply.error.violations, tx));
      return;
    }
    const b = reply.body as { MaYeuCau: string; CongDan?: Record<string, unknown>[]; KetQua?: boolean; SaiKhac?: string[] };
    const content = operation === 'TraCuuThongTinCongDan'
      ? { CongdanCollection: { CongDan: b.CongDan ?? [] } }
      : { KetQua: String(b.KetQua), SaiKhac: { TruongSaiKhac: b.SaiKhac ?? [] } };
    res.status(200).type('text/xml').send(envelope({ [`${operation}Response`]: { '@_xmlns': DANCU_NS, MaYeuCau: b.MaYeuCau, MaGiaoDich: reply.tx, ...content } }));
  }

  router.use(deps.path, refuseUnreadBody(deps.maxBytes, refuse));

  return router;
}
