/**
 * The report's inline script, as text. It reads the embedded JSON and draws every view with DOM
 * calls only: text goes in through `textContent` and attribute values through `setAttribute` on
 * non-URL, non-handler attributes, so nothing from the run is ever parsed as HTML or script.
 * Long views are virtualised: only what is on screen (plus a margin) is in the DOM.
 *
 * Plain ES5-style JavaScript (no build step, no template literals, so it can live in this string).
 */
export const VIEWER_SCRIPT = String.raw`
(function () {
'use strict';
var D = JSON.parse(document.getElementById('report-data').textContent);
var M = C.M, O = C.O, F = C.FLAG, S = D.s;
var SVGNS = 'http://www.w3.org/2000/svg';
var nodeCount = D.lanes.filter(function (l) { return l.kind === 'node'; }).length;
// A short run (a shrunk counterexample) gets room between events; a long one stays compact.
var state = { sel: null, dim: !!D.causal, only: false, timers: false, zoom: D.msgs.length + D.ops.length < 1000 ? 8 : 3 };
var views = [];

function $(id) { return document.getElementById(id); }
function str(i) { return i >= 0 && i < S.length ? S[i] : ''; }
function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function sv(tag, attrs, text) {
  var e = document.createElementNS(SVGNS, tag);
  for (var k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function cut(t, n) { t = String(t); return t.length > n ? t.slice(0, n - 1) + '\u2026' : t; }
function ms(t) { return t < 0 ? '-' : t + ' ms'; }
function pretty(text) {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
}
/** A short label for a message body: its 'type' (or first string field), else its JSON start. */
var labelCache = new Map();
function shortLabel(i) {
  if (labelCache.has(i)) return labelCache.get(i);
  var t = str(i), out = t;
  try {
    var v = JSON.parse(t);
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      var keys = Object.keys(v);
      var tk = ['type', 'kind', 't', 'op', 'msg'].filter(function (k) { return typeof v[k] === 'string'; })[0];
      if (tk) out = v[tk]; else if (keys.length) out = keys[0] + ':' + cut(JSON.stringify(v[keys[0]]), 12);
    }
  } catch (e) { /* not JSON: keep the text */ }
  out = cut(out, 22);
  labelCache.set(i, out);
  return out;
}

// ---- lookups ---------------------------------------------------------------------------------
var opPos = new Map();
D.ops.forEach(function (r, i) { opPos.set(r[O.index], i); });
var badOps = new Map(), prefixPos = new Map(), stuckOps = new Set();
D.lin.forEach(function (l, li) {
  if (l.op !== null) badOps.set(l.op, li);
  l.prefix.forEach(function (idx, k) { prefixPos.set(idx, k + 1); });
});
D.violations.forEach(function (v) { (v.ops || []).forEach(function (i) { stuckOps.add(i); }); });
// Invariants and crashes break at a moment; liveness checks and linearizability do not.
var violationTimes = D.violations.filter(function (v) { return typeof v.timeMs === 'number' && (v.kind === 'invariant' || v.kind === 'crash'); });

// ---- time axis: virtual time down the page, idle stretches compressed -------------------------
var MAX_GAP = 56, TOP = 28;
function makeAxis(times, pxPerMs) {
  var MIN_GAP = pxPerMs >= 8 ? 14 : 7;
  var a = Float64Array.from(times).sort();
  var T = [], Y = [], gaps = [], y = TOP;
  for (var k = 0; k < a.length; k++) {
    if (T.length && a[k] === T[T.length - 1]) continue;
    if (T.length) {
      var dt = a[k] - T[T.length - 1];
      var g = Math.max(MIN_GAP, dt * pxPerMs);
      if (g > MAX_GAP) { gaps.push(T.length); g = MAX_GAP; }
      y += g;
    }
    T.push(a[k]); Y.push(y);
  }
  if (!T.length) { T.push(0); Y.push(TOP); }
  function yOf(t) {
    var lo = 0, hi = T.length - 1;
    if (t <= T[0]) return Y[0];
    if (t >= T[hi]) return Y[hi] + Math.min(MAX_GAP, (t - T[hi]) * pxPerMs);
    while (hi - lo > 1) { var mid = (lo + hi) >> 1; if (T[mid] <= t) lo = mid; else hi = mid; }
    return Y[lo] + (Y[hi] - Y[lo]) * (t - T[lo]) / (T[hi] - T[lo]);
  }
  function firstAtOrBelow(y) {
    var lo = 0, hi = Y.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (Y[mid] < y) lo = mid + 1; else hi = mid; }
    return lo;
  }
  return { T: T, Y: Y, gaps: gaps, y: yOf, first: firstAtOrBelow, height: y + 80 };
}

/** Items sorted by start y; long ones kept aside so a window query stays a binary search. */
function makeIndex(n, y0, y1) {
  var LONG = 4000, short = [], long = [];
  for (var i = 0; i < n; i++) (y1(i) - y0(i) > LONG ? long : short).push(i);
  short.sort(function (a, b) { return y0(a) - y0(b); });
  var starts = short.map(y0);
  return function (top, bottom) {
    var lo = 0, hi = starts.length, from = top - LONG;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (starts[mid] < from) lo = mid + 1; else hi = mid; }
    var out = [];
    for (var k = lo; k < short.length && starts[k] <= bottom; k++) if (y1(short[k]) >= top) out.push(short[k]);
    for (var j = 0; j < long.length; j++) if (y0(long[j]) <= bottom && y1(long[j]) >= top) out.push(long[j]);
    return out;
  };
}

/** A scrolling area that draws only the rows on screen (plus a margin) into one SVG. */
function makeView(host, width, height, draw) {
  host.textContent = '';
  var spacer = el('div', 'spacer');
  spacer.style.height = height + 'px';
  spacer.style.width = width + 'px';
  var svg = sv('svg', { class: 'canvas', width: width });
  spacer.appendChild(svg);
  host.appendChild(spacer);
  var drawn = { top: -1, bottom: -1 };
  function render(force) {
    var vt = host.scrollTop, vh = host.clientHeight || 600;
    if (!force && vt >= drawn.top && vt + vh <= drawn.bottom) return;
    var top = Math.max(0, vt - vh), bottom = Math.min(height, vt + 2 * vh);
    svg.textContent = '';
    svg.setAttribute('height', bottom - top);
    svg.setAttribute('viewBox', '0 ' + top + ' ' + width + ' ' + (bottom - top));
    svg.style.top = top + 'px';
    draw(svg, top, bottom);
    drawn = { top: top, bottom: bottom };
    if (v.onScroll) v.onScroll(vt);
  }
  var pending = false;
  host.addEventListener('scroll', function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; render(false); if (v.onScroll) v.onScroll(host.scrollTop); });
  });
  var v = { host: host, svg: svg, render: render };
  views = views.filter(function (o) { return o.host !== host; });
  views.push(v);
  return v;
}

// ---- selection and the detail panel ----------------------------------------------------------
function select(kind, i, scroll) {
  state.sel = kind === null ? null : { kind: kind, i: i };
  showDetail();
  views.forEach(function (v) { v.render(true); });
  if (scroll && state.sel) scrollTo(kind, i);
}
function isSel(kind, i) { return state.sel !== null && state.sel.kind === kind && state.sel.i === i; }
function rowsTable(parent, rows) {
  var t = el('table', 'kv');
  rows.forEach(function (r) {
    if (r[1] === undefined || r[1] === null || r[1] === '') return;
    var tr = el('tr');
    tr.appendChild(el('th', null, r[0]));
    tr.appendChild(el('td', null, r[1]));
    t.appendChild(tr);
  });
  parent.appendChild(t);
}
function showDetail() {
  var p = $('detail-body');
  p.textContent = '';
  var s = state.sel;
  if (!s) { p.appendChild(el('p', 'muted', 'Click a message, an op, a node event or a fault to see it here. Hover a message for a preview.')); return; }
  if (s.kind === 'msg') detailMsg(p, D.msgs[s.i]);
  else if (s.kind === 'op') detailOp(p, D.ops[opPos.get(s.i)]);
  else if (s.kind === 'point') {
    var r = D.points[s.i];
    p.appendChild(el('h3', null, C.POINT_KINDS[r[2]] + ' on ' + D.lanes[r[1]].id));
    rowsTable(p, [['at', ms(r[0])], ['in causal past', r[4] & F.past ? 'yes' : (D.causal ? 'no' : '')]]);
    p.appendChild(el('pre', 'body', str(r[3])));
  } else if (s.kind === 'bar' || s.kind === 'band') {
    var b = s.kind === 'bar' ? D.bars[s.i] : D.bands[s.i];
    var text = s.kind === 'bar' ? b[4] : b[3];
    p.appendChild(el('h3', null, 'fault'));
    rowsTable(p, [['from', ms(s.kind === 'bar' ? b[1] : b[0])], ['until', ms(s.kind === 'bar' ? b[2] : b[1])]]);
    p.appendChild(el('pre', 'body', str(text)));
  }
}
function detailMsg(p, r) {
  var from = D.lanes[r[M.from]] ? D.lanes[r[M.from]].id : '?', to = D.lanes[r[M.to]] ? D.lanes[r[M.to]].id : '?';
  p.appendChild(el('h3', null, 'message ' + from + ' \u2192 ' + to));
  rowsTable(p, [
    ['what became of it', C.FATES[r[M.fate]]],
    ['sent', ms(r[M.send])],
    [r[M.fate] <= 1 ? 'delivered' : r[M.fate] === 5 ? 'run ended' : 'dropped', r[M.fate] === 2 ? '' : ms(r[M.end])],
    ['message id', r[M.id]],
    ['call id', r[M.call] >= 0 ? r[M.call] : ''],
    ['held by a clogged link', r[M.flags] & F.held ? 'yes' : ''],
    ['in causal past', D.causal ? (r[M.flags] & F.past ? 'yes' + (r[M.flags] & F.chain ? ' (direct chain)' : '') : 'no') : '']
  ]);
  p.appendChild(el('pre', 'body', pretty(str(r[M.body]))));
}
function opTitle(r) {
  var key = r[O.key] >= 0 ? ' ' + str(r[O.key]) : '';
  var v = str(r[O.value]);
  // An ok write echoes its argument (no result to show); a read of nothing shows '-> null'.
  var res = r[O.result] >= 0 && (str(r[O.result]) !== v || v === 'null') ? ' \u2192 ' + str(r[O.result]) : '';
  return '#' + r[O.index] + ' ' + str(r[O.f]) + key + (v === 'null' || v === '' ? '' : ' ' + v) + res;
}
function detailOp(p, r) {
  p.appendChild(el('h3', null, 'op ' + opTitle(r)));
  var idx = r[O.index];
  if (badOps.has(idx)) {
    var l = D.lin[badOps.get(idx)];
    var box = el('div', 'callout bad');
    box.appendChild(el('b', null, 'This op cannot be linearized.'));
    box.appendChild(el('div', null, 'After the longest linearizable prefix (' + l.prefix.length + ' ops) the model is in state'));
    box.appendChild(el('pre', 'body', l.state));
    box.appendChild(el('div', null, 'and no order of the remaining ops agrees with what the clients saw.'));
    p.appendChild(box);
  } else if (prefixPos.has(idx)) {
    p.appendChild(el('div', 'callout good', 'Position ' + prefixPos.get(idx) + ' in the longest linearizable prefix.'));
  }
  if (stuckOps.has(idx)) p.appendChild(el('div', 'callout bad', 'A liveness check names this op: it did not complete in time after the heal.'));
  var end = r[O.end];
  rowsTable(p, [
    ['outcome', C.OP_TYPES[r[O.type]]],
    ['process', r[O.process] + ' (client ' + (r[O.lane] - nodeCount) + ')'],
    ['node', r[O.node] >= 0 ? D.lanes[r[O.node]].id : ''],
    ['invoked', ms(r[O.invoke])],
    ['completed', end >= 0 ? ms(end) + '  (latency ' + (end - r[O.invoke]) + ' ms)' : 'never'],
    ['key', r[O.key] >= 0 ? str(r[O.key]) : ''],
    ['error', r[O.error] >= 0 ? str(r[O.error]) : ''],
    ['in causal past', D.causal ? (r[O.flags] & F.past ? 'yes' : 'no') : '']
  ]);
  p.appendChild(el('div', 'label', 'value'));
  p.appendChild(el('pre', 'body', pretty(str(r[O.value]))));
  if (r[O.result] >= 0) { p.appendChild(el('div', 'label', 'result')); p.appendChild(el('pre', 'body', pretty(str(r[O.result])))); }
}

var tip = null;
function showTip(ev, text) {
  if (!tip) { tip = el('div', 'tip'); document.body.appendChild(tip); }
  tip.textContent = text;
  tip.style.left = Math.min(ev.clientX + 14, window.innerWidth - 380) + 'px';
  tip.style.top = (ev.clientY + 14) + 'px';
  tip.style.display = 'block';
}
function hideTip() { if (tip) tip.style.display = 'none'; }

function wire(svg) {
  svg.addEventListener('click', function (ev) {
    var t = ev.target.closest('[data-kind]');
    if (!t) { if (state.sel) select(null); return; }
    var kind = t.getAttribute('data-kind'), i = Number(t.getAttribute('data-i'));
    select(kind, i, false);
  });
  svg.addEventListener('mouseover', function (ev) {
    var t = ev.target.closest('[data-kind]');
    if (!t) { hideTip(); return; }
    var kind = t.getAttribute('data-kind'), i = Number(t.getAttribute('data-i'));
    if (kind === 'msg') {
      var r = D.msgs[i];
      showTip(ev, D.lanes[r[M.from]].id + ' \u2192 ' + D.lanes[r[M.to]].id + '  ' + C.FATES[r[M.fate]] + '\n' + cut(str(r[M.body]), 400));
    } else if (kind === 'op') showTip(ev, opTitle(D.ops[opPos.get(i)]) + '  (' + C.OP_TYPES[D.ops[opPos.get(i)][O.type]] + ')');
    else if (kind === 'point') showTip(ev, cut(str(D.points[i][3]), 400));
    else if (kind === 'bar') showTip(ev, cut(str(D.bars[i][4]), 400));
    else if (kind === 'band') showTip(ev, cut(str(D.bands[i][3]), 400));
  });
  svg.addEventListener('mouseleave', hideTip);
}

// ---- the Lamport diagram ---------------------------------------------------------------------
var GUTTER = 64;
var dg = null;
function buildDiagram() {
  var host = $('diagram-scroll');
  var times = [];
  // 'Only the causal past' keeps what happens-before the failure and folds the time between.
  var keep = function (flags) { return !state.only || (flags & F.past) !== 0; };
  var inWin = function (r) { return r[O.invoke] >= D.window.fromMs && r[O.invoke] <= D.window.toMs; };
  var msgIdx = [], pointIdx = [], opIdx = [];
  D.msgs.forEach(function (r, i) {
    if (!keep(r[M.flags])) return;
    msgIdx.push(i);
    times.push(r[M.send]);
    if (r[M.fate] !== 5) times.push(r[M.end]);
  });
  D.points.forEach(function (r, i) {
    if (!keep(r[4]) || (r[2] === 1 && !state.timers && !(r[4] & F.chain))) return;
    pointIdx.push(i);
    times.push(r[0]);
  });
  D.ops.forEach(function (r, i) {
    if (!inWin(r) || !keep(r[O.flags])) return;
    opIdx.push(i);
    times.push(r[O.invoke]);
    [O.end, O.arrive, O.reply].forEach(function (c) { if (r[c] >= 0) times.push(r[c]); });
  });
  if (!state.only) {
    D.bars.forEach(function (r) { times.push(r[1], r[2]); });
    D.bands.forEach(function (r) { times.push(r[0], r[1]); });
    times.push(D.window.fromMs, D.window.toMs);
  }
  violationTimes.forEach(function (v) { times.push(v.timeMs); });
  var ax = makeAxis(times, state.zoom);
  // Client lanes are narrower than node lanes: they hold one op at a time, not message traffic.
  var clientShare = D.ops.length ? 0.7 : 0.35, units = nodeCount + clientShare * (D.lanes.length - nodeCount);
  var avail = Math.max(600, (host.clientWidth || 1000) - GUTTER - 20);
  var unitW = Math.max(90, Math.min(220, (avail - 150) / units));
  var xs = [], edge = GUTTER;
  D.lanes.forEach(function (l) { var w = unitW * (l.kind === 'node' ? 1 : clientShare); xs.push({ left: edge, w: w }); edge += w; });
  var laneW = unitW;
  var width = edge + 150;
  var x = function (lane) { var s = xs[lane] || xs[0]; return s.left + s.w / 2; };
  var head = $('diagram-head');
  head.textContent = '';
  head.style.width = width + 'px';
  D.lanes.forEach(function (l, i) {
    var h = el('div', 'lane-head ' + l.kind, l.id);
    h.setAttribute('data-lane', l.id);
    h.style.left = xs[i].left + 'px';
    h.style.width = xs[i].w + 'px';
    head.appendChild(h);
  });
  var geo = {
    ax: ax, x: x, laneW: laneW, width: width,
    msgs: makeIndex(msgIdx.length, function (k) { return ax.y(D.msgs[msgIdx[k]][M.send]); }, function (k) { return ax.y(D.msgs[msgIdx[k]][M.end]); }),
    points: makeIndex(pointIdx.length, function (k) { return ax.y(D.points[pointIdx[k]][0]); }, function (k) { return ax.y(D.points[pointIdx[k]][0]) + 14; }),
    msgIdx: msgIdx, pointIdx: pointIdx,
    ops: makeIndex(opIdx.length, function (k) { return ax.y(D.ops[opIdx[k]][O.invoke]); }, function (k) { var r = D.ops[opIdx[k]]; return ax.y(r[O.end] >= 0 ? r[O.end] : D.endMs); }),
    opIdx: opIdx
  };
  dg = makeView(host, width, ax.height, function (svg, top, bottom) { drawDiagram(svg, geo, top, bottom); });
  dg.geo = geo;
  host.onscroll = function () { head.style.transform = 'translateX(' + (-host.scrollLeft) + 'px)'; };
  wire(dg.svg);
  dg.render(true);
}

function dimCls(flags) { return state.dim && !(flags & F.past) ? ' dim' : ''; }

function drawDiagram(svg, g, top, bottom) {
  var ax = g.ax, x = g.x;
  var defs = sv('defs', {});
  ['ok', 'dup', 'bad', 'fly', 'req'].forEach(function (k) {
    var m = sv('marker', { id: 'ah-' + k, viewBox: '0 0 10 10', refX: 9, refY: 5, markerUnits: 'userSpaceOnUse', markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' });
    m.appendChild(sv('path', { d: 'M0,0 L10,5 L0,10 z', class: 'ah ' + k }));
    defs.appendChild(m);
  });
  svg.appendChild(defs);
  var layer = function (cls) { var l = sv('g', { class: cls }); svg.appendChild(l); return l; };
  var lBands = layer('bands'), lLanes = layer('lanes'), lBars = layer('bars'), lTicks = layer('ticks');
  var lOps = layer('ops'), lMsgs = layer('msgs'), lPts = layer('points'), lTop = layer('marks');
  var x0 = x(0) - g.laneW / 2, x1 = x(nodeCount - 1) + g.laneW / 2;
  D.bands.forEach(function (b, i) {
    var y0 = ax.y(b[0]), y1 = ax.y(b[1]);
    if (y1 < top || y0 > bottom) return;
    var grp = sv('g', { class: 'band ' + C.BAND_KINDS[b[2]], 'data-kind': 'band', 'data-i': i });
    grp.appendChild(sv('rect', { x: x0, y: y0, width: x1 - x0, height: Math.max(2, y1 - y0) }));
    grp.appendChild(sv('text', { x: x1 - 4, y: y0 + 11, 'text-anchor': 'end' }, cut(str(b[3]), 70)));
    lBands.appendChild(grp);
  });
  D.lanes.forEach(function (l, i) {
    lLanes.appendChild(sv('line', { class: 'lane-line ' + l.kind, x1: x(i), x2: x(i), y1: top, y2: bottom }));
  });
  D.bars.forEach(function (b, i) {
    if (b[0] < 0) return;
    var y0 = ax.y(b[1]), y1 = ax.y(b[2]);
    if (y1 < top || y0 > bottom) return;
    var kind = C.BAR_KINDS[b[3]], off = kind === 'clock' ? 9 : 0;
    var grp = sv('g', { class: 'bar ' + kind + (isSel('bar', i) ? ' selected' : ''), 'data-kind': 'bar', 'data-i': i });
    grp.appendChild(sv('rect', { x: x(b[0]) - 6 + off, y: y0, width: kind === 'clock' ? 5 : 12, height: Math.max(3, y1 - y0), rx: 2 }));
    // A crash and its restart are marked by their own points; pauses and clock faults are not.
    if (kind !== 'down' && y1 - y0 > 14) grp.appendChild(sv('text', { x: x(b[0]) + 10 + off, y: y0 + 11 }, kind === 'paused' ? 'paused' : kind === 'byzantine' ? 'byzantine' : 'clock skew'));
    lBars.appendChild(grp);
  });
  drawTicks(lTicks, ax, top, bottom, g.width);
  g.ops(top, bottom).forEach(function (k) { drawOpOnLane(lOps, g, g.opIdx[k]); });
  var visible = g.msgs(top, bottom);
  var labels = visible.length <= 400;
  visible.forEach(function (k) { drawMsg(lMsgs, g, g.msgIdx[k], labels); });
  g.points(top, bottom).forEach(function (k) { drawPoint(lPts, g, g.pointIdx[k]); });
  violationTimes.forEach(function (v) {
    var y = ax.y(v.timeMs);
    if (y < top || y > bottom) return;
    lTop.appendChild(sv('line', { class: 'violation-line', x1: GUTTER - 8, x2: g.width - 10, y1: y, y2: y }));
    lTop.appendChild(sv('text', { class: 'violation-label', x: g.width - 12, y: y - 4, 'text-anchor': 'end' }, '\u26a0 ' + v.checker + (v.kind === 'crash' ? ' here' : ' breaks here') + ' (' + v.timeMs + ' ms)'));
  });
}

function drawTicks(layer, ax, top, bottom, width) {
  var k = ax.first(top), last = -1e9;
  for (; k < ax.T.length && ax.Y[k] <= bottom; k++) {
    if (ax.gaps.indexOf(k) >= 0) {
      var ym = (ax.Y[k] + ax.Y[k - 1]) / 2;
      layer.appendChild(sv('line', { class: 'gap', x1: GUTTER - 6, x2: width - 10, y1: ym, y2: ym }));
      layer.appendChild(sv('text', { class: 'gap-label', x: 4, y: ym + 4 }, '\u2248' + (ax.T[k] - ax.T[k - 1]) + ' ms'));
    }
    if (ax.Y[k] - last >= 34) {
      layer.appendChild(sv('text', { class: 'tick', x: GUTTER - 10, y: ax.Y[k] + 4, 'text-anchor': 'end' }, ax.T[k] + ' ms'));
      last = ax.Y[k];
    }
  }
}

function drawMsg(layer, g, i, labels) {
  var r = D.msgs[i], fate = r[M.fate];
  var xa = g.x(r[M.from]), xb = g.x(r[M.to]), ya = g.ax.y(r[M.send]), yb = g.ax.y(r[M.end]);
  var cls = fate === 0 ? 'ok' : fate === 1 ? 'dup' : fate === 5 ? 'fly' : 'bad';
  if (fate === 2) { xb = xa + (xb - xa) * 0.45; yb = ya + 10; }
  if (fate === 5) { xb = xa + (xb - xa) * 0.6; yb = Math.max(yb, ya + 30); }
  var grp = sv('g', { class: 'msg ' + cls + dimCls(r[M.flags]) + (r[M.flags] & F.chain ? ' chain' : '') + (isSel('msg', i) ? ' selected' : ''), 'data-kind': 'msg', 'data-i': i });
  grp.appendChild(sv('line', { class: 'hit', x1: xa, y1: ya, x2: xb, y2: yb }));
  grp.appendChild(sv('line', { class: 'arrow', x1: xa, y1: ya, x2: xb, y2: yb, 'marker-end': fate >= 2 && fate <= 4 ? '' : 'url(#ah-' + cls + ')' }));
  grp.appendChild(sv('circle', { class: 'dot', cx: xa, cy: ya, r: 2.2 }));
  if (fate >= 2 && fate <= 4) {
    grp.appendChild(sv('path', { class: 'xmark', d: 'M' + (xb - 4) + ',' + (yb - 4) + 'l8,8m0,-8l-8,8' }));
  }
  if (labels) {
    var lx = xa + (xb - xa) * 0.3, ly = ya + (yb - ya) * 0.3 - 3;
    grp.appendChild(sv('text', { class: 'mlabel', x: lx, y: ly, 'text-anchor': 'middle' }, shortLabel(r[M.body]) + (fate === 1 ? ' (dup)' : '')));
  }
  layer.appendChild(grp);
}

function drawPoint(layer, g, i) {
  var r = D.points[i], kind = C.POINT_KINDS[r[2]];
  var px = g.x(r[1]), py = g.ax.y(r[0]);
  var grp = sv('g', { class: 'point ' + kind + dimCls(r[4]) + (r[4] & F.target ? ' target' : '') + (isSel('point', i) ? ' selected' : ''), 'data-kind': 'point', 'data-i': i });
  if (kind === 'log') {
    grp.appendChild(sv('path', { class: 'mark', d: 'M' + px + ',' + (py - 5) + 'l5,5l-5,5l-5,-5z' }));
    grp.appendChild(sv('text', { x: px + 8, y: py + 4 }, cut(str(r[3]), Math.max(10, Math.floor((g.laneW - 14) / 7.2)))));
  } else if (kind === 'timer') {
    grp.appendChild(sv('circle', { class: 'mark', cx: px, cy: py, r: 3 }));
  } else if (kind === 'crash') {
    grp.appendChild(sv('path', { class: 'mark', d: 'M' + (px - 6) + ',' + (py - 6) + 'l12,12m0,-12l-12,12' }));
    grp.appendChild(sv('text', { x: px + 9, y: py + 4 }, 'crash'));
  } else {
    // Left of the lane, so a restart right after its crash does not print over it.
    grp.appendChild(sv('path', { class: 'mark', d: 'M' + (px - 6) + ',' + py + 'h12' }));
    grp.appendChild(sv('text', { x: px - 9, y: py + 4, 'text-anchor': 'end' }, kind));
  }
  layer.appendChild(grp);
}

function opClasses(r) {
  var idx = r[O.index];
  return 'op ' + C.OP_TYPES[r[O.type]] + (badOps.has(idx) ? ' bad' : '') + (prefixPos.has(idx) ? ' prefix' : '') + (stuckOps.has(idx) ? ' stuck' : '') + (isSel('op', idx) ? ' selected' : '');
}

function drawOpOnLane(layer, g, pos) {
  var r = D.ops[pos], idx = r[O.index];
  var xc = g.x(r[O.lane]), y0 = g.ax.y(r[O.invoke]), y1 = g.ax.y(r[O.end] >= 0 ? r[O.end] : D.endMs);
  var grp = sv('g', { class: opClasses(r) + dimCls(r[O.flags]), 'data-kind': 'op', 'data-i': idx, 'data-op': idx });
  if (r[O.node] >= 0) {
    var xn = g.x(r[O.node]);
    // Request and reply: at the times the trace records, else drawn just after / before the op.
    var ya = r[O.arrive] >= 0 ? g.ax.y(r[O.arrive]) : y0 + 5;
    grp.appendChild(sv('line', { class: 'req', x1: xc, y1: y0, x2: xn, y2: ya, 'marker-end': 'url(#ah-req)' }));
    var yr = r[O.reply] >= 0 ? g.ax.y(r[O.reply]) : (r[O.end] >= 0 && !(r[O.type] === 2 && str(r[O.error]) === 'timeout') ? y1 - 5 : -1);
    if (r[O.end] >= 0 && yr >= 0 && yr <= y1) grp.appendChild(sv('line', { class: 'req', x1: xn, y1: yr, x2: xc, y2: y1, 'marker-end': 'url(#ah-req)' }));
  }
  grp.appendChild(sv('rect', { class: 'opbar', x: xc - 5, y: y0, width: 10, height: Math.max(4, y1 - y0), rx: 3 }));
  var label = opTitle(r);
  if (prefixPos.has(idx)) label = '[' + prefixPos.get(idx) + '] ' + label;
  grp.appendChild(sv('text', { class: 'oplabel', x: xc + 9, y: y0 + 10 }, cut(label, Math.max(14, Math.floor(g.laneW / 6.4)))));
  if (badOps.has(idx)) grp.appendChild(sv('text', { class: 'badlabel', x: xc + 9, y: y0 + 22 }, 'cannot be linearized'));
  layer.appendChild(grp);
}

// ---- the client timeline ---------------------------------------------------------------------
var tl = null;
function buildTimeline() {
  var host = $('timeline-scroll');
  var clients = D.lanes.length - nodeCount;
  var times = [];
  D.ops.forEach(function (r) { times.push(r[O.invoke]); times.push(r[O.end] >= 0 ? r[O.end] : D.endMs); });
  var ax = makeAxis(times, state.zoom);
  var colW = Math.max(150, Math.min(260, ((host.clientWidth || 1000) - GUTTER - 20) / Math.max(1, clients)));
  var width = GUTTER + colW * clients + 20;
  var head = $('timeline-head');
  head.textContent = '';
  head.style.width = width + 'px';
  for (var c = 0; c < clients; c++) {
    var h = el('div', 'lane-head client', 'client ' + c);
    h.style.left = (GUTTER + colW * c) + 'px';
    h.style.width = colW + 'px';
    head.appendChild(h);
  }
  var idx = makeIndex(D.ops.length, function (i) { return ax.y(D.ops[i][O.invoke]); }, function (i) { var r = D.ops[i]; return ax.y(r[O.end] >= 0 ? r[O.end] : D.endMs); });
  var sticky = [];
  tl = makeView(host, width, ax.height, function (svg, top, bottom) {
    sticky = [];
    drawTicks(svg, ax, top, bottom, width);
    idx(top, bottom).forEach(function (i) {
      var r = D.ops[i], c = r[O.lane] - nodeCount;
      var y0 = ax.y(r[O.invoke]), y1 = Math.max(y0 + 16, ax.y(r[O.end] >= 0 ? r[O.end] : D.endMs));
      var grp = sv('g', { class: opClasses(r) + dimCls(r[O.flags]), 'data-kind': 'op', 'data-i': r[O.index], 'data-op': r[O.index] });
      grp.appendChild(sv('rect', { class: 'opbox', x: GUTTER + colW * c + 6, y: y0, width: colW - 12, height: y1 - y0, rx: 4 }));
      var label = 'p' + r[O.process] + ' ' + opTitle(r);
      if (prefixPos.has(r[O.index])) label = '[' + prefixPos.get(r[O.index]) + '] ' + label;
      var label1 = sv('text', { class: 'boxlabel', x: GUTTER + colW * c + 11, y: y0 + 12 }, cut(label, Math.floor((colW - 20) / 6.3)));
      grp.appendChild(label1);
      var label2 = null;
      if (y1 - y0 >= 28) {
        var sub = C.OP_TYPES[r[O.type]] + (r[O.end] >= 0 ? ' after ' + (r[O.end] - r[O.invoke]) + ' ms' : ', never returned') + (r[O.error] >= 0 ? ' (' + str(r[O.error]) + ')' : '');
        label2 = sv('text', { class: 'boxsub', x: GUTTER + colW * c + 11, y: y0 + 25 }, cut(sub, Math.floor((colW - 20) / 6)));
        grp.appendChild(label2);
      }
      // A long op keeps its label in view while it is scrolled through (see onScroll below).
      if (y1 - y0 > 60) sticky.push({ a: label1, b: label2, y0: y0, y1: y1 });
      svg.appendChild(grp);
    });
  });
  tl.ax = ax;
  tl.onScroll = function (visibleTop) {
    sticky.forEach(function (s) {
      var ly = Math.max(s.y0, Math.min(visibleTop + 4, s.y1 - 30));
      s.a.setAttribute('y', ly + 12);
      if (s.b) s.b.setAttribute('y', ly + 25);
    });
  };
  host.onscroll = function () { head.style.transform = 'translateX(' + (-host.scrollLeft) + 'px)'; };
  wire(tl.svg);
  tl.render(true);
}

function scrollTo(kind, i) {
  var t = null;
  if (kind === 'op') t = D.ops[opPos.get(i)][O.invoke];
  else if (kind === 'msg') t = D.msgs[i][M.send];
  else if (kind === 'point') t = D.points[i][0];
  if (t === null) return;
  var pairs = [[dg, dg && dg.geo.ax]];
  if (kind === 'op') pairs.push([tl, tl && tl.ax]);
  pairs.forEach(function (p) {
    if (!p[0]) return;
    var h = p[0].host;
    h.scrollTop = Math.max(0, p[1].y(t) - h.clientHeight / 3);
    p[0].render(true);
  });
}

// ---- the summary, the findings, the figures -------------------------------------------------
function buildHeader() {
  var m = D.meta;
  document.title = 'Faultline: ' + m.protocol + '/' + m.variant + (m.seed !== null ? ' seed ' + m.seed : '') + ' ' + m.status.toUpperCase();
  $('title').textContent = m.protocol + ' / ' + m.variant + (m.seed !== null ? '  \u00b7  seed ' + m.seed : '');
  var st = $('status');
  st.textContent = m.status.toUpperCase();
  st.className = 'status ' + (m.status === 'pass' ? 'pass' : m.status === 'fail' ? 'fail' : 'unknown');
  $('subtitle').textContent = m.failing.length ? 'failing: ' + m.failing.join(', ') : 'every check held';
}

function opButton(idx, text) {
  var b = el('button', 'opref', text);
  b.setAttribute('data-op', idx);
  b.addEventListener('click', function () { select('op', idx, true); });
  return b;
}

function itemButton(kind, i, text) {
  var b = el('button', 'opref', text);
  b.addEventListener('click', function () { select(kind, i, true); });
  return b;
}

/**
 * When the op that cannot be placed ran, and which ops on its key had already finished (every
 * order puts those first) or overlapped it: usually enough to see the contradiction.
 */
function explainTiming(card, bad, partition) {
  var sameKey = function (r) { return partition === null || (r[O.key] >= 0 && str(r[O.key]) === partition); };
  var t0 = bad[O.invoke], t1 = bad[O.end];
  var done = [], overlap = [];
  D.ops.forEach(function (r) {
    if (r === bad || !sameKey(r) || r[O.type] === 1) return;
    // An info op may take effect any time after its invoke: it never 'finished before'.
    if (r[O.type] === 0 && r[O.end] < t0) done.push(r);
    else if (r[O.invoke] <= (t1 >= 0 ? t1 : D.endMs)) overlap.push(r);
  });
  done.sort(function (a, b) { return b[O.end] - a[O.end]; });
  var when = el('p', null, 'It was invoked at ' + t0 + ' ms by process ' + bad[O.process] + (bad[O.node] >= 0 ? ' at ' + D.lanes[bad[O.node]].id : '') + (t1 >= 0 ? ' and completed (' + C.OP_TYPES[bad[O.type]] + ') at ' + t1 + ' ms.' : ' and never completed.'));
  card.appendChild(when);
  var list = function (title, rows, at) {
    if (!rows.length) return;
    var p = el('p', null, title);
    rows.slice(0, 8).forEach(function (r) { p.appendChild(opButton(r[O.index], opTitle(r) + ' (' + C.OP_TYPES[r[O.type]] + ' ' + at(r) + ')')); });
    if (rows.length > 8) p.appendChild(document.createTextNode(' \u2026 and ' + (rows.length - 8) + ' more'));
    card.appendChild(p);
  };
  list('Already completed when it began, so every order puts them first (latest first): ', done, function (r) { return 'at ' + r[O.end] + ' ms'; });
  list('Running at the same time, or timed out (these may go either side of it): ', overlap, function (r) {
    return r[O.type] === 2 ? 'from ' + r[O.invoke] + ' ms, may take effect any time after' : r[O.invoke] + '\u2013' + (r[O.end] >= 0 ? r[O.end] : '\u221e') + ' ms';
  });
}

function buildFindings() {
  var host = $('findings');
  if (!D.violations.length) { host.appendChild(el('p', 'muted', 'Every check held: nothing to explain.')); return; }
  D.lin.forEach(function (l) {
    var card = el('div', 'card bad');
    card.appendChild(el('h3', null, l.checker + (l.partition !== null ? '  \u00b7  key ' + l.partition : '')));
    var p = el('p');
    if (l.op !== null) { p.appendChild(document.createTextNode('The op ')); p.appendChild(opButton(l.op, '#' + l.op + ' ' + l.opText)); p.appendChild(document.createTextNode(' cannot be placed: no order of the ops agrees with what the clients saw.')); }
    else p.textContent = 'An op cannot be placed.';
    card.appendChild(p);
    if (l.op !== null && opPos.has(l.op)) explainTiming(card, D.ops[opPos.get(l.op)], l.partition);
    card.appendChild(el('div', 'label', 'Model state before it (after the longest linearizable prefix)'));
    card.appendChild(el('pre', 'body', l.state));
    card.appendChild(el('div', 'label', 'Longest linearizable prefix (' + l.prefix.length + ' ops, in linearization order' + (l.prefixesFound > 1 ? '; one of ' + l.prefixesFound + ' found' : '') + ')'));
    var ol = el('ol', 'prefix');
    l.prefix.slice(0, 200).forEach(function (idx, k) { var li = el('li'); li.appendChild(opButton(idx, '#' + idx + ' ' + l.prefixText[k])); ol.appendChild(li); });
    if (l.prefix.length > 200) ol.appendChild(el('li', 'muted', '\u2026 ' + (l.prefix.length - 200) + ' more'));
    if (!l.prefix.length) ol.appendChild(el('li', 'muted', '(empty: the op cannot be placed even first)'));
    card.appendChild(ol);
    host.appendChild(card);
  });
  D.violations.forEach(function (v) {
    if (v.kind === 'linearizability') return;
    var card = el('div', 'card ' + (D.meta.checks.some(function (c) { return c.checker === v.checker && c.verdict === 'illegal'; }) ? 'bad' : 'warn'));
    card.appendChild(el('h3', null, v.checker));
    card.appendChild(el('p', null, v.summary));
    if (v.ops && v.ops.length) {
      var p = el('p', null, 'Ops it names: ');
      v.ops.slice(0, 50).forEach(function (i) { if (opPos.has(i)) p.appendChild(opButton(i, '#' + i)); });
      card.appendChild(p);
    }
    var steps = [];
    D.msgs.forEach(function (r, i) { if (r[M.flags] & F.target && r[M.fate] !== 5) steps.push(itemButton('msg', i, D.lanes[r[M.from]].id + ' \u2192 ' + D.lanes[r[M.to]].id + ' ' + shortLabel(r[M.body]) + ' (' + C.FATES[r[M.fate]] + ' at ' + r[M.end] + ' ms)')); });
    D.points.forEach(function (r, i) { if (r[4] & F.target) steps.push(itemButton('point', i, C.POINT_KINDS[r[2]] + ' on ' + D.lanes[r[1]].id + ': ' + cut(str(r[3]), 60))); });
    if (steps.length && v.kind !== 'liveness') {
      var sp = el('p', null, v.kind === 'crash' ? 'It happened in: ' : v.exact ? 'The step that broke it: ' : 'The step that broke it is one of these, at that instant: ');
      steps.slice(0, 12).forEach(function (b) { sp.appendChild(b); });
      card.appendChild(sp);
    }
    if (typeof v.timeMs === 'number') {
      var b = el('button', 'opref', 'show ' + v.timeMs + ' ms on the diagram');
      b.addEventListener('click', function () { dg.host.scrollTop = Math.max(0, dg.geo.ax.y(v.timeMs) - dg.host.clientHeight / 2); dg.render(true); dg.host.scrollIntoView({ block: 'start' }); });
      card.appendChild(b);
    }
    host.appendChild(card);
  });
  if (D.causal) {
    var c = el('div', 'card info');
    c.appendChild(el('h3', null, 'Causal past'));
    c.appendChild(el('p', null, D.causal.past + ' events happen-before the point of failure (' + D.causal.chain + ' on the direct chain of causes, drawn bold); on the diagram everything else is dimmed, or hidden with \u201cshow only the causal past\u201d. Causes: ' + D.causal.note + '.'));
    // The protocol's own milestones in the causal past: often the story in a few lines.
    var logs = [];
    D.points.forEach(function (r, i) { if (r[2] === 0 && r[4] & F.past) logs.push(i); });
    if (logs.length) {
      var lp = el('p', null, 'Milestones (ctx.log) in it' + (logs.length > 12 ? ', the last 12' : '') + ': ');
      logs.slice(-12).forEach(function (i) { var r = D.points[i]; lp.appendChild(itemButton('point', i, r[0] + ' ms ' + D.lanes[r[1]].id + ': ' + cut(str(r[3]), 50))); });
      c.appendChild(lp);
    }
    host.appendChild(c);
  }
}

function buildSummary() {
  var m = D.meta, host = $('summary-body');
  var st = m.stats || {};
  rowsTable(host, [
    ['protocol', m.protocol], ['variant', m.variant], ['seed', m.seed === null ? '' : m.seed],
    ['verdict', m.status + (m.outcome && m.outcome !== 'completed' ? ' (' + m.outcome + ')' : '')],
    ['error', m.error || ''], ['fingerprint', m.fingerprint], ['source', m.origin]
  ]);
  if (m.replay) {
    host.appendChild(el('div', 'label', 'replay'));
    host.appendChild(el('pre', 'cmd', m.replay));
  }
  var ct = el('table', 'checks');
  m.checks.forEach(function (c) {
    var tr = el('tr', c.verdict);
    tr.appendChild(el('td', 'verdict', c.verdict));
    tr.appendChild(el('td', 'name', c.checker));
    tr.appendChild(el('td', null, c.summary));
    ct.appendChild(tr);
  });
  host.appendChild(el('div', 'label', 'checks'));
  host.appendChild(ct);
  var det = el('details');
  det.appendChild(el('summary', null, 'scenario options'));
  var rows = [];
  Object.keys(m.options).forEach(function (k) { var v = m.options[k]; rows.push([k, typeof v === 'object' ? JSON.stringify(v) : String(v)]); });
  rowsTable(det, rows);
  host.appendChild(det);
  var figs = $('stats-body');
  var opsDone = (st.ok || 0) + (st.fail || 0) + (st.info || 0);
  rowsTable(figs, [
    ['client ops', D.ops.length + ' (' + (st.ok || 0) + ' ok, ' + (st.fail || 0) + ' fail, ' + (st.info || 0) + ' info)'],
    ['messages', (st.messagesSent || 0) + ' sent, ' + (st.delivered || 0) + ' delivered, ' + (st.dropped || 0) + ' dropped, ' + (st.duplicated || 0) + ' duplicated'],
    ['messages per op', opsDone ? ((st.messagesSent || 0) / opsDone).toFixed(1) : '-'],
    ['faults', st.faults], ['virtual time', st.virtualMs !== undefined ? st.virtualMs + ' ms' : ''], ['events', st.steps]
  ]);
  figs.appendChild(latencyTable());
  figs.appendChild(latencyPlot());
  figs.appendChild(el('div', 'label', 'messages over virtual time (sent; dropped in red), ' + D.density.bucketMs + ' ms per bar; faults beneath (partitions blue, crashes red, pauses amber, clocks purple)'));
  figs.appendChild(densityPlot());
}

function latencyTable() {
  var t = el('table', 'lat');
  var hr = el('tr');
  ['op', 'count', 'ok', 'fail', 'info', 'never returned', 'p50', 'p90', 'p99', 'max'].forEach(function (h) { hr.appendChild(el('th', null, h)); });
  t.appendChild(hr);
  D.latency.forEach(function (r) {
    var tr = el('tr');
    [r.f, r.count, r.ok, r.fail, r.info, r.pending, r.p50, r.p90, r.p99, r.max].forEach(function (v, i) { tr.appendChild(el('td', null, v === null ? '-' : i >= 6 ? v + ' ms' : v)); });
    t.appendChild(tr);
  });
  return t;
}

function latencyPlot() {
  var rows = D.latency.filter(function (r) { return r.max !== null; });
  var W = 640, rowH = 26, L = 110, H = rowH * rows.length + 34;
  var svg = sv('svg', { class: 'plot', width: W, height: H, viewBox: '0 0 ' + W + ' ' + H });
  var max = Math.max.apply(null, rows.map(function (r) { return r.max; }).concat([1]));
  // Log scale: tail latencies (a retry after a timeout) are orders of magnitude above the median.
  var lg = function (v) { return Math.log(1 + v) / Math.log(1 + max); };
  var sx = function (v) { return L + (W - L - 20) * lg(v); };
  var ticks = [0];
  for (var p = 1; p < max; p *= 10) ticks.push(p);
  ticks.push(max);
  ticks.forEach(function (v, k) {
    var xx = sx(v);
    if (k > 0 && k < ticks.length - 1 && sx(max) - xx < 40) return;
    svg.appendChild(sv('line', { class: 'grid', x1: xx, x2: xx, y1: 4, y2: H - 22 }));
    svg.appendChild(sv('text', { class: 'axis', x: xx, y: H - 8, 'text-anchor': 'middle' }, v + ' ms'));
  });
  rows.forEach(function (r, i) {
    var y = 8 + i * rowH + rowH / 2;
    svg.appendChild(sv('text', { class: 'axis', x: L - 8, y: y + 4, 'text-anchor': 'end' }, cut(r.f, 16)));
    svg.appendChild(sv('line', { class: 'whisker', x1: sx(0), x2: sx(r.max), y1: y, y2: y }));
    svg.appendChild(sv('rect', { class: 'box', x: sx(r.p50), y: y - 7, width: Math.max(2, sx(r.p90) - sx(r.p50)), height: 14 }));
    svg.appendChild(sv('line', { class: 'p99', x1: sx(r.p99), x2: sx(r.p99), y1: y - 8, y2: y + 8 }));
    svg.appendChild(sv('title', {}, r.f + ': p50 ' + r.p50 + ' ms, p90 ' + r.p90 + ' ms, p99 ' + r.p99 + ' ms, max ' + r.max + ' ms'));
  });
  var wrap = el('div');
  wrap.appendChild(el('div', 'label', 'latency of ok ops per kind (log scale): box p50\u2013p90, tick p99, line to max'));
  wrap.appendChild(svg);
  return wrap;
}

function densityPlot() {
  var d = D.density, n = d.sent.length, W = 640, H = 100;
  var svg = sv('svg', { class: 'plot', width: W, height: H, viewBox: '0 0 ' + W + ' ' + H });
  var max = Math.max.apply(null, d.sent.concat([1]));
  var bw = (W - 20) / n;
  for (var i = 0; i < n; i++) {
    var h = (H - 34) * d.sent[i] / max, hd = (H - 34) * d.dropped[i] / max;
    if (h > 0) svg.appendChild(sv('rect', { class: 'sent', x: 10 + i * bw, y: H - 28 - h, width: Math.max(1, bw - 0.5), height: h }));
    if (hd > 0) svg.appendChild(sv('rect', { class: 'dropped', x: 10 + i * bw, y: H - 28 - hd, width: Math.max(1, bw - 0.5), height: hd }));
  }
  // Faults under the bars: when they were in force, to read drops against them.
  var tx = function (ms) { return 10 + (ms / d.bucketMs) * bw; };
  D.bands.forEach(function (b) { svg.appendChild(sv('rect', { class: 'fault ' + C.BAND_KINDS[b[2]], x: tx(b[0]), y: H - 26, width: Math.max(1, tx(b[1]) - tx(b[0])), height: 4 })); });
  D.bars.forEach(function (b) { svg.appendChild(sv('rect', { class: 'fault ' + C.BAR_KINDS[b[3]], x: tx(b[1]), y: H - 21, width: Math.max(1, tx(b[2]) - tx(b[1])), height: 3 })); });
  var w0 = 10 + (D.window.fromMs / d.bucketMs) * bw, w1 = 10 + ((D.window.toMs + 1) / d.bucketMs) * bw;
  if (D.window.shownMsgs < D.window.totalMsgs) svg.appendChild(sv('rect', { class: 'window', x: w0, y: 2, width: Math.max(2, w1 - w0), height: H - 30 }));
  svg.appendChild(sv('text', { class: 'axis', x: 10, y: H - 4 }, '0 ms'));
  svg.appendChild(sv('text', { class: 'axis', x: W - 10, y: H - 4, 'text-anchor': 'end' }, D.endMs + ' ms'));
  return svg;
}

function buildControls() {
  var w = D.window;
  if (w.shownMsgs < w.totalMsgs || w.shownPoints < w.totalPoints) {
    $('window-note').textContent = 'A long run: the diagram shows ' + w.shownMsgs + ' of ' + w.totalMsgs + ' messages' + (w.totalPoints ? ' (and ' + w.shownPoints + ' of ' + w.totalPoints + ' node events)' : '') + ', those sent between ' + w.fromMs + ' ms and ' + w.toMs + ' ms' + (D.violations.length ? ', around the failure' : ' (no check failed: the start of the run)') + '. The figures below count the whole run; the timeline shows every op.';
  }
  if (!D.meta.traced) $('window-note').textContent = 'No trace was recorded for this run: the diagram shows client ops and faults only.';
  var dim = $('opt-dim');
  dim.checked = state.dim;
  dim.disabled = !D.causal;
  dim.addEventListener('change', function () { state.dim = dim.checked; views.forEach(function (v) { v.render(true); }); });
  var only = $('opt-only');
  only.disabled = !D.causal;
  only.addEventListener('change', function () { state.only = only.checked; buildDiagram(); });
  var tm = $('opt-timers');
  tm.addEventListener('change', function () { state.timers = tm.checked; buildDiagram(); });
  var z = $('opt-zoom');
  z.value = String(state.zoom);
  z.addEventListener('change', function () { state.zoom = Number(z.value); buildDiagram(); buildTimeline(); });
}

document.addEventListener('keydown', function (ev) { if (ev.key === 'Escape' && state.sel) select(null); });
buildHeader();
buildFindings();
buildSummary();
buildControls();
buildDiagram();
buildTimeline();
showDetail();
// Open where the failure is.
var bad = D.lin.filter(function (l) { return l.op !== null && opPos.has(l.op); })[0];
if (bad) scrollTo('op', bad.op);
else if (violationTimes.length && dg) { dg.host.scrollTop = Math.max(0, dg.geo.ax.y(violationTimes[0].timeMs) - dg.host.clientHeight / 2); dg.render(true); }
// How long opening took (the browser test compares a long run's report with a short one's).
document.body.setAttribute('data-ready-ms', String(performance.now()));
document.body.setAttribute('data-ready', '1');
})();
`;
