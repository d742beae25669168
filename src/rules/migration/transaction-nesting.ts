import { transactionControl } from '../../lint/apply.js';
import { finding, type MigrationRule } from '../types.js';

export const transactionNesting: MigrationRule = {
  id: 'transaction-nesting',
  area: 'migration',
  severity: 'warning',
  summary:
    'BEGIN inside a transaction does nothing but warn, so the COMMIT meant for it ends the outer one early; a BEGIN never committed leaves the migration rolled back or hanging.',
  kinds: ['TransactionStmt'],
  check(ctx) {
    if (transactionControl(ctx.stmt) !== 'begin' || !ctx.tx.inTransaction) return [];
    const outer = ctx.tx.explicit ? 'an earlier BEGIN in this file' : 'the migration runner (it wraps each migration in a transaction)';
    return [
      finding(this, {
        message: `BEGIN inside a transaction already opened by ${outer}: PostgreSQL ignores it, and its COMMIT commits the outer transaction`,
        location: ctx.locate(),
        hint: ctx.tx.explicit ? 'Remove the inner BEGIN (or COMMIT the first transaction before it).' : 'Remove BEGIN/COMMIT from the file; the runner already provides the transaction.',
      }),
    ];
  },
  checkFile(ctx) {
    if (!ctx.tx.explicit) return [];
    const begin = [...ctx.file.statements].reverse().find((s) => transactionControl(s) === 'begin');
    return [
      finding(this, {
        message: 'BEGIN without COMMIT: the transaction is still open when the migration ends, and is rolled back when the session closes',
        location: begin ? { file: begin.file, line: begin.line, column: begin.column, statement: begin.index } : { file: ctx.file.file },
        hint: 'End the transaction with COMMIT.',
        fix: { description: 'Commit at the end of the migration', sql: 'COMMIT;' },
      }),
    ];
  },
};
