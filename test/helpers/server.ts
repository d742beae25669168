// The real PostgreSQL server used by server tests. Under CI=true a missing server fails the run;
// locally the server tests are skipped with a printed reason.
import pg from 'pg';
import { describe } from 'vitest';

export const SERVER_URL = process.env.PGARCH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let preloaded = '';

/** Why a server is not reachable (undefined when it is); `then` runs on the connection first. */
export async function unreachable(url: string, then?: (client: pg.Client) => Promise<void>): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await then?.(client);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}

function probe(): Promise<string | undefined> {
  return unreachable(SERVER_URL, async (client) => {
    preloaded = (await client.query<{ shared_preload_libraries: string }>('show shared_preload_libraries')).rows[0]?.shared_preload_libraries ?? '';
  });
}

const unavailable = await probe();
if (unavailable && process.env.CI) {
  throw new Error(`CI=true but the PostgreSQL server at ${SERVER_URL} is not reachable: ${unavailable}`);
}
if (unavailable) console.warn(`[pgarch tests] skipping server tests: ${SERVER_URL} is not reachable (${unavailable})`);

export const serverAvailable = !unavailable;
/** `describe` for tests that need the real server. */
export const describeServer = serverAvailable ? describe : describe.skip;

/**
 * pg_stat_statements needs shared_preload_libraries (and a restart), which .ci/run sets up: under CI a
 * server without it fails the tests that need it; locally they are skipped with a printed reason.
 */
export const statStatementsPreloaded = serverAvailable && preloaded.split(',').map((l) => l.trim()).includes('pg_stat_statements');
if (serverAvailable && !statStatementsPreloaded && process.env.CI) {
  throw new Error(`CI=true but the server at ${SERVER_URL} does not preload pg_stat_statements (shared_preload_libraries = '${preloaded}'): .ci/run enables it`);
}
/** pg_qualstats is preloaded the same way (.ci/run); tests of it run where it is, and under CI must. */
export const qualstatsPreloaded = serverAvailable && preloaded.split(',').map((l) => l.trim()).includes('pg_qualstats');
if (serverAvailable && !qualstatsPreloaded && process.env.CI) {
  throw new Error(`CI=true but the server at ${SERVER_URL} does not preload pg_qualstats (shared_preload_libraries = '${preloaded}'): .ci/run enables it`);
}
/** Why the pg_stat_statements server tests are skipped here, if they are. */
export const statStatementsSkipReason = statStatementsPreloaded
  ? undefined
  : serverAvailable
    ? `shared_preload_libraries = '${preloaded}' on ${SERVER_URL} lacks pg_stat_statements (bash .ci/run enables it)`
    : `${SERVER_URL} is not reachable`;

/** Engines every engine-level test runs on. */
export const ENGINES: Array<{ name: string; database?: string }> = [
  { name: 'pglite' },
  ...(serverAvailable ? [{ name: 'server', database: SERVER_URL }] : []),
];
