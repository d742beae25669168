// `pgarch docs` on a generated 60-table schema (test/fixtures/docs/schema60.ts) in PGlite: the page of
// one table, and the ERD read back from its SVG (no two boxes overlap, every foreign key has an edge from
// its column's row to the referenced row, the estimated text widths fit the boxes), then rendered in
// Chromium, where getBBox() measures the real text, and saved as PNG. One test reads a live server
// database with --database. Under CI=true a missing Chromium fails the run; locally it is skipped.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FONT_SIZE, HEADER_FONT_SIZE, textWidth } from '../src/docs/erd-layout.js';
import { writeSchemaDocs, type SchemaDocsResult } from '../src/docs/schema-docs.js';
import { sixtyTableSchema } from './fixtures/docs/schema60.js';
import { describeServer } from './helpers/server.js';
import { ownDatabase } from './helpers/own-database.js';
import { requireChromium } from './helpers/chromium.js';

const CHROMIUM = requireChromium('the ERD browser test');

const OUT_DIR = resolve('test-results');
const schema = sixtyTableSchema();

interface Box {
  table: string;
  external: boolean;
  x: number;
  y: number;
  width: number;
  height: number;
  texts: Array<{ className: string; column?: string; x: number; y: number; text: string }>;
}
interface Edge {
  from: string;
  fromColumns: string[];
  to: string;
  toColumns: string[];
  points: Array<{ x: number; y: number }>;
}

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
const attr = (tag: string, name: string) => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? unescape(m[1]) : undefined;
};

/** The boxes and edges of an ERD, read back from the SVG pgarch wrote. */
function parseErd(svg: string): { boxes: Box[]; edges: Edge[] } {
  const boxes: Box[] = [];
  for (const g of svg.matchAll(/<g class="table( external)?" data-table="([^"]*)">([\s\S]*?)<\/g>/g)) {
    const rect = /<rect class="box"[^>]*>/.exec(g[3])![0];
    const texts = [...g[3].matchAll(/<text ([^>]*)>([^<]*)<\/text>/g)].map((t) => ({
      className: attr(` ${t[1]}`, 'class')!,
      column: attr(` ${t[1]}`, 'data-column'),
      x: Number(attr(` ${t[1]}`, 'x')),
      y: Number(attr(` ${t[1]}`, 'y')),
      text: unescape(t[2]),
    }));
    boxes.push({ table: unescape(g[2]), external: Boolean(g[1]), x: Number(attr(rect, 'x')), y: Number(attr(rect, 'y')), width: Number(attr(rect, 'width')), height: Number(attr(rect, 'height')), texts });
  }
  const edges: Edge[] = [...svg.matchAll(/<path class="fk[^"]*"[^>]*>/g)].map(([tag]) => ({
    from: attr(tag, 'data-from')!,
    fromColumns: attr(tag, 'data-from-columns')!.split(','),
    to: attr(tag, 'data-to')!,
    toColumns: attr(tag, 'data-to-columns')!.split(','),
    points: [...attr(tag, 'd')!.matchAll(/[ML]([\d.-]+),([\d.-]+)/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) })),
  }));
  return { boxes, edges };
}

function expectNoOverlap(boxes: Box[]): void {
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i];
      const b = boxes[j];
      const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
      expect(overlap, `${a.table} overlaps ${b.table}`).toBe(false);
    }
  }
}

/** The edge starts on the right side of the FK table at its first column's row and ends on the left side of the referenced table at the referenced column's row. */
function expectEdgeTouches(edge: Edge, boxes: Map<string, Box>): void {
  const from = boxes.get(edge.from)!;
  const to = boxes.get(edge.to)!;
  expect(from, edge.from).toBeDefined();
  expect(to, edge.to).toBeDefined();
  const start = edge.points[0];
  const end = edge.points[edge.points.length - 1];
  const rowY = (box: Box, column: string) => box.texts.find((t) => t.className.startsWith('name') && t.column === column)!.y;
  const what = `${edge.from}(${edge.fromColumns}) → ${edge.to}`;
  expect(Math.abs(start.x - (from.x + from.width)), `${what}: start x`).toBeLessThan(1.5);
  expect(Math.abs(start.y - rowY(from, edge.fromColumns[0])), `${what}: start row`).toBeLessThan(1.5);
  expect(Math.abs(end.x - to.x), `${what}: end x`).toBeLessThan(1.5);
  expect(Math.abs(end.y - rowY(to, edge.toColumns[0])), `${what}: end row`).toBeLessThan(1.5);
}

