// pgarch plan: for every (FROM, TO) pair of the diff's round trips, the plan lints with no error finding
// and its migrations, applied in order to a fresh FROM, reach TO (by the diff's objects and by the schema
// fingerprint); the online forms on a schema with all of them; refusals; a backfill under concurrent
// inserts on the server; the CLI writing into a project's own layout.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { fingerprintDifferences, schemaFingerprint } from '../src/catalog/fingerprint.js';
import { diffObjects } from '../src/diff/diff.js';
import { readDiffObjects } from '../src/diff/objects.js';
import { planOnEngine } from '../src/diff/plan-run.js';
import type { PlanMigration } from '../src/diff/plan.js';
import { openEngine } from '../src/engine/index.js';
import type { Engine } from '../src/engine/types.js';
import { PAIRS, RESET } from './fixtures/diff-pairs.js';
import { pgarch } from './helpers/cli.js';
import { ownDatabasesForSuite } from './helpers/own-database.js';
import { schemaDump } from './helpers/schema-dump.js';
import { describeServer } from './helpers/server.js';

async function build(sql: string, extensions?: string[]): Promise<Engine> {
  const engine = await openEngine({ extensions });
  if (sql) await engine.exec(sql);
  return engine;
}

/** Each migration as a runner runs it: a transactional one in BEGIN…COMMIT, the others statement by statement. */
async function applyMigrations(engine: Engine, migrations: PlanMigration[]): Promise<void> {
  for (const m of migrations) {
    try {
      if (m.transactional) await engine.exec(['BEGIN;', ...m.statements, 'COMMIT;'].join('\n'));
      else for (const s of m.statements) await engine.exec(s);
    } catch (error) {
      if (m.transactional) await engine.exec('ROLLBACK').catch(() => {});
      throw new Error(`${m.name}: ${(error as Error).message}\n${m.statements.join('\n')}`);
    }
  }
}

describe('plan round trips on PGlite', () => {
  for (const pair of PAIRS) {
    it(pair.name, async () => {
      const [scratch, target] = await Promise.all([build(pair.from, pair.extensions), build(pair.to, pair.extensions)]);
      try {
        const to = await readDiffObjects(target);
        // The plan is tried on the engine it is given: FROM with rows in it, which it must keep.
        if (pair.data) await scratch.exec(pair.data.insert);
        const plan = await planOnEngine(scratch, to, { allowDestructive: true });
        expect(plan.migrations.length, 'FROM and TO differ').toBeGreaterThan(0);
        const errors = plan.findings.filter((f) => f.severity === 'error');
        expect(errors.map((f) => `${f.rule} ${f.location?.file}:${f.location?.line} ${f.message}`)).toEqual([]);
        for (const m of plan.migrations) if (m.transactional) expect(m.statements[0], `${m.name} sets lock_timeout first`).toMatch(/^SET lock_timeout = '\d+ms';$/);
        if (pair.data) expect((await scratch.query(pair.data.keeps)).rows, 'rows kept').toHaveLength(1);
        // Where the phases left it: TO, by the diff's objects and by the schema fingerprint (a second judge).
        expect(diffObjects(await readDiffObjects(scratch), to).map((s) => s.sql)).toEqual([]);
        expect(fingerprintDifferences(await schemaFingerprint(scratch), await schemaFingerprint(target))).toEqual([]);
      } finally {
        await Promise.all([scratch.close(), target.close()]);
      }
    });
  }

  it('gives each migration the down step that takes the catalog back', async () => {
    // Applied in order, then the down steps in reverse: FROM again.
    const pair = PAIRS.find((p) => p.name === 'foreign key to a new table')!;
    const [scratch, target, fresh, original] = await Promise.all([build(pair.from), build(pair.to), build(pair.from), build(pair.from)]);
    try {
      const plan = await planOnEngine(scratch, await readDiffObjects(target), { noLint: true });
      await applyMigrations(fresh, plan.migrations);
      await applyMigrations(fresh, plan.migrations.map((m) => ({ ...m, statements: m.down })).reverse());
      expect(diffObjects(await readDiffObjects(fresh), await readDiffObjects(original)).map((s) => s.sql)).toEqual([]);
    } finally {
      await Promise.all([scratch.close(), target.close(), fresh.close(), original.close()]);
    }
  });
});

