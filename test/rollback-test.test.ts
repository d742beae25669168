// Rollback tested: a migration's down step, then its up step again, on a real PostgreSQL (PGlite, and
// a scratch database on the test server), compared with the schema the up step left; and the review
// checklist item that reports it.
import { relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintDifferences } from '../src/catalog/fingerprint.js';
import { openEngine } from '../src/engine/index.js';
import type { Engine } from '../src/engine/types.js';
import type { Migration } from '../src/migrate/layouts/types.js';
import { parseMigration, parseMigrationDown } from '../src/migrate/parse-migration.js';
import { testRollback, type RollbackTest } from '../src/migrate/rollback-test.js';
import { textToRun } from '../src/migrate/statement.js';
import { migrationChecklists } from '../src/review/checklist.js';
import { loadParser, parseFileSync, type ParsedFile } from '../src/sql/parse.js';
import { ENGINES } from './helpers/server.js';

await loadParser();

const sql = (text: string, file: string) => parseFileSync(text, file);

/** Apply the up step as the migration run would have, then test its rollback. */
async function upThenRollback(engine: Engine, upText: string, downText: string): Promise<RollbackTest> {
  const up = sql(upText, 'up.sql');
  await apply(engine, up);
  return testRollback(engine, up, sql(downText, 'down.sql'));
}

async function apply(engine: Engine, file: ParsedFile): Promise<void> {
  for (const stmt of file.statements) await engine.exec(textToRun(stmt));
}

const exists = async (engine: Engine, name: string) => (await engine.query<{ oid: string | null }>('select to_regclass($1)::oid::text as oid', [name])).rows[0].oid;

