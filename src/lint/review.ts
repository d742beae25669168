// `pgarch review`: every capability that has landed, on one project, as one report. Today: the schema
// rules on the catalog the project's SQL builds, the migration rules on its migrations folder(s), and
// the query rules on its queries folder(s), checked against that same schema.
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { defaultConfig, type Config } from '../config.js';
import { findMigrationSets, type MigrationLayout } from '../migrate/discover.js';
import { lintMigrations } from '../migrate/lint.js';
import { lintQueries } from '../query/lint.js';
import type { Finding, Report } from '../types.js';
import { compareFindings } from './policy.js';
import { lintSchema } from './schema.js';
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
  const schema = await lintSchema({ paths: options.paths, database: options.database, config, setup, progress: options.progress });
  // Migration folders anywhere below the paths, each read as its tool's layout, each its own history.
  const sets = findMigrationSets(options.paths.filter((p) => statSync(p).isDirectory()), { layout: options.layout, pattern: options.pattern, plainFolder: false });
  const migrations = sets.length ? await lintMigrations({ paths: options.paths, sets, database: options.database, config, setup }) : undefined;
  // Queries are checked against the schema the project's SQL builds (schema discovery skips `queries` folders).
  const queryDirs = findNamedDirs(options.paths, 'queries');
  const queries = queryDirs.length ? await lintQueries({ paths: queryDirs, schema: options.paths, database: options.database, config, setup }) : undefined;
  // The passes read the same files: input problems (syntax, execution) are reported once; distinct
  // findings of one rule at one place (two columns of one statement) are not one.
  const key = (f: Finding) => `${f.rule}@${f.location?.file}:${f.location?.line}:${f.location?.column} ${f.object ?? ''} ${f.message}`;
  const seen = new Set(schema.report.findings.map(key));
  const extra = [...(migrations?.report.findings ?? []), ...(queries?.report.findings ?? [])].filter((f) => !seen.has(key(f)) && seen.add(key(f)));
  const findings = [...schema.report.findings, ...extra].sort(compareFindings);
  // Which folders were read as which layout, and what was left out (once per path).
  const inputs = [...(migrations?.report.inputs ?? []), ...(schema.report.inputs ?? []).filter((i) => i.layout === 'none')];
  return {
    tool: 'pgarch',
    version: schema.report.version,
    findings,
    ...(inputs.length ? { inputs } : {}),
    summary: summarize(findings, {
      files: schema.report.summary.files + (queries?.sources.length ?? 0),
      statements: schema.report.summary.statements + (queries ? queries.report.summary.statements : 0),
      elapsedMs: Math.round(performance.now() - started),
    }),
  };
}
