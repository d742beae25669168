// Honest interfaces: options are validated, every command's --help lists what it takes, and the review
// keeps distinct findings that share a rule and a location.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
    ['review', ['--database', '--format', '--config', '--output', '--max-warnings', '--quiet', '--no-color', '--setup', '--profile', '--layout', '--pattern']],
    ['lint schema', ['--database', '--format', '--config', '--output', '--max-warnings', '--quiet', '--no-color', '--setup', '--profile', '--live']],
    ['lint migrations', ['--database', '--format', '--config', '--output', '--max-warnings', '--quiet', '--no-color', '--setup', '--profile', '--layout', '--pattern', '--pg-version']],
    ['lint queries', ['--database', '--format', '--config', '--output', '--max-warnings', '--quiet', '--no-color', '--setup', '--profile', '--schema']],
    ['explain', ['--database', '--format', '--config', '--output', '--max-warnings', '--quiet', '--no-color', '--setup', '--profile', '--schema']],
    ['trace', ['--database', '--format', '--config', '--output', '--no-color', '--setup', '--profile', '--no-history', '--rows']],
  ])('pgarch %s --help', async (command, options) => {
    const result = await pgarch([...command.split(' '), '--help']);
    expect(result.code).toBe(0);
    for (const option of options) expect(result.stdout, option).toContain(option);
    expect(result.stdout).toContain('Examples:');
  });
});

describe('review keeps distinct findings at one place', () => {
  it('two tables dropped by one statement are two findings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgarch-review-dedup-'));
    mkdirSync(join(dir, 'migrations'));
    writeFileSync(join(dir, 'migrations', '0001_tables.sql'), 'CREATE TABLE a (id bigint PRIMARY KEY);\nCREATE TABLE b (id bigint PRIMARY KEY);\n');
    writeFileSync(join(dir, 'migrations', '0002_drop.sql'), 'DROP TABLE a, b;\n');
    const report = await review({ paths: [dir] });
    const drops = report.findings.filter((f) => f.rule === 'drop-table');
    expect(drops.map((f) => `${f.location?.line}:${f.location?.column} ${f.object}`)).toEqual(['1:1 public.a', '1:1 public.b']);
  });
});
