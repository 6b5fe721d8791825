/**
 * The HTTP ingress (docs/protocol.md §7, after X-Road's REST protocol): `POST /r1/<service id>` in signed
 * mode (the client's own request JWS, `application/jose`) or credential mode (a JSON body with a
 * bearer token; the ingress signs as that system). The door checks only what is its own — the
 * path and headers, the token, the caller's rate, the size — and hands the message to the gateway
 * on the bus like any system's message, which checks it once (signature, envelope, clock, replay,
 * service, access, contract; an event's provider). The gateway's signed answer is answered in the
 * door's shape: a reply, its error, or an event's receipt (202). Refusals made at the door are
 * answered with the gateway's error body, signed by the gateway's key, and recorded through `record`.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { pino, type Logger } from 'pino';
import type { Catalog } from '../../gateway/catalog/catalog.ts';
import type { TransactionRecord } from '../../gateway/ledger/ledger.ts';
import type { RequestEnvelope } from '../../gateway/protocol/envelope.ts';
import { asGatewayError, GatewayError, type ErrorType } from '../../gateway/protocol/errors.ts';
import { decodeJws, sha256 } from '../../gateway/protocol/jws.ts';
import { LARGE_MESSAGE_BYTES } from '../../gateway/pipeline/lanes.ts';
import { LargeReader } from '../../gateway/pipeline/large-reader.ts';
import type { SigningKey } from '../../gateway/protocol/keys.ts';
import type { Transport } from '../../gateway/transport/transport.ts';
import { DEFAULT_DVCQG_CONFIG, type DvcqgConfig } from '../dvcqg/facade.ts';
import type { Journal } from '../../gateway/ledger/journal.ts';
import { bearerChallenge, bearerOwner } from './bearer.ts';
import { doorJournal } from './door-journal.ts';
import { DEFAULT_INGRESS_CONFIG, type IngressConfig } from './ingress-config.ts';
import { guessingLimit } from './guessing.ts';
import { realApis } from './real-apis.ts';
import { ExpiringTokens } from './expiring-tokens.ts';
import { BusClients } from './bus-clients.ts';
import { metaserviceRoutes } from './metaservice-routes.ts';
import { checkHeaderIds, credentialBodyText, malformed, parseCredentialBody, readSignedRequest } from './modes.ts';
import { openApiDocument } from './openapi.ts';
import { createDoorRate, OverRate } from './rate-limit.ts';
import { checkRawPath, clientHeader, serviceFromParams, singleHeader, tokenOwner } from './request-line.ts';
import { createRefusal, seen } from './refusal.ts';
import { sendAccepted, sendReply, type Answered } from './respond.ts';
import type { TokenStore } from './tokens.ts';

export { DEFAULT_INGRESS_CONFIG, type IngressConfig } from './ingress-config.ts';

export interface IngressDeps {
  /** A connection to the bus. */
  readonly transport: Transport;
  readonly catalog: Catalog;
  /** Bearer tokens for credential mode; without them credential mode is refused. */
  readonly tokens?: TokenStore;
  /** A system's signing key, for credential mode. */
  readonly keyOf?: (system: string) => Promise<SigningKey | undefined>;
  /** The gateway's key, which signs the refusals the ingress answers itself. */
  readonly gatewayKey?: SigningKey;
  /** Records each request the ingress refuses itself; the gateway records the rest. */
  readonly record?: (record: TransactionRecord) => unknown;
  /** Counts refusals of callers that never proved who they are (not written to the ledger one by one). */
  readonly countUnauthenticated?: (type: string) => void;
  /** Where the doors are reached (`http://host:port`), once known: the SOAP service's WSDL names it. */
  readonly publicUrl?: () => string | undefined;
  readonly config?: Partial<IngressConfig>;
  /** Journals each request that became a transaction, as it was at the door (docs/protocol.md §6). */
  readonly journal?: Journal;
  /** Where the national portal's adapter facade answers, and how long its sessions last. */
  readonly dvcqg?: Partial<DvcqgConfig>;
  readonly now?: () => number;
  readonly logger?: Logger;
}

export interface Ingress {
  readonly app: express.Express;
  /** The instance name of this ingress's reply queues on the bus. */
  readonly instance: string;
  close(): Promise<void>;
}

/**
 * Builds the ingress.
 * @example const ingress = createIngress({ transport, catalog, tokens, keyOf, gatewayKey, record }); ingress.app.listen(8080);
 */
