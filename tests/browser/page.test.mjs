// The integration page in a real headless Chromium, on the local stack after the dev scenario
// (tests/browser/run.sh starts it). What an administrator does and sees: signing in by pasting
// the admin token into the local sign-in form (never in a URL), both contracts with their
// statuses, the onboarding checklist, a stale seat flagged, a seat linked to a user found by
// name with the keyboard, its back-fill progress reaching done, the seat unlinked after a
// confirmation, a contract connected and disconnected, candidate links that open, and no error
// in the console.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const API = process.env.API_URL;
const TOKEN = process.env.ADMIN_TOKEN;
const TENANT = 'acme';
const ARTIFACTS = process.env.ARTIFACT_DIR || 'target/browser';
const PAGE = `/tenants/${TENANT}/integration`;

let browser;
let context;
let page;
const consoleErrors = [];

// The admin API as a plain client sees it, to check what the page's actions did.
async function api(path) {
  const resp = await fetch(`${API}/tenants/${TENANT}${path}`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(resp.status, 200, `GET ${path}`);
  return resp.json();
}

async function seatJson(seatId) {
  const { items } = await api('/seats');
  return items.find((s) => s.seatId === seatId);
}

before(async () => {
  assert.ok(API && TOKEN, 'API_URL and ADMIN_TOKEN must be set (tests/browser/run.sh sets them)');
  // Playwright starts the browser with a fresh, empty profile of its own. Without the
  // background-networking flags Chromium keeps trying hosts this closed network refuses.
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('response', (r) => { if (r.status() >= 400) consoleErrors.push(`${r.status()} ${r.url()}`); });
});

after(async () => {
  await browser?.close();
});

test('the page refuses a browser without the admin credentials', async () => {
  const resp = await context.request.get(`${API}${PAGE}`);
  assert.equal(resp.status(), 401);
});

test('a token in the login URL does not sign the browser in', async () => {
  const resp = await context.request.get(
    `${API}/_local/login?token=${encodeURIComponent(TOKEN)}&next=${PAGE}`, { maxRedirects: 0 });
  assert.equal(resp.status(), 200, 'the sign-in form, not a redirect');
  assert.equal(resp.headers()['set-cookie'], undefined);
  assert.equal((await context.request.get(`${API}${PAGE}`)).status(), 401);
});

test('signed in through the form, it shows both contracts with the right statuses', async () => {
  await page.goto(`${API}/_local/login?next=${PAGE}`);
  await page.fill('#token', TOKEN);
  await Promise.all([
    page.waitForURL(`${API}${PAGE}`),
    page.click('button[type=submit]'),
  ]);
  assert.equal(new URL(page.url()).pathname, PAGE);
  const cookies = await context.cookies(API);
  const session = cookies.find((c) => c.name === 'rsc_session');
  assert.ok(session, 'a session cookie');
  assert.ok(session.httpOnly && session.sameSite === 'Strict');
  assert.ok(!cookies.some((c) => c.value.includes(TOKEN)), 'no cookie holds the admin token');
  assert.equal(await page.locator('h1').textContent(), 'LinkedIn Recruiter integration');
  assert.equal(await page.getAttribute('#contract-501', 'data-status'), 'Active');
  assert.equal(await page.getAttribute('#contract-502', 'data-status'), 'Expired');
  assert.match(await page.locator('#contract-502').textContent(), /2026-\d\d-\d\d|20\d\d-/);
  // The transition history opens.
  await page.locator('#contract-502 summary').click();
  assert.match(await page.locator('#contract-502 .history').textContent(), /Expired by its expiry date/);
});

test('the onboarding checklist shows every step with its state in words, as the API has it', async () => {
  assert.equal(await page.locator('#h-onboarding').textContent(), 'Onboarding with LinkedIn');
  const rows = page.locator('#onboarding-steps tbody tr');
  assert.deepEqual(await rows.locator('th').allTextContents(), [
    'LinkedIn application', 'Integration names', 'Callback URL', 'Job and application viewers',
    'Enabled in Recruiter',
  ]);
  const shown = [];
  for (const row of await rows.all()) {
    const state = await row.getAttribute('data-state');
    // The state is written out, not only coloured.
    assert.equal(await row.locator('.badge').textContent(), state);
    shown.push(state);
  }
  // The dev scenario onboarded acme through the partner flow; only the customer's enabling in
  // Recruiter may still be outstanding.
  assert.deepEqual(shown.slice(0, 4), ['done', 'done', 'done', 'done'], JSON.stringify(shown));
  assert.ok(['done', 'waiting'].includes(shown[4]), JSON.stringify(shown));
  const checklist = await api('/linkedin/onboarding');
  assert.deepEqual(shown, checklist.steps.map((s) => s.state));
  assert.equal(await page.getAttribute('#onboarding', 'data-complete'), String(checklist.complete));
});

test('health flags the stale seat with a reason and what to do', async () => {
  assert.equal(await page.locator('#fig-stale dd').textContent(), '1');
  assert.ok(await page.locator('#seat-501-9003[data-stale]').count(), 'seat 9003 is marked stale');
  assert.equal(await page.locator('#seat-501-9001[data-stale]').count(), 0);
  const problems = await page.locator('#problems').textContent();
  assert.match(problems, /Nia Okafor \(seat 9003\) is stale/);
  assert.match(problems, /Check the dead letters/);
  assert.match(problems, /could not be processed/);
  assert.match(problems, /Contract 502 is expired/);
});

test('a seat is linked to a user found by name, with the keyboard, and its back-fill reaches done', async () => {
  assert.equal((await seatJson('9002')).linked, false);
  const row = page.locator('#seat-501-9002');
  assert.equal(await row.getAttribute('data-linked'), 'false');
  await row.locator('button[data-action=link]').focus();
  await page.keyboard.press('Enter');
  const dialog = page.locator('#link-dialog');
  await dialog.waitFor({ state: 'visible' });
  assert.match(await page.locator('#link-effect').textContent(), /back-fill/);
  await page.keyboard.type('sourc'); // focus starts in the search box
  assert.deepEqual(await page.locator('#user-choice option').allTextContents(),
    ['Sam Sourcer <sam@acme.example>']);
  await page.keyboard.press('ArrowDown'); // into the list
  await page.keyboard.press('Tab'); // Cancel
  await page.keyboard.press('Tab'); // Link seat
  await page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'hidden' });

  // The page follows the back-fill on its own until it is done.
  const seen = [];
  const deadline = Date.now() + 180_000;
  for (;;) {
    const state = await page.locator('#seat-501-9002 .bf-state').getAttribute('data-state', { timeout: 30_000 });
    const value = Number(await page.locator('#seat-501-9002 progress').getAttribute('value'));
    if (!seen.length || seen[seen.length - 1].state !== state || seen[seen.length - 1].value !== value) {
      seen.push({ state, value });
    }
    if (state === 'done') break;
    assert.ok(Date.now() < deadline, `back-fill not done in time: ${JSON.stringify(seen)}`);
    await page.waitForTimeout(250);
  }
  console.log('back-fill progress seen on the page:', JSON.stringify(seen));
  assert.equal(seen.at(-1).value, 100);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i].value >= seen[i - 1].value, 'progress never goes back');
  assert.equal(await page.getAttribute('#seat-501-9002', 'data-linked'), 'true');
  assert.match(await page.locator('#seat-501-9002').textContent(), /Sam Sourcer.*sam@acme\.example/s);
  assert.match(await page.locator('#status').textContent(), /linked; its back-fill has started/);
  // What the API holds is what the page said.
  const seat = await seatJson('9002');
  assert.equal(seat.userId, 'u-sam');
  assert.equal(seat.backfill.state, 'done');
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'integration-page.png'), fullPage: true });
});

