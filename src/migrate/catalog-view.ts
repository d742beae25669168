// The catalog as it stands between two migration statements, read incrementally: a table is read
// only when a rule asks for it, cached, and dropped from the cache when a statement touches it.
// Never a full catalog read per statement.
import { COLUMN_READER_FUNCTION, columnFromJson, TABLE_PART_READER_FUNCTION, TABLE_READER_FUNCTION, tableFromJson } from '../catalog/introspect.js';
import type { Column, Table } from '../catalog/types.js';
import type { Queryable } from '../engine/types.js';
import type { CatalogView, TableRef } from '../rules/types.js';

type RangeVar = { schemaname?: string; relname: string };

/** A table's name resolved as a statement would (search_path, quoting), or null: session-local, its plan kept. */
const TABLE_REF_FUNCTION = `
create or replace function pg_temp.pgarch_table_ref(schema_name text, table_name text) returns json language plpgsql stable set plan_cache_mode = force_generic_plan as $fn$
declare result json;
begin
  select json_build_object('schema', n.nspname, 'name', c.relname,
                           'kind', case c.relkind when 'p' then 'partitioned table' when 'f' then 'foreign table' else 'table' end) into result
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where c.relkind in ('r', 'p', 'f')
     and c.oid = (case when schema_name is null then to_regclass(format('%I', table_name))
                       else to_regclass(format('%I.%I', schema_name, table_name)) end);
  return result;
end $fn$`;
const keyOf = (rv: RangeVar) => `${rv.schemaname ?? ''}.${rv.relname}`;

export interface RowSources {
  /** --assume-rows, by `schema.table` or `table`. */
  assumeRows: Record<string, number>;
  /** reltuples read from a live database (--stats-from), by `schema.table`. */
  liveRows?: Record<string, number>;
}

/** Tables created by not-yet-deployed migrations, tracked by name from the parse tree (no catalog read). */
class CreatedTables {
  private readonly keys = new Set<string>();
  /** How many keys end in each relname: `has` without a schema answers from here, not a scan of keys. */
  private readonly names = new Map<string, number>();
  /** Keys whose schema or relname holds a dot: only then can a suffix match differ from a relname match. */
  private dotted = 0;
  /** How to undo each change since the last checkpoint (a batch of statements may be rolled back). */
  readonly undo: Array<() => void> = [];

  private insert(schema: string, relname: string): void {
    const key = `${schema}.${relname}`;
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.names.set(relname, (this.names.get(relname) ?? 0) + 1);
    if (schema.includes('.') || relname.includes('.')) this.dotted++;
  }

  private remove(schema: string, relname: string): boolean {
    if (!this.keys.delete(`${schema}.${relname}`)) return false;
    const n = this.names.get(relname)! - 1;
    if (n) this.names.set(relname, n);
    else this.names.delete(relname);
    if (schema.includes('.') || relname.includes('.')) this.dotted--;
    return true;
  }

  add(rv: RangeVar): void {
    const schema = rv.schemaname ?? '*';
    if (this.keys.has(`${schema}.${rv.relname}`)) return;
    this.insert(schema, rv.relname);
    this.undo.push(() => this.remove(schema, rv.relname));
  }

  rename(rv: RangeVar, to: string): void {
    for (const schema of [rv.schemaname ?? '*', '*']) {
      const from = rv.relname;
      if (!this.remove(schema, from)) continue;
      const had = this.keys.has(`${schema}.${to}`);
      this.insert(schema, to);
      this.undo.push(() => {
        if (!had) this.remove(schema, to);
        this.insert(schema, from);
      });
    }
  }

  /** Whether a table (resolved, or as a statement names it) was created in this deployment. */
  has(schema: string | undefined, name: string): boolean {
    if (this.keys.has(`*.${name}`)) return true;
    if (schema) return this.keys.has(`${schema}.${name}`);
    // A key `schema.name` ends with `.name`; with no dotted schema or relname, no other key does.
    if (this.names.has(name)) return true;
    if (!this.dotted) return false;
    for (const key of this.keys) if (key.endsWith(`.${name}`)) return true;
    return false;
  }

  clear(): void {
    this.keys.clear();
    this.names.clear();
    this.dotted = 0;
    this.undo.length = 0;
  }
}

/** What both views share: which tables are new in this deployment (from the parse tree), and sizes. */
abstract class DeploymentView {
  protected readonly created = new CreatedTables();

  constructor(protected readonly rowSources: RowSources) {}

  isNew(table: TableRef): boolean {
    return this.created.has(table.schema, table.name);
  }

  isNewName(rv: RangeVar): boolean {
    return this.created.has(rv.schemaname, rv.relname);
  }

