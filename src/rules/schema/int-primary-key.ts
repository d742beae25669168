import { columnOrigin } from '../../catalog/origin.js';
import type { Catalog, Table } from '../../catalog/types.js';
import { quoteIdent, quoteQualified } from '../../sql/quote.js';
import type { Finding } from '../../types.js';
import { finding, type SchemaRule } from '../types.js';
import { columnName, designTables, findColumn, foreignKeys, isBuiltin } from './design-util.js';

const LIMIT: Record<string, string> = { int2: '32,767 (2^15)', int4: '2,147,483,647 (2^31)' };
const is32 = (t: Table, column: string) => {
  const c = findColumn(t, column);
  return c !== undefined && isBuiltin(c, 'int2', 'int4');
};

/** Single-column foreign keys (child table, column) that point at `table.column`. */
function referencing(catalog: Catalog, table: Table, column: string): Array<{ table: Table; column: string }> {
  return designTables(catalog).flatMap((child) =>
    foreignKeys(catalog, child)
      .filter((c) => c.references?.schema === table.schema && c.references.table === table.name && c.references.columns.length === 1 && c.references.columns[0] === column)
      .map((c) => ({ table: child, column: c.columns[0] })),
  );
}

const widen = (t: Table, column: string) => `ALTER TABLE ${quoteQualified(t.schema, t.name)} ALTER COLUMN ${quoteIdent(column)} TYPE bigint;`;
const REWRITE_NOTE = 'Each ALTER rewrites its table and indexes under an ACCESS EXCLUSIVE lock: on a large table add a bigint column, backfill it in batches and swap instead.';

export const intPrimaryKey: SchemaRule = {
  id: 'int-primary-key',
  area: 'schema',
  severity: 'warning',
  summary:
    'A 32-bit (integer/smallint) primary key runs out at 2^31 (2^15) rows or sequence values, and widening it later rewrites the table and every referencing table; plan for 10x and use bigint.',
  check({ catalog, origin }) {
    const findings: Finding[] = [];
    const reported = new Set<string>();
    for (const t of designTables(catalog)) {
      const pk = t.constraints.find((c) => c.type === 'primary key');
      // Composite keys are left alone: their parts are often small ordinals (line_no), and the parts
      // that point elsewhere are checked as foreign keys below.
      if (!pk || pk.columns.length !== 1 || !is32(t, pk.columns[0])) continue;
      const column = findColumn(t, pk.columns[0])!;
      const children = referencing(catalog, t, column.name).filter((r) => is32(r.table, r.column));
      const sequence = column.serial ? catalog.sequences.find((s) => s.ownedBy === columnName(t, column.name)) : undefined;
      reported.add(columnName(t, column.name));
      findings.push(
        finding(this, {
          message: `Primary key ${columnName(t, column.name)} is ${column.type}: it overflows at ${LIMIT[column.typeName]}`,
          object: columnName(t, column.name),
          location: columnOrigin(origin, t.schema, t.name, column.name),
          hint: `Use bigint (with the foreign keys that reference it${children.length ? `: ${children.map((r) => columnName(r.table, r.column)).join(', ')}` : ''}), or uuid.`,
          fix: {
            description: `Widen the key${children.length ? ', the columns that reference it,' : ''}${sequence ? ' and its sequence' : ''} to bigint, in one transaction. ${REWRITE_NOTE}`,
            sql: [
              'BEGIN;',
              widen(t, column.name),
              ...(sequence ? [`ALTER SEQUENCE ${quoteQualified(sequence.schema, sequence.name)} AS bigint;`] : []),
              ...children.map((r) => widen(r.table, r.column)),
              'COMMIT;',
            ].join('\n'),
          },
        }),
      );
    }
    // 32-bit foreign key columns that point at a 32-bit key: the pair overflows together, and both must
    // be widened. (A 32-bit column pointing at a bigint key is fk-type-mismatch's finding.)
    for (const t of designTables(catalog)) {
      for (const fk of foreignKeys(catalog, t)) {
        const parent = catalog.tables.find((p) => p.schema === fk.references!.schema && p.name === fk.references!.table);
        fk.columns.forEach((name, i) => {
          const refColumn = fk.references!.columns[i];
          if (!parent || !is32(t, name) || !is32(parent, refColumn) || reported.has(columnName(t, name))) return;
          reported.add(columnName(t, name));
          const column = findColumn(t, name)!;
          findings.push(
            finding(this, {
              message: `Foreign key column ${columnName(t, name)} is ${column.type}, like the key it references (${columnName(parent, refColumn)}): both overflow at ${LIMIT[column.typeName]}`,
              object: columnName(t, name),
              location: columnOrigin(origin, t.schema, t.name, name),
              hint: `Widen ${columnName(parent, refColumn)} and this column to bigint together.`,
              fix: { description: `Widen the column to bigint (a bigint column may reference an integer key). ${REWRITE_NOTE}`, sql: widen(t, name) },
            }),
          );
        });
      }
    }
    return findings;
  },
};
