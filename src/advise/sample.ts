// A sample of a live database in another engine: the shape of some tables (columns, NOT NULL, primary
// key and unique constraints, indexes) and a random sample of their rows, so the index advisor can build
// real indexes and EXPLAIN on them where the server has no HypoPG. The source is only read, in READ ONLY
// transactions; nothing is ever written to it.
//
// The target's planner sees the sample's row counts, not the source's: plain PostgreSQL cannot be told
// that a table holds more rows than it does (reltuples is recomputed from the heap at every ANALYZE and
// every plan scales it by the relation's current size). Each table's `fraction` is returned so the caller
// can scale costs and row estimates back up.
import type { Catalog, Column, Table } from '../catalog/types.js';
import { isFatalEngineError, toEngineError, type Engine, type Queryable } from '../engine/types.js';
import { openEngine } from '../engine/index.js';
import { InputError } from '../lint/files.js';
import { loadParser } from '../sql/parse.js';
import { quoteIdent, quoteLiteral, quoteQualified } from '../sql/quote.js';

export interface SampleOptions {
  /** Most rows copied per table (default 100_000); tables at or under it are copied whole. */
  maxRows?: number;
  progress?: (table: string, copied: number) => void;
}

export interface SampledTable {
  schema: string;
  name: string;
  /** The source's row count: its planner estimate (reltuples), or count(*) when it has none. */
  sourceRows: number;
  copiedRows: number;
  /** Share of the source's rows sampled, min(1, maxRows / sourceRows): the target's counts scale by 1 / fraction. */
  fraction: number;
}

const DEFAULT_MAX_ROWS = 100_000;
/** Rows per round trip: one FETCH on the source, one INSERT on the target. */
const BATCH_ROWS = 1000;
const CURSOR = 'pgarch_sample';

/** A table as created in the target: what the INSERT names, and whether it must override identity. */
interface CreatedTable {
  table: Table;
  qualified: string;
  /** Columns the INSERT fills: all but those the target generates itself. */
  insertColumns: string[];
  overridesIdentity: boolean;
}

/**
 * Recreate `tables` (qualified names 'schema.name') of `source`'s catalog in `target` and copy a sample of rows into them.
 *
 * No foreign keys, check constraints, triggers, policies or column defaults are created: the sample loads
 * in any order and holds rows whose parents may not have been sampled. A column type the target lacks
 * (a domain, a type of an extension the target has not got) becomes the domain's base type, else `text`;
 * an index whose definition fails on the target (an operator class of a missing extension) is skipped.
 * Tables are created as plain tables (a partitioned table becomes one table holding every partition's rows).
 * The target's search_path is the source's while the DDL runs (printed type and operator class names are
 * relative to it) and is restored afterwards.
 */
