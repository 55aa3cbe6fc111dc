// Drives the web console in headless Chromium with real clicks, as a user
// would: create a topic, see a bad form input refused, produce a message and
// browse it, reset a group's offsets (dry run first). Run by
// console_test.go, which starts the server and seeds a topic and a group.
//
// Environment: CONSOLE_URL (the HTTP listener), CHROMIUM (the browser
// binary), SCREENSHOT_DIR (write docs screenshots there when set).
import { chromium } from 'playwright-core';
import { strict as assert } from 'node:assert';
import path from 'node:path';

const base = process.env.CONSOLE_URL;
const shots = process.env.SCREENSHOT_DIR || '';
const WAIT = 15000; // bound of every wait for something to appear

function step(msg) { console.log('step: ' + msg); }

async function see(locator, what) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: WAIT });
  } catch (e) {
    throw new Error(`expected to see ${what} within ${WAIT} ms`);
  }
  return locator.first();
}

// waitUntil polls a condition evaluated in the page, bounded.
async function waitUntil(page, what, fn, arg) {
  try {
    await page.waitForFunction(fn, arg, { timeout: WAIT, polling: 100 });
  } catch (e) {
    throw new Error(`expected ${what} within ${WAIT} ms`);
  }
}

async function shot(page, name) {
  if (!shots) return;
  await page.screenshot({ path: path.join(shots, name + '.png'), fullPage: true });
  step(`screenshot ${name}.png`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const offsite = [];
const pageErrors = [];
try {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // The console works offline: anything not from the console's own origin
  // (a CDN, fonts) is refused and fails the run.
  const origin = new URL(base).origin;
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
    offsite.push(url);
    return route.abort();
  });

  step('overview');
  await page.goto(base + '/');
  await see(page.getByRole('heading', { name: 'Cluster overview' }), 'the overview heading');
  await see(page.locator('.card', { hasText: 'Brokers' }).locator('td', { hasText: 'active' }), 'an active broker');
  await see(page.locator('#health.healthy'), 'the health indicator saying healthy');
  await see(page.locator('.card', { hasText: 'Controller quorum' }).locator('dd', { hasText: 'node 1' }), 'the active controller');

  step('create a topic with the form');
  await page.getByRole('link', { name: 'Topics' }).click();
  const create = page.locator('#create-topic');
  await see(create, 'the create topic form');
  await create.locator('input[name=name]').fill('clicks');
  await create.locator('input[name=partitions]').fill('2');
  await create.locator('textarea[name=configs]').fill('retention.ms=86400000');
  await create.getByRole('button', { name: 'Create topic' }).click();
  await see(page.locator('.notice', { hasText: 'Created topic clicks with 2 partitions' }), 'the created notice');
  const row = page.locator('#topics-table tbody tr', { has: page.getByRole('link', { name: 'clicks', exact: true }) });
  await see(row, 'clicks listed');
  assert.equal(await row.locator('td').nth(1).textContent(), '2', 'clicks has 2 partitions in the list');
  assert.equal(await row.locator('td').nth(5).textContent(), '1d / unlimited', 'clicks shows its retention');

  step('a bad topic name is refused with Kafka\'s message');
  await create.locator('input[name=name]').fill('bad name!');
  await create.getByRole('button', { name: 'Create topic' }).click();
  const err = await see(page.locator('.error', { hasText: 'INVALID_TOPIC_EXCEPTION' }), 'the invalid topic error');
  assert.match(await err.textContent(), /bad name!/, 'the error names the bad topic');
  assert.ok(await create.locator('input[name=name].invalid').count() === 1, 'the name field is marked invalid');
  await shot(page, 'topics');

  step('open the topic page');
  await row.getByRole('link', { name: 'clicks' }).click();
  await see(page.getByRole('heading', { name: 'clicks' }), 'the topic page');
  assert.equal(await page.locator('#partitions-table tbody tr').count(), 2, 'two partitions listed');

  step('edit a topic config: a bad value is refused, a good one shown as an override');
  const alter = page.locator('#alter-config');
  await alter.locator('input[name=name]').fill('retention.ms');
  await alter.locator('input[name=value]').fill('soon');
  await alter.getByRole('button', { name: 'Set config' }).click();
  await see(page.locator('.error', { hasText: 'INVALID_CONFIG' }), 'the invalid config error');
  await alter.locator('input[name=value]').fill('3600000');
  await alter.getByRole('button', { name: 'Set config' }).click();
  await see(page.locator('.notice', { hasText: 'Set retention.ms.' }), 'the config set notice');
  const retention = page.locator('#configs-table tbody tr', { has: page.getByText('retention.ms', { exact: true }) });
  await waitUntil(page, 'retention.ms shown as 3600000',
    () => [...document.querySelectorAll('#configs-table tbody tr')].some((r) => r.children[0].textContent === 'retention.ms' && r.children[1].textContent === '3600000'));
  await see(retention.locator('.pill', { hasText: 'topic override' }), 'retention.ms marked as a topic override');
  step('produce a message with the form and browse it');
  await page.getByRole('link', { name: 'Browse messages' }).click();
  const produce = page.locator('#produce');
  await see(produce, 'the produce form');
  await produce.locator('select[name=partition]').selectOption('1');
  await produce.locator('input[name=key]').fill('user-1');
  await produce.locator('textarea[name=value]').fill('{"page":"/home","ms":42}');
  await produce.locator('input[name=headerKey]').fill('source');
  await produce.locator('input[name=headerValue]').fill('browser-test');
  await produce.getByRole('button', { name: 'Produce' }).click();
  await see(page.locator('.notice', { hasText: 'Produced to partition 1 at offset 0' }), 'the produced notice');
  await page.locator('#show-produced').click();
  const record = page.locator('#records-table tbody tr').first();
  await see(record.locator('.payload-json pre'), 'the produced value as JSON');
  assert.equal(await record.locator('td').first().textContent(), '0');
  assert.equal(await record.locator('.payload-json pre').textContent(), '{\n  "page": "/home",\n  "ms": 42\n}', 'JSON is pretty-printed');
  assert.equal(await record.locator('td').nth(2).locator('pre').textContent(), 'user-1');
  assert.match(await record.locator('td').nth(4).textContent(), /source: .*browser-test/);

  step('browse the seeded topic');
  await page.goto(base + '/#/topics/orders/messages?partition=0&limit=10');
  await see(page.locator('#records-table tbody tr'), 'records of orders');
  assert.equal(await page.locator('#records-table tbody tr').count(), 10);
  await see(page.locator('#records-table .payload-hex'), 'a binary value shown as hex');
  await page.getByRole('button', { name: 'Next →' }).click();
  await see(page.locator('#records-table tbody tr td', { hasText: /^10$/ }), 'the next page, from offset 10');
  await page.goto(base + '/#/topics/orders/messages?partition=0&limit=10');
  await see(page.locator('#records-table tbody tr'), 'records of orders');
  await shot(page, 'messages');

  step('reset a group\'s offsets: dry run, then execute');
  await page.getByRole('link', { name: 'Consumer groups' }).click();
  await page.locator('#groups-table').getByRole('link', { name: 'billing-service' }).click();
  await see(page.getByRole('heading', { name: 'billing-service' }), 'the group page');
  const offsets = page.locator('#offsets-table tbody tr');
  await see(offsets, 'the group offsets');
  const committedBefore = await offsets.evaluateAll((rows) => rows.map((r) => r.children[2].textContent));
  assert.ok(committedBefore.some((c) => c !== '0'), 'the seeded group has offsets past 0');
  await shot(page, 'group');

  const reset = page.locator('#reset');
  await reset.locator('select[name=strategy]').selectOption('offset');
  await reset.locator('input[name=offset]').fill('abc');
  await reset.getByRole('button', { name: 'Preview (dry run)' }).click();
  await see(page.locator('.error', { hasText: 'offset: want a whole number, got "abc"' }), 'the bad offset error');

  await reset.locator('select[name=strategy]').selectOption('earliest');
  await reset.getByRole('button', { name: 'Preview (dry run)' }).click();
  await see(page.locator('.notice', { hasText: 'Dry run' }), 'the dry run notice');
  const plan = page.locator('#reset-plan tbody tr');
  await see(plan, 'the reset plan');
  const planned = await plan.evaluateAll((rows) => rows.map((r) => [r.children[2].textContent, r.children[3].textContent]));
  assert.deepEqual(planned.map((p) => p[1]), planned.map(() => '0'), 'every partition goes back to offset 0');
  assert.deepEqual(planned.map((p) => p[0]), committedBefore, 'the plan starts from the committed offsets');
  const unchanged = await offsets.evaluateAll((rows) => rows.map((r) => r.children[2].textContent));
  assert.deepEqual(unchanged, committedBefore, 'a dry run changes nothing');
  await reset.getByRole('button', { name: 'Execute reset' }).click();
  await see(page.locator('.notice', { hasText: 'the new offsets are committed' }), 'the executed notice');
  await waitUntil(page, 'the offsets table to show the reset offsets',
    () => [...document.querySelectorAll('#offsets-table tbody tr')].every((r) => r.children[2].textContent === '0'));

  step('overview with charts');
  await page.getByRole('link', { name: 'Overview' }).click();
  await see(page.getByRole('heading', { name: 'Cluster overview' }), 'the overview heading');
  await see(page.locator('.chart svg'), 'the throughput chart');
  await shot(page, 'overview');
} finally {
  await browser.close();
}
assert.deepEqual(offsite, [], 'the console loaded nothing from outside its own origin');
assert.deepEqual(pageErrors, [], 'no script errors');
console.log('console browser test: all steps passed');
