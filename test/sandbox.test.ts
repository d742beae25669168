// A server scratch is a sandbox: SQL from user files runs inside one transaction of the scratch's own,
// so nothing outside the scratch database changes — roles, memberships, settings, database ACLs,
// tablespaces, ALTER SYSTEM — and the migrations' own transactions behave as PostgreSQL runs them.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError, NotExecutedError, openEngine, type Engine } from '../src/engine/index.js';
import { lintSchema } from '../src/lint/schema.js';
import { review } from '../src/lint/review.js';
import { lintMigrations } from '../src/migrate/lint.js';
import { traceFile } from '../src/migrate/trace.js';
import { explainQueries } from '../src/explain/explain.js';
import { lintQueries } from '../src/query/lint.js';
import { pgarch } from './helpers/cli.js';
import { describeServer, ENGINES, SERVER_URL } from './helpers/server.js';

const suffix = `${process.pid}_${Date.now().toString(36)}`;
const OWNER = `pgarch_sandbox_owner_${suffix}`;
const VICTIM = `pgarch_sandbox_victim_${suffix}`;
const NEWROLE = `pgarch_sandbox_new_${suffix}`;
// A database of the test's own is the "other database" the hostile SQL grants on and configures.
const TARGET_DB = `pgarch_sandbox_target_${suffix}`;

/** The server URL, connecting as another role. */
function urlAs(role: string): string {
  const url = new URL(SERVER_URL);
  url.username = role;
  url.password = '';
  return url.toString();
}

// Every cluster-wide catalog the issue names, as text. Left out: the scratch databases of runs going on
// in parallel test files, and the fixtures other test files make meanwhile (a role or database named
// pgarch_<what>_<pid> of another worker: each test file names its own that way). pgarch itself never
// names anything so, and this file's own fixtures carry a random suffix, so both stay checked.
const OTHERS = `^pgarch_[a-z_]+_[0-9]+$`;
const CLUSTER_STATE = `
select 'authid', (select string_agg(a::text, E'\\n' order by rolname) from pg_authid a where rolname !~ $1)
union all select 'auth_members', (select string_agg(format('%s %s %s %s', roleid::regrole, member::regrole, grantor::regrole, admin_option), E'\\n' order by 1) from pg_auth_members m
  where not exists (select 1 from pg_authid a where a.oid in (m.roleid, m.member) and a.rolname ~ $1))
union all select 'db_role_setting', (select string_agg(s::text, E'\\n' order by 1) from pg_db_role_setting s
  where not exists (select 1 from pg_database d where d.oid = s.setdatabase and d.datname ~ $1)
    and not exists (select 1 from pg_authid a where a.oid = s.setrole and a.rolname ~ $1))
union all select 'database', (select string_agg(concat_ws(' ', datname, datdba, datistemplate, datallowconn, datconnlimit, dattablespace, datacl::text), E'\\n' order by datname) from pg_database
  where datname not like 'pgarch\\_scratch\\_%' and datname !~ $1)
union all select 'tablespace', (select string_agg(t::text, E'\\n' order by spcname) from pg_tablespace t)
union all select 'file_settings', (select string_agg(f::text, E'\\n' order by sourcefile, sourceline) from pg_file_settings f)
union all select 'shdescription', (select string_agg(d::text, E'\\n' order by 1) from pg_shdescription d)`;

