import { columnOrigin } from '../../catalog/origin.js';
import type { Catalog, Table } from '../../catalog/types.js';
import { parseSync } from '../../sql/pg-parser.js';
import { quoteIdent, quoteQualified, truncateIdentifier } from '../../sql/quote.js';
import { finding, type SchemaRule } from '../types.js';
import { columnName, designTables, foreignKeys } from './design-util.js';

const SOFT_DELETE = new Set(['deleted_at', 'archived_at']);

/** A valid index whose predicate has `<column> IS NULL` as a top-level conjunct, read from its parse tree. */
function hasLiveRowsIndex(t: Table, column: string): boolean {
  return t.indexes.some((i) => i.valid && i.predicate !== undefined && conjuncts(i.predicate).some((n) => isNullTestOf(n, column)));
}

type Node = Record<string, any>;

/** The top-level AND terms of a boolean expression as PostgreSQL prints it (pg_get_expr). */
function conjuncts(predicate: string): Node[] {
  let where: Node | undefined;
  try {
    where = (parseSync(`select 1 where ${predicate}`).stmts?.[0]?.stmt as Node | undefined)?.SelectStmt?.whereClause;
  } catch {
    return [];
  }
  const flatten = (n: Node | undefined): Node[] => (n?.BoolExpr?.boolop === 'AND_EXPR' ? n.BoolExpr.args.flatMap(flatten) : n ? [n] : []);
  return flatten(where);
}

function isNullTestOf(node: Node, column: string): boolean {
  const test = node.NullTest as Node | undefined;
  const fields: Node[] = test?.arg?.ColumnRef?.fields ?? [];
  return test?.nulltesttype === 'IS_NULL' && fields[fields.length - 1]?.String?.sval === column;
}

/**
 * What the application most likely looks live rows up by: the first foreign key (children of a parent,
 * "the order's items that are not deleted"), else the primary key.
 */
function lookupColumns(catalog: Catalog, t: Table): string[] | undefined {
  const fk = foreignKeys(catalog, t)[0];
  return fk?.columns ?? t.constraints.find((c) => c.type === 'primary key')?.columns;
}

export const softDeleteNoPartialIndex: SchemaRule = {
  id: 'soft-delete-no-partial-index',
  area: 'schema',
  severity: 'warning',
  summary:
    'With soft deletes (`deleted_at`), almost every query filters `WHERE deleted_at IS NULL`; without a partial index on that predicate they scan dead-but-kept rows, and unique rules apply to deleted rows too.',
  check({ catalog, origin }) {
    return designTables(catalog).flatMap((t) =>
      t.columns
        .filter((c) => SOFT_DELETE.has(c.name) && !hasLiveRowsIndex(t, c.name))
        .map((c) => {
          const keys = lookupColumns(catalog, t);
          const name = keys && quoteIdent(truncateIdentifier(`${t.name}_${keys.join('_')}_live_idx`));
          // PostgreSQL cannot build an index on a partitioned table CONCURRENTLY (any version).
          const partitioned = t.kind === 'partitioned table';
          return finding(this, {
            message: `Table ${t.schema}.${t.name} soft-deletes with ${c.name}, but no index has WHERE ${c.name} IS NULL`,
            object: columnName(t, c.name),
            location: columnOrigin(origin, t.schema, t.name, c.name),
            hint: `Create the indexes live-row queries use as partial indexes WHERE ${c.name} IS NULL (and unique constraints as partial unique indexes, so a deleted row does not block a new one).`,
            fix: keys
              ? {
                  description: `A partial index on ${keys.join(', ')} (${foreignKeys(catalog, t).length ? 'the first foreign key' : 'the primary key'}: adjust to your most frequent lookup), ${
                    partitioned
                      ? 'on every partition. A partitioned table cannot be indexed CONCURRENTLY: this blocks writes while it builds; on large partitions create the index ON ONLY the parent, build one CONCURRENTLY per partition and ATTACH each'
                      : 'built without blocking writes (run outside a transaction)'
                  }`,
                  sql: `CREATE INDEX${partitioned ? '' : ' CONCURRENTLY'} ${name} ON ${quoteQualified(t.schema, t.name)} (${keys.map(quoteIdent).join(', ')}) WHERE ${quoteIdent(c.name)} IS NULL;`,
                }
              : undefined,
          });
        }),
    );
  },
};
