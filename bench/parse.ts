// Parse throughput: a generated 20,000-statement migration, parsed with locations by pgarch, next to
// Squawk linting the same file in the same run. Target: ≥ 40,000 statements/s.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadParser, parseFileSync } from '../dist/sql/parse.js';
import { generateMigrationSql } from './generate.js';
import { bestOf, runSquawk, writeResult } from './util.js';

export async function benchParse(): Promise<void> {
  const statements = 20_000;
  const sql = generateMigrationSql(statements);
  const file = join(mkdtempSync(join(tmpdir(), 'pgarch-bench-')), 'migration.sql');
  writeFileSync(file, sql);
  await loadParser();
  let parsed = 0;
  const ms = await bestOf(5, () => {
    parsed = parseFileSync(sql, file).statements.length;
  });
  if (parsed !== statements) throw new Error(`parsed ${parsed} statements, expected ${statements}`);
  const perSecond = Math.round(statements / (ms / 1000));
  const squawk = runSquawk(file);
  const squawkPerSecond = Math.round(statements / (squawk.ms / 1000));
  console.log(`parse: ${statements} statements (${(sql.length / 1e6).toFixed(1)} MB) in ${ms.toFixed(0)} ms = ${perSecond.toLocaleString('en')} statements/s (target ≥ 40,000)`);
  console.log(`       squawk lint of the same file: ${squawk.ms.toFixed(0)} ms = ${squawkPerSecond.toLocaleString('en')} statements/s; ratio pgarch parse / squawk = ${(perSecond / squawkPerSecond).toFixed(2)}x`);
  writeResult('parse', { statements, bytes: sql.length, ms, perSecond, targetPerSecond: 40_000, squawkMs: squawk.ms, squawkPerSecond, ratioVsSquawk: perSecond / squawkPerSecond });
}
