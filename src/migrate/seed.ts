// Synthetic rows for a table, generated inside PostgreSQL from its column types and constraints, so
// that traced durations and plans mean something. One INSERT … SELECT … generate_series per table.
import { introspect } from '../catalog/introspect.js';
import type { Column, Table } from '../catalog/types.js';
import { InputError } from '../lint/files.js';
import type { Queryable } from '../engine/types.js';
import { parseSync } from '../sql/pg-parser.js';
import { quoteIdent, quoteLiteral, quoteQualified } from '../sql/quote.js';

/** A value expression for row number `g`, or undefined to leave the column to its default. */
function valueFor(column: Column, table: Table, enums: Set<string>): string | undefined {
  if (column.identity || column.generated || column.serial) return undefined;
  const fk = table.constraints.find((c) => c.type === 'foreign key' && c.columns.length === 1 && c.columns[0] === column.name);
  if (fk?.references) {
    // Spread child rows over the parent's keys, read once into an array (see parentKeys).
    return `${parentAlias(fk.name)}.k[1 + g % greatest(array_length(${parentAlias(fk.name)}.k, 1), 1)]`;
  }
  if (column.isArray) return `'{}'`;
  const allowed = allowedValues(column, table);
  if (allowed.length) return `(array[${allowed.map(quoteLiteral).join(', ')}])[1 + g % ${allowed.length}]::${quoteQualified(column.typeSchema, column.typeName)}`;
  const n = column.typeModifier !== undefined ? column.typeModifier - 4 : undefined; // varchar(n)/char(n): typmod = n + 4
  switch (column.typeName) {
    case 'int2':
      return '(g % 32767)::int2';
    case 'int4':
    case 'int8':
    case 'numeric':
    case 'float4':
    case 'float8':
    case 'money':
      return `g::${column.typeName}`;
    case 'text':
    case 'citext':
      return `'row ' || g`;
    case 'varchar':
    case 'bpchar':
      return n !== undefined && n > 0 ? `right('r' || g, ${n})` : `'row ' || g`;
    case 'bool':
      return 'g % 2 = 0';
    case 'date':
      return `date '2020-01-01' + (g % 2192)`;
    case 'timestamp':
    case 'timestamptz':
      // Spread evenly over 2020-01-01 … 2026-01-01 ($1 is the row count), so a query for any day of
      // those years finds rows: plans of date-range queries on seeded data look like production's.
      return `timestamp '2020-01-01' + (g * (189302400.0 / $1::int)) * interval '1 second'`;
    case 'time':
    case 'timetz':
      return `time '00:00' + (g % 86400) * interval '1 second'`;
    case 'interval':
      return `g * interval '1 second'`;
    case 'uuid':
      return 'gen_random_uuid()';
    case 'json':
    case 'jsonb':
      return `json_build_object('n', g)::${column.typeName}`;
    case 'bytea':
      return `int8send(g)`;
    case 'inet':
    case 'cidr':
      return `('10.0.0.0'::inet + g)::${column.typeName}`;
    default: {
      const type = quoteQualified(column.typeSchema, column.typeName);
      // Enums cycle through their labels; other types (domains, extensions) get NULL where allowed.
      if (enums.has(`${column.typeSchema}.${column.typeName}`)) return `(enum_range(null::${type}))[1 + g % array_length(enum_range(null::${type}), 1)]`;
      return column.notNull ? undefined : 'NULL';
    }
  }
}

/**
 * String literals a single-column CHECK lists for the column (`status IN ('new', 'paid')`), read from
 * the constraint's parse tree: generated values must pass the CHECK.
 */
function allowedValues(column: Column, table: Table): string[] {
  for (const c of table.constraints) {
    if (c.type !== 'check' || c.columns.length !== 1 || c.columns[0] !== column.name) continue;
    const expr = c.definition.replace(/^CHECK\s*/i, '').replace(/\s*NOT VALID$/i, '');
    try {
      const values = stringConstants(parseSync(`select ${expr}`).stmts?.[0]?.stmt);
      if (values.length) return values;
    } catch {
      // an expression the parser cannot read alone: fall back to generated values
    }
  }
  return [];
}

