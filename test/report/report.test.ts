import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getProtocol, protocols } from '../../protocols/index.ts';
import { causalPast } from '../../src/report/causal.ts';
import { FLAG, M } from '../../src/report/columns.ts';
import { buildReportData } from '../../src/report/data.ts';
import { embedJson, escapeHtml, renderReportHtml } from '../../src/report/html.ts';
import { loadReportSource, sourceFromRun } from '../../src/report/source.ts';
import { readTrace, type ReportEvent } from '../../src/report/trace-events.ts';
import { writeRunDir } from '../../src/run/output.ts';
import { runScenario } from '../../src/run/run.ts';
import { resolveOptions } from '../../src/run/scenario.ts';
import { hostile, PAYLOADS } from '../fixtures/hostile.ts';

const tsx = createRequire(import.meta.url).resolve('tsx/cli');

describe('HTML report (data and markup)', () => {
  it('keeps a 200-op run with every fault under a megabyte', async () => {
    const raft = getProtocol('raft');
    const r = await runScenario(raft, { options: resolveOptions(raft, { seed: 1 }) }, { recordTrace: true });
    expect(r.ops.length).toBe(200);
    const html = renderReportHtml(buildReportData(sourceFromRun(r, 'faultline run raft --seed 1')));
    console.log(`raft 200 ops, ${r.sim.trace.length} trace events: report ${html.length} bytes (trace as JSON: ${JSON.stringify(r.sim.trace).length} bytes)`);
    expect(html.length).toBeLessThan(1_000_000);
  });

  it('names the op that cannot be linearized, its longest prefix and the state before it', async () => {
    const data = buildReportData(await loadReportSource('corpus/raft/stale-local-read-48.json', protocols));
    // The same run gives the same file, byte for byte (no clock, no randomness in a report).
    const again = buildReportData(await loadReportSource('corpus/raft/stale-local-read-48.json', protocols));
    expect(renderReportHtml(again)).toBe(renderReportHtml(data));
    expect(data.lin).toHaveLength(1);
    const l = data.lin[0];
    expect(l.partition).toBe('c');
    expect(l.op).toBe(2);
    expect(l.prefix).toEqual([0]);
    expect(l.state).toBe('{"c": "3"}');
    expect(data.lanes.filter((x) => x.kind === 'node').map((x) => x.id)).toEqual(['n1', 'n2', 'n3']);
  });

  it("ties an invariant violation to the events at its time and marks their causal past", async () => {
    const data = buildReportData(await loadReportSource('corpus/raft/no-persist-229.json', protocols));
    const v = data.violations.find((x) => x.checker === 'always(election-safety)')!;
    expect(v.kind).toBe('invariant');
    expect(v.timeMs).toBe(785);
    expect(v.events!.length).toBeGreaterThan(0);
    expect(data.causal!.past).toBeGreaterThan(data.causal!.chain);
    // Messages delivered after the violation are not in its past; some before it are.
    const after = data.msgs.filter((m) => m[M.send] > 785);
    for (const m of after) expect(m[M.flags] & FLAG.past).toBe(0);
    expect(data.msgs.some((m) => m[M.flags] & FLAG.past)).toBe(true);
  });

  it("reads an invariant's time from its summary when its details do not carry it", async () => {
    // 2pc's atomicity observer reports { at: 'event #N at Tms', message }, not { timeMs }.
    const data = buildReportData(await loadReportSource('corpus/2pc/forget-prepared-3.json', protocols));
    const v = data.violations.find((x) => x.checker === 'always(2pc-atomicity)')!;
    expect(v).toMatchObject({ kind: 'invariant', timeMs: Number(/at (\d+)ms/.exec(v.summary)![1]) });
    expect(v.events!.length).toBeGreaterThan(0);
    expect(data.causal!.past).toBeGreaterThan(0);
  });

  it('pins an invariant on the exact trace event the check names (details.traceIndex, which always() records in a traced run)', async () => {
    const src = await loadReportSource('corpus/raft/no-persist-229.json', protocols);
    const check = src.checks.find((c) => c.checker === 'always(election-safety)')!;
    const recorded = (check.details as { traceIndex?: number }).traceIndex;
    expect(recorded).toBeGreaterThanOrEqual(0);
    const v = buildReportData(src).violations.find((x) => x.checker === check.checker)!;
    expect(v).toMatchObject({ exact: true, events: [recorded] });
    // A check that names only an instant is placed at that instant's events, which include the exact one.
    check.details = { ...(check.details as object), traceIndex: undefined };
    const atInstant = buildReportData(src).violations.find((x) => x.checker === check.checker)!;
    expect(atInstant.exact).toBe(false);
    expect(atInstant.events).toContain(recorded);
  });

  it('computes happens-before from lane order and cause links, and the chain from causes alone', () => {
    const ev = (index: number, node: string, cause = -1): ReportEvent => ({ index, timeMs: index, kind: 'x', cause, node });
    // a0 -> a1 on n1; b2 on n2 caused by a1; c3 on n3 unrelated; b4 on n2 caused by c3; target b5 on n2.
    const events = [ev(0, 'n1'), ev(1, 'n1'), ev(2, 'n2', 1), ev(3, 'n3'), ev(4, 'n2', 3), ev(5, 'n2', 2), ev(6, 'n1')];
    const { past, chain } = causalPast(events, events.map((e) => e.node), [5]);
    expect(past).toEqual([0, 1, 2, 3, 4, 5]);
    expect(chain).toEqual([1, 2, 5]);
    // A chain stops at a timer firing (not back to where it was armed); the past does not.
    const timed = [ev(0, 'n1'), { ...ev(1, 'n1', 0), kind: 'timer' }, ev(2, 'n1', 1)];
    expect(causalPast(timed, timed.map((e) => e.node), [2])).toEqual({ past: [0, 1, 2], chain: [1, 2] });
  });

  it('reads both trace formats', () => {
    const old = readTrace([
      { i: 0, t: 1, e: 'timer', node: 'n1', detail: 'tick' },
      { i: 1, t: 1, e: 'send', node: 'n1', to: 'n2', id: 7, msg: { callId: 3, body: { k: 1 } } },
      { i: 2, t: 4, e: 'deliver', from: 'n1', to: 'n2', id: 7, msg: { callId: 3, body: { k: 1 } } },
    ]);
    expect(old[1]).toMatchObject({ kind: 'send', from: 'n1', to: 'n2', msgId: 7, callId: 3, body: { k: 1 }, cause: 0 });
    expect(old[2].cause).toBe(1);
    const causal = readTrace([
      { index: 0, timeMs: 2, kind: 'send', cause: -1, node: 'n1', envelope: { msgId: 1, from: 'n1', to: 'n2', type: 'message' }, body: 'hi' },
      { index: 1, timeMs: 3, kind: 'deliver', cause: 0, node: 'n2', envelope: { msgId: 1, from: 'n1', to: 'n2', type: 'message' }, body: 'hi' },
    ]);
    expect(causal[1]).toMatchObject({ kind: 'deliver', cause: 0, from: 'n1', to: 'n2', msgId: 1, body: 'hi', timeMs: 3 });
  });

  it('keeps a window of messages around the failure when a run has more than it embeds', async () => {
    const pingpong = getProtocol('pingpong');
    const r = await runScenario(pingpong, { options: resolveOptions(pingpong, { seed: 2, ops: 200, nemesis: [] }) }, { recordTrace: true });
    const full = buildReportData(sourceFromRun(r));
    const cut = buildReportData(sourceFromRun(r), { maxMsgRows: 100 });
    expect(full.window.shownMsgs).toBe(full.window.totalMsgs);
    expect(cut.window).toMatchObject({ shownMsgs: 100, totalMsgs: full.window.totalMsgs });
    expect(cut.msgs).toEqual(full.msgs.slice(0, 100)); // a passing run focuses on its start
    expect(cut.ops).toHaveLength(200); // every op stays
    expect(cut.s.length).toBeLessThanOrEqual(full.s.length);
  });

  it('embeds hostile strings only inside the escaped JSON, once', async () => {
    const r = await runScenario(hostile, { options: resolveOptions(hostile, { seed: 1 }) }, { recordTrace: true });
    expect(r.status).toBe('fail');
    const html = renderReportHtml(buildReportData(sourceFromRun(r, PAYLOADS[0])));
    expect(html.match(/<script/g)).toHaveLength(2); // the data element and the viewer
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    for (const p of PAYLOADS) if (p.includes('<')) expect(html).not.toContain(p);
    const json = html.slice(html.indexOf('id="report-data">') + 17, html.indexOf('</script>'));
    const data = JSON.parse(json);
    expect(data.s).toContain(PAYLOADS[0]);
    // Each distinct string sits in the table once.
    expect(new Set(data.s).size).toBe(data.s.length);
    expect(escapeHtml('<img onerror="x">&')).toBe('&lt;img onerror=&quot;x&quot;&gt;&amp;');
    expect(embedJson({ a: '</script><!--\u2028' })).toBe('{"a":"\\u003c/script>\\u003c!--\\u2028"}');
  });

  it('reads a run directory, and rejects bad input with one line and exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-report-cli-'));
    const abd = getProtocol('abd');
    const r = await runScenario(abd, { options: resolveOptions(abd, { seed: 3, ops: 20 }) }, { recordTrace: true });
    writeRunDir(join(dir, 'run'), r, 'faultline run abd --seed 3 --ops 20', r.sim.trace);
    const fromDir = buildReportData(await loadReportSource(join(dir, 'run'), protocols));
    const fromRun = buildReportData(sourceFromRun(r, 'faultline run abd --seed 3 --ops 20'));
    expect(fromDir.msgs).toEqual(fromRun.msgs);
    expect(fromDir.ops).toEqual(fromRun.ops);
    mkdirSync(join(dir, 'empty'));
    writeFileSync(join(dir, 'bad.json'), '{"nope": 1}');
    writeFileSync(join(dir, 'broken.json'), '{');
    const cli = (...args: string[]) => spawnSync(process.execPath, [tsx, 'src/cli/main.ts', 'report', ...args], { encoding: 'utf8', timeout: 120_000 });
    for (const [arg, message] of [
      [join(dir, 'missing'), /no such file or directory/],
      [join(dir, 'empty'), /no summary\.json in this directory/],
      [join(dir, 'bad.json'), /neither a corpus entry .* nor a run summary/],
      [join(dir, 'broken.json'), /not valid JSON/],
    ] as const) {
      const out = cli(arg);
      expect(out.status).toBe(2);
      expect(out.stderr.trim().split('\n')).toHaveLength(1);
      expect(out.stderr).toMatch(message);
    }
    const ok = cli(join(dir, 'run'));
    expect(ok.status).toBe(0);
    expect(readFileSync(join(dir, 'run', 'report.html'), 'utf8')).toContain('<!doctype html>');
    // replay --report writes out/<entry>.html (relative to where it runs).
    const entry = resolve('corpus/abd/no-write-back-7.json');
    const replay = spawnSync(process.execPath, [tsx, resolve('src/cli/main.ts'), 'replay', entry, '--quiet', '--report'], { encoding: 'utf8', cwd: dir, timeout: 120_000 });
    expect(replay.status).toBe(1); // the entry still fails
    expect(replay.stdout).toContain('report out/no-write-back-7.html');
    expect(readFileSync(join(dir, 'out', 'no-write-back-7.html'), 'utf8')).toContain('linearizable(register)');
    // shrink --report writes the shrunk run's report (the entry is already minimal: a quick shrink).
    const shrunk = spawnSync(process.execPath, [tsx, resolve('src/cli/main.ts'), 'shrink', entry, '--report'], { encoding: 'utf8', cwd: dir, timeout: 120_000 });
    expect(shrunk.status).toBe(0);
    expect(shrunk.stdout).toContain('report out/abd-no-write-back-7-shrunk.html');
    expect(readFileSync(join(dir, 'out', 'abd-no-write-back-7-shrunk.html'), 'utf8')).toContain('<!doctype html>');
  });
});
