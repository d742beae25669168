import { quoteIdent, quoteLiteral } from '../../sql/quote.js';
import { finding, type MigrationRule } from '../types.js';
import { enumCreatedEarlier } from './objects-util.js';
import { names } from './util.js';

export const renameEnumValue: MigrationRule = {
  id: 'rename-enum-value',
  area: 'migration',
  severity: 'warning',
  summary: "ALTER TYPE … RENAME VALUE breaks running code that still writes the old label (PostgreSQL rejects it as invalid input for the enum).",
  kinds: ['AlterEnumStmt'],
  check(ctx) {
    const { typeName, oldVal, newVal } = ctx.node;
    if (oldVal === undefined) return [];
    const type = names(typeName);
    // An enum created earlier in this migration: no running code uses its labels yet.
    if (enumCreatedEarlier(ctx, type)) return [];
    const written = type.map(quoteIdent).join('.');
    return [
      finding(this, {
        message: `Renaming value '${oldVal}' of enum ${type.join('.')} to '${newVal}' breaks running code that still writes or compares '${oldVal}'`,
        object: type.join('.'),
        location: ctx.locate(),
        hint: 'Expand/contract: add the new label, release code that writes it and reads both, migrate the rows in batches, then stop using the old one (an enum value cannot be dropped; a CHECK-constrained text column or a lookup table is easier to evolve).',
        fix: {
          description: 'Add the new label next to the old one instead of renaming it',
          sql: [
            `ALTER TYPE ${written} ADD VALUE IF NOT EXISTS ${quoteLiteral(newVal)} AFTER ${quoteLiteral(oldVal)};`,
            `-- after a release that writes ${quoteLiteral(newVal)} and reads both, in batches, for each column of this type:`,
            `-- UPDATE <table> SET <column> = ${quoteLiteral(newVal)} WHERE <column> = ${quoteLiteral(oldVal)};`,
          ].join('\n'),
        },
      }),
    ];
  },
};
