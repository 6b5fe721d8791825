/**
 * `lgsp check` as a pipeline runs it: a mock passing (exit 0, the three reports where asked and
 * kept in LGSP_HOME/checks), a plan the mock cannot meet (exit 1, the exact finding in each
 * report), a system nobody registered (exit 2) — and the failing HTML report in Chromium, its
 * screenshot looked at: the verdict banner red, the finding and its fix on the page, nothing wider
 * than the window.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { chromium } from 'playwright-core';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../checker/result.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing under CI=true (.ci/run installs the chromium package)`);
  console.warn(`\n  SKIPPED check report browser test: no ${CHROMIUM} (apt-get install chromium).\n`);
}
const PROVINCE = 'VN/PROV/CAOBANG/MOTCUA';

function lgsp(args: string[], home: string): Promise<{ code: number; out: string; err: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, LGSP_HOME: home };
  delete env.AMQP_URL;
  const child = spawn(process.execPath, ['bin/lgsp.mjs', ...args, '--ingress-port', '0', '--operator-port', '0'], { cwd: ROOT, env });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((done) => child.once('exit', (code) => done({ code: code ?? -1, out, err })));
}

const failures = (xml: string) => {
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as { testsuites: { failures: string; testsuite: unknown } };
  const cases = ([doc.testsuites.testsuite].flat() as Array<{ testcase: unknown }>).flatMap((s) => [s.testcase].flat() as Array<{ name: string; failure?: { message: string } }>);
  return { total: Number(doc.testsuites.failures), failed: cases.filter((c) => c.failure) };
};

describe('lgsp check as a pipeline runs it', { timeout: 120_000 }, () => {
  // Named as the default state directory is (a dot-folder): its reports must open from the dashboard all the same.
  const homeParent = mkdtempSync(join(tmpdir(), 'lgsp-check-'));
  const home = join(homeParent, '.lgsp');
  const out = mkdtempSync(join(tmpdir(), 'lgsp-check-out-'));
  afterAll(() => {
    rmSync(homeParent, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it("passes the province's mock: exit 0, the reports where asked and kept in the state directory", async () => {
    const r = await lgsp(['check', PROVINCE, '--mock', '--junit', join(out, 'pass.xml'), '--html', join(out, 'pass.html'), '--json', join(out, 'pass.json')], home);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/PASSED: (\d+) of \1 checks, score 100 %/);
    const report = JSON.parse(readFileSync(join(out, 'pass.json'), 'utf8')) as CheckReport;
    expect(report.verdict).toBe('passed');
    expect(failures(readFileSync(join(out, 'pass.xml'), 'utf8')).total).toBe(0);
    expect(readFileSync(join(out, 'pass.html'), 'utf8')).toContain('PASSED');
    const kept = readdirSync(join(home, 'checks', PROVINCE.replaceAll('/', '~')));
    expect(kept).toHaveLength(1);
    expect(readdirSync(join(home, 'checks', PROVINCE.replaceAll('/', '~'), kept[0]!)).sort()).toEqual(['junit.xml', 'report.html', 'report.json']);
  });

  it('fails a plan the mock does not meet: exit 1, the same one finding in JSON, JUnit and HTML', async () => {
    const plan = parse(readFileSync(join(ROOT, 'plans/provincial-procedure-system.yaml'), 'utf8'));
    plan.client.scenarios[0].steps.splice(5, 0, { name: 'report it late', service: 'VN/GOV/VPCP/DVCQG/dossier.progress/v1', where: { status: ['late'] } });
    writeFileSync(join(out, 'strict.yaml'), stringify(plan));
    const r = await lgsp(['check', PROVINCE, '--mock', '--plan', join(out, 'strict.yaml'), '--window', '5',
      '--junit', join(out, 'fail.xml'), '--html', join(out, 'fail.html'), '--json', join(out, 'fail.json')], home);
    expect(r.code).toBe(1);
    expect(r.out).toContain('✗ [client] a judicial record certificate dossier, from reception to completion: report it late');
    expect(r.out).toMatch(/FAILED: \d+ of \d+ checks/);
    const report = JSON.parse(readFileSync(join(out, 'fail.json'), 'utf8')) as CheckReport;
    const failed = report.checks.filter((c) => c.status === 'failed');
    expect(failed.map((c) => c.name)).toEqual(['a judicial record certificate dossier, from reception to completion: report it late']);
    expect(failed[0]!.finding!.details).toContain('expected VN/GOV/VPCP/DVCQG/dossier.progress/v1 with status late');
    const junit = failures(readFileSync(join(out, 'fail.xml'), 'utf8'));
    expect(junit.failed.map((c) => c.name)).toEqual(failed.map((c) => c.name));
    expect(junit.failed[0]!.failure!.message).toBe(failed[0]!.finding!.message);
    const html = readFileSync(join(out, 'fail.html'), 'utf8');
    expect([...html.matchAll(/<section class="finding" id="([^"]+)">/g)].map((m) => m[1])).toEqual(failed.map((c) => c.id));
  });

  it('cannot run for a system nobody registered: exit 2, saying how to register it', async () => {
    const r = await lgsp(['check', 'VN/PROV/NOWHERE/MOTCUA'], home);
    expect(r.code).toBe(2);
    expect(r.err).toContain('lgsp system add VN/PROV/NOWHERE/MOTCUA');
  });

  it('cannot run while another process holds the state directory: exit 2, naming it', async () => {
    const busy = mkdtempSync(join(tmpdir(), 'lgsp-check-busy-'));
    try {
      // This test's own process is the live holder.
      writeFileSync(join(busy, 'running.json'), JSON.stringify({ pid: process.pid, command: 'up', startedAt: new Date().toISOString(), transport: 'embedded', prefix: 'lgsp' }));
      const r = await lgsp(['check', PROVINCE, '--mock'], busy);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/in use by lgsp up \(pid \d+/);
    } finally {
      rmSync(busy, { recursive: true, force: true });
    }
  });

  it.skipIf(!haveChromium)('lists the kept runs on the dashboard, per system, and opens a run\'s HTML report from it, under a state directory named .lgsp', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, LGSP_HOME: home };
    delete env.AMQP_URL;
    const up = spawn(process.execPath, ['bin/lgsp.mjs', 'up', '--no-workload', '--citizens', '1000', '--ingress-port', '0', '--operator-port', '0'], { cwd: ROOT, env });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
    try {
      const url = await new Promise<string>((found, fail) => {
        let text = '';
        up.stdout.on('data', (d) => {
          text += d;
          const m = /dashboard (http:\/\/127\.0\.0\.1:\d+)\//.exec(text);
          if (m) found(m[1]!);
        });
        up.once('exit', () => fail(new Error(`lgsp up exited: ${text}`)));
      });
      const { runs } = await (await fetch(`${url}/api/checks?system=${encodeURIComponent(PROVINCE)}`)).json() as { runs: Array<{ run: string; verdict: string }> };
      expect(runs.map((r) => r.verdict)).toEqual(['failed', 'passed']); // newest first
      const html = await fetch(`${url}/api/checks/${runs[0]!.run}/report.html`);
      expect(html.headers.get('content-type')).toMatch(/text\/html/);
      expect(await html.text()).toContain('report it late');
      const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
      await page.goto(`${url}/checks.html`);
      await page.locator('#runs tbody tr').nth(1).waitFor();
      const rows = await page.locator('#runs tbody tr').allInnerTexts();
      expect(rows[0]).toMatch(/VN\/PROV\/CAOBANG\/MOTCUA\s+provincial-procedure-system \(mock\)\s+failed/);
      expect(rows[1]).toMatch(/passed\s+\d+\/\d+ · 100 %/);
      // The failing run's HTML report, opened from its link on the page, as an operator would.
      const link = page.locator('#runs tbody tr').first().locator('a', { hasText: 'HTML' });
      await link.click();
      await page.waitForURL(/\/api\/checks\/.+\/report\.html$/);
      await expect(page.locator('#verdict').innerText()).resolves.toMatch(/FAILED/);
      await expect(page.locator('section.finding').innerText()).resolves.toMatch(/report it late/);
      await page.screenshot({ path: join(ROOT, 'reports', 'check-history-1280.png') });
    } finally {
      await browser.close();
      up.kill('SIGINT');
      await new Promise((r) => up.once('exit', r));
    }
  });

  it.skipIf(!haveChromium)('shows the failing report in Chromium: a red verdict, the finding and its fix, within 1280 px', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`file://${join(out, 'fail.html')}`);
      mkdirSync(join(ROOT, 'reports'), { recursive: true });
      const shot = join(ROOT, 'reports', 'check-report-1280.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(readFileSync(shot).readUInt32BE(16)).toBe(1280); // nothing wider than the window
      const banner = (await page.locator('#verdict').boundingBox())!;
      // Look at the screenshot itself: the pixel inside the banner, left of its text, is the failing red.
      const pixel = await page.evaluate(async ({ png, x, y }) => {
        const { document, Image } = globalThis as any;
        const img = new Image();
        img.src = `data:image/png;base64,${png}`;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext('2d');
        ctx.drawImage(img, 0, 0);
        return [...ctx.getImageData(x, y, 1, 1).data].slice(0, 3);
      }, { png: readFileSync(shot).toString('base64'), x: Math.round(banner.x + 6), y: Math.round(banner.y + banner.height / 2) });
      expect(pixel).toEqual([0xb3, 0x26, 0x1e]);
      await expect(page.locator('#verdict').innerText()).resolves.toMatch(/FAILED/);
      const finding = page.locator('section.finding');
      await expect(finding.count()).resolves.toBe(1);
      await expect(finding.innerText()).resolves.toMatch(/report it late[\s\S]*status late[\s\S]*Fix to try: make the system send/);
    } finally {
      await browser.close();
    }
  });
});
