import { tableOrigin } from '../../catalog/origin.js';
import { quoteIdent, quoteQualified } from '../../sql/quote.js';
import { finding, type SchemaRule } from '../types.js';

export const missingPrimaryKey: SchemaRule = {
  id: 'missing-primary-key',
  area: 'schema',
  severity: 'warning',
  summary: 'A table without a primary key cannot be addressed row by row, replicated logically, or safely deduplicated.',
  check({ catalog, origin }) {
    return catalog.tables
      // A partition inherits its parent's key; the parent is the one to report.
      .filter((t) => t.kind !== 'foreign table' && !t.partitionOf)
      .filter((t) => !t.constraints.some((c) => c.type === 'primary key'))
      .map((t) => {
        const name = quoteQualified(t.schema, t.name);
        // A unique index over NOT NULL columns can become the primary key without a table scan.
        const candidate = t.indexes.find(
          (i) => i.unique && i.valid && !i.predicate && i.columns.length > 0 && i.columns.every((c) => c !== null && t.columns.find((col) => col.name === c)?.notNull),
        );
        return finding(this, {
          message: `Table ${t.schema}.${t.name} has no primary key`,
          object: `${t.schema}.${t.name}`,
          location: tableOrigin(origin, t.schema, t.name),
          hint: candidate
            ? `Promote the unique index ${candidate.name} to the primary key.`
            : 'Add a primary key: a bigint identity or uuid column, or the natural key if the table has one.',
          fix: candidate
            ? {
                description: `Use the existing unique index ${candidate.name} (no rebuild, brief lock)`,
                sql: `ALTER TABLE ${name} ADD CONSTRAINT ${quoteIdent(`${t.name}_pkey`)} PRIMARY KEY USING INDEX ${quoteIdent(candidate.name)};`,
              }
            : undefined,
        });
      });
  },
};
