// `pgarch migrate verify`: in a scratch database, every up step, then every down step newest first,
// then every up step again, with the schema compared after each step against the one it must give back
// (src/catalog/fingerprint.ts). A down step that does not restore what was there before its up step is an
// irreversible-migration finding naming the object that differs.
import { openEngine } from '../../engine/index.js';
import type { Engine } from '../../engine/types.js';
import { toEngineError } from '../../engine/types.js';
import { errorLocation, extensionsUsed } from '../../lint/apply.js';
import { schemaFingerprint, fingerprintDifferences, type SchemaFingerprint } from '../../catalog/fingerprint.js';
import { loadParser, type ParsedFile } from '../../sql/parse.js';
import { summarize } from '../../report/summary.js';
import type { Finding, Report } from '../../types.js';
import { VERSION } from '../../version.js';
import { parseMigration } from '../parse-migration.js';
import { textToRun } from '../statement.js';
import { lineAndColumn, parseStep, stepMode, StepError } from './apply.js';
import type { MigrationLayout } from '../discover.js';
import { readRunnerMigrations, type RunnerMigration } from './plan.js';

export interface VerifyOptions {
  dir: string;
  layout?: MigrationLayout;
  /** A server to make the scratch database on; embedded PGlite when absent. */
  database?: string;
  progress?: (done: number, total: number) => void;
}

export interface VerifyResult {
  report: Report;
  /** Steps run: ups, downs, ups again. */
  steps: number;
}

export async function verifyMigrations(options: VerifyOptions): Promise<VerifyResult> {
  const started = performance.now();
  await loadParser();
  const { migrations: all } = readRunnerMigrations(options.dir, { layout: options.layout });
  const migrations = all.filter((m) => !m.repeatable);
  const findings: Finding[] = [];
  const engine = await openEngine({ database: options.database, scratch: true, extensions: extensionsUsed(migrations.map((m) => parseMigration(m.migration))) });
  const total = migrations.length * 3;
  const counter = { statements: 0 };
  let steps = 0;
  const tick = () => options.progress?.(++steps, total);
  try {
    // states[i]: the schema before migration i; states[n]: after them all.
    const states: SchemaFingerprint[] = [await schemaFingerprint(engine)];
    for (const m of migrations) {
      const failed = await runPart(engine, m, 'up', counter);
      if (failed) return done([failed]);
      states.push(await schemaFingerprint(engine));
      tick();
    }
    let undone = migrations.length;
    for (let i = migrations.length - 1; i >= 0; i--) {
      const m = migrations[i];
      if (!m.migration.down) {
        findings.push(irreversible(m, `${m.migration.id} has no down step: the migrations before it were not undone`));
        break;
      }
      const failed = await runPart(engine, m, 'down', counter);
      if (failed) {
        findings.push({ ...failed, rule: 'irreversible-migration', message: `The down step of ${m.migration.id} failed: ${failed.message}` });
        return done(findings);
      }
      tick();
      const differences = fingerprintDifferences(states[i], await schemaFingerprint(engine));
      // Running the up steps again from a schema that is not the one they first ran on proves nothing.
      if (differences.length) return done([...findings, ...differences.map((d) => irreversible(m, `After the down step of ${m.migration.id}, ${afterDown(d)}`, true))]);
      undone = i;
    }
    // Up again from where the downs stopped: each must give the schema it gave the first time.
    for (let i = undone; i < migrations.length; i++) {
      const m = migrations[i];
      const failed = await runPart(engine, m, 'up', counter);
      if (failed) {
        findings.push({ ...failed, rule: 'irreversible-migration', message: `The up step of ${m.migration.id} failed when run again after its down step: ${failed.message}` });
        break;
      }
      tick();
      for (const d of fingerprintDifferences(states[i + 1], await schemaFingerprint(engine))) findings.push(irreversible(m, `Run again after the downs, ${m.migration.id} gives a different schema: ${d}`));
    }
    return done(findings);
  } finally {
    await engine.close();
  }

  function done(out: Finding[]): VerifyResult {
    return {
      report: { tool: 'pgarch', version: VERSION, findings: out, summary: summarize(out, { files: migrations.length, statements: counter.statements, elapsedMs: Math.round(performance.now() - started) }) },
      steps,
    };
  }
}

function irreversible(m: RunnerMigration, message: string, inDown = false): Finding {
  const down = m.migration.down;
  const at = inDown && down ? { file: down.file, line: lineAndColumn(down.text, down.start).line, column: 1 } : { file: m.migration.file, line: lineAndColumn(m.migration.text, m.migration.up.start).line, column: 1 };
  return {
    rule: 'irreversible-migration',
    severity: 'error',
    message,
    location: at,
    hint: 'Make the down step undo exactly what the up step does (drop what it creates, restore what it drops or changes).',
    docs: 'docs/rules/irreversible-migration.md',
  };
}

/** A difference from the schema before the up step, said as what the down step did or did not do. */
function afterDown(difference: string): string {
  return difference.replace(/: new$/, ': is still there (the up step made it; the down step does not drop it)').replace(/: missing$/, ': is gone (it was there before the up step; the down step drops it)').replace(/^([^:]+): (?!is )(.*)$/, '$1 is not as before the up step: $2');
}

/** One step, as the runner runs it (in a transaction where it can), without a history table; a failure as a finding. */
async function runPart(engine: Engine, m: RunnerMigration, direction: 'up' | 'down', counter: { statements: number }): Promise<Finding | undefined> {
  let file: ParsedFile;
  try {
    file = parseStep(m, direction);
  } catch (error) {
    if (!(error instanceof StepError)) throw error;
    const f = error.failure;
    return { rule: 'syntax-error', severity: 'error', message: f.message, location: { file: f.file, line: f.line, column: f.column } };
  }
  const { inTransaction } = stepMode(m, file, direction);
  if (inTransaction) await engine.exec('BEGIN');
  for (const stmt of file.statements) {
    try {
      counter.statements++;
      await engine.exec(textToRun(stmt));
    } catch (error) {
      if (inTransaction) await engine.exec('ROLLBACK').catch(() => {});
      const e = toEngineError(error);
      return { rule: 'execution-error', severity: 'error', message: `${e.message}${e.detail ? ` (${e.detail})` : ''}`, location: errorLocation(file, stmt, e.position) };
    }
  }
  if (inTransaction) await engine.exec('COMMIT');
  return undefined;
}
