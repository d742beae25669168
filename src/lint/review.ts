// `pgarch review`: every capability that has landed, on one project, as one report in the seed's five
// parts (src/review/): the schema rules on the catalog the project's SQL builds, the migration rules
// and each reported migration's checklist on its migrations folder(s), the query rules on its queries
// folder(s) checked against that same schema, and with a live database its health.
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { defaultConfig, type Config } from '../config.js';
import { findMigrationSets, type MigrationLayout } from '../migrate/discover.js';
import { lintMigrations, reportedMigrations } from '../migrate/lint.js';
import { runHealth } from '../monitor/run.js';
import { redact } from '../engine/redact.js';
import { migrationChecklists } from '../review/checklist.js';
import { MONITORING_QUERIES } from '../review/monitoring-queries.js';
import { SECTIONS, sectionOf, type SectionId } from '../review/sections.js';
import { lintQueries } from '../query/lint.js';
import type { Finding, Report, ReviewSection } from '../types.js';
import { compareFindings } from './policy.js';
import { lintSchema } from './schema.js';
import { readSchemaInputs } from './schema-inputs.js';
import { summarize } from '../report/summary.js';

export interface ReviewOptions {
  paths: string[];
  database?: string;
  config?: Config;
  /** SQL applied before the project's SQL and never linted; adds to config.setup. */
  setup?: string[];
  /** Read migration folders as this layout instead of detecting each one's. */
  layout?: MigrationLayout;
  /** Migration files matching this glob, for layouts no reader knows. */
  pattern?: string;
  /** Review only the migrations changed since this git ref (the history before them still builds the catalog). */
  since?: string;
  /** Rows to assume per table (`schema.table` or `table`): the checklist's runtimes are estimated at these sizes. */
  assumeRows?: Record<string, number>;
  /** Cache the embedded engine's state after the migration history (see history-cache.ts); none when absent. */
  cache?: { dir: string; minStatements?: number };
  progress?: (done: number, total: number) => void;
}

/** Folders named `name` in or below the given paths (depth ≤ 3), or the paths themselves when so named. */
export function findNamedDirs(paths: string[], name: string): string[] {
  const found: string[] = [];
  const visit = (dir: string, depth: number) => {
    if (basename(dir) === name) {
      found.push(dir);
      return;
    }
    if (depth === 0) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) visit(join(dir, e.name), depth - 1);
    }
  };
  for (const p of paths) if (statSync(p).isDirectory()) visit(p, 3);
  return found;
}


