// Read-only guarantees on a live database: lint schema and lint queries with --live, lint migrations
// --stats-from and explain of writes (EXPLAIN ANALYZE of an UPDATE and a DELETE, rolled back) leave
// every row, the catalog, the roles and the list of databases as they were.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openEngine } from '../../src/engine/index.js';
import { applyFiles } from '../../src/lint/apply.js';
import { readSqlFiles } from '../../src/lint/schema.js';
import { pgarch } from '../helpers/cli.js';
import { describeServer, SERVER_URL } from '../helpers/server.js';

const SHOP = 'examples/shop/migrations';

describeServer('a live database is read, never changed', () => {
  const liveDb = `pgarch_test_readonly_${process.pid}`;
  const liveUrl = SERVER_URL.replace(/\/[^/]*$/, `/${liveDb}`);
  let admin: pg.Client;
  let live: pg.Client;

  /** Everything a run could change: rows of every user table, the catalog's shape, roles, databases. */
  async function fingerprint(): Promise<Record<string, string>> {
    const tables = await live.query<{ t: string }>("select format('%I.%I', schemaname, tablename) as t from pg_tables where schemaname = 'public' order by 1");
    const rows: Record<string, string> = {};
    for (const { t } of tables.rows) rows[t] = (await live.query<{ h: string }>(`select md5(coalesce(string_agg(x::text, ',' order by x::text), '')) as h from ${t} x`)).rows[0].h;
    const one = async (sql: string) => (await live.query<{ h: string }>(sql)).rows[0].h;
    return {
      ...rows,
      catalog: await one("select md5(string_agg(c.oid::text || c.relname || c.relkind::text || c.relfilenode::text, ',' order by c.oid)) as h from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname not in ('pg_toast') and n.nspname not like 'pg_temp%' and n.nspname not like 'pg_toast_temp%'"),
      columns: await one("select md5(string_agg(attrelid::text || attname || atttypid::text || attnotnull::text, ',' order by attrelid, attnum)) as h from pg_attribute where attnum > 0"),
      functions: await one("select md5(string_agg(oid::text || proname, ',' order by oid)) as h from pg_proc"),
      roles: await one("select md5(string_agg(rolname || rolsuper::text || rolcreatedb::text, ',' order by rolname)) as h from pg_roles"),
      databases: await one("select md5(string_agg(datname, ',' order by datname)) as h from pg_database where datname not like 'pgarch_scratch_%'"),
    };
  }

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: SERVER_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${liveDb}`);
    await admin.query(`CREATE DATABASE ${liveDb}`);
    const engine = await openEngine({ database: liveUrl });
    await applyFiles(engine, await readSqlFiles([SHOP]));
    await engine.exec("INSERT INTO customers (email, display_name, marketing_opt_in) SELECT 'c' || g || '@example.com', 'C ' || g, false FROM generate_series(1, 50) g");
    await engine.close();
    live = new pg.Client({ connectionString: liveUrl });
    await live.connect();
  });
  afterAll(async () => {
    await live?.end();
    await admin.query(`DROP DATABASE IF EXISTS ${liveDb} WITH (FORCE)`);
    await admin.end();
  });

  it('lint schema --live, lint queries --live, lint migrations --stats-from and explain of writes change nothing', async () => {
    const before = await fingerprint();
    expect(Object.keys(before)).toContain('public.customers');
    const runs = [
      ['lint', 'schema', '--database', liveUrl],
      ['lint', 'schema', SHOP, '--database', liveUrl, '--live'],
      ['lint', 'queries', 'examples/shop/queries', '--database', liveUrl, '--live'],
      ['lint', 'migrations', SHOP, '--stats-from', liveUrl],
      ['explain', "UPDATE customers SET display_name = 'x' WHERE id < 10", '--database', liveUrl],
      ['explain', 'DELETE FROM customers', '--database', liveUrl],
    ];
    for (const args of runs) {
      const run = await pgarch([...args, '--format', 'json']);
      expect(run.stderr, args.join(' ')).toBe('');
      expect([0, 1], args.join(' ')).toContain(run.code);
      // The writes really ran (EXPLAIN ANALYZE), inside a transaction that was rolled back.
      if (args[0] === 'explain') expect((JSON.parse(run.stdout) as { plans: Array<{ plan: { analyzed?: boolean } }> }).plans.length, args.join(' ')).toBe(1);
    }
    expect(await fingerprint()).toEqual(before);
  });
});
