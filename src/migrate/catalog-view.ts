// The catalog as it stands between two migration statements, read incrementally: a table is read
// only when a rule asks for it, cached, and dropped from the cache when a statement touches it.
// Never a full catalog read per statement.
import { readTables } from '../catalog/introspect.js';
import type { Table } from '../catalog/types.js';
import type { Queryable } from '../engine/types.js';
import type { CatalogView } from '../rules/types.js';

type RangeVar = { schemaname?: string; relname: string };
const keyOf = (rv: RangeVar) => `${rv.schemaname ?? ''}.${rv.relname}`;

export interface RowSources {
  /** --assume-rows, by `schema.table` or `table`. */
  assumeRows: Record<string, number>;
  /** reltuples read from a live database (--stats-from), by `schema.table`. */
  liveRows?: Record<string, number>;
}

export class EngineCatalogView implements CatalogView {
  readonly detailed = true;
  private readonly cache = new Map<string, Table | null>();
  /** Tables created by not-yet-deployed migrations, by oid (survives renames). */
  private readonly newOids = new Set<number>();

  constructor(
    private readonly engine: Queryable,
    private readonly rowSources: RowSources,
  ) {}

  async table(rv: RangeVar): Promise<Table | undefined> {
    const key = keyOf(rv);
    if (!this.cache.has(key)) this.cache.set(key, (await this.read(rv)) ?? null);
    return this.cache.get(key) ?? undefined;
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

  isNew(table: Table): boolean {
    return this.newOids.has(table.oid);
  }

  rows(table: Table): number | undefined {
    return rowsFor(table, this.rowSources);
  }

  /** After CREATE TABLE (or CREATE TABLE AS / SELECT INTO) ran: remember the table as new. */
  async markNew(rv: RangeVar): Promise<void> {
    this.cache.delete(keyOf(rv));
    const table = await this.table(rv);
    if (table) this.newOids.add(table.oid);
  }

  /** A new deployment starts: what earlier migrations created now exists in production. */
  deploy(): void {
    this.newOids.clear();
  }

  /** A statement changed these relations (by name as written) — or, with no names, possibly anything. */
  invalidate(names?: RangeVar[]): void {
    if (!names) {
      this.cache.clear();
      return;
    }
    for (const rv of names) {
      // Unqualified and qualified spellings may both be cached for the same table.
      for (const key of [...this.cache.keys()]) if (key.endsWith(`.${rv.relname}`)) this.cache.delete(key);
    }
  }

  private async read(rv: RangeVar): Promise<Table | undefined> {
    // to_regclass resolves the name as the statement would (search_path, quoting), without erroring.
    const name = rv.schemaname ? [rv.schemaname, rv.relname] : [rv.relname];
    const { rows } = await this.engine.query<{ oid: number | null }>(
      name.length === 2 ? `select to_regclass(format('%I.%I', $1::text, $2::text))::oid::int8::float8 as oid` : `select to_regclass(format('%I', $1::text))::oid::int8::float8 as oid`,
      name,
    );
    const oid = rows[0]?.oid;
    if (oid === null || oid === undefined) return undefined;
    return (await readTables(this.engine, [oid]))[0];
  }
}

/**
 * Parse-only mode (--no-execute): nothing runs, so a table is "existing" unless this migration
 * created it, and carries no columns, constraints or indexes. Rules that need details stay quiet or
 * fall back to what the statement itself says.
 */
export class ParseOnlyCatalogView implements CatalogView {
  readonly detailed = false;
  private readonly created = new Set<string>();
  private nextOid = 1;
  private readonly oids = new Map<string, number>();

  constructor(private readonly rowSources: RowSources) {}

  async table(rv: RangeVar): Promise<Table | undefined> {
    return this.stub(rv);
  }

  async indexTable(): Promise<Table | undefined> {
    // Without a catalog the index's table is unknown: assume an existing table, as text linters do.
    return this.stub({ relname: '(table of index)' });
  }

  isNew(table: Table): boolean {
    return this.created.has(table.name);
  }

  rows(table: Table): number | undefined {
    return rowsFor(table, this.rowSources);
  }

  markCreated(rv: RangeVar): void {
    this.created.add(rv.relname);
  }

  renamed(from: string, to: string): void {
    if (this.created.delete(from)) this.created.add(to);
  }

  deploy(): void {
    this.created.clear();
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

function rowsFor(table: Table, sources: RowSources): number | undefined {
  const qualified = `${table.schema}.${table.name}`;
  const assumed = sources.assumeRows[qualified] ?? sources.assumeRows[table.name];
  if (assumed !== undefined) return assumed;
  const live = sources.liveRows?.[qualified];
  if (live !== undefined) return live;
  // reltuples is -1 (PG14+) or 0 with relpages 0 when the table was never analyzed: unknown.
  return table.reltuples > 0 ? table.reltuples : undefined;
}