  rows(table: TableRef): number | undefined {
    return rowsFor(table, this.rowSources);
  }

  /** CREATE TABLE (or CREATE TABLE AS / SELECT INTO) ran: the table is new until the next deployment. */
  markCreated(rv: RangeVar): void {
    this.created.add(rv);
  }

  renamed(rv: RangeVar, to: string): void {
    this.created.rename(rv, to);
  }

  /** A new deployment starts: what earlier migrations created now exists in production. */
  deploy(): void {
    this.created.clear();
  }

  /** Forget how to undo earlier changes: nothing before this point will be rolled back. */
  checkpoint(): void {
    this.created.undo.length = 0;
  }

  /** A point to roll back to (see rollback). */
  mark(): number {
    return this.created.undo.length;
  }

  /** Statements since the mark were rolled back: so are the tables they created or renamed. */
  rollback(mark: number): void {
    while (this.created.undo.length > mark) this.created.undo.pop()!();
  }
}

export class EngineCatalogView extends DeploymentView implements CatalogView {
  readonly detailed = true;
  private readonly cache = new Map<string, Table | null>();
  private readonly refs = new Map<string, TableRef | null>();
  /** Called before every catalog read (the migration runner sends statements it has batched). */
  beforeQuery?: () => Promise<void>;
  private readonly engine: Queryable;
  private prepared?: Promise<void>;

  constructor(
    private readonly raw: Queryable,
    rowSources: RowSources,
  ) {
    super(rowSources);
    const engine = raw;
    this.engine = {
      query: async <Row>(sql: string, params?: unknown[]) => {
        await this.beforeQuery?.();
        return engine.query<Row>(sql, params);
      },
      exec: async (sql: string) => {
        await this.beforeQuery?.();
        return engine.exec(sql);
      },
    };
  }

  async ref(rv: RangeVar): Promise<TableRef | undefined> {
    const key = keyOf(rv);
    if (!this.refs.has(key)) {
      const cached = this.cache.get(key);
      this.refs.set(key, cached ? { schema: cached.schema, name: cached.name, kind: cached.kind } : cached === null ? null : await this.resolve(rv));
    }
    // Unknown to the catalog: the migrations given do not create it, so production must have it already.
    return this.refs.get(key) ?? { schema: rv.schemaname ?? 'public', name: rv.relname, kind: 'table', assumed: true };
  }

  private async resolve(rv: RangeVar): Promise<TableRef | null> {
    await this.prepare();
    const { rows } = await this.engine.query<{ r: TableRef | null }>('select pg_temp.pgarch_table_ref($1::text, $2::text) as r', [rv.schemaname ?? null, rv.relname]);
    return rows[0]?.r ?? null;
  }

  /**
   * Names may now resolve differently: a table was created, dropped or renamed (these names, in any
   * schema), or search_path changed (no names: all of them).
   */
  forgetNames(names?: string[]): void {
    if (!names) {
      this.refs.clear();
      return;
    }
    for (const name of names) for (const key of this.refs.keys()) if (key.endsWith(`.${name}`)) this.refs.delete(key);
  }

  async table(rv: RangeVar): Promise<Table | undefined> {
    const key = keyOf(rv);
    if (!this.cache.has(key)) this.cache.set(key, (await this.read(rv)) ?? null);
    return this.cache.get(key) ?? undefined;
  }

  /**
   * Create the session-local reader functions. The runner does it before any migration runs: created
   * inside a migration's transaction, a ROLLBACK would take them (and pg_temp) away again.
   */
  prepare(): Promise<void> {
    return (this.prepared ??= this.raw.exec([TABLE_READER_FUNCTION, COLUMN_READER_FUNCTION, TABLE_PART_READER_FUNCTION, TABLE_REF_FUNCTION].join(';\n')));
  }
  private readonly columns = new Map<string, Column | null>();

  async column(rv: RangeVar, name: string): Promise<Column | undefined> {
    const cached = this.cache.get(keyOf(rv));
    if (cached !== undefined) return cached?.columns.find((c) => c.name === name);
    const key = `${keyOf(rv)}#${name}`;
    if (!this.columns.has(key)) {
      await this.prepare();
      const { rows } = await this.engine.query<{ c: Record<string, unknown> | null }>('select pg_temp.pgarch_column_json($1::text, $2::text, $3::text) as c', [
        rv.schemaname ?? null,
        rv.relname,
        name,
      ]);
      this.columns.set(key, columnFromJson(rows[0]?.c) ?? null);
    }
    return this.columns.get(key) ?? undefined;
  }