async function clusterState(): Promise<Record<string, string | null>> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ '?column?': string; string_agg: string | null }>(CLUSTER_STATE, [OTHERS]);
    return Object.fromEntries(rows.map((r) => [Object.values(r)[0], Object.values(r)[1]]));
  } finally {
    await client.end();
  }
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const HOSTILE = {
  '0001_roles.sql': `
CREATE TABLE accounts (id bigint PRIMARY KEY, owner text);
CREATE ROLE ${NEWROLE} LOGIN;
GRANT ${VICTIM} TO ${NEWROLE};
ALTER ROLE ${VICTIM} NOSUPERUSER NOLOGIN CONNECTION LIMIT 1;
ALTER ROLE ${OWNER} NOCREATEDB;
ALTER ROLE ${VICTIM} SET work_mem = '1MB';
ALTER ROLE ${VICTIM} IN DATABASE ${TARGET_DB} SET statement_timeout = '1s';
ALTER DATABASE ${TARGET_DB} SET lock_timeout = '7s';
GRANT CONNECT, TEMPORARY ON DATABASE ${TARGET_DB} TO ${NEWROLE};
REVOKE CONNECT ON DATABASE ${TARGET_DB} FROM PUBLIC;
COMMENT ON ROLE ${VICTIM} IS 'changed by a migration';
GRANT SELECT ON accounts TO ${NEWROLE};
`,
  '0002_cluster.sql': `
ALTER SYSTEM SET log_temp_files = 12345;
CREATE DATABASE pgarch_sandbox_db_${suffix};
CREATE TABLESPACE pgarch_sandbox_ts LOCATION '/tmp';
VACUUM accounts;
SELECT pg_reload_conf();
`,
  '0003_dynamic.sql': `
DO $$
BEGIN
  EXECUTE 'ALTER ROLE ${VICTIM} CREATEROLE';
  EXECUTE 'CREATE ROLE ${NEWROLE}_dyn';
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', '${TARGET_DB}', '${NEWROLE}_dyn');
  EXECUTE format('ALTER ROLE %I SET search_path = %L', '${VICTIM}', 'nowhere');
END $$;
DO $$ BEGIN EXECUTE 'ALTER SYSTEM SET log_temp_files = 54321'; END $$;
DO $$ BEGIN EXECUTE 'CREATE DATABASE pgarch_sandbox_dyn_${suffix}'; END $$;
CREATE FUNCTION escalate() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE 'ALTER ROLE ${VICTIM} PASSWORD ''secret''';
  EXECUTE 'GRANT pg_read_all_data TO ${VICTIM}';
END $$;
SELECT escalate();
BEGIN;
ALTER ROLE ${VICTIM} VALID UNTIL '2030-01-01';
REVOKE CONNECT ON DATABASE ${TARGET_DB} FROM ${NEWROLE}_dyn;
DROP ROLE ${NEWROLE}_dyn;
COMMIT;
`,
};

/** 1-based line of a hostile file's first line containing `text`. */
function lineOf(file: keyof typeof HOSTILE, text: string): number {
  return HOSTILE[file].split('\n').findIndex((l) => l.includes(text)) + 1;
}

describeServer('a server scratch changes nothing outside its database', () => {
  let dir: string;
  beforeAll(async () => {
    // A role of the test's own runs the hostile SQL, and a victim of its own: never postgres.
    await admin(`CREATE ROLE ${OWNER} SUPERUSER CREATEDB LOGIN; CREATE ROLE ${VICTIM} SUPERUSER LOGIN`);
    await admin(`CREATE DATABASE ${TARGET_DB}`);
    dir = mkdtempSync(join(tmpdir(), 'pgarch-hostile-'));
    mkdirSync(join(dir, 'migrations'));
    for (const [name, text] of Object.entries(HOSTILE)) writeFileSync(join(dir, 'migrations', name), text);
  });
  afterAll(async () => {
    // Should the sandbox ever fail, what it let through is repaired here: it all belongs to this test.
    await admin('ALTER SYSTEM RESET log_temp_files').catch(() => {});
    await admin('SELECT pg_reload_conf()');
    await admin(`DROP DATABASE IF EXISTS ${TARGET_DB}`);
    await admin(`DROP DATABASE IF EXISTS pgarch_sandbox_db_${suffix}`);
    await admin(`DROP DATABASE IF EXISTS pgarch_sandbox_dyn_${suffix}`);
    for (const role of [NEWROLE, `${NEWROLE}_dyn`, `${NEWROLE}_killed`, VICTIM, OWNER]) {
      await admin(`DROP OWNED BY ${role}`).catch(() => {});
      await admin(`DROP ROLE IF EXISTS ${role}`);
    }
  });

  it('lint migrations, lint schema, review, trace, explain --schema and lint queries --schema leave every cluster-wide catalog as it was', async () => {
    const database = urlAs(OWNER);
    const before = await clusterState();
    const migrations = await lintMigrations({ paths: [join(dir, 'migrations')], database });
    const schema = await lintSchema({ paths: [join(dir, 'migrations')], database });
    await review({ paths: [dir], database });
    await traceFile(join(dir, 'migrations', '0003_dynamic.sql'), { database });
    await explainQueries({ sql: 'SELECT escalate()', schema: [join(dir, 'migrations')], database });
    await lintQueries({ paths: [join(dir, 'migrations', '0001_roles.sql')], schema: [join(dir, 'migrations')], database });
    expect(await clusterState()).toEqual(before);

    // What could not run is said, at its statement; what ran inside the scratch's transaction is not an error.
    const notExecuted = (report: typeof migrations.report) =>
      report.findings.filter((f) => f.rule === 'not-executed').map((f) => `${f.location?.file?.split('/').pop()}:${f.location?.line} ${f.severity}`);
    const cluster = ['ALTER SYSTEM', 'CREATE DATABASE', 'CREATE TABLESPACE', 'VACUUM', 'SELECT pg_reload_conf'].map((s) => `0002_cluster.sql:${lineOf('0002_cluster.sql', s)} info`);
    expect(notExecuted(migrations.report)).toEqual(cluster);
    expect(notExecuted(schema.report)).toEqual(cluster);
    const errors = migrations.report.findings.filter((f) => f.rule === 'execution-error').map((f) => `${f.location?.line}: ${f.message}`);
    // PostgreSQL itself refuses these inside DO (as it would in any function), on every engine.
    expect(errors).toEqual([
      `${lineOf('0003_dynamic.sql', "EXECUTE 'ALTER SYSTEM")}: ALTER SYSTEM cannot be executed from a function`,
      `${lineOf('0003_dynamic.sql', "EXECUTE 'CREATE DATABASE")}: CREATE DATABASE cannot be executed from a function`,
    ]);
  });

  it('the CLI on the hostile history: findings, not a crash, and the cluster unchanged', async () => {
    const before = await clusterState();
    const result = await pgarch(['lint', 'migrations', join(dir, 'migrations'), '--database', urlAs(OWNER), '--format', 'json']);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(report.findings.filter((f: { rule: string }) => f.rule === 'not-executed')).toHaveLength(5);
    expect(await clusterState()).toEqual(before);
  });

  it('holds no change outside when killed mid-run: the connection drop rolls everything back', async () => {
    const before = await clusterState();
    const engine = await openEngine({ database: urlAs(OWNER), scratch: true });
    await engine.exec(`CREATE ROLE ${NEWROLE}_killed`);
    await engine.exec(`ALTER ROLE ${VICTIM} NOSUPERUSER`);
    // Another session sees none of it while the run is going on...
    expect(await clusterState()).toEqual(before);
    // ...and nothing after the run's session ends without a goodbye.
    await engine.close();
    expect(await clusterState()).toEqual(before);
  });
});

