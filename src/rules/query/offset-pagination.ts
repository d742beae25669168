import type { Column, Table } from '../../catalog/types.js';
import { quoteIdent } from '../../sql/quote.js';
import type { Edit } from '../../sql/tokens.js';
import type { Finding, Fix } from '../../types.js';
import { finding, type AnyNode, type QueryRule, type QueryRuleContext } from '../types.js';
import { analyze, firstLocation, freshParameters, integerConstant, itemTable, parameterNumbers, qualifiedName, rangeVarName, resolveColumn, type QueryBlock } from './scope.js';
import { rewrite } from './util.js';

/** OFFSETs below this are a page or two in: cheap enough. */
export const LARGE_OFFSET = 1000;

export const offsetPagination: QueryRule = {
  id: 'offset-pagination',
  area: 'query',
  severity: 'warning',
  summary: `LIMIT … OFFSET pagination with a large (≥ ${LARGE_OFFSET.toLocaleString('en-US')}) or parameterised offset reads and throws away every row before the page, so deep pages get slower, and rows shift between pages when data changes.`,
  catalogUse:
    'Reported from the SQL alone: a constant OFFSET of at least 1,000, or any OFFSET that is not a constant (a parameter or expression). The keyset fix needs the catalog: the ORDER BY columns must be NOT NULL columns of the one table queried, and the fix appends its primary key as a tiebreaker unless the sort key is already unique.',
  check(ctx) {
    const out: Finding[] = [];
    for (const block of analyze(ctx.stmt.node).blocks) {
      if (block.kind !== 'select' || !block.node.limitOffset) continue;
      const offset = block.node.limitOffset as AnyNode;
      const value = integerConstant(offset);
      if (value !== undefined && value < LARGE_OFFSET) continue;
      const table = block.items.length === 1 && block.items[0].kind === 'table' ? block.items[0] : undefined;
      const catalogTable = table ? itemTable(ctx, table) : undefined;
      const offsetText = ctx.sql.source(offset) ?? 'OFFSET';
      out.push(
        finding(this, {
          message:
            value !== undefined
              ? `OFFSET ${value.toLocaleString('en-US')} makes the server read and discard ${value.toLocaleString('en-US')} rows${table ? ` of ${catalogTable ? qualifiedName(catalogTable) : rangeVarName(table.rangeVar!)}` : ''} before returning the page, on every request`
              : `OFFSET ${offsetText} pages by position: every row before the page is read and discarded, so each page is slower than the last`,
          object: catalogTable ? qualifiedName(catalogTable) : undefined,
          location: ctx.locate(firstLocation(offset)),
          hint: block.node.sortClause
            ? 'Paginate by key (keyset): remember the sort key of the last row shown and continue with WHERE (sort key) < (last values) ORDER BY sort key LIMIT n: every page then costs the same, and no row is skipped or shown twice when data changes.'
            : 'Without ORDER BY the pages are not even stable: sort by a unique key, then paginate by that key (keyset) instead of by position.',
          fix: keysetFix(ctx, block, catalogTable),
        }),
      );
    }
    return out;
  },
};

interface SortKey {
  text: string;
  desc: boolean;
  column: Column;
}