const FROM = `
CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total int, status text);
CREATE INDEX orders_status ON orders (status);`;
const TO = `
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, full_name text, token uuid DEFAULT gen_random_uuid(), created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users, total numeric(12,2), status text CHECK (status <> ''), code text UNIQUE);
CREATE INDEX orders_user ON orders (user_id);`;

describe('the online forms', () => {
  let migrations: PlanMigration[];
  let notes: string[];
  let findings: Awaited<ReturnType<typeof planOnEngine>>['findings'];
  beforeAll(async () => {
    const [scratch, target] = await Promise.all([build(FROM), build(TO)]);
    try {
      ({ migrations, notes, findings } = await planOnEngine(scratch, await readDiffObjects(target), { renames: ['users.name=full_name'], allowDestructive: true, batch: 500 }));
    } finally {
      await Promise.all([scratch.close(), target.close()]);
    }
  });
  const named = (prefix: string) => migrations.filter((m) => m.name.startsWith(prefix));
  const sqlOf = (prefix: string) => named(prefix).flatMap((m) => m.statements).join('\n');

  it('orders the phases expand, backfill, contract', () => {
    const phases = migrations.map((m) => m.phase);
    expect(phases.indexOf('backfill')).toBeGreaterThan(phases.lastIndexOf('expand'));
    expect(phases.indexOf('contract')).toBeGreaterThan(phases.lastIndexOf('backfill'));
  });
  it('builds indexes CONCURRENTLY outside a transaction, a unique constraint from its index', () => {
    const [indexes] = named('expand_indexes');
    expect(indexes.transactional).toBe(false);
    expect(indexes.statements).toContain('CREATE INDEX CONCURRENTLY orders_user ON public.orders USING btree (user_id);');
    expect(indexes.statements).toContain('CREATE UNIQUE INDEX CONCURRENTLY orders_code_key ON public.orders USING btree (code);');
    expect(sqlOf('expand_validate')).toContain('ALTER TABLE public.orders ADD CONSTRAINT orders_code_key UNIQUE USING INDEX orders_code_key;');
    expect(indexes.down).toContain('DROP INDEX CONCURRENTLY public.orders_user;');
    expect(sqlOf('contract_drop_indexes')).toContain('DROP INDEX CONCURRENTLY public.orders_status;');
  });
  it('adds foreign keys and checks NOT VALID, and validates them in a later transaction', () => {
    expect(sqlOf('expand_')).toContain('ALTER TABLE public.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) NOT VALID;');
    expect(sqlOf('expand_validate')).toContain('ALTER TABLE public.orders VALIDATE CONSTRAINT orders_user_id_fkey;');
    expect(sqlOf('expand_validate')).toContain('ALTER TABLE public.orders VALIDATE CONSTRAINT orders_status_check;');
  });
  it('makes NOT NULL from a CHECK added NOT VALID in the contract phase, validated, then SET NOT NULL', () => {
    expect(sqlOf('contract_check')).toContain('ALTER TABLE public.users ADD CONSTRAINT users_email_pgarch_nn CHECK (email IS NOT NULL) NOT VALID;');
    expect(sqlOf('contract_validate')).toContain('ALTER TABLE public.users VALIDATE CONSTRAINT users_email_pgarch_nn;');
    expect(sqlOf('contract_not_null')).toMatch(/SET NOT NULL;\nALTER TABLE public\.users DROP CONSTRAINT users_email_pgarch_nn;/);
    expect(notes.join('\n')).toContain('public.users.email: rows that still hold NULL need a value');
  });
  it('adds a column with a volatile default bare, sets the default, and backfills the old rows', () => {
    expect(sqlOf('expand_')).toMatch(/ADD COLUMN token uuid;\nALTER TABLE public\.users ALTER COLUMN token SET DEFAULT gen_random_uuid\(\);/);
    expect(sqlOf('backfill_users_token')).toMatch(/SET token = gen_random_uuid\(\) FROM pgarch_batch .* AND \(token IS NULL\)/);
    // A constant-like default (now() is stable) needs nothing: PostgreSQL 11+ stores it without a rewrite.
    expect(sqlOf('expand_')).toContain('ADD COLUMN created_at timestamp with time zone DEFAULT now() NOT NULL;');
  });
  it('retypes a column by a new one kept in step by a trigger, backfilled, and swapped in', () => {
    expect(sqlOf('expand_')).toContain('ALTER TABLE public.orders ADD COLUMN total_pgarch_new numeric(12,2);');
    expect(sqlOf('expand_')).toContain('NEW.total_pgarch_new := NEW.total::numeric(12,2);');
    const [backfill] = named('backfill_orders_total');
    expect(backfill.transactional).toBe(false);
    expect(backfill.statements[0]).toMatch(/LIMIT 500[\s\S]*COMMIT;/);
    const swap = sqlOf('contract_swap_orders_total');
    expect(swap).toMatch(/DROP TRIGGER orders_total_pgarch_sync ON public\.orders;[\s\S]*DROP COLUMN total;[\s\S]*RENAME COLUMN total_pgarch_new TO total;/);
  });
  it('renames by a new column, a dual-write trigger and a backfill, and drops the old name at the end', () => {
    expect(sqlOf('expand_')).toContain('ALTER TABLE public.users ADD COLUMN full_name text;');
    expect(sqlOf('expand_')).toContain('ELSIF NEW.full_name IS DISTINCT FROM OLD.full_name THEN NEW.name := NEW.full_name;');
    expect(sqlOf('backfill_users_full_name')).toContain('SET full_name = name');
    expect(sqlOf('contract_swap_users_full_name')).toMatch(/DROP FUNCTION public\.users_full_name_pgarch_sync\(\);\nALTER TABLE public\.users DROP COLUMN name;/);
    expect(sqlOf('')).not.toMatch(/RENAME COLUMN name/);
  });
  it('lints clean of errors, and each down step takes the catalog back', () => {
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(named('expand_1')[0].down.join('\n')).toContain('ALTER TABLE public.users DROP COLUMN full_name;');
    expect(named('contract_swap_users_full_name')[0].down.join('\n')).toContain('ALTER TABLE public.users ADD COLUMN name text;');
  });
});

