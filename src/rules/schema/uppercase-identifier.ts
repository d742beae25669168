import { columnOrigin, tableOrigin } from '../../catalog/origin.js';
import { quoteIdent, quoteQualified } from '../../sql/quote.js';
import type { Finding } from '../../types.js';
import { finding, type SchemaRule } from '../types.js';

/** `OrderItems` → `order_items`, `userID` → `user_id`: the name an unquoted identifier would have. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

const hasUpper = (name: string) => name !== name.toLowerCase();

export const uppercaseIdentifier: SchemaRule = {
  id: 'uppercase-identifier',
  area: 'schema',
  severity: 'warning',
  summary:
    'A table or column name with upper-case letters was created quoted, and must be quoted, with the exact case, in every query forever (`SELECT "userId" FROM "Users"`); unquoted, PostgreSQL folds it to lower case and finds nothing.',
  check({ catalog, origin }) {
    const findings: Finding[] = [];
    for (const t of catalog.tables) {
      const table = quoteQualified(t.schema, t.name);
      if (hasUpper(t.name)) {
        findings.push(
          finding(this, {
            message: `Table ${t.schema}.${t.name} has upper-case letters: every query must write it as ${quoteIdent(t.name)}`,
            object: `${t.schema}.${t.name}`,
            location: tableOrigin(origin, t.schema, t.name),
            hint: `Name it in lower case, e.g. ${snakeCase(t.name)} (ALTER TABLE ${table} RENAME TO ${quoteIdent(snakeCase(t.name))}; breaks code that uses the old name: rename with the code change, or leave a view under the old name meanwhile).`,
          }),
        );
      }
      // Partitions repeat the parent's columns: report those on the parent.
      if (t.partitionOf) continue;
      for (const c of t.columns.filter((col) => hasUpper(col.name))) {
        findings.push(
          finding(this, {
            message: `Column ${t.schema}.${t.name}.${c.name} has upper-case letters: every query must write it as ${quoteIdent(c.name)}`,
            object: `${t.schema}.${t.name}.${c.name}`,
            location: columnOrigin(origin, t.schema, t.name, c.name),
            hint: `Name it in lower case, e.g. ${snakeCase(c.name)} (ALTER TABLE ${table} RENAME COLUMN ${quoteIdent(c.name)} TO ${quoteIdent(snakeCase(c.name))}; breaks code that uses the old name: rename with the code change).`,
          }),
        );
      }
    }
    return findings;
  },
};
