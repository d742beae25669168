import { columnOrigin, type OriginMap } from '../../catalog/origin.js';
import type { Catalog, Column, Table } from '../../catalog/types.js';
import type { Queryable } from '../../engine/types.js';
import { quoteIdent, quoteQualified, truncateIdentifier } from '../../sql/quote.js';
import type { Finding } from '../../types.js';
import { finding, type SchemaRule } from '../types.js';
import { discoverDependencies, groupDependencies, type CodedColumn, type DependencyGroup } from './fd-tane.js';
import { formatCount, singular } from './normal-util.js';

/**
 * Discovery time per table (the sample itself is bounded by sampleRows); a search cut short still
 * reports what it proved, exact and minimal (see fd-tane.ts).
 */
export const FD_TIME_BUDGET_MS = 5_000;

/** Columns searched per table, in table order: pairs grow with the square, and the sample with the width. */
export const FD_MAX_COLUMNS = 64;

/** Types whose text form does not identify the value (json keeps spacing and key order) or that have no equality. */
const NOT_COMPARABLE = new Set(['json', 'xml', 'point', 'line', 'lseg', 'box', 'path', 'polygon', 'circle', 'tsvector', 'tsquery', 'txid_snapshot', 'pg_snapshot']);

/** Longer text forms travel as 64 bits of their md5 (a wide column must not make the sample huge; collisions among 100,000 values: ~3·10⁻¹⁰). */
const INLINE_BYTES = 32;

export interface TableColumns {
  /** Columns searched on both sides. */
  candidates: Column[];
  /** Parts of composite keys: they may determine other columns (2NF: a partial key dependency), never move. */
  lhsOnly: Set<string>;
}

/**
 * The columns worth searching. Single-column keys (primary key, unique constraints and indexes) and
 * identity/serial columns determine every column by definition; generated columns are declared
 * derivations, not hidden ones.
 */
export function searchableColumns(table: Table): TableColumns {
  const singleKeys = new Set<string>();
  const keyParts = new Set<string>();
  for (const c of table.constraints) {
    if (c.type !== 'primary key' && c.type !== 'unique') continue;
    for (const col of c.columns) (c.columns.length === 1 ? singleKeys : keyParts).add(col);
  }
  for (const i of table.indexes) if (i.unique && !i.predicate && i.columns.length === 1 && i.columns[0]) singleKeys.add(i.columns[0]);
  const candidates = table.columns.filter(
    (c) => !singleKeys.has(c.name) && !c.identity && !c.serial && !c.generated && !NOT_COMPARABLE.has(c.typeName),
  );
  const searched = candidates.slice(0, FD_MAX_COLUMNS);
  return { candidates: searched, lhsOnly: new Set(searched.filter((c) => keyParts.has(c.name)).map((c) => c.name)) };
}

/** One column's values as one text value per row: escaped so that `\n` separates rows and `\N` is NULL. */
function encoded(column: string): string {
  const text = `${quoteIdent(column)}::text`;
  return `coalesce(case when octet_length(${text}) > ${INLINE_BYTES} then E'\\\\H' || left(md5(${text}), 16) else replace(replace(${text}, E'\\\\', E'\\\\\\\\'), E'\\n', E'\\\\n') end, E'\\\\N')`;
}

export interface Sample {
  rows: number;
  /** Rows in the table when the sample is a part of it; undefined when every row was read. */
  tableRows?: number;
  columns: CodedColumn[];
}

/**
 * Read up to `limit` rows, read-only. A table that fits is read whole (exact and deterministic); a
 * larger one through TABLESAMPLE … REPEATABLE, which returns the same rows while the table is
 * unchanged (ORDER BY random() would sort the whole table and differ on every run): SYSTEM picks
 * whole pages (cheap on huge tables), BERNOULLI single rows (a fairer sample, but it reads every page).
 */
export async function readSample(engine: Queryable, table: Table, columns: Column[], limit: number): Promise<Sample> {
  const name = quoteQualified(table.schema, table.name);
  const counted = await engine.query<{ n: number }>(`select count(*)::int as n from (select 1 from ${name} limit $1) s`, [limit + 1]);
  const present = counted.rows[0]?.n ?? 0;
  let sampling = '';
  let tableRows: number | undefined;
  if (present > limit) {
    tableRows = table.reltuples > limit ? table.reltuples : Number((await engine.query<{ n: string }>(`select count(*) as n from ${name}`)).rows[0].n);
    const percent = Math.min(100, (150 * limit) / tableRows);
    sampling = ` tablesample ${tableRows > 20 * limit ? 'system' : 'bernoulli'} (${percent.toFixed(6)}) repeatable (42)`;
  }
  if (present === 0 || columns.length === 0) return { rows: present, tableRows, columns: [] };
  // One text per column (string_agg), not one object per row: ~8x faster to transfer and decode.
  // The aggregates read one row stream, so the i-th value of every column is from the same row.
  const inner = columns.map((c, i) => `${encoded(c.name)} as e${i}`).join(', ');
  const outer = columns.map((_, i) => `string_agg(e${i}, E'\\n') as c${i}`).join(', ');
  const { rows } = await engine.query<Record<string, string | number>>(
    `select count(*)::int as n, ${outer} from (select ${inner} from ${name}${sampling} limit $1) s`,
    [limit],
  );
  const n = Number(rows[0].n);
  return { rows: n, tableRows, columns: columns.map((c, i) => codeColumn(c.name, String(rows[0][`c${i}`] ?? ''), n)) };
}

