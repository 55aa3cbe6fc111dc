import { h, replace } from './dom.js';

// Form feedback: a message box per form, and the field the server named
// marked invalid with the message next to it.

export function messageBox() {
  return h('div', { class: 'form-message', role: 'status' });
}

export function showError(box, form, err) {
  clearMarks(form);
  replace(box, h('div', { class: 'error', role: 'alert' }, err.message));
  if (form && err.field) {
    const input = form.querySelector(`[name="${CSS.escape(err.field)}"]`);
    if (input) {
      input.classList.add('invalid');
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  }
}

export function showNotice(box, form, ...content) {
  clearMarks(form);
  replace(box, h('div', { class: 'notice' }, content));
}

export function clearMessage(box, form) {
  clearMarks(form);
  replace(box);
}

function clearMarks(form) {
  if (!form) return;
  for (const el of form.querySelectorAll('.invalid')) {
    el.classList.remove('invalid');
    el.removeAttribute('aria-invalid');
  }
}

// submitting disables a form's buttons while a request runs.
export async function submitting(form, fn) {
  const buttons = form ? [...form.querySelectorAll('button')] : [];
  buttons.forEach((b) => { b.disabled = true; });
  try { return await fn(); } finally { buttons.forEach((b) => { b.disabled = false; }); }
}
