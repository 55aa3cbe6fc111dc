import { h, replace, table, card, pill } from '../dom.js';
import { api, enc } from '../api.js';
import * as fmt from '../format.js';

// Consumer groups: state, protocol, members and total lag.

export function statePill(state) {
  const kind = { Stable: 'ok', Empty: null, Dead: 'bad', PreparingRebalance: 'warn', CompletingRebalance: 'warn', Reconciling: 'warn', Assigning: 'warn' }[state];
  return pill(state, kind);
}

export async function render(ctx) {
  const list = h('div');
  async function load() {
    const { groups } = await api('/groups');
    if (!ctx.current()) return;
    replace(list, groups.length === 0
      ? h('p', { class: 'empty' }, 'No consumer groups yet.')
      : table(['Group', 'State', 'Protocol', 'Protocol type', '#Members', '#Topics', '#Lag'], groups.map((g) => [
        h('a', { href: `#/groups/${enc(g.id)}` }, g.id),
        statePill(g.state), g.type, g.protocolType || '–', String(g.members), String(g.topics), fmt.num(g.lag),
      ]), { id: 'groups-table' }));
  }
  await load();
  replace(ctx.main, h('h1', null, 'Consumer groups'), card(null, list));
  ctx.every(10000, () => load().catch(() => {}));
}
