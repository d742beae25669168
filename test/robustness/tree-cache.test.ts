// Huge files keep only some statements' parse trees, as trees or as the parser's JSON text
// (src/sql/tree-cache.ts), and parse the others again when asked. A tree made from the text or
// reparsed must be the first parse's exactly, locations included: rules locate findings from it.
// Checked with a budget so small that every tree is dropped, on every SQL file PostgreSQL ships
// (multi-byte text, psql variables, meta-commands) and on our own fixtures.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walkFiles } from '../../src/lint/files.js';
import { lintSchema } from '../../src/lint/schema.js';
import { lintMigrations } from '../../src/migrate/lint.js';
import { loadParser, parseFileSync } from '../../src/sql/parse.js';
import { setTreeBudget } from '../../src/sql/tree-cache.js';

function sqlFiles(): string[] {
  const roots = [join(import.meta.dirname, '..', 'fixtures'), join(import.meta.dirname, '..', '..', 'examples')];
  try {
    roots.push(execFileSync('pg_config', ['--sharedir'], { encoding: 'utf8' }).trim());
  } catch {
    if (process.env.CI === 'true') throw new Error('CI=true but pg_config is missing');
  }
  return roots.flatMap((root) => walkFiles(root, (name) => name.endsWith('.sql'), new Set()));
}

describe('parse trees made again after the tree cache dropped them', () => {
  let previous: number;
  beforeAll(async () => {
    await loadParser();
  });
  afterAll(() => {
    setTreeBudget(previous);
  });

  it('equal the first parse, locations included, in every file', () => {
    const files = sqlFiles();
    expect(files.length).toBeGreaterThan(100);
    let statements = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      previous = setTreeBudget(Number.MAX_SAFE_INTEGER);
      const first = parseFileSync(text, file).statements.map((s) => JSON.stringify(s.node));
      setTreeBudget(0);
      const again = parseFileSync(text, file);
      // Budget 0: no tree or text is kept, so each statement is parsed again when read.
      const reparsed = again.statements.map((s) => JSON.stringify(s.node));
      expect(reparsed, file).toEqual(first);
      setTreeBudget(previous);
      statements += first.length;
    }
    expect(statements).toBeGreaterThan(3000);
  });

  it('locate findings where the first tree did', () => {
    const text = "SELECT 1;\n-- é\nCREATE TABLE t (a int, b text DEFAULT 'ü' CHECK (length(b) > 2));\n";
    previous = setTreeBudget(0);
    const parsed = parseFileSync(text, 'x.sql');
    const create = parsed.statements[1];
    parsed.statements[0].node; // nothing is kept: the CREATE's tree is parsed again
    const column = (create.node as any).CreateStmt.tableElts[1].ColumnDef;
    const check = column.constraints.find((c: any) => c.Constraint.contype === 'CONSTR_CHECK').Constraint;
    expect(parsed.locate(create, check.location)).toMatchObject({ line: 3, column: 43 });
    setTreeBudget(previous);
  });

  it('give the same findings to every migration and schema rule, trees made again or not', async () => {
    // A rule that kept data keyed by a tree object, or mutated one, would differ here.
    const paths = [join(import.meta.dirname, '..', '..', 'examples', 'shop')];
    const strip = (findings: unknown[]) => JSON.stringify(findings);
    previous = setTreeBudget(Number.MAX_SAFE_INTEGER);
    const migrations = strip((await lintMigrations({ paths })).report.findings);
    const schema = strip((await lintSchema({ paths })).report.findings);
    setTreeBudget(0);
    try {
      expect(strip((await lintMigrations({ paths })).report.findings)).toBe(migrations);
      expect(strip((await lintSchema({ paths })).report.findings)).toBe(schema);
    } finally {
      setTreeBudget(previous);
    }
    expect(JSON.parse(migrations).length).toBeGreaterThan(3);
  }, 120_000);
});
