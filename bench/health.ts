// pgarch health on a database of 1,000 tables and 3,000 indexes on the real server (target: < 3 s for
// the whole run as a user starts it, connection included), then where that time goes: the connection,
// and each check alone on an open connection (best of 3 each). The database and its role are the
// benchmark's own, dropped at the end.
import pg from 'pg';
import { healthChecks } from '../dist/monitor/checks/index.js';
import { runHealth } from '../dist/monitor/run.js';
import { openEngine } from '../dist/engine/index.js';
import { bestOf, writeResult } from './util.js';

const SERVER = process.env.PGARCH_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NAME = `pgarch_bench_health_${process.pid}`;
const TABLES = 1000;

export async function benchHealth(): Promise<void> {
  const admin = new pg.Client({ connectionString: SERVER });
  try {
    await admin.connect();
  } catch (error) {
    console.log(`health: skipped, no server at ${SERVER} (${(error as Error).message})`);
    return;
  }
  const url = new URL(SERVER);
  url.pathname = `/${NAME}`;
  url.username = NAME;
  try {
    await admin.query(`create role ${NAME} login`);
    await admin.query(`create database ${NAME} owner ${NAME}`);
    const owner = new pg.Client({ connectionString: url.toString() });
    await owner.connect();
    const built = performance.now();
    // Three indexes a table (its primary key and two more); every tenth table holds rows and a dead share.
    await owner.query(`do $$
      begin
        for i in 1..${TABLES} loop
          execute format('create table t%s (id bigint generated always as identity primary key, account_id int not null, created_at timestamptz not null default now(), note text)', i);
          execute format('create index t%s_account_idx on t%s (account_id)', i, i);
          execute format('create index t%s_created_idx on t%s (created_at)', i, i);
          if i % 10 = 0 then
            execute format('insert into t%s (account_id, note) select g %% 97, md5(g::text) from generate_series(1, 2000) g', i);
            execute format('delete from t%s where id %% 3 = 0', i);
          end if;
        end loop;
      end $$`);
    await owner.query('analyze');
    await owner.end();
    // pg_stat_* of the new database are read from the benchmark's own connection to it.
    const counter = new pg.Client({ connectionString: url.toString() });
    await counter.connect();
    const counts = (await counter.query<{ tables: number; indexes: number }>(`select (select count(*)::int from pg_stat_user_tables) as tables, (select count(*)::int from pg_stat_user_indexes) as indexes`)).rows[0];
    await counter.end();
    console.log(`health: ${counts.tables} tables, ${counts.indexes} indexes built in ${((performance.now() - built) / 1000).toFixed(1)} s`);

    let findings = 0;
    const wholeMs = await bestOf(3, async () => {
      findings = (await runHealth({ database: url.toString() })).findings.length;
    });

    // The bloat checks estimate only relations over 100 MB by default; here every one of the 4,000 is.
    const everyRelationMs = await bestOf(3, () => runHealth({ database: url.toString(), thresholds: { tableBloatMinBytes: 0, indexBloatMinBytes: 0 } }));

    // Each check alone on one open connection: where the time goes.
    const engine = await openEngine({ database: url.toString(), readOnly: true });
    const version = (await engine.version()).num;
    const { DEFAULT_THRESHOLDS } = await import('../dist/monitor/types.js');
    const perCheck: Record<string, number> = {};
    for (const check of healthChecks) {
      perCheck[check.id] = Number(
        (
          await bestOf(3, () =>
            engine.transaction(async (tx) => {
              await tx.exec('SET LOCAL lock_timeout = 500; SET LOCAL statement_timeout = 5000');
              return check.run({ db: tx, version, thresholds: DEFAULT_THRESHOLDS, localHost: true });
            }),
          )
        ).toFixed(1),
      );
    }
    const connectMs = await bestOf(3, async () => (await openEngine({ database: url.toString(), readOnly: true })).close());
    await engine.close();
    const checksMs = Object.values(perCheck).reduce((a, b) => a + b, 0);
    const slowest = Object.entries(perCheck).sort((a, b) => b[1] - a[1]).slice(0, 5);
    console.log(`  whole run ${wholeMs.toFixed(0)} ms (target < 3000 ms: ${wholeMs < 3000 ? 'met' : 'NOT met'}), ${findings} findings, ${healthChecks.length} checks`);
    console.log(`  with the bloat of every table and index estimated (no size minimum): ${everyRelationMs.toFixed(0)} ms`);
    console.log(`  = connect ${connectMs.toFixed(0)} ms + checks ${checksMs.toFixed(0)} ms (+ report); slowest: ${slowest.map(([id, ms]) => `${id} ${ms} ms`).join(', ')}`);
    writeResult('health', { tables: counts.tables, indexes: counts.indexes, checks: healthChecks.length, wholeMs: Number(wholeMs.toFixed(1)), everyRelationEstimatedMs: Number(everyRelationMs.toFixed(1)), connectMs: Number(connectMs.toFixed(1)), checksMs: Number(checksMs.toFixed(1)), perCheck, findings, targetMs: 3000, met: wholeMs < 3000 });
  } finally {
    await admin.query(`drop database if exists ${NAME} with (force)`).catch(() => {});
    await admin.query(`drop role if exists ${NAME}`).catch(() => {});
    await admin.end();
  }
}
