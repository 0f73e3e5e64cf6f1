// A keyboard-only journey in real Chromium (no mouse): sign in, add, complete, complete a task the
// filter then hides, edit (Save and Escape), delete, chat, scroll the conversation. After each step
// it asserts where focus landed; at every Tab stop on the way, that the focused control is in view,
// not under the sticky header, and has a focus ring of at least 3:1 (a11y.mjs). Then every control
// of the page, forwards and backwards, at 1280 and 375 px wide. axe-core checks each state.
// Same stack as app.e2e.test.mjs (tests/e2e/stack.mjs): native, or the running Compose stack.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { axeCheck, axeSummary, checkFocusVisible, expectFocus, tabTo } from './a11y.mjs';
import { ROOT, steps } from './lib.mjs';
import { startApp } from './stack.mjs';

const OUT = resolve(ROOT, process.env.E2E_OUT ?? 'build/e2e');
mkdirSync(OUT, { recursive: true });

const WAIT = 20_000;
// Short enough that the task list scrolls under the sticky header.
const DESKTOP = { width: 1280, height: 600 };
const PHONE = { width: 375, height: 667 };
const SEEDED = [
  'Water the plants',
  'Pay the rent',
  'Call the bank',
  'Book the dentist',
  'Fix the bike',
  'Read the lease',
  'Return the books',
  'Buy a gift',
];
const person = { name: 'Kim', email: `kim-${Date.now()}@example.com`, password: 'keyboard only 3' };

let app;
let browser;
let page;

const shot = (name) => page.screenshot({ path: join(OUT, `${name}.png`) });
const url = (path) => app.url(path);
const axe = (state) => axeCheck(page, state);
const press = (key) => page.keyboard.press(key);
const checkbox = (title) => page.getByRole('checkbox', { name: title, exact: true });
const button = (name) => page.getByRole('button', { name, exact: true });
const status = () => page.getByRole('status').filter({ hasText: /\S/ });
/** The assistant's replies in the log (not the typing indicator). */
const assistantReplies = () => page.locator('.msg-assistant').filter({ hasNot: page.locator('.typing') });
const taskTitles = () => page.getByRole('list', { name: 'Tasks' }).locator('.task-title').allInnerTexts();

/** A user with a few tasks, made through the backend's own API (not part of the journey). */
async function seed() {
  const api = `${app.api}/api`;
  const reg = await fetch(`${api}/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(person),
  });
  const body = await reg.json();
  assert.ok(reg.ok, `register: HTTP ${reg.status} ${JSON.stringify(body)}`);
  const { access_token: token, user } = body;
  for (const title of SEEDED) {
    const res = await fetch(`${api}/${user.id}/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ title }),
    });
    assert.ok(res.ok, `add ${title}: HTTP ${res.status}`);
  }
}

before(async () => {
  app = await startApp({ out: OUT, logPrefix: 'keyboard-', viewport: DESKTOP, timeoutMs: WAIT });
  ({ browser, page } = app);
  await seed();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  console.log(axeSummary());
});

