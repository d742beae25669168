// `pgarch explain`: queries (files or inline) explained on an engine that holds the schema — embedded
// PGlite with --schema files and --rows synthetic data, a scratch database, or a live one — or plans
// given as JSON/text; each plan analysed into timings and insights.
import { scanSync } from '../sql/pg-parser.js';
import { defaultConfig, type Config } from '../config.js';
import { ConnectionLostError, EngineDiedError, openEngine, toEngineError, type Engine } from '../engine/index.js';
import { applyFiles, executionErrorFinding, extensionsUsed } from '../lint/apply.js';
import { EngineFailure, engineFailureFinding } from '../lint/engine-failure.js';
import { InputError, readInputFile } from '../lint/files.js';
import { buildReport } from '../lint/policy.js';
import { applyEnvironment, EMPTY_ENVIRONMENT, loadEnvironment, resolveProfile } from '../lint/environment.js';
import { readSqlFiles } from '../lint/schema.js';
import { seedTables } from '../migrate/seed.js';
import { loadParser, parseFileSync, type ParsedFile } from '../sql/parse.js';
import type { Finding, Location, Report } from '../types.js';
import { analyzePlan, type PlanAnalysis } from './analyze.js';
import { parseJsonPlan } from './parse-json.js';
import { parseTextPlan } from './parse-text.js';
import { explainStatement, isExplainable } from './run.js';
import type { NodeTiming, Plan } from './types.js';

export interface ExplainedQuery {
  /** The query as explained (or the plan file's name for a given plan). */
  query?: string;
  location?: Location;
  plan: Plan;
  /** Indexed by node id. */
  timings: NodeTiming[];
  /** The plan is generic (a parameterised query explained without values): estimates only. */
  generic?: boolean;
  findings: Finding[];
}

/** A Report (findings + summary, the shared JSON contract) that also carries the plans. */
export interface ExplainReport extends Report {
  engine?: string;
  plans: ExplainedQuery[];
}

export interface ExplainOptions {
  /** Files of queries to explain (each explainable statement is one query). */
  files?: string[];
  /** Inline SQL given on the command line. */
  sql?: string;
  /** Schema files or directories, applied first (embedded engine or a scratch database). */
  schema?: string[];
  /** Synthetic rows per table (`orders` or `public.orders` → N), generated after the schema. */
  rows?: Record<string, number>;
  /** A server; with schema files a scratch database there, without them the database itself. */
  database?: string;
  analyze?: boolean;
  params?: string[];
  config?: Config;
  /** SQL applied before the schema files and never linted; adds to config.setup. */
  setup?: string[];
  progress?: (done: number, total: number) => void;
}

