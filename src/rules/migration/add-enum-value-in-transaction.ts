import { finding, type MigrationRule } from '../types.js';
import { enumCreatedEarlier, transactionBoundarySince } from './objects-util.js';
import { names, statementText } from './util.js';

export const addEnumValueInTransaction: MigrationRule = {
  id: 'add-enum-value-in-transaction',
  area: 'migration',
  severity: 'error',
  summary: 'ALTER TYPE … ADD VALUE fails inside a transaction block before PostgreSQL 12; run it in a migration that is not wrapped in a transaction.',
  kinds: ['AlterEnumStmt'],
  check(ctx) {
    const { typeName, oldVal, newVal } = ctx.node;
    // PG 12+ allows it (the new value just cannot be used until the transaction commits).
    if (oldVal !== undefined || !ctx.tx.inTransaction || ctx.pgVersion >= 12) return [];
    const type = names(typeName);
    // Before PG 12 an enum created in the same transaction is the one exception (typecmds.c, for pg_dump).
    const created = enumCreatedEarlier(ctx, type);
    if (created && !transactionBoundarySince(ctx, created)) return [];
    return [
      finding(this, {
        message: `ALTER TYPE ${type.join('.')} ADD VALUE '${newVal}' runs inside a transaction${ctx.tx.explicit ? ' (BEGIN)' : ' (the runner wraps the migration)'}, which PostgreSQL ${ctx.pgVersion} refuses (allowed from PG 12)`,
        object: type.join('.'),
        location: ctx.locate(),
        hint: 'Put it in its own migration that runs outside a transaction (pgarch: `-- pgarch:no-transaction`; other runners have their own switch), or target PostgreSQL 12+.',
        fix: {
          description: 'Run it in a migration of its own, outside a transaction',
          sql: `-- pgarch:no-transaction\n-- (before PG 12, ALTER TYPE … ADD VALUE cannot run inside a transaction block)\n${statementText(ctx)};`,
        },
      }),
    ];
  },
};
