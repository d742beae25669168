// Roles are cluster-wide. A server scratch keeps the roles the SQL creates uncommitted until it ends,
// so two test files that both create `anon` in their scratch would wait on each other (PostgreSQL makes
// the second CREATE ROLE wait for the first transaction). Like a real Supabase server, the test server
// has the platform's roles before the tests start; the ones created here are dropped at the end.
import pg from 'pg';

const SERVER_URL = process.env.PGARCH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const PLATFORM_ROLES = ['anon', 'authenticated', 'service_role'];

export async function setup(): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch {
    return async () => {}; // no server: the server tests skip (or fail under CI) on their own
  }
  const created: string[] = [];
  for (const role of PLATFORM_ROLES) {
    const { rows } = await client.query('select 1 from pg_roles where rolname = $1', [role]);
    if (rows.length) continue;
    await client.query(`CREATE ROLE ${role} NOLOGIN`);
    created.push(role);
  }
  await client.end();
  return async () => {
    const done = new pg.Client({ connectionString: SERVER_URL });
    await done.connect();
    for (const role of created) await done.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
    await done.end();
  };
}