export async function review(options: ReviewOptions): Promise<Report> {
  const started = performance.now();
  const config = options.config ?? defaultConfig();
  const { setup } = options;
  // Migration folders anywhere below the paths, each read as its tool's layout, each its own history.
  const sets = findMigrationSets(options.paths.filter((p) => statSync(p).isDirectory()), { layout: options.layout, pattern: options.pattern, plainFolder: false });
  // One engine for the whole review when the project's schema is one migration history: the run that
  // checks each migration builds the catalog the schema and query rules then read (applied once, not
  // three times). Otherwise (schema files beside or instead of migrations, several histories) the
  // schema is applied on an engine of its own.
  const schemaInputs = await readSchemaInputs(options.paths);
  const schemaFiles = schemaInputs.files.map((f) => f.file);
  const historyFiles = sets.flatMap((s) => s.migrations.map((m) => m.file));
  const oneEngine = sets.length === 1 && schemaFiles.length === historyFiles.length && schemaFiles.every((f, i) => f === historyFiles[i]);
  const migrations = sets.length
    ? await lintMigrations({
        paths: options.paths,
        sets,
        database: options.database,
        config,
        setup,
        since: options.since,
        assumeRows: options.assumeRows,
        // With a live database, the tables are as large as they are there.
        ...(options.database ? { statsFrom: options.database } : {}),
        keepEngine: oneEngine,
        cache: options.cache,
        ...(oneEngine ? { progress: options.progress } : {}),
        // The schema inputs read the same folder as the same layout unless told otherwise: parsed once.
        ...(oneEngine && !options.layout && !options.pattern ? { parsedUp: new Map(schemaInputs.files.map((f) => [f.file!, f])) } : {}),
      })
    : undefined;
  const built = migrations?.engine && migrations.environment ? { engine: migrations.engine, environment: migrations.environment } : undefined;
  let schema: Awaited<ReturnType<typeof lintSchema>>;
  let queries: Awaited<ReturnType<typeof lintQueries>> | undefined;
  // Queries are checked against the schema the project's SQL builds (schema discovery skips `queries` folders).
  const queryDirs = findNamedDirs(options.paths, 'queries');
  try {
    schema = await lintSchema({ paths: options.paths, database: options.database, config, setup, progress: built ? undefined : options.progress, built, inputs: schemaInputs });
    queries = queryDirs.length ? await lintQueries({ paths: queryDirs, schema: options.paths, database: options.database, config, setup, assumeRows: options.assumeRows, engine: built?.engine }) : undefined;
  } finally {
    await built?.engine.close();
  }
  // The passes read the same files: input problems (syntax, execution) are reported once; distinct
  // findings of one rule at one place (two columns of one statement) are not one.
  const key = (f: Finding) => `${f.rule}@${f.location?.file}:${f.location?.line}:${f.location?.column} ${f.object ?? ''} ${f.message}`;
  const seen = new Set(schema.report.findings.map(key));
  const extra = [...(migrations?.report.findings ?? []), ...(queries?.report.findings ?? [])].filter((f) => !seen.has(key(f)) && seen.add(key(f)));
  const findings = [...schema.report.findings, ...extra].sort(compareFindings);
  // Which folders were read as which layout, and what was left out (once per path).
  const inputs = [...(migrations?.report.inputs ?? []), ...(schema.report.inputs ?? []).filter((i) => i.layout === 'none')];
  // With a live database, its health is the Monitoring part (read only, never waiting behind a lock).
  const health = options.database ? await runHealth({ database: options.database, config }) : undefined;
  const all = [...findings, ...(health?.findings ?? [])];
  const sections = reviewSections(all, {
    migrationDirs: sets.map((s) => s.dir),
    queryDirs,
    checklists: migrationChecklists({
      history: sets.flatMap((s) => s.migrations),
      reported: [...reportedMigrations(sets.flatMap((s) => s.migrations), { since: options.since })],
      findings,
      rollbacks: migrations?.rollbacks,
      runtimes: migrations?.runtimes,
      queries: queries ? { findings: queries.report.findings, statements: queries.report.summary.statements } : undefined,
      engine: options.database ? `a scratch database on ${redact(options.database)}` : 'embedded PGlite',
    }),
    database: options.database,
    health: Boolean(health),
    queriesRead: queries?.report.summary.statements ?? 0,
  });
  return {
    tool: 'pgarch',
    version: schema.report.version,
    findings: all,
    ...(inputs.length ? { inputs } : {}),
    summary: summarize(all, {
      files: schema.report.summary.files + (queries?.sources.length ?? 0),
      statements: schema.report.summary.statements + (queries ? queries.report.summary.statements : 0),
      elapsedMs: Math.round(performance.now() - started),
    }),
    sections,
  };
}

/** The five parts, each with the positions of its findings in `findings`. */
function reviewSections(
  findings: Finding[],
  ctx: { migrationDirs: string[]; queryDirs: string[]; checklists: ReviewSection['checklists']; database?: string; health: boolean; queriesRead: number },
): ReviewSection[] {
  const places = { migrationDirs: ctx.migrationDirs, queryDirs: ctx.queryDirs };
  const by = new Map<SectionId, number[]>(SECTIONS.map((s) => [s.id, []]));
  findings.forEach((f, i) => by.get(sectionOf(f, places))!.push(i));
  return SECTIONS.map(({ id, title }) => {
    const positions = by.get(id)!;
    const count = (severity: Finding['severity']) => positions.filter((i) => findings[i].severity === severity).length;
    const section: ReviewSection = { id, title, findings: positions, summary: { errors: count('error'), warnings: count('warning'), infos: count('info') } };
    if (id === 'migration') {
      if (ctx.checklists?.length) section.checklists = ctx.checklists;
      else if (!ctx.migrationDirs.length) section.note = 'No migrations folder was found under the paths.';
    }
    if (id === 'queries' && !ctx.queryDirs.length) section.note = 'No queries folder was found: the query rules read the queries in folders named queries.';
    else if (id === 'queries' && !ctx.queriesRead) section.note = 'The queries folders hold no query.';
    if (id === 'indexes') section.note = 'Proposals for the project\'s queries: pgarch advise indexes --schema … --workload queries/ (it needs data: --rows TABLE=N).';
    if (id === 'monitoring' && !ctx.health) {
      section.note = 'No live database was given: run these on one (read only), or pgarch health --database URL for all 22 checks.';
      section.queries = [...MONITORING_QUERIES];
    }
    return section;
  });
}
