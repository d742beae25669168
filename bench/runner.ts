// The migration runner's throughput, whole process against whole process, with node-pg-migrate in the
// same run: 500 small generated migrations (1–3 statements each: create table, add column, create
// index, insert a row), written once as pgarch's dbmate-style files and once as node-pg-migrate's SQL
// files, applied by `up` to a fresh database on the real server each time. Each tool's CLI is spawned as
// a user starts it; the rounds alternate the order. pgarch is timed with --no-lint and with its lint
// (the lint runs on embedded PGlite before anything is applied). node-pg-migrate runs with
// --no-single-transaction, so that each migration has a transaction of its own as pgarch's do, and
// once per round with its default (all pending migrations in one transaction), shown beside it.
// After each run the history table must hold 500 rows, so a run that broke cannot look fast.
// Target: pgarch --no-lint ≥ node-pg-migrate's throughput (ratio of wall times ≤ 1).
//
// The server: $PGARCH_BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres; each run
// gets a throwaway database of its own, dropped after it. node-pg-migrate is not a devDependency: it is
// installed into bench/.node-pg-migrate (git-ignored) with the command in NPM_INSTALL; without it the
// comparison is skipped and that command printed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { writeResult } from './util.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const MIGRATIONS = 500;
const ROUNDS = 5;
const SERVER = process.env.PGARCH_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const NPM_VERSION = '8.0.4';
const NPM_DIR = fileURLToPath(new URL('./.node-pg-migrate/', import.meta.url));
const NPM_BIN = `${NPM_DIR}node_modules/node-pg-migrate/bin/node-pg-migrate.js`;
const NPM_INSTALL = `npm install --prefix bench/.node-pg-migrate --no-audit --no-fund --no-save node-pg-migrate@${NPM_VERSION}`;

interface Migration {
  version: string;
  name: string;
  up: string[];
  down: string[];
}

/**
 * 500 small migrations as an application's history grows: a table every fourth one, then columns,
 * indexes and seed rows on the tables already there. Every statement is one pgarch's lint passes
 * without an error (a nullable column, an index on a table created in the same run of migrations).
 */
export function generateRunnerMigrations(count: number): Migration[] {
  const out: Migration[] = [];
  const tables: Array<{ name: string; columns: string[] }> = [];
  for (let i = 0; i < count; i++) {
    // A UTC timestamp a second apart: yyyymmddhhmmss, as dbmate's `new` writes it.
    const version = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString().replace(/\D/g, '').slice(0, 14);
    const kind = i < 4 ? 0 : i % 4;
    if (kind === 0) {
      const name = `entity_${tables.length}`;
      tables.push({ name, columns: [] });
      const up = [`CREATE TABLE ${name} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  label text NOT NULL,\n  created_at timestamptz NOT NULL DEFAULT now()\n);`];
      if (i % 8 === 0) up.push(`CREATE INDEX ${name}_created_at_idx ON ${name} (created_at);`);
      out.push({ version, name: `create_${name}`, up, down: [`DROP TABLE ${name};`] });
      continue;
    }
    // The tables of the last 16 creations, in turn.
    const t = tables[tables.length - 1 - (i % Math.min(tables.length, 16))];
    if (kind === 1) {
      const column = `attr_${i}`;
      t.columns.push(column);
      const up = [`ALTER TABLE ${t.name} ADD COLUMN ${column} text;`];
      if (i % 3 === 0) up.push(`COMMENT ON COLUMN ${t.name}.${column} IS 'attribute added by migration ${i}';`);
      out.push({ version, name: `add_${t.name}_${column}`, up, down: [`ALTER TABLE ${t.name} DROP COLUMN ${column};`] });
    } else if (kind === 2) {
      const column = t.columns[t.columns.length - 1];
      const index = `${t.name}_${column ?? 'label'}_${i}_idx`;
      out.push({ version, name: `index_${index}`, up: [`CREATE INDEX ${index} ON ${t.name} (${column ?? 'label'});`], down: [`DROP INDEX ${index};`] });
    } else {
      const up = [`INSERT INTO ${t.name} (label) VALUES ('seed ${i}');`];
      if (i % 2 === 0) up.push(`INSERT INTO ${t.name} (label) VALUES ('seed ${i}b'), ('seed ${i}c');`);
      if (i % 7 === 0) up.push(`UPDATE ${t.name} SET label = label || ' (checked)' WHERE label = 'seed ${i}';`);
      out.push({ version, name: `seed_${t.name}_${i}`, up, down: [`DELETE FROM ${t.name} WHERE label LIKE 'seed ${i}%';`] });
    }
  }
  return out;
}

