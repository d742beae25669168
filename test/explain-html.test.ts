// The HTML plan page in a real browser: a real 3-join plan from PGlite, rendered by renderPlanHtml, opened
// from disk in Debian's Chromium through playwright-core. It must render every node, fetch nothing, log no
// error, expand a node (mouse and keyboard) to show its details and insights, reveal a node from the
// insight list, and show a `<script>` filter literal as text. Under CI=true a missing Chromium fails the
// run; locally the test is skipped with a printed reason.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../src/engine/index.js';
import { analyzePlan, type PlanAnalysis } from '../src/explain/analyze.js';
import { renderPlanHtml } from '../src/explain/html.js';
import { parseJsonPlan, walkPlan } from '../src/explain/parse-json.js';
import type { Plan, PlanNode } from '../src/explain/types.js';
import type { Finding } from '../src/types.js';
import { requireChromium } from './helpers/chromium.js';

const CHROMIUM = requireChromium('the HTML plan browser test');

const OUT_DIR = resolve('test-results');
const HTML_PATH = join(OUT_DIR, 'plan-3-join.html');
const PNG_PATH = join(OUT_DIR, 'plan-3-join.png');
const SCRIPT_LITERAL = '<script>alert(1)</script>';

const SCHEMA = `
create table customers (id int primary key, name text not null, country text not null);
create table products (id int primary key, name text not null, price numeric not null);
create table orders (id int primary key, customer_id int not null references customers, status text not null, created_at date not null);
create table order_items (id int primary key, order_id int not null references orders, product_id int not null references products, qty int not null);
insert into customers select g, 'customer ' || g, (array['FR','DE','US','JP'])[1 + g % 4] from generate_series(1, 2000) g;
insert into products select g, 'product ' || g, (g % 100) + 0.99 from generate_series(1, 500) g;
insert into orders select g, 1 + g % 2000, (array['new','paid','shipped'])[1 + g % 3], date '2024-01-01' + g % 365 from generate_series(1, 20000) g;
insert into order_items select g, 1 + g % 20000, 1 + g % 500, 1 + g % 5 from generate_series(1, 60000) g;
analyze;
`;

// Three joins over four tables; the status literal is user data that must come out as text.
const QUERY = `select c.name as customer, p.name as product, sum(oi.qty) as qty
from customers c
join orders o on o.customer_id = c.id
join order_items oi on oi.order_id = o.id
join products p on p.id = oi.product_id
where c.country = 'FR' and o.status <> '${SCRIPT_LITERAL}' and o.created_at = date '2024-03-01'
group by c.name, p.name
order by qty desc
limit 20`;

