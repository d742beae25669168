// The Engine boundary on both engines: queries with parameters, scripts, transactions, errors with
// positions, scratch databases that disappear, and connection errors that never show a password.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError, openEngine, redact, type Engine } from '../src/engine/index.js';
import { describeServer, ENGINES, SERVER_URL } from './helpers/server.js';

for (const target of ENGINES) {
  describe(`engine: ${target.name}`, () => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await openEngine({ database: target.database, scratch: true, extensions: ['pgcrypto', 'citext'] });
    });
    afterAll(() => engine?.close());

    it('reports its kind and version', async () => {
      expect(engine.kind).toBe(target.name);
      const v = await engine.version();
      expect(v.major).toBe(target.name === 'pglite' ? 18 : 15);
      expect(v.text).toMatch(/^PostgreSQL \d+/);
    });

    it('runs scripts and parameterised queries', async () => {
      await engine.exec('create table kv (k text primary key, v int); insert into kv values ($$a$$, 1), ($$b$$, 2);');
      const { rows } = await engine.query<{ v: number }>('select v from kv where k = $1', ['b']);
      expect(rows).toEqual([{ v: 2 }]);
      // A parameter is data, never SQL.
      const injected = await engine.query('select count(*)::int as n from kv where k = $1', ["a' or '1'='1"]);
      expect(injected.rows).toEqual([{ n: 0 }]);
    });

    it('commits a transaction that resolves and rolls back one that throws', async () => {
      await engine.transaction((tx) => tx.exec(`insert into kv values ('c', 3)`));
      await expect(
        engine.transaction(async (tx) => {
          await tx.exec(`insert into kv values ('d', 4)`);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const { rows } = await engine.query<{ k: string }>('select k from kv order by k');
      expect(rows.map((r) => r.k)).toEqual(['a', 'b', 'c']);
    });

    it('normalises errors with SQLSTATE and 1-based position', async () => {
      const error = await engine.exec('select nope from kv').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).code).toBe('42703');
      expect((error as EngineError).position).toBe(8);
      expect((error as EngineError).message).toContain('nope');
    });

    it('creates contrib extensions on demand', async () => {
      await engine.exec('create extension if not exists pgcrypto; create extension if not exists citext;');
      const { rows } = await engine.query<{ ok: boolean }>("select length(gen_random_uuid()::text) = 36 and 'A'::citext = 'a'::citext as ok");
      expect(rows[0].ok).toBe(true);
    });
  });
}

describe('embedded contrib extensions', () => {
  it('loads the extensions a real schema needs when a file creates them', async () => {
    const names = ['pgcrypto', 'uuid-ossp', 'citext', 'pg_trgm', 'hstore', 'ltree', 'btree_gin', 'btree_gist'];
    const engine = await openEngine({ extensions: names });
    try {
      for (const name of names) await engine.exec(`CREATE EXTENSION IF NOT EXISTS "${name}"`);
      const { rows } = await engine.query<{ ok: boolean }>(
        "select uuid_generate_v4() is not null and similarity('postgres', 'postgre') > 0.5 and ('a=>1'::hstore -> 'a') = '1' and 'a.b'::ltree @> 'a.b.c'::ltree as ok",
      );
      expect(rows[0].ok).toBe(true);
      // Not shipped with PGlite: a clear PostgreSQL error, not a crash.
      await expect(engine.exec('CREATE EXTENSION postgis')).rejects.toThrow(/postgis/);
    } finally {
      await engine.close();
    }
  });
});

describeServer('server scratch database', () => {
  it('creates a temporary database and drops it on close', async () => {
    const engine = await openEngine({ database: SERVER_URL, scratch: true });
    const { rows } = await engine.query<{ db: string }>('select current_database() as db');
    expect(rows[0].db).toMatch(/^pgarch_scratch_/);
    expect(engine.description).toContain(rows[0].db);
    await engine.close();
    const admin = new pg.Client({ connectionString: SERVER_URL });
    await admin.connect();
    const left = await admin.query('select 1 from pg_database where datname = $1', [rows[0].db]);
    await admin.end();
    expect(left.rowCount).toBe(0);
  });

  it('a read-only session refuses writes', async () => {
    const engine = await openEngine({ database: SERVER_URL, readOnly: true });
    await expect(engine.exec('create table pgarch_should_not_exist (id int)')).rejects.toThrow(/read-only/);
    await engine.close();
  });
});

describe('connection errors and redaction', () => {
  it('says which server failed, in one line, without the password', async () => {
    const error = (await openEngine({ database: 'postgres://alice:hunter2secret@127.0.0.1:1/app' }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(EngineError);
    expect(error.message).toContain('postgres://alice:***@127.0.0.1:1/app');
    expect(error.message).not.toContain('hunter2secret');
    expect(error.message.split('\n')).toHaveLength(1);
  });

  it('redacts URL and keyword passwords', () => {
    expect(redact('postgresql://u:p%40ss@h/db and password=topsecret x')).toBe('postgresql://u:***@h/db and password=*** x');
    expect(redact("host=h password='a b' user=u")).toBe('host=h password=*** user=u');
    expect(redact('postgres://u@h/db')).toBe('postgres://u@h/db');
  });
});
