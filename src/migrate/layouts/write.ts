// Writing a new migration into a project, in the shape its tool reads and with the transaction its
// statements need: a migration of CREATE INDEX CONCURRENTLY must run outside a transaction, which each
// tool is told in its own way (a marker, a metadata file, or one statement per migration where the tool
// sends a whole file as one query string). What is written is read back by the same layout readers the
// migration lint uses, so the lint sees it as the tool will run it.
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { scanSync } from '../../sql/pg-parser.js';
import { InputError } from '../../lint/files.js';
import { quoteLiteral } from '../../sql/quote.js';
import { sqitchLocations } from './sqitch.js';
import type { Migration, MigrationSet } from './types.js';

export interface NewMigration {
  /** snake_case, e.g. `add_advised_indexes`. */
  name: string;
  /** One line on what it does, for headers and plans. */
  description: string;
  /** Statements, each ending with `;`, in order. */
  up: string[];
  /** The statements that undo `up`, in order (empty when nothing can). */
  down: string[];
  /** Statements that may run in a transaction and must come first (CREATE EXTENSION), kept apart where a tool would mix them. */
  before?: string[];
  /** Indexes `up` creates, by name: what a verify step checks for (sqitch). */
  creates?: string[];
}

/** Where to write: a migration set found in the project, or an empty folder (pgarch's own dbmate-style template). */
export type WriteTarget = Pick<MigrationSet, 'dir' | 'layout' | 'migrations'>;

/** The down step of a step that has nothing to undo (an extension created only if missing): a statement, so the runner has one to run. */
const KEEP = 'SELECT 1; -- nothing to undo: the extension stays, as it may have been there before and other objects may use it';

interface PlannedFile {
  path: string;
  text: string;
  /** Appended to an existing file instead of created (sqitch.plan). */
  append?: true;
}

/** Writes the no-transaction migration; returns the files written or changed. Nothing is overwritten; on failure nothing is left. Requires loadParser(). */
export function writeNoTransactionMigration(target: WriteTarget, m: NewMigration, now = new Date()): string[] {
  const files = planFiles(target, m, now);
  for (const f of files) if (!f.append && existsSync(f.path)) throw new InputError(`${f.path} exists already: pgarch does not overwrite a migration`);
  const written: PlannedFile[] = [];
  const appendedFrom = new Map<string, string>();
  try {
    for (const f of files) {
      mkdirSync(dirname(f.path), { recursive: true });
      if (f.append) {
        appendedFrom.set(f.path, readFileSync(f.path, 'utf8'));
        appendFileSync(f.path, f.text);
      } else writeFileSync(f.path, f.text, { flag: 'wx' });
      written.push(f);
    }
  } catch (error) {
    for (const f of written) {
      if (f.append) writeFileSync(f.path, appendedFrom.get(f.path)!);
      else rmSync(f.path, { force: true });
    }
    throw error;
  }
  return files.map((f) => f.path);
}