export function createIngress(deps: IngressDeps): Ingress {
  const config = Object.freeze({ ...DEFAULT_INGRESS_CONFIG, ...deps.config });
  const now = deps.now ?? Date.now;
  const log = deps.logger ?? pino({ level: 'silent' });
  const { catalog } = deps;
  const clients = new BusClients(deps.transport, catalog, deps.keyOf ?? (async () => undefined), now, config.replyTimeoutMs);
  const rate = createDoorRate(config.ratePerSecond);
  // A large body is read off the door's thread, as the gateway reads large messages (large-reader.ts).
  const largeReader = new LargeReader({}, log);
  const accessTokens = new ExpiringTokens(config.accessTokenSeconds * 1000, now);
  /** Whose a bearer token is: a static token of `lgsp keys token`, or an access token of `POST /token`. */
  const ownerOfBearer = bearerOwner((t) => deps.tokens?.systemOf(t), accessTokens, config.tokenPath);
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');

  const refuse = createRefusal({
    catalog, gatewayKey: deps.gatewayKey, record: deps.record, now, log, instance: config.instance, countUnauthenticated: deps.countUnauthenticated,
  });

  const dvcqgPaths = { ...DEFAULT_DVCQG_CONFIG, ...deps.dvcqg };
  app.use(doorJournal(deps.journal, now, {
    'dvcqg-auth': dvcqgPaths.authPath, 'dvcqg-api': dvcqgPaths.apiPath, token: config.tokenPath, lgsp: config.lgspBase, soap: config.dancuSoapPath,
  }));
  app.use((req, res, next) => {
    seen(res).requestIn = now();
    checkRawPath(req.url);
    next();
  });

  app.get('/openapi.json', (_req, res) => void res.json(openApiDocument(catalog)));
  app.use(metaserviceRoutes(catalog, (t) => deps.tokens?.systemOf(t)));
  // The real APIs systems already speak, each a facade onto the bus (docs/real-apis.md).
  app.use(realApis({
    catalog, clients, config, dvcqg: deps.dvcqg, tokenOwner: (t) => deps.tokens?.systemOf(t), accessTokens, bearerOwner: ownerOfBearer,
    record: deps.record, countUnauthenticated: deps.countUnauthenticated, now, log, publicUrl: deps.publicUrl,
  }));

  const serviceRoute = '/r1/VN/:cls/:member/:subsystem/:code/:version';

  /** A body declared larger than the limit is refused before a byte of it is read, and the connection closed. */
  function refuseDeclaredTooLarge(req: Request, res: Response, next: NextFunction): void {
    const declared = Number(req.get('content-length') ?? 0);
    if (declared > config.maxBytes) {
      res.set('Connection', 'close');
      res.once('finish', () => req.socket.destroy());
      throw new GatewayError('client.too_large', `The body is declared as ${declared} bytes; the limit is ${config.maxBytes}.`);
    }
    next();
  }

  /** Identifiers and mode, before anything else is read. */
  function readRequestLine(req: Request, res: Response, next: NextFunction): void {
    const s = seen(res);
    s.service = serviceFromParams(req.params);
    s.client = clientHeader(req);
    const entry = catalog.services.get(s.service);
    s.kind = entry?.mode === 'event' ? 'event' : 'request';
    if (req.is('application/json')) s.mode = 'credential';
    else if (req.is('application/jose')) s.mode = 'signed';
    else throw malformed('The body must be application/json (credential mode, with a bearer token) or application/jose (signed mode).');
    next();
  }

  /**
   * Who is calling, proved before anything is charged to anyone — in credential mode by a bearer
   * token issued to X-Road-Client (headers only, so before the body is read); in signed mode by
   * the request's signature with X-Road-Client's key (below). Only then does the caller's rate
   * limit count it: an unsigned flood in another's name spends nothing of theirs.
   */
  function authenticateToken(req: Request, res: Response, next: NextFunction): void {
    const s = seen(res);
    if (s.mode === 'credential') {
      let owner: string | undefined;
      try {
        owner = tokenOwner(req, s.client!, ownerOfBearer);
      } catch (err) {
        // RFC 6750 §3: say why the token was refused, in the challenge too.
        res.set('WWW-Authenticate', bearerChallenge((err as Error).message));
        throw err;
      }
      if (!owner) {
        res.set('WWW-Authenticate', bearerChallenge(undefined));
        throw new GatewayError('client.unknown_key', `Credential mode needs "Authorization: Bearer <token>" (POST ${config.tokenPath}, or lgsp keys token <system>).`);
      }
      if (!catalog.systems.has(owner)) {
        throw new GatewayError('client.unknown_key', `${owner} is not a system of this bus's catalog: register it with lgsp system add, then restart the gateway.`);
      }
      s.authenticated = true;
    }
    next();
  }

  /** Signed mode: the headers and path agree with the JWS; its signature is the gateway's to check. */
  async function readSigned(req: Request, res: Response, next: NextFunction): Promise<void> {
    const s = seen(res);
    if (s.mode === 'signed') {
      const jws = (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)).toString('utf8').trim();
      const decoded = jws.length > LARGE_MESSAGE_BYTES ? await largeReader.read(jws) : decodeJws(jws);
      res.locals.signedRequest = readSignedRequest(req, decoded, s.client!, s.service!);
    }
    next();
  }

  async function credentialRequest(req: Request, res: Response, body: Buffer): Promise<{ envelope: RequestEnvelope; jws: string }> {
    const s = seen(res);
    // A large body is read and written back canonically off the door's thread, and signed as that text.
    const parsed = body.length > LARGE_MESSAGE_BYTES ? credentialBodyText(await largeReader.canonicalObject(body.toString('utf8'))) : parseCredentialBody(body);
    const client = await clients.of(s.client!);
    const id = singleHeader(req, 'X-Road-Id');
    const userId = singleHeader(req, 'X-Road-UserId');
    const issue = singleHeader(req, 'X-Road-Issue');
    checkHeaderIds({ id, userId, issue });
    try {
      const options = { id, userId, issue };
      return await (typeof parsed === 'string' ? client.signText(s.kind!, s.service!, parsed, options) : client.sign(s.kind!, s.service!, parsed, options));
    } catch (cause) {
      throw new GatewayError('server.internal', `The ingress holds no signing key for ${s.client}.`, { cause });
    }
  }

  // Guessing tokens or signatures is slowed per (address, X-Road-Client): 30 failed
  // authentications a minute, then 429; other systems behind the same address are not counted
  // with it, and a request with a valid bearer token for its X-Road-Client goes through.
  const guessing = guessingLimit(config.failedAuthPerMinute, {
    claimedBy: (req) => req.get('x-road-client')?.slice(0, 200),
    authenticates: (req) => {
      const client = req.get('x-road-client');
      return client !== undefined && tokenOwner(req, client, ownerOfBearer) === client;
    },
  }, (req, res) => void refuse(req, res, new GatewayError('client.rate_limited',
    `More than ${config.failedAuthPerMinute} failed authentications a minute as ${req.get('x-road-client')?.slice(0, 200) ?? 'nobody named'} from this address; wait a minute.`)));

  /** The caller's rate, charged only to a caller proved its own (rate-limit.ts). */
  async function admitRate(_req: Request, res: Response, next: NextFunction): Promise<void> {
    const s = seen(res);
    try {
      await rate.admit(s.client!, s.authenticated === true);
    } catch (err) {
      if (err instanceof OverRate) res.set('Retry-After', String(err.retryAfterSeconds));
      throw err;
    }
    next();
  }

  app.post(serviceRoute, readRequestLine, guessing, authenticateToken, refuseDeclaredTooLarge,
    express.raw({ type: () => true, limit: config.maxBytes }),
    readSigned, admitRate,
    async (req: Request, res: Response) => {
      const s = seen(res);
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const sent = s.mode === 'credential'
        ? await credentialRequest(req, res, body)
        : res.locals.signedRequest as { envelope: RequestEnvelope; jws: string };
      s.messageId = sent.envelope.id;
      s.kind = sent.envelope.kind;
      s.requestHash = sha256(sent.jws);
      const about: Answered = { id: sent.envelope.id, client: s.client!, service: s.service!, requestHash: s.requestHash };
      // Handed to the gateway as it is, for its checks, made once; its answer is this door's.
      const client = await clients.of(s.client!);
      const reply = sent.envelope.kind === 'event'
        ? await client.sendSignedEventForReceipt(sent.jws, sent.envelope)
        : await client.sendSigned(sent.jws, sent.envelope);
      if (s.mode === 'signed') await rate.settle(s.client!, reply.status === 'error' && reply.signedBy === 'gateway' ? reply.error.type as ErrorType : 'ok');
      if (sent.envelope.kind === 'event' && reply.status === 'ok') sendAccepted(res, about, reply.tx);
      else sendReply(req, res, reply, about);
    });

  app.use((_req, _res, next) => next(new GatewayError('client.unknown_service', 'No such path. Services are at POST /r1/VN/<CLASS>/<MEMBER>/<SUBSYSTEM>/<serviceCode>/<version>.')));

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const type = (err as { type?: unknown }).type;
    let failure: GatewayError;
    if (err instanceof GatewayError) failure = err;
    else if (type === 'entity.too.large') failure = new GatewayError('client.too_large', `The body is larger than ${config.maxBytes} bytes.`);
    else if (typeof type === 'string' && (err as { status?: number }).status! < 500) failure = malformed(`The body could not be read (${type}).`);
    // A path that does not decode (an overlong UTF-8 sequence such as %c0%ae) is the caller's mistake, not ours.
    else if (err instanceof URIError || (err as { status?: number }).status === 400) failure = malformed('The path is not valid percent-encoded UTF-8.');
    else failure = asGatewayError(err);
    void refuse(req, res, failure).catch((cause) => {
      log.error({ err: cause }, 'could not answer a refusal');
      if (!res.headersSent) res.status(500).end();
    });
  });

  return {
    app,
    instance: clients.instance,
    close: async () => {
      await largeReader.stop();
      await clients.close();
    },
  };
}
