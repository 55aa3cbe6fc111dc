import { h, replace, table, card } from '../dom.js';
import { api, enc } from '../api.js';
import * as fmt from '../format.js';
import { messageBox, showError, showNotice, clearMessage, submitting } from '../forms.js';

// Topics: the list, and the form that creates one.

export async function render(ctx) {
  const list = h('div');
  const box = messageBox();
  let showInternal = ctx.query.get('internal') === '1';
  let created = null;

  async function load() {
    const { topics } = await api('/topics');
    if (!ctx.current()) return;
    const shown = topics.filter((t) => showInternal || !t.internal);
    replace(list, shown.length === 0
      ? h('p', { class: 'empty' }, 'No topics yet. Create one above.')
      : table(['Name', '#Partitions', '#RF', '#Records', '#Size', 'Retention', 'Cleanup', '#Records/s', '#Bytes/s'],
        shown.map((t) => [
          h('a', { href: `#/topics/${enc(t.name)}`, class: t.name === created ? 'created' : null }, t.name),
          String(t.partitions), String(t.replicationFactor), fmt.num(t.records), fmt.bytes(t.sizeBytes),
          `${fmt.retention(t.retentionMs)} / ${fmt.retentionBytes(t.retentionBytes)}`, t.cleanupPolicy || '–',
          fmt.rate(t.recordsPerSec, ''), fmt.rate(t.bytesPerSec, 'B/s'),
        ]), { id: 'topics-table' }));
  }

  const form = h('form', { class: 'inline', id: 'create-topic', novalidate: true },
    h('label', null, 'Name', h('input', { name: 'name', required: true, placeholder: 'orders', autocomplete: 'off' })),
    h('label', null, 'Partitions', h('input', { name: 'partitions', type: 'number', placeholder: 'broker default', style: 'width:130px' })),
    h('label', null, 'Replication factor', h('input', { name: 'replicationFactor', type: 'number', placeholder: 'broker default', style: 'width:130px' })),
    h('label', { style: 'flex:1;min-width:240px' }, 'Configs (one key=value a line)',
      h('textarea', { name: 'configs', rows: 2, placeholder: 'retention.ms=86400000\ncleanup.policy=compact' })),
    h('button', { class: 'primary', type: 'submit' }, 'Create topic'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { name: form.elements.name.value.trim() };
    for (const field of ['partitions', 'replicationFactor']) {
      const raw = form.elements[field].value.trim();
      if (raw === '') continue;
      if (!/^-?\d+$/.test(raw)) {
        showError(box, form, { message: `${field}: want a whole number, got "${raw}"`, field });
        return;
      }
      body[field] = Number(raw);
    }
    const configs = parseConfigs(form.elements.configs.value);
    if (configs.error) { showError(box, form, { message: configs.error, field: 'configs' }); return; }
    body.configs = configs.values;
    await submitting(form, async () => {
      try {
        const res = await api('/topics', { method: 'POST', body });
        created = res.name;
        showNotice(box, form, 'Created topic ', h('a', { href: `#/topics/${enc(res.name)}` }, res.name),
          ` with ${res.partitions} partitions (replication factor ${res.replicationFactor}).`);
        form.reset();
        await load();
      } catch (e) {
        showError(box, form, e);
      }
    });
  });
  form.addEventListener('input', () => clearMessage(box, form));

  const toggle = h('label', { style: 'flex-direction:row;align-items:center;gap:6px' },
    h('input', { type: 'checkbox', checked: showInternal, onchange: (e) => { showInternal = e.target.checked; load(); } }),
    'Show internal topics');
  await load();
  replace(ctx.main, h('h1', null, 'Topics'),
    card('Create a topic', form, box),
    card(null, h('div', { class: 'toolbar' }, h('h2', { style: 'margin:0' }, 'All topics'), h('span', { class: 'spacer' }), toggle), list));
  ctx.every(10000, () => load().catch(() => {}));
}

// parseConfigs reads key=value lines; blank lines and # comments are skipped.
export function parseConfigs(text) {
  const values = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) return { error: `configs: line ${i + 1} ("${line}") is not key=value` };
    values[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return { values };
}
