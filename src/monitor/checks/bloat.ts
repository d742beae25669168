// Bloat: how much larger a table or btree index is than its live rows need, estimated from the
// catalog alone, in the spirit of the well-known ioguix / PgHero estimates. A relation's size is its
// page count (pg_class.relpages, as of the last VACUUM or ANALYZE: reading it takes no lock); what its
// rows need is rebuilt from the row count (reltuples) and each column's average width and share of
// NULLs (pg_stats), laid out as PostgreSQL lays out tuples: header, null bitmap, each column at its
// alignment, line pointers, page header and fillfactor. Nothing is read from the relation itself.
//
// The estimate leans to saying less: it assumes a 64-bit server's 8-byte MAXALIGN (a 32-bit one packs
// tighter), a null bitmap on every row of a table that has NULLs, one high key per index leaf page, and
// it ignores btree deduplication (PG 13+), which makes indexes of repeated values smaller still.
import type { Finding } from '../../types.js';
import { size, type HealthCheck } from '../types.js';

/** One column as a tuple stores it: pg_type's typalign, typlen and typstorage, and pg_stats' avg_width and null_frac. */
export interface ColumnLayout {
  align: string;
  len: number;
  storage: string;
  /** null: no statistics for the column. */
  width: number | null;
  nullFrac: number | null;
}

const MAXALIGN = 8;
const PAGE_HEADER = 24;
const LINE_POINTER = 4;
const HEAP_TUPLE_HEADER = 23;
const INDEX_TUPLE_HEADER = 8;
/** IndexAttributeBitMapData: a bit per possible index column (INDEX_MAX_KEYS 32). */
const INDEX_NULL_BITMAP = 4;
const BTREE_SPECIAL = 16;
/** Internal btree pages are built 70% full (BTREE_NONLEAF_FILLFACTOR). */
const BTREE_NONLEAF_FILLFACTOR = 70;

const alignUp = (n: number, to: number) => Math.ceil(n / to) * to;

function alignment(c: ColumnLayout): number {
  // A varlena under 127 bytes is stored with a one-byte header and no alignment padding.
  if (c.len === -1 && c.storage !== 'p' && (c.width ?? 0) < 127) return 1;
  if (c.len === -2) return 1;
  return { c: 1, s: 2, i: 4, d: 8 }[c.align] ?? MAXALIGN;
}

/** The bytes the columns take in the average tuple, each padded to its alignment when present. */
export function dataBytes(columns: ColumnLayout[]): number {
  let offset = 0;
  for (const c of columns) {
    const present = 1 - (c.nullFrac ?? 0);
    offset += present * (alignUp(offset, alignment(c)) - offset + (c.width ?? 0));
  }
  return offset;
}

/**
 * Heap pages the rows need: `attributes` counts every column the null bitmap covers (dropped ones
 * too), `fillfactor` is the table's (100 unless set).
 */
export function heapPagesNeeded(rows: number, columns: ColumnLayout[], attributes: number, fillfactor: number, blockSize: number): number {
  if (rows <= 0) return 0;
  const bitmap = columns.some((c) => (c.nullFrac ?? 0) > 0) ? Math.ceil(attributes / 8) : 0;
  const tuple = alignUp(alignUp(HEAP_TUPLE_HEADER + bitmap, MAXALIGN) + dataBytes(columns), MAXALIGN) + LINE_POINTER;
  // Inserts go to a page while more than (100 - fillfactor)% of it would stay free.
  const room = blockSize - PAGE_HEADER - (blockSize * (100 - fillfactor)) / 100;
  const maxPerPage = Math.floor((blockSize - PAGE_HEADER) / (alignUp(HEAP_TUPLE_HEADER, MAXALIGN) + LINE_POINTER));
  const perPage = Math.max(1, Math.min(maxPerPage, Math.floor(room / tuple)));
  return Math.ceil(rows / perPage);
}

/** Btree pages the entries need: leaves at `fillfactor` (90 unless set), the levels above 70% full, and the metapage. */
export function btreePagesNeeded(entries: number, columns: ColumnLayout[], fillfactor: number, blockSize: number): number {
  if (entries <= 0) return 1;
  const header = alignUp(INDEX_TUPLE_HEADER + (columns.some((c) => (c.nullFrac ?? 0) > 0) ? INDEX_NULL_BITMAP : 0), MAXALIGN);
  const tuple = alignUp(header + dataBytes(columns), MAXALIGN) + LINE_POINTER;
  const usable = blockSize - PAGE_HEADER - BTREE_SPECIAL;
  // Each leaf but the rightmost also holds a high key.
  const perLeaf = Math.max(1, Math.floor((usable - (blockSize * (100 - fillfactor)) / 100) / tuple) - 1);
  const perInternal = Math.max(2, Math.floor((usable - (blockSize * (100 - BTREE_NONLEAF_FILLFACTOR)) / 100) / tuple));
  let level = Math.ceil(entries / perLeaf);
  let pages = level;
  while (level > 1) {
    level = Math.ceil(level / perInternal);
    pages += level;
  }
  return pages + 1;
}