function planFiles(target: WriteTarget, m: NewMigration, now: Date): PlannedFile[] {
  const { dir, layout } = target;
  const header = `-- ${m.description}\n-- Written by pgarch: every statement runs outside a transaction (CREATE INDEX CONCURRENTLY cannot run in one).\n`;
  const body = (statements: string[]) => statements.join('\n') + '\n';
  const before = m.before ?? [];
  const all = [...before, ...m.up];
  const next = versions(target.migrations, now);
  switch (layout) {
    case 'dbmate': {
      // Also pgarch's own template, for a folder with no migrations yet.
      const v = next();
      return [{ path: join(dir, `${v}_${m.name}.sql`), text: `${header}-- migrate:up transaction:false\n${body(all)}\n-- migrate:down transaction:false\n${body(m.down)}` }];
    }
    case 'numbered': {
      // Plain files, run statement by statement as a psql loop does; the down step beside it.
      const v = next();
      return [
        { path: join(dir, `${v}_${m.name}.sql`), text: header + body(all) },
        { path: join(dir, `${v}_${m.name}.down.sql`), text: body(m.down) },
      ];
    }
    case 'goose': {
      const v = next();
      return [{ path: join(dir, `${v}_${m.name}.sql`), text: `${header}-- +goose NO TRANSACTION\n-- +goose Up\n${body(all)}\n-- +goose Down\n${body(m.down)}` }];
    }
    case 'diesel': {
      const folder = join(dir, `${dieselVersion(now, target.migrations)}_${m.name}`);
      return [
        { path: join(folder, 'up.sql'), text: header + body(all) },
        { path: join(folder, 'down.sql'), text: body(m.down.length ? m.down : [KEEP]) },
        { path: join(folder, 'metadata.toml'), text: 'run_in_transaction = false\n' },
      ];
    }
    case 'flyway': {
      // Flyway runs a script outside a transaction when a statement cannot run in one, and refuses a
      // script that mixes both kinds: the statements that can run in one go in a script of their own.
      const out: PlannedFile[] = [];
      if (before.length) out.push({ path: join(dir, `V${next()}__${m.name}_extensions.sql`), text: `-- ${m.description}: the extensions it needs\n${body(before)}` });
      out.push({ path: join(dir, `V${next()}__${m.name}.sql`), text: header + body(m.up) });
      return out;
    }
    case 'golang-migrate':
    case 'prisma':
    case 'supabase':
      // The tool sends a file as one query string, which PostgreSQL runs as one implicit transaction
      // when it holds several statements: one statement per migration runs each on its own.
      return all.flatMap((statement, i) => {
        const v = next();
        const name = all.length > 1 ? `${m.name}_${i + 1}` : m.name;
        const undo = i >= before.length ? m.down[m.up.length - 1 - (i - before.length)] : undefined;
        const text = `-- ${m.description} (${i + 1} of ${all.length})\n${statement}\n`;
        if (layout === 'prisma') return [{ path: join(dir, `${v}_${name}`, 'migration.sql'), text }];
        if (layout === 'supabase') return [{ path: join(dir, `${v}_${name}.sql`), text }];
        return [
          { path: join(dir, `${v}_${name}.up.sql`), text },
          // CREATE EXTENSION IF NOT EXISTS may have found it there already, and other objects may use it: it stays.
          { path: join(dir, `${v}_${name}.down.sql`), text: undo ? `${undo}\n` : `${KEEP}\n` },
        ];
      });
    case 'sqitch': {
      const where = sqitchLocations(dir);
      const plan = readFileSync(where.plan, 'utf8');
      const taken = new Set(target.migrations.map((x) => x.id));
      let change = m.name;
      for (let n = 2; taken.has(change); n++) change = `${m.name}_${n}`;
      const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
      return [
        { path: join(where.deployDir, `${change}.sql`), text: `-- Deploy ${change}\n${header}${body(all)}` },
        { path: join(where.revertDir, `${change}.sql`), text: `-- Revert ${change}\n${body(m.down)}` },
        { path: join(where.verifyDir, `${change}.sql`), text: `-- Verify ${change}: the indexes exist\n${verifyIndexes(m.creates ?? [])}` },
        { path: where.plan, text: `${plan.endsWith('\n') || !plan ? '' : '\n'}${change} ${stamp} pgarch <pgarch@localhost> # ${m.description}\n`, append: true },
      ];
    }
    case 'graphile-migrate': {
      // graphile-migrate runs current.sql as one query string: no-transaction holds for one statement only.
      const current = join(dir, 'current.sql');
      if (all.length > 1) throw new InputError(`graphile-migrate runs a migration as one query string, which PostgreSQL wraps in a transaction when it holds several statements: commit these ${all.length} statements one at a time (--max-indexes 1), or write them by hand`);
      if (existsSync(current) && holdsSql(readFileSync(current, 'utf8'))) {
        throw new InputError(`${current} holds the migration in progress: commit it (graphile-migrate commit) before pgarch writes another`);
      }
      return [{ path: current, text: `--! no-transaction\n${header}${body(all)}` }];
    }
    case 'drizzle':
      throw new InputError('drizzle-kit migrate runs all pending migrations in one transaction, where CREATE INDEX CONCURRENTLY cannot run: create these indexes outside drizzle (the statements are in the advice), or with a plain CREATE INDEX in a maintenance window');
    default:
      throw new InputError(`pgarch writes migrations into a migrations folder: ${dir} is read as ${layout}, where it cannot add one`);
  }
}

/** Whether a file holds anything but comments and blank space, by the real scanner. Requires loadParser(). */
function holdsSql(text: string): boolean {
  try {
    return scanSync(text).tokens.some((t) => t.tokenName !== 'SQL_COMMENT' && t.tokenName !== 'C_COMMENT');
  } catch {
    return true; // what does not even scan is somebody's work in progress too
  }
}

/** A verify script that fails when an index the change creates is missing. */
function verifyIndexes(names: string[]): string {
  return names.map((n) => `SELECT 1/count(*) FROM pg_class WHERE relkind = 'i' AND relname = ${quoteLiteral(n)};\n`).join('');
}

/**
 * Version numbers in the folder's own style: the next number at the existing width when the migrations
 * are numbered (0001_, 12_), otherwise a UTC timestamp (YYYYMMDDHHMMSS), always after the newest.
 */
function versions(existing: Migration[], now: Date): () => string {
  const numbers = existing.map((x) => /^V?(\d+)/.exec(basename(x.id))?.[1]).filter((v): v is string => v !== undefined);
  const sequential = numbers.length > 0 && numbers.every((v) => v.length < 14);
  const latest = numbers.reduce((max, v) => (BigInt(v) > max ? BigInt(v) : max), 0n);
  const width = sequential ? Math.max(...numbers.map((v) => v.length)) : 14;
  let current = sequential ? latest : BigInt(timestamp(now));
  if (!sequential && current <= latest) current = latest;
  let first = !sequential && current > latest;
  return () => {
    if (first) first = false;
    else current += 1n;
    return current.toString().padStart(width, '0');
  };
}

function timestamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** diesel's folder version: YYYY-MM-DD-HHMMSS, after the newest. */
function dieselVersion(now: Date, existing: Migration[]): string {
  const stamp = timestamp(now);
  const newest = existing.map((x) => x.id.slice(0, 17).replace(/-/g, '')).sort().pop() ?? '';
  const v = stamp > newest ? stamp : (BigInt(newest.slice(0, 14)) + 1n).toString();
  return `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}-${v.slice(8, 14)}`;
}