export async function copySample(source: Engine, sourceCatalog: Catalog, target: Engine, tables: string[], options: SampleOptions = {}): Promise<SampledTable[]> {
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  if (!Number.isInteger(maxRows) || maxRows < 0) throw new RangeError(`copySample: maxRows must be a whole number >= 0, not ${maxRows}`);
  await loadParser(); // quoteIdent asks the parser's scanner about keywords
  const selected = resolveTables(sourceCatalog, tables);
  for (const table of selected) {
    const exists = await target.query<{ oid: unknown }>('select to_regclass($1) as oid', [quoteQualified(table.schema, table.name)]);
    if (exists.rows[0]?.oid != null) throw new InputError(`copySample: the target already has a table ${table.schema}.${table.name}`);
  }

  const searchPath = async (engine: Queryable) => (await engine.query<{ path: string }>(`select current_setting('search_path') as path`)).rows[0].path;
  const targetPath = await searchPath(target);
  await target.query(`select set_config('search_path', $1, false)`, [await searchPath(source)]);
  try {
    await createExtensions(target, sourceCatalog);
    const schemas = new Set(selected.map((t) => t.schema));
    const enums = usedEnums(sourceCatalog, selected);
    for (const e of enums) schemas.add(e.schema);
    for (const schema of schemas) await target.exec(`create schema if not exists ${quoteIdent(schema)}`);
    for (const e of enums) {
      const type = quoteQualified(e.schema, e.name);
      if (await typeExists(target, type)) continue;
      // DDL takes no parameters: the labels are catalog text, quoted as literals.
      await target.exec(`create type ${type} as enum (${e.values.map(quoteLiteral).join(', ')})`);
    }

    const types = new TypeResolver(source, target);
    const created: CreatedTable[] = [];
    for (const table of selected) created.push(await createTable(target, table, types));

    const sampled: SampledTable[] = [];
    for (const c of created) {
      const { sourceRows, copiedRows, fraction } = await copyRows(source, target, c, maxRows, options.progress);
      await addConstraintsAndIndexes(target, c);
      await target.exec(`analyze ${c.qualified}`);
      sampled.push({ schema: c.table.schema, name: c.table.name, sourceRows, copiedRows, fraction });
    }
    return sampled;
  } finally {
    await target.query(`select set_config('search_path', $1, false)`, [targetPath]).catch(() => {});
  }
}

function resolveTables(catalog: Catalog, names: string[]): Table[] {
  const byName = new Map(catalog.tables.map((t) => [`${t.schema}.${t.name}`, t]));
  return [...new Set(names)].map((name) => {
    const table = byName.get(name);
    if (!table) throw new InputError(`copySample: no table ${name} in the source catalog (tables are named 'schema.name')`);
    return table;
  });
}

function usedEnums(catalog: Catalog, tables: Table[]): Catalog['enums'] {
  const used = new Set(tables.flatMap((t) => t.columns.map((c) => `${c.typeSchema}.${c.typeName}`)));
  return catalog.enums.filter((e) => used.has(`${e.schema}.${e.name}`));
}

/** The source's extensions, in their schemas, where the target has them; the others are left out. */
async function createExtensions(target: Engine, catalog: Catalog): Promise<void> {
  for (const ext of catalog.extensions) {
    await attempt(target, `create schema if not exists ${quoteIdent(ext.schema)}`);
    await attempt(target, `create extension if not exists ${quoteIdent(ext.name)} with schema ${quoteIdent(ext.schema)}`);
  }
}

/** Run DDL that may fail on the target (a missing extension, operator class or type): whether it ran. */
async function attempt(target: Engine, sql: string): Promise<boolean> {
  try {
    await target.exec(sql);
    return true;
  } catch (error) {
    if (isFatalEngineError(error)) throw error;
    return false;
  }
}

async function typeExists(engine: Queryable, type: string): Promise<boolean> {
  try {
    const { rows } = await engine.query<{ ok: boolean }>('select to_regtype($1) is not null as ok', [type]);
    return rows[0]?.ok === true;
  } catch (error) {
    // Before PG 16 to_regtype raises on a name it cannot parse: the target has no such type either way.
    if (isFatalEngineError(error)) throw error;
    return false;
  }
}

/**
 * The type a column gets in the target: its own where the target has it, else a domain's base type
 * (looked up on the source, domain by domain), else `text`, which accepts any type's text form.
 */
class TypeResolver {
  private readonly known = new Map<string, boolean>();

  constructor(
    private readonly source: Engine,
    private readonly target: Engine,
  ) {}

