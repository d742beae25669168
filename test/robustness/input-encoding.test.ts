// Input is read exactly, or refused clearly: a NUL byte no longer cuts a file short without a word,
// and bytes that are not UTF-8 no longer become U+FFFD in object names silently.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintSchema } from '../../src/lint/schema.js';
import { lintMigrations } from '../../src/migrate/lint.js';
import { firstInvalidUtf8 } from '../../src/sql/encoding.js';
import { parseFile } from '../../src/sql/parse.js';
import { pgarch } from '../helpers/cli.js';
import { ENGINES } from '../helpers/server.js';

function file(name: string, bytes: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgarch-encoding-'));
  writeFileSync(join(dir, name), bytes);
  return join(dir, name);
}

describe('input encoding', () => {
  it('a NUL byte is a located error, and the statements after it are still read', async () => {
    const parsed = await parseFile('CREATE TABLE a (id int);\n  \0CREATE TABLE b (id int);\n', 'nul.sql');
    expect(parsed.findings.map((f) => `${f.rule} ${f.location?.line}:${f.location?.column} ${f.severity}`)).toEqual(['input-encoding 2:3 error']);
    expect(parsed.statements.map((s) => s.text)).toEqual(['CREATE TABLE a (id int)', 'CREATE TABLE b (id int)']);
  });

  it('the first byte that is not UTF-8 is found (and valid multi-byte text is not flagged)', () => {
    expect(firstInvalidUtf8(Buffer.from('café ✓ 𝄞', 'utf8'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x62, 0xe9, 0x20]))).toBe(2); // latin-1 é
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0xaf]))).toBe(1); // overlong
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xed, 0xa0, 0x80]))).toBe(1); // a surrogate
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xe2, 0x9c]))).toBe(1); // cut short
  });

  for (const target of ENGINES) {
    it(`latin-1 text in a migration is an error at its line and column on ${target.name}, and the run goes on`, async () => {
      const path = file('001_latin1.sql', Buffer.concat([Buffer.from('CREATE TABLE ok (id bigint PRIMARY KEY);\nCREATE TABLE caf'), Buffer.from([0xe9]), Buffer.from(' (id bigint PRIMARY KEY);\n')]));
      const { report } = await lintMigrations({ paths: [path], database: target.database });
      expect(report.findings.filter((f) => f.rule === 'input-encoding').map((f) => `${f.location?.line}:${f.location?.column} ${f.message}`)).toEqual([
        '2:17 Invalid UTF-8 (byte 0xE9): the file is not UTF-8, and its names and strings would be read wrong',
      ]);
      expect(report.summary.statements).toBe(2);
    });

    it(`a NUL byte in a schema file is an error on ${target.name}; what follows it is applied and checked`, async () => {
      const path = file('schema.sql', Buffer.from('CREATE TABLE a (id bigint PRIMARY KEY);\n\0CREATE TABLE b (id int);\n'));
      const { report } = await lintSchema({ paths: [path], database: target.database });
      expect(report.findings.filter((f) => ['input-encoding', 'missing-primary-key'].includes(f.rule)).map((f) => `${f.rule} ${f.location?.line}`)).toEqual(['input-encoding 2', 'missing-primary-key 2']);
    });
  }
});

describe('what is read', () => {
  it('a folder with no SQL is an input error for lint (exit 2), never "No problems found in 0 files"; review says so and passes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgarch-nothing-'));
    writeFileSync(join(dir, 'README.md'), '# not SQL\n');
    for (const command of [['lint', 'schema'], ['lint', 'migrations']]) {
      const run = await pgarch([...command, dir]);
      expect(run.code, command.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/^pgarch: no (SQL files|migrations) found in .*: nothing was checked\n$/);
    }
    // review runs on every pull request, SQL or not yet: it says so and passes; json stays valid.
    const review = await pgarch(['review', dir]);
    expect(review).toMatchObject({ code: 0, stderr: '' });
    expect(review.stdout).toMatch(/^pgarch review: no SQL found in .*: nothing to review\n$/);
    const json = await pgarch(['review', dir, '--format', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ findings: [], sections: expect.any(Array) });
  });

  it('the data lines after psql\'s \\copy … from stdin are data, not SQL', async () => {
    const parsed = await parseFile('CREATE TABLE t (id int, name text);\n\\copy t (id, name) from stdin\n1\tfoo\n2\tbar\n\\.\nCREATE TABLE u (id int);\n', 'copy.sql');
    expect(parsed.findings.filter((f) => f.rule === 'syntax-error')).toEqual([]);
    expect(parsed.statements.map((s) => s.text)).toEqual(['CREATE TABLE t (id int, name text)', 'CREATE TABLE u (id int)']);
  });
});

describe('--encoding', () => {
  it('reads a latin-1 file as latin-1: the name is café, and no input-encoding error', async () => {
    const path = file('schema.sql', Buffer.concat([Buffer.from('CREATE TABLE caf'), Buffer.from([0xe9]), Buffer.from(' (id bigint PRIMARY KEY);\n')]));
    const run = await pgarch(['lint', 'schema', path, '--encoding', 'latin1', '--format', 'json']);
    const report = JSON.parse(run.stdout) as { findings: Array<{ rule: string; object?: string }> };
    expect(report.findings.some((f) => f.rule === 'input-encoding')).toBe(false);
    expect(report.findings.find((f) => f.rule === 'missing-comment')?.object).toBe('public.café');
    const unknown = await pgarch(['lint', 'schema', path, '--encoding', 'klingon']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('pgarch: --encoding: unknown encoding klingon (latin1, windows-1252, utf-16le, …)\n');
  });
});
