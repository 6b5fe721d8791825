/** The operator server answers a body it cannot read — too large, sent in chunks or not, or not JSON — with a 4xx, never a 500 or nothing. */
import express from 'express';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperatorApp } from '../../gateway/operator/app.ts';
import { createMetrics } from '../../gateway/operator/metrics.ts';

describe('the operator server and bodies it cannot read', () => {
  let port: number;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const routes = express.Router();
    routes.use('/admin', express.json({ limit: '64kb' }));
    routes.post('/admin/faults', (req, res) => void res.json({ got: Object.keys(req.body as object).length }));
    const app = createOperatorApp({
      metrics: createMetrics({ inflight: () => 0, brokerUp: () => true }), readiness: () => ({ broker: true, ledger: true }),
      isOperatorToken: (t) => t === 'op', routes,
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as AddressInfo).port;
    close = () => new Promise((r) => server.close(() => r()));
  });
  afterAll(() => close());

  /** Posts `size` bytes in chunks (no Content-Length), with the operator's token. */
  function postChunked(body: Buffer): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/admin/faults', method: 'POST', headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', Authorization: 'Bearer op' } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
      for (let i = 0; i < body.length; i += 16 * 1024) req.write(body.subarray(i, i + 16 * 1024));
      req.end();
    });
  }

  it('answers 413 to a chunked body over its limit', async () => {
    expect(await postChunked(Buffer.alloc(1024 * 1024, 'a'))).toMatchObject({ status: 413, text: expect.stringMatching(/too large/) });
  });

  it('answers 400 to a body that is not JSON, and reads one that is', async () => {
    expect(await postChunked(Buffer.from('{not json'))).toMatchObject({ status: 400 });
    expect(await postChunked(Buffer.from('{"service":"x"}'))).toEqual({ status: 200, text: '{"got":1}' });
  });
});
