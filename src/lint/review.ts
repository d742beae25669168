// `pgarch review`: every capability that has landed, on one project, as one report. Today: the schema
// rules on the catalog the project's SQL builds, and the migration rules on its migrations folder(s).
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { defaultConfig, type Config } from '../config.js';
import { lintMigrations } from '../migrate/lint.js';
import type { Report } from '../types.js';
import { compareFindings } from './policy.js';
import { lintSchema } from './schema.js';
import { summarize } from '../report/summary.js';

export interface ReviewOptions {
  paths: string[];
  database?: string;
  config?: Config;
  progress?: (done: number, total: number) => void;
}

/** Folders named `migrations` in or below the given paths (depth ≤ 3), or the paths themselves when so named. */
export function findMigrationDirs(paths: string[]): string[] {
  const found: string[] = [];
  const visit = (dir: string, depth: number) => {
    if (basename(dir) === 'migrations') {
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
  const schema = await lintSchema({ paths: options.paths, database: options.database, config, progress: options.progress });
  const dirs = findMigrationDirs(options.paths);
  const migrations = dirs.length ? await lintMigrations({ paths: dirs, database: options.database, config }) : undefined;
  // Both passes read the same files: input problems (syntax, execution) are reported once.
  const seen = new Set(schema.report.findings.map((f) => `${f.rule}@${f.location?.file}:${f.location?.line}:${f.location?.column}`));
  const extra = (migrations?.report.findings ?? []).filter((f) => !seen.has(`${f.rule}@${f.location?.file}:${f.location?.line}:${f.location?.column}`));
  const findings = [...schema.report.findings, ...extra].sort(compareFindings);
  return {
    tool: 'pgarch',
    version: schema.report.version,
    findings,
    summary: summarize(findings, {
      files: schema.report.summary.files,
      statements: schema.report.summary.statements,
      elapsedMs: Math.round(performance.now() - started),
    }),
  };
}
