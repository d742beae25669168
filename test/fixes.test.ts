// The fixes pgarch proposes are real SQL: each one here runs on the catalog (and seeded data) the
// migration it replaces would have run on, on both engines, and leaves the intended result.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { introspect } from '../src/catalog/introspect.js';
import { openEngine, type Engine } from '../src/engine/index.js';
import { discoverMigrations } from '../src/migrate/discover.js';
import { lintMigrations } from '../src/migrate/lint.js';
import { seedTable } from '../src/migrate/seed.js';
import { parseFile } from '../src/sql/parse.js';
import type { Finding } from '../src/types.js';
import { ENGINES } from './helpers/server.js';

const DIR = 'examples/shop/migrations';

/** Apply the example's migrations before `file`, with some rows in every table. */
async function before(engine: Engine, file: string): Promise<void> {
  for (const m of discoverMigrations([DIR])) {
    if (m.file.endsWith(file)) break;
    for (const s of (await parseFile(readFileSync(m.file, 'utf8'))).statements) await engine.exec(s.text);
  }
  const catalog = await introspect(engine);
  const enums = new Set(catalog.enums.map((e) => `${e.schema}.${e.name}`));
  for (const name of ['customers', 'categories', 'products', 'orders', 'order_items', 'payments']) {
    const table = catalog.tables.find((t) => t.name === name);
    if (table) await seedTable(engine, table, 50, enums);
  }
}

/** Run a fix statement by statement, as a runner outside a transaction would. */
async function runFix(engine: Engine, sql: string): Promise<void> {
  const parsed = await parseFile(sql);
  expect(parsed.findings).toEqual([]);
  for (const s of parsed.statements) await engine.exec(s.text);
}

for (const target of ENGINES) {
  describe(`fixes run on ${target.name}`, () => {
    let findings: Finding[];
    const fixFor = async (rule: string, file: string) => {
      findings ??= (await lintMigrations({ paths: [DIR] })).report.findings;
      const f = findings.find((x) => x.rule === rule && x.location?.file?.endsWith(file));
      expect(f?.fix?.sql, `${rule} in ${file} has a fix`).toBeTruthy();
      return f!.fix!.sql;
    };

    it('batched backfill (backfill-in-transaction) fills every row, batch by batch', async () => {
      const engine = await openEngine({ database: target.database, scratch: true, trusted: true });
      try {
        await before(engine, '0006_customer_profile.sql');
        await engine.exec('ALTER TABLE customers ADD COLUMN marketing_opt_in boolean');
        await runFix(engine, await fixFor('backfill-in-transaction', '0006_customer_profile.sql'));
        const { rows } = await engine.query<{ missing: number; total: number }>('select count(*) filter (where marketing_opt_in is null)::int as missing, count(*)::int as total from customers');
        expect(rows[0]).toEqual({ missing: 0, total: 50 });
      } finally {
        await engine.close();
      }
    });

    it('batched backfill of a join (UPDATE … FROM) fills every row, the key qualified by the alias', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pgarch-join-backfill-'));
      const init = "CREATE TABLE users (id bigint PRIMARY KEY, email text);\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\nINSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 25000) g;\nINSERT INTO orders SELECT g, g FROM generate_series(1, 25000) g;\n";
      writeFileSync(join(dir, '001_init.sql'), init);
      writeFileSync(join(dir, '002_backfill.sql'), 'BEGIN;\nALTER TABLE orders ADD COLUMN customer_email text;\nUPDATE orders o SET customer_email = u.email FROM users u WHERE o.user_id = u.id;\nCOMMIT;\n');
      const { report } = await lintMigrations({ paths: [dir], database: target.database });
      const fix = report.findings.find((f) => f.rule === 'backfill-in-transaction')?.fix?.sql;
      expect(fix).toContain('WHERE o.id >= next_key AND o.id <= batch_end AND (o.user_id = u.id)');
      const engine = await openEngine({ database: target.database, scratch: true, trusted: true });
      try {
        await runFix(engine, init);
        await engine.exec('ALTER TABLE orders ADD COLUMN customer_email text');
        await runFix(engine, fix!);
        const { rows } = await engine.query<{ filled: number }>("select count(*) filter (where customer_email = 'u' || user_id)::int as filled from orders");
        expect(rows[0].filled).toBe(25000);
      } finally {
        await engine.close();
      }
    });

    it('NOT NULL through a validated CHECK (set-not-null) leaves the column NOT NULL and no helper constraint', async () => {
      const engine = await openEngine({ database: target.database, scratch: true, trusted: true });
      try {
        await before(engine, '0006_customer_profile.sql');
        await engine.exec('ALTER TABLE customers ADD COLUMN marketing_opt_in boolean; UPDATE customers SET marketing_opt_in = false');
        await runFix(engine, await fixFor('set-not-null', '0006_customer_profile.sql'));
        const customers = (await introspect(engine)).tables.find((t) => t.name === 'customers')!;
        expect(customers.columns.find((c) => c.name === 'marketing_opt_in')?.notNull).toBe(true);
        expect(customers.constraints.filter((c) => c.type === 'check' && c.definition.includes('marketing_opt_in'))).toEqual([]);
      } finally {
        await engine.close();
      }
    });

    it('CONCURRENTLY index (create-index-non-concurrent) and NOT VALID + VALIDATE (constraint-not-valid) build what the migration meant', async () => {
      const engine = await openEngine({ database: target.database, scratch: true, trusted: true });
      try {
        await before(engine, '0005_payments_integration.sql');
        await runFix(engine, await fixFor('constraint-not-valid', '0005_payments_integration.sql'));
        await runFix(engine, await fixFor('create-index-non-concurrent', '0005_payments_integration.sql'));
        const payments = (await introspect(engine)).tables.find((t) => t.name === 'payments')!;
        expect(payments.constraints.find((c) => c.name === 'payments_order_id_fkey')).toMatchObject({ type: 'foreign key', validated: true });
        expect(payments.indexes.find((i) => i.name === 'payments_provider_ref_idx')).toMatchObject({ valid: true, columns: ['provider', 'provider_ref'] });
      } finally {
        await engine.close();
      }
    });
  });
}
