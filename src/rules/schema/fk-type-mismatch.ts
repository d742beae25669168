import { constraintOrigin } from '../../catalog/origin.js';
import type { Column, Table } from '../../catalog/types.js';
import { quoteIdent, quoteQualified } from '../../sql/quote.js';
import type { Finding } from '../../types.js';
import { finding, type SchemaRule } from '../types.js';
import { designTables, findColumn, foreignKeys } from './design-util.js';

const INT_WIDTH: Record<string, number> = { int2: 2, int4: 4, int8: 8 };
const intWidth = (c: Column) => (!c.isArray && c.typeSchema === 'pg_catalog' ? INT_WIDTH[c.typeName] : undefined);

interface Pair {
  column: Column;
  referenced: Column;
}

const alter = (t: Table, c: Column, type: string) =>
  `ALTER TABLE ${quoteQualified(t.schema, t.name)} ALTER COLUMN ${quoteIdent(c.name)} TYPE ${type} USING ${quoteIdent(c.name)}::${type};`;

export const fkTypeMismatch: SchemaRule = {
  id: 'fk-type-mismatch',
  area: 'schema',
  severity: 'warning',
  summary:
    'A foreign key column whose type differs from the key it references (integer → bigint, varchar(20) → text…) forces a cast on every join and check, can overflow or truncate before the parent does, and hides a design slip.',
  check({ catalog, origin }) {
    const findings: Finding[] = [];
    for (const t of designTables(catalog)) {
      for (const fk of foreignKeys(catalog, t)) {
        const ref = fk.references!;
        const parent = catalog.tables.find((p) => p.schema === ref.schema && p.name === ref.table);
        if (!parent) continue;
        const pairs: Pair[] = fk.columns
          .map((name, i) => ({ column: findColumn(t, name), referenced: findColumn(parent, ref.columns[i]) }))
          .filter((p): p is Pair => p.column !== undefined && p.referenced !== undefined && p.column.type !== p.referenced.type);
        if (!pairs.length) continue;
        // Integers: widen whichever side is narrower (never narrow a key). Anything else: the child
        // takes the parent's type, the parent being the source of truth.
        const statements = pairs.map(({ column, referenced }) => {
          const [cw, pw] = [intWidth(column), intWidth(referenced)];
          return cw && pw && cw > pw ? alter(parent, referenced, column.type) : alter(t, column, referenced.type);
        });
        const described = pairs.map((p) => `${t.schema}.${t.name}.${p.column.name} is ${p.column.type} but ${ref.schema}.${ref.table}.${p.referenced.name} is ${p.referenced.type}`);
        findings.push(
          finding(this, {
            message: `Foreign key ${fk.name}: ${described.join('; ')}`,
            object: `${t.schema}.${t.name}.${fk.name}`,
            location: constraintOrigin(origin, t.schema, t.name, fk),
            hint: 'Give the referencing column exactly the referenced column\'s type (widen an integer key rather than narrow it).',
            fix: {
              description: 'Align the types (each ALTER rewrites its table and indexes under an ACCESS EXCLUSIVE lock; it fails, changing nothing, if a value does not convert)',
              sql: statements.join('\n'),
            },
          }),
        );
      }
    }
    return findings;
  },
};
