import type { Column, Table } from '../../catalog/types.js';
import { quoteIdent, truncateIdentifier } from '../../sql/quote.js';
import type { Finding, Fix } from '../../types.js';
import { finding, type AnyNode, type MigrationRule, type MigrationRuleContext } from '../types.js';
import { batchedBackfill, clauseText, columnPath, commandsOf, findColumn, knownRewriteCommands, sourceCommand, statementSource, tableSql, tokenAfter } from './columns-util.js';
import { existingRef, names, qualified, statementText, tableWithoutDetails } from './util.js';

/**
 * What ALTER COLUMN … TYPE does to the table's rows, as PostgreSQL decides it (ATColumnChangeRequiresRewrite
 * and the length-coercion support functions): `none` when the stored bytes stay valid, `unknown` for types
 * this rule does not model (domains, enums, extension types: measured by running the statement instead),
 * else the reason it rewrites.
 */
type Verdict = { kind: 'none' } | { kind: 'unknown' } | { kind: 'rewrite'; reason: string } | { kind: 'timezone' };

// Built-in types by internal name: unqualified names in this set are pg_catalog's.
const BUILTIN = new Set(
  'bool int2 int4 int8 float4 float8 numeric money text varchar bpchar char name bytea date time timetz timestamp timestamptz interval uuid json jsonb xml inet cidr macaddr macaddr8 bit varbit oid tsvector tsquery point line lseg box path polygon circle int4range int8range numrange tsrange tstzrange daterange pg_lsn'.split(' '),
);

// Binary-coercible casts (pg_cast castmethod 'b'): the bytes are reused, no rewrite when the target has no length limit.
const BINARY = new Set(['varchar>text', 'text>varchar', 'text>bpchar', 'varchar>bpchar', 'xml>text', 'xml>varchar', 'xml>bpchar', 'cidr>inet', 'int4>oid', 'oid>int4', 'bit>varbit', 'varbit>bit']);

const TIME_TYPES = new Set(['timestamp', 'timestamptz', 'time', 'timetz']);
const TIMESTAMPS = new Set(['timestamp', 'timestamptz']);

/** atttypmod PostgreSQL stores for a type name's modifiers; -1 for none, undefined when not modelled. */
function encodeTypmod(type: string, mods: number[] | undefined): number | undefined {
  if (!mods) return undefined;
  if (mods.length === 0) return -1;
  if (type === 'varchar' || type === 'bpchar') return mods[0] + 4; // VARHDRSZ
  if (type === 'numeric') return ((mods[0] << 16) | ((mods[1] ?? 0) & 0x7ff)) + 4;
  if (type === 'bit' || type === 'varbit' || TIME_TYPES.has(type)) return mods[0];
  return undefined; // interval fields, extension types
}

interface NewType {
  name: string;
  schema?: string;
  isArray: boolean;
  typmod?: number;
}

function readTypeName(typeName: AnyNode): NewType | undefined {
  if (typeName.pct_type) return undefined;
  const parts = names(typeName.names);
  const mods = (typeName.typmods ?? []).map((m: AnyNode) => m.A_Const?.ival?.ival ?? (m.A_Const?.ival ? 0 : undefined));
  const name = parts.at(-1)!;
  return {
    name,
    schema: parts.length > 1 ? parts[0] : undefined,
    isArray: Boolean(typeName.arrayBounds?.length),
    typmod: mods.includes(undefined) ? undefined : encodeTypmod(name, mods),
  };
}

/** USING that just names the column (optionally cast to the new type) changes nothing by itself. */
function trivialUsing(using: AnyNode | undefined, column: string, typeName: AnyNode): boolean {
  if (!using) return true;
  if (using.TypeCast) return names(using.TypeCast.typeName?.names).join('.') === names(typeName.names).join('.') && trivialUsing(using.TypeCast.arg, column, typeName);
  const fields = names(using.ColumnRef?.fields);
  return fields.length === 1 && fields[0] === column;
}

