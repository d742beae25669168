// Session state the checked SQL changes cannot break pgarch. SET client_encoding is about how the
// server talks to its client (pgarch), so it is never sent: PGlite answered nothing after it, and a
// later call crashed the process. DISCARD ALL, SET search_path = '', RESET ALL and SET ROLE run, and
// what they do to the migration is reported the same on both engines.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintSchema } from '../../src/lint/schema.js';
import { lintMigrations } from '../../src/migrate/lint.js';
import { ENGINES } from '../helpers/server.js';

const SESSION = [
  'CREATE TABLE s (id bigint PRIMARY KEY, v int);',
  'INSERT INTO s SELECT g, g FROM generate_series(1, 100) g;',
  'DISCARD ALL;',
  'ALTER TABLE s ALTER COLUMN v SET NOT NULL;',
  "SET search_path = '';",
  'ALTER TABLE public.s ADD CONSTRAINT s_v CHECK (v > 0);',
  'SET client_encoding TO WIN1252;',
  'ALTER TABLE public.s ADD COLUMN w text NOT NULL;',
  'RESET ALL;',
  'CREATE ROLE pgarch_test_session_reader NOLOGIN;',
  'SET ROLE pgarch_test_session_reader;',
  'ALTER TABLE s ADD COLUMN z int;',
  'RESET ROLE;',
  'CREATE TABLE t (id bigint PRIMARY KEY, note varchar(20));',
].join('\n');

function file(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgarch-session-'));
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

for (const target of ENGINES) {
  describe(`session state on ${target.name}`, () => {
    it('lint migrations: the errors are the migration\'s own, at their lines', async () => {
      const { report } = await lintMigrations({ paths: [file('001_session.sql', SESSION)], database: target.database });
      expect(report.findings.filter((f) => f.severity === 'error').map((f) => `${f.rule} ${f.location?.line} ${f.message}`)).toEqual([
        'execution-error 8 column "w" of relation "s" contains null values',
        'execution-error 12 must be owner of table s',
      ]);
      expect(report.findings.some((f) => f.rule === 'rule-error' || f.rule === 'engine-failure')).toBe(false);
    });

    it('lint schema: the tables made after the session changes are read and checked', async () => {
      const { report } = await lintSchema({ paths: [file('schema.sql', SESSION)], database: target.database });
      expect(report.findings.some((f) => f.rule === 'rule-error' || f.rule === 'engine-failure')).toBe(false);
      expect(report.findings.filter((f) => f.rule === 'prefer-text').map((f) => `${f.location?.line} ${f.object}`)).toEqual(['14 public.t.note']);
    });
  });
}