test('unlinking asks first, says what happens, and changes nothing when cancelled', async () => {
  const unlink = page.locator('#seat-501-9002 button[data-action=unlink]');
  await unlink.click();
  const dialog = page.locator('#confirm-dialog');
  await dialog.waitFor({ state: 'visible' });
  const text = await page.locator('#confirm-text').textContent();
  assert.match(text, /Imports for this seat stop/);
  assert.match(text, /Everything already imported stays/);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.equal((await seatJson('9002')).linked, true, 'cancel keeps the link');

  await unlink.click();
  await dialog.waitFor({ state: 'visible' });
  await page.locator('#confirm-ok').click();
  await page.waitForSelector('#seat-501-9002[data-linked=false]');
  assert.match(await page.locator('#seat-501-9002').textContent(), /not linked/);
  const seat = await seatJson('9002');
  assert.equal(seat.linked, false);
  // Its back-filled history stays.
  assert.equal(seat.backfill.state, 'done');
});

test('a contract is connected, disconnected after a confirmation, and connected again', async () => {
  await page.fill('#connect-contract', '503');
  await page.fill('#connect-expires', '2031-06-30');
  await page.click('#connect-form button[type=submit]');
  await page.waitForSelector('#contract-503[data-status=Active]');
  assert.match(await page.locator('#contract-503').textContent(), /2031-06-30/);

  await page.click('#contract-503 button[data-action=disconnect]');
  await page.locator('#confirm-dialog').waitFor({ state: 'visible' });
  assert.match(await page.locator('#confirm-text').textContent(), /Everything already imported stays/);
  await page.locator('#confirm-ok').click();
  await page.waitForSelector('#contract-503[data-status=Disabled]');
  const { items } = await api('/contracts');
  assert.equal(items.find((c) => c.contractId === '503').status, 'Disabled');

  await page.click('#contract-503 button[data-action=reconnect]');
  await page.waitForSelector('#contract-503[data-status=Active]');
  assert.match(await page.locator('#contract-503').textContent(), /2031-06-30/);
});

test('recent imports link to their candidates', async () => {
  const exports = await page.locator('#recent-exports li').allTextContents();
  assert.ok(exports.some((e) => /Ada Lovelace to job job-eng/.test(e)), JSON.stringify(exports));
  const activity = await page.locator('#recent-activity').textContent();
  assert.match(activity, /Note “Strong on compilers; follow up in Q3” about Grace Hopper/);
  const link = page.locator('#recent-activity a', { hasText: 'Grace Hopper' }).first();
  const href = await link.getAttribute('href');
  const resp = await page.request.get(new URL(href, page.url()).toString());
  assert.equal(resp.status(), 200);
  assert.equal((await resp.json()).firstName, 'Grace');
});

test('nothing was logged as an error in the console', () => {
  assert.deepEqual(consoleErrors, []);
});