  async typeFor(column: Column): Promise<string> {
    if (await this.exists(column.type)) return column.type;
    const array = column.isArray ? '[]' : '';
    let schema = column.typeSchema;
    let name = column.typeName;
    for (let depth = 0; depth < 10; depth++) {
      const { rows } = await this.source.query<{ kind: string; base: string | null; base_schema: string | null; base_name: string | null }>(
        `select t.typtype::text as kind, format_type(t.typbasetype, t.typtypmod) as base, bn.nspname as base_schema, b.typname as base_name
         from pg_type t join pg_namespace n on n.oid = t.typnamespace
         left join pg_type b on b.oid = t.typbasetype left join pg_namespace bn on bn.oid = b.typnamespace
         where n.nspname = $1 and t.typname = $2`,
        [schema, name],
      );
      const info = rows[0];
      if (info?.kind !== 'd' || !info.base || !info.base_schema || !info.base_name) break;
      const base = `${info.base}${array}`;
      if (await this.exists(base)) return base;
      schema = info.base_schema;
      name = info.base_name;
    }
    return `text${array}`;
  }

  private async exists(type: string): Promise<boolean> {
    let ok = this.known.get(type);
    if (ok === undefined) this.known.set(type, (ok = await typeExists(this.target, type)));
    return ok;
  }
}

/**
 * CREATE TABLE with the columns, their NOT NULL, identity and generation. Where the target cannot build
 * a generation expression (it calls a function the target lacks), generated columns become plain ones,
 * then identity columns too, which then take the source's values.
 */
async function createTable(target: Engine, table: Table, types: TypeResolver): Promise<CreatedTable> {
  const qualified = quoteQualified(table.schema, table.name);
  const columns: Array<{ column: Column; type: string }> = [];
  for (const column of table.columns) columns.push({ column, type: await types.typeFor(column) });
  const ddl = (keep: { generated: boolean; identity: boolean }) =>
    `create table ${qualified} (${columns
      .map(({ column, type }) => {
        let sql = `${quoteIdent(column.name)} ${type}`;
        if (column.notNull) sql += ' not null';
        if (keep.identity && column.identity) sql += ` generated ${column.identity} as identity`;
        if (keep.generated && column.generated && column.default) sql += ` generated always as (${column.default}) ${column.generated}`;
        return sql;
      })
      .join(', ')})`;
  // Each try keeps less: generation and identity, identity alone, neither. The last one must work.
  const generates = table.columns.some((c) => c.generated);
  const identifies = table.columns.some((c) => c.identity);
  const tries = [{ generated: generates, identity: identifies }];
  if (generates) tries.push({ generated: false, identity: identifies });
  if (identifies) tries.push({ generated: false, identity: false });
  let kept = tries[tries.length - 1];
  for (const keep of tries) {
    if (keep === kept) await createOrExplain(target, table, ddl(keep));
    else if (!(await attempt(target, ddl(keep)))) continue;
    kept = keep;
    break;
  }
  return {
    table,
    qualified,
    insertColumns: table.columns.filter((c) => !(kept.generated && c.generated)).map((c) => c.name),
    overridesIdentity: kept.identity && table.columns.some((c) => c.identity),
  };
}

async function createOrExplain(target: Engine, table: Table, sql: string): Promise<void> {
  try {
    await target.exec(sql);
  } catch (error) {
    if (isFatalEngineError(error)) throw error;
    throw new InputError(`copySample: cannot create ${table.schema}.${table.name} in the target: ${toEngineError(error).message}`);
  }
}

/**
 * Read the sample on the source in a READ ONLY transaction, through a cursor, as each row's text
 * form (`row::text`, the inverse of the target's record input, exact for every type), and insert it in
 * batches: the rows travel as one JSON array of strings, a bound parameter.
 */