  private async read(rv: RangeVar): Promise<Table | undefined> {
    await this.prepare();
    const { rows } = await this.engine.query<{ t: Record<string, unknown> | null }>('select pg_temp.pgarch_table_json($1::text, $2::text) as t', [
      rv.schemaname ?? null,
      rv.relname,
    ]);
    return tableFromJson(rows[0]?.t);
  }

  async tablePart(rv: RangeVar, part: { columns: string[]; indexes?: boolean }): Promise<Table | undefined> {
    // The whole table, when already read, holds every part.
    const cached = this.cache.get(keyOf(rv));
    if (cached !== undefined) return cached ?? undefined;
    await this.prepare();
    const { rows } = await this.engine.query<{ t: Record<string, unknown> | null }>('select pg_temp.pgarch_table_part_json($1::text, $2::text, $3::text[], $4::boolean) as t', [
      rv.schemaname ?? null,
      rv.relname,
      part.columns,
      Boolean(part.indexes),
    ]);
    return tableFromJson(rows[0]?.t);
  }

  async indexTable(name: RangeVar): Promise<Table | undefined> {
    const parts = name.schemaname ? [name.schemaname, name.relname] : [name.relname];
    const { rows } = await this.engine.query<{ schema: string; name: string }>(
      `select n.nspname as schema, c.relname as name from pg_index i join pg_class c on c.oid = i.indrelid
         join pg_namespace n on n.oid = c.relnamespace
        where i.indexrelid = to_regclass(${parts.length === 2 ? `format('%I.%I', $1::text, $2::text)` : `format('%I', $1::text)`})`,
      parts,
    );
    return rows[0] ? this.table({ schemaname: rows[0].schema, relname: rows[0].name }) : undefined;
  }

  /** A statement changed these relations (by name as written) — or, with no names, possibly anything. */
  invalidate(names?: RangeVar[]): void {
    if (!names) {
      this.cache.clear();
      this.columns.clear();
      return;
    }
    for (const rv of names) {
      // Unqualified and qualified spellings may both be cached for the same table.
      for (const key of [...this.cache.keys()]) if (key.endsWith(`.${rv.relname}`)) this.cache.delete(key);
      for (const key of [...this.columns.keys()]) if (key.split('#')[0].endsWith(`.${rv.relname}`)) this.columns.delete(key);
    }
  }
}

/**
 * Parse-only mode (--no-execute): nothing runs, so a table is "existing" unless this migration
 * created it, and carries no columns, constraints or indexes. Rules that need details stay quiet or
 * fall back to what the statement itself says.
 */
export class ParseOnlyCatalogView extends DeploymentView implements CatalogView {
  readonly detailed = false;
  private nextOid = 1;
  private readonly oids = new Map<string, number>();

  async table(rv: RangeVar): Promise<Table | undefined> {
    return this.stub(rv);
  }

  async ref(rv: RangeVar): Promise<TableRef | undefined> {
    return { schema: rv.schemaname ?? 'public', name: rv.relname, kind: 'table' };
  }

  async column(): Promise<Column | undefined> {
    return undefined; // no catalog: column types are unknown
  }

  async tablePart(rv: RangeVar): Promise<Table | undefined> {
    return this.stub(rv);
  }

  forgetNames(): void {
    // names are not resolved without a catalog
  }

  async indexTable(): Promise<Table | undefined> {
    // Without a catalog the index's table is unknown: assume an existing table, as text linters do.
    return this.stub({ relname: '(table of index)' });
  }

  // Without a catalog a stub's schema is only a guess: match new tables by name alone.
  override isNew(table: TableRef): boolean {
    return this.created.has(undefined, table.name);
  }

  invalidate(): void {
    // nothing is cached: stub tables carry no details
  }

  private stub(rv: RangeVar): Table {
    let oid = this.oids.get(rv.relname);
    if (oid === undefined) this.oids.set(rv.relname, (oid = this.nextOid++));
    return {
      oid,
      schema: rv.schemaname ?? 'public',
      name: rv.relname,
      kind: 'table',
      reltuples: -1,
      relpages: 0,
      relfilenode: 0,
      rlsEnabled: false,
      rlsForced: false,
      columns: [],
      constraints: [],
      indexes: [],
      triggers: [],
      policies: [],
    };
  }
}

function rowsFor(table: TableRef, sources: RowSources): number | undefined {
  const qualified = `${table.schema}.${table.name}`;
  const assumed = sources.assumeRows[qualified] ?? sources.assumeRows[table.name];
  if (assumed !== undefined) return assumed;
  // Only real sizes count: the scratch database's own statistics say nothing about production.
  return sources.liveRows?.[qualified] ?? sources.liveRows?.[`public.${table.name}`];
}
