import { h } from './dom.js';

// lineChart draws time series as an SVG line chart over a fixed window
// ending now. points: [{t, ...}]; series: [{key, label, color}];
// format(v) labels the y axis. A gap longer than two sample intervals
// breaks the line instead of bridging missing samples.

const SVG = 'http://www.w3.org/2000/svg';
const W = 640, H = 200, L = 64, R = 12, T = 12, B = 26;

function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten.
function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

export function lineChart({ title, points, series, format, windowMs = 15 * 60 * 1000, intervalMs = 5000, now = Date.now() }) {
  const x0 = now - windowMs;
  const inWindow = points.filter((p) => p.t >= x0);
  let max = 0;
  for (const p of inWindow) for (const se of series) max = Math.max(max, p[se.key] || 0);
  const yMax = niceMax(max);
  const x = (t) => L + ((t - x0) / windowMs) * (W - L - R);
  const y = (v) => T + (1 - v / yMax) * (H - T - B);

  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title || 'chart' });
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    svg.append(s('line', { class: i === 0 ? 'axis' : 'gridline', x1: L, x2: W - R, y1: y(v), y2: y(v) }));
    svg.append(s('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end' }, format(v)));
  }
  const minutes = Math.round(windowMs / 60000);
  for (let m = 0; m <= minutes; m += 5) {
    const t = x0 + m * 60000;
    svg.append(s('text', { x: x(t), y: H - 8, 'text-anchor': m === 0 ? 'start' : m === minutes ? 'end' : 'middle' },
      m === minutes ? 'now' : `-${minutes - m}m`));
  }
  for (const se of series) {
    let d = '';
    let prev = null;
    for (const p of inWindow) {
      const cmd = prev === null || p.t - prev > 2 * intervalMs ? 'M' : 'L';
      d += `${cmd}${x(p.t).toFixed(1)},${y(p[se.key] || 0).toFixed(1)} `;
      prev = p.t;
    }
    if (d) svg.append(s('path', { class: 'line', d, stroke: se.color }));
  }
  const legend = h('div', { class: 'legend' }, series.map((se) =>
    h('span', null, h('span', { class: 'swatch', style: `background:${se.color}` }), se.label)));
  const empty = inWindow.length === 0
    ? h('div', { class: 'muted' }, 'Collecting samples… the first point appears after two samples.')
    : null;
  return h('div', { class: 'chart' }, title ? h('h2', null, title) : null, svg, legend, empty);
}