describeServer('the scratch commits its work only while nothing outside it changed', () => {
  it('a 2,500-table history does not exhaust the server lock table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgarch-many-'));
    for (let f = 0; f < 25; f++) {
      const tables = Array.from({ length: 100 }, (_, i) => `CREATE TABLE t_${f}_${i} (id bigint PRIMARY KEY, note text);\nCREATE INDEX t_${f}_${i}_note ON t_${f}_${i} (note);`);
      writeFileSync(join(dir, `${String(f + 1).padStart(4, '0')}_tables.sql`), tables.join('\n'));
    }
    const { report } = await lintMigrations({ paths: [dir], database: SERVER_URL });
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(report.summary.statements).toBe(5000);
  });

  it('an enum value added in one migration is usable in the next', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgarch-enum-'));
    writeFileSync(join(dir, '0001_type.sql'), "CREATE TYPE mood AS ENUM ('sad');\nCREATE TABLE person (id bigint PRIMARY KEY, mood mood);");
    writeFileSync(join(dir, '0002_value.sql'), "ALTER TYPE mood ADD VALUE 'happy';");
    writeFileSync(join(dir, '0003_use.sql'), "INSERT INTO person VALUES (1, 'happy');");
    for (const target of ENGINES) {
      const { report } = await lintMigrations({ paths: [dir], database: target.database });
      expect(report.findings.filter((f) => f.severity === 'error'), target.name).toEqual([]);
    }
  });
});