describe('what the plan refuses', () => {
  const plan = async (from: string, to: string, options: Parameters<typeof planOnEngine>[2] = {}) => {
    const [scratch, target] = await Promise.all([build(from), build(to)]);
    try {
      return await planOnEngine(scratch, await readDiffObjects(target), options);
    } finally {
      await Promise.all([scratch.close(), target.close()]);
    }
  };
  it('a destructive step without --allow-destructive, naming it', async () => {
    await expect(plan('CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE gone (x int);', 'CREATE TABLE t (id int PRIMARY KEY);')).rejects.toThrow(/would lose data, and --allow-destructive was not given:\n {2}DROP TABLE public\.gone;/);
  });
  it('a likely rename, asking for --rename', async () => {
    await expect(plan('CREATE TABLE t (id int PRIMARY KEY, name text);', 'CREATE TABLE t (id int PRIMARY KEY, full_name text);')).rejects.toThrow(/public\.t\.name is dropped and public\.t\.full_name added in its place, both text: a rename\? --rename public\.t\.name=full_name keeps its data/);
  });
  it('a --rename that names no column', async () => {
    await expect(plan('CREATE TABLE t (id int PRIMARY KEY, name text);', 'CREATE TABLE t (id int PRIMARY KEY, full_name text);', { renames: ['t.nme=full_name'] })).rejects.toThrow(/--rename t\.nme=full_name: FROM has no column t\.nme/);
  });
});

