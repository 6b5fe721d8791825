/**
 * The national portal's adapter (DVCQG), as provincial systems call it today: `POST /dvcqg/auth`
 * (login: `username`, `password`, a `dstcode` header) gives a session; `POST /dvcqg/api` takes a
 * flat JSON body `{session, madonvi, service, …params}`. A thin translation, never a second
 * pipeline: each call is signed for the logged-in system (as the ingress's credential mode
 * does), sent through the gateway with every check, recorded in the ledger, and its reply or
 * error translated back into `{error_code, message, result}` (answers.ts).
 *
 * Login: `username` is the system's id, `password` a token issued to it (`lgsp keys token
 * <system>`). `madonvi` must be the logged-in system's agency code (the catalog's `agencyCode`).
 */
import { notInRunningCatalog } from '../http/bearer.ts';
import express, { type Request, type Response, type Router } from 'express';
import type { Catalog } from '../../gateway/catalog/catalog.ts';
import type { JsonObject } from '../../gateway/protocol/envelope.ts';
import { asGatewayError, GatewayError } from '../../gateway/protocol/errors.ts';
import { noteRefusal, refuseUnreadBody, type FacadeDeps } from '../http/facade-refusal.ts';
import { facadeGuessingLimit } from '../http/guessing.ts';
import { parseCredentialBody } from '../http/modes.ts';
import { fromGatewayError, fromReply, type AdapterAnswer } from './answers.ts';
import { ExpiringTokens } from '../http/expiring-tokens.ts';
import { DEFAULT_DOOR_PATHS } from '../http/doors.ts';

/** The adapter's services, each a bus service of the portal with the same name. */
export const ADAPTER_SERVICES = ['LayThuTuc', 'LayDanhSachTTHC', 'LayDanhMucCoQuan', 'LayDanhMucLinhVuc', 'TraCuuHoSo', 'DongBoHoSoMC', 'CapNhatTienDoHoSoMC'] as const;
export const PORTAL = 'VN/GOV/VPCP/DVCQG';

export interface DvcqgConfig {
  readonly authPath: string;
  readonly apiPath: string;
  /** How long a session lasts: short by default, so that a client meets expiry while it is tested. */
  readonly sessionSeconds: number;
}

export const DEFAULT_DVCQG_CONFIG: DvcqgConfig = Object.freeze({ authPath: DEFAULT_DOOR_PATHS['dvcqg-auth'], apiPath: DEFAULT_DOOR_PATHS['dvcqg-api'], sessionSeconds: 300 });

export interface DvcqgDeps extends FacadeDeps {
  readonly catalog: Catalog;
  /** The system a token was issued to (the login's password is a token). */
  readonly tokenOwner: (token: string) => string | undefined;
  readonly config?: Partial<DvcqgConfig>;
}

const time = (ms: number) => new Date(ms).toISOString();

/** The largest login body the adapter reads: a username, a password and a little JSON around them. */
export const LOGIN_MAX_BYTES = 4096;