/** dbmate-style files, as pgarch reads them: `<version>_<name>.sql` with up and down sections. */
function writePgarch(dir: string, migrations: Migration[]): void {
  mkdirSync(dir, { recursive: true });
  for (const m of migrations) writeFileSync(join(dir, `${m.version}_${m.name}.sql`), `-- migrate:up\n${m.up.join('\n')}\n\n-- migrate:down\n${m.down.join('\n')}\n`);
}

/**
 * node-pg-migrate's SQL migrations: `<timestamp>_<name>.sql` with `-- Up Migration` / `-- Down Migration`,
 * the timestamp as its `create` writes it (utc format yyyymmddhhmmssSSS: it reads 13 or 17 digits only).
 */
function writeNodePgMigrate(dir: string, migrations: Migration[]): void {
  mkdirSync(dir, { recursive: true });
  for (const m of migrations) writeFileSync(join(dir, `${m.version}000_${m.name}.sql`), `-- Up Migration\n${m.up.join('\n')}\n\n-- Down Migration\n${m.down.join('\n')}\n`);
}

/** The baseline's CLI, when installed into bench/.node-pg-migrate (it is not a devDependency). */
function nodePgMigrate(): string | undefined {
  return existsSync(NPM_BIN) ? NPM_BIN : undefined;
}

function databaseUrl(name: string): string {
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>, url = SERVER): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Rows of the history table, so a run that failed part of the way is caught. */
async function historyRows(database: string, table: string): Promise<number> {
  return admin(async (c) => {
    const { rows } = await c.query<{ n: string }>(`select count(*) as n from ${table}`);
    return Number(rows[0].n);
  }, databaseUrl(database));
}

type Tool = 'pgarch --no-lint' | 'pgarch (lint)' | 'node-pg-migrate' | 'node-pg-migrate (one transaction)';

interface Variant {
  tool: Tool;
  history: string;
  command: (url: string) => { file: string; args: string[]; env: Record<string, string> };
}