describeServer('plan round trips on the server (every third pair)', () => {
  const [from, to] = ownDatabasesForSuite('pgarch_plan_from', 'pgarch_plan_to');
  for (const pair of PAIRS.filter((p) => !p.pgliteOnly).filter((_, i) => i % 3 === 0)) {
    it(pair.name, async () => {
      const [scratch, target] = await Promise.all([openEngine({ database: from.url }), openEngine({ database: to.url })]);
      try {
        await scratch.exec(`${RESET} ${pair.from}`);
        await target.exec(`${RESET} ${pair.to}`);
        if (pair.data) await scratch.exec(pair.data.insert);
        const wanted = schemaDump(to.url, to.name);
        const plan = await planOnEngine(scratch, await readDiffObjects(target), { allowDestructive: true });
        expect(plan.findings.filter((f) => f.severity === 'error').map((f) => f.message)).toEqual([]);
        // The plan ran on FROM's database itself (planOnEngine applies it to the engine it is given).
        if (pair.data) expect((await scratch.query(pair.data.keeps)).rows, 'rows kept').toHaveLength(1);
        expect(schemaDump(from.url, from.name)).toBe(wanted);
      } finally {
        await Promise.all([scratch.close(), target.close()]);
      }
    });
  }
});

describeServer('plan on the server', () => {
  const [db] = ownDatabasesForSuite('pgarch_plan');

  it('plans from a database URL, read only: the plan is tried on a copy, the database keeps its schema', async () => {
    await db.run('CREATE TABLE things (id bigint PRIMARY KEY, label text);');
    const to = join(mkdtempSync(join(tmpdir(), 'pgarch-plan-url-')), 'to.sql');
    writeFileSync(to, 'CREATE TABLE things (id bigint PRIMARY KEY, label text NOT NULL, note text);\nCREATE INDEX things_note ON things (note);\n');
    const r = await pgarch(['plan', db.url, to, '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('CREATE INDEX CONCURRENTLY things_note ON public.things USING btree (note);');
    expect(r.stdout).toContain('ALTER TABLE public.things ADD CONSTRAINT things_label_pgarch_nn CHECK (label IS NOT NULL) NOT VALID;');
    const columns = await db.run(`SELECT column_name FROM information_schema.columns WHERE table_name = 'things' ORDER BY ordinal_position`);
    expect(columns.map((c) => c.column_name)).toEqual(['id', 'label']);
    await db.run('DROP TABLE things;');
  });

  it('backfills under concurrent inserts and updates, losing no row, and the phases reach TO', async () => {
    await db.run(`CREATE TABLE accounts (id bigserial PRIMARY KEY, name text NOT NULL, balance int NOT NULL DEFAULT 0);
      INSERT INTO accounts (name, balance) SELECT 'a' || g, g FROM generate_series(1, 20000) g;`);
    const engine = await openEngine({ database: db.url });
    const target = await build(`CREATE TABLE accounts (id bigserial PRIMARY KEY, full_name text NOT NULL, balance bigint NOT NULL DEFAULT 0);`);
    let plan: Awaited<ReturnType<typeof planOnEngine>>;
    // The plan is tried on a copy: a PGlite engine holding FROM's schema, not the database with the rows.
    const copy = await build(`CREATE TABLE accounts (id bigserial PRIMARY KEY, name text NOT NULL, balance int NOT NULL DEFAULT 0);`);
    try {
      plan = await planOnEngine(copy, await readDiffObjects(target), { renames: ['accounts.name=full_name'], batch: 700 });
    } finally {
      await Promise.all([copy.close()]);
    }
    expect(plan.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const phase = (p: string) => plan.migrations.filter((m) => m.phase === p);
    try {
      await applyMigrations(engine, phase('expand'));
      // A second connection inserts and updates while the backfills run on the first.
      const writer = new pg.Client({ connectionString: db.url });
      await writer.connect();
      let stop = false;
      let inserted = 0;
      let failed: unknown;
      const writes = (async () => {
        while (!stop) {
          await writer.query(`INSERT INTO accounts (name, balance) VALUES ('w' || $1::int, $1::int)`, [inserted]);
          inserted += 1;
          await writer.query(`UPDATE accounts SET name = name || '!' WHERE id = $1::int`, [1 + (inserted % 20000)]);
        }
      })().catch((error: unknown) => {
        failed = error;
      });
      try {
        await new Promise((resolve) => setTimeout(resolve, 100));
        await applyMigrations(engine, phase('backfill'));
      } finally {
        stop = true;
        await writes;
        await writer.end();
      }
      expect(failed).toBeUndefined();
      expect(inserted).toBeGreaterThan(0);
      const [counts] = await db.run(`SELECT count(*)::int AS rows, count(*) FILTER (WHERE full_name IS DISTINCT FROM name)::int AS apart, count(*) FILTER (WHERE balance_pgarch_new IS DISTINCT FROM balance::bigint)::int AS unconverted FROM accounts`);
      expect(counts).toEqual({ rows: 20000 + inserted, apart: 0, unconverted: 0 });
      await applyMigrations(engine, phase('contract'));
      const [after] = await db.run(`SELECT count(*)::int AS rows, count(full_name)::int AS named, sum(balance)::text AS balance FROM accounts`);
      expect(after.rows).toBe(20000 + inserted);
      expect(after.named).toBe(after.rows);
      expect(diffObjects(await readDiffObjects(engine), await readDiffObjects(target)).map((s) => s.sql)).toEqual([]);
    } finally {
      await Promise.all([engine.close(), target.close()]);
    }
  }, 120_000);
});

describe('pgarch plan (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgarch-plan-cli-'));
  const from = join(dir, 'from.sql');
  const to = join(dir, 'to.sql');
  writeFileSync(from, 'CREATE TABLE t (id int PRIMARY KEY, name text);\n');
  writeFileSync(to, 'CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL, note text);\nCREATE INDEX t_note ON t (note);\n');

  it('prints the phases and exits 0', async () => {
    const r = await pgarch(['plan', from, to, '-q']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^-- pgarch plan: \d+ migrations \(expand \d+, backfill 0, contract \d+\), applied to a copy of FROM and checked to reach TO/);
    expect(r.stdout).toContain('CREATE INDEX CONCURRENTLY t_note ON public.t USING btree (note);');
    expect(r.stdout).toMatch(/-- lint: 0 errors/);
  });
  it('writes the migrations into a golang-migrate folder as that tool reads them', async () => {
    const out = join(dir, 'migrations');
    mkdirSync(out);
    writeFileSync(join(out, '000001_init.up.sql'), 'CREATE TABLE t (id int PRIMARY KEY, name text);\n');
    writeFileSync(join(out, '000001_init.down.sql'), 'DROP TABLE t;\n');
    const r = await pgarch(['plan', out, to, '--out', out, '-q', '--format', 'json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { written: string[]; migrations: Array<{ name: string }> };
    expect(json.written.length).toBeGreaterThanOrEqual(json.migrations.length);
    const files = readdirSync(out).sort();
    expect(files).toContain('000002_expand.up.sql');
    expect(files.filter((f) => f.endsWith('.up.sql')).length).toBe(files.filter((f) => f.endsWith('.down.sql')).length);
    // golang-migrate sends a file as one query string: a CONCURRENTLY build gets a migration of its own.
    const concurrent = files.filter((f) => f.endsWith('.up.sql') && readFileSync(join(out, f), 'utf8').includes('CREATE INDEX CONCURRENTLY t_note'));
    expect(concurrent).toHaveLength(1);
    expect(readFileSync(join(out, concurrent[0]), 'utf8').split('\n').filter((l) => l && !l.startsWith('--'))).toEqual(['CREATE INDEX CONCURRENTLY t_note ON public.t USING btree (note);']);
    // Read back as the schema its migrations build: TO.
    const again = await pgarch(['diff', out, to]);
    expect(again.stdout).toBe('');
    expect(again.code).toBe(0);
  });
  it('exits 2 with one line per destructive step without --allow-destructive', async () => {
    const r = await pgarch(['plan', to, from, '-q']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pgarch: the plan would lose data, and --allow-destructive was not given:\n  ALTER TABLE public.t DROP COLUMN note;');
  });
});
