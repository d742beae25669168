// Run one SQL case of a rule on an engine, the way the rule meets real input: used by the tests (every
// case on both engines) and by the docs generator (the fix a bad case really gets).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { introspect } from '../catalog/introspect.js';
import { emptyOrigin, recordStatement } from '../catalog/origin.js';
import { defaultConfig } from '../config.js';
import type { Engine } from '../engine/types.js';
import { applyFiles } from '../lint/apply.js';
import { FailureGroups } from '../lint/root-cause.js';
import { EngineCatalogView } from '../migrate/catalog-view.js';
import type { Migration } from '../migrate/discover.js';
import { MigrationRunner } from '../migrate/lint.js';
import { parseFileSync, type ParsedFile } from '../sql/parse.js';
import type { Finding } from '../types.js';
import type { RuleCase } from './cases.js';
import type { MigrationRule, PlanRule, SchemaRule } from './types.js';
import { analyzePlan } from '../explain/analyze.js';
import { explainStatement } from '../explain/run.js';
import type { Plan } from '../explain/types.js';

const SCHEMA_BASE_PATH = fileURLToPath(new URL('../../src/rules/schema/base.sql', import.meta.url));
const MIGRATION_BASE_PATH = fileURLToPath(new URL('../../src/rules/migration/base.sql', import.meta.url));

/** Extensions the schema cases create (the embedded engine loads their bundles at start). */
export const CASE_EXTENSIONS = ['citext', 'hstore'];

/** What a Supabase project provides (auth.uid(), roles), run once per engine before schema cases. */
export async function prepareSchemaCases(engine: Engine): Promise<void> {
  await engine.exec(readFileSync(SCHEMA_BASE_PATH, 'utf8'));
}

export interface CaseResult {
  /** The rule's findings on the case's own objects. */
  findings: Finding[];
  /** Statements of the case that failed to run (a broken case). */
  errors: Finding[];
}

const statementsOf = (parsed: ParsedFile, c: RuleCase) => parsed.statements.filter((s) => s.line >= c.firstLine && s.line <= c.lastLine);

/** A schema rule's case, in its own schema `schema` so cases never see each other's tables. */
export async function runSchemaCase(engine: Engine, rule: SchemaRule, parsed: ParsedFile, c: RuleCase, schema: string): Promise<CaseResult> {
  await engine.exec(`CREATE SCHEMA ${schema}; SET search_path = ${schema}, public;`);
  const statements = statementsOf(parsed, c);
  const errors = await applyFiles(engine, [{ ...parsed, statements }]);
  const origin = emptyOrigin();
  for (const s of statements) recordStatement(origin, { defaultSchema: schema }, parsed, s);
  const catalog = await introspect(engine);
  const profile = c.options.profile ?? 'default';
  if (rule.profiles && !rule.profiles.includes(profile)) throw new Error(`case "${c.title}" of ${rule.id} needs {"profile": "${rule.profiles[0]}"}`);
  const ctx = { catalog, origin, engine, profile, exposedSchemas: [schema], sampleRows: 100_000, live: false };
  const findings = (await rule.check(ctx)).filter((f) => f.object?.startsWith(`${schema}.`));
  return { findings, errors };
}

/** A migration rule's case: the migration deployed after the shared base schema, in schema `schema`. */
export async function runMigrationCase(engine: Engine, rule: MigrationRule, parsed: ParsedFile, c: RuleCase, schema: string): Promise<CaseResult> {
  await engine.exec(`CREATE SCHEMA ${schema}; SET search_path = ${schema}, public;`);
  const config = { ...defaultConfig(), assumeInTransaction: Boolean(c.options.assumeInTransaction), assumeRows: c.options.assumeRows ?? {} };
  const view = new EngineCatalogView(engine, { assumeRows: config.assumeRows });
  const failures = new FailureGroups([parsed], engine);
  const runner = new MigrationRunner({ engine, failures, config, pgVersion: c.options.pgVersion ?? 15, rules: [rule], view, smallTableRows: 10_000, total: 0 });
  const baseText = readFileSync(MIGRATION_BASE_PATH, 'utf8');
  const base = parseFileSync(baseText, MIGRATION_BASE_PATH);
  runner.deploy();
  const baseFindings = await runner.run({ id: '0001_base', file: MIGRATION_BASE_PATH, text: baseText, up: { start: 0, end: baseText.length }, layout: 'numbered', transaction: 'none' }, base);

  const file: ParsedFile = { ...parsed, statements: statementsOf(parsed, c), directives: { ...parsed.directives, flags: c.options.noTransaction ? ['no-transaction'] : [] } };
  const migration: Migration = {
    id: '0002_case',
    file: parsed.file!,
    text: parsed.text,
    up: { start: 0, end: parsed.text.length },
    down: c.options.down === undefined ? undefined : { file: 'down.sql', text: c.options.down, start: 0, end: c.options.down.length },
    layout: (c.options.layout as Migration['layout']) ?? 'diesel',
    // The case's own options say whether a runner wraps it (assumeInTransaction), not the layout.
    transaction: 'none',
  };
  runner.deploy();
  const all = await runner.run(migration, file);
  return {
    findings: all.filter((f) => f.rule === rule.id),
    errors: [...baseFindings, ...all].filter((f) => f.rule === 'execution-error'),
  };
}

/**
 * A plan rule's case: every statement but the last builds the schema and data (in schema `schema`,
 * committed); the last is the query, explained with ANALYZE (rolled back) on the engine. Session
 * settings a case makes (SET work_mem …) are reset afterwards.
 */
export async function runPlanCase(engine: Engine, rule: PlanRule, parsed: ParsedFile, c: RuleCase, schema: string): Promise<CaseResult & { plan?: Plan }> {
  await engine.exec(`CREATE SCHEMA ${schema}; SET search_path = ${schema}, public;`);
  const statements = statementsOf(parsed, c);
  const query = statements[statements.length - 1];
  try {
    const errors = await applyFiles(engine, [{ ...parsed, statements: statements.slice(0, -1) }]);
    if (errors.length) return { findings: [], errors };
    const run = await explainStatement(engine, query);
    const analysis = analyzePlan(run.plan, { rules: [rule] });
    const location = { file: parsed.file, line: query.line, column: query.column };
    return { findings: analysis.findings.map((f) => ({ ...f, location })), errors: [], plan: run.plan };
  } finally {
    await engine.exec('RESET ALL');
  }
}
