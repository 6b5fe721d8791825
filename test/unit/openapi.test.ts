import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { createIngress, type Ingress } from '../../adapters/http/ingress.ts';
import { ERROR_CATALOGUE } from '../../gateway/protocol/errors.ts';
import { embeddedBroker } from '../helpers/broker.ts';
import { http } from '../helpers/http.ts';
import { realCatalog } from '../helpers/simulation-bus.ts';

describe('/openapi.json', () => {
  let ingress: Ingress;
  let server: Server;
  let doc: any;

  beforeAll(async () => {
    const { catalog } = await realCatalog();
    ingress = createIngress({ transport: await embeddedBroker().connect(), catalog });
    server = ingress.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    doc = (await http(`http://127.0.0.1:${(server.address() as { port: number }).port}`, '/openapi.json')).json;
  });

  afterAll(async () => {
    server.close();
    await ingress.close();
  });

  it('is a valid OpenAPI 3.1 document, by a real OpenAPI validator', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('describes every service of the catalog with its contract’s schemas', async () => {
    const { catalog } = await realCatalog();
    for (const service of catalog.services.values()) {
      const op = doc.paths[`/r1/${service.id}`]?.post;
      expect(op, service.id).toBeDefined();
      expect(op.requestBody.content['application/json'].schema).toEqual(service.contract.requestSchema);
      if (service.mode === 'request-reply') expect(op.responses['200'].content['application/json'].schema).toEqual(service.contract.responseSchema);
      else expect(op.responses['202']).toBeDefined();
    }
  });

  it('lists every error status of the catalogue with X-Road-Error, and the metaservices', () => {
    const op = doc.paths['/r1/VN/GOV/BCA/DANCU/citizen.verify/v1'].post;
    for (const { status } of Object.values(ERROR_CATALOGUE)) expect(op.responses[String(status)].headers['X-Road-Error']).toBeDefined();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/listClients', '/r1/VN/{cls}/{member}/{subsystem}/allowedMethods']));
  });
});
