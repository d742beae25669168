// The real PostgreSQL server used by server tests. Under CI=true a missing server fails the run;
// locally the server tests are skipped with a printed reason.
import pg from 'pg';
import { describe } from 'vitest';

export const SERVER_URL = process.env.PGARCH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}

const unavailable = await probe();
if (unavailable && process.env.CI) {
  throw new Error(`CI=true but the PostgreSQL server at ${SERVER_URL} is not reachable: ${unavailable}`);
}
if (unavailable) console.warn(`[pgarch tests] skipping server tests: ${SERVER_URL} is not reachable (${unavailable})`);

export const serverAvailable = !unavailable;
/** `describe` for tests that need the real server. */
export const describeServer = serverAvailable ? describe : describe.skip;

/** Engines every engine-level test runs on. */
export const ENGINES: Array<{ name: string; database?: string }> = [
  { name: 'pglite' },
  ...(serverAvailable ? [{ name: 'server', database: SERVER_URL }] : []),
];
