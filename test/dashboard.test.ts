// pgarch dashboard in a real browser (playwright-core + Debian's Chromium) against the real server: the
// overview shows the planted findings, a slow query opens to its plan with insights, the Locks page
// draws the blocked query under its blocker, the Space page charts sizes — while another session holds
// ACCESS EXCLUSIVE on a table. Without the token a request gets 401, a foreign Host header gets 403,
// and no request the page makes leaves 127.0.0.1. Screenshots go to test-results/.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../src/monitor/dashboard/server.js';
import { holdAccessExclusive, type HeldLock } from './helpers/locks.js';
import { ownDatabase } from './helpers/own-database.js';
import { describeServer, qualstatsPreloaded, statStatementsPreloaded } from './helpers/server.js';
import { requireChromium } from './helpers/chromium.js';

const CHROMIUM = requireChromium('the dashboard browser test');
if (!statStatementsPreloaded) console.warn('[pgarch tests] skipping the dashboard browser test: the server does not preload pg_stat_statements (bash .ci/run sets it up)');

const OUT_DIR = resolve('test-results');
const shot = (page: Page, name: string) => page.screenshot({ path: join(OUT_DIR, `dashboard-${name}.png`), fullPage: true });

/** Status of a GET with the given headers (node:http, so that Host can be set). */
function status(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((done, fail) => {
    const req = request(url, { headers }, (res) => {
      res.resume();
      done(res.statusCode ?? 0);
    });
    req.on('error', fail);
    req.end();
  });
}