/** Text values → dense integer codes (equal text, equal code). */
function codeColumn(name: string, text: string, rows: number): CodedColumn {
  const codes = new Int32Array(rows);
  const seen = new Map<string, number>();
  let start = 0;
  for (let i = 0; i < rows; i++) {
    const end = i === rows - 1 ? text.length : text.indexOf('\n', start);
    const value = text.slice(start, end);
    let code = seen.get(value);
    if (code === undefined) seen.set(value, (code = seen.size));
    codes[i] = code;
    start = end + 1;
  }
  return { name, codes, distinct: seen.size };
}

function decompositionFix(catalog: Catalog, table: Table, group: DependencyGroup): { description: string; sql: string } {
  const name = quoteQualified(table.schema, table.name);
  const moved = [...group.dependents, ...group.equivalents];
  const lhs = group.lhs.map(quoteIdent);
  const typeOf = (c: string) => table.columns.find((x) => x.name === c)?.type ?? 'text';
  const dropLater = `-- once the application no longer reads ${moved.join(', ')} from ${table.name}:\n-- ALTER TABLE ${name} ${moved.map((c) => `DROP COLUMN ${quoteIdent(c)}`).join(', ')};`;

  // The left-hand side is a foreign key: the dependents describe the referenced row and belong there.
  const fk = table.constraints.find((c) => c.type === 'foreign key' && c.references && c.columns.length === group.lhs.length && c.columns.every((x) => group.lhs.includes(x)));
  const parent = fk?.references && catalog.tables.find((t) => t.schema === fk.references!.schema && t.name === fk.references!.table);
  if (fk?.references && parent) {
    const ref = fk.references;
    const parentName = quoteQualified(ref.schema, ref.table);
    const join = fk.columns.map((c, i) => `p.${quoteIdent(ref.columns[i])} = s.${quoteIdent(c)}`).join(' AND ');
    // invoices.customer_name next to customer_id is usually customers.name, copied: then no column moves.
    const existing = (c: string) => [c, c.replace(`${singular(ref.table)}_`, '')].find((x) => parent.columns.some((pc) => pc.name === x));
    if (moved.every((c) => existing(c))) {
      const differs = moved.map((c) => `s.${quoteIdent(c)} IS DISTINCT FROM p.${quoteIdent(existing(c)!)}`).join(' OR ');
      return {
        description: `${moved.join(', ')} copies ${moved.map((c) => `${ref.table}.${existing(c)}`).join(', ')}: read it through the foreign key instead`,
        sql: [
          `-- 0 means a plain copy of ${ref.schema}.${ref.table}: the join gives the same values`,
          `SELECT count(*) FROM ${name} s JOIN ${parentName} p ON ${join} WHERE ${differs};`,
          dropLater,
        ].join('\n'),
      };
    }
    return {
      description: `Move ${moved.join(', ')} to ${ref.schema}.${ref.table}, which ${fk.columns.join(', ')} references`,
      sql: [
        `ALTER TABLE ${parentName} ${moved.map((c) => `ADD COLUMN ${quoteIdent(c)} ${typeOf(c)}`).join(', ')};`,
        `UPDATE ${parentName} p SET ${moved.map((c) => `${quoteIdent(c)} = s.${quoteIdent(c)}`).join(', ')}`,
        `FROM (SELECT DISTINCT ${[...lhs, ...moved.map(quoteIdent)].join(', ')} FROM ${name}) s WHERE ${join};`,
        dropLater,
      ].join('\n'),
    };
  }

  const lookupName = truncateIdentifier(`${table.name}_${group.lhs.join('_')}`);
  const lookup = quoteQualified(table.schema, lookupName);
  const fkName = truncateIdentifier(`${table.name}_${group.lhs.join('_')}_fkey`);
  const columns = [...group.lhs, ...moved].map((c) => `  ${quoteIdent(c)} ${typeOf(c)}${group.lhs.includes(c) ? ' NOT NULL' : ''}`);
  return {
    description: `A table keyed by ${group.lhs.join(', ')} holding ${moved.join(', ')} once, referenced by ${table.name}`,
    sql: [
      `CREATE TABLE ${lookup} (\n${columns.join(',\n')},\n  PRIMARY KEY (${lhs.join(', ')})\n);`,
      // On the whole table the INSERT is the proof: a duplicate key means the dependency does not hold everywhere.
      `INSERT INTO ${lookup} (${[...lhs, ...moved.map(quoteIdent)].join(', ')})`,
      `SELECT DISTINCT ${[...lhs, ...moved.map(quoteIdent)].join(', ')} FROM ${name} WHERE ${lhs.map((c) => `${c} IS NOT NULL`).join(' AND ')};`,
      `ALTER TABLE ${name} ADD CONSTRAINT ${quoteIdent(fkName)} FOREIGN KEY (${lhs.join(', ')}) REFERENCES ${lookup} (${lhs.join(', ')}) NOT VALID;`,
      `ALTER TABLE ${name} VALIDATE CONSTRAINT ${quoteIdent(fkName)};`,
      dropLater,
    ].join('\n'),
  };
}

