/**
 * The HTTP APIs of three national systems, simulated with msw: the population database, the tax
 * authority and the business registry, answering from the same data and rules as their mocks on
 * the bus, at the addresses `bridges/*.yaml` name. A REST bridge in front of them must then pass
 * the same contract examples as the mocks.
 */
import { http, HttpResponse, type HttpHandler } from 'msw';
import type { Handler, HandlerResult, IncomingMessage } from '../../adapters/amqp/provider.ts';
import type { JsonObject } from '../../gateway/protocol/envelope.ts';
import type { NationalData } from '../../mocks/data/national.ts';
import { dancuHandlers } from '../../mocks/national/dancu.ts';
import { dkkdHandlers } from '../../mocks/national/dkkd.ts';
import { thueHandlers } from '../../mocks/national/thue.ts';

export const API_BASE = {
  DANCU: 'http://127.0.0.1:9201/api/v1',
  THUE: 'http://127.0.0.1:9202/api',
  DKKD: 'http://127.0.0.1:9203/v2',
} as const;

/** A mock's answer as its API gives it: the body, or `{code, message}` with 404 (not found) or 503. */
async function answer(handler: Handler, body: JsonObject): Promise<Response> {
  const result: HandlerResult = await handler({ body } as IncomingMessage);
  if (result && typeof result === 'object' && 'body' in result) return HttpResponse.json(result.body);
  if (result && typeof result === 'object' && 'error' in result) {
    return HttpResponse.json({ code: result.error.type, message: result.error.message }, { status: result.error.type.endsWith('not_found') ? 404 : 503 });
  }
  return new HttpResponse(null, { status: 204 });
}

const query = (request: Request): JsonObject => Object.fromEntries(new URL(request.url).searchParams);

export function nationalApis(data: NationalData): HttpHandler[] {
  const dancu = dancuHandlers(data);
  const thue = thueHandlers(data);
  const dkkd = dkkdHandlers(data);
  return [
    http.post(`${API_BASE.DANCU}/citizens/verify`, async ({ request }) => answer(dancu['citizen.verify/v1']!, (await request.json()) as JsonObject)),
    http.get(`${API_BASE.DANCU}/citizens/:idNumber`, ({ request, params }) => answer(dancu['citizen.lookup/v1']!, { ...query(request), idNumber: String(params.idNumber) })),
    http.get(`${API_BASE.THUE}/taxpayers/:taxCode`, ({ params }) => answer(thue['taxpayer.lookup/v1']!, { taxCode: String(params.taxCode) })),
    http.post(`${API_BASE.THUE}/obligations/assessments`, async ({ request }) => answer(thue['obligation.assess/v1']!, (await request.json()) as JsonObject)),
    http.get(`${API_BASE.DKKD}/enterprises/:enterpriseCode`, ({ params }) => answer(dkkd['enterprise.lookup/v1']!, { enterpriseCode: String(params.enterpriseCode) })),
  ];
}
