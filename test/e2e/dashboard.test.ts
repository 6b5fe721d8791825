/**
 * The dashboard in a real browser (Debian's Chromium, driven by playwright-core) against
 * `lgsp up`: it loads, it updates as traffic flows, and a screenshot is kept in reports/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing under CI=true (.ci/run installs the chromium package)`);
  console.warn(`\n  SKIPPED dashboard browser test: no ${CHROMIUM} (apt-get install chromium).\n`);
}

describe.skipIf(!haveChromium)('the operator dashboard in Chromium', () => {
  const home = mkdtempSync(join(tmpdir(), 'lgsp-dash-'));
  let up: ChildProcess;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, LGSP_HOME: home };
    delete env.AMQP_URL;
    up = spawn(process.execPath, ['bin/lgsp.mjs', 'up', '--operator-port', '0', '--rate', '20'], { cwd: ROOT, env });
    url = await new Promise<string>((found, fail) => {
      let out = '';
      up.stdout!.on('data', (d) => {
        out += d;
        const m = /dashboard (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
        if (m) found(m[1]!);
      });
      up.once('exit', () => fail(new Error(`lgsp up exited: ${out}`)));
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    up?.kill('SIGINT');
    await new Promise((r) => up?.once('exit', r));
    rmSync(home, { recursive: true, force: true });
  });

  it('loads, updates as traffic flows, and shows every part an operator watches', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    await page.goto(`${url}/`);
    const total = async () => Number(await page.locator('#total').textContent());
    await expect.poll(total, { timeout: 10_000 }).toBeGreaterThan(0);
    const first = await total();
    await expect.poll(total, { timeout: 10_000 }).toBeGreaterThan(first);

    await expect.poll(() => page.locator('#status').textContent()).toBe('broker and ledger up');
    expect(Number(await page.locator('#rate').textContent())).toBeGreaterThan(0);
    expect(await page.locator('#latency').textContent()).toMatch(/^\d+ \/ \d+ \/ \d+ ms$/);
    await expect.poll(() => page.locator('#services tbody tr').count()).toBeGreaterThanOrEqual(10);
    await expect.poll(() => page.locator('#clients tbody tr').count()).toBeGreaterThanOrEqual(5);
    expect(await page.locator('#recent tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('#health tbody tr').count()).toBeGreaterThanOrEqual(10);

    mkdirSync(join(ROOT, 'reports'), { recursive: true });
    const shot = join(ROOT, 'reports', 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(existsSync(shot)).toBe(true);
  });
});
