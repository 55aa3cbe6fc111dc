// Formatting of numbers, sizes, rates and times for display.

// small keeps two digits of small fractions (chart ticks of 0.25) and drops
// decimals from whole numbers.
function small(n) {
  if (Number.isInteger(n)) return String(n);
  return n < 1 ? n.toFixed(2) : n < 10 ? n.toFixed(1) : String(Math.round(n));
}

export function num(n) {
  if (n === null || n === undefined || n < 0) return '–';
  return Number(n).toLocaleString('en-US');
}

export function bytes(n) {
  if (n === null || n === undefined || n < 0) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? small(n) : n.toFixed(n < 10 ? 1 : 0)) + ' ' + units[i];
}

export function rate(n, unit) {
  if (n === null || n === undefined) return '–';
  if (unit === 'B/s') return bytes(n) + '/s';
  return (n < 10 ? small(n) : Math.round(n).toLocaleString('en-US')) + (unit ? ' ' + unit : '');
}

export function duration(ms) {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return ms + ' ms';
  let s = Math.round(ms / 1000);
  const parts = [];
  for (const [u, n] of [['d', 86400], ['h', 3600], ['m', 60]]) {
    if (s >= n) { parts.push(Math.floor(s / n) + u); s %= n; }
  }
  if (s || parts.length === 0) parts.push(s + 's');
  return parts.slice(0, 2).join(' ');
}

// retention renders retention.ms: -1 is unlimited.
export function retention(ms) {
  if (ms === '' || ms === undefined) return '–';
  if (Number(ms) < 0) return 'unlimited';
  return duration(Number(ms));
}

export function retentionBytes(b) {
  if (b === '' || b === undefined) return '–';
  if (Number(b) < 0) return 'unlimited';
  return bytes(Number(b));
}

export function time(ms) {
  if (ms === null || ms === undefined || ms < 0) return '–';
  const d = new Date(ms);
  const pad = (x, n = 2) => String(x).padStart(n, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function ids(list) {
  return list && list.length ? list.join(', ') : '–';
}