// The migrations' own transactions, run on the scratch as PostgreSQL runs them: the same outcome on the
// embedded engine (where every statement really commits) and in the server's one-transaction scratch.
// Each statement with what PostgreSQL answers: a row's first value, 'ok', or the error's SQLSTATE.
const SCRIPTS: Record<string, Array<[string, string]>> = {
  'COMMIT keeps the block, ROLLBACK undoes it': [
    ['CREATE TABLE t (id int PRIMARY KEY)', 'ok'],
    ['BEGIN', 'ok'],
    ['INSERT INTO t VALUES (1)', 'ok'],
    ['COMMIT', 'ok'],
    ['BEGIN', 'ok'],
    ['INSERT INTO t VALUES (2)', 'ok'],
    ['ROLLBACK', 'ok'],
    ['SELECT string_agg(id::text, \',\' ORDER BY id) FROM t', '1'],
  ],
  'an error aborts the block until its end, and COMMIT then rolls back': [
    ['CREATE TABLE t (id int PRIMARY KEY)', 'ok'],
    ['BEGIN', 'ok'],
    ['INSERT INTO t VALUES (1)', 'ok'],
    ['INSERT INTO t VALUES (1)', 'error 23505'],
    ['INSERT INTO t VALUES (2)', 'error 25P02'],
    ['COMMIT', 'ok'],
    ['SELECT count(*) FROM t', '0'],
  ],
  'savepoints inside a block': [
    ['CREATE TABLE t (id int PRIMARY KEY)', 'ok'],
    ['BEGIN', 'ok'],
    ['INSERT INTO t VALUES (1)', 'ok'],
    ['SAVEPOINT a', 'ok'],
    ['INSERT INTO t VALUES (1)', 'error 23505'],
    ['ROLLBACK TO SAVEPOINT a', 'ok'],
    ['INSERT INTO t VALUES (2)', 'ok'],
    ['RELEASE SAVEPOINT a', 'ok'],
    ['COMMIT', 'ok'],
    ['SAVEPOINT outside', 'error 25P01'],
    ['SELECT string_agg(id::text, \',\' ORDER BY id) FROM t', '1,2'],
  ],
  'deferred constraints are checked at COMMIT and outside a block at the statement': [
    ['CREATE TABLE p (id int PRIMARY KEY)', 'ok'],
    ['CREATE TABLE c (id int, p int REFERENCES p DEFERRABLE INITIALLY DEFERRED)', 'ok'],
    ['BEGIN', 'ok'],
    ['INSERT INTO c VALUES (1, 1)', 'ok'],
    ['COMMIT', 'error 23503'],
    ['INSERT INTO c VALUES (2, 2)', 'error 23503'],
    ['BEGIN', 'ok'],
    ['INSERT INTO c VALUES (3, 3)', 'ok'],
    ['INSERT INTO p VALUES (3)', 'ok'],
    ['COMMIT', 'ok'],
    ['SELECT string_agg(id::text, \',\' ORDER BY id) FROM c', '3'],
  ],
  'SET LOCAL ends with its block; outside one it does nothing': [
    ["SET lock_timeout = '3s'", 'ok'],
    ['BEGIN', 'ok'],
    ["SET LOCAL lock_timeout = '9s'", 'ok'],
    ['SHOW lock_timeout', '9s'],
    ['COMMIT', 'ok'],
    ["SET LOCAL lock_timeout = '7s'", 'ok'],
    ['SHOW lock_timeout', '3s'],
  ],
  'set_config(…, true) ends with its block, and outside one with its statement': [
    [`CREATE ROLE pgarch_sandbox_local_${suffix}`, 'ok'],
    ["SET search_path = public", 'ok'],
    ['BEGIN', 'ok'],
    ["SELECT set_config('search_path', 'pg_catalog', true)", 'pg_catalog'],
    [`SELECT set_config('role', 'pgarch_sandbox_local_${suffix}', true) IS NOT NULL`, 'true'],
    ['SET statement_timeout = 12345', 'ok'],
    ['COMMIT', 'ok'],
    ['SHOW search_path', 'public'],
    ['SELECT current_user = session_user', 'true'],
    ['SHOW statement_timeout', '12345ms'],
    ["SELECT set_config('search_path', 'pg_catalog', true)", 'pg_catalog'],
    ['SHOW search_path', 'public'],
  ],
  'LOCK needs a block; CONCURRENTLY refuses one': [
    ['CREATE TABLE t (id int)', 'ok'],
    ['LOCK TABLE t', 'error 25P01'],
    ['BEGIN', 'ok'],
    ['LOCK TABLE t IN SHARE MODE', 'ok'],
    ['COMMIT', 'ok'],
    ['BEGIN', 'ok'],
    ['CREATE INDEX CONCURRENTLY t_id ON t (id)', 'error 25001'],
    ['COMMIT', 'ok'],
    ['CREATE INDEX CONCURRENTLY t_id ON t (id)', 'ok'],
    ['DROP INDEX CONCURRENTLY t_id', 'ok'],
    ["SELECT count(*) FROM pg_indexes WHERE tablename = 't'", '0'],
  ],
  'ON COMMIT DROP tables go at commit': [
    ['CREATE TEMP TABLE scratch_a (id int) ON COMMIT DROP', 'ok'],
    ['BEGIN', 'ok'],
    ['CREATE TEMP TABLE scratch_b (id int) ON COMMIT DROP', 'ok'],
    ['INSERT INTO scratch_b VALUES (1)', 'ok'],
    ['COMMIT', 'ok'],
    ["SELECT count(*) FROM pg_class WHERE relname IN ('scratch_a', 'scratch_b')", '0'],
  ],
  'roles created by the SQL are there for later statements': [
    [`CREATE ROLE pgarch_sandbox_app_${suffix}`, 'ok'],
    ['CREATE TABLE t (id int)', 'ok'],
    [`GRANT SELECT ON t TO pgarch_sandbox_app_${suffix}`, 'ok'],
    [`SELECT has_table_privilege('pgarch_sandbox_app_${suffix}', 't', 'SELECT')`, 'true'],
  ],
};

