import { h, replace, table, card, stat, pill } from '../dom.js';
import { api, enc } from '../api.js';
import * as fmt from '../format.js';
import { lineChart } from '../chart.js';
import { messageBox, showError, showNotice, submitting } from '../forms.js';

// One topic: partitions (leader, replicas, ISR, offsets), throughput,
// configs with editing, and deletion.

export async function render(ctx) {
  const [name] = ctx.params;
  const href = `#/topics/${enc(name)}`;
  const parts = h('div');
  const stats = h('div', { class: 'stats' });
  const charts = h('div', { class: 'grid' });
  const configs = h('div');
  const configBox = messageBox();

  async function load() {
    const [t, series] = await Promise.all([api(`/topics/${enc(name)}`), api(`/metrics/topics/${enc(name)}`)]);
    if (!ctx.current()) return null;
    const size = t.partitions.reduce((a, p) => a + p.sizeBytes, 0);
    const records = t.partitions.reduce((a, p) => a + Math.max(p.highWatermark - p.logStartOffset, 0), 0);
    replace(stats, stat('Partitions', t.partitions.length), stat('Records', fmt.num(records)), stat('Size', fmt.bytes(size)),
      stat('Records in', fmt.rate(t.recordsPerSec, 'rec/s')), stat('Bytes in', fmt.rate(t.bytesPerSec, 'B/s')));
    replace(parts, table(['#Partition', '#Leader', 'Replicas', 'ISR', '#Log start', '#High watermark', '#Last stable', '#Size', ''],
      t.partitions.map((p) => [
        String(p.partition),
        p.leader >= 0 ? String(p.leader) : pill('offline', 'bad'),
        fmt.ids(p.replicas),
        h('span', null, fmt.ids(p.isr), p.isr.length < p.replicas.length ? [' ', pill('under-replicated', 'warn')] : null),
        fmt.num(p.logStartOffset), fmt.num(p.highWatermark), fmt.num(p.lastStableOffset), fmt.bytes(p.sizeBytes),
        h('a', { href: `${href}/messages?partition=${p.partition}` }, 'Browse'),
      ]), { id: 'partitions-table' }));
    replace(charts,
      card(null, lineChart({ title: 'Records in per second', points: series.points, intervalMs: series.interval, format: (v) => fmt.rate(v, ''), series: [{ key: 'recordsPerSec', label: 'records/s', color: '#3056d3' }] })),
      card(null, lineChart({ title: 'Bytes in per second', points: series.points, intervalMs: series.interval, format: (v) => fmt.bytes(v) + '/s', series: [{ key: 'bytesPerSec', label: 'bytes/s', color: '#1f9d55' }] })));
    return t;
  }

  function renderConfigs(t) {
    replace(configs, table(['Name', 'Value', 'Source', ''], t.configs.map((c) => [
      h('span', { class: 'mono' }, c.name),
      h('span', { class: 'mono' }, c.sensitive ? '(sensitive)' : c.value),
      c.default ? h('span', { class: 'muted' }, c.source) : pill('topic override'),
      h('span', null,
        h('button', { type: 'button', onclick: () => { editForm.elements.name.value = c.name; editForm.elements.value.value = c.value; editForm.elements.value.focus(); } }, 'Edit'),
        c.default ? null : [' ', h('button', { type: 'button', class: 'danger', onclick: () => alter({ delete: [c.name] }, `Reset ${c.name} to its default.`) }, 'Reset')]),
    ]), { id: 'configs-table' }));
  }

  async function alter(body, done) {
    await submitting(editForm, async () => {
      try {
        await api(`/topics/${enc(name)}/configs`, { method: 'PATCH', body });
        showNotice(configBox, editForm, done);
        const t = await load();
        if (t) renderConfigs(t);
      } catch (e) {
        showError(configBox, editForm, e);
      }
    });
  }

  const editForm = h('form', { class: 'inline', id: 'alter-config', novalidate: true },
    h('label', null, 'Config', h('input', { name: 'name', placeholder: 'retention.ms', autocomplete: 'off', style: 'width:260px' })),
    h('label', null, 'Value', h('input', { name: 'value', placeholder: '86400000', autocomplete: 'off', style: 'width:260px' })),
    h('button', { class: 'primary', type: 'submit' }, 'Set config'));
  editForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const key = editForm.elements.name.value.trim();
    if (!key) { showError(configBox, editForm, { message: 'name: give the config to set', field: 'name' }); return; }
    alter({ set: { [key]: editForm.elements.value.value } }, `Set ${key}.`);
  });

  const t = await load();
  renderConfigs(t);
  replace(ctx.main,
    h('div', { class: 'crumbs' }, h('a', { href: '#/topics' }, 'Topics'), ' / '),
    h('div', { class: 'toolbar' }, h('h1', { style: 'margin:0' }, name), t.internal ? pill('internal') : null,
      h('span', { class: 'spacer' }),
      h('a', { class: 'button', href: `${href}/messages?partition=0` }, 'Browse messages'),
      deleteButton(name)),
    h('p', { class: 'muted mono' }, `topic id ${t.id}`),
    stats, card('Partitions', parts), charts,
    card('Configs', editForm, configBox, configs));
  ctx.every(5000, () => load().catch(() => {}));
}

function deleteButton(name) {
  const box = messageBox();
  const dialog = h('dialog', { id: 'delete-dialog' },
    h('h2', null, `Delete topic ${name}?`),
    h('p', null, 'Its partitions and every record in them are removed. This cannot be undone.'),
    box,
    h('form', { method: 'dialog', class: 'toolbar' },
      h('span', { class: 'spacer' }),
      h('button', { value: 'cancel' }, 'Cancel'),
      h('button', { class: 'danger primary', type: 'button', onclick: async () => {
        try {
          await api(`/topics/${enc(name)}`, { method: 'DELETE' });
          dialog.close();
          location.hash = '#/topics';
        } catch (e) {
          showError(box, null, e);
        }
      } }, 'Delete topic')));
  return h('span', null, h('button', { class: 'danger', type: 'button', onclick: () => dialog.showModal() }, 'Delete topic'), dialog);
}
