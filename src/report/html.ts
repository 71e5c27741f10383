/**
 * The HTML report: one self-contained file a person opens from disk or attaches to a CI run.
 *
 * The run goes in once, as JSON inside `<script type="application/json">` (every `<` escaped, so
 * no text in it can end the element); a small inline script draws the views from it with DOM
 * calls only. A Content-Security-Policy allows exactly that script (by its hash) and inline
 * styles, and nothing else: no network, no other script, even if something slipped through.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeAtomic } from '../run/output.ts';
import { BAND_KINDS, BAR_KINDS, FATES, FLAG, M, O, OP_TYPES, POINT_KINDS } from './columns.ts';
import { buildReportData, type ReportData, type ReportSource } from './data.ts';
import { REPORT_CSS } from './style.ts';
import { VIEWER_SCRIPT } from './viewer-script.ts';

/**
 * Escapes text for HTML element content and quoted attribute values.
 *
 * @example
 * escapeHtml('<img onerror=x>'); // '&lt;img onerror=x&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * JSON that is safe inside a `<script type="application/json">`: `<` (so no `</script>` or
 * `<!--`) and the two line separators JavaScript once treated as newlines are escaped.
 *
 * @example
 * embedJson({ a: '</script>' }); // '{"a":"\\u003c/script>"}'
 */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * Renders report data as a complete HTML document.
 *
 * @example
 * const html = renderReportHtml(buildReportData(source));
 */
export function renderReportHtml(data: ReportData): string {
  const columns = { M, O, FLAG, FATES, POINT_KINDS, BAR_KINDS, BAND_KINDS, OP_TYPES };
  const script = `var C = ${JSON.stringify(columns)};\n${VIEWER_SCRIPT}`;
  const hash = createHash('sha256').update(script, 'utf8').digest('base64');
  const csp = `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
  const m = data.meta;
  const title = `Faultline: ${m.protocol}/${m.variant}${m.seed !== null ? ` seed ${m.seed}` : ''} ${m.status.toUpperCase()}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="faultline report">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header class="top">
  <div><h1 id="title"></h1><div id="subtitle" class="muted"></div></div>
  <span id="status" class="status"></span>
</header>
<div class="layout">
<main>
  <nav class="toc"><a href="#s-findings">What went wrong</a><a href="#s-diagram">Message diagram</a><a href="#s-timeline">Client timeline</a><a href="#s-summary">Run</a><a href="#s-stats">Figures</a></nav>
  <section id="s-findings"><h2>What went wrong</h2><div id="findings"></div></section>
  <section id="s-diagram">
    <h2>Message diagram</h2>
    <div class="controls">
      <label><input type="checkbox" id="opt-dim"> dim what is not in the causal past</label>
      <label><input type="checkbox" id="opt-only"> show only the causal past</label>
      <label><input type="checkbox" id="opt-timers"> show timers</label>
      <label>scale <select id="opt-zoom"><option value="1">1 px/ms</option><option value="3" selected>3 px/ms</option><option value="8">8 px/ms</option><option value="20">20 px/ms</option></select></label>
    </div>
    <div class="legend">
      <span class="lg ok">delivered</span><span class="lg dup">duplicate</span><span class="lg bad">lost / dropped</span><span class="lg fly">in flight at the end</span>
      <span class="lg down">crashed</span><span class="lg paused">paused</span><span class="lg clock">clock fault</span><span class="lg partition">partition</span><span class="lg logm">ctx.log</span>
      <span class="lg opok">op ok</span><span class="lg opfail">fail</span><span class="lg opinfo">info</span><span class="lg opbad">cannot be linearized</span>
    </div>
    <p id="window-note" class="note"></p>
    <div class="view"><div class="head-clip"><div id="diagram-head" class="lane-heads"></div></div><div id="diagram-scroll" class="scroll"></div></div>
  </section>
  <section id="s-timeline">
    <h2>Client timeline</h2>
    <p class="muted">Each client's ops from invoke to completion, time down the page. A client whose op timed out (info) goes on as a fresh process (p&lt;n&gt;), as in Jepsen.</p>
    <div class="view"><div class="head-clip"><div id="timeline-head" class="lane-heads"></div></div><div id="timeline-scroll" class="scroll short"></div></div>
  </section>
  <section id="s-summary"><h2>Run</h2><div id="summary-body"></div></section>
  <section id="s-stats"><h2>Figures</h2><div id="stats-body"></div></section>
</main>
<aside id="detail"><h2>Details</h2><div id="detail-body"></div></aside>
</div>
<script type="application/json" id="report-data">${embedJson(data)}</script>
<script>${script}</script>
</body>
</html>
`;
}

/**
 * Builds and writes the report of a run; returns the path written.
 *
 * @example
 * writeReport(sourceFromRun(result, replay), 'out/report.html');
 */
export function writeReport(source: ReportSource, path: string): string {
  const dir = dirname(path);
  if (dir) mkdirSync(dir, { recursive: true });
  writeAtomic(path, renderReportHtml(buildReportData(source)));
  return path;
}
