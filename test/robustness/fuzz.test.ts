// Fuzzing (fast-check) the pieces that read input before any engine sees it: the statement splitter
// and parser front end, the directives, psql variables and meta-commands, location mapping, and the
// layout readers. Properties: nothing throws; every statement's text is a slice of the input at its
// offsets; every location is inside the file.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/lint/files.js';
import { findMigrationSets } from '../../src/migrate/discover.js';
import { loadParser, parseFileSync } from '../../src/sql/parse.js';

// Pieces that make lexers and parsers go wrong: quotes and dollar quotes left open, comments that do
// not end, nesting, NUL, multi-byte and astral text, psql's backslashes and variables, directives.
const PIECES = [
  'SELECT 1', 'CREATE TABLE t (id int)', 'ALTER TABLE t ADD COLUMN c text', 'BEGIN', 'COMMIT', ';', ' ', '\n', '\r\n', '\t',
  "'", "''", '"', '$$', '$a$', '$a', 'E\'\\\'', '/*', '*/', '--', '-- pgarch-ignore', '-- pgarch-ignore-file missing-comment', '-- pgarch:no-transaction',
  '(', ')', '((((((((((', '))))))))))', '[', ']', '::', ':', ':x', ":'y'", ':"z"', '\\set x 1', '\\copy t from stdin', '\\.', '\\i other.sql',
  'COPY t FROM stdin;\n1\t2\n\\.\n', '\0', 'é', 'ü', '✓', '𝄞', '\uFEFF', 'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$', 'DO $$ BEGIN END $$',
];
const sqlish = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 40 }).map((parts) => parts.join(''));

beforeAll(async () => {
  await loadParser();
});

describe('fuzzing the input side', () => {
  it('parsing never throws; statements are slices of the input at their offsets; locations are inside the file', () => {
    fc.assert(
      fc.property(sqlish, (input) => {
        const parsed = parseFileSync(input, 'fuzz.sql');
        const lines = parsed.text.split('\n');
        for (const s of parsed.statements) {
          expect(parsed.text.slice(s.start, s.end)).toBe(s.text);
          expect(s.line).toBeGreaterThanOrEqual(1);
          expect(s.line).toBeLessThanOrEqual(lines.length);
          expect(s.column).toBeGreaterThanOrEqual(1);
          // A node location resolves inside the file as well.
          const at = parsed.locate(s, 0);
          expect(at.line).toBeGreaterThanOrEqual(1);
          expect(at.line).toBeLessThanOrEqual(lines.length);
        }
        for (const f of parsed.findings) {
          expect(f.location?.line ?? 1).toBeGreaterThanOrEqual(1);
          expect(f.location?.line ?? 1).toBeLessThanOrEqual(lines.length);
          expect(f.location?.column ?? 1).toBeGreaterThanOrEqual(1);
        }
        // The statements are in file order and do not overlap.
        for (let i = 1; i < parsed.statements.length; i++) expect(parsed.statements[i].start).toBeGreaterThanOrEqual(parsed.statements[i - 1].end);
      }),
      { numRuns: Number(process.env.PGARCH_FUZZ_RUNS ?? 1500) },
    );
  });

  it('random bytes decoded as a file parse without throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const parsed = parseFileSync(Buffer.from(bytes).toString('utf8'), 'bytes.sql');
        for (const s of parsed.statements) expect(parsed.text.slice(s.start, s.end)).toBe(s.text);
      }),
      { numRuns: 1000 },
    );
  });

  it('layout readers take any folder of oddly named and oddly filled files: a clear input error at worst', () => {
    const name = fc.oneof(
      fc.constantFrom('V1__a.sql', 'V1.1__b.sql', 'V2_1__c.sql', 'R__view.sql', 'U1__a.sql', '001_init.up.sql', '001_init.down.sql', '20240101000000_x.sql', 'migration.sql', 'up.sql', 'down.sql', 'sqitch.plan', 'meta', '_journal.json', '0000_x.sql', 'committed', '000001.sql', 'current.sql', 'schema.sql', 'metadata.toml', '.gmrc', 'config.toml'),
      fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/).filter((n) => n !== '.' && n !== '..'),
    );
    const tree = fc.array(fc.tuple(fc.array(name, { maxLength: 2 }), name, sqlish), { maxLength: 8 });
    fc.assert(
      fc.property(tree, (entries) => {
        const root = mkdtempSync(join(tmpdir(), 'pgarch-fuzz-layout-'));
        try {
          for (const [dirs, file, text] of entries) {
            const dir = join(root, ...dirs);
            try {
              mkdirSync(dir, { recursive: true });
              writeFileSync(join(dir, file), text);
            } catch {
              // A name taken by a folder (or a file where a folder should go): skip that entry.
            }
          }
          try {
            for (const set of findMigrationSets([root])) for (const m of set.migrations) expect(m.up.end).toBeLessThanOrEqual(m.text.length);
          } catch (error) {
            // A malformed tool file (a sqitch plan naming a script that is missing) is a clear input error.
            if (!(error instanceof InputError)) throw error;
          }
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 150 },
    );
  });
});
