/**
 * The dashboard in a real browser (Debian's Chromium, driven by playwright-core) against
 * `lgsp up` with faults on: at 1280 and 1920 px every panel and column stays in place, business
 * errors stand apart from ok and gateway errors, faults, queues, dead letters and a time axis are
 * shown, filters work, and a transaction opens on its own page with its journal. Screenshots go to reports/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken, OPERATOR } from '../../adapters/http/tokens.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing under CI=true (.ci/run installs the chromium package)`);
  console.warn(`\n  SKIPPED dashboard browser test: no ${CHROMIUM} (apt-get install chromium).\n`);
}

interface Box { x: number; y: number; width: number; height: number }

/** Every panel's box, and every header cell's box with the box of the panel it is in. */
async function layout(page: Page): Promise<{ viewport: number; scrollWidth: number; panels: (Box & { id: string })[]; cells: (Box & { text: string; panel: Box })[] }> {
  return page.evaluate(() => {
    // Runs in the page; this project's types have no DOM, hence the loose typing.
    const { document, window } = globalThis as any;
    const box = (el: any) => {
      const r = el.getBoundingClientRect();
      return { x: r.x, y: r.y + window.scrollY, width: r.width, height: r.height };
    };
    const panels = [...document.querySelectorAll('.panel, .card')].map((el: any, i: number) => ({ id: `${i}:${el.querySelector('h2, .label')?.textContent ?? ''}`, ...box(el) }));
    const cells = [...document.querySelectorAll('th')].map((th: any) => ({ text: th.textContent ?? '', ...box(th), panel: box(th.closest('.panel')) }));
    return { viewport: window.innerWidth, scrollWidth: document.documentElement.scrollWidth, panels, cells };
  });
}

/** The width a PNG says it has (IHDR). */
function pngWidth(file: string): number {
  return readFileSync(file).readUInt32BE(16);
}

