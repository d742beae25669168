// One failure, one finding: what fails only because of an earlier failure is counted there.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintMigrations } from '../src/migrate/lint.js';
import type { Finding } from '../src/types.js';

function history(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgarch-roots-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const failures = (findings: Finding[]) =>
  findings.filter((f) => f.rule === 'execution-error' || f.rule === 'not-executed').map((f) => `${f.rule} ${f.location?.file?.split('/').pop()}:${f.location?.line} ${f.message}`);

describe('failures grouped at their root cause', () => {
  it('a history that starts from a baseline: one error names what it assumes, even tables it drops and makes again later', async () => {
    const dir = history({
      '001.sql': 'ALTER TABLE accounts ADD COLUMN note text;\nALTER TABLE IF EXISTS legacy RENAME TO archive;\nCREATE INDEX accounts_note_idx ON accounts (note);',
      '002.sql': 'DROP TABLE sessions;\nCREATE TABLE sessions (id bigint PRIMARY KEY);\nSELECT count(*) FROM archive;',
    });
    const { report } = await lintMigrations({ paths: [dir] });
    expect(failures(report.findings)).toEqual([
      'execution-error 001.sql:1 The migrations use objects that none of them has created by then (tables accounts, sessions, archive): they must exist where the migrations run — a baseline schema, the platform, what an ORM or a non-SQL migration makes. 4 statements that need them could not be checked',
    ]);
    expect(report.findings.find((f) => f.rule === 'execution-error')?.related?.map((l) => `${l.file?.split('/').pop()}:${l.line}`)).toEqual(['001.sql:3', '002.sql:1', '002.sql:3']);
    // Those tables exist in production: what rules say about the statements on them stays.
    expect(report.findings.filter((f) => f.rule === 'create-index-non-concurrent').map((f) => f.location?.line)).toEqual([3]);
  });

  it('a typo against a table the history made is an error of its own', async () => {
    const dir = history({ '001.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY);', '002.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY);\nALTER TABLE orders ADD COLUMN total numeric;' });
    const { report } = await lintMigrations({ paths: [dir] });
    expect(failures(report.findings)).toEqual(['execution-error 002.sql:1 relation "orders" already exists']);
  });

  it('what an aborted block created is missing later because of the failure that aborted it', async () => {
    const dir = history({
      '001.sql': "BEGIN;\nCREATE TABLE carts (id bigint PRIMARY KEY);\nINSERT INTO carts VALUES ('x');\nCOMMIT;",
      '002.sql': 'CREATE INDEX carts_id ON carts (id);',
    });
    const { report } = await lintMigrations({ paths: [dir] });
    expect(failures(report.findings)).toEqual([
      'execution-error 001.sql:3 invalid input syntax for type bigint: "x" (1 later statement failed because of it, not reported separately: line 002.sql:1)',
    ]);
  });

  it('a table whose CREATE failed, renamed with IF EXISTS (a no-op then), is missing later because of that failure', async () => {
    // The shape of a long Flyway history on a baseline with PostGIS columns: the CREATE fails on the
    // missing type, the rename finds nothing to rename, and the new name's absence is that same cause.
    const dir = history({
      '001.sql': 'CREATE TABLE stage_event (id bigint PRIMARY KEY, at geometry);',
      '002.sql': 'ALTER TABLE IF EXISTS stage_event RENAME TO event;',
      '003.sql': "UPDATE event SET id = id WHERE id < 0;\nCREATE INDEX event_id_idx ON event (id);",
    });
    const { report } = await lintMigrations({ paths: [dir] });
    expect(failures(report.findings)).toEqual([
      'execution-error 001.sql:1 The migrations use objects that none of them has created by then (types geometry): they must exist where the migrations run — a baseline schema, the platform, what an ORM or a non-SQL migration makes. 3 statements that need them could not be checked',
    ]);
    expect(report.findings.find((f) => f.rule === 'execution-error')?.related?.map((l) => `${l.file?.split('/').pop()}:${l.line}`)).toEqual(['003.sql:1', '003.sql:2']);
  });

  it('an extension is known by what it provides and by its name, and is one finding however often it is created', async () => {
    const dir = history({
      '001.sql': 'CREATE EXTENSION IF NOT EXISTS plpgsql_check;\nCREATE EXTENSION IF NOT EXISTS postgis;',
      '002.sql': "SELECT plpgsql_check_function('f()');\nCREATE TABLE places (id bigint PRIMARY KEY, at geometry(Point, 4326));\nCREATE EXTENSION IF NOT EXISTS plpgsql_check;",
      '003.sql': 'SELECT no_such_helper(1);',
    });
    const { report } = await lintMigrations({ paths: [dir] });
    expect(failures(report.findings)).toEqual([
      'not-executed 001.sql:1 Extension plpgsql_check is not available in the embedded engine (PGlite): nothing that needs it can be checked (2 later statements failed because of it, not reported separately: lines 002.sql:1, 002.sql:3)',
      'not-executed 001.sql:2 Extension postgis is not available in the embedded engine (PGlite): nothing that needs it can be checked (1 later statement failed because of it, not reported separately: line 002.sql:2)',
      // Not guessed onto an extension: no known one provides it.
      'execution-error 003.sql:1 The migrations use objects that none of them has created by then (functions no_such_helper): they must exist where the migrations run — a baseline schema, the platform, what an ORM or a non-SQL migration makes. 1 statement that needs them could not be checked',
    ]);
  });
});