function verdict(old: Column, to: NewType, pgVersion: number): Verdict {
  const oldTypmod = old.typeModifier ?? -1;
  const builtin = to.schema === 'pg_catalog' || (!to.schema && BUILTIN.has(to.name));
  const same = to.name === old.typeName && (builtin ? old.typeSchema === 'pg_catalog' : !to.schema || to.schema === old.typeSchema) && to.isArray === old.isArray;
  if (same && to.typmod === oldTypmod) return { kind: 'none' };
  if (!builtin || old.typeSchema !== 'pg_catalog' || to.typmod === undefined) return { kind: 'unknown' };
  if (to.isArray !== old.isArray) return { kind: 'rewrite', reason: 'a different type: every value is converted' };
  if (same) {
    const newTypmod = to.typmod;
    // Element length coercions of arrays are never simplified away.
    if (to.isArray) return { kind: 'rewrite', reason: 'a new element type modifier converts every array' };
    const longer =
      (old.typeName === 'varchar' || old.typeName === 'varbit') ? newTypmod === -1 || (oldTypmod >= 0 && newTypmod >= oldTypmod) // PG 9.1+ / 9.2+
      : old.typeName === 'numeric' ? newTypmod === -1 || (oldTypmod >= 0 && ((newTypmod - 4) & 0x7ff) === ((oldTypmod - 4) & 0x7ff) && (newTypmod - 4) >> 16 >= (oldTypmod - 4) >> 16) // PG 9.2+: same scale, no less precision
      : TIME_TYPES.has(old.typeName) ? newTypmod === -1 || newTypmod >= 6 || (oldTypmod >= 0 && newTypmod >= oldTypmod) // PG 9.2+: no less precision
      : old.typeName === 'bpchar' ? newTypmod === -1
      : old.typeName === 'bit' ? false
      : undefined;
    if (longer === undefined) return { kind: 'unknown' };
    if (longer) return { kind: 'none' };
    const reason =
      old.typeName === 'bpchar' ? 'char(n) values are padded to their length, so every value is rewritten'
      : old.typeName === 'bit' ? 'bit(n) values must have exactly the new length, so every value is converted'
      : 'a narrower limit (or another scale): every value is checked and rewritten';
    return { kind: 'rewrite', reason };
  }
  if (to.isArray) return { kind: 'rewrite', reason: 'every array is converted' };
  // PG 12+: timestamp <-> timestamptz reuses the bytes only when the session TimeZone is UTC.
  if (TIMESTAMPS.has(old.typeName) && TIMESTAMPS.has(to.name)) {
    const keepsPrecision = to.typmod === -1 || to.typmod >= 6 || (oldTypmod >= 0 && to.typmod >= oldTypmod);
    return pgVersion >= 12 && keepsPrecision ? { kind: 'timezone' } : { kind: 'rewrite', reason: 'every value is converted' };
  }
  if (BINARY.has(`${old.typeName}>${to.name}`)) {
    return to.typmod === -1 ? { kind: 'none' } : { kind: 'rewrite', reason: 'every value is checked against the new length limit and rewritten' };
  }
  return { kind: 'rewrite', reason: 'not binary-coercible: every value is converted' };
}

interface TypeChange {
  cmd: AnyNode;
  index: number;
  column: string;
}

// Commands check() could not judge, for afterExecute() to attribute a measured rewrite to.
const unjudged = new WeakMap<object, { table: Table; changes: TypeChange[] }>();

