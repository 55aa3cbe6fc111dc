import { h, replace, table, card, stat } from '../dom.js';
import { api, enc } from '../api.js';
import * as fmt from '../format.js';
import { lineChart } from '../chart.js';
import { statePill } from './groups.js';
import { resetForm } from './reset.js';

// One consumer group: members, per-partition offsets and lag (in records
// and in time), the lag chart, and resetting offsets.

export async function render(ctx) {
  const [id] = ctx.params;
  const stats = h('div', { class: 'stats' });
  const members = h('div');
  const offsets = h('div');
  const chart = h('div');

  async function load() {
    const [g, series] = await Promise.all([api(`/groups/${enc(id)}`), api(`/metrics/groups/${enc(id)}`)]);
    if (!ctx.current()) return null;
    replace(stats, stat('State', statePill(g.state)), stat('Protocol', g.type), stat('Assignor', g.protocol || '–'),
      stat('Coordinator', g.coordinator >= 0 ? `node ${g.coordinator}` : '–'), stat('Members', g.members), stat('Total lag', fmt.num(g.lag)));
    replace(members, g.memberList.length === 0
      ? h('p', { class: 'empty' }, 'No active members.')
      : table(['Member', 'Client id', 'Host', 'Assignment'], g.memberList.map((m) => [
        h('span', { class: 'mono' }, m.memberId), m.clientId, m.host,
        m.assignment.map((a) => h('div', null, `${a.topic}: ${a.partitions.join(', ')}`)),
      ])));
    replace(offsets, g.offsets.length === 0
      ? h('p', { class: 'empty' }, 'No committed offsets.')
      : table(['Topic', '#Partition', '#Committed', '#Log start', '#End', '#Lag', '#Lag (time)', 'Consumer'], g.offsets.map((o) => [
        h('a', { href: `#/topics/${enc(o.topic)}` }, o.topic), String(o.partition), fmt.num(o.committed), fmt.num(o.logStartOffset),
        fmt.num(o.endOffset), fmt.num(o.lag), fmt.duration(o.lagMs), o.clientId || h('span', { class: 'muted' }, '–'),
      ]), { id: 'offsets-table' }));
    replace(chart, lineChart({ title: 'Lag (records)', points: series.points, intervalMs: series.interval, format: (v) => fmt.num(Math.round(v)), series: [{ key: 'lag', label: 'total lag', color: '#c77c02' }] }));
    return g;
  }

  const g = await load();
  const topics = [...new Set(g.offsets.map((o) => o.topic))];
  const reset = resetForm(id, topics, () => load());
  replace(ctx.main,
    h('div', { class: 'crumbs' }, h('a', { href: '#/groups' }, 'Consumer groups'), ' / '),
    h('h1', null, id), stats,
    h('div', { class: 'grid' }, card('Members', members), card(null, chart)),
    card('Offsets and lag', offsets),
    card('Reset offsets', reset));
  ctx.every(5000, () => load().catch(() => {}));
}