interface RelationRow {
  schema: string;
  name: string;
  table: string;
  pages: number;
  tuples: number;
  fillfactor: number;
  blockSize: number;
  attributes: number;
  columns: Array<ColumnLayout & { readable: boolean }>;
  fix: string;
}

/** What a relation wastes by the estimate, or why it cannot be estimated. */
function judge(r: RelationRow, needed: (r: RelationRow) => number): { wasted: number; ratio: number } | 'unreadable' | 'no-statistics' {
  if (r.columns.some((c) => c.width === null)) return r.columns.some((c) => c.width === null && !c.readable) ? 'unreadable' : 'no-statistics';
  const wasted = Math.max(0, r.pages - needed(r)) * r.blockSize;
  return { wasted, ratio: r.pages > 0 ? wasted / (r.pages * r.blockSize) : 0 };
}

/**
 * The relations whose estimated waste passes both thresholds, as findings `describe` words, and one
 * info finding for those whose statistics this role may not read.
 */
function bloatFindings(
  rule: string,
  what: string,
  rows: RelationRow[],
  pagesNeeded: (r: RelationRow) => number,
  minBytes: number,
  minRatio: number,
  describe: (r: RelationRow, est: { wasted: number; ratio: number }) => Pick<Finding, 'message' | 'hint' | 'fix'>,
): Finding[] {
  const out: Finding[] = [];
  const hidden: string[] = [];
  for (const r of rows) {
    const est = judge(r, pagesNeeded);
    if (est === 'unreadable') hidden.push(`${r.schema}.${r.name}`);
    if (typeof est === 'string' || est.wasted < minBytes || est.ratio < minRatio) continue;
    out.push({ rule, severity: 'warning', object: `${r.schema}.${r.name}`, ...describe(r, est) });
  }
  return [...out, ...unreadable(rule, what, hidden)];
}

/** One finding for the relations this role may not read the statistics of: bloat there is unknown, not absent. */
function unreadable(rule: string, what: string, names: string[]): Finding[] {
  if (!names.length) return [];
  return [
    {
      rule,
      severity: 'info',
      message: `Bloat was not estimated for ${names.length} ${what}${names.length === 1 ? '' : 's'} (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}): this role may not read their column statistics`,
      object: names[0],
      hint: 'pg_stats shows only the columns a role may SELECT (pg_monitor does not give that): run health as the tables\' owner, or a role granted pg_read_all_data (PG 14+).',
    },
  ];
}

// The columns' layouts and statistics, as JSON, for `rel` (the relation whose tuples they make up).
const LAYOUT = `json_build_object('align', t.typalign, 'len', t.typlen, 'storage', t.typstorage, 'width', s.avg_width, 'nullFrac', s.null_frac`;

export const tableBloat: HealthCheck = {
  id: 'table-bloat',
  severity: 'warning',
  summary:
    'A table much larger than its live rows need (default: over half of it, and at least 100 MB), by an estimate from the catalog (relpages, reltuples, pg_stats widths): scans read the empty space too. VACUUM makes it reusable; VACUUM FULL or pg_repack gives it back. The role must be able to read the columns\' statistics (pg_stats: the owner, or pg_read_all_data); otherwise an info finding says which tables were not estimated.',
  async run({ db, thresholds }) {
    const { rows } = await db.query<RelationRow>(
      `select n.nspname as schema, c.relname as name, c.relname as table, c.relpages::float8 as pages, c.reltuples::float8 as tuples,
              coalesce((select o.option_value::int from pg_options_to_table(c.reloptions) o where o.option_name = 'fillfactor'), 100) as fillfactor,
              current_setting('block_size')::int as "blockSize",
              (select count(*) from pg_attribute a where a.attrelid = c.oid and a.attnum > 0)::int as attributes,
              coalesce((select json_agg(${LAYOUT}, 'readable', has_column_privilege(c.oid, a.attnum, 'SELECT')) order by a.attnum)
                 from pg_attribute a join pg_type t on t.oid = a.atttypid
                 left join pg_stats s on s.schemaname = n.nspname and s.tablename = c.relname and s.attname = a.attname and not s.inherited
                where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '[]') as columns,
              format('VACUUM FULL %I.%I;', n.nspname, c.relname) as fix
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'm') and c.relpersistence <> 't' and n.nspname not in ('pg_catalog', 'information_schema')
          and c.reltuples >= 0 and c.relpages::float8 * current_setting('block_size')::int >= $1
        order by c.relpages desc, 1, 2`,
      [thresholds.tableBloatMinBytes],
    );
    return bloatFindings('table-bloat', 'table', rows, (t) => heapPagesNeeded(t.tuples, t.columns, t.attributes, t.fillfactor, t.blockSize), thresholds.tableBloatMinBytes, thresholds.tableBloatRatio, (r, est) => ({
      message: `Table ${r.schema}.${r.name} is ${size(r.pages * r.blockSize)}, of which about ${size(est.wasted)} (${Math.round(est.ratio * 100)}%) its ${Math.round(r.tuples).toLocaleString('en-US')} live rows do not need (estimate from relpages, reltuples and pg_stats)`,
      hint: 'Sequential scans and the cache carry the empty space. VACUUM makes it reusable by new rows but does not shrink the file; to give it back, rewrite the table: VACUUM FULL (holds an ACCESS EXCLUSIVE lock for the whole rewrite) or pg_repack (online). If it comes back, autovacuum runs too rarely for the table.',
      fix: { description: `rewrite ${r.name} compactly (an ACCESS EXCLUSIVE lock while it runs; pg_repack does it online)`, sql: r.fix },
    }));
  },
};

