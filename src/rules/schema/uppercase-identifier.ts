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

/**
 * A lower-case name to suggest: snake_case, unless that is a reserved word (`User` → user, `Order` →
 * order): then a table takes the plural, a column its table's name before it.
 */
export function suggestedName(name: string, table?: string): string {
  const snake = snakeCase(name);
  const plain = (n: string) => quoteIdent(n) === n;
  if (plain(snake)) return snake;
  const candidates = table === undefined ? [`${snake}s`, `app_${snake}`] : [`${snakeCase(table)}_${snake}`, `${snake}_value`];
  return candidates.find(plain) ?? `${snake}_`;
}

export const uppercaseIdentifier: SchemaRule = {
  id: 'uppercase-identifier',
  area: 'schema',
  severity: 'warning',
  summary:
    'A table or column name with upper-case letters was created quoted, and must be quoted, with the exact case, in every query forever (`SELECT "userId" FROM "Users"`); unquoted, PostgreSQL folds it to lower case and finds nothing.',
  check({ catalog, origin, orm }) {
    const findings: Finding[] = [];
    // Prisma names tables after models (PascalCase) and quotes every name it writes: the ORM's choice,
    // which hand-written SQL and other tools pay for. Said, at info, with Prisma's own way out.
    const prisma = orm === 'prisma';
    for (const t of catalog.tables) {
      const table = quoteQualified(t.schema, t.name);
      if (hasUpper(t.name)) {
        const lower = suggestedName(t.name);
        findings.push(
          finding(this, {
            severity: prisma ? 'info' : this.severity,
            message: `Table ${t.schema}.${t.name} has upper-case letters: every query must write it as ${quoteIdent(t.name)}${prisma ? ' (Prisma names tables after their models)' : ''}`,
            object: `${t.schema}.${t.name}`,
            location: tableOrigin(origin, t.schema, t.name),
            hint: prisma
              ? `Prisma quotes it for you; for SQL written by hand, map the model to a lower-case table in schema.prisma: @@map("${lower}").`
              : `Name it in lower case, e.g. ${lower} (ALTER TABLE ${table} RENAME TO ${lower}; breaks code that uses the old name: rename with the code change, or leave a view under the old name meanwhile).`,
          }),
        );
      }
      // Partitions repeat the parent's columns: report those on the parent.
      if (t.partitionOf) continue;
      for (const c of t.columns.filter((col) => hasUpper(col.name))) {
        const lower = suggestedName(c.name, t.name);
        findings.push(
          finding(this, {
            severity: prisma ? 'info' : this.severity,
            message: `Column ${t.schema}.${t.name}.${c.name} has upper-case letters: every query must write it as ${quoteIdent(c.name)}${prisma ? ' (Prisma names columns after model fields)' : ''}`,
            object: `${t.schema}.${t.name}.${c.name}`,
            location: columnOrigin(origin, t.schema, t.name, c.name),
            hint: prisma
              ? `Prisma quotes it for you; for SQL written by hand, map the field to a lower-case column: @map("${lower}").`
              : `Name it in lower case, e.g. ${lower} (ALTER TABLE ${table} RENAME COLUMN ${quoteIdent(c.name)} TO ${lower}; breaks code that uses the old name: rename with the code change).`,
          }),
        );
      }
    }
    return findings;
  },
};
