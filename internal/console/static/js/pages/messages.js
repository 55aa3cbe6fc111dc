import { h, replace, table, card } from '../dom.js';
import { api, enc } from '../api.js';
import * as fmt from '../format.js';
import { messageBox, showError, showNotice, clearMessage, submitting } from '../forms.js';
import { produceForm } from './produce.js';

// The message browser: one partition, from an offset, a time, the start or
// the end, a page at a time; and a form to produce a test message.

export async function render(ctx) {
  const [name] = ctx.params;
  const q = ctx.query;
  const topic = await api(`/topics/${enc(name)}`);
  const box = messageBox();
  const results = h('div');

  const mode = q.has('offset') ? 'offset' : q.has('timestamp') ? 'timestamp' : (q.get('from') || 'earliest');
  const form = h('form', { class: 'inline', id: 'browse', novalidate: true },
    h('label', null, 'Partition', h('select', { name: 'partition' },
      topic.partitions.map((p) => h('option', { value: p.partition, selected: String(p.partition) === (q.get('partition') || '0') }, String(p.partition))))),
    h('label', null, 'Start at', h('select', { name: 'mode', onchange: () => syncMode() },
      [['earliest', 'Earliest'], ['latest', 'Latest (last page)'], ['offset', 'Offset'], ['timestamp', 'Time']].map(([v, l]) =>
        h('option', { value: v, selected: v === mode }, l)))),
    h('label', { class: 'mode-offset' }, 'Offset', h('input', { name: 'offset', type: 'text', inputmode: 'numeric', value: q.get('offset') || '', style: 'width:120px' })),
    h('label', { class: 'mode-timestamp' }, 'Time (local)', h('input', { name: 'timestamp', type: 'datetime-local', step: '1', value: localInput(q.get('timestamp')) })),
    h('label', null, 'Records', h('select', { name: 'limit' }, [10, 20, 50, 100].map((n) =>
      h('option', { value: n, selected: String(n) === (q.get('limit') || '20') }, String(n))))),
    h('button', { class: 'primary', type: 'submit' }, 'Show'));
  function syncMode() {
    const m = form.elements.mode.value;
    form.querySelector('.mode-offset').style.display = m === 'offset' ? '' : 'none';
    form.querySelector('.mode-timestamp').style.display = m === 'timestamp' ? '' : 'none';
  }
  syncMode();

  // go puts the chosen start in the location, so the page can be reloaded
  // and shared; the router then renders it.
  function go(params) {
    const qs = new URLSearchParams({ partition: form.elements.partition.value, limit: form.elements.limit.value, ...params });
    location.hash = `#/topics/${enc(name)}/messages?${qs}`;
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const m = form.elements.mode.value;
    if (m === 'offset') go({ offset: form.elements.offset.value.trim() });
    else if (m === 'timestamp') {
      const v = form.elements.timestamp.value;
      if (!v) { showError(box, form, { message: 'timestamp: choose a date and time', field: 'timestamp' }); return; }
      go({ timestamp: String(new Date(v).getTime()) });
    } else go({ from: m });
  });
  form.addEventListener('input', () => clearMessage(box, form));

  async function load() {
    const params = new URLSearchParams(q);
    if (!params.has('partition')) params.set('partition', '0');
    try {
      const page = await api(`/topics/${enc(name)}/messages?${params}`);
      replace(results, pageView(page, go));
    } catch (e) {
      replace(results);
      showError(box, form, e);
    }
  }

  const produce = produceForm(name, topic.partitions, (res) => {
    showNotice(produce.box, produce.form, `Produced to partition ${res.partition} at offset ${res.offset}. `,
      h('a', { href: `#/topics/${enc(name)}/messages?partition=${res.partition}&offset=${res.offset}&limit=${form.elements.limit.value}`, id: 'show-produced' }, 'Show it'));
  });

  await load();
  replace(ctx.main,
    h('div', { class: 'crumbs' }, h('a', { href: '#/topics' }, 'Topics'), ' / ', h('a', { href: `#/topics/${enc(name)}` }, name), ' / '),
    h('h1', null, `Messages in ${name}`),
    card(null, form, box, results),
    card('Produce a test message', produce.form, produce.box));
}

function pageView(page, go) {
  const nav = h('div', { class: 'toolbar' },
    h('span', { class: 'muted' }, `Partition ${page.partition}: offsets ${fmt.num(page.logStartOffset)} to ${fmt.num(page.highWatermark - 1)} (high watermark ${fmt.num(page.highWatermark)}).`),
    h('span', { class: 'spacer' }),
    h('button', { type: 'button', disabled: page.prevOffset < 0, onclick: () => go({ offset: String(page.prevOffset) }) }, '← Previous'),
    h('button', { type: 'button', disabled: page.nextOffset >= page.highWatermark, onclick: () => go({ offset: String(page.nextOffset) }) }, 'Next →'));
  if (page.records.length === 0) {
    return h('div', null, nav, h('p', { class: 'empty' }, `No records from offset ${fmt.num(page.from)}.`));
  }
  return h('div', null, nav, table(['#Offset', 'Timestamp', 'Key', 'Value', 'Headers'], page.records.map((r) => [
    String(r.offset),
    h('span', { title: r.timestampType }, fmt.time(r.timestamp)),
    payload(r.key),
    payload(r.value),
    r.headers.length ? h('div', null, r.headers.map((hd) => h('div', null, h('span', { class: 'mono' }, hd.key + ': '), payload(hd.value)))) : h('span', { class: 'muted' }, '–'),
  ]), { id: 'records-table' }));
}

function payload(p) {
  if (p.kind === 'null') return h('span', { class: 'muted' }, 'null');
  return h('div', { class: 'payload-' + p.kind },
    h('div', { class: 'kind' }, p.kind + (p.truncated ? ` (first part of ${fmt.bytes(p.size)})` : '')),
    h('pre', { class: 'payload' }, p.text));
}

// localInput turns ms since the epoch into a datetime-local value.
function localInput(ms) {
  if (!ms || isNaN(Number(ms))) return '';
  const d = new Date(Number(ms));
  const pad = (x) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