/** One whole `up` on a fresh database: wall time, with the exit code and the history checked. */
async function runOnce(v: Variant, tag: string): Promise<number> {
  const database = `pgarch_bench_runner_${process.pid}_${tag}`;
  await admin((c) => c.query(`CREATE DATABASE ${database}`));
  try {
    const { file, args, env } = v.command(databaseUrl(database));
    const t = performance.now();
    const r = spawnSync(file, args, { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, ...env } });
    const ms = performance.now() - t;
    if (r.status !== 0) throw new Error(`${v.tool} up failed (${r.status}): ${(r.stderr || r.stdout).slice(-2000)}`);
    const rows = await historyRows(database, v.history);
    if (rows !== MIGRATIONS) throw new Error(`${v.tool}: the history holds ${rows} rows after up, not ${MIGRATIONS}`);
    return ms;
  } finally {
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function benchRunner(): Promise<void> {
  try {
    await admin((c) => c.query('select 1'));
  } catch (error) {
    console.log(`runner: skipped: no PostgreSQL server at ${SERVER} (${(error as Error).message}); set PGARCH_BENCH_DATABASE_URL`);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'pgarch-bench-runner-'));
  try {
    const migrations = generateRunnerMigrations(MIGRATIONS);
    const statements = migrations.reduce((n, m) => n + m.up.length, 0);
    const pgarchDir = join(work, 'pgarch');
    const npmDir = join(work, 'node-pg-migrate');
    writePgarch(pgarchDir, migrations);
    writeNodePgMigrate(npmDir, migrations);

    const pgarch = (lint: boolean): Variant => ({
      tool: lint ? 'pgarch (lint)' : 'pgarch --no-lint',
      history: 'public.pgarch_migrations',
      command: (url) => ({ file: process.execPath, args: [CLI, 'migrate', 'up', '--dir', pgarchDir, '--database', url, ...(lint ? [] : ['--no-lint'])], env: { NO_COLOR: '1' } }),
    });
    const variants: Variant[] = [pgarch(false), pgarch(true)];
    const bin = nodePgMigrate();
    if (bin) {
      const npm = (single: boolean): Variant => ({
        tool: single ? 'node-pg-migrate (one transaction)' : 'node-pg-migrate',
        history: 'public.pgmigrations',
        command: (url) => ({ file: process.execPath, args: [bin, 'up', '--migrations-dir', npmDir, ...(single ? [] : ['--no-single-transaction'])], env: { DATABASE_URL: url } }),
      });
      variants.push(npm(false), npm(true));
    } else {
      console.log(`runner: node-pg-migrate is not installed: the comparison is skipped. Install it (package.json untouched) with\n        ${NPM_INSTALL}`);
    }

    const samples = new Map<Tool, number[]>(variants.map((v) => [v.tool, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // Alternating order: each round starts one variant further on, and odd rounds run backwards.
      const order = variants.map((_, i) => variants[(i + round) % variants.length]);
      if (round % 2) order.reverse();
      for (const [i, v] of order.entries()) samples.get(v.tool)!.push(await runOnce(v, `${round}_${i}`));
    }

    const figures = Object.fromEntries(
      variants.map((v) => {
        const ms = samples.get(v.tool)!;
        const m = median(ms);
        return [v.tool, { medianMs: m, bestMs: Math.min(...ms), samplesMs: ms.map((x) => Math.round(x)), migrationsPerSecond: MIGRATIONS / (m / 1000) }];
      }),
    );
    const line = (tool: Tool) => {
      const f = figures[tool];
      return `${tool.padEnd(34)} median ${(f.medianMs / 1000).toFixed(2)} s (best ${(f.bestMs / 1000).toFixed(2)} s) = ${Math.round(f.migrationsPerSecond)} migrations/s`;
    };
    console.log(`runner: migrate up of ${MIGRATIONS} generated migrations (${statements} statements) on PostgreSQL, whole process, ${ROUNDS} rounds, fresh database each run:`);
    for (const v of variants) console.log(`        ${line(v.tool)}`);
    const ratios: Record<string, number> = {};
    if (bin) {
      const base = figures['node-pg-migrate'].medianMs;
      ratios.noLintVsNodePgMigrate = figures['pgarch --no-lint'].medianMs / base;
      ratios.lintVsNodePgMigrate = figures['pgarch (lint)'].medianMs / base;
      ratios.noLintVsNodePgMigrateOneTransaction = figures['pgarch --no-lint'].medianMs / figures['node-pg-migrate (one transaction)'].medianMs;
      // The same ratio within each round (runs minutes apart see different loads on a shared machine).
      const paired = (a: Tool, b: Tool) => median(samples.get(a)!.map((x, i) => x / samples.get(b)![i]));
      ratios.noLintVsNodePgMigratePerRound = paired('pgarch --no-lint', 'node-pg-migrate');
      ratios.lintVsNodePgMigratePerRound = paired('pgarch (lint)', 'node-pg-migrate');
      console.log(
        `        pgarch/node-pg-migrate wall time: --no-lint ${ratios.noLintVsNodePgMigrate.toFixed(2)}x, with the lint ${ratios.lintVsNodePgMigrate.toFixed(2)}x (target --no-lint ≤ 1x: at least its throughput); against its one-transaction default ${ratios.noLintVsNodePgMigrateOneTransaction.toFixed(2)}x`,
      );
      console.log(`        median of the per-round ratios: --no-lint ${ratios.noLintVsNodePgMigratePerRound.toFixed(2)}x, with the lint ${ratios.lintVsNodePgMigratePerRound.toFixed(2)}x`);
    }
    writeResult('runner', {
      migrations: MIGRATIONS,
      statements,
      rounds: ROUNDS,
      server: (await admin((c) => c.query<{ v: string }>('select version() as v'))).rows[0].v,
      nodePgMigrate: bin ? NPM_VERSION : null,
      wallMs: figures,
      ratios: { ...ratios, target: { noLintVsNodePgMigrate: 1 } },
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