export function dvcqgFacade(deps: DvcqgDeps): Router {
  const config = { ...DEFAULT_DVCQG_CONFIG, ...deps.config };
  const sessions = new ExpiringTokens(config.sessionSeconds * 1000, deps.now);
  const router = express.Router();
  const raw = express.raw({ type: () => true, limit: deps.maxBytes });
  // Cheap checks first: a login holds two short strings, so its body is bounded before it is parsed.
  const loginBody = express.raw({ type: () => true, limit: LOGIN_MAX_BYTES });

  /** Reads the flat JSON body; a body that is not one JSON object is answered in the adapter's shape. */
  function bodyOf(req: Request): JsonObject {
    return parseCredentialBody(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
  }

  const notes = { ...deps, provider: PORTAL };

  /** A refusal at the facade: recorded when the caller proved who it is, else only counted. */
  async function refuse(req: Request, res: Response, err: GatewayError, who?: { system: string; service?: string }): Promise<void> {
    answer(res, fromGatewayError(err, await noteRefusal(notes, req, res, err, who)));
  }

  function answer(res: Response, body: AdapterAnswer | Record<string, unknown>): void {
    if (typeof body.transaction === 'string') res.locals.journalTx = body.transaction;
    res.status(200).json(body);
  }

  // Guessing passwords is slowed per (address, claimed system), as at every door; the right
  // password goes through. The login body is read first: it is small (LOGIN_MAX_BYTES).
  const loginOf = (req: Request): { username?: unknown; password?: unknown } => {
    try {
      return JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '') as { username?: unknown; password?: unknown };
    } catch {
      return {};
    }
  };
  const loginGuessing = facadeGuessingLimit(deps.failedAuthPerMinute, {
    claimedBy: (req) => {
      const { username } = loginOf(req);
      return typeof username === 'string' ? username.slice(0, 200) : undefined;
    },
    authenticates: (req) => {
      const { username, password } = loginOf(req);
      return typeof password === 'string' && typeof username === 'string' && deps.tokenOwner(password) === username;
    },
  }, refuse);
  // Guessing sessions: keyed on the session's owner; a valid session goes through.
  const sessionOf = (req: Request): string | undefined => {
    const head = Buffer.isBuffer(req.body) ? req.body.subarray(0, 64 * 1024).toString('utf8') : '';
    return /"session"\s*:\s*"([A-Za-z0-9._~+/=-]{1,200})"/.exec(head)?.[1];
  };
  const sessionOwner = (req: Request): string | undefined => {
    const session = sessionOf(req);
    const state = session === undefined ? undefined : sessions.state(session);
    return state?.status === 'valid' ? state.system : undefined;
  };
  const apiGuessing = facadeGuessingLimit(deps.failedAuthPerMinute, { claimedBy: sessionOwner, authenticates: (req) => sessionOwner(req) !== undefined }, refuse);

  router.post(config.authPath, loginBody, loginGuessing, async (req, res) => {
    let body: JsonObject;
    try {
      body = bodyOf(req);
    } catch (err) {
      return refuse(req, res, err as GatewayError);
    }
    if (!req.get('dstcode')) {
      return refuse(req, res, new GatewayError('client.malformed', 'Thiếu header dstcode (the dstcode header, the destination code, is missing).'));
    }
    const { username, password } = body;
    const missing = ['username', 'password'].filter((k) => typeof body[k] !== 'string' || body[k] === '');
    if (missing.length > 0) {
      return refuse(req, res, new GatewayError('client.malformed', 'Đăng nhập cần username và password (login needs a username and a password).', {
        violations: missing.map((k) => ({ pointer: `/${k}`, message: "must have required property '" + k + "'" })),
      }));
    }
    const owner = deps.tokenOwner(String(password));
    if (owner !== undefined && owner === username && !deps.catalog.systems.has(owner)) {
      return refuse(req, res, new GatewayError('client.unknown_key', notInRunningCatalog(owner)));
    }
    if (owner === undefined || !deps.catalog.systems.has(owner) || owner !== username) {
      return refuse(req, res, new GatewayError('client.unknown_key',
        `Sai tên đăng nhập hoặc mật khẩu (wrong username or password: the username is a system id such as VN/PROV/CAOBANG/MOTCUA, the password a token issued to it by lgsp keys token <system>).`));
    }
    const { token: session, expiresAt } = sessions.issue(owner);
    answer(res, { error_code: 0, message: 'Đăng nhập thành công (logged in)', session, expires_in: config.sessionSeconds, expires_at: time(expiresAt) });
  });

  router.post(config.apiPath, raw, apiGuessing, async (req, res) => {
    let body: JsonObject;
    try {
      body = bodyOf(req);
    } catch (err) {
      return refuse(req, res, err as GatewayError);
    }
    const { session, madonvi, service, ...params } = body;
    const state = sessions.state(session);
    if (state.status === 'expired') {
      return refuse(req, res, new GatewayError('client.unknown_key',
        `Phiên làm việc đã hết hạn lúc ${time(state.expiredAt)}; hãy đăng nhập lại tại ${config.authPath} (the session expired at ${time(state.expiredAt)}; log in again).`));
    }
    if (state.status === 'unknown') {
      return refuse(req, res, new GatewayError('client.unknown_key',
        `${session === undefined ? 'Thiếu session' : 'Session không hợp lệ'}; hãy đăng nhập tại ${config.authPath} (${session === undefined ? 'no session' : 'no such session'}: log in first).`));
    }
    const system = state.system;
    const name = String(service ?? '');
    if (!(ADAPTER_SERVICES as readonly string[]).includes(name)) {
      return refuse(req, res, new GatewayError('client.unknown_service',
        `Không có dịch vụ "${name}" (no service "${name}"; the adapter has ${ADAPTER_SERVICES.join(', ')}).`), { system });
    }
    const serviceId = `${PORTAL}/${name}/v1`;
    const agency = deps.catalog.systems.get(system)?.agencyCode;
    if (typeof madonvi !== 'string' || madonvi !== agency) {
      return refuse(req, res, new GatewayError('client.access_denied', agency
        ? `Mã đơn vị ${JSON.stringify(madonvi ?? null)} không phải của đơn vị đăng nhập ${system} (${agency}) (madonvi is not the logged-in agency's code).`
        : `${system} không có mã đơn vị trong danh mục (the logged-in system has no agency code in the catalog).`, {
        violations: [{ pointer: '/madonvi', message: agency ? `must be ${agency}` : 'the system has no agencyCode' }],
      }), { system, service: serviceId });
    }
    try {
      const client = await deps.clients.of(system);
      answer(res, fromReply(await client.request(serviceId, { madonvi, ...params } as JsonObject)));
    } catch (err) {
      // Switched on its code (errors.ts): a reply timeout or a lost bus is answered as at every door.
      if (!(err instanceof GatewayError)) deps.log.error({ err, system, service: serviceId }, 'DVCQG facade: the bus did not answer');
      return refuse(req, res, asGatewayError(err), { system, service: serviceId });
    }
  });

  // What the routes above could not read (a body over the limit, say), in the adapter's shape too.
  router.use(config.authPath, refuseUnreadBody(LOGIN_MAX_BYTES, refuse));
  router.use(config.apiPath, refuseUnreadBody(deps.maxBytes, refuse));

  return router;
}
