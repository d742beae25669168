// The public library API: every capability the CLI offers, as functions over plain data.
export type { Finding, Location, Fix, Report, Severity, Summary, RuleArea } from './types.js';
export { VERSION } from './version.js';

export { parseFile, parseFileSync, loadParser, type ParsedFile, type Statement } from './sql/parse.js';
export { quoteIdent, quoteQualified } from './sql/quote.js';

export { openEngine, redact, EngineError, type Engine, type EngineKind, type OpenEngineOptions, type Queryable } from './engine/index.js';
export { EMBEDDED_EXTENSIONS } from './engine/pglite.js';

export { introspect } from './catalog/introspect.js';
export { buildOrigin, type OriginMap } from './catalog/origin.js';
export type * from './catalog/types.js';

export { schemaRules, queryRules, planRules, allRules, type RuleInfo } from './rules/registry.js';
export { finding, type Rule, type SchemaRule, type SchemaRuleContext, type QueryRule, type QueryRuleContext, type PlanRule, type PlanRuleContext } from './rules/types.js';

export { lintSchema, readSqlFiles, type LintSchemaOptions, type SchemaLintResult } from './lint/schema.js';
export { applyFiles } from './lint/apply.js';
export { review, type ReviewOptions } from './lint/review.js';
export { lintMigrations, type LintMigrationsOptions, type MigrationLintResult } from './migrate/lint.js';
export { lintQueries, type LintQueriesOptions, type QueryLintResult } from './query/lint.js';
export { extractSql, type EmbeddedSql, type ExtractResult } from './query/extract.js';
export { discoverQueryFiles, readQuerySources, type QuerySource, type QueryUnit } from './query/sources.js';
export { discoverMigrations, type Migration } from './migrate/discover.js';
export { traceFile, type TraceResult, type TraceOptions } from './migrate/trace.js';
export { discoverSqlFiles, InputError } from './lint/files.js';

export { explainQueries, explainGivenPlans, type ExplainOptions, type ExplainReport, type ExplainedQuery } from './explain/explain.js';
export { explainStatement, type ExplainRun, type ExplainStatementOptions } from './explain/run.js';
export { analyzePlan, type PlanAnalysis, type AnalyzeOptions } from './explain/analyze.js';
export { parseJsonPlan, PlanParseError, walkPlan } from './explain/parse-json.js';
export { parseTextPlan } from './explain/parse-text.js';
export { computeTimings, describeNode } from './explain/timing.js';
export { formatExplainText } from './explain/render-text.js';
export { renderPlanHtml } from './explain/html.js';
export type { Plan, PlanNode, NodeTiming, Buffers, ActualStats } from './explain/types.js';

export { adviseIndexes, type AdviseOptions } from './advise/advise.js';
export { applyAdvice, adviceMigration, type Applied } from './advise/apply.js';
export type { Advice, AdviceReport, ProposedIndex, DroppedIndex, QueryAdvice } from './advise/types.js';
export { runHealth, type HealthOptions } from './monitor/run.js';
export { healthChecks } from './monitor/checks/index.js';
export { DEFAULT_THRESHOLDS, type HealthCheck, type HealthThresholds } from './monitor/types.js';
export { formatHealthMarkdown } from './monitor/markdown.js';
export { startDashboard, type Dashboard, type DashboardOptions } from './monitor/dashboard/server.js';

export { loadConfig, defaultConfig, configSchema, type Config } from './config.js';
export { ConfigSchema } from './config-schema.js';
export { formatReport, FORMATS, summarize, exitCodeFor, type Format } from './report/index.js';

export { migrateUp, migrateDown, migrateRedo, migrateBaseline, migrateDryRun, migrationStatus, runBackfill, type RunResult, type StatusResult, type UpOptions, type DownOptions, type RunnerOptions } from './migrate/runner/index.js';
export { verifyMigrations, type VerifyOptions, type VerifyResult } from './migrate/runner/verify.js';
export { newMigration } from './migrate/runner/template.js';
export { backfill, type BackfillOptions, type BackfillProgress } from './migrate/runner/backfill.js';

export { loadModel, parseModel, normalizeModel, modelJsonSchema, type Model } from './model/spec.js';
export { modelToDdl, type GeneratedDdl, type DdlOptions } from './model/ddl.js';
export { readModel, modelFromCatalog, modelToYaml } from './model/from-catalog.js';
export { writeSchemaDocs, generateSchemaDocs, type SchemaDocsOptions, type SchemaDocsResult, type DocFile } from './docs/schema-docs.js';

export { diffSources, readSide, type DiffResult, type DiffSide } from './diff/sources.js';
export { diffObjects, columnOrderNotes, type DiffStatement } from './diff/diff.js';
export { readDiffObjects, type DiffObject, type DiffKind } from './diff/objects.js';
export { planSources, planOnEngine, PlanFailure, type PlanResult, type PlanSourcesOptions } from './diff/plan-run.js';
export { buildPlan, type Plan as MigrationPlan, type PlanMigration, type Phase } from './diff/plan.js';
export { writePlan } from './diff/plan-write.js';
