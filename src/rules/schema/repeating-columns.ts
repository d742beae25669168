import { columnOrigin } from '../../catalog/origin.js';
import type { Catalog, Column, Table } from '../../catalog/types.js';
import { quoteIdent, quoteQualified, truncateIdentifier } from '../../sql/quote.js';
import { finding, type SchemaRule } from '../types.js';
import { singular } from './normal-util.js';

/** `phone1`, `phone_2`, `address_line_3`: a stem and a trailing number. */
const NUMBERED = /^(.*[A-Za-z])_?(\d+)$/;

/**
 * Address lines are the known legitimate numbered group: the lines are positional parts of ONE value
 * (a postal address as printed), not instances of a repeated fact; postal formats fix their count
 * (two or three lines on most carriers' and countries' forms), no row ever needs a fourth, and no
 * query looks for a value "in any line". Up to this many such lines are not reported.
 */
const ADDRESS_STEM = /(^|_)(address|addr|street|line)(_?line)?$/i;
const ADDRESS_LINES_MAX = 3;

/** Element types of id arrays: `int[]`, `bigint[]`, `uuid[]`. */
const ID_ELEMENT_TYPES = new Set(['int2', 'int4', 'int8', 'uuid']);

interface Group {
  stem: string;
  members: Column[];
}

/** Numbered column groups of one table: consecutive numbers, one type, two or more columns. */
export function numberedGroups(table: Table): Group[] {
  const byStem = new Map<string, Array<{ n: number; column: Column }>>();
  for (const column of table.columns) {
    const m = NUMBERED.exec(column.name);
    if (!m) continue;
    const stem = m[1];
    byStem.set(stem, [...(byStem.get(stem) ?? []), { n: Number(m[2]), column }]);
  }
  const groups: Group[] = [];
  for (const [stem, numbered] of byStem) {
    numbered.sort((a, b) => a.n - b.n);
    // `phone, phone2, phone3`: the unnumbered column is the group's first member.
    const base = table.columns.find((c) => c.name === stem);
    if (base && numbered[0].n === 2) numbered.unshift({ n: 1, column: base });
    const consecutive = numbered.every((x, i) => i === 0 || x.n === numbered[i - 1].n + 1);
    // One kind of value (varchar(20) beside varchar(30) still is one).
    const oneType = numbered.every((x) => x.column.typeName === numbered[0].column.typeName && x.column.isArray === numbered[0].column.isArray);
    if (numbered.length < 2 || !consecutive || !oneType) continue;
    // x1, y1, x2, y2: single letters are coordinates (a box's corners), fixed by geometry.
    if (stem.replace(/_$/, '').length === 1) continue;
    if (ADDRESS_STEM.test(stem) && numbered.length <= ADDRESS_LINES_MAX) continue;
    groups.push({ stem, members: numbered.map((x) => x.column) });
  }
  return groups;
}

/** `tag_ids bigint[]` and the like: a list of references the database cannot check. */
export function idArrays(table: Table): Column[] {
  return table.columns.filter((c) => c.isArray && ID_ELEMENT_TYPES.has(c.typeName) && /(^|_)ids$/i.test(c.name));
}

/** The parent key the child table references: the primary key's columns, their types and child column names. */
function parentKey(table: Table): Array<{ name: string; type: string; childName: string }> | undefined {
  const pk = table.constraints.find((c) => c.type === 'primary key');
  if (!pk) return undefined;
  return pk.columns.map((name) => ({
    name,
    type: table.columns.find((c) => c.name === name)?.type ?? 'bigint',
    // orders.id → order_id in the child; other key names keep their names.
    childName: name === 'id' ? `${singular(table.name)}_id` : name,
  }));
}

function childTableDdl(table: Table, childName: string, key: NonNullable<ReturnType<typeof parentKey>>, valueColumns: string[], primaryKey: string[]): string {
  const parent = quoteQualified(table.schema, table.name);
  const keyColumns = key.map((k) => `  ${quoteIdent(k.childName)} ${k.type} NOT NULL`);
  return [
    `CREATE TABLE ${quoteQualified(table.schema, childName)} (`,
    [...keyColumns, ...valueColumns.map((c) => `  ${c}`), `  PRIMARY KEY (${primaryKey.join(', ')})`, `  FOREIGN KEY (${key.map((k) => quoteIdent(k.childName)).join(', ')}) REFERENCES ${parent} (${key.map((k) => quoteIdent(k.name)).join(', ')}) ON DELETE CASCADE`].join(',\n'),
    ');',
  ].join('\n');
}