test('a keyboard-only user signs in, manages tasks and chats; focus is always visible and never lost', async (t0) => {
  const t = steps(t0, page, OUT, 'keyboard-fail-');

  await t.test('sign in with the keyboard', async () => {
    await page.goto(url('/signin'));
    await press('Tab');
    await expectFocus(page, page.getByLabel('Email'), 'the Email field');
    await page.keyboard.type(person.email);
    await press('Tab');
    await expectFocus(page, page.getByLabel('Password'), 'the Password field');
    await page.keyboard.type(person.password);
    await press('Enter');
    await page.waitForURL(url('/tasks'));
    await checkbox(SEEDED[0]).waitFor();
    await axe('keyboard: signed in');
  });

  await t.test('the first Tab reaches the skip link, shown above the header', async () => {
    await press('Tab');
    await expectFocus(page, page.getByRole('link', { name: 'Skip to the assistant' }), 'the skip link');
    await shot('keyboard-01-skip-link');
  });

  await t.test('add a task: Enter in the title field; focus stays there and the change is announced', async () => {
    await tabTo(page, page.getByLabel('New task title'), 'the New task title field');
    await page.keyboard.type('Plan the trip');
    await press('Enter');
    await status().getByText('Added “Plan the trip”.').waitFor();
    await expectFocus(page, page.getByLabel('New task title'), 'the New task title field');
    await axe('keyboard: task added');
  });

  await t.test('complete it with Space: its checkbox is named by the task and keeps focus', async () => {
    await tabTo(page, checkbox('Plan the trip'), 'the checkbox of “Plan the trip”');
    await press('Space');
    await status().getByText('Marked “Plan the trip” as completed.').waitFor();
    assert.equal(await checkbox('Plan the trip').isChecked(), true);
    await expectFocus(page, checkbox('Plan the trip'), 'the checkbox of “Plan the trip”');
    await axe('keyboard: task completed');
  });

  await t.test('under "Pending", completing a task hides it and focus moves to the next task', async () => {
    await tabTo(page, button('Pending'), 'the Pending filter', { backwards: true });
    await press('Enter');
    await checkbox('Plan the trip').waitFor({ state: 'detached' });
    const titles = await taskTitles();
    assert.deepEqual(titles, [...SEEDED].reverse(), 'pending tasks, newest first');
    await tabTo(page, checkbox(titles[0]), `the checkbox of “${titles[0]}”`);
    await press('Space');
    await checkbox(titles[0]).waitFor({ state: 'detached' });
    await expectFocus(page, checkbox(titles[1]), `the checkbox of the next task, “${titles[1]}”`);
    await status().getByText(`Marked “${titles[0]}” as completed.`).waitFor();
    await axe('keyboard: pending filter');
    await tabTo(page, button('All'), 'the All filter', { backwards: true });
    await press('Enter');
    await checkbox('Plan the trip').waitFor();
  });

  await t.test('edit: Enter opens the form with focus in it; Save and Escape return focus to Edit', async () => {
    await tabTo(page, button('Edit “Plan the trip”'), 'Edit “Plan the trip”');
    await press('Enter');
    await expectFocus(page, page.getByLabel('Title', { exact: true }), 'the title field of the edit form');
    await axe('keyboard: editing');
    await press('End');
    await page.keyboard.type(' to Oslo');
    await press('Enter');
    await status().getByText('Saved “Plan the trip to Oslo”.').waitFor();
    await expectFocus(page, button('Edit “Plan the trip to Oslo”'), 'Edit “Plan the trip to Oslo”');
    await press('Enter');
    await expectFocus(page, page.getByLabel('Title', { exact: true }), 'the title field of the edit form');
    await page.keyboard.type(' (discarded)');
    await press('Escape');
    await expectFocus(page, button('Edit “Plan the trip to Oslo”'), 'Edit “Plan the trip to Oslo”');
    assert.equal(await checkbox('Plan the trip to Oslo').count(), 1, 'Escape kept the saved title');
  });

  await t.test('delete: focus moves to the task that took its place', async () => {
    const titles = await taskTitles();
    const next = titles[titles.indexOf('Plan the trip to Oslo') + 1];
    await tabTo(page, button('Delete “Plan the trip to Oslo”'), 'Delete “Plan the trip to Oslo”');
    await press('Enter');
    await status().getByText('Deleted “Plan the trip to Oslo”.').waitFor();
    await expectFocus(page, checkbox(next), `the checkbox of the next task, “${next}”`);
    await axe('keyboard: task deleted');
    await shot('keyboard-02-after-delete');
  });

  await t.test('deleting the last task of the list moves focus to the one above it', async () => {
    const titles = await taskTitles();
    const [previous, last] = titles.slice(-2);
    await tabTo(page, button(`Delete “${last}”`), `Delete “${last}”`);
    assert.ok((await page.evaluate(() => window.scrollY)) > 0, 'the page scrolled down to the end of the list');
    await press('Enter');
    await expectFocus(page, checkbox(previous), `the checkbox of the task above, “${previous}”`);
  });

  await t.test('Shift+Tab back to the top: no stop hidden under the sticky header', async () => {
    const stops = await tabTo(page, page.getByRole('link', { name: 'Skip to the assistant' }), 'the skip link', {
      backwards: true,
    });
    assert.ok(stops.length >= 10, `went up through the list (${stops.length} stops)`);
    await shot('keyboard-03-back-at-the-top');
  });

  await t.test('the skip link leads to the message box; Enter sends, focus stays in the box', async () => {
    await press('Enter');
    const box = page.getByLabel('Message to the assistant');
    await expectFocus(page, box, 'the message box');
    const replies = assistantReplies();
    const before = await replies.count();
    await page.keyboard.type('Add a task to buy milk');
    await press('Enter');
    await page.getByRole('list', { name: 'Tasks' }).getByText(/^buy milk$/i).waitFor();
    assert.equal(await replies.count(), before + 1, 'one reply');
    await expectFocus(page, box, 'the message box');
    await axe('keyboard: chat');
  });

  await t.test('the conversation log takes focus and scrolls with the keyboard', async () => {
    const log = page.getByRole('log', { name: 'Conversation' });
    const overflows = () => log.evaluate((el) => el.scrollHeight > el.clientHeight);
    const replies = assistantReplies();
    for (let i = 0; i < 5 && !(await overflows()); i++) {
      const count = await replies.count();
      await page.keyboard.type('What is pending?');
      await press('Enter');
      await replies.nth(count).waitFor();
    }
    assert.ok(await overflows(), 'the log overflows, so there is something to scroll');
    await tabTo(page, log, 'the conversation log', { backwards: true });
    // Keyboard scrolling is animated: wait for each scroll to end, as a person would, before the
    // next key (at most 3 s: a key that scrolls nothing fires no scrollend).
    const scrollWith = async (key) => {
      await log.evaluate((el) => {
        window.__logScrolled = new Promise((resolve) => {
          const done = () => resolve(el.scrollTop);
          el.addEventListener('scrollend', done, { once: true });
          setTimeout(done, 3000);
        });
      });
      await press(key);
      return page.evaluate(() => window.__logScrolled);
    };
    const bottom = await log.evaluate((el) => el.scrollHeight - el.clientHeight);
    assert.equal(await log.evaluate((el) => el.scrollTop), bottom, 'the log shows its newest message');
    assert.equal(await scrollWith('Home'), 0, 'Home scrolls the log to its first message');
    assert.ok((await scrollWith('PageDown')) > 0, 'PageDown scrolls the log down');
    assert.equal(await scrollWith('End'), bottom, 'End scrolls back to the newest message');
    await checkFocusVisible(page);
    await axe('keyboard: long conversation');
    await shot('keyboard-04-conversation-log');
  });

  for (const [name, viewport] of [
    ['1280 px', DESKTOP],
    ['375 px', PHONE],
  ]) {
    await t.test(`${name} wide: every control, forwards then backwards, shows its focus and is not under the header`, async () => {
      await page.setViewportSize(viewport);
      await page.goto(url('/tasks'));
      await checkbox(/buy milk/i).waitFor();
      await axe(`keyboard: ${name} wide`);
      const box = page.getByLabel('Message to the assistant');
      const forwards = await tabTo(page, box, 'the message box', { max: 80 });
      await page.keyboard.type('hello'); // enables Send, the last control
      forwards.push(...(await tabTo(page, button('Send'), 'the Send button', { max: 1 })));
      const backwards = await tabTo(page, page.getByRole('link', { name: 'Skip to the assistant' }), 'the skip link', {
        backwards: true,
        max: 80,
      });
      assert.ok(forwards.length >= 30 && backwards.length >= 30, `${forwards.length} stops forwards, ${backwards.length} backwards`);
    });
  }
});
