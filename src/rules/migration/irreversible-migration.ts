import type { MigrationLayout } from '../../migrate/discover.js';
import { parseFileSync } from '../../sql/parse.js';
import { finding, type MigrationRule } from '../types.js';

/**
 * Layouts with a place for a down step (diesel's down.sql, golang-migrate's .down.sql, dbmate's and
 * goose's down sections, sqitch's revert/); plain files, Prisma, drizzle, Flyway (whose undo scripts are
 * a paid extra), graphile-migrate and the Supabase CLI have none by design.
 */
const HAS_DOWN_CONVENTION = new Set<MigrationLayout>(['diesel', 'golang-migrate', 'dbmate', 'goose', 'sqitch']);

export const irreversibleMigration: MigrationRule = {
  id: 'irreversible-migration',
  area: 'migration',
  severity: 'warning',
  summary: 'A migration with no down step (or an empty one) cannot be rolled back when its release is: write the down; `pgarch migrate verify` proves it restores the catalog.',
  kinds: [],
  check() {
    return [];
  },
  checkFile(ctx) {
    if (!HAS_DOWN_CONVENTION.has(ctx.migration.layout as MigrationLayout)) return [];
    if (ctx.migration.downText !== undefined && hasStatements(ctx.migration.downText)) return [];
    const first = ctx.file.statements[0];
    return [
      finding(this, {
        message: ctx.migration.downText === undefined ? `Migration ${ctx.migration.id} has no down step` : `Migration ${ctx.migration.id} has an empty down step`,
        location: first ? { file: first.file, line: first.line, column: first.column, statement: first.index } : { file: ctx.migration.file },
        hint: 'Write the down step that undoes this migration (drop what it creates, restore what it drops or renames).',
      }),
    ];
  },
};

/** A down step that holds only comments and whitespace does nothing (a broken one still counts as written). */
function hasStatements(text: string): boolean {
  const parsed = parseFileSync(text);
  return parsed.statements.length > 0 || parsed.findings.some((f) => f.rule === 'syntax-error');
}
