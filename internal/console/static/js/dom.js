// Small DOM helpers: h() builds elements, so pages never assemble HTML
// strings and every value shown is inserted as text.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

// table builds a table from column headers and rows of cells; a header
// starting with '#' is right-aligned (numbers).
export function table(headers, rows, attrs) {
  const cls = (hd) => (hd.startsWith('#') ? 'num' : null);
  return h('table', attrs,
    h('thead', null, h('tr', null, headers.map((hd) => h('th', { class: cls(hd) }, hd.replace(/^#/, ''))))),
    h('tbody', null, rows.map((r) => h('tr', null, r.map((cell, i) => h('td', { class: cls(headers[i] || '') }, cell))))));
}

export function pill(text, kind) {
  return h('span', { class: 'pill' + (kind ? ' ' + kind : '') }, text);
}

export function card(title, ...children) {
  return h('section', { class: 'card' }, title ? h('h2', null, title) : null, children);
}

export function stat(label, value) {
  return h('div', { class: 'stat' }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value));
}
