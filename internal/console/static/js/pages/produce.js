import { h } from '../dom.js';
import { api, enc } from '../api.js';
import { messageBox, showError, clearMessage, submitting } from '../forms.js';

// produceForm builds the "produce a test message" form; onDone gets the
// broker's answer (partition, offset).
export function produceForm(topic, partitions, onDone) {
  const box = messageBox();
  const headers = h('div', { class: 'headers-edit' });
  const addHeader = () => headers.append(h('div', { class: 'row' },
    h('input', { name: 'headerKey', placeholder: 'header key', autocomplete: 'off' }),
    h('input', { name: 'headerValue', placeholder: 'header value', autocomplete: 'off', style: 'flex:1' })));
  addHeader();

  const form = h('form', { id: 'produce', novalidate: true },
    h('div', { class: 'inline form', style: 'display:flex;gap:12px;flex-wrap:wrap;margin-bottom:10px' },
      h('label', null, 'Partition', h('select', { name: 'partition' },
        h('option', { value: '' }, 'by key (default partitioner)'),
        partitions.map((p) => h('option', { value: p.partition }, String(p.partition))))),
      h('label', { style: 'flex:1;min-width:200px' }, 'Key (empty: no key)', h('input', { name: 'key', autocomplete: 'off' }))),
    h('label', null, 'Value', h('textarea', { name: 'value', rows: 4, placeholder: '{"id": 1, "status": "new"}' })),
    h('div', { style: 'margin-top:10px' }, h('label', null, 'Headers'), headers),
    h('div', { class: 'toolbar', style: 'margin-top:8px' },
      h('button', { type: 'button', onclick: addHeader }, 'Add header'),
      h('span', { class: 'spacer' }),
      h('button', { class: 'primary', type: 'submit' }, 'Produce')));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { value: form.elements.value.value, headers: [] };
    if (form.elements.partition.value !== '') body.partition = Number(form.elements.partition.value);
    if (form.elements.key.value !== '') body.key = form.elements.key.value;
    for (const row of headers.querySelectorAll('.row')) {
      const [k, v] = row.querySelectorAll('input');
      if (k.value === '' && v.value === '') continue;
      if (k.value === '') { showError(box, form, { message: 'headers: a header with a value needs a key', field: 'headerKey' }); return; }
      body.headers.push({ key: k.value, value: v.value });
    }
    await submitting(form, async () => {
      try {
        const res = await api(`/topics/${enc(topic)}/messages`, { method: 'POST', body });
        onDone(res);
      } catch (e) {
        showError(box, form, e);
      }
    });
  });
  form.addEventListener('input', () => clearMessage(box, form));
  return { form, box };
}
