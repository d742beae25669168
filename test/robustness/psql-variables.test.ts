// psql variables are psql's, not syntax errors: `:name`, `:'name'` and `:"name"` parse (placeholders
// of the same length, so positions stay), run with the value the file `\set`s as psql would send
// them, and one set outside the file (psql -v) is checked from its text and not executed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintSchema } from '../../src/lint/schema.js';
import { parseFile } from '../../src/sql/parse.js';
import { ENGINES } from '../helpers/server.js';

const SCRIPT = [
  '\\set owner_role pgarch_test_psqlvar_owner',
  "\\set descr 'It''s the table'",
  'CREATE ROLE :owner_role NOLOGIN;',
  'CREATE TABLE v (id bigint PRIMARY KEY);',
  'ALTER TABLE v OWNER TO :owner_role;',
  "COMMENT ON TABLE v IS :'descr';",
  'CREATE TABLE :"tbl" (id bigint PRIMARY KEY);',
  'SELECT a[1:2], id::text FROM v, (SELECT ARRAY[1, 2] AS a) s;',
].join('\n');

describe('psql variables', () => {
  it('parse without syntax errors; each statement runs as psql sends it', async () => {
    const parsed = await parseFile(SCRIPT, 'script.sql');
    expect(parsed.findings.filter((f) => f.rule === 'syntax-error')).toEqual([]);
    expect(parsed.statements.map((s) => s.run ?? null)).toEqual([
      'CREATE ROLE pgarch_test_psqlvar_owner NOLOGIN',
      null,
      'ALTER TABLE v OWNER TO pgarch_test_psqlvar_owner',
      "COMMENT ON TABLE v IS 'It''s the table'",
      'SELECT WHERE false',
      null, // a[1:2] is a slice and id::text a cast: no variables
    ]);
    // The statement keeps the file's text, and positions the file's columns.
    expect(parsed.statements[4].text).toBe('CREATE TABLE :"tbl" (id bigint PRIMARY KEY)');
    expect(parsed.findings.filter((f) => f.rule === 'psql-meta-command' && f.message.startsWith('psql variable')).map((f) => `${f.location?.line}:${f.location?.column} ${f.message}`)).toEqual([
      '7:14 psql variable :tbl is not \\set in this file (psql -v tbl=…): the statement is checked from its text, not executed',
    ]);
  });

  for (const target of ENGINES) {
    it(`lint schema on ${target.name}: the interpolated statements ran (the comment is there)`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pgarch-psqlvar-'));
      writeFileSync(join(dir, 'schema.sql'), SCRIPT);
      const { report, catalog } = await lintSchema({ paths: [join(dir, 'schema.sql')], database: target.database });
      expect(report.findings.filter((f) => f.severity === 'error').map((f) => f.message)).toEqual([]);
      expect(catalog.tables.find((t) => t.name === 'v')?.comment).toBe("It's the table");
    });
  }
});
