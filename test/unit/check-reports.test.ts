/**
 * The connection tests' kept reports, as the operator server serves them: from a state directory
 * named `.lgsp` (the default, a dot-folder) as from any other, and never through a link.
 */
import express from 'express';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECKS_DIR, keptFile } from '../../checker/store.ts';
import { createOperatorApp } from '../../gateway/operator/app.ts';
import { createMetrics } from '../../gateway/operator/metrics.ts';

const RUN = 'VN~PROV~CAOBANG~MOTCUA/2026-12-02T07-00-00.000Z';

describe("the connection tests' kept reports", () => {
  let dir: string;
  let home: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lgsp-reports-'));
    home = join(dir, '.lgsp');
    mkdirSync(join(home, CHECKS_DIR, RUN), { recursive: true });
    writeFileSync(join(home, CHECKS_DIR, RUN, 'report.html'), '<h1>PASSED</h1>');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function get(path: string): Promise<{ status: number; text: string }> {
    const app: express.Express = createOperatorApp({
      metrics: createMetrics({ inflight: () => 0, brokerUp: () => true }), readiness: () => ({ broker: true, ledger: true }),
      checkReport: (run, file) => keptFile(home, run, file),
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
      return { status: res.status, text: await res.text() };
    } finally {
      await new Promise((r) => server.close(r));
    }
  }

  it('serves a report from a state directory named .lgsp', async () => {
    expect(await get(`/api/checks/${RUN}/report.html`)).toEqual({ status: 200, text: '<h1>PASSED</h1>' });
  });

  it('refuses a report that is a link, wherever it points', async () => {
    writeFileSync(join(dir, 'secret.txt'), 'not a report');
    rmSync(join(home, CHECKS_DIR, RUN, 'report.html'));
    symlinkSync(join(dir, 'secret.txt'), join(home, CHECKS_DIR, RUN, 'report.html'));
    expect(keptFile(home, RUN, 'report.html')).toBeUndefined();
    expect((await get(`/api/checks/${RUN}/report.html`)).status).toBe(404);
  });
});