describe.skipIf(!haveChromium)('the operator dashboard in Chromium', () => {
  const home = mkdtempSync(join(tmpdir(), 'lgsp-dash-'));
  let up: ChildProcess;
  let browser: Browser;
  let url: string;

  /** The operator's token, for the journal (personal data). */
  let operatorToken: string;

  beforeAll(async () => {
    operatorToken = issueToken(home, OPERATOR, 'dashboard test').token;
    const env: NodeJS.ProcessEnv = { ...process.env, LGSP_HOME: home };
    delete env.AMQP_URL;
    up = spawn(process.execPath, ['bin/lgsp.mjs', 'up', '--operator-port', '0', '--ingress-port', '0', '--rate', '20', '--citizens', '20000',
      '--faults', 'tax-not-connected,unstable-national-databases'], { cwd: ROOT, env });
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

  it.each([1280, 1920])('at %i px: updates, keeps every panel and column in place, and shows what an operator watches', async (width) => {
    const page = await browser.newPage({ viewport: { width, height: 1000 } });
    await page.goto(`${url}/`);
    const total = async () => Number(await page.locator('#total').textContent());
    await expect.poll(total, { timeout: 15_000 }).toBeGreaterThan(0);
    const first = await total();
    await expect.poll(total, { timeout: 15_000 }).toBeGreaterThan(first);
    // The tax authority is absent: gateway errors, counted apart from ok and from business errors.
    await expect.poll(async () => Number(await page.locator('#errors').textContent()), { timeout: 15_000 }).toBeGreaterThan(0);
    const [ok, business, errors] = await Promise.all(['#ok', '#business', '#errors'].map(async (id) => Number(await page.locator(id).textContent())));
    expect(ok! + business! + errors!).toBe(await total());

    await expect.poll(() => page.locator('#status').textContent()).toBe('broker and ledger up');
    expect(await page.locator('#latency').textContent()).toMatch(/^\d+ \/ \d+ \/ \d+ ms$/);
    await expect.poll(() => page.locator('#services tbody tr').count()).toBeGreaterThanOrEqual(10);
    expect(await page.locator('#services tbody tr', { hasText: 'VN/GOV/BTC/THUE/taxpayer.lookup/v1' }).locator('td').nth(4).textContent()).toMatch(/^server\.provider_unavailable \(\d+\)$/);
    expect(await page.locator('#faults li').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^tax-not-connected: /), expect.stringMatching(/^unstable-national-databases: /)]));
    expect(await page.locator('#queues tbody tr', { hasText: 'lgsp.ingress' }).first().locator('td').nth(3).textContent()).toBe('1');
    expect(await page.locator('#queues tbody tr', { hasText: 'lgsp.in.VN/GOV/BTC/THUE' }).locator('td').nth(3).textContent()).toBe('0');
    expect(await page.locator('#dead').textContent()).toMatch(/^\d+$/);
    expect(await page.locator('#health tbody tr').count()).toBeGreaterThanOrEqual(10);
    expect(await page.locator('#chart').getAttribute('data-ticks')).toMatch(/^(\d\d:\d\d ){5}\d\d:\d\d$/);

    // Nothing spills: no sideways scroll, no panel over another, every column inside its panel and wide enough to read.
    const l = await layout(page);
    expect(l.scrollWidth).toBeLessThanOrEqual(l.viewport);
    for (const p of l.panels) expect(p.x + p.width, p.id).toBeLessThanOrEqual(l.viewport);
    for (const [i, a] of l.panels.entries()) {
      for (const b of l.panels.slice(i + 1)) {
        const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        expect(overlap, `${a.id} overlaps ${b.id}`).toBe(false);
      }
    }
    for (const c of l.cells) {
      expect(c.x, c.text).toBeGreaterThanOrEqual(c.panel.x);
      expect(c.x + c.width, c.text).toBeLessThanOrEqual(c.panel.x + c.panel.width + 0.5);
      expect(c.width, c.text).toBeGreaterThan(30);
    }

    mkdirSync(join(ROOT, 'reports'), { recursive: true });
    const shot = join(ROOT, 'reports', `dashboard-${width}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    expect(pngWidth(shot)).toBe(width); // the whole page fits the width
    await page.close();
  });

  it('filters by outcome and system, over a chosen time range', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${url}/`);
    await expect.poll(() => page.locator('#recent tbody tr').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await page.selectOption('#range', '300000');
    await page.selectOption('#outcome', 'kind:gateway');
    await expect.poll(async () => {
      const outcomes = await page.locator('#recent tbody tr td:nth-child(4)').allTextContents();
      return outcomes.length > 0 && outcomes.filter((o) => o === 'ok' || o.startsWith('business:'));
    }, { timeout: 15_000 }).toEqual([]);
    expect(Number(await page.locator('#ok').textContent())).toBe(0);
    expect(await page.locator('.range-name').first().textContent()).toBe('last 5 minutes');

    await page.selectOption('#outcome', '');
    await expect.poll(() => page.locator('#system option').count(), { timeout: 15_000 }).toBeGreaterThan(5);
    await page.selectOption('#system', 'VN/PROV/CAMAU/MOTCUA');
    // The system on either side: as the client, or as the provider of the service.
    await expect.poll(async () => {
      const rows = await page.locator('#recent tbody tr').evaluateAll((trs) => trs.map((tr) => `${tr.children[1]?.textContent} ${tr.children[2]?.textContent}`));
      return rows.length > 0 && rows.filter((r) => !r.startsWith('VN/PROV/CAMAU/MOTCUA ') && !r.includes(' VN/PROV/CAMAU/MOTCUA/'));
    }, { timeout: 15_000 }).toEqual([]);
    await page.close();
  });

  it('opens a transaction on its own page from the latest transactions', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${url}/`);
    const row = page.locator('#recent tbody tr').first();
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    const tx = await row.locator('td').nth(5).getAttribute('title');
    await row.click();
    await page.waitForURL(/tx\.html\?tx=/);
    await expect.poll(() => page.locator('#title').textContent()).toContain(tx!);
    const fields = await page.locator('#record dt').allTextContents();
    expect(fields).toEqual(expect.arrayContaining(['transaction', 'client', 'service', 'outcome', 'request in', 'request hash', 'time at the gateway']));
    // Its journal (on in lgsp up) holds personal data: shown once the operator's token is given.
    await expect.poll(() => page.locator('#journal-note').textContent()).toMatch(/give an operator token/);
    expect(await page.locator('#journal li').count()).toBe(0);
    await page.screenshot({ path: join(ROOT, 'reports', 'transaction-locked-1280.png') });
    await page.fill('#token', operatorToken);
    await page.click('#token-form button');
    // Then the message as it came onto the bus, and the gateway's steps.
    await expect.poll(() => page.locator('#journal li').count()).toBeGreaterThan(1);
    expect(await page.locator('#token-form').isHidden()).toBe(true);
    expect(await page.locator('#journal .journal-head').first().textContent()).toMatch(/^\+\d+ msamqpreceived on the ingress$/);
    const l = await layout(page);
    expect(l.scrollWidth).toBeLessThanOrEqual(l.viewport);
    const shot = join(ROOT, 'reports', 'transaction-1280.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(pngWidth(shot)).toBe(1280);
    await page.close();
  });
});
