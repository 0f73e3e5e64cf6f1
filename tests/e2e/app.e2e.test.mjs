// The whole app in real Chromium, against the stack of tests/e2e/stack.mjs: natively (PostgreSQL
// started by frontend-e2e.sh, the backend and the built standalone frontend) or the running
// Compose stack of `make up` (E2E_BASE_URL).
// sign up -> add a task -> toggle it -> chat "Add a task to buy milk" -> list shows it ->
// reload keeps everything -> a second user sees none of it -> backend stopped: unreachable
// state -> backend back: the page recovers without a reload. Screenshots in build/e2e/.
// axe-core checks every state the steps reach (a11y.mjs): any violation fails the step.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { axeCheck, axeSummary } from './a11y.mjs';
import { ROOT, steps } from './lib.mjs';
import { startApp } from './stack.mjs';

const OUT = resolve(ROOT, process.env.E2E_OUT ?? 'build/e2e');
mkdirSync(OUT, { recursive: true });

const WAIT = 20_000;
let app;
let browser;
let page;
const stamp = Date.now();
const userA = { name: 'Ada', email: `ada-${stamp}@example.com`, password: 'correct horse 1' };
const userB = { name: 'Bob', email: `bob-${stamp}@example.com`, password: 'battery staple 2' };

async function shot(name) {
  await page.screenshot({ path: join(OUT, `${name}.png`) });
}

const url = (path) => app.url(path);

async function signUp(user, { check = false } = {}) {
  await page.goto(url('/signup'));
  if (check) await axe('sign-up');
  await page.getByLabel('Name (optional)').fill(user.name);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(url('/tasks'), { timeout: WAIT });
}

async function signIn(user) {
  await page.goto(url('/signin'));
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(url('/tasks'), { timeout: WAIT });
}

async function signOut() {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(url('/signin'), { timeout: WAIT });
}

const taskList = () => page.getByRole('list', { name: 'Tasks' });

/** Reloads the page and sums its layout shifts (the CLS of that load; 0: nothing moved). */
async function reloadedLayoutShift() {
  await page.reload({ waitUntil: 'networkidle' });
  return page.evaluate(
    () =>
      new Promise((resolve) => {
        let sum = 0;
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) if (!e.hadRecentInput) sum += e.value;
        }).observe({ type: 'layout-shift', buffered: true });
        setTimeout(() => resolve(sum), 500); // let the buffered entries arrive
      }),
  );
}

/** How many px the placeholder of a textarea needs beyond its height (0 or less: it fits). */
function placeholderOverflow(box) {
  const style = getComputedStyle(box);
  const probe = document.createElement('div');
  for (const p of ['font', 'letterSpacing', 'lineHeight', 'padding', 'border', 'boxSizing', 'whiteSpace', 'overflowWrap']) {
    probe.style[p] = style[p];
  }
  probe.style.width = `${box.getBoundingClientRect().width}px`;
  probe.style.position = 'absolute';
  probe.style.visibility = 'hidden';
  probe.textContent = box.placeholder;
  document.body.append(probe);
  const over = probe.getBoundingClientRect().height - box.getBoundingClientRect().height;
  probe.remove();
  return over;
}

before(async () => {
  app = await startApp({ out: OUT, timeoutMs: WAIT });
  ({ browser, page } = app);
});

after(async () => {
  await browser?.close();
  await app?.stop();
  console.log(axeSummary());
});

const axe = (state) => axeCheck(page, state);

