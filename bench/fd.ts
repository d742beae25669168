// Functional-dependency discovery on one 100,000-row × 12-column table in PGlite: one planted
// dependency (customer_id → customer_name), every other column independent pseudo-random data.
// Times the functional-dependency rule on that table, sampling included. Target: < 2 s per table.
import { introspect } from '../dist/catalog/introspect.js';
import { emptyOrigin } from '../dist/catalog/origin.js';
import { openEngine } from '../dist/engine/index.js';
import { functionalDependency } from '../dist/rules/schema/functional-dependency.js';
import { loadParser } from '../dist/sql/parse.js';
import { bestOf, writeResult } from './util.js';

export const FD_ROWS = 100_000;
export const FD_TARGET_MS = 2_000;

/** Independent pseudo-random non-negative int per row and column: md5 of (row, salt), deterministic. */
const hash = (salt: string) => `(('x' || substr(md5(g::text || ':${salt}'), 1, 8))::bit(32)::int & 2147483647)`;

/**
 * CREATE + INSERT of the benchmark table (12 columns: the key and 11 data columns). With `planted`,
 * customer_name is a function of customer_id; without, it is as random as the rest.
 */
export function fdTableSql(name: string, planted: boolean, rows = FD_ROWS): string {
  const customerName = planted ? `'name-' || (${hash('customer')} % 2000 * 7919) % 1500` : `'name-' || ${hash('name')} % 1500`;
  return `
CREATE TABLE ${name} (
  id bigint PRIMARY KEY, customer_id int NOT NULL, customer_name text NOT NULL, region text NOT NULL,
  category int NOT NULL, product int NOT NULL, priority smallint NOT NULL, channel text NOT NULL,
  ship_day date NOT NULL, gift boolean NOT NULL, coupon int, note text
);
INSERT INTO ${name}
SELECT g, ${hash('customer')} % 2000, ${customerName}, 'region-' || ${hash('region')} % 10,
       ${hash('category')} % 100, ${hash('product')} % 1000, (${hash('priority')} % 5)::smallint, 'channel-' || ${hash('channel')} % 50,
       date '2025-01-01' + ${hash('day')} % 365, ${hash('gift')} % 2 = 0, nullif(${hash('coupon')} % 20000, 0), md5(g::text)
FROM generate_series(1, ${rows}) g;`;
}

export async function benchFd(): Promise<void> {
  await loadParser();
  const engine = await openEngine();
  try {
    await engine.exec(fdTableSql('public.fd_orders', true));
    const catalog = await introspect(engine);
    const ctx = { catalog, origin: emptyOrigin(), engine, profile: 'default' as const, exposedSchemas: ['public'], sampleRows: FD_ROWS, live: false };
    let found: string[] = [];
    const ms = await bestOf(3, async () => {
      found = (await functionalDependency.check(ctx)).map((f) => f.message);
    });
    console.log(`fd: ${FD_ROWS.toLocaleString('en')} rows × 12 columns: ${ms.toFixed(0)} ms (target < ${FD_TARGET_MS.toLocaleString('en')})`);
    for (const message of found) console.log(`    ${message}`);
    writeResult('fd', { rows: FD_ROWS, columns: 12, ms, targetMs: FD_TARGET_MS, dependencies: found });
  } finally {
    await engine.close();
  }
}