function stringConstants(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => stringConstants(n, out));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, any>;
    if (o.A_Const?.sval?.sval !== undefined) out.push(o.A_Const.sval.sval);
    else for (const v of Object.values(o)) stringConstants(v, out);
  }
  return out;
}

const parentAlias = (constraint: string) => quoteIdent(`fk_${constraint}`);

/** One cross-joined row per single-column foreign key: the parent's keys as an array. */
function parentKeys(table: Table): string[] {
  return table.constraints
    .filter((c) => c.type === 'foreign key' && c.columns.length === 1 && c.references)
    .map((c) => `(select array_agg(${quoteIdent(c.references!.columns[0])}) as k from ${quoteQualified(c.references!.schema, c.references!.table)}) ${parentAlias(c.name)}`);
}

export class SeedError extends Error {}

/** Insert `rows` rows into `table` and ANALYZE it. Throws SeedError with PostgreSQL's reason on failure. */
export async function seedTable(engine: Queryable, table: Table, rows: number, enums: Set<string> = new Set()): Promise<void> {
  const columns = table.columns.map((c) => ({ c, value: valueFor(c, table, enums) })).filter((x): x is { c: Column; value: string } => x.value !== undefined);
  const target = quoteQualified(table.schema, table.name);
  const values = columns.map(({ value }) => value);
  const sql = columns.length
    ? `insert into ${target} (${columns.map(({ c }) => quoteIdent(c.name)).join(', ')}) select ${values.join(', ')} from ${['generate_series(1, $1::int) g', ...parentKeys(table)].join(', ')}`
    : `insert into ${target} select from generate_series(1, $1::int) g`;
  try {
    await engine.query(sql, [rows]);
    await engine.exec(`analyze ${target}`);
  } catch (error) {
    throw new SeedError(`could not seed ${table.schema}.${table.name} with ${rows} rows: ${(error as Error).message}`);
  }
}

/**
 * Seed `rows` (table name, optionally schema-qualified → count) in dependency order, parents first, so
 * foreign keys find keys to point at. Returns what was seeded by qualified name. `where` ends the
 * message about a table that does not exist (e.g. " before the traced migration").
 */
/**
 * Parents before children, so foreign keys find keys to point at: a topological order (a pairwise sort
 * comparator cannot give one, since tables that do not refer to each other compare equal). Tables in
 * a cycle keep the order given.
 */
export function parentsFirst<T extends { table: Table }>(targets: T[]): T[] {
  const refersTo = (a: T, b: T) => a !== b && a.table.constraints.some((c) => c.references && c.references.schema === b.table.schema && c.references.table === b.table.name);
  const out: T[] = [];
  const left = [...targets];
  while (left.length) {
    const i = left.findIndex((a) => !left.some((b) => refersTo(a, b)));
    out.push(...left.splice(i < 0 ? 0 : i, 1));
  }
  return out;
}

export async function seedTables(engine: Queryable, rows: Record<string, number>, where = ''): Promise<Record<string, number>> {
  if (Object.keys(rows).length === 0) return {};
  const catalog = await introspect(engine);
  const enums = new Set(catalog.enums.map((e) => `${e.schema}.${e.name}`));
  const targets = Object.entries(rows).map(([name, n]) => {
    const table = catalog.tables.find((t) => `${t.schema}.${t.name}` === name) ?? catalog.tables.find((t) => t.name === name);
    if (!table) throw new InputError(`--rows ${name}=${n}: no such table${where}`);
    return { table, n };
  });
  const seeded: Record<string, number> = {};
  for (const { table, n } of parentsFirst(targets)) {
    try {
      await seedTable(engine, table, n, enums);
    } catch (error) {
      const parents = table.constraints.filter((c) => c.references).map((c) => c.references!.table);
      throw new InputError(`${(error as Error).message}${parents.length ? ` (seed the referenced tables too, e.g. --rows ${parents[0]}=N)` : ''}`);
    }
    seeded[`${table.schema}.${table.name}`] = n;
  }
  return seeded;
}
