// A dying engine is never "clean". PGlite's WASM build has no working stack check: a function that
// calls itself without end overflows PostgreSQL's error stack, after which PGlite answers nothing (and
// a later call can kill the process). pgarch stops there with an engine-failure error at the statement
// that killed it and exit code 3; a server fails that statement ("stack depth limit exceeded") and
// goes on. Both say the same thing: this statement recurses without end.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainQueries } from '../../src/explain/explain.js';
import { lintSchema } from '../../src/lint/schema.js';
import { lintMigrations } from '../../src/migrate/lint.js';
import type { Finding } from '../../src/types.js';
import { pgarch } from '../helpers/cli.js';
import { ENGINES } from '../helpers/server.js';

const RECURSION = "CREATE TABLE before_it (id bigint PRIMARY KEY);\nCREATE FUNCTION f(n int) RETURNS int LANGUAGE sql AS 'SELECT f(n + 1)';\nSELECT f(1);\nCREATE TABLE after_it (id int);\n";
// In a transaction block the INSERTs run as one batch: the finding names the batch's lines.
const IN_BLOCK = "BEGIN;\nCREATE TABLE n (v int);\nCREATE FUNCTION g(n int) RETURNS int LANGUAGE plpgsql AS 'BEGIN RETURN g(n + 1); END';\nINSERT INTO n SELECT g(1);\nCOMMIT;\nCREATE TABLE later (id int);\n";

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'pgarch-engine-death-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

const shown = (findings: Finding[]) => findings.filter((f) => ['engine-failure', 'execution-error', 'missing-primary-key'].includes(f.rule)).map((f) => `${f.rule} ${f.location?.line ?? '-'} ${f.severity}`);

for (const target of ENGINES) {
  describe(`an endless recursion on ${target.name}`, () => {
    it('lint migrations: the recursing statement is the finding, and nothing is called clean', async () => {
      const d = dir({ '001_recursion.sql': RECURSION, '002_more.sql': 'CREATE TABLE more (id int);\n' });
      const { report } = await lintMigrations({ paths: [d], database: target.database });
      if (target.name === 'pglite') {
        expect(shown(report.findings)).toEqual(['engine-failure 3 error']);
        const failure = report.findings.find((f) => f.rule === 'engine-failure')!;
        expect(failure.message).toMatch(/ran out of stack .*"stack depth limit exceeded" while running this statement; the run stopped there: 2 later statements were not checked$/);
      } else {
        // The server fails the statement and goes on: the later files are still checked.
        expect(report.findings.filter((f) => f.rule === 'execution-error').map((f) => `${f.location?.line} ${f.message}`)).toEqual(['3 stack depth limit exceeded']);
        expect(report.findings.some((f) => f.rule === 'engine-failure')).toBe(false);
      }
      expect(report.summary.errors).toBeGreaterThan(0);
    });

    it('lint schema: findings before the death stand, schema rules do not run on a dead engine', async () => {
      const { report } = await lintSchema({ paths: [dir({ 'schema.sql': RECURSION })], database: target.database });
      if (target.name === 'pglite') expect(shown(report.findings)).toEqual(['engine-failure 3 error']);
      else expect(shown(report.findings).sort()).toEqual(['execution-error 3 error', 'missing-primary-key 4 warning']);
    });

    it('explain: the query that recursed is the finding, with no plan', async () => {
      const schema = join(dir({ 'schema.sql': "CREATE FUNCTION f(n int) RETURNS int LANGUAGE sql AS 'SELECT f(n + 1)';\n" }), 'schema.sql');
      const report = await explainQueries({ sql: 'SELECT f(1)', schema: [schema], database: target.database });
      expect(report.plans).toEqual([]);
      expect(report.findings.map((f) => f.rule === 'engine-failure' ? f.rule : `${f.rule} ${f.message}`)).toEqual([target.name === 'pglite' ? 'engine-failure' : 'execution-error stack depth limit exceeded']);
    });

    it('in a transaction block the batch that died is named by its lines', async () => {
      const { report } = await lintMigrations({ paths: [dir({ '001.sql': IN_BLOCK })], database: target.database });
      const failure = report.findings.find((f) => f.rule === 'engine-failure' || f.rule === 'execution-error');
      if (target.name === 'pglite') expect(failure?.message).toMatch(/this statement or one run with it \(lines 2–4\); the run stopped there: 2 later statements were not checked$/);
      else expect(`${failure?.location?.line} ${failure?.message}`).toBe('4 stack depth limit exceeded');
    });
  });
}

describe('what is not an engine failure', () => {
  it("RAISE EXCEPTION 'unreachable' is the SQL's error, and the run goes on", async () => {
    const d = dir({ '001.sql': "CREATE FUNCTION boom() RETURNS void LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'unreachable'; END $$;\nSELECT boom();\nCREATE TABLE after_boom (id int);\nCREATE INDEX after_boom_id ON after_boom (id);\n" });
    const { report } = await lintMigrations({ paths: [d] });
    expect(report.findings.filter((f) => f.severity === 'error').map((f) => `${f.rule} ${f.location?.line} ${f.message}`)).toEqual(['execution-error 2 unreachable']);
  });
});

describe('the CLI on an engine failure', () => {
  it('exits 3 with valid JSON that holds the failure', async () => {
    const d = dir({ '001_recursion.sql': RECURSION });
    const run = await pgarch(['lint', 'migrations', d, '--format', 'json']);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as { findings: Finding[] };
    expect(report.findings.map((f) => `${f.rule} ${f.location?.line}`)).toEqual(['engine-failure 3']);
  });
});
