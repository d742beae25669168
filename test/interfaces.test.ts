// Honest interfaces: options are validated, every command's --help lists what it takes, and the review
// keeps distinct findings that share a rule and a location.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/config.js';
import { review } from '../src/lint/review.js';
import { pgarch } from './helpers/cli.js';

describe('options are validated', () => {
  it.each([
    [['lint', 'migrations', 'examples/shop/migrations', '--max-warnings', 'abc'], /--max-warnings <n>' argument 'abc' is invalid\. expected a whole number/],
    [['lint', 'migrations', 'examples/shop/migrations', '--max-warnings', '-1'], /expected a whole number/],
    [['lint', 'migrations', 'examples/shop/migrations', '--pg-version', '99'], /expected a PostgreSQL major version \(9 to 30\), got "99"/],
    [['lint', 'migrations', 'examples/shop/migrations', '--pg-version', '15.2'], /expected a PostgreSQL major version/],
    [['lint', 'schema', 'examples/shop', '--database', 'notaurl'], /^pgarch: --database: malformed connection URL notaurl \(expected postgres:\/\/user@host:port\/database\)$/m],
    [['lint', 'schema', 'examples/shop', '--database', 'postgres://ann:s3cret@localhost:port/db'], /^pgarch: --database: malformed connection URL postgres:\/\/ann:\*\*\*@localhost:port\/db/m],
    [['trace', 'examples/shop/migrations/0007_payments_amount_bigint.sql', '--database', 'mysql://localhost/app'], /is not a postgres:\/\/ URL/],
    [['advise', 'indexes', '--schema', 'examples/advisor/schema.sql', '--max-size', '-1'], /--max-size <mb>' argument '-1' is invalid\. expected a number above zero, got "-1"/],
    [['advise', 'indexes', '--schema', 'examples/advisor/schema.sql', '--write-weight', 'lots'], /expected a number above zero, got "lots"/],
  ])('%j is a usage error (exit 2), one line', async (args, message) => {
    const result = await pgarch(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain('s3cret');
    expect(result.stdout).toBe('');
  });

  it('explain of a query with a syntax error answers before starting an engine', async () => {
    const result = await pgarch(['explain', 'SELECT * FROM orders WHERE', '--format', 'json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.findings.map((f: { rule: string }) => f.rule)).toEqual(['syntax-error']);
    // No engine was started: the report names none.
    expect(report.engine).toBeUndefined();
  });
});

describe('every command lists what it takes', () => {
  it.each([
    ['review', ['--database', '--format', '--config', '--output', '--max-warnings', '--quiet', '--no-color', '--setup', '--profile', '--layout', '--pattern', '--since', '--cache-dir', '--no-cache']],
    ['lint schema', ['--database', '--format', '--config', '--output', '--max-warnings', '--quiet', '--no-color', '--setup', '--profile', '--live']],
    ['lint migrations', ['--database', '--format', '--config', '--output', '--max-warnings', '--quiet', '--no-color', '--setup', '--profile', '--layout', '--pattern', '--pg-version', '--cache-dir', '--no-cache']],
    ['lint queries', ['--database', '--format', '--config', '--output', '--max-warnings', '--quiet', '--no-color', '--setup', '--profile', '--schema']],
    ['explain', ['--database', '--format', '--config', '--output', '--max-warnings', '--quiet', '--no-color', '--setup', '--profile', '--schema']],
    ['trace', ['--database', '--format', '--config', '--output', '--no-color', '--setup', '--profile', '--no-history', '--rows']],
    ['health', ['--database', '--format', '--config', '--output', '--max-warnings', '--no-color', '--watch', '--advise']],
    ['dashboard', ['--database', '--config', '--port', '--refresh']],
    ['init', ['--force']],
  ])('pgarch %s --help', async (command, options) => {
    const result = await pgarch([...command.split(' '), '--help']);
    expect(result.code).toBe(0);
    for (const option of options) expect(result.stdout, option).toContain(option);
    expect(result.stdout).toContain('Examples:');
  });
});

describe('review keeps distinct findings at one place', () => {
  it('one DROP INDEX of two indexes, on a large and a small table, is two findings at one place', async () => {
    // Same rule, same statement, same line and column: the large table's index is a warning, the small
    // one's an info (they do not fold, severities stay apart). Both must survive review's merge of passes.
    const dir = mkdtempSync(join(tmpdir(), 'pgarch-review-dedup-'));
    mkdirSync(join(dir, 'migrations'));
    writeFileSync(join(dir, 'migrations', '0001_tables.sql'), 'CREATE TABLE a (id bigint PRIMARY KEY, v int);\nCREATE TABLE b (id bigint PRIMARY KEY, v int);\nCREATE INDEX a_v ON a (v);\nCREATE INDEX b_v ON b (v);\n');
    writeFileSync(join(dir, 'migrations', '0002_drop.sql'), 'DROP INDEX a_v, b_v;\n');
    const config = { ...defaultConfig(), assumeRows: { 'public.a': 1_000_000, 'public.b': 10 } };
    const report = await review({ paths: [dir], config });
    const drops = report.findings.filter((f) => f.rule === 'drop-index-non-concurrent');
    expect(drops.map((f) => `${f.location?.file?.endsWith('0002_drop.sql')} ${f.location?.line}:${f.location?.column} ${f.severity} ${f.object}`).sort()).toEqual([
      'true 1:1 info public.b',
      'true 1:1 warning public.a',
    ]);
  });
});
