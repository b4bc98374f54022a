// The graph explorer's style and script, inlined into every page to_html writes (plain JavaScript, no
// library, no network). The page reads its graph from the JSON in <script id="graph-data">.
#include "html.hpp"

namespace tsumiki::detail {

const char* const kExplorerStyle = R"CSS(
body { font: 14px sans-serif; margin: 0; display: flex; height: 100vh; }
#canvas { flex: 1; overflow: auto; border-right: 1px solid #ccc; }
#side { width: 360px; padding: 10px; overflow: auto; }
#controls button { margin: 2px; }
#status { margin: 6px 0; color: #333; }
#note { color: #a60; }
table { border-collapse: collapse; width: 100%; }
td { border-bottom: 1px solid #eee; padding: 2px 4px; vertical-align: top; }
td:first-child { color: #555; white-space: nowrap; }
.node { cursor: pointer; }
.node text { font-size: 11px; pointer-events: none; }
.var ellipse { fill: #fde9c8; stroke: #c80; }
.var.leaf ellipse { fill: #d5f0d0; stroke: #393; }
.var.constant ellipse { fill: #eee; stroke: #888; }
.fn rect { fill: #d6e6f8; stroke: #36a; }
.selected ellipse, .selected rect { stroke-width: 3; }
.active rect { fill: #ffd54f; }
.done rect { fill: #c8e6c9; }
.gradtext { fill: #c00; }
.edge { stroke: #888; fill: none; marker-end: url(#arrow); }
.edge.flow { stroke: #d00; stroke-width: 2.5; }
.module rect { fill: #f6f6ff; stroke: #99c; stroke-dasharray: 4 3; }
.module text { font-size: 11px; fill: #559; }
)CSS";

const char* const kExplorerScript = R"JS(
'use strict';
const G = JSON.parse(document.getElementById('graph-data').textContent);
const SVGNS = 'http://www.w3.org/2000/svg';
const W = 185, H = 64, VW = 130, VH = 40, FW = 156, FH = 34;

function el(tag, attrs, parent) {
  const e = document.createElementNS(SVGNS, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}
function fmt(x) {
  if (typeof x === 'string') return x;
  if (x === undefined || x === null) return '';
  return Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(3) : String(+x.toPrecision(5));
}
function brief(st) {  // one short line: the value of a scalar, else the mean
  if (!st) return '';
  if (st.values && st.values.length === 1) return fmt(st.values[0]);
  if (st.nan || st.inf) return (st.nan ? st.nan + ' NaN ' : '') + (st.inf ? st.inf + ' Inf' : '');
  return 'mean ' + fmt(st.mean);
}
function statRows(st) {
  if (!st) return [['', 'not computed']];
  const rows = [];
  if (st.values) rows.push(['values', '[' + st.values.map(fmt).join(', ') + ']']);
  rows.push(['min / max', fmt(st.min) + ' / ' + fmt(st.max)], ['mean', fmt(st.mean)],
            ['NaN / Inf', st.nan + ' / ' + st.inf]);
  return rows;
}

// Layout: the root on the right, each input one column further left (longest path from the root).
const rank = { v: G.vars.map(() => 0), f: G.fns.map(() => 0) };
for (const f of G.fns) {  // highest generation first: an output's rank is final before its creator's
  rank.f[f.id] = (f.output === null ? 0 : rank.v[f.output]) + 1;
  for (const i of f.inputs) rank.v[i] = Math.max(rank.v[i], rank.f[f.id] + 1);
}
const nodes = [];
G.vars.forEach(v => nodes.push({ kind: 'v', id: v.id, r: rank.v[v.id] }));
G.fns.forEach(f => nodes.push({ kind: 'f', id: f.id, r: rank.f[f.id] }));
const maxRank = Math.max(...nodes.map(n => n.r));
const byRank = [];
for (const n of nodes) (byRank[n.r] = byRank[n.r] || []).push(n);
const pos = { v: [], f: [] };
const consumers = { v: G.vars.map(() => []), f: G.fns.map(() => []) };
for (const f of G.fns) {
  if (f.output !== null) consumers.f[f.id].push(['v', f.output]);
  for (const i of f.inputs) consumers.v[i].push(['f', f.id]);
}
byRank.forEach((list, r) => {
  if (!list) return;
  if (r > 0) {  // order by where the nodes they feed sit
    const key = n => {
      const ys = consumers[n.kind][n.id].map(([k, i]) => pos[k][i] ? pos[k][i].y : 0);
      return ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : 0;
    };
    list.sort((a, b) => key(a) - key(b));
  }
  list.forEach((n, i) => { pos[n.kind][n.id] = { x: 90 + (maxRank - r) * W, y: 60 + i * H }; });
});

const canvas = document.createElement('div');
canvas.id = 'canvas';
const side = document.createElement('div');
side.id = 'side';
side.innerHTML = '<h3 id="title"></h3><div id="controls"><button id="reset">Reset</button>' +
  '<button id="step">Step backward</button><button id="all">Run all</button></div>' +
  '<div id="status"></div><div id="note"></div><div id="details">Click a node.</div><pre id="selftest"></pre>';
document.body.append(canvas, side);
document.getElementById('title').textContent = G.title;
document.getElementById('note').textContent = G.note;
const width = 180 + (maxRank + 1) * W, height = 120 + Math.max(...byRank.map(l => (l ? l.length : 0))) * H;
const svg = el('svg', { width, height, id: 'graph' }, canvas);
const defs = el('defs', {}, svg);
const marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7,
                              orient: 'auto-start-reverse' }, defs);
el('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#888' }, marker);

// Modules: a dashed box around the ops (and the values they made) of each module.
const groups = {};
for (const f of G.fns) {
  if (!f.module) continue;
  const g = groups[f.module] = groups[f.module] || [];
  g.push(pos.f[f.id]);
  if (f.output !== null && f.output !== G.root) g.push(pos.v[f.output]);
}
for (const label in groups) {
  const ps = groups[label];
  const x0 = Math.min(...ps.map(p => p.x)) - 70, x1 = Math.max(...ps.map(p => p.x)) + 70;
  const y0 = Math.min(...ps.map(p => p.y)) - 34, y1 = Math.max(...ps.map(p => p.y)) + 26;
  const m = el('g', { class: 'module', 'data-module': label }, svg);
  el('rect', { x: x0, y: y0, width: x1 - x0, height: y1 - y0, rx: 8 }, m);
  el('text', { x: x0 + 6, y: y0 + 12 }, m).textContent = label;
}

const edges = [];  // {from: [kind, id], to: [kind, id], path}
function edge(a, b) {
  const p = pos[a[0]][a[1]], q = pos[b[0]][b[1]];
  const x0 = p.x + (a[0] === 'v' ? VW / 2 : FW / 2), x1 = q.x - (b[0] === 'v' ? VW / 2 : FW / 2);
  const path = el('path', { class: 'edge', d: `M ${x0} ${p.y} C ${x0 + 30} ${p.y}, ${x1 - 30} ${q.y}, ${x1} ${q.y}` }, svg);
  edges.push({ from: a, to: b, path });
}
for (const f of G.fns) {
  f.inputs.forEach(i => edge(['v', i], ['f', f.id]));
  if (f.output !== null) edge(['f', f.id], ['v', f.output]);
}

const shapes = { v: [], f: [] };
function label(v) { return v.name || v.shape; }
for (const v of G.vars) {
  const p = pos.v[v.id];
  const g = el('g', { class: 'node var ' + v.kind, 'data-node': 'v' + v.id, transform: `translate(${p.x},${p.y})` }, svg);
  el('ellipse', { rx: VW / 2, ry: VH / 2 }, g);
  el('text', { 'text-anchor': 'middle', y: -4 }, g).textContent = label(v);
  el('text', { 'text-anchor': 'middle', y: 9 }, g).textContent = brief(v.stats) || v.dtype;
  const gt = el('text', { 'text-anchor': 'middle', y: VH / 2 + 12, class: 'gradtext' }, g);
  g.addEventListener('click', () => select('v', v.id));
  shapes.v[v.id] = { g, gt };
}
for (const f of G.fns) {
  const p = pos.f[f.id];
  const g = el('g', { class: 'node fn', 'data-node': 'f' + f.id, transform: `translate(${p.x},${p.y})` }, svg);
  el('rect', { x: -FW / 2, y: -FH / 2, width: FW, height: FH, rx: 4 }, g);
  el('text', { 'text-anchor': 'middle', y: -3 }, g).textContent = f.op;
  el('text', { 'text-anchor': 'middle', y: 10 }, g).textContent = f.user;
  g.addEventListener('click', () => select('f', f.id));
  shapes.f[f.id] = { g };
}

function table(rows) {
  const t = document.createElement('table');
  for (const [k, v] of rows) {
    const tr = t.insertRow();
    tr.insertCell().textContent = k;
    tr.insertCell().textContent = v;
  }
  return t;
}
let selected = null;
function select(kind, id) {
  if (selected) selected.classList.remove('selected');
  selected = shapes[kind][id].g;
  selected.classList.add('selected');
  const d = document.getElementById('details');
  d.innerHTML = '';
  const h = document.createElement('h4');
  if (kind === 'v') {
    const v = G.vars[id];
    h.textContent = (v.kind === 'result' ? 'value' : v.kind) + (v.name ? " '" + v.name + "'" : '');
    d.append(h, table([['shape', v.shape], ['dtype', v.dtype], ['module', v.module || '(none)'],
                       ['made at', v.where], ...statRows(v.stats)]));
    const g2 = document.createElement('h4');
    g2.textContent = 'gradient' + (shown.v[id] ? '' : ' (not reached yet)');
    d.append(g2, table(statRows(shown.v[id] ? v.grad : null)));
  } else {
    const f = G.fns[id];
    h.textContent = "function '" + f.op + "'";
    const ins = f.inputs.map(i => G.vars[i].shape + ' ' + G.vars[i].dtype).join(', ');
    const out = f.output === null ? '(gone)' : G.vars[f.output].shape + ' ' + G.vars[f.output].dtype;
    d.append(h, table([['generation', f.gen], ['inputs', ins || '(released)'], ['output', out],
                       ['module', f.module || '(none)'], ['your line', f.user], ['library line', f.via || '(same)'],
                       ['where', f.where]]));
  }
}

// Step mode: one backward function per step, in the engine's order.
let k = 0;
const shown = { v: G.vars.map(() => false) };
function status() {
  const s = document.getElementById('status');
  if (!G.steps.length) { s.textContent = 'no backward steps recorded'; return; }
  s.textContent = k === 0 ? `${G.steps.length} backward steps: press Step` :
    k < G.steps.length ? `step ${k} of ${G.steps.length}: backward of '${G.fns[G.steps[k - 1].fn].op}'` :
    `done: ${G.steps.length} steps, every gradient computed`;
}
function showGrad(vid, st) {
  shown.v[vid] = true;
  shapes.v[vid].gt.textContent = 'grad ' + brief(st);
}
function reset() {
  k = 0;
  document.querySelectorAll('.active, .done').forEach(e => e.classList.remove('active', 'done'));
  edges.forEach(e => e.path.classList.remove('flow'));
  G.vars.forEach(v => { shown.v[v.id] = false; shapes.v[v.id].gt.textContent = ''; });
  status();
}
function step() {
  if (k >= G.steps.length) return false;
  document.querySelectorAll('.active').forEach(e => { e.classList.remove('active'); e.classList.add('done'); });
  edges.forEach(e => e.path.classList.remove('flow'));
  const s = G.steps[k++];
  const f = G.fns[s.fn];
  shapes.f[f.id].g.classList.add('active');
  if (f.output !== null) showGrad(f.output, s.gy);
  for (const fl of s.flows) {
    for (const e of edges)
      if (e.from[0] === 'v' && e.from[1] === fl.to && e.to[0] === 'f' && e.to[1] === f.id) e.path.classList.add('flow');
    // A value's gradient is complete once its last consumer has run; show the running total then.
    if (G.vars[fl.to].grad && !G.steps.slice(k).some(t => G.fns[t.fn].inputs.includes(fl.to))) showGrad(fl.to, G.vars[fl.to].grad);
  }
  status();
  return true;
}
document.getElementById('reset').onclick = reset;
document.getElementById('step').onclick = step;
document.getElementById('all').onclick = () => { while (step()); };
reset();

// #selftest: clicks every node and walks every step, then writes what the page showed into #selftest (a
// headless browser test reads it back from the DOM).
if (location.hash === '#selftest') {
  const result = { ok: true, nodes: 0, steps: 0, problems: [], grads: {} };
  document.querySelectorAll('[data-node]').forEach(n => {
    n.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    const id = n.getAttribute('data-node');
    const want = id[0] === 'f' ? "function '" + G.fns[+id.slice(1)].op + "'" : G.vars[+id.slice(1)].shape;
    if (!document.getElementById('details').textContent.includes(want)) { result.ok = false; result.problems.push(id); }
    result.nodes++;
  });
  while (step()) result.steps++;
  if (result.steps !== G.steps.length) { result.ok = false; result.problems.push('steps'); }
  G.vars.forEach(v => { if (v.name) result.grads[v.name] = shapes.v[v.id].gt.textContent; });
  if (G.steps.length && G.vars.some(v => v.kind === 'leaf' && !shown.v[v.id])) { result.ok = false; result.problems.push('leaf gradient'); }
  document.getElementById('selftest').textContent = 'SELFTEST ' + JSON.stringify(result);
}
)JS";

}  // namespace tsumiki::detail