test('a user manages tasks by hand and by chat, in real Chromium', async (t0) => {
  // Each step is a subtest; a failing step leaves build/e2e/fail-<n>.png behind.
  const t = steps(t0, page, OUT, 'fail-');
  await t.test('the root redirects to sign-in', async () => {
    await page.goto(url('/'));
    await page.waitForURL(url('/signin'));
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await axe('sign-in');
    await shot('01-signin');
  });

  await t.test('sign up lands on an empty task list', async () => {
    await signUp(userA, { check: true });
    await page.getByText('No tasks yet').waitFor();
    await page.getByText('Ask me to manage your tasks').waitFor();
    await axe('empty task list');
    await shot('02-empty');
  });

  await t.test('the token is in an httpOnly cookie, not readable by page scripts', async () => {
    const cookies = await browser.context.cookies(url('/'));
    const token = cookies.find((c) => c.name === 'todo_token');
    assert.ok(token, 'session cookie set');
    assert.equal(token.httpOnly, true);
    assert.equal(await page.evaluate(() => document.cookie.includes('todo_token')), false);
    assert.equal(await page.evaluate(() => JSON.stringify(window.localStorage)), '{}');
  });

  await t.test('add a task in the UI', async () => {
    await page.getByLabel('New task title').fill('Write the report');
    await page.getByLabel('Description (optional)').fill('due Friday');
    await page.getByLabel('New task title').press('Enter');
    // enabled once the backend has confirmed it (a saving task's buttons are disabled)
    await page.getByRole('button', { name: 'Delete “Write the report”' }).and(page.locator(':enabled')).waitFor();
    await axe('one task');
  });

  await t.test('toggle it complete', async () => {
    const box = page.getByRole('checkbox', { name: 'Write the report' });
    await box.click();
    await page.getByRole('status').getByText('Marked “Write the report” as completed.').waitFor();
    assert.equal(await box.isChecked(), true);
    await axe('task completed');
  });

  await t.test('ask the chat to add a task; the list shows it', async () => {
    await page.getByLabel('Message to the assistant').fill('Add a task to buy milk');
    await page.getByLabel('Message to the assistant').press('Enter');
    await page.getByRole('list', { name: 'Actions taken' }).getByText(/added task \d+: buy milk/i).waitFor();
    await taskList().getByText(/^buy milk$/i).waitFor();
    await axe('chat reply');
    await shot('03-tasks-and-chat');
  });

  await t.test('an ambiguous request gets a question in the conversation, and nothing changes', async () => {
    await page.getByLabel('New task title').fill('Print the report');
    await page.getByLabel('New task title').press('Enter');
    await page.getByRole('button', { name: 'Delete “Print the report”' }).and(page.locator(':enabled')).waitFor();
    const log = page.getByRole('log', { name: 'Conversation' });
    await page.getByLabel('Message to the assistant').fill('delete the report');
    await page.getByLabel('Message to the assistant').press('Enter');
    // the reply asks which task, naming both, and takes no action
    const question = log.getByText(/Write the report/).and(log.getByText(/Print the report/)).last();
    await question.waitFor();
    assert.match(await question.innerText(), /\?/);
    await taskList().getByText('Write the report').waitFor();
    await taskList().getByText('Print the report').waitFor();
    await axe('chat question');
  });

  await t.test('the server renders the task list and the conversation into the page', async () => {
    const res = await page.request.get(url('/tasks')); // with the browser's session cookie
    assert.equal(res.status(), 200);
    const html = await res.text();
    for (const text of ['Write the report', 'buy milk', 'Add a task to buy milk']) {
      assert.ok(html.includes(text), `the HTML of /tasks contains “${text}”`);
    }
    assert.ok(!html.includes('Loading tasks') && !html.includes('Loading conversation'), 'no loading placeholder in the HTML');
    assert.ok(!html.includes('todo_token') && !html.includes('access_token'), 'the token is not in the page');
  });

  await t.test('a reload keeps the tasks, their state and the conversation, and nothing shifts', async () => {
    assert.equal(await reloadedLayoutShift(), 0, 'cumulative layout shift of the reload');
    await taskList().getByText(/^buy milk$/i).waitFor();
    await taskList().getByText('Write the report').waitFor();
    assert.equal(await page.getByRole('checkbox', { name: 'Write the report' }).isChecked(), true);
    await page.getByRole('log', { name: 'Conversation' }).getByText('Add a task to buy milk').waitFor();
    await axe('reloaded');
  });

  await t.test('the page works 375 px wide', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    assert.equal(await reloadedLayoutShift(), 0, 'cumulative layout shift of a reload at 375 px');
    await taskList().getByText(/^buy milk$/i).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling at 375 px (overflow ${overflow}px)`);
    await page.getByLabel('Message to the assistant').fill('');
    const cut = await page.getByLabel('Message to the assistant').evaluate(placeholderOverflow);
    assert.ok(cut <= 0, `the chat box's placeholder is cut off at 375 px (${cut}px too tall)`);
    await axe('375 px wide');
    await shot('04-mobile');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await t.test('a second user sees none of it', async () => {
    await signOut();
    await signUp(userB);
    await page.getByText('No tasks yet').waitFor();
    await page.getByText('Ask me to manage your tasks').waitFor();
    assert.equal(await taskList().count(), 0, 'no task list at all');
    assert.equal(await page.getByText(/Write the report/).count(), 0);
    assert.equal(await page.getByLabel('Past conversations').locator('option').count(), 1); // "New conversation" only
    await axe('second user');
    await signOut();
    await signIn(userA);
    await taskList().getByText(/^buy milk$/i).waitFor();
  });

  await t.test('backend stopped: the UI says the server is not reachable and keeps retrying', async () => {
    await app.stopBackend();
    await page.getByRole('button', { name: 'Pending' }).click();
    const banner = page.getByTestId('connection-banner');
    await banner.waitFor();
    assert.match(await banner.innerText(), /not reachable, retrying/);
    await axe('backend unreachable');
    await shot('05-backend-down');
  });

  await t.test('backend stopped: a reload still renders the page, which loads in the browser and says why', async () => {
    const res = await page.reload();
    assert.equal(res.status(), 200);
    await page.getByLabel('Loading tasks').waitFor();
    assert.match(await page.getByTestId('connection-banner').innerText(), /not reachable, retrying/);
    await axe('backend unreachable after a reload');
    await page.getByRole('button', { name: 'Pending' }).click(); // the filter the steps below start from
  });

  await t.test('backend back: the UI recovers without a reload', async () => {
    let reloaded = false;
    page.once('load', () => {
      reloaded = true;
    });
    await app.startBackend();
    await page.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 30_000 });
    await taskList().getByText(/^buy milk$/i).waitFor();
    assert.equal(reloaded, false, 'the page was not reloaded');
    await page.getByLabel('Message to the assistant').fill('What is pending?');
    await page.getByLabel('Message to the assistant').press('Enter');
    await page.getByRole('list', { name: 'Actions taken' }).getByText(/listed/).last().waitFor();
    await axe('recovered');
    await shot('06-recovered');
  });

  await t.test('database stopped: the backend answers 503 and the UI says the service is unavailable', async () => {
    app.stopDatabase();
    await page.getByRole('button', { name: 'All' }).click();
    const banner = page.getByTestId('connection-banner');
    await banner.waitFor();
    assert.match(await banner.innerText(), /temporarily unavailable, retrying/);
    await axe('database down');
    await shot('07-database-down');
  });

  await t.test('database back: the UI recovers by itself', async () => {
    app.startDatabase();
    await page.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 60_000 });
    await taskList().getByText('Write the report').waitFor();
  });

  await t.test('an expired session goes back to sign-in', async () => {
    const [token] = (await browser.context.cookies(url('/'))).filter((c) => c.name === 'todo_token');
    await browser.context.addCookies([{ ...token, value: 'expired.or.forged' }]);
    await page.getByRole('button', { name: 'Completed' }).click();
    await page.waitForURL(url('/signin?expired=1'));
    await page.getByText('Your session has expired').waitFor();
    await axe('session expired');
    await shot('08-session-expired');
  });
});