async function runScript(engine: Engine, statements: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const sql of statements) {
    try {
      const { rows } = await engine.simpleQuery<Record<string, unknown>>(sql);
      out.push(rows.length ? String(Object.values(rows[0])[0]) : 'ok');
    } catch (error) {
      out.push(`error ${(error as { code?: string }).code}`);
    }
  }
  return out;
}

describe('migration transactions on every engine', () => {
  for (const [title, script] of Object.entries(SCRIPTS)) {
    const statements = script.map(([sql]) => sql);
    it(title, async () => {
      const outcomes: Record<string, string[]> = {};
      for (const target of ENGINES) {
        const engine = await openEngine({ database: target.database, scratch: true });
        try {
          outcomes[target.name] = await runScript(engine, statements);
        } finally {
          await engine.close();
        }
      }
      const expected = script.map(([, outcome]) => outcome);
      for (const [engine, outcome] of Object.entries(outcomes)) expect(outcome, engine).toEqual(expected);
    });
  }
});

describeServer('what a server scratch does not execute, and why', () => {
  const refused: Array<[string, string]> = [
    ["COPY (SELECT 1) TO PROGRAM 'id'", 'runs a program on the server'],
    ["COPY t FROM '/etc/passwd'", 'reads or writes a file of the server'],
    ['CREATE EXTENSION dblink', 'creates extension dblink, which opens connections of its own'],
    ["CREATE FUNCTION sh(cstring) RETURNS int LANGUAGE c AS 'libc.so.6', 'system'", 'language c'],
    ['SELECT pg_terminate_backend(1)', 'calls pg_terminate_backend()'],
    ['DO $$ BEGIN PERFORM pg_reload_conf(); END $$', 'calls pg_reload_conf()'],
    ["DO $$ BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''id'''; END $$", 'runs a program on the server'],
    ["PREPARE TRANSACTION 'x'", 'prepared transaction'],
    ['VACUUM', 'VACUUM'],
    ['CALL commits()', 'commits or rolls back inside a procedure'],
  ];
  it.each(refused)('%s', async (sql, reason) => {
    const engine = await openEngine({ database: SERVER_URL, scratch: true });
    try {
      await engine.exec('CREATE TABLE t (id int)');
      await engine.exec('CREATE PROCEDURE commits() LANGUAGE plpgsql AS $$ BEGIN COMMIT; END $$');
      const error = (await engine.exec(sql).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(NotExecutedError);
      expect(error.message).toContain(reason);
      // Nothing was left half-done: the scratch goes on.
      expect((await engine.query<{ n: number }>('select count(*)::int as n from t')).rows[0].n).toBe(0);
    } finally {
      await engine.close();
    }
  });

  it('CONCURRENTLY runs as its plain form, with PostgreSQL’s error positions still on the user’s text', async () => {
    const engine = await openEngine({ database: SERVER_URL, scratch: true });
    try {
      await engine.exec('CREATE TABLE t (id int, note text)');
      await engine.exec('CREATE INDEX CONCURRENTLY t_id ON t (id)');
      await engine.exec('REINDEX (CONCURRENTLY) INDEX t_id');
      await engine.exec('DROP INDEX CONCURRENTLY t_id');
      const error = (await engine.exec('CREATE INDEX CONCURRENTLY t_x ON t (id) WHERE nope > 0').catch((e: unknown) => e)) as EngineError;
      expect(error.message).toBe('column "nope" does not exist');
      expect(error.position).toBe('CREATE INDEX CONCURRENTLY t_x ON t (id) WHERE '.length + 1);
    } finally {
      await engine.close();
    }
  });
});

describeServer('statements with parameters are held to the same rules', () => {
  it('a refused call is refused with parameters too (EXPLAIN ANALYZE of it included)', async () => {
    const engine = await openEngine({ database: SERVER_URL, scratch: true });
    try {
      for (const sql of ['SELECT pg_terminate_backend($1)', 'EXPLAIN (ANALYZE) SELECT pg_cancel_backend($1)']) {
        const error = (await engine.query(sql, [1]).catch((e: unknown) => e)) as Error;
        expect(error, sql).toBeInstanceOf(NotExecutedError);
      }
    } finally {
      await engine.close();
    }
  });
});
