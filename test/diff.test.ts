// pgarch diff round trips: for each (FROM, TO) pair, FROM is built in a fresh engine, diff(FROM, TO)'s
// statements are applied to it, and the result must equal TO — by the diff's own objects (a second
// diff is empty) and by the schema fingerprint. On PGlite for every pair; a subset on the server.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fingerprintDifferences, schemaFingerprint, type SchemaFingerprint } from '../src/catalog/fingerprint.js';
import { columnOrderNotes, diffObjects, type DiffStatement } from '../src/diff/diff.js';
import { readDiffObjects } from '../src/diff/objects.js';
import { openEngine } from '../src/engine/index.js';
import type { Engine } from '../src/engine/types.js';
import { pgarch } from './helpers/cli.js';
import { ownDatabasesForSuite } from './helpers/own-database.js';
import { schemaDump } from './helpers/schema-dump.js';
import { describeServer } from './helpers/server.js';
import { PAIRS, RESET, type Pair } from './fixtures/diff-pairs.js';


async function build(sql: string, database?: string, extensions?: string[]): Promise<Engine> {
  const engine = await openEngine(database ? { database } : { extensions });
  if (sql) await engine.exec(sql);
  return engine;
}

async function apply(engine: Engine, statements: DiffStatement[]): Promise<void> {
  for (const s of statements) {
    try {
      await engine.exec(s.sql);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n  in: ${s.sql}\n  all:\n${statements.map((x) => x.sql).join('\n')}`);
    }
  }
}

/** FROM on `fromEngine`, TO on `toEngine`: diff, apply, and compare. Returns the statements. */
async function roundTrip(pair: Pair, fromEngine: Engine, toEngine: Engine, owners?: { from: string; to: string }): Promise<DiffStatement[]> {
  // On the server each side's database has an owner of its own, whom its privileges name.
  const sameOwner = (fp: SchemaFingerprint) => (owners ? (JSON.parse(JSON.stringify(fp).replaceAll(owners.from, owners.to)) as SchemaFingerprint) : fp);
  const statements = diffObjects(await readDiffObjects(fromEngine), await readDiffObjects(toEngine));
  expect(statements.length, 'FROM and TO differ').toBeGreaterThan(0);
  const all = statements.map((s) => s.sql).join('\n');
  if (pair.expect) expect(all).toMatch(pair.expect);
  if (pair.never) expect(all).not.toMatch(pair.never);
  if (pair.data) await fromEngine.exec(pair.data.insert);
  await apply(fromEngine, statements);
  if (pair.data) expect((await fromEngine.query(pair.data.keeps)).rows, 'rows kept').toHaveLength(1);
  const again = diffObjects(await readDiffObjects(fromEngine), await readDiffObjects(toEngine));
  expect(again.map((s) => s.sql), `still differs after:\n${all}`).toEqual([]);
  expect(fingerprintDifferences(sameOwner(await schemaFingerprint(fromEngine)), await schemaFingerprint(toEngine)), `fingerprint differs after:\n${all}`).toEqual([]);
  return statements;
}

describe('diff round trips on PGlite', () => {
  for (const pair of PAIRS) {
    it(pair.name, async () => {
      const [a, b] = await Promise.all([build(pair.from, undefined, pair.extensions), build(pair.to, undefined, pair.extensions)]);
      try {
        await roundTrip(pair, a, b);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  }

  it('finds nothing between two builds of the same schema', async () => {
    // Every kind at once: the TO sides of pairs that do not share names.
    const names = ['schema with a table', 'domain with a check', 'foreign keys in a cycle', 'trigger with its function', 'partitioned table and partitions', 'enum value added', 'sequence added and changed', 'exclusion constraint'];
    const sql = names.map((n) => PAIRS.find((p) => p.name === n)!.to).join('\n');
    const [a, b] = await Promise.all([build(sql), build(sql)]);
    try {
      expect((await readDiffObjects(a)).length).toBeGreaterThan(20);
      expect(diffObjects(await readDiffObjects(a), await readDiffObjects(b))).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describeServer('diff round trips on the server', () => {
  const [from, to] = ownDatabasesForSuite('pgarch_diff_from', 'pgarch_diff_to');
  it('reads a database URL as one side (pgarch diff URL FILE)', async () => {
    // Before the pairs reset the public schema: the database as CREATE DATABASE made it, plus one table.
    await from.run('CREATE TABLE t (id int PRIMARY KEY, name text);');
    const file = join(mkdtempSync(join(tmpdir(), 'pgarch-diff-url-')), 'to.sql');
    writeFileSync(file, 'CREATE TABLE t (id int PRIMARY KEY, name text, note text);\n');
    const r = await pgarch(['diff', from.url, file]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('ALTER TABLE public.t ADD COLUMN note text;\n');
    expect(r.code).toBe(1);
  });
  for (const pair of PAIRS.filter((p) => !p.pgliteOnly)) {
    it(pair.name, async () => {
      const reset = RESET;
      const [a, b] = await Promise.all([build(`${reset} ${pair.from}`, from.url), build(`${reset} ${pair.to}`, to.url)]);
      try {
        const wanted = schemaDump(to.url, to.name);
        expect(schemaDump(from.url, from.name), 'pg_dump tells FROM and TO apart').not.toBe(wanted);
        const statements = await roundTrip(pair, a, b, { from: from.name, to: to.name });
        expect(schemaDump(from.url, from.name), `pg_dump differs after:\n${statements.map((s) => s.sql).join('\n')}`).toBe(wanted);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  }
});

describe('column order', () => {
  it('says which tables the statements leave in another column order than TO', async () => {
    const [a, b] = await Promise.all([build('CREATE TABLE t (id int, b int); CREATE TABLE u (x int);'), build('CREATE TABLE t (id int, a int, b int); CREATE TABLE u (x int, y int);')]);
    try {
      const [from, to] = [await readDiffObjects(a), await readDiffObjects(b)];
      expect(columnOrderNotes(from, to)).toEqual(['public.t: the columns will be in the order id, b, a, not id, a, b (PostgreSQL cannot move a column)']);
      expect(diffObjects(from, to).map((s) => s.sql)).toEqual(['ALTER TABLE public.t ADD COLUMN a integer;', 'ALTER TABLE public.u ADD COLUMN y integer;']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('diff of two 500-table schemas', () => {
  // How long it takes is bench/diff.ts's to say (npm run bench diff); here, that the answer is right.
  it('finds the 50 added columns and the 72 changed indexes of a 500-table schema, and nothing else', async () => {
    const schema = (changed: boolean) =>
      Array.from({ length: 500 }, (_, i) =>
        [
          `CREATE TABLE t${i} (id bigint PRIMARY KEY, name text NOT NULL DEFAULT '', ${i ? `parent bigint REFERENCES t${i - 1},` : ''} at timestamptz DEFAULT now()${changed && i % 10 === 0 ? ', extra int' : ''});`,
          `CREATE INDEX t${i}_name ON t${i} (name${changed && i % 7 === 0 ? ', id' : ''});`,
          `COMMENT ON TABLE t${i} IS 'table ${i}';`,
        ].join(' '),
      ).join('\n');
    const [a, b] = await Promise.all([build(schema(false)), build(schema(true))]);
    try {
      const statements = diffObjects(await readDiffObjects(a), await readDiffObjects(b));
      expect(statements).toHaveLength(50 + 72 * 2); // 50 columns added; 72 indexes dropped and made again
      expect(statements.filter((s) => /ADD COLUMN extra integer/.test(s.sql))).toHaveLength(50);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('pgarch diff (CLI)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pgarch-diff-'));
    writeFileSync(join(dir, 'from.sql'), 'CREATE TABLE t (id int PRIMARY KEY, name text);\n');
    writeFileSync(join(dir, 'to.sql'), 'CREATE TABLE t (id bigint PRIMARY KEY, name text NOT NULL);\nCREATE INDEX t_name ON t (name);\n');
  });

  it('prints the DDL and exits 1 when the schemas differ', async () => {
    const r = await pgarch(['diff', join(dir, 'from.sql'), join(dir, 'to.sql')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        'ALTER TABLE public.t ALTER COLUMN id TYPE bigint USING id::bigint;',
        'ALTER TABLE public.t ALTER COLUMN name SET NOT NULL;',
        'CREATE INDEX t_name ON public.t USING btree (name);',
        '',
      ].join('\n'),
    );
  });

  it('exits 0 when they are equal, and prints JSON', async () => {
    const same = await pgarch(['diff', join(dir, 'from.sql'), join(dir, 'from.sql')]);
    expect(same.code).toBe(0);
    const json = await pgarch(['diff', join(dir, 'from.sql'), join(dir, 'to.sql'), '--format', 'json']);
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout) as { statements: Array<{ sql: string; kind: string; object: string; destructive: boolean }> };
    expect(parsed.statements[0]).toMatchObject({ kind: 'column', object: 'column public.t.id', destructive: true });
  });

  it('reads a migrations folder as the schema its migrations build', async () => {
    const migrations = join(dir, 'migrations');
    mkdirSync(migrations);
    writeFileSync(join(migrations, '0001_create.sql'), 'CREATE TABLE t (id int PRIMARY KEY);\n');
    writeFileSync(join(migrations, '0002_name.sql'), 'ALTER TABLE t ADD COLUMN name text;\n');
    const same = await pgarch(['diff', migrations, join(dir, 'from.sql')]);
    expect(same.stderr).toBe('');
    expect(same.code).toBe(0);
    expect(same.stdout).toBe('');
  });

  it('reads a model file as the schema pgarch model generates from it', async () => {
    const same = await pgarch(['diff', 'examples/model/shop.yaml', 'examples/model/shop.yaml']);
    expect(same.stdout).toBe('');
    expect(same.code).toBe(0);
    const r = await pgarch(['diff', 'examples/plan/from.sql', 'examples/model/shop.yaml']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^CREATE TABLE public\.products \(/m);
  });
  it('exits 2 on a side that does not build', async () => {
    writeFileSync(join(dir, 'bad.sql'), 'CREATE TABLE t (id int REFERENCES nowhere);\n');
    const r = await pgarch(['diff', join(dir, 'from.sql'), join(dir, 'bad.sql')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nowhere/);
  });
});