export const changeColumnType: MigrationRule = {
  id: 'change-column-type',
  area: 'migration',
  severity: 'warning',
  summary:
    'ALTER COLUMN … TYPE rewrites an existing table and rebuilds its indexes under ACCESS EXCLUSIVE unless the change is binary-coercible (varchar(n) → varchar(m ≥ n) or text, numeric(p,s) → numeric(p2 ≥ p,s), cidr → inet…).',
  kinds: ['AlterTableStmt'],
  onlyExistingTables: true,
  alterSubtypes: ['AT_AlterColumnType'],
  async check(ctx) {
    const changes = commandsOf(ctx, 'AT_AlterColumnType').map(({ cmd, index }) => ({ cmd, index, column: cmd.name as string }));
    if (changes.length === 0) return [];
    // A table created earlier in this deployment is empty: rewriting it costs nothing.
    const ref = await existingRef(ctx, ctx.node.relation);
    if (!ref) return [];
    // Decided from each column's old type; the table (for the fix: the changed columns, the primary
    // key, constraints and indexes) is read only when reporting.
    let details: Table | undefined;
    const part = { columns: changes.map((c) => c.column), indexes: true };
    const table = async () => (details ??= (await ctx.before.tablePart(ctx.node.relation, part)) ?? tableWithoutDetails(ref));
    const findings: Finding[] = [];
    const unknown: TypeChange[] = [];
    for (const change of changes) {
      const typeName = change.cmd.def.ColumnDef.typeName as AnyNode;
      const using = change.cmd.def.ColumnDef.raw_default as AnyNode | undefined;
      const to = readTypeName(typeName);
      if (!ctx.before.detailed || ref.assumed) {
        // Without the old type (parse-only, or a table the migrations never created), only a change to
        // unbounded text/varchar is known to be safe.
        const unbounded = to && !to.isArray && to.typmod === -1 && (to.name === 'text' || to.name === 'varchar') && trivialUsing(using, change.column, typeName);
        if (!unbounded && !ref.assumed) findings.push(report(ctx, await table(), change, undefined, 'may rewrite the table and rebuild its indexes under ACCESS EXCLUSIVE (parse-only: the old type is unknown)'));
        continue;
      }
      const old = await ctx.before.column(ctx.node.relation, change.column);
      if (!old) continue; // execution-error reports an unknown column
      const judged: Verdict = !trivialUsing(using, change.column, typeName) ? { kind: 'rewrite', reason: 'the USING expression computes every value anew' } : to ? verdict(old, to, ctx.pgVersion) : { kind: 'unknown' };
      if (judged.kind === 'unknown') unknown.push(change);
      if (judged.kind === 'rewrite') findings.push(report(ctx, await table(), change, old, `rewrites existing table ${qualified(ref)} and rebuilds its indexes under ACCESS EXCLUSIVE: ${judged.reason}`));
      // An earlier SET TimeZone = 'UTC' in this migration: the bytes are reused, nothing is rewritten.
      if (judged.kind === 'timezone' && !(ctx.tx.utcSession || ctx.tx.utcLocal)) {
        findings.push(report(ctx, await table(), change, old, `rewrites existing table ${qualified(ref)} under ACCESS EXCLUSIVE unless the session TimeZone is UTC (PG 12+ reuses the bytes only then)`, true));
      }
    }
    if (unknown.length) unjudged.set(ctx.stmt, { table: await table(), changes: unknown });
    return findings;
  },
  measuresRewrite(ctx, reported) {
    return unjudged.has(ctx.stmt) && !reported.some((f) => f.rule === this.id);
  },
  afterExecute(ctx) {
    const pending = unjudged.get(ctx.stmt);
    if (!pending || ctx.reported.some((f) => f.rule === this.id) || !ctx.rewritten.includes(qualified(pending.table))) return [];
    // Only type changes this rule could not judge can explain the measured rewrite (known-safe ones are
    // excluded), unless another subcommand of the statement rewrites the table anyway.
    if (knownRewriteCommands(ctx).length) return [];
    return pending.changes.map((change) =>
      report(ctx, pending.table, change, findColumn(pending.table, change.column), `rewrote existing table ${qualified(pending.table)} and rebuilt its indexes under ACCESS EXCLUSIVE (measured: its relfilenode changed)`),
    );
  },
};

