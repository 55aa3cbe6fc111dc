import { h, replace, table } from '../dom.js';
import { api, enc } from '../api.js';
import * as fmt from '../format.js';
import { messageBox, showError, showNotice, clearMessage, submitting } from '../forms.js';

// resetForm: choose a scope and a strategy, preview the plan (a dry run),
// then execute exactly that plan. Changing the form discards the preview.
export function resetForm(group, topics, onReset) {
  const box = messageBox();
  const plan = h('div', { id: 'reset-plan' });
  let previewed = null;

  const form = h('form', { class: 'inline', id: 'reset', novalidate: true },
    h('label', null, 'Topic', h('select', { name: 'topic' },
      h('option', { value: '' }, 'all topics with offsets'),
      topics.map((t) => h('option', { value: t }, t)))),
    h('label', null, 'Reset to', h('select', { name: 'strategy', onchange: () => sync() },
      [['earliest', 'Earliest offset'], ['latest', 'Latest offset'], ['offset', 'Specific offset'], ['shift', 'Shift by'], ['datetime', 'Date and time']].map(([v, l]) =>
        h('option', { value: v }, l)))),
    h('label', { class: 'for-offset' }, 'Offset', h('input', { name: 'offset', inputmode: 'numeric', style: 'width:120px' })),
    h('label', { class: 'for-shift' }, 'Shift by (±n)', h('input', { name: 'shift', inputmode: 'numeric', style: 'width:120px' })),
    h('label', { class: 'for-datetime' }, 'Date and time (local)', h('input', { name: 'datetime', type: 'datetime-local', step: '1' })),
    h('button', { type: 'submit', class: 'primary', value: 'preview' }, 'Preview (dry run)'),
    h('button', { type: 'button', id: 'reset-execute', class: 'danger primary', disabled: true, onclick: () => run(true) }, 'Execute reset'));

  function sync() {
    const s = form.elements.strategy.value;
    for (const k of ['offset', 'shift', 'datetime']) form.querySelector('.for-' + k).style.display = s === k ? '' : 'none';
  }
  sync();

  function request() {
    const s = form.elements.strategy.value;
    const body = { topic: form.elements.topic.value, strategy: s };
    const whole = (field) => {
      const raw = form.elements[field].value.trim();
      if (!/^[-+]?\d+$/.test(raw)) throw { message: `${field}: want a whole number, got "${raw}"`, field };
      return Number(raw);
    };
    if (s === 'offset') body.offset = whole('offset');
    if (s === 'shift') body.shift = whole('shift');
    if (s === 'datetime') {
      const v = form.elements.datetime.value;
      if (!v) throw { message: 'datetime: choose a date and time', field: 'datetime' };
      body.datetime = String(new Date(v).getTime());
    }
    return body;
  }

  async function run(execute) {
    let body;
    try { body = execute ? previewed : request(); } catch (e) { showError(box, form, e); return; }
    await submitting(form, async () => {
      try {
        const res = await api(`/groups/${enc(group)}/reset-offsets`, { method: 'POST', body: { ...body, execute } });
        replace(plan, res.plan.length === 0 ? h('p', { class: 'empty' }, 'Nothing to reset: the group has no offsets in that scope.')
          : table(['Topic', '#Partition', '#Current offset', '#New offset'], res.plan.map((r) => [
            r.topic, String(r.partition), r.current === null ? '–' : fmt.num(r.current), fmt.num(r.target)])));
        if (execute) {
          previewed = null;
          showNotice(box, form, `Offsets of ${group} reset; the new offsets are committed.`);
          await onReset();
        } else {
          previewed = body;
          showNotice(box, form, 'Dry run: nothing is committed yet. Check the plan, then execute it.');
        }
      } catch (e) {
        previewed = null;
        replace(plan);
        showError(box, form, e);
      }
    });
    form.querySelector('#reset-execute').disabled = previewed === null;
  }

  form.addEventListener('submit', (ev) => { ev.preventDefault(); run(false); });
  form.addEventListener('input', () => {
    previewed = null;
    form.querySelector('#reset-execute').disabled = true;
    clearMessage(box, form);
    replace(plan);
  });
  return h('div', null, form, box, plan);
}