async function copyRows(source: Engine, target: Engine, created: CreatedTable, maxRows: number, progress: SampleOptions['progress']): Promise<Omit<SampledTable, 'schema' | 'name'>> {
  const { table, qualified } = created;
  const label = `${table.schema}.${table.name}`;
  const insert =
    `insert into ${qualified} (${created.insertColumns.map(quoteIdent).join(', ')})${created.overridesIdentity ? ' overriding system value' : ''} ` +
    `select ${created.insertColumns.map((c) => `(x.r).${quoteIdent(c)}`).join(', ')} ` +
    // OFFSET 0 keeps the subquery whole, so each row's text is parsed once, not once per column.
    `from (select e.row_text::${qualified} as r from json_array_elements_text($1::json) as e(row_text) offset 0) x`;
  return source.transaction(async (tx) => {
    await tx.exec('set transaction read only');
    const sourceRows =
      table.reltuples > 0 ? Math.round(table.reltuples) : Number((await tx.query<{ n: number }>(`select count(*)::float8 as n from ${qualified}`)).rows[0].n);
    const fraction = sourceRows <= maxRows ? 1 : maxRows / sourceRows;
    let copiedRows = 0;
    if (maxRows > 0 && sourceRows > 0) {
      // A foreign table cannot be TABLESAMPLEd (postgres_fdw has no sampling support): a filter samples it.
      const sample = fraction >= 1 ? '' : table.kind === 'foreign table' ? ' where random() < $2::float8' : ' tablesample bernoulli ($2::real)';
      // The LIMIT holds the copy to maxRows when reltuples is behind the table's growth.
      await tx.query(
        `declare ${CURSOR} no scroll cursor for select s::text as row_text from ${qualified} s${sample} limit $1::int8`,
        fraction >= 1 ? [maxRows] : [maxRows, table.kind === 'foreign table' ? fraction : fraction * 100],
      );
      for (;;) {
        const { rows } = await tx.query<{ row_text: string }>(`fetch forward ${BATCH_ROWS} from ${CURSOR}`);
        if (rows.length === 0) break;
        await target.query(insert, [JSON.stringify(rows.map((r) => r.row_text))]);
        copiedRows += rows.length;
        progress?.(label, copiedRows);
        if (rows.length < BATCH_ROWS) break;
      }
      await tx.exec(`close ${CURSOR}`);
    }
    if (copiedRows === 0) progress?.(label, 0);
    return { sourceRows, copiedRows, fraction };
  });
}

/**
 * After the load (an index built once is faster than one maintained row by row): primary key and unique
 * constraints, each falling back to its index's definition, then the table's other valid indexes. Any that
 * fails on the target is skipped.
 */
async function addConstraintsAndIndexes(target: Engine, { table, qualified }: CreatedTable): Promise<void> {
  const keys = table.constraints.filter((c) => c.type === 'primary key' || c.type === 'unique');
  const indexOf = (name: string | undefined) => table.indexes.find((i) => i.name === name);
  for (const c of keys) {
    if (await attempt(target, `alter table ${qualified} add constraint ${quoteIdent(c.name)} ${c.definition}`)) continue;
    const index = indexOf(c.index);
    if (index) await attempt(target, index.definition);
  }
  const backing = new Set(keys.map((c) => c.index).filter((name): name is string => name !== undefined));
  // An invalid index (a failed CREATE INDEX CONCURRENTLY) is never used by the source's planner either.
  for (const index of table.indexes) if (index.valid && !backing.has(index.name)) await attempt(target, index.definition);
}

/** Extensions the embedded copy loads, so that trigram, citext and btree_gin candidates can be built there. */
const COPY_EXTENSIONS = ['pg_trgm', 'citext', 'btree_gin'];

/**
 * A new embedded PGlite holding a sample of `tables`, vacuumed and analyzed as production's autovacuum
 * would leave them (index-only scans are costed from the visibility map). Closed again if copying fails.
 */
export async function sampleIntoPglite(source: Engine, sourceCatalog: Catalog, tables: string[], options: SampleOptions = {}): Promise<{ engine: Engine; sampled: SampledTable[] }> {
  const engine = await openEngine({ extensions: COPY_EXTENSIONS });
  try {
    const sampled = await copySample(source, sourceCatalog, engine, tables, options);
    await engine.exec('VACUUM ANALYZE');
    return { engine, sampled };
  } catch (error) {
    await engine.close().catch(() => {});
    throw error;
  }
}