describe('pgarch docs: 60-table schema on PGlite', () => {
  let dir: string;
  let out: string;
  let result: SchemaDocsResult;
  let elapsedMs: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pgarch-docs-'));
    out = join(dir, 'docs');
    writeFileSync(join(dir, 'schema.sql'), schema.sql);
    const started = performance.now();
    result = await writeSchemaDocs({ paths: [join(dir, 'schema.sql')], out });
    elapsedMs = performance.now() - started;
    console.log(`[pgarch docs] 60 tables: ${Math.round(elapsedMs)} ms, ${result.files.length} files`);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a page per table, index.md, and an SVG and a Mermaid file per schema, per group and whole', () => {
    expect(schema.tables).toHaveLength(60);
    expect(result.tables).toBe(60);
    expect(result.inputFailures).toEqual([]);
    expect(readdirSync(join(out, 'tables')).sort()).toEqual(schema.tables.map((t) => `${t}.md`).sort());
    const erd = readdirSync(join(out, 'erd')).sort();
    for (const name of ['all', 'schema-public', 'schema-billing', 'group-catalog', 'group-sales', 'group-identity']) {
      expect(erd).toContain(`${name}.svg`);
      expect(erd).toContain(`${name}.mmd`);
    }
    const index = readFileSync(join(out, 'index.md'), 'utf8');
    for (const t of schema.tables) expect(index).toContain(`](tables/${t}.md)`);
    expect(index).toContain('```mermaid\nerDiagram');
    expect(index).toContain('![ERD of the whole schema](erd/all.svg)');
    const mermaid = readFileSync(join(out, 'erd/all.mmd'), 'utf8');
    expect(mermaid).toMatch(/^erDiagram\n/);
    expect(mermaid).toContain('public_orders ||--o{ public_order_items : "order_id"');
    expect(mermaid).toContain('billing_invoices ||--o{ billing_invoice_lines : "invoice_id"');
    // Every FK is a relationship line of the whole diagram.
    expect(mermaid.split('\n').filter((l) => /--o\{/.test(l))).toHaveLength(schema.foreignKeys.length);
  });

  it('documents public.orders: columns, FK out and in, indexes, comment, row estimate and its findings', () => {
    const page = readFileSync(join(out, 'tables/public.orders.md'), 'utf8');
    expect(page).toMatch(/^# public\.orders\n/);
    expect(page).toContain('> Orders placed by users. pgarch.group: sales');
    expect(page).toContain('| Row estimate | not analyzed |');
    expect(page).toContain('| 2 | `user_id` | `bigint` | NOT NULL |  | FK → [public.users](../tables/public.users.md) |  |');
    expect(page).toContain('| 4 | `placed_at` | `timestamp with time zone` | NOT NULL | `now()` |  |  |');
    expect(page).toContain('| 5 | `deleted_at` | `timestamp with time zone` | null |');
    expect(page).toContain('| `orders_status_check` | check |');
    expect(page).toContain('| `orders_open_idx` | `user_id` | btree |  | `deleted_at IS NULL` |');
    expect(page).toContain('| `orders_pkey` | `id` | btree | primary key |');
    // Out: the one FK; in: every table whose FK references orders.
    expect(page).toMatch(/## References\n\n.*\n.*\n\| `orders_user_id_fkey` \| `user_id` \| \[public\.users\]\(\.\.\/tables\/public\.users\.md\) \(`id`\) \| no action \| no action \|/);
    const into = schema.foreignKeys.filter((fk) => fk.to === 'public.orders').map((fk) => fk.from);
    expect(into.length).toBeGreaterThan(2);
    const referencedBy = page.split('## Referenced by')[1].split('##')[0];
    for (const from of into) expect(referencedBy).toContain(`](../tables/${from}.md)`);
    expect(referencedBy).toContain('| `order_id` | `order_items_order_id_fkey` | `id` | cascade |');
    const findings = page.split('## Findings')[1];
    expect(findings).toContain('`fk-missing-index`');
    expect(findings).toContain('schema.sql:');
    // A composite FK into another schema's table: both columns, and the referenced table's page lists it.
    const lines = readFileSync(join(out, 'tables/billing.invoice_lines.md'), 'utf8');
    expect(lines).toContain('| `order_id`, `order_line_no` | [public.order\\_items](../tables/public.order_items.md) (`order_id`, `line_no`) |');
    expect(readFileSync(join(out, 'tables/public.order_items.md'), 'utf8')).toContain('| [billing.invoice\\_lines](../tables/billing.invoice_lines.md) | `order_id`, `order_line_no` |');
  });

  it('ERD SVGs: no two boxes overlap, every FK has an edge from its column row to the referenced row, estimated text fits its box', () => {
    const all = parseErd(readFileSync(join(out, 'erd/all.svg'), 'utf8'));
    expect(all.boxes.filter((b) => !b.external).map((b) => b.table).sort()).toEqual([...schema.tables].sort());
    expectNoOverlap(all.boxes);
    const boxes = new Map(all.boxes.map((b) => [b.table, b]));
    for (const fk of schema.foreignKeys) {
      const edge = all.edges.find((e) => e.from === fk.from && e.to === fk.to && e.fromColumns.join() === fk.columns.join());
      expect(edge, `edge for ${fk.from}(${fk.columns}) → ${fk.to}`).toBeDefined();
      expect(edge!.toColumns).toEqual(fk.toColumns);
      expectEdgeTouches(edge!, boxes);
    }
    expect(all.edges).toHaveLength(schema.foreignKeys.length);
    for (const box of all.boxes) {
      for (const t of box.texts) {
        const width = textWidth(t.text, t.className === 'head-text' ? HEADER_FONT_SIZE : FONT_SIZE);
        expect(t.x, `${box.table}: "${t.text}"`).toBeGreaterThanOrEqual(box.x);
        expect(t.x + width, `${box.table}: "${t.text}" (${width} px)`).toBeLessThanOrEqual(box.x + box.width);
        expect(t.y).toBeGreaterThan(box.y);
        expect(t.y).toBeLessThan(box.y + box.height);
      }
    }
    // A schema's diagram draws the tables of other schemas it references as external boxes, with their edges.
    const billing = parseErd(readFileSync(join(out, 'erd/schema-billing.svg'), 'utf8'));
    expectNoOverlap(billing.boxes);
    const billingBoxes = new Map(billing.boxes.map((b) => [b.table, b]));
    expect(billingBoxes.get('public.orders')?.external).toBe(true);
    const fromBilling = schema.foreignKeys.filter((fk) => fk.from.startsWith('billing.'));
    expect(billing.edges).toHaveLength(fromBilling.length);
    for (const edge of billing.edges) expectEdgeTouches(edge, billingBoxes);
  });

  it.skipIf(!CHROMIUM)('ERD in Chromium: getBBox() of every text fits inside its box and under the estimate; PNG is not empty', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] });
    try {
      for (const name of ['all', 'schema-billing']) {
        const svgPath = join(out, `erd/${name}.svg`);
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(pathToFileURL(svgPath).href);
        const report = await page.evaluate((estimates) => {
          const problems: string[] = [];
          let texts = 0;
          for (const g of Array.from(document.querySelectorAll('g.table'))) {
            const box = (g.querySelector('rect.box') as SVGRectElement).getBBox();
            for (const text of Array.from(g.querySelectorAll('text')) as SVGTextElement[]) {
              texts++;
              const b = text.getBBox();
              const label = `${g.getAttribute('data-table')}: "${text.textContent}"`;
              if (b.width <= 0) problems.push(`${label} has no width`);
              if (b.x < box.x - 0.5 || b.x + b.width > box.x + box.width + 0.5) problems.push(`${label} x ${b.x}+${b.width} outside ${box.x}+${box.width}`);
              if (b.y < box.y - 0.5 || b.y + b.height > box.y + box.height + 0.5) problems.push(`${label} y ${b.y}+${b.height} outside ${box.y}+${box.height}`);
              const estimate = estimates[text.textContent ?? ''];
              if (estimate !== undefined && text.getComputedTextLength() > estimate[text.classList.contains('head-text') ? 1 : 0] + 0.5) {
                problems.push(`${label} measures ${text.getComputedTextLength()} px, over the estimate`);
              }
            }
          }
          return { problems, texts, fonts: getComputedStyle(document.querySelector('text')!).fontFamily };
        }, estimatesFor(readFileSync(svgPath, 'utf8')));
        expect(errors).toEqual([]);
        expect(report.texts).toBeGreaterThan(100);
        expect(report.problems).toEqual([]);
        const svgSize = readFileSync(svgPath, 'utf8').match(/width="(\d+)" height="(\d+)"/)!;
        await page.close();
        // The PNG: the SVG inline in a page of its size (a bare SVG document does not screenshot at full size).
        const shot = await browser.newPage({ viewport: { width: Number(svgSize[1]), height: Number(svgSize[2]) } });
        await shot.setContent(`<!doctype html><html><head><style>body{margin:0} svg{display:block}</style></head><body>${readFileSync(svgPath, 'utf8')}</body></html>`);
        const png = await shot.screenshot({ fullPage: true });
        mkdirSync(OUT_DIR, { recursive: true });
        writeFileSync(join(OUT_DIR, `erd-60-${name}.png`), png);
        // PNG signature, then IHDR's width and height: the diagram's size; a blank page compresses to a few KB.
        expect(png.subarray(1, 4).toString()).toBe('PNG');
        expect(png.readUInt32BE(16)).toBe(Number(svgSize[1]));
        expect(png.readUInt32BE(20)).toBe(Number(svgSize[2]));
        expect(png.length).toBeGreaterThan(50_000);
        await shot.close();
      }
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('the CLI writes the docs and prints what it wrote; --help shows examples; no input is a usage error', () => {
    const cliOut = join(dir, 'cli-docs');
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', resolve('src/cli/main.ts'), ...args], { encoding: 'utf8' });
    const ran = run('docs', join(dir, 'schema.sql'), '--out', cliOut, '--format', 'json');
    expect(ran.status, ran.stderr).toBe(0);
    const printed = JSON.parse(ran.stdout);
    expect(printed.tables).toBe(60);
    expect(printed.files.filter((f: { kind: string }) => f.kind === 'table')).toHaveLength(60);
    expect(readdirSync(join(cliOut, 'erd'))).toContain('all.svg');
    const help = run('docs', '--help');
    expect(help.stdout).toContain('$ pgarch docs db/migrations --out docs/schema');
    expect(run('docs', '--out', cliOut).status).toBe(2);
    // SQL that fails: the docs are still written from what applied, the failure is reported, exit 1.
    writeFileSync(join(dir, 'bad.sql'), 'create table a (id int primary key);\nselect from where;\n');
    const bad = run('docs', join(dir, 'bad.sql'), '--out', join(dir, 'bad-docs'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('syntax-error');
    expect(bad.stdout).toContain('wrote 1 table page');
  }, 120_000);
});

/** Each text's estimated width at body and header size, by its content. */
function estimatesFor(svg: string): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const m of svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)) {
    const text = unescape(m[1]);
    out[text] = [textWidth(text, FONT_SIZE), textWidth(text, HEADER_FONT_SIZE)];
  }
  return out;
}