describe.skipIf(!CHROMIUM)('explain: HTML plan page in Chromium', () => {
  let engine: Engine | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let plan: Plan;
  let nodes: PlanNode[];
  let analysis: PlanAnalysis;
  /** The scan of orders: carries the `<script>` filter and the insight the test attaches. */
  let target: PlanNode;
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];
  let fileUrl: string;

  beforeAll(async () => {
    engine = await openEngine();
    await engine.exec(SCHEMA);
    const result = await engine.query<Record<string, unknown>>(`explain (analyze, buffers, verbose, settings, format json) ${QUERY}`);
    plan = parseJsonPlan(result.rows[0]);
    plan.engine = (await engine.version()).text;
    nodes = walkPlan(plan.root);
    const found = nodes.find((n) => n.relation === 'orders' && n.filter?.includes(SCRIPT_LITERAL));
    if (!found) throw new Error(`no scan of orders with the status filter in the plan:\n${JSON.stringify(result.rows[0])}`);
    target = found;

    // The plan rules are whatever exists; one insight of the test's own is pinned to the orders scan so
    // the node-level display is always exercised. Its message carries markup that must stay text too.
    const real = analyzePlan(plan);
    const pinned: Finding = {
      rule: 'test-pinned-insight',
      severity: 'warning',
      message: `Seq Scan on orders filters on status <img src=x onerror="alert(2)"> for every row.`,
      hint: 'Index the column the filter reads, or make the predicate selective.',
      fix: { description: 'Create an index on the filtered column.', sql: `CREATE INDEX CONCURRENTLY orders_status_idx ON public.orders (status);` },
      planNode: target.id,
    };
    // And the real plan rules must find the scan of orders that throws away 99.7% of its rows.
    expect(real.findings.filter((f) => f.planNode === target.id).map((f) => f.rule)).toEqual(['seq-scan-filter']);
    analysis = { ...real, findings: [pinned, ...real.findings] };

    mkdirSync(OUT_DIR, { recursive: true });
    writeFileSync(HTML_PATH, renderPlanHtml(analysis, { title: 'Orders by customer and product', query: QUERY }));
    fileUrl = pathToFileURL(HTML_PATH).href;

    browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--headless', '--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
    page.on('request', (request) => requests.push(request.url()));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(fileUrl, { waitUntil: 'load' });
  });

  afterAll(async () => {
    await browser?.close();
    await engine?.close();
  });

  it('renders one element per plan node, fetches nothing and logs no error', async () => {
    expect(nodes.filter((n) => n.nodeType.endsWith('Join') || n.nodeType === 'Nested Loop').length).toBeGreaterThanOrEqual(3);
    expect(await page.locator('[data-node-id]').count()).toBe(nodes.length);
    const ids = await page.locator('[data-node-id]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-node-id'))));
    expect(ids).toEqual(nodes.map((n) => n.id));
    expect(await page.locator('[data-toggle]').count()).toBe(nodes.length);
    // Top levels open: every node's header line is showing; details are not.
    for (const n of nodes) expect(await page.locator(`[data-node-id="${n.id}"] > .row`).isVisible()).toBe(true);
    expect(await page.locator('.details:visible').count()).toBe(0);
    // The most expensive node has a non-empty bar.
    const hottest = nodes.reduce((a, b) => (analysis.timings[b.id]!.exclusiveMs > analysis.timings[a.id]!.exclusiveMs ? b : a));
    const width = await page.locator(`[data-node-id="${hottest.id}"] > .row .fill`).evaluate((e) => e.getBoundingClientRect().width);
    expect(width).toBeGreaterThan(0);
    expect(await page.locator('.facts').innerText()).toContain('PGlite');
    await page.waitForTimeout(200);
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([fileUrl]);
  });

  it('expands a node to show its details and its insight, by mouse and by keyboard', async () => {
    const node = page.locator(`[data-node-id="${target.id}"]`);
    const toggle = node.locator('[data-toggle]').first();
    const details = node.locator(`#node-${target.id}-details`);
    const insight = details.locator('[data-rule="test-pinned-insight"]');
    const real = details.locator('[data-rule="seq-scan-filter"]');
    expect(await node.locator('.marker').first().innerText()).toContain('2');
    expect(await details.isVisible()).toBe(false);
    expect(await insight.isVisible()).toBe(false);

    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await details.isVisible()).toBe(true);
    expect(await details.locator('code.filter').isVisible()).toBe(true);
    expect(await details.innerText()).toContain('Removed by filter');
    expect(await insight.isVisible()).toBe(true);
    expect(await insight.locator('.message').innerText()).toContain('for every row');
    expect(await insight.locator('pre.sql').innerText()).toContain('CREATE INDEX CONCURRENTLY orders_status_idx');
    expect(await real.isVisible()).toBe(true);
    expect(await real.locator('.message').innerText()).toMatch(/^Seq Scan on public\.orders o removes 99\.\d% of 20,000 rows by filter/);
    expect(await real.locator('pre.sql').innerText()).toContain('CREATE INDEX CONCURRENTLY ON public.orders (created_at)');

    // Keyboard: buttons, so Enter and Space work.
    await toggle.focus();
    await page.keyboard.press('Enter');
    expect(await details.isVisible()).toBe(false);
    await page.keyboard.press('Space');
    expect(await details.isVisible()).toBe(true);
    await page.screenshot({ path: PNG_PATH, fullPage: true });
  });

  it('reveals and scrolls to a node from the insight list', async () => {
    await page.locator('[data-action="collapse-all"]').click();
    const node = page.locator(`[data-node-id="${target.id}"]`);
    expect(await node.locator('> .row').isVisible()).toBe(false);
    await page.locator(`.insights [data-rule="test-pinned-insight"] a.goto`).click();
    expect(await node.locator('> .row').isVisible()).toBe(true);
    expect(await node.locator(`#node-${target.id}-details`).isVisible()).toBe(true);
    const focused = await page.evaluate(() => document.activeElement?.closest('[data-node-id]')?.getAttribute('data-node-id'));
    expect(focused).toBe(String(target.id));
    await page.locator('[data-action="expand-all"]').click();
    expect(await page.locator('.details:visible').count()).toBe(nodes.length);
    await page.locator('[data-action="reset"]').click();
    expect(await page.locator('.details:visible').count()).toBe(0);
  });

  it('shows a <script> filter literal and markup in insights as text, never as code', async () => {
    expect(await page.locator('[data-query]').innerText()).toContain(`o.status <> '${SCRIPT_LITERAL}'`);
    await page.locator(`[data-node-id="${target.id}"] [data-toggle]`).first().click();
    expect(await page.locator(`#node-${target.id}-details code.filter`).innerText()).toContain(SCRIPT_LITERAL);
    expect(await page.locator(`.insights [data-rule="test-pinned-insight"] .message`).innerText()).toContain('<img src=x onerror="alert(2)">');
    expect(await page.evaluate(() => document.scripts.length)).toBe(1);
    expect(await page.locator('img').count()).toBe(0);
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([fileUrl]);
  });
});
