// Connection faults on a real server: a wrong password, the server restarting mid-run, a
// statement_timeout that runs out. Each is one clear line (never a password, never a stack), the
// documented exit code (2: usage or connection), and no change left behind: no scratch database.
// They run on a disposable cluster of their own (127.0.0.1:5433, made by .ci/run), since a restart
// would break every other test using the shared server, and its pg_hba asks the tests' own role
// (pgarch_password_test) for a scram password.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgarch } from '../helpers/cli.js';
import { unreachable } from '../helpers/server.js';

const FAULTS_URL = 'postgres://postgres@127.0.0.1:5433/postgres';
const ROLE = 'pgarch_password_test';
const PASSWORD = 'Right horse battery 7';

const unavailable = await unreachable(FAULTS_URL);
if (unavailable && process.env.CI === 'true') throw new Error(`CI=true but the fault-test cluster at ${FAULTS_URL} is not reachable (${unavailable}): .ci/run creates it`);
if (unavailable) console.log(`connection-fault tests skipped: ${FAULTS_URL} is not reachable (${unavailable}); bash .ci/run creates that cluster`);

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: FAULTS_URL });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

const scratchDatabases = () => admin(async (c) => (await c.query<{ datname: string }>("select datname from pg_database where datname like 'pgarch_scratch%'")).rows.map((r) => r.datname));

(unavailable ? describe.skip : describe)('connection faults on a real server', () => {
  let dir: string;
  beforeAll(async () => {
    await admin(async (c) => {
      await c.query(`DROP ROLE IF EXISTS ${ROLE}`);
      await c.query(`CREATE ROLE ${ROLE} LOGIN CREATEDB PASSWORD '${PASSWORD}'`);
    });
    dir = mkdtempSync(join(tmpdir(), 'pgarch-faults-'));
    writeFileSync(join(dir, '001_slow.sql'), 'CREATE TABLE a (id bigint PRIMARY KEY);\nSELECT pg_sleep(20);\nCREATE TABLE b (id bigint PRIMARY KEY);\n');
  });
  afterAll(async () => {
    if (!unavailable) await admin((c) => c.query(`DROP ROLE IF EXISTS ${ROLE}`));
  });

  it('a wrong password, in the URL or in PGPASSWORD, is one redacted line and exit 2', async () => {
    const inUrl = await pgarch(['lint', 'migrations', dir, '--database', `postgres://${ROLE}:Wrong%20horse@127.0.0.1:5433/postgres`]);
    expect([inUrl.code, inUrl.stderr]).toEqual([2, `pgarch: cannot connect to postgres://${ROLE}:***@127.0.0.1:5433/postgres: password authentication failed for user "${ROLE}"\n`]);
    const inEnv = await pgarch(['lint', 'migrations', dir, '--database', `host=127.0.0.1 port=5433 user=${ROLE} dbname=postgres`], { env: { PGPASSWORD: 'Wrong horse' } });
    expect([inEnv.code, inEnv.stderr]).toEqual([2, `pgarch: cannot connect to postgres://${ROLE}@127.0.0.1:5433/postgres: password authentication failed for user "${ROLE}"\n`]);
    expect(inUrl.stdout + inEnv.stdout + inUrl.stderr + inEnv.stderr).not.toMatch(/Wrong|horse/);
    expect(await scratchDatabases()).toEqual([]);
  });

  it('the right password in PGPASSWORD connects, and is never printed', async () => {
    const quick = mkdtempSync(join(tmpdir(), 'pgarch-faults-ok-'));
    writeFileSync(join(quick, '001.sql'), 'CREATE TABLE a (id bigint PRIMARY KEY);\nSELECT 1/0;\n');
    const run = await pgarch(['lint', 'migrations', quick, '--database', `postgres://${ROLE}@127.0.0.1:5433/postgres`], { env: { PGPASSWORD: PASSWORD } });
    expect(run.stdout).toContain('2:1  error  division by zero  execution-error');
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
    expect(await scratchDatabases()).toEqual([]);
  });

  it('a password from a service file (service=NAME) connects, and a wrong one there is redacted too', async () => {
    const services = join(dir, 'pg_service.conf');
    writeFileSync(services, `[faults]\nhost=127.0.0.1\nport=5433\nuser=${ROLE}\npassword=${PASSWORD}\ndbname=postgres\n\n[faults_wrong]\nhost=127.0.0.1\nport=5433\nuser=${ROLE}\npassword=Wrong horse\ndbname=postgres\n`);
    const quick = mkdtempSync(join(tmpdir(), 'pgarch-faults-service-'));
    writeFileSync(join(quick, '001.sql'), 'CREATE TABLE a (id bigint PRIMARY KEY);\n');
    const ok = await pgarch(['lint', 'migrations', quick, '--database', 'service=faults', '--format', 'json'], { env: { PGSERVICEFILE: services } });
    expect(ok.stderr).toBe('');
    expect((JSON.parse(ok.stdout) as { summary: { statements: number } }).summary.statements).toBe(1);
    const wrong = await pgarch(['lint', 'migrations', quick, '--database', 'service=faults_wrong'], { env: { PGSERVICEFILE: services } });
    expect([wrong.code, wrong.stderr]).toEqual([2, `pgarch: cannot connect to postgres://${ROLE}:***@127.0.0.1:5433/postgres: password authentication failed for user "${ROLE}"\n`]);
    expect(ok.stdout + wrong.stderr).not.toMatch(/Wrong|horse/);
    expect(await scratchDatabases()).toEqual([]);
  });

  it('a server restarted mid-run: one line, exit 2, and the scratch database is dropped once it is back', async () => {
    const running = pgarch(['lint', 'migrations', dir, '--database', FAULTS_URL]);
    // Restart only once pgarch is inside the migration (its pg_sleep), not before it connected.
    for (let i = 0; i < 100; i++) {
      const sleeping = await admin((c) => c.query("select 1 from pg_stat_activity where datname like 'pgarch_scratch%' and query like '%pg_sleep%'"));
      if (sleeping.rowCount) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', '15', 'faults', 'restart']);
    const run = await running;
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^pgarch: the connection to the server was lost \([^)]*\): it restarted, or the session was ended; the run stopped/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(await scratchDatabases()).toEqual([]);
  });

  it("statement_timeout: the migration's own is a located finding; one in the connection string that stops pgarch's setup is one line", async () => {
    const timed = mkdtempSync(join(tmpdir(), 'pgarch-faults-timeout-'));
    writeFileSync(join(timed, '001.sql'), "SET statement_timeout = '100ms';\nCREATE TABLE a (id bigint PRIMARY KEY);\nSELECT pg_sleep(2);\n");
    const own = await pgarch(['lint', 'migrations', timed, '--database', FAULTS_URL, '--format', 'json']);
    const finding = (JSON.parse(own.stdout) as { findings: Array<{ rule: string; message: string; hint?: string; location: { line: number } }> }).findings.find((f) => f.rule === 'execution-error');
    expect(finding).toMatchObject({ message: 'canceling statement due to statement timeout', location: { line: 3 } });
    expect(finding?.hint).toMatch(/^statement_timeout ran out/);
    expect(own.code).toBe(1);

    const setup = await pgarch(['lint', 'migrations', timed, '--database', `${FAULTS_URL}?options=-c%20statement_timeout%3D1`]);
    expect(setup.code).toBe(2);
    expect(setup.stderr).toMatch(/^pgarch: cannot create a scratch database on postgres:\/\/postgres@127\.0\.0\.1:5433\/postgres\?options=[^ ]+: canceling statement due to statement timeout\n$/);
    expect(await scratchDatabases()).toEqual([]);
  });
});