function report(ctx: MigrationRuleContext, table: Table, change: TypeChange, old: Column | undefined, what: string, timezone = false): Finding {
  const rule = changeColumnType;
  const column = columnPath(table, change.column);
  const source = sourceCommand(ctx, change.index)?.def?.ColumnDef as AnyNode | undefined;
  const src = statementSource(ctx);
  const typeText = source?.typeName && clauseText(src, source.typeName.location, { words: ['USING', 'COLLATE'] });
  const usingAt = source?.typeName && source.raw_default ? tokenAfter(src, source.typeName.location, 'USING') : undefined;
  const usingText = usingAt === undefined ? undefined : clauseText(src, usingAt + 'USING'.length);
  return finding(rule, {
    severity: ctx.sized(table, rule.severity),
    message: `ALTER COLUMN ${column} TYPE ${typeText ?? '…'}${old ? ` (was ${old.type})` : ''} ${what}`,
    object: column,
    location: ctx.locate(change.cmd.def.ColumnDef.location),
    hint: timezone
      ? 'If the stored timestamps are UTC, run the change with SET TimeZone = \'UTC\' (no rewrite on PG 12+); otherwise add a new column, backfill it in batches and swap.'
      : 'Add a column of the new type, keep it in sync with a trigger, backfill it in batches, then swap the names in one short transaction.',
    fix: timezone
      ? { description: 'Only if the stored values are UTC: change the type with the session in UTC (PG 12+: no rewrite)', sql: `SET TimeZone = 'UTC';\n${statementText(ctx)};\nRESET TimeZone;` }
      : typeText
        ? expandContract(ctx, table, change.column, typeText, usingText, old)
        : undefined,
  });
}

/** New column + trigger + batched backfill + swap: the type change without a rewrite under lock. */
function expandContract(ctx: MigrationRuleContext, table: Table, column: string, type: string, using: string | undefined, old: Column | undefined): Fix {
  const t = tableSql(table);
  const c = quoteIdent(column);
  const fresh = quoteIdent(truncateIdentifier(`${column}_new`));
  const retired = quoteIdent(truncateIdentifier(`${column}_old`));
  const name = truncateIdentifier(`${table.name}_${column}_sync`);
  const fn = `${quoteIdent(table.schema)}.${quoteIdent(name)}`;
  const rowValue = using ? `(SELECT ${using} FROM (SELECT NEW.*) AS new_row)` : `NEW.${c}::${type}`;
  // What the new column must get before the swap, read from the catalog.
  const carry = [
    old?.notNull && 'NOT NULL (validated CHECK, then SET NOT NULL)',
    old?.default && `DEFAULT ${old.default}`,
    ...table.indexes.filter((i) => i.columns.includes(column)).map((i) => `index ${i.name} (CREATE INDEX CONCURRENTLY${i.constraint ? `, then ADD CONSTRAINT … USING INDEX for ${i.constraint}` : ''})`),
    ...table.constraints.filter((k) => k.columns.includes(column) && !k.index).map((k) => `${k.type} ${k.name} (NOT VALID, then VALIDATE)`),
  ].filter(Boolean);
  return {
    description: 'Expand/contract: a new column of the new type, kept in sync, backfilled in batches, then swapped in',
    sql: [
      '-- Expand: the new column (catalog-only) and a trigger that keeps it in sync with writes.',
      `ALTER TABLE ${t} ADD COLUMN ${fresh} ${type};`,
      `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $sync$`,
      'BEGIN',
      `  NEW.${fresh} := ${rowValue};`,
      '  RETURN NEW;',
      'END',
      '$sync$;',
      `CREATE TRIGGER ${quoteIdent(name)} BEFORE INSERT OR UPDATE ON ${t} FOR EACH ROW EXECUTE ${ctx.pgVersion >= 11 ? 'FUNCTION' : 'PROCEDURE'} ${fn}();`,
      batchedBackfill(table, `${fresh} = ${using ?? `${c}::${type}`}`, undefined, ctx.pgVersion),
      ...(carry.length ? [`-- Give ${fresh} what ${c} has: ${carry.join('; ')}.`] : []),
      '-- Contract, in one short transaction once the backfill is done:',
      'BEGIN;',
      `ALTER TABLE ${t} RENAME COLUMN ${c} TO ${retired};`,
      `ALTER TABLE ${t} RENAME COLUMN ${fresh} TO ${c};`,
      `DROP TRIGGER ${quoteIdent(name)} ON ${t};`,
      `DROP FUNCTION ${fn}();`,
      'COMMIT;',
      `-- In a later release, once no code reads it: ALTER TABLE ${t} DROP COLUMN ${retired};`,
    ].join('\n'),
  };
}