(CHROMIUM && statStatementsPreloaded ? describeServer : describeServer.skip)('pgarch dashboard in a browser', () => {
  const db = ownDatabase('pgarch_dash');
  let dashboard: Dashboard;
  let browser: Browser;
  let page: Page;
  let lock: HeldLock;
  let holderPid: number;
  let waiterPid: number;
  const requested: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUT_DIR, { recursive: true });
    await db.create();
    await db.run('create extension pg_stat_statements', [], 'superuser');
    // pg_qualstats (preloaded by .ci/run) gives the plan page the values a statement ran with: then a
    // click runs EXPLAIN ANALYZE and the plan rules have actual rows to read.
    if (qualstatsPreloaded) {
      await db.run('create extension pg_qualstats', [], 'superuser');
      await db.run(`alter database ${db.name} set pg_qualstats.sample_rate = 1`, [], 'superuser');
    }
    await db.run(`
      create table orders (id bigserial primary key, customer_id int not null, note text not null);
      insert into orders (customer_id, note) select g % 500, md5(g::text) from generate_series(1, 40000) g;
      create index orders_note_idx on orders (note);
      create index orders_note_again_idx on orders (note);
      create table accounts (id int primary key, balance int);
      insert into accounts select g, 0 from generate_series(1, 100) g;
      analyze;
    `);
    // The planted slow query: a scan of orders with no index on customer_id, made slow by a sleep.
    // Constants in the text, as an application's driver often sends them: pg_qualstats keeps an example.
    for (let i = 0; i < 3; i++) await db.run(`select pg_sleep(0.12), count(*) from orders where customer_id = ${i}`);

    // A migration holds ACCESS EXCLUSIVE on accounts; a query waits behind it.
    lock = await holdAccessExclusive(db.url, 'accounts', 'select sum(balance) from accounts');
    ({ holderPid, waiterPid } = lock);

    dashboard = await startDashboard({ database: db.url, refreshSeconds: 1 });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox'] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Every request the page makes is recorded; one that would leave 127.0.0.1 is also stopped.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      requested.push(url);
      return new URL(url).hostname === '127.0.0.1' ? route.continue() : route.abort();
    });
    page = await context.newPage();
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await lock?.release();
    await db.drop();
  });

  it('opens with the token and shows the health findings, the blocked query among them', async () => {
    await page.goto(dashboard.url);
    await page.locator('li.finding[data-rule="blocked-query"]').first().waitFor({ timeout: 15_000 });
    const blocked = await page.locator('li.finding[data-rule="blocked-query"]').first().textContent();
    expect(blocked).toContain(`Session ${waiterPid}`);
    expect(blocked).toContain('lock on accounts');
    await expect(page.locator('li.finding[data-rule="slow-queries"]').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('li.finding[data-rule="duplicate-index"]').count()).resolves.toBeGreaterThan(0);
    // The unused-index check met the lock on accounts: it says so instead of hanging the page.
    expect(await page.locator('#page').textContent()).not.toContain('Loading');
    await shot(page, 'overview');
  });

  it('opens a slow query to its plan with the plan rules\' insights', async () => {
    await page.click('#tabs a[data-page="queries"]');
    const row = page.locator('tr.clickable', { hasText: 'pg_sleep' }).first();
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    const plan = page.frameLocator('iframe.plan');
    await plan.locator('text=Seq Scan').first().waitFor({ timeout: 10_000 });
    const text = await plan.locator('body').textContent();
    expect(text).toContain('orders');
    if (qualstatsPreloaded) {
      // Run with the values pg_qualstats saw: actual rows, and the filtered scan of 40,000 rows flagged.
      expect(text).toContain('EXPLAIN ANALYZE with the values pg_qualstats saw');
      expect(text).toContain('seq-scan-filter');
      // 0 was one run's value of $2: the index proposed serves every value, not a partial one for 0.
      expect(text).toContain('CREATE INDEX CONCURRENTLY ON public.orders (customer_id);');
    } else {
      expect(text).toMatch(/generic plan/);
    }
    await shot(page, 'plan');
  });

  it('draws the blocked query under its blocker on the Locks page', async () => {
    await page.click('#tabs a[data-page="locks"]');
    const blockedNode = page.locator(`ul.tree li[data-pid="${holderPid}"] li[data-pid="${waiterPid}"]`);
    await blockedNode.waitFor({ timeout: 10_000 });
    expect(await blockedNode.textContent()).toContain('for accounts');
    expect(await page.locator(`ul.tree li[data-pid="${holderPid}"] > .session`).textContent()).toContain('AccessExclusiveLock');
    await shot(page, 'locks');
  });

  it('shows sizes and their growth chart on the Space page, and the Indexes and Maintenance pages load', async () => {
    await page.click('#tabs a[data-page="space"]');
    await page.locator('svg.bars text', { hasText: 'public.orders' }).first().waitFor({ timeout: 10_000 });
    // Samples are taken once a second here; the chart (uPlot) appears from the second one.
    await page.locator('#growth .uplot').waitFor({ timeout: 15_000 });
    await shot(page, 'space');
    await page.click('#tabs a[data-page="indexes"]');
    await page.locator('li.finding[data-rule="duplicate-index"]').first().waitFor({ timeout: 10_000 });
    // The list still loads: the locked table's index is there, its definition left unread and the holder named.
    await page.locator('td', { hasText: 'public.orders_note_again_idx' }).first().waitFor({ timeout: 10_000 });
    const lockedRow = await page.locator('tr', { hasText: 'public.accounts_pkey' }).textContent();
    expect(lockedRow).toContain(`session ${holderPid} holds ACCESS EXCLUSIVE`);
    await shot(page, 'indexes');
    await page.click('#tabs a[data-page="maintenance"]');
    await page.locator('h1', { hasText: 'Maintenance' }).waitFor({ timeout: 10_000 });
    await page.locator('td', { hasText: 'public.orders' }).first().waitFor({ timeout: 10_000 });
    await shot(page, 'maintenance');
    expect(consoleErrors).toEqual([]);
  });

  it('answers 401 without the token, 403 to a foreign Host, and the page asked nothing beyond 127.0.0.1', async () => {
    const base = `http://127.0.0.1:${dashboard.port}`;
    expect(await status(`${base}/`)).toBe(401);
    expect(await status(`${base}/api/overview`)).toBe(401);
    expect(await status(`${base}/assets/app.js`)).toBe(401);
    expect(await status(`${base}/api/overview?token=${dashboard.token.slice(1)}x`)).toBe(401);
    expect(await status(`${base}/api/overview`, { 'X-Pgarch-Token': dashboard.token })).toBe(200);
    expect(await status(`${base}/api/overview?token=${dashboard.token}`, { Host: `evil.example:${dashboard.port}` })).toBe(403);
    expect(await status(`${base}/plan?queryid=1;drop table orders&token=${dashboard.token}`)).toBe(400);
    // An unknown queryid is a page that says so, in the plan's frame.
    const unknown = await fetch(`${base}/plan?queryid=42&token=${dashboard.token}`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('text/html');
    expect(await unknown.text()).toContain('pg_stat_statements holds no query 42 that can be planned');
    expect(requested.length).toBeGreaterThan(5);
    expect(requested.filter((u) => new URL(u).hostname !== '127.0.0.1')).toEqual([]);
    expect((await db.run(`select count(*)::int as n from orders`))[0].n).toBe(40000);
  });
});

describeServer('pgarch dashboard from the command line', () => {
  const db = ownDatabase('pgarch_dashcli');
  beforeAll(() => db.create());
  afterAll(() => db.drop());

  it('prints a 127.0.0.1 URL with a token, redacts the password, serves with the token, stops on SIGINT with 0', async () => {
    const url = new URL(db.url);
    url.password = 'hunter2-secret';
    const child = spawn(process.execPath, [resolve('dist/cli/main.js'), 'dashboard', '--database', url.toString(), '--refresh', '60'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    for (let end = Date.now() + 20_000; Date.now() < end && !/token=/.test(out); ) await new Promise((r) => setTimeout(r, 100));
    const printed = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=([\w-]+)/.exec(out);
    expect(printed, out).not.toBeNull();
    expect(out).not.toContain('hunter2-secret');
    expect(await status(`http://127.0.0.1:${printed![1]}/api/config?token=${printed![2]}`)).toBe(200);
    expect(await status(`http://127.0.0.1:${printed![1]}/api/config`)).toBe(401);
    const code = await new Promise<number | null>((done) => {
      child.on('close', done);
      child.kill('SIGINT');
    });
    expect(code).toBe(0);
  });
});
