// Run one SQL case of a query rule, the way the rule meets real input: used by the tests (every case on
// both engines) and by the docs generator (the fix a bad case really gets). A case's DDL (an extra
// index, say) runs after the shared base schema and data (src/rules/query/base.sql), in the case's own
// schema; its queries are linted against the catalog that builds, or from the SQL alone with
// {"catalog": false}.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from '../config.js';
import type { Engine } from '../engine/types.js';
import { applyFiles } from '../lint/apply.js';
import type { CaseResult } from '../rules/case-runner.js';
import type { RuleCase } from '../rules/cases.js';
import type { QueryRule } from '../rules/types.js';
import type { ParsedFile, Statement } from '../sql/parse.js';
import type { Finding } from '../types.js';
import { queryCatalogFrom, type QueryCatalog } from './catalog.js';
import { lintStatement } from './lint.js';
import { sqlUnit } from './sources.js';

const QUERY_BASE_PATH = fileURLToPath(new URL('../../src/rules/query/base.sql', import.meta.url));

/** Extensions the query cases use (the embedded engine loads their bundles at start). */
export const QUERY_CASE_EXTENSIONS = ['pg_trgm'];

/** Statements of a case that are queries (linted); the rest build the case's schema. */
const QUERY_KINDS = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

/** Once per engine: pg_trgm in public, where every case's search_path finds its operator classes. */
export async function prepareQueryCases(engine: Engine): Promise<void> {
  await engine.exec('CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public');
}

/** The base schema and data every query case starts from. */
export function queryCaseBase(): string {
  return readFileSync(QUERY_BASE_PATH, 'utf8');
}

export interface QueryCaseResult extends CaseResult {
  /** The case's queries, in order. */
  queries: Statement[];
  catalog?: QueryCatalog;
}

export async function runQueryCase(engine: Engine, rule: QueryRule, parsed: ParsedFile, c: RuleCase, schema: string): Promise<QueryCaseResult> {
  const statements = parsed.statements.filter((s) => s.line >= c.firstLine && s.line <= c.lastLine);
  const setup = statements.filter((s) => !QUERY_KINDS.has(s.kind));
  const queries = statements.filter((s) => QUERY_KINDS.has(s.kind));
  const errors: Finding[] = [];
  let catalog: QueryCatalog | undefined;
  if (c.options.catalog !== false) {
    await engine.exec(`CREATE SCHEMA ${schema}; SET search_path = ${schema}, public;`);
    await engine.exec(queryCaseBase());
    errors.push(...(await applyFiles(engine, [{ ...parsed, statements: setup }])));
    catalog = await queryCatalogFrom(engine, { live: false });
  } else if (setup.length) {
    throw new Error(`case "${c.title}" of ${rule.id} runs without a catalog, so it cannot create objects`);
  }
  const env = { catalog, config: defaultConfig(), assumeRows: c.options.assumeRows ?? {}, smallTableRows: 10_000, rules: [rule] };
  const unit = sqlUnit(parsed);
  const found: Finding[] = [];
  for (const q of queries) found.push(...(await lintStatement(env, unit, q)));
  return {
    findings: found.filter((f) => f.rule === rule.id),
    errors: [...errors, ...found.filter((f) => f.rule === 'execution-error' || f.rule === 'rule-error')],
    queries,
    catalog,
  };
}
