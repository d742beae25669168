import { constraintOrigin } from '../../catalog/origin.js';
import type { Index, Table } from '../../catalog/types.js';
import { quoteIdent, quoteQualified, truncateIdentifier } from '../../sql/quote.js';
import { finding, type SchemaRule } from '../types.js';

/**
 * An index serves a foreign key's lookups (`WHERE fk_cols = $1` on parent DELETE/UPDATE, and joins)
 * when the FK columns are its leading key columns, in any order. Partial, invalid and expression
 * indexes do not serve every lookup.
 */
export function indexServes(index: Index, columns: string[]): boolean {
  if (!index.valid || index.predicate || index.columns.length < columns.length) return false;
  if (index.method !== 'btree' && !(index.method === 'hash' && columns.length === 1)) return false;
  const leading = index.columns.slice(0, columns.length);
  return columns.every((c) => leading.includes(c));
}

function isServed(table: Table, columns: string[]): boolean {
  return table.indexes.some((i) => indexServes(i, columns));
}

export const fkMissingIndex: SchemaRule = {
  id: 'fk-missing-index',
  area: 'schema',
  severity: 'warning',
  summary:
    'A foreign key whose columns lead no index makes every DELETE or key UPDATE on the parent scan the child table, and joins on it slow.',
  check({ catalog, origin }) {
    return catalog.tables.flatMap((t) =>
      t.constraints
        .filter((c) => c.type === 'foreign key' && c.references && !isServed(t, c.columns))
        .map((c) => {
          const ref = c.references!;
          const cols = c.columns.join(', ');
          const indexName = truncateIdentifier(`${t.name}_${c.columns.join('_')}_idx`);
          return finding(this, {
            message: `Foreign key ${t.schema}.${t.name}(${cols}) → ${ref.schema}.${ref.table} has no index: deleting or updating rows of ${ref.schema}.${ref.table} scans ${t.schema}.${t.name}`,
            object: `${t.schema}.${t.name}.${c.name}`,
            location: constraintOrigin(origin, t.schema, t.name, c),
            hint: `Index ${t.name}(${cols}); build it CONCURRENTLY on a live table.`,
            fix: {
              description: 'Create the index without blocking writes (run outside a transaction)',
              sql: `CREATE INDEX CONCURRENTLY ${quoteIdent(indexName)} ON ${quoteQualified(t.schema, t.name)} (${c.columns.map(quoteIdent).join(', ')});`,
            },
          });
        }),
    );
  },
};