describe.each(ENGINES)('testRollback ($name)', ({ database }) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await openEngine({ database, scratch: true });
    await engine.exec('CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL, email text)');
  });
  afterAll(() => engine?.close());

  it('passes a down step that undoes the up step, and leaves the engine exactly as the up step left it', async () => {
    const up = sql("CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers, total numeric(10,2) NOT NULL DEFAULT 0);\nCREATE INDEX orders_total_idx ON orders (total);\nCOMMENT ON COLUMN orders.total IS 'in euros';", 'up.sql');
    await apply(engine, up);
    await engine.exec('INSERT INTO customers VALUES (1, \'Ada\', NULL); INSERT INTO orders VALUES (1, 1, 10)');
    const oid = await exists(engine, 'orders_total_idx');
    const result = await testRollback(engine, up, sql('DROP INDEX orders_total_idx;\nDROP TABLE orders;', 'down.sql'));
    expect(result).toMatchObject({ status: 'pass', differences: [], statements: { down: 2, up: 3 }, skipped: [], engineLeft: 'unchanged' });
    expect(result.downError).toBeUndefined();
    expect(result.upError).toBeUndefined();
    // Ran in one block, rolled back: the very same objects are there, rows and all.
    expect(await exists(engine, 'orders_total_idx')).toBe(oid);
    expect((await engine.query('SELECT * FROM orders')).rows).toHaveLength(1);
    await engine.exec('DROP TABLE orders; DELETE FROM customers');
  });

  it('sees no difference in objects made again with new OIDs: types, keys, views, functions, triggers, policies, partitions', async () => {
    const result = await upThenRollback(
      engine,
      [
        "CREATE TYPE shipment_state AS ENUM ('new', 'sent', 'lost');",
        'CREATE DOMAIN weight AS numeric(8,3) CHECK (VALUE >= 0);',
        'CREATE TABLE shipments (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers ON DELETE CASCADE, state shipment_state NOT NULL DEFAULT \'new\', w weight, CHECK (id > 0), UNIQUE (customer_id, id));',
        "CREATE INDEX shipments_sent_idx ON shipments (customer_id) WHERE state = 'sent';",
        "CREATE VIEW sent_shipments AS SELECT id, customer_id FROM shipments WHERE state = 'sent';",
        "CREATE FUNCTION shipments_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.w := coalesce(NEW.w, 0); RETURN NEW; END $$;",
        'CREATE TRIGGER shipments_touch BEFORE INSERT ON shipments FOR EACH ROW EXECUTE FUNCTION shipments_touch();',
        'ALTER TABLE shipments ENABLE ROW LEVEL SECURITY;',
        'CREATE POLICY shipments_own ON shipments FOR SELECT USING (customer_id > 0);',
        "COMMENT ON TABLE shipments IS 'one per parcel';",
        'CREATE TABLE events (at date NOT NULL, kind text) PARTITION BY RANGE (at);',
        "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
        'CREATE SEQUENCE ticket_no START 100 INCREMENT 10;',
      ].join('\n'),
      'DROP SEQUENCE ticket_no;\nDROP TABLE events;\nDROP VIEW sent_shipments;\nDROP TABLE shipments;\nDROP FUNCTION shipments_touch();\nDROP DOMAIN weight;\nDROP TYPE shipment_state;',
    );
    expect(result.differences).toEqual([]);
    expect(result).toMatchObject({ status: 'pass', statements: { down: 7, up: 13 } });
    await engine.exec('DROP SEQUENCE ticket_no; DROP TABLE events; DROP VIEW sent_shipments; DROP TABLE shipments; DROP FUNCTION shipments_touch(); DROP DOMAIN weight; DROP TYPE shipment_state');
  });

  it('fails an up step that cannot run again because the down step forgot its index, naming the index and the line', async () => {
    const result = await upThenRollback(engine, 'ALTER TABLE customers ADD COLUMN note text;\nCREATE INDEX customers_name_idx ON customers (name);', 'ALTER TABLE customers DROP COLUMN note;');
    expect(result.status).toBe('fail');
    expect(result.downError).toBeUndefined();
    expect(result.upError).toMatchObject({ step: 'up', file: 'up.sql', statement: 2, line: 2, code: '42P07' });
    expect(result.upError!.message).toContain('"customers_name_idx" already exists');
    expect(result.engineLeft).toBe('unchanged');
    expect(await exists(engine, 'customers_name_idx')).not.toBeNull();
    await engine.exec('DROP INDEX customers_name_idx; ALTER TABLE customers DROP COLUMN note');
  });

  it('lists what differs when both steps run but the schema does not come back the same', async () => {
    await engine.exec('CREATE INDEX customers_email_idx ON customers (email)');
    // The down step drops an index the up step did not create, and changes a column the up step leaves alone when it exists.
    const result = await upThenRollback(
      engine,
      'CREATE TABLE IF NOT EXISTS notes (id bigint PRIMARY KEY, body varchar(50));\nALTER TABLE customers ADD COLUMN note text;',
      'DROP INDEX customers_email_idx;\nALTER TABLE notes ALTER COLUMN body TYPE text;\nALTER TABLE customers DROP COLUMN note;',
    );
    expect(result.status).toBe('fail');
    expect(result.differences).toEqual(['column notes.body: type character varying(50) → text', 'index customers_email_idx: missing']);
    expect(result.engineLeft).toBe('unchanged');
    expect(await exists(engine, 'customers_email_idx')).not.toBeNull();
    await engine.exec('DROP TABLE notes; ALTER TABLE customers DROP COLUMN note');
  });

  it('fails a down step with an error at its line, with PostgreSQL\'s message, and runs nothing after it', async () => {
    const result = await upThenRollback(engine, 'CREATE TABLE invoices (id bigint PRIMARY KEY);\nCREATE INDEX invoices_id_idx ON invoices (id);', '-- undo\nDROP INDEX invoices_id_idx;\nDROP TABLE invoice;\nDROP TABLE invoices;');
    expect(result.status).toBe('fail');
    expect(result.downError).toMatchObject({ step: 'down', file: 'down.sql', statement: 2, line: 3, code: '42P01' });
    expect(result.downError!.message).toBe('table "invoice" does not exist');
    expect(result.statements).toEqual({ down: 2, up: 0 });
    expect(result.differences).toEqual([]);
    // Rolled back: the index the down step dropped is there again.
    expect(await exists(engine, 'invoices_id_idx')).not.toBeNull();
    await engine.exec('DROP TABLE invoices');
  });

  it('fails an up step that is not re-runnable after a down step that leaves a table behind', async () => {
    const result = await upThenRollback(engine, 'CREATE TABLE audit (id bigint);\nCREATE TABLE audit_log (id bigint, at timestamptz);', 'DROP TABLE audit_log;');
    expect(result.status).toBe('fail');
    expect(result.upError).toMatchObject({ step: 'up', statement: 1, line: 1, code: '42P07', message: 'relation "audit" already exists' });
    expect(await exists(engine, 'audit_log')).not.toBeNull();
    await engine.exec('DROP TABLE audit, audit_log');
  });

  it('runs steps that control their own transactions for real, and says whether the schema is the one the up step left', async () => {
    const good = await upThenRollback(engine, 'BEGIN;\nCREATE TABLE refunds (id bigint PRIMARY KEY, amount numeric);\nCOMMIT;\nCREATE INDEX CONCURRENTLY refunds_amount_idx ON refunds (amount);', 'DROP INDEX CONCURRENTLY refunds_amount_idx;\nBEGIN;\nDROP TABLE refunds;\nCOMMIT;');
    expect(good).toMatchObject({ status: 'pass', differences: [], engineLeft: 'rerun', restored: true });
    // The down step's block fails and rolls back; the up step then runs again past its errors: nothing is lost.
    const bad = await testRollback(engine, sql('BEGIN;\nCREATE TABLE refunds (id bigint PRIMARY KEY, amount numeric);\nCOMMIT;\nCREATE INDEX CONCURRENTLY refunds_amount_idx ON refunds (amount);', 'up.sql'), sql('BEGIN;\nDROP TABLE refunds;\nDROP TABLE refund_lines;\nCOMMIT;', 'down.sql'));
    expect(bad).toMatchObject({ status: 'fail', downError: { statement: 3, line: 3, message: 'table "refund_lines" does not exist' }, engineLeft: 'rerun', restored: true });
    expect(await exists(engine, 'refunds_amount_idx')).not.toBeNull();
    await engine.exec('DROP TABLE refunds');
  });

  it('locates a down section in the file that holds both steps (dbmate)', async () => {
    const text = '-- migrate:up\nCREATE TABLE tags (id bigint PRIMARY KEY, name text);\n\n-- migrate:down\nDROP TABLE tag;\n';
    const downAt = text.indexOf('-- migrate:down');
    const m: Migration = { id: '1_tags', file: 'db/migrations/1_tags.sql', text, up: { start: 0, end: downAt }, down: { file: 'db/migrations/1_tags.sql', text, start: downAt, end: text.length }, layout: 'dbmate', transaction: 'transaction' };
    const up = parseMigration(m);
    await apply(engine, up);
    const result = await testRollback(engine, up, parseMigrationDown(m)!);
    expect(result.downError).toMatchObject({ file: 'db/migrations/1_tags.sql', line: 5, message: 'table "tag" does not exist' });
    await engine.exec('DROP TABLE tags');
  });
});

