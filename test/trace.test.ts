// pgarch trace measures locks and rewrites by running statements, on both engines.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { traceFile, type TraceResult } from '../src/migrate/trace.js';
import { pgarch } from './helpers/cli.js';
import { ENGINES } from './helpers/server.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pgarch-trace-'));
  writeFileSync(join(dir, '0001_base.sql'), 'CREATE TABLE accounts (id int PRIMARY KEY, email text, balance int);\nCREATE INDEX accounts_email_idx ON accounts (email);\n');
  writeFileSync(
    join(dir, '0002_change.sql'),
    [
      'ALTER TABLE accounts ADD COLUMN note text;',
      'CREATE INDEX accounts_balance_idx ON accounts (balance);',
      'ALTER TABLE accounts ALTER COLUMN id TYPE bigint;',
      'ALTER TABLE accounts ALTER COLUMN email TYPE text;',
      'CREATE INDEX CONCURRENTLY accounts_note_idx ON accounts (note);',
      '',
    ].join('\n'),
  );
});

for (const target of ENGINES) {
  describe(`trace on ${target.name}`, () => {
    let result: TraceResult;
    beforeAll(async () => {
      result = await traceFile(join(dir, '0002_change.sql'), { database: target.database, rows: { accounts: 2000 } });
    });
    const at = (line: number) => result.statements.find((s) => s.line === line)!;
    const lockOn = (line: number, relation: string) => at(line).locks.find((l) => l.relation === relation)?.mode;

    it('applies the earlier migrations of the directory and seeds rows', () => {
      expect(result.seeded).toEqual({ 'public.accounts': 2000 });
      expect(result.statements.every((s) => !s.error)).toBe(true);
    });

    it('ALTER TABLE … ADD COLUMN takes AccessExclusiveLock and rewrites nothing', () => {
      expect(lockOn(1, 'public.accounts')).toBe('AccessExclusiveLock');
      expect(at(1).measured).toBe(true);
      expect(at(1).locks[0].blocks).toEqual(['reads', 'writes', 'index builds', 'vacuum', 'ddl']);
      expect(at(1).rewrites).toEqual([]);
    });

    it('CREATE INDEX takes ShareLock: blocks writes, not reads', () => {
      expect(lockOn(2, 'public.accounts')).toBe('ShareLock');
      expect(at(2).locks[0].blocks).not.toContain('reads');
      expect(at(2).locks[0].blocks).toContain('writes');
      expect(at(2).rewrites).toEqual([]);
    });

    it('ALTER COLUMN TYPE bigint rewrites the table and its indexes', () => {
      expect(lockOn(3, 'public.accounts')).toBe('AccessExclusiveLock');
      expect(at(3).rewrites.map((r) => `${r.kind} ${r.relation}`).sort()).toEqual(
        ['index public.accounts_balance_idx', 'index public.accounts_email_idx', 'index public.accounts_pkey', 'table public.accounts'].sort(),
      );
    });

    it('a type change to the same type rewrites nothing', () => {
      expect(at(4).rewrites).toEqual([]);
    });

    it('CONCURRENTLY runs outside a transaction, with its documented lock', () => {
      expect(at(5).measured).toBe(false);
      expect(at(5).locks).toEqual([expect.objectContaining({ relation: 'accounts', mode: 'ShareUpdateExclusiveLock' })]);
    });
  });
}

describe('pgarch trace CLI', () => {
  it('prints a readable report', async () => {
    const run = await pgarch(['trace', join(dir, '0002_change.sql'), '--rows', 'accounts=500']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('seeded public.accounts=500');
    expect(run.stdout).toMatch(/1:1\s+ALTER TABLE accounts ADD COLUMN note text\s+\(\d+\.\d ms\)\n\s+AccessExclusiveLock on table public\.accounts — blocks reads, writes/);
    expect(run.stdout).toContain('rewrote table public.accounts');
    expect(run.stdout).toMatch(/5 statements traced: 3 took ACCESS EXCLUSIVE, 4 relation rewrites/);
  });

  it('prints JSON, and explains a seed that cannot work', async () => {
    const json = await pgarch(['trace', join(dir, '0002_change.sql'), '--format', 'json']);
    expect(JSON.parse(json.stdout).statements).toHaveLength(5);
    const bad = await pgarch(['trace', join(dir, '0002_change.sql'), '--rows', 'nope=5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('pgarch: --rows nope=5: no such table before the traced migration\n');
  });
});