export const indexBloat: HealthCheck = {
  id: 'index-bloat',
  severity: 'warning',
  summary:
    'A btree index much larger than its entries need (default: over half of it, and at least 100 MB), by an estimate from the catalog (relpages, reltuples, pg_stats widths of its columns): REINDEX CONCURRENTLY rebuilds it compactly. Deduplicated entries (PG 13+) are counted as if stored one by one, so the estimate errs low on indexes of repeated values.',
  async run({ db, thresholds }) {
    const { rows } = await db.query<RelationRow>(
      // An index column is the table's column (its statistics are the table's), or an expression
      // (indkey 0: its statistics are stored under the index's own name).
      `select n.nspname as schema, ci.relname as name, ct.relname as table, ci.relpages::float8 as pages, ci.reltuples::float8 as tuples,
              coalesce((select o.option_value::int from pg_options_to_table(ci.reloptions) o where o.option_name = 'fillfactor'), 90) as fillfactor,
              current_setting('block_size')::int as "blockSize", i.indnatts::int as attributes,
              coalesce((select json_agg(json_build_object('align', t.typalign, 'len', t.typlen, 'storage', t.typstorage,
                                  'width', coalesce(ts.avg_width, xs.avg_width), 'nullFrac', coalesce(ts.null_frac, xs.null_frac),
                                  'readable', case when k.attnum = 0 then pg_has_role(ci.relowner, 'USAGE') else has_column_privilege(ct.oid, k.attnum, 'SELECT') end) order by a.attnum)
                 from pg_attribute a join pg_type t on t.oid = a.atttypid
                 cross join lateral (select i.indkey[a.attnum - 1] as attnum) k
                 left join pg_attribute ta on ta.attrelid = ct.oid and ta.attnum = k.attnum and k.attnum <> 0
                 left join pg_stats ts on ts.schemaname = n.nspname and ts.tablename = ct.relname and ts.attname = ta.attname and not ts.inherited
                 left join pg_stats xs on k.attnum = 0 and xs.schemaname = n.nspname and xs.tablename = ci.relname and xs.attname = a.attname and not xs.inherited
                where a.attrelid = ci.oid and a.attnum > 0), '[]') as columns,
              format('REINDEX INDEX CONCURRENTLY %I.%I;', n.nspname, ci.relname) as fix
         from pg_index i join pg_class ci on ci.oid = i.indexrelid join pg_class ct on ct.oid = i.indrelid
         join pg_namespace n on n.oid = ci.relnamespace
        where ci.relkind = 'i' and ci.relam = (select oid from pg_am where amname = 'btree') and i.indisvalid
          and ci.relpersistence <> 't' and n.nspname not in ('pg_catalog', 'information_schema')
          and ci.reltuples >= 0 and ci.relpages::float8 * current_setting('block_size')::int >= $1
        order by ci.relpages desc, 1, 2`,
      [thresholds.indexBloatMinBytes],
    );
    return bloatFindings('index-bloat', 'index', rows, (x) => btreePagesNeeded(x.tuples, x.columns, x.fillfactor, x.blockSize), thresholds.indexBloatMinBytes, thresholds.indexBloatRatio, (r, est) => ({
      message: `Index ${r.schema}.${r.name} on ${r.schema}.${r.table} is ${size(r.pages * r.blockSize)}, of which about ${size(est.wasted)} (${Math.round(est.ratio * 100)}%) its ${Math.round(r.tuples).toLocaleString('en-US')} entries do not need (estimate from relpages, reltuples and pg_stats)`,
      hint: 'Scans of it read the empty pages, and it takes cache from the rest. VACUUM only reuses wholly empty pages; a rebuild packs it again: REINDEX INDEX CONCURRENTLY (PG 12+) keeps reads and writes going.',
      fix: { description: `rebuild ${r.name} compactly`, sql: r.fix },
    }));
  },
};