describe('fingerprintDifferences', () => {
  const table = (name: string, columns: string) => ({ kind: 'table', name, attributes: { 'column order': columns } });
  const column = (table: string, name: string, type: string) => ({ kind: 'column', name: `${table}.${name}`, parent: `table ${table}`, attributes: { type } });

  it('names a missing or new object once, not each of its columns, and a column order only among the same columns', () => {
    const before = [table('public.orders', 'id, total'), column('public.orders', 'id', 'bigint'), column('public.orders', 'total', 'numeric'), table('app.items', 'id, sku'), column('app.items', 'id', 'bigint'), column('app.items', 'sku', 'text')];
    const after = [table('public.orders', 'id'), column('public.orders', 'id', 'bigint'), table('app.items', 'sku, id'), column('app.items', 'sku', 'text'), column('app.items', 'id', 'integer'), table('public.orders_backup', 'id'), column('public.orders_backup', 'id', 'bigint')];
    expect(fingerprintDifferences(before, after)).toEqual([
      'column orders.total: missing',
      'table app.items: column order id, sku → sku, id',
      'column app.items.id: type bigint → integer',
      'table orders_backup: new',
    ]);
  });
});

describe('the rollback-tested checklist item', () => {
  const migration = (id: string, down?: string): Migration => {
    const text = 'CREATE TABLE orders (id bigint PRIMARY KEY, total numeric);\nCREATE INDEX orders_total_idx ON orders (total);\n';
    const file = `/project/migrations/${id}.up.sql`;
    return { id, file, text, up: { start: 0, end: text.length }, ...(down === undefined ? {} : { down: { file: file.replace('.up.', '.down.'), text: down, start: 0, end: down.length } }), layout: 'golang-migrate', transaction: 'implicit' };
  };
  const itemOf = (m: Migration, rollbacks?: Map<string, RollbackTest>) =>
    migrationChecklists({ history: [m], reported: [m], findings: [], engine: 'embedded PostgreSQL 18', rollbacks })[0].items.find((i) => i.id === 'rollback-tested')!;
  const base = { differences: [], statements: { down: 2, up: 2 }, skipped: [], engineLeft: 'unchanged' as const };

  it('passes when pgarch ran the down step and the up step again and the schema came back the same', () => {
    const m = migration('0001_orders', 'DROP TABLE orders;\n');
    const item = itemOf(m, new Map([[m.file, { status: 'pass', ...base }]]));
    expect(item).toMatchObject({ id: 'rollback-tested', group: 'rollback', title: 'Rollback tested (down, then up)', status: 'pass' });
    expect(item.detail).toBe('pgarch ran its down step and its up step again on embedded PostgreSQL 18: the schema came back the same.');
  });

  it('fails with the error of the step that failed, or with what differs', () => {
    const m = migration('0001_orders', 'DROP INDEX orders_total_idx;\nDROP TABLE order;\n');
    const down = itemOf(m, new Map([[m.file, { status: 'fail', ...base, downError: { step: 'down', file: m.down!.file, statement: 2, line: 2, column: 1, message: 'table "order" does not exist', code: '42P01' } }]]));
    expect(down.status).toBe('fail');
    expect(down.detail).toBe(`Its down step failed when pgarch ran it on embedded PostgreSQL 18 after its up step, at line 2 of ${relative(process.cwd(), m.down!.file)} (statement 2): table "order" does not exist.`);

    const up = itemOf(m, new Map([[m.file, { status: 'fail', ...base, upError: { step: 'up', file: m.file, statement: 1, line: 1, column: 1, message: 'relation "orders" already exists', code: '42P07' } }]]));
    expect(up.status).toBe('fail');
    expect(up.detail).toMatch(/^After its down step, its up step failed when pgarch ran it again on embedded PostgreSQL 18, at line 1 of .*0001_orders\.up\.sql \(statement 1\): relation "orders" already exists\. /);

    const differs = itemOf(m, new Map([[m.file, { status: 'fail', ...base, differences: ['index orders_total_idx: missing', 'column orders.note: type character varying(50) → text'] }]]));
    expect(differs).toMatchObject({ status: 'fail', detail: 'pgarch ran its down step and its up step again on embedded PostgreSQL 18: the schema did not come back the same (index orders_total_idx: missing; column orders.note: type character varying(50) → text).' });
  });

  it('is left to a human when no test ran, or there is no down step', () => {
    const m = migration('0001_orders', 'DROP TABLE orders;\n');
    expect(itemOf(m)).toMatchObject({ status: 'human', detail: 'Run its down step and then its up step again on a copy: pgarch did not test it in this run.' });
    expect(itemOf(migration('0002_orders'), new Map())).toMatchObject({ status: 'human', detail: 'There is no down step to test.' });
  });

  it('decides the item from a real test on PGlite', async () => {
    const m = migration('0001_orders', 'DROP INDEX orders_total_idx;\nDROP TABLE orders;\n');
    const engine = await openEngine();
    try {
      const up = parseMigration(m);
      await apply(engine, up);
      const test = await testRollback(engine, up, parseMigrationDown(m)!);
      expect(itemOf(m, new Map([[m.file, test]])).status).toBe('pass');
    } finally {
      await engine.close();
    }
  });
});
