import { h, replace } from './dom.js';
import { api } from './api.js';
import * as overview from './pages/overview.js';
import * as topics from './pages/topics.js';
import * as topic from './pages/topic.js';
import * as messages from './pages/messages.js';
import * as groups from './pages/groups.js';
import * as group from './pages/group.js';

// The router: the location hash names the page (#/topics/orders/messages?
// partition=0), so every view can be bookmarked and reloaded.

const routes = [
  [/^\/?$/, overview, 'overview'],
  [/^\/topics$/, topics, 'topics'],
  [/^\/topics\/([^/]+)$/, topic, 'topics'],
  [/^\/topics\/([^/]+)\/messages$/, messages, 'topics'],
  [/^\/groups$/, groups, 'groups'],
  [/^\/groups\/([^/]+)$/, group, 'groups'],
];

const main = document.getElementById('main');
let cleanups = [];
let generation = 0;

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, qs] = raw.split('?', 2);
  return { path, query: new URLSearchParams(qs || '') };
}

async function route() {
  cleanups.forEach((fn) => fn());
  cleanups = [];
  const gen = ++generation;
  const { path, query } = parseHash();
  for (const [re, page, nav] of routes) {
    const m = path.match(re);
    if (!m) continue;
    document.querySelectorAll('[data-nav]').forEach((a) => a.classList.toggle('active', a.dataset.nav === nav));
    const ctx = {
      main,
      params: m.slice(1).map(decodeURIComponent),
      query,
      current: () => gen === generation,
      every(ms, fn) {
        const id = setInterval(() => { if (gen === generation) fn(); }, ms);
        cleanups.push(() => clearInterval(id));
      },
    };
    replace(main, h('div', { class: 'muted' }, 'Loading…'));
    try {
      await page.render(ctx);
    } catch (e) {
      if (gen === generation) replace(main, h('h1', null, 'Something went wrong'), h('div', { class: 'error', role: 'alert' }, e.message));
    }
    return;
  }
  replace(main, h('h1', null, 'Not found'), h('p', null, 'No page at ', h('span', { class: 'mono' }, path), '. ', h('a', { href: '#/' }, 'Back to the overview')));
}

async function updateHealth() {
  const el = document.getElementById('health');
  try {
    const c = await api('/cluster');
    el.className = 'health ' + c.health.status;
    el.textContent = c.health.status;
    el.title = c.health.problems.join('\n') || 'all checks pass';
  } catch (e) {
    el.className = 'health unavailable';
    el.textContent = 'unreachable';
    el.title = e.message;
  }
}

window.addEventListener('hashchange', route);
route();
updateHealth();
setInterval(updateHealth, 10000);
