import { h, replace, table, pill, card, stat } from '../dom.js';
import { api } from '../api.js';
import * as fmt from '../format.js';
import { lineChart } from '../chart.js';

// Overview: health, brokers, the controller quorum and cluster throughput.

const healthKind = { healthy: 'ok', degraded: 'warn', unavailable: 'bad' };

export async function render(ctx) {
  const body = h('div');
  const charts = h('div', { class: 'grid' });
  async function load() {
    const [c, series] = await Promise.all([api('/cluster'), api('/metrics/cluster')]);
    if (!ctx.current()) return;
    replace(body,
      h('div', { class: 'stats' },
        stat('Health', pill(c.health.status, healthKind[c.health.status])),
        stat('Brokers', c.brokers.length),
        stat('Topics', fmt.num(c.topics)),
        stat('Partitions', fmt.num(c.partitions)),
        stat('Consumer groups', fmt.num(c.groups)),
        stat('Records in', fmt.rate(c.recordsPerSec, 'rec/s')),
        stat('Bytes in', fmt.rate(c.bytesPerSec, 'B/s'))),
      c.health.problems.length
        ? card('Problems', h('ul', null, c.health.problems.map((p) => h('li', null, p))))
        : null,
      h('div', { class: 'grid' }, brokersCard(c), quorumCard(c)));
    replace(charts,
      card(null, lineChart({ title: 'Records in per second', points: series.points, intervalMs: series.interval, format: (v) => fmt.rate(v, ''), series: [{ key: 'recordsPerSec', label: 'records/s', color: '#3056d3' }] })),
      card(null, lineChart({ title: 'Bytes in per second', points: series.points, intervalMs: series.interval, format: (v) => fmt.bytes(v) + '/s', series: [{ key: 'bytesPerSec', label: 'bytes/s', color: '#1f9d55' }] })));
  }
  await load();
  replace(ctx.main, h('h1', null, 'Cluster overview'), body, charts);
  ctx.every(5000, () => load().catch(() => {}));
}

function brokersCard(c) {
  return card('Brokers', table(['#Id', 'Address', 'Rack', 'Status'], c.brokers.map((b) => [
    String(b.id),
    h('span', { class: 'mono' }, `${b.host}:${b.port}`),
    b.rack || '–',
    h('span', null, b.fenced ? pill('fenced', 'bad') : pill('active', 'ok'), ' ', b.id === c.controllerId ? pill('controller') : null),
  ])));
}

function quorumCard(c) {
  const q = c.quorum;
  const facts = h('dl', { class: 'kv' },
    h('dt', null, 'Cluster id'), h('dd', { class: 'mono' }, c.clusterId),
    h('dt', null, 'Active controller'), h('dd', null, q.leaderId >= 0 ? `node ${q.leaderId}` : 'none'),
    q.served ? [h('dt', null, 'Leader epoch'), h('dd', null, String(q.leaderEpoch)),
      h('dt', null, 'High watermark'), h('dd', null, fmt.num(q.highWatermark))] : null);
  const voters = q.served
    ? table(['#Voter', '#Log end offset', 'Last fetch', 'Last caught up'], q.voters.map((v) => [
      String(v.id), fmt.num(v.logEndOffset), fmt.time(v.lastFetchMs), fmt.time(v.lastCaughtUpMs)]))
    : h('p', { class: 'muted' }, q.note);
  return card('Controller quorum', facts, voters);
}