function describe(table: Table, group: DependencyGroup, sample: Sample, complete: boolean): string {
  const q = (c: string) => `${table.name}.${c}`;
  const lhs = group.lhs.length === 1 ? q(group.lhs[0]) : `(${group.lhs.map(q).join(', ')})`;
  const rhs = [...group.dependents, ...group.equivalents].map(q).join(', ');
  const one = group.equivalents.length ? `; ${[group.lhs[0], ...group.equivalents].join(' and ')} determine each other` : '';
  const rows = sample.tableRows ? `rows ${sample.rows} sampled of ~${formatCount(sample.tableRows)}` : `rows ${sample.rows}`;
  const cut = complete ? '' : `; search stopped after ${FD_TIME_BUDGET_MS / 1000} s`;
  return `${lhs} → ${rhs} (${rows}, ${formatCount(group.lhsDistinct)} distinct ${group.lhs.join(', ')}, 0 violations${one}${cut})`;
}

/** Dependencies of one table, as findings. */
export async function tableDependencies(rule: SchemaRule, ctx: { catalog: Catalog; origin: OriginMap; engine: Queryable; sampleRows: number }, table: Table): Promise<Finding[]> {
  const { catalog, origin, engine, sampleRows } = ctx;
  const { candidates, lhsOnly } = searchableColumns(table);
  if (candidates.length < 2) return [];
  const sample = await readSample(engine, table, candidates, sampleRows);
  if (sample.rows === 0) return [];
  const result = discoverDependencies(sample.columns, sample.rows, { lhsOnly, deadline: performance.now() + FD_TIME_BUDGET_MS });
  const groups = groupDependencies(
    result.dependencies,
    table.columns.map((c) => c.name),
  );
  return groups.map((group) => {
    const first = group.dependents[0] ?? group.equivalents[0];
    return finding(rule, {
      message: `${describe(table, group, sample, result.complete)}: ${table.schema}.${table.name} stores ${first} again on every row with the same ${group.lhs.join(', ')}`,
      object: `${table.schema}.${table.name}.${first}`,
      location: columnOrigin(origin, table.schema, table.name, first),
      hint: `Keep ${[...group.dependents, ...group.equivalents].join(', ')} once per ${group.lhs.join(', ')} (2NF/3NF), or document in a COMMENT why the copy is deliberate. Found in the data, not declared: confirm it is a rule of the domain, not a coincidence of today's rows.`,
      fix: decompositionFix(catalog, table, group),
    });
  });
}

export const functionalDependency: SchemaRule = {
  id: 'functional-dependency',
  area: 'schema',
  severity: 'info',
  summary:
    'Second/third normal form, discovered from the data: a non-key column determined by other non-key columns (customer_email → customer_name) is stored again on every row, and updates can make the copies disagree. ' +
    'Exact dependencies with one- and two-column left-hand sides are found on a read-only sample of up to sampleRows rows by stripped partitions and partition refinement, after TANE (Huhtala, Kärkkäinen, Porkka and Toivonen, "TANE: An Efficient Algorithm for Discovering Functional and Approximate Dependencies", The Computer Journal 42(2), 1999). ' +
    'So that independent data report nothing, a left-hand side needs ≥ 10 distinct values and ≥ 2 rows per value on average, and the chance that independent columns agree that well is ≤ 10⁻⁹; single-column keys, identity, generated and constant columns are skipped (a part of a composite key may determine others: 2NF); 5 s of search per table. ' +
    'Needs rows: a live database, or files that INSERT them.',
  async check({ catalog, origin, engine, sampleRows }) {
    if (!engine) return [];
    const findings: Finding[] = [];
    // Partitions are read through their parent; foreign tables may be remote and slow to scan.
    for (const table of catalog.tables.filter((t) => t.kind !== 'foreign table' && !t.partitionOf)) {
      findings.push(...(await tableDependencies(this, { catalog, origin, engine, sampleRows }, table)));
    }
    return findings;
  },
};