function groupFix(table: Table, group: Group): string | undefined {
  const key = parentKey(table);
  if (!key) return undefined;
  const stem = group.stem.replace(/_$/, '');
  const child = truncateIdentifier(`${singular(table.name)}_${stem}s`);
  const value = quoteIdent(stem);
  const keyCols = key.map((k) => quoteIdent(k.childName));
  // Modifiers may differ (varchar(20), varchar(30)): the unmodified type holds every one of them.
  const sameType = group.members.every((m) => m.type === group.members[0].type);
  const base = group.members[0].typeName === 'bpchar' ? 'text' : group.members[0].typeName;
  const type = sameType ? group.members[0].type : base;
  const ddl = childTableDdl(table, child, key, [`ordinal smallint NOT NULL CHECK (ordinal > 0)`, `${value} ${type} NOT NULL`], [...keyCols, 'ordinal']);
  const selects = group.members.map(
    (m, i) => `SELECT ${key.map((k) => quoteIdent(k.name)).join(', ')}, ${i + 1}, ${quoteIdent(m.name)} FROM ${quoteQualified(table.schema, table.name)} WHERE ${quoteIdent(m.name)} IS NOT NULL`,
  );
  return [
    ddl,
    `INSERT INTO ${quoteQualified(table.schema, child)} (${[...keyCols, 'ordinal', value].join(', ')})\n${selects.join('\nUNION ALL ')};`,
    `-- once the application reads and writes ${child}:`,
    `-- ALTER TABLE ${quoteQualified(table.schema, table.name)} ${group.members.map((m) => `DROP COLUMN ${quoteIdent(m.name)}`).join(', ')};`,
  ].join('\n');
}

/** The table an id array points at, when the catalog has one by that name with a one-column key of the element type. */
function referencedTable(catalog: Catalog, table: Table, stem: string, elementType: string): { table: Table; column: string } | undefined {
  for (const name of [`${stem}s`, stem, `${stem.replace(/y$/, 'ie')}s`]) {
    const t = catalog.tables.find((x) => x.schema === table.schema && x.name === name);
    const pk = t?.constraints.find((c) => c.type === 'primary key');
    if (t && pk?.columns.length === 1 && t.columns.find((c) => c.name === pk.columns[0])?.type === elementType) return { table: t, column: pk.columns[0] };
  }
  return undefined;
}

function arrayFix(catalog: Catalog, table: Table, column: Column): string | undefined {
  const key = parentKey(table);
  if (!key) return undefined;
  const stem = column.name.replace(/_?ids$/i, '') || 'item';
  const elementType = column.type.replace(/\[\]$/, '');
  const child = truncateIdentifier(`${singular(table.name)}_${stem}s`);
  const idColumn = quoteIdent(`${stem}_id`);
  const target = referencedTable(catalog, table, stem, elementType);
  const ref = target ? ` REFERENCES ${quoteQualified(target.table.schema, target.table.name)} (${quoteIdent(target.column)})` : '';
  const keyCols = key.map((k) => quoteIdent(k.childName));
  const ddl = childTableDdl(table, child, key, [`${idColumn} ${elementType} NOT NULL${ref}`], [...keyCols, idColumn]);
  return [
    ddl,
    `CREATE INDEX ON ${quoteQualified(table.schema, child)} (${idColumn});`,
    `INSERT INTO ${quoteQualified(table.schema, child)} (${[...keyCols, idColumn].join(', ')})`,
    `SELECT DISTINCT ${key.map((k) => `p.${quoteIdent(k.name)}`).join(', ')}, x.id FROM ${quoteQualified(table.schema, table.name)} p CROSS JOIN LATERAL unnest(p.${quoteIdent(column.name)}) AS x(id) WHERE x.id IS NOT NULL;`,
    `-- once the application reads and writes ${child}:`,
    `-- ALTER TABLE ${quoteQualified(table.schema, table.name)} DROP COLUMN ${quoteIdent(column.name)};`,
  ].join('\n');
}

export const repeatingColumns: SchemaRule = {
  id: 'repeating-columns',
  area: 'schema',
  severity: 'warning',
  summary:
    'First normal form: numbered column groups (phone1, phone2, phone3) and arrays of ids (tag_ids bigint[]) cap how many a row can hold, make "which rows have X" a search across columns or arrays, and cannot carry foreign keys; a child table can. Up to three address lines (address_line_1, address_line_2) are parts of one address, not a repeating group, and are not reported.',
  check({ catalog, origin }) {
    const findings = [];
    // A partition has its parent's columns: the parent is the one to report.
    for (const t of catalog.tables.filter((x) => !x.partitionOf)) {
      for (const group of numberedGroups(t)) {
        const first = group.members[0];
        const names = group.members.map((m) => m.name).join(', ');
        const sql = groupFix(t, group);
        findings.push(
          finding(this, {
            message: `Table ${t.schema}.${t.name} repeats one fact in ${group.members.length} numbered columns (${names}): a row cannot hold more, and finding a value means searching every column`,
            object: `${t.schema}.${t.name}.${first.name}`,
            location: columnOrigin(origin, t.schema, t.name, first.name),
            hint: sql ? `Move ${names} to a child table with one row per value.` : `Add a primary key to ${t.name}, then move ${names} to a child table with one row per value.`,
            fix: sql ? { description: 'A child table with one row per value, backfilled from the columns', sql } : undefined,
          }),
        );
      }
      for (const column of idArrays(t)) {
        const sql = arrayFix(catalog, t, column);
        findings.push(
          finding(this, {
            message: `Column ${t.schema}.${t.name}.${column.name} (${column.type}) is a list of ids: no foreign key can check them, and removing a referenced row leaves dangling ids`,
            object: `${t.schema}.${t.name}.${column.name}`,
            location: columnOrigin(origin, t.schema, t.name, column.name),
            hint: sql ? 'Use a join table with one row per (owner, id) and foreign keys on both sides.' : `Add a primary key to ${t.name}, then use a join table with one row per (owner, id).`,
            fix: sql ? { description: 'A join table with foreign keys, backfilled from the array', sql } : undefined,
          }),
        );
      }
    }
    return findings;
  },
};