/** The query rewritten to keyset pagination, when the sort key can be made unique and has no NULLs. */
function keysetFix(ctx: QueryRuleContext, block: QueryBlock, table: Table | undefined): Fix | undefined {
  const node = block.node;
  if (!table || !block.top || (ctx.stmt.node as AnyNode).SelectStmt !== node) return undefined;
  if (node.groupClause || node.havingClause || node.distinctClause || node.windowClause || !node.sortClause?.length) return undefined;
  const keys: SortKey[] = [];
  let qualifier: string | undefined;
  for (const s of node.sortClause as AnyNode[]) {
    const sort = s.SortBy;
    const ref = sort?.node?.ColumnRef;
    if (!ref || sort.sortby_nulls !== 'SORTBY_NULLS_DEFAULT' || sort.useOp) return undefined;
    const resolved = resolveColumn(ctx, ref, block);
    // NULLs sort outside any row comparison: a nullable sort key would lose rows.
    if (resolved.kind !== 'table' || resolved.table !== table || !resolved.column.notNull) return undefined;
    if ((ref.fields as AnyNode[]).length > 1) qualifier = block.items[0].name;
    keys.push({ text: ctx.sql.source(ref)!, desc: sort.sortby_dir === 'SORTBY_DESC', column: resolved.column });
  }
  const keyNames = new Set(keys.map((k) => k.column.name));
  if (!isUnique(table, keyNames)) {
    const pk = table.constraints.find((c) => c.type === 'primary key');
    if (!pk) return undefined;
    const last = keys[keys.length - 1];
    for (const name of pk.columns) {
      if (keyNames.has(name)) continue;
      const column = table.columns.find((c) => c.name === name)!;
      keys.push({ text: qualifier ? `${quoteIdent(qualifier)}.${quoteIdent(name)}` : quoteIdent(name), desc: last.desc, column });
    }
  }
  const sortCount = node.sortClause.length;
  const appended = keys.slice(sortCount);

  const clauses = ctx.sql.clauses();
  if (!clauses || clauses.at.offset === undefined || clauses.at.order === undefined) return undefined;
  const withoutOffset = { ...ctx.stmt.node, SelectStmt: { ...node, limitOffset: undefined } };
  const params = freshParameters(parameterNumbers(withoutOffset), keys.length).map((n) => `$${n}`);
  const predicate = keysetPredicate(keys, params);

  const edits: Edit[] = [];
  const text = ctx.sql.text;
  if (node.whereClause) {
    const where = ctx.sql.extent(node.whereClause);
    if (!where) return undefined;
    if (node.whereClause.BoolExpr?.boolop === 'OR_EXPR') {
      edits.push({ start: where.start, end: where.start, text: '(' }, { start: where.end, end: where.end, text: `) AND ${predicate}` });
    } else edits.push({ start: where.end, end: where.end, text: ` AND ${predicate}` });
  } else {
    const order = ctx.sql.tokens[clauses.at.order].start;
    const lineStart = text.lastIndexOf('\n', order - 1) + 1;
    const indent = text.slice(lineStart, order);
    edits.push({ start: order, end: order, text: indent.trim() === '' && lineStart > 0 ? `WHERE ${predicate}\n${indent}` : `WHERE ${predicate} ` });
  }
  if (appended.length) {
    const orderEnd = ctx.sql.span(clauses.at.order, clauses.bodyEnd('order')).end;
    edits.push({ start: orderEnd, end: orderEnd, text: appended.map((k) => `, ${k.text}${k.desc ? ' DESC' : ''}`).join('') });
  }
  const offsetKeyword = clauses.at.offset;
  const before = ctx.sql.previous(offsetKeyword);
  const removeFrom = before >= 0 ? ctx.sql.tokens[before].end : ctx.sql.tokens[offsetKeyword].start;
  edits.push({ start: removeFrom, end: ctx.sql.span(offsetKeyword, clauses.bodyEnd('offset')).end, text: '' });

  return {
    description: `Keyset pagination: pass the ${keys.map((k) => k.column.name).join(', ')} of the last row of the previous page as ${params.join(', ')} (the first page runs without the ${node.whereClause ? 'added condition' : 'WHERE clause'})${appended.length ? `; ${appended.map((k) => k.column.name).join(', ')} breaks ties so no row is skipped or repeated` : ''}`,
    sql: rewrite(ctx, edits),
  };
}

/** A primary key or a unique constraint/index with every column among the sort key's. */
function isUnique(table: Table, columns: Set<string>): boolean {
  if (table.constraints.some((c) => (c.type === 'primary key' || c.type === 'unique') && c.columns.every((n) => columns.has(n)))) return true;
  return table.indexes.some((i) => i.unique && i.valid && !i.predicate && i.columns.every((n) => n !== null && columns.has(n)));
}

/** `(a, b) < ($1, $2)` for one direction; the expanded OR form when directions differ. */
function keysetPredicate(keys: SortKey[], params: string[]): string {
  const op = (k: SortKey) => (k.desc ? '<' : '>');
  if (keys.every((k) => k.desc === keys[0].desc)) {
    return keys.length === 1 ? `${keys[0].text} ${op(keys[0])} ${params[0]}` : `(${keys.map((k) => k.text).join(', ')}) ${op(keys[0])} (${params.join(', ')})`;
  }
  const terms = keys.map((k, i) => [...keys.slice(0, i).map((e, j) => `${e.text} = ${params[j]}`), `${k.text} ${op(k)} ${params[i]}`].join(' AND '));
  return `(${terms.map((t, i) => (i === 0 ? t : `(${t})`)).join(' OR ')})`;
}
