/**
 * HTML reports in a real browser: the system's headless Chromium (Debian's `chromium`, installed
 * by .ci/run), driven by playwright-core (which downloads no browser). Screenshots go to
 * test-artifacts/report/ (gitignored) for a person to look at.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protocols, getProtocol } from '../../protocols/index.ts';
import { writeReport } from '../../src/report/html.ts';
import { loadReportSource, sourceFromRun } from '../../src/report/source.ts';
import { runScenario } from '../../src/run/run.ts';
import { resolveOptions } from '../../src/run/scenario.ts';
import { hostile } from '../fixtures/hostile.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const ARTIFACTS = resolve('test-artifacts/report');
// CI installs Chromium (.ci/run), so there its absence is a failure; a laptop without it skips.
if (!haveChromium && process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}: .ci/run installs it (apt-get install -y chromium)`);

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** What a page did while it loaded: console errors, uncaught exceptions, requests beyond the file itself. */
interface Load {
  errors: string[];
  requests: string[];
}

describe.skipIf(!haveChromium)('HTML report in headless Chromium', () => {
  let ctx: BrowserContext;
  let profile: string;
  let dir: string;
  const files: Record<string, string> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fl-report-'));
    profile = mkdtempSync(join(tmpdir(), 'fl-chromium-profile-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    files.lin = writeReport(await loadReportSource('corpus/raft/stale-local-read-48.json', protocols), join(dir, 'lin.html'));
    files.invariant = writeReport(await loadReportSource('corpus/raft/no-persist-229.json', protocols), join(dir, 'invariant.html'));
    const h = await runScenario(hostile, { options: resolveOptions(hostile, { seed: 1 }) }, { recordTrace: true });
    files.hostile = writeReport(sourceFromRun(h, 'faultline run hostile --seed 1 <script>window.__pwned = 9</script>'), join(dir, 'hostile.html'));
    const pingpong = getProtocol('pingpong');
    // No loss (balls keep bouncing) and think 5 ms: the long run sends more messages than a report embeds, so its window is used too.
    const quiet = { nemesis: [], healAtMs: 0, quietMs: 0, thinkMs: 5, dropRate: 0, dupRate: 0 };
    for (const ops of [200, 100_000]) {
      // Scenario options cap --ops at 50,000; the report must still cope with longer histories
      // (imported ones, or a Simulator driven directly), so the op count is set past the check.
      const r = await runScenario(pingpong, { options: { ...resolveOptions(pingpong, { seed: 1, ...quiet }), ops } }, { recordTrace: true });
      files[`ops${ops}`] = writeReport(sourceFromRun(r), join(dir, `pingpong-${ops}.html`));
    }
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: LAUNCH_ARGS,
      viewport: { width: 1500, height: 1000 },
    });
  });

  afterAll(async () => {
    await ctx?.close();
    for (const d of [dir, profile]) if (d) rmSync(d, { recursive: true, force: true });
  });

  /** Opens a report and waits for its script to finish drawing. */
  async function open(file: string): Promise<{ page: Page; load: Load }> {
    const page = await ctx.newPage();
    const load: Load = { errors: [], requests: [] };
    const self = pathToFileURL(file).href;
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') load.errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => load.errors.push(`uncaught: ${e.message}`));
    page.on('request', (r) => {
      if (r.url() !== self) load.requests.push(r.url());
    });
    await page.goto(self);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
    return { page, load };
  }

  it('renders a corpus entry with no console errors and no network requests', async () => {
    const { page, load } = await open(files.lin);
    expect(load.errors).toEqual([]);
    expect(load.requests).toEqual([]);
    await expect(page.locator('#status').textContent()).resolves.toBe('FAIL');
    const findings = await page.locator('#findings').textContent();
    expect(findings).toContain('cannot be placed');
    // The write the stale read missed had completed before the read began.
    expect(findings).toMatch(/Already completed when it began.*#0 append c "3" \(ok at \d+ ms\)/);
    await page.screenshot({ path: join(ARTIFACTS, 'linearizability.png') });
    await page.close();
  });

  it('draws one lane per node (and one per client)', async () => {
    const { page } = await open(files.lin);
    // The entry runs 3 nodes and 2 clients (its options say so).
    await expect(page.locator('#diagram-head .lane-head.node').count()).resolves.toBe(3);
    await expect(page.locator('#diagram-scroll line.lane-line.node').count()).resolves.toBe(3);
    await expect(page.locator('#diagram-head .lane-head.client').count()).resolves.toBe(2);
    const names = await page.locator('#diagram-head .lane-head.node').allTextContents();
    expect(names).toEqual(['n1', 'n2', 'n3']);
    await page.close();
  });

  it('highlights the op that cannot be linearized when it is clicked, on the timeline and the diagram', async () => {
    const { page } = await open(files.lin);
    // The checker names op #2 (get c -> "") of the shrunk entry.
    const bad = page.locator('#timeline-scroll g.op.bad');
    await expect(bad.count()).resolves.toBe(1);
    const op = await bad.getAttribute('data-op');
    expect(op).toBe('2');
    await expect(page.locator('#diagram-scroll g.op.selected').count()).resolves.toBe(0);
    await bad.click();
    await expect(page.locator(`#timeline-scroll g.op.selected[data-op="${op}"]`).count()).resolves.toBe(1);
    await expect(page.locator(`#diagram-scroll g.op.selected[data-op="${op}"]`).count()).resolves.toBe(1);
    await expect(page.locator('#detail-body').textContent()).resolves.toContain('This op cannot be linearized.');
    await expect(page.locator('#detail-body').textContent()).resolves.toContain('{"c": "3"}');
    await page.locator('#s-diagram').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'linearizability-selected.png') });
    await page.keyboard.press('Escape');
    await expect(page.locator('g.op.selected').count()).resolves.toBe(0);
    // It stays marked as the op that cannot be linearized, selected or not.
    await expect(page.locator(`#diagram-scroll g.op.bad[data-op="${op}"]`).count()).resolves.toBe(1);
    await page.close();
  });

  it('shows an invariant violation with its causal past, and a message body on click', async () => {
    const { page, load } = await open(files.invariant);
    expect(load.errors).toEqual([]);
    await expect(page.locator('#findings').textContent()).resolves.toContain('two leaders in term 1');
    await expect(page.locator('#findings').textContent()).resolves.toContain('happen-before');
    // The milestones in the causal past tell the story: two leaders of term 1.
    await expect(page.locator('#findings').textContent()).resolves.toMatch(/n1: leader of term 1.*n2: leader of term 1/);
    // Something outside the causal past is dimmed, something inside is not.
    await expect(page.locator('#diagram-scroll .dim').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('#diagram-scroll g.msg:not(.dim)').count()).resolves.toBeGreaterThan(0);
    await page.locator('#diagram-scroll g.msg:not(.dim) line.hit').first().click({ force: true });
    await expect(page.locator('#detail-body h3').textContent()).resolves.toMatch(/^message n\d → n\d$/);
    await expect(page.locator('#detail-body pre.body').textContent()).resolves.toMatch(/\S/);
    await page.locator('#s-diagram').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'invariant.png') });
    // 'Only the causal past' drops the rest instead of dimming it.
    await page.locator('#opt-only').check();
    await expect(page.locator('#diagram-scroll g.msg').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('#diagram-scroll g.msg.dim, #diagram-scroll g.point.dim').count()).resolves.toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'invariant-causal-past-only.png') });
    await page.close();
  });

  it("shows a hostile protocol's strings as text and runs none of them", async () => {
    const { page, load } = await open(files.hostile);
    // A blocked injection would still log a CSP error: none means nothing tried to run.
    expect(load.errors).toEqual([]);
    expect(load.requests).toEqual([]);
    const bad = page.locator('#timeline-scroll g.op.bad');
    await bad.first().click();
    await page.locator('#diagram-scroll g.msg line.hit').first().click({ force: true });
    const text = await page.locator('body').innerText();
    expect(text).toContain('<script>window.__pwned = 1</script>');
    expect(text).toContain('</script><script>window.__pwned = 3</script>');
    const svgText = await page.locator('#diagram-scroll svg').textContent();
    expect(svgText).toContain('<img src=x onerror=');
    await expect(page.locator('#summary-body pre.cmd').textContent()).resolves.toContain('<script>window.__pwned = 9</script>');
    // The page's own global: evaluated in the browser, where `globalThis` is the window.
    await expect(page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).resolves.toBeUndefined();
    // No element a payload describes exists: no img, no <b> from the </style> payload, no handlers.
    await expect(page.locator('img, [onerror], [onload], a[href^="javascript:"]').count()).resolves.toBe(0);
    await expect(page.locator('main b').count()).resolves.toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'hostile.png') });
    await page.close();
  });

  it('opens a 100,000-op report within 50x the time of a 200-op one', async () => {
    // Time from navigation to the end of drawing, measured in the page, best of three each.
    const loadMs = async (file: string) => {
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const { page, load } = await open(file);
        expect(load.errors).toEqual([]);
        best = Math.min(best, Number(await page.locator('body').getAttribute('data-ready-ms')));
        if (i === 2 && file === files.ops100000) {
          // Long views are virtualised: a few hundred of the 100,000 ops are in the DOM, and the
          // diagram says it shows a window of the messages.
          await expect(page.locator('#timeline-scroll g.op').count()).resolves.toBeLessThan(2000);
          await expect(page.locator('#timeline-scroll g.op').count()).resolves.toBeGreaterThan(0);
          await expect(page.locator('#window-note').textContent()).resolves.toMatch(/shows 30000 of \d+ messages, those sent between 0 ms and \d+ ms \(no check failed/);
          await page.screenshot({ path: join(ARTIFACTS, 'pingpong-100000-ops.png') });
        }
        await page.close();
      }
      return best;
    };
    const small = await loadMs(files.ops200);
    const large = await loadMs(files.ops100000);
    console.log(`report load: 200 ops ${small.toFixed(0)} ms, 100,000 ops ${large.toFixed(0)} ms (${(large / small).toFixed(1)}x); sizes ${statSync(files.ops200).size} and ${statSync(files.ops100000).size} bytes`);
    expect(large / small).toBeLessThan(50);
  });
});
