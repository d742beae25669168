// Engine start (cold initdb vs cached snapshot) and catalog introspection of a 200-table schema
// (target ≤ 100 ms), on PGlite and, when reachable, the local server.
import { introspect } from '../dist/catalog/introspect.js';
import { openEngine } from '../dist/engine/index.js';
import { openPglite } from '../dist/engine/pglite.js';
import { generateSchemaSql } from './generate.js';
import { bestOf, writeResult } from './util.js';

export async function benchCatalog(): Promise<void> {
  const coldStart = await bestOf(1, async () => (await openPglite({ noSnapshot: true })).close());
  const snapshotStart = await bestOf(3, async () => (await openPglite()).close());
  console.log(`engine: PGlite cold start ${coldStart.toFixed(0)} ms, from cached snapshot ${snapshotStart.toFixed(0)} ms (${(coldStart / snapshotStart).toFixed(1)}x faster)`);

  const results: Record<string, number> = {};
  const targets: Array<[string, string | undefined]> = [
    ['pglite', undefined],
    ['server', process.env.PGARCH_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'],
  ];
  for (const [name, database] of targets) {
    let engine;
    try {
      engine = await openEngine({ database, scratch: true });
    } catch (error) {
      console.log(`catalog: ${name} skipped (${(error as Error).message})`);
      continue;
    }
    try {
      await engine.exec(generateSchemaSql(200));
      let tables = 0;
      const ms = await bestOf(5, async () => {
        tables = (await introspect(engine)).tables.length;
      });
      results[name] = ms;
      console.log(`catalog: introspect ${tables} tables on ${name} in ${ms.toFixed(1)} ms (target ≤ 100 ms)`);
    } finally {
      await engine.close();
    }
  }
  writeResult('catalog', { coldStartMs: coldStart, snapshotStartMs: snapshotStart, introspect200TablesMs: results, targetMs: 100 });
}
