/** The doors' journal keeps what crossed a door with every credential-like header hidden, under the door the one table of doors names. */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { doorJournal } from '../../adapters/http/door-journal.ts';
import { DEFAULT_DOOR_PATHS, doorOf } from '../../adapters/http/doors.ts';
import { MemoryJournal } from '../../gateway/ledger/journal.ts';

describe("the doors' journal", () => {
  it('hides Authorization, Proxy-Authorization, ApiKey, X-Api-Key, tokens and cookies, and keeps the other headers', async () => {
    const journal = new MemoryJournal();
    const app = express();
    app.use(doorJournal(journal, Date.now));
    app.post('/r1/x', (_req, res) => {
      res.locals.journalTx = 'tx-1';
      res.json({ ok: true });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const credentials = {
        Authorization: 'Bearer secret-1', 'Proxy-Authorization': 'Basic c2VjcmV0', ApiKey: 'secret-2', 'X-Api-Key': 'secret-3',
        'X-Auth-Token': 'secret-4', Cookie: 'session=secret-5', 'X-Road-Client': 'VN/PROV/CAOBANG/MOTCUA',
      };
      await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/r1/x`, { method: 'POST', headers: credentials, body: '{}' });
      await expect.poll(() => journal.entries('tx-1').length).toBe(2);
      const headers = (journal.entries('tx-1')[0]!.detail as { headers: Record<string, string> }).headers;
      for (const name of ['authorization', 'proxy-authorization', 'apikey', 'x-api-key', 'x-auth-token', 'cookie']) expect(headers[name], name).toBe('(hidden)');
      expect(headers['x-road-client']).toBe('VN/PROV/CAOBANG/MOTCUA');
      expect(JSON.stringify(journal.entries('tx-1'))).not.toMatch(/secret/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('names the door of a place moved with --api-path by the one table of doors, and no door for a path that only starts alike', () => {
    const moved = { ...DEFAULT_DOOR_PATHS, 'dvcqg-api': '/portal/adapter', soap: '/bca/dancu' };
    expect(doorOf('/portal/adapter', moved)).toBe('dvcqg');
    expect(doorOf('/bca/dancu', moved)).toBe('soap');
    expect(doorOf('/dancu/soap', moved)).toBeUndefined();
    expect(doorOf('/lgsp/Document/SyncDocument', moved)).toBe('lgsp');
    expect(doorOf('/lgspx/Document', moved)).toBeUndefined();
    expect(doorOf('/r1/VN/GOV/BCA/DANCU/citizen.verify/v1', moved)).toBe('http');
    expect(doorOf('/openapi.json', moved)).toBeUndefined();
  });
});