describeServer('pgarch docs --database: a live server database, read-only', () => {
  const db = ownDatabase('pgarch_docs');
  let dir: string;

  beforeAll(async () => {
    await db.create();
    await db.run(schema.sql);
    await db.run(`insert into public.users (email) select 'u' || g || '@example.com' from generate_series(1, 250) g; analyze;`);
    dir = mkdtempSync(join(tmpdir(), 'pgarch-docs-live-'));
  }, 120_000);
  afterAll(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('documents the live catalog with its row estimates and changes nothing', async () => {
    const before = await db.run(`select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname in ('public', 'billing')`);
    const result = await writeSchemaDocs({ paths: [], database: db.url, out: join(dir, 'docs') });
    expect(result.tables).toBe(60);
    expect(result.inputFailures).toEqual([]);
    const users = readFileSync(join(dir, 'docs/tables/public.users.md'), 'utf8');
    expect(users).toContain('| Row estimate | 250 |');
    expect(users).toContain('Login address, unique; ünïcødé 日本語 comment');
    const all = parseErd(readFileSync(join(dir, 'docs/erd/all.svg'), 'utf8'));
    expectNoOverlap(all.boxes);
    expect(all.edges).toHaveLength(schema.foreignKeys.length);
    const after = await db.run(`select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname in ('public', 'billing')`);
    expect(after).toEqual(before);
  }, 120_000);
});
