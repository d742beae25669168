import { scanSync } from '../../sql/pg-parser.js';
import { columnOrigin, tableOrigin } from '../../catalog/origin.js';
import { quoteQualified } from '../../sql/quote.js';
import type { Finding } from '../../types.js';
import { finding, type SchemaRule } from '../types.js';

/**
 * The keyword category that makes a name unusable unquoted as a table or column name: PostgreSQL's
 * grammar accepts unreserved and col_name keywords there (ColId), not reserved or type_func_name ones
 * (`user`, `order`, `left`, `join`). Asks the real scanner, so the list follows the parser's version.
 * Only names that would otherwise be written plain are checked: `"User"` is not the keyword `user`.
 */
export function reservedKind(name: string): string | undefined {
  if (!/^[a-z_][a-z0-9_$]*$/.test(name)) return undefined;
  const token = scanSync(name).tokens[0];
  if (!token || token.end - token.start !== Buffer.byteLength(name)) return undefined;
  return token.keywordName === 'RESERVED_KEYWORD' || token.keywordName === 'TYPE_FUNC_NAME_KEYWORD' ? token.keywordName : undefined;
}

const describe = (kind: string) => (kind === 'RESERVED_KEYWORD' ? 'a reserved SQL keyword' : 'a keyword reserved for type and function names');

export const reservedIdentifier: SchemaRule = {
  id: 'reserved-identifier',
  area: 'schema',
  severity: 'warning',
  summary:
    'A table or column named after a reserved keyword (`user`, `order`, `group`, `left`…) must be double-quoted in every query, and the unquoted mistake gives confusing errors (`SELECT user FROM t` returns the current role).',
  check({ catalog, origin }) {
    const findings: Finding[] = [];
    for (const t of catalog.tables) {
      const kind = reservedKind(t.name);
      if (kind) {
        findings.push(
          finding(this, {
            message: `Table ${t.schema}.${t.name} is named ${describe(kind)}: every query must write it as "${t.name}"`,
            object: `${t.schema}.${t.name}`,
            location: tableOrigin(origin, t.schema, t.name),
            hint: `Rename it (e.g. ${t.name}s, or a more specific noun): ALTER TABLE ${quoteQualified(t.schema, t.name)} RENAME TO …; breaks code that uses the old name: rename with the code change.`,
          }),
        );
      }
      if (t.partitionOf) continue;
      for (const c of t.columns) {
        const columnKind = reservedKind(c.name);
        if (!columnKind) continue;
        findings.push(
          finding(this, {
            message: `Column ${t.schema}.${t.name}.${c.name} is named ${describe(columnKind)}: every query must write it as "${c.name}"`,
            object: `${t.schema}.${t.name}.${c.name}`,
            location: columnOrigin(origin, t.schema, t.name, c.name),
            hint: `Rename it to a more specific name (e.g. ${c.name}_id, ${c.name}_at, ${t.name}_${c.name}): ALTER TABLE ${quoteQualified(t.schema, t.name)} RENAME COLUMN "${c.name}" TO …; breaks code that uses the old name.`,
          }),
        );
      }
    }
    return findings;
  },
};
