// A plan's migrations written into a project, in order, each in the folder's own layout (as `pgarch
// model --out` and the advisor's `--apply` write): transactional ones as the tool runs any migration,
// the others marked to run outside a transaction in the tool's own way. A new or empty folder gets
// pgarch's dbmate-style files. Nothing is overwritten, and on failure nothing is left.
import { rmSync } from 'node:fs';
import { writeNoTransactionMigration, type WriteTarget } from '../migrate/layouts/write.js';
import { existingSet, writeModelMigration } from '../model/migration.js';
import type { PlanMigration } from './plan.js';

/** Writes the migrations (each a second after the last, so timestamped versions keep their order); returns the files. Requires loadParser(). */
export function writePlan(dir: string, migrations: PlanMigration[], now = new Date()): string[] {
  const written: string[] = [];
  try {
    for (const [i, m] of migrations.entries()) {
      const at = new Date(now.getTime() + i * 1000);
      const header = `-- ${m.description}\n-- Written by pgarch plan: phase ${m.phase}, migration ${i + 1} of ${migrations.length}.\n`;
      if (m.transactional) written.push(...writeModelMigration(dir, { statements: m.statements, down: m.down, tables: [], header }, m.name, at).files);
      else written.push(...writeNoTransactionMigration(targetOf(dir), { name: m.name, description: `${m.description} (pgarch plan: phase ${m.phase}, migration ${i + 1} of ${migrations.length})`, up: m.statements, down: m.down }, at));
    }
  } catch (error) {
    for (const f of written) rmSync(f, { force: true });
    throw error;
  }
  return written;
}

/** The folder's own migrations, or pgarch's dbmate-style template for a new or empty folder. */
function targetOf(dir: string): WriteTarget {
  return existingSet(dir) ?? { dir, layout: 'dbmate', migrations: [] };
}