export async function explainQueries(options: ExplainOptions): Promise<ExplainReport> {
  const started = performance.now();
  const config = options.config ?? defaultConfig();
  await loadParser();
  const queryFiles: ParsedFile[] = (options.files ?? []).map((file) => parseFileSync(readInputFile(file), file));
  if (options.sql !== undefined) queryFiles.push(parseFileSync(options.sql, undefined));
  // A query that does not parse is answered at once: no engine is started for it.
  if (queryFiles.some((f) => f.findings.some((x) => x.rule === 'syntax-error'))) {
    const statements = queryFiles.reduce((n, f) => n + f.statements.length, 0);
    return { ...buildReport(queryFiles.flatMap((f) => f.findings), queryFiles, config, { files: queryFiles.length, statements, started }), plans: [] };
  }
  const schemaFiles = options.schema?.length ? await readSqlFiles(options.schema) : [];
  const useScratch = schemaFiles.length > 0 || !options.database;
  const env = useScratch
    ? await loadEnvironment({ profile: resolveProfile(options.schema ?? [], config.profile), setup: [...config.setup, ...(options.setup ?? [])] })
    : EMPTY_ENVIRONMENT;
  const engine: Engine = await openEngine(
    useScratch ? { database: options.database, scratch: true, extensions: [...env.extensions, ...extensionsUsed([...schemaFiles, ...queryFiles])] } : { database: options.database },
  );
  const findings: Finding[] = [...schemaFiles, ...queryFiles].flatMap((f) => f.findings);
  const plans: ExplainedQuery[] = [];
  let engineText: string | undefined;
  try {
    engineText = (await engine.version()).text;
    findings.push(...(await applyEnvironment(engine, env)).findings, ...(await applyFiles(engine, schemaFiles)));
    if (options.rows && Object.keys(options.rows).length) await seedTables(engine, options.rows, ' in the schema');
    // Plans are only as good as the statistics: a scratch engine gets them now, after its data.
    if (useScratch) await engine.exec('ANALYZE');
    const total = queryFiles.reduce((n, f) => n + f.statements.length, 0);
    let done = 0;
    queries: for (const file of queryFiles) {
      for (const stmt of file.statements) {
        done++;
        options.progress?.(done, total);
        const location = { file: file.file, line: stmt.line, column: stmt.column, statement: stmt.index };
        if (stmt.kind === 'VariableSetStmt') {
          // SET work_mem … before a query is part of how it runs: apply it, explain the rest.
          await engine.exec(stmt.text).catch((error) => findings.push(executionErrorFinding(file, stmt, toEngineError(error))));
          continue;
        }
        if (!isExplainable(stmt)) {
          findings.push({ rule: 'execution-error', severity: 'error', message: `${statementName(stmt.text)} cannot be explained`, location, hint: 'Give SELECT, INSERT, UPDATE, DELETE or MERGE statements; schema and data go in --schema files.' });
          continue;
        }
        try {
          const run = await explainStatement(engine, stmt, { analyze: options.analyze, params: options.params });
          run.plan.engine = engineText;
          const analysis = analyzePlan(run.plan, { smallTableRows: config.smallTableRows, disabled: offRules(config), parameterValues: Boolean(options.params?.length) });
          const located = analysis.findings.map((f) => ({ ...f, location }));
          findings.push(...located);
          plans.push({ query: run.plan.query, location, plan: run.plan, timings: analysis.timings, ...(run.generic ? { generic: true } : {}), findings: located });
        } catch (error) {
          if (error instanceof InputError) {
            findings.push({ rule: 'execution-error', severity: 'error', message: error.message, location });
            continue;
          }
          if (error instanceof ConnectionLostError) throw error;
          if (error instanceof EngineDiedError) {
            findings.push(engineFailureFinding(file, stmt, error, total - done));
            break queries;
          }
          const e = toEngineError(error);
          // The embedded engine starts empty: an unknown relation most likely means no schema was given.
          const noSchema = e.code === '42P01' && schemaFiles.length === 0 && !options.database;
          findings.push(executionErrorFinding(file, stmt, e, noSchema ? 'The embedded engine starts empty: give the schema with --schema FILE (and data with --rows table=N), or --database URL.' : undefined));
        }
      }
    }
  } catch (error) {
    // The engine died applying the schema: no query can be explained.
    if (!(error instanceof EngineFailure)) throw error;
    findings.push(...error.before, error.finding);
  } finally {
    await engine.close();
  }
  const statements = queryFiles.reduce((n, f) => n + f.statements.length, 0);
  const report = buildReport(findings, [...schemaFiles, ...queryFiles], config, { files: queryFiles.length + schemaFiles.length, statements, started });
  return { ...report, ...(engineText ? { engine: engineText } : {}), plans: plans.map((p) => ({ ...p, findings: p.findings.filter((f) => report.findings.includes(f)) })) };
}

/** Analyse plans that were produced elsewhere: EXPLAIN JSON, or text as psql prints it. */
export async function explainGivenPlans(inputs: Array<{ name: string; text: string }>, config: Config = defaultConfig()): Promise<ExplainReport> {
  const started = performance.now();
  await loadParser(); // the rules read plan expressions with the real parser
  const plans: ExplainedQuery[] = inputs.map(({ name, text }) => {
    let plan: Plan;
    try {
      plan = looksLikeJson(text) ? parseJsonPlan(text) : parseTextPlan(text);
    } catch (error) {
      throw new InputError(`${name}: ${(error as Error).message}`);
    }
    const analysis: PlanAnalysis = analyzePlan(plan, { smallTableRows: config.smallTableRows, disabled: offRules(config) });
    const location = { file: name };
    return { location, plan, timings: analysis.timings, findings: analysis.findings.map((f) => ({ ...f, location })) };
  });
  const findings = plans.flatMap((p) => p.findings);
  const report = buildReport(findings, [], config, { files: inputs.length, statements: inputs.length, started });
  return { ...report, plans: plans.map((p) => ({ ...p, findings: p.findings.filter((f) => report.findings.includes(f)) })) };
}

/** JSON plans mention "Node Type"; text plans never do. psql's decoration around either is fine. */
function looksLikeJson(text: string): boolean {
  return text.includes('"Node Type"');
}

function offRules(config: Config): Set<string> {
  return new Set(Object.entries(config.rules).filter(([, v]) => v === 'off').map(([k]) => k));
}

/** "CREATE TABLE", "DROP INDEX", "VACUUM": a statement's leading keywords, for messages. */
function statementName(sql: string): string {
  const words: string[] = [];
  for (const token of scanSync(sql).tokens) {
    if (token.keywordKind === 0 || words.length === 2) break;
    words.push(token.text.toUpperCase());
  }
  return words.length ? words.join(' ') : 'this statement';
}
