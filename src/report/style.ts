/** The report's stylesheet (inline: the file must open from disk with nothing else). */
export const REPORT_CSS = `
:root { --ink:#1f2933; --muted:#6b7785; --line:#d9dee5; --bg:#f6f7f9; --card:#fff;
  --ok:#3a9a5b; --fail:#d95c5c; --info:#e0a12e; --pending:#a7b0ba; --msg:#4b5563; --dup:#c2700c; --bad:#d12f2f;
  --fly:#98a2ae; --sel:#f5a300; --chain:#7c3aed; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--ink); background:var(--bg); }
.top { display:flex; align-items:center; justify-content:space-between; padding:14px 24px; background:#17202a; color:#fff; }
.top h1 { margin:0; font-size:20px; font-weight:600; }
.top .muted { color:#b9c3cd; }
.status { font-weight:700; padding:4px 12px; border-radius:14px; letter-spacing:.04em; }
.status.fail { background:var(--bad); } .status.pass { background:var(--ok); } .status.unknown { background:var(--info); color:#222; }
.layout { display:grid; grid-template-columns:minmax(0,1fr) 360px; gap:16px; padding:16px 24px; }
main { min-width:0; }
section { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 16px; margin-bottom:16px; }
h2 { font-size:16px; margin:0 0 10px; } h3 { font-size:14px; margin:0 0 6px; }
.toc { margin-bottom:12px; } .toc a { margin-right:14px; color:#2a5db0; text-decoration:none; }
.muted { color:var(--muted); } .note { color:#8a5a00; margin:4px 0; } .note:empty { display:none; }
.label { color:var(--muted); font-size:12px; margin:10px 0 3px; text-transform:uppercase; letter-spacing:.04em; }
pre { margin:0; white-space:pre-wrap; word-break:break-word; }
pre.body { background:#f3f5f8; border:1px solid var(--line); border-radius:5px; padding:6px 8px; font:12px/1.4 ui-monospace, Menlo, Consolas, monospace; max-height:320px; overflow:auto; }
pre.cmd { background:#17202a; color:#e5f0ff; padding:8px 10px; border-radius:5px; font:13px ui-monospace, Menlo, Consolas, monospace; user-select:all; }
.card { border-left:4px solid var(--line); padding:8px 12px; margin-bottom:10px; background:#fbfcfd; border-radius:4px; }
.card.bad { border-color:var(--bad); } .card.warn { border-color:var(--info); } .card.info { border-color:var(--chain); }
.card p { margin:4px 0; }
ol.prefix { margin:4px 0; padding-left:26px; max-height:220px; overflow:auto; }
button.opref { font:12px ui-monospace, Menlo, Consolas, monospace; border:1px solid #c7ced8; background:#fff; border-radius:4px; padding:1px 6px; cursor:pointer; margin:1px 2px; }
button.opref:hover { border-color:var(--sel); background:#fff8e6; }
table.kv { border-collapse:collapse; } table.kv th { text-align:left; color:var(--muted); font-weight:500; padding:2px 14px 2px 0; vertical-align:top; white-space:nowrap; }
table.kv td { padding:2px 0; word-break:break-word; }
table.checks, table.lat { border-collapse:collapse; width:100%; font-size:13px; }
table.checks td, table.lat td, table.lat th { border-bottom:1px solid #eef0f3; padding:3px 8px 3px 0; text-align:left; }
table.checks td.verdict { font-weight:700; width:70px; } table.checks tr.illegal td.verdict { color:var(--bad); }
table.checks tr.ok td.verdict { color:var(--ok); } table.checks tr.unknown td.verdict { color:var(--info); }
table.checks td.name { font-family:ui-monospace, Menlo, Consolas, monospace; white-space:nowrap; }
details { margin-top:10px; } summary { cursor:pointer; color:#2a5db0; }
aside#detail { position:sticky; top:12px; align-self:start; background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 14px; max-height:calc(100vh - 24px); overflow:auto; }
.callout { padding:6px 8px; border-radius:5px; margin:6px 0; } .callout.bad { background:#fdecec; border:1px solid #f2b8b8; } .callout.good { background:#eaf6ee; border:1px solid #b7dfc4; }
.controls { display:flex; gap:18px; flex-wrap:wrap; margin-bottom:6px; font-size:13px; }
.legend { display:flex; gap:12px; flex-wrap:wrap; font-size:12px; color:var(--muted); margin-bottom:6px; }
.lg::before { content:""; display:inline-block; width:18px; height:10px; margin-right:4px; vertical-align:middle; border-radius:2px; }
.lg.ok::before { border-top:2px solid var(--msg); height:0; } .lg.dup::before { border-top:2px dashed var(--dup); height:0; }
.lg.bad::before { border-top:2px solid var(--bad); height:0; } .lg.fly::before { border-top:2px dashed var(--fly); height:0; }
.lg.down::before { background:rgba(209,47,47,.28); } .lg.paused::before { background:rgba(224,161,46,.45); } .lg.clock::before { background:rgba(124,58,237,.45); width:6px; }
.lg.partition::before { background:rgba(59,110,220,.12); border:1px dashed rgba(59,110,220,.5); }
.lg.logm::before { width:8px; height:8px; transform:rotate(45deg); background:#0f766e; }
.lg.opok::before { background:var(--ok); width:8px; } .lg.opfail::before { background:var(--fail); width:8px; } .lg.opinfo::before { background:var(--info); width:8px; }
.lg.opbad::before { background:#fff; border:3px solid var(--bad); width:8px; }
.view { border:1px solid var(--line); border-radius:6px; overflow:hidden; background:#fff; }
.head-clip { overflow:hidden; border-bottom:1px solid var(--line); background:#f1f3f6; }
.lane-heads { position:relative; height:28px; }
.lane-head { position:absolute; top:0; height:28px; line-height:28px; text-align:center; font-weight:600; font-size:13px; overflow:hidden; white-space:nowrap; text-overflow:ellipsis; }
.lane-head.client { color:var(--muted); font-weight:500; }
.scroll { max-height:72vh; overflow:auto; position:relative; } .scroll.short { max-height:56vh; }
.spacer { position:relative; }
svg.canvas { position:absolute; left:0; display:block; font:11px system-ui, sans-serif; }
.lane-line.node { stroke:#9aa5b1; stroke-width:1.5; } .lane-line.client { stroke:#c9d0d8; stroke-dasharray:3 4; }
.tick { fill:var(--muted); font-size:10px; } .gap { stroke:#cfd5dc; stroke-dasharray:2 6; } .gap-label { fill:#9aa5b1; font-size:10px; font-style:italic; }
.band rect { stroke-dasharray:4 3; stroke-width:1; } .band text { font-size:10px; paint-order:stroke; stroke:#fff; stroke-width:3px; stroke-linejoin:round; }
.band.partition rect { fill:rgba(59,110,220,.07); stroke:rgba(59,110,220,.45); } .band.partition text { fill:#3b5fb0; }
.band.loss rect { fill:rgba(209,47,47,.05); stroke:rgba(209,47,47,.35); } .band.loss text { fill:#a12a2a; }
.band.dup rect { fill:rgba(194,112,12,.06); stroke:rgba(194,112,12,.4); } .band.dup text { fill:#8a520b; }
.band.clog rect { fill:rgba(100,100,100,.06); stroke:rgba(100,100,100,.4); } .band.clog text { fill:#555; }
.bar rect { cursor:pointer; } .bar text { font-size:10px; font-weight:600; }
.bar.down rect { fill:rgba(209,47,47,.28); stroke:rgba(209,47,47,.7); } .bar.down text { fill:#a12a2a; }
.bar.paused rect { fill:rgba(224,161,46,.45); stroke:rgba(180,120,20,.8); } .bar.paused text { fill:#8a5a00; }
.bar.clock rect { fill:rgba(124,58,237,.45); } .bar.clock text { fill:#5b21b6; }
.bar.byzantine rect { fill:rgba(190,24,93,.45); } .bar.byzantine text { fill:#9d174d; }
.msg { cursor:pointer; } .msg .hit { stroke:transparent; stroke-width:9; }
.msg .arrow { stroke:var(--msg); stroke-width:1.2; } .msg .dot { fill:var(--msg); }
.msg.dup .arrow { stroke:var(--dup); stroke-dasharray:5 3; } .msg.dup .dot { fill:var(--dup); }
.msg.bad .arrow { stroke:var(--bad); } .msg.bad .dot { fill:var(--bad); } .msg .xmark { stroke:var(--bad); stroke-width:2.2; fill:none; }
.msg.fly .arrow { stroke:var(--fly); stroke-dasharray:2 3; } .msg.fly .dot { fill:var(--fly); }
.msg.chain .arrow { stroke-width:2.6; stroke:var(--chain); }
.msg:hover .arrow, .msg.selected .arrow { stroke:var(--sel); stroke-width:3; }
.mlabel { fill:#374151; font-size:10px; paint-order:stroke; stroke:#fff; stroke-width:3px; stroke-linejoin:round; pointer-events:none; }
.ah.ok { fill:var(--msg); } .ah.dup { fill:var(--dup); } .ah.bad { fill:var(--bad); } .ah.fly { fill:var(--fly); } .ah.req { fill:#9aa5b1; }
.point { cursor:pointer; } .point text { font-size:11px; paint-order:stroke; stroke:#fff; stroke-width:3px; stroke-linejoin:round; }
.point.log .mark { fill:#0f766e; } .point.log text { fill:#0f5c56; font-weight:600; }
.point.timer .mark { fill:#fff; stroke:#9aa5b1; } .point.crash .mark { stroke:var(--bad); stroke-width:3; } .point.crash text { fill:var(--bad); font-weight:700; }
.point.restart .mark, .point.resume .mark, .point.pause .mark { stroke:var(--ok); stroke-width:3; } .point.restart text, .point.resume text { fill:#2c7a47; font-weight:600; }
.point.target .mark { stroke:var(--bad); stroke-width:3; } .point.selected text { fill:#b36b00; }
.op { cursor:pointer; } .op .req { stroke:#aab3bd; stroke-width:1; stroke-dasharray:3 2; } .op.bad .req { stroke:var(--bad); stroke-width:1.6; } .op.selected .req { stroke:var(--sel); stroke-width:2; }
.op .opbar, .op .opbox { stroke:rgba(0,0,0,.15); }
.op.ok .opbar { fill:var(--ok); } .op.fail .opbar { fill:var(--fail); } .op.info .opbar { fill:var(--info); } .op.pending .opbar { fill:var(--pending); }
.op.ok .opbox { fill:#e3f3e8; stroke:#8cc9a0; } .op.fail .opbox { fill:#fbe5e5; stroke:#e8a3a3; } .op.info .opbox { fill:#fdf1d8; stroke:#e6c173; } .op.pending .opbox { fill:#eef0f3; stroke:#c3cad2; }
.oplabel, .boxlabel { fill:#1f2933; font:11px ui-monospace, Menlo, Consolas, monospace; paint-order:stroke; stroke:#fff; stroke-width:3px; stroke-linejoin:round; }
.boxlabel { stroke:none; } .oplabel, .boxlabel, .boxsub, .badlabel, .bar text { pointer-events:none; } .boxsub { fill:var(--muted); font-size:10px; }
.op.prefix .opbar, .op.prefix .opbox { stroke:#2c7a47; stroke-width:2; }
.op.bad .opbar, .op.bad .opbox { stroke:var(--bad); stroke-width:3.5; } .badlabel { fill:var(--bad); font-weight:700; font-size:11px; }
.op.stuck .opbar, .op.stuck .opbox { stroke:var(--bad); stroke-width:3; stroke-dasharray:4 2; }
.op.selected .opbar, .op.selected .opbox { stroke:var(--sel); stroke-width:4; filter:drop-shadow(0 0 4px rgba(245,163,0,.8)); }
.dim { opacity:.16; } .dim:hover { opacity:.6; }
.violation-line { stroke:var(--bad); stroke-width:1.5; stroke-dasharray:6 3; } .violation-label { fill:var(--bad); font-weight:700; font-size:11px; paint-order:stroke; stroke:#fff; stroke-width:3px; stroke-linejoin:round; }
.plot .grid { stroke:#eef0f3; } .plot .axis { fill:var(--muted); font-size:11px; } .plot .whisker { stroke:#9aa5b1; stroke-width:1.5; }
.plot .box { fill:rgba(58,154,91,.35); stroke:var(--ok); } .plot .p99 { stroke:#b45309; stroke-width:2; }
.plot .sent { fill:#9fb0c3; } .plot .fault.partition { fill:rgba(59,110,220,.6); } .plot .fault.down { fill:rgba(209,47,47,.7); } .plot .fault.paused { fill:rgba(224,161,46,.8); } .plot .fault.clock { fill:rgba(124,58,237,.7); } .plot .fault.loss, .plot .fault.dup, .plot .fault.clog { fill:rgba(100,100,100,.5); } .plot .dropped { fill:var(--bad); } .plot .window { fill:rgba(245,163,0,.12); stroke:var(--sel); }
.tip { position:fixed; z-index:10; display:none; max-width:380px; background:#17202a; color:#f1f5f9; font:12px/1.35 ui-monospace, Menlo, Consolas, monospace; padding:6px 8px; border-radius:5px; white-space:pre-wrap; word-break:break-word; pointer-events:none; }
@media (max-width: 1100px) { .layout { grid-template-columns:1fr; } aside#detail { position:static; max-height:none; } }
`;
