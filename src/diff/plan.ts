// `pgarch plan FROM TO`: the statements `pgarch diff` prints, rewritten into migrations that keep the
// application running, in three phases:
//   expand   — additive and online: nullable columns, NOT VALID constraints, CREATE INDEX CONCURRENTLY,
//              the triggers that keep a renamed or retyped column's copy in step; VALIDATE later;
//   backfill — batched by primary-key ranges (a DO block that commits each batch), resumable;
//   contract — for a later release, once the application no longer uses the old shape: NOT NULL made
//              from a validated CHECK, the swap of a retyped column, renamed columns' old names and
//              every drop.
// Each statement's form is decided from FROM's and TO's catalogs (which table exists, which constraint
// kind) and from a probe that ran the diff in a rolled-back transaction on FROM (which statement
// rewrote its table): nothing is guessed from SQL text.
import { InputError } from '../lint/files.js';
import { quoteIdent, truncateIdentifier } from '../sql/quote.js';
import type { DiffStatement } from './diff.js';
import type { DiffObject } from './objects.js';

export type Phase = 'expand' | 'backfill' | 'contract';

export interface PlanMigration {
  phase: Phase;
  /** snake_case, for the file name: `expand`, `expand_indexes`, `backfill_orders_total`… */
  name: string;
  /** One line on what it does and why it is in its phase. */
  description: string;
  /** Statements, each ending with `;`. */
  statements: string[];
  /** False for CONCURRENTLY and the backfill's DO block (it commits each batch). */
  transactional: boolean;
  /** The statements that undo it, filled by the run that applies the plan (diff of after → before). */
  down: string[];
}

/** A table of FROM as the plan needs it, read from FROM's catalog. */
export interface TableInfo {
  schema: string;
  name: string;
  /** The one-column primary key a backfill walks, quoted, with its type; none: one UPDATE. */
  key?: { column: string; type: string };
  partitioned: boolean;
}

export interface PlanOptions {
  /** Column renames, `column public.t.a` → `column public.t.b`. */
  renames: Map<string, string>;
  allowDestructive: boolean;
  lockTimeoutMs: number;
  batch: number;
  /** Indexes (into the diff's statements) of the statements that rewrote their table in the probe; undefined: the probe did not reach it. */
  rewrote: (index: number) => boolean | undefined;
  /** FROM's tables by name (`public.t`). */
  tables: Map<string, TableInfo>;
}

export interface Plan {
  migrations: PlanMigration[];
  /** What a human must do or know, one line each (values for new NOT NULL columns, indexes rebuilt after a swap…). */
  notes: string[];
}

interface Backfill {
  table: string;
  column: string;
  /** SET list and condition: built from catalog names and deparsed expressions, never from input. */
  set: string;
  where: string;
  why: string;
}

const bare = (quoted: string) => (quoted.startsWith('"') ? quoted.slice(1, -1).replace(/""/g, '"') : quoted);

/** Parse `--rename t.a=t.b` (or `schema.t.a=schema.t.b`, or `t.a=b`) into column keys present on the right sides. */
export function parseRenames(specs: string[], from: DiffObject[], to: DiffObject[]): Map<string, string> {
  const renames = new Map<string, string>();
  // `schema.table.column` as the diff names it, or `table.column` in whichever schema holds that table (when only one does).
  const find = (objects: DiffObject[], name: string) => {
    const parts = name.split('.');
    const named = (o: DiffObject) => o.name === name || (parts.length === 2 && bare(String(o.details!.column)) === parts[1] && String(o.details!.table).endsWith(`.${parts[0]}`));
    const candidates = objects.filter((o) => o.kind === 'column' && named(o));
    return candidates.length === 1 ? candidates[0] : undefined;
  };
  for (const spec of specs) {
    const [a, bRaw] = spec.split('=');
    if (!a || !bRaw) throw new InputError(`--rename ${spec}: expected table.old=table.new (or table.old=new)`);
    const b = bRaw.includes('.') ? bRaw : `${a.split('.').slice(0, -1).join('.')}.${bRaw}`;
    const old = find(from, a);
    const next = find(to, b);
    if (!old) throw new InputError(`--rename ${spec}: FROM has no column ${a}`);
    if (!next) throw new InputError(`--rename ${spec}: TO has no column ${b}`);
    if (to.some((o) => o.key === old.key)) throw new InputError(`--rename ${spec}: TO still has ${old.name}, so it is not renamed`);
    if (from.some((o) => o.key === next.key)) throw new InputError(`--rename ${spec}: FROM has ${next.name} already`);
    if (old.details!.table !== next.details!.table) throw new InputError(`--rename ${spec}: a column moves within its table only`);
    renames.set(old.key, next.key);
  }
  return renames;
}

/**
 * Columns dropped and added in one table with the same type at the same place (after the same kept
 * column: RENAME COLUMN keeps a column's position, ADD COLUMN appends): likely renames, which a drop
 * would lose. A column dropped and another appended is not asked about.
 */
export function likelyRenames(from: DiffObject[], to: DiffObject[], renames: Map<string, string>): string[] {
  const fromKeys = new Set(from.map((o) => o.key));
  const toKeys = new Set(to.map((o) => o.key));
  const renamedTo = new Set(renames.values());
  const columns = (objects: DiffObject[], table: string) => objects.filter((o) => o.kind === 'column' && o.parent === table);
  /** The kept column just before it (both sides have it), or '' at the start. */
  const after = (list: DiffObject[], key: string, kept: Set<string>) => {
    const before = list.slice(0, list.findIndex((o) => o.key === key)).filter((o) => kept.has(o.key));
    return before.at(-1)?.key ?? '';
  };
  const out: string[] = [];
  const taken = new Set<string>();
  for (const dropped of from) {
    if (dropped.kind !== 'column' || toKeys.has(dropped.key) || renames.has(dropped.key) || !toKeys.has(dropped.parent!)) continue;
    const [was, now] = [columns(from, dropped.parent!), columns(to, dropped.parent!)];
    const kept = new Set(was.filter((c) => toKeys.has(c.key)).map((c) => c.key));
    const place = after(was, dropped.key, kept);
    const added = now.find((o) => !fromKeys.has(o.key) && !renamedTo.has(o.key) && !taken.has(o.key) && o.details!.type === dropped.details!.type && after(now, o.key, kept) === place);
    if (!added) continue;
    taken.add(added.key);
    out.push(`${dropped.name} is dropped and ${added.name} added in its place, both ${added.details!.type}: a rename? --rename ${dropped.details!.table}.${bare(String(dropped.details!.column))}=${bare(String(added.details!.column))} keeps its data`);
  }
  // A table dropped and one made with the same columns: renamed (the plan renames columns, not tables).
  const signature = (objects: DiffObject[], table: string) => columns(objects, table).map((c) => `${bare(String(c.details!.column))} ${c.details!.type}`).join(', ');
  for (const dropped of from) {
    if (dropped.kind !== 'table' || toKeys.has(dropped.key)) continue;
    const shape = signature(from, dropped.key);
    const made = to.find((o) => o.kind === 'table' && !fromKeys.has(o.key) && !taken.has(o.key) && shape && signature(to, o.key) === shape);
    if (!made) continue;
    taken.add(made.key);
    out.push(`${dropped.name} is dropped and ${made.name} made with the same columns: a renamed table? pgarch plan renames columns only: rename it by hand (ALTER TABLE ${dropped.name} RENAME TO …, or expand/contract with a view) to keep its rows`);
  }
  return out;
}

export function buildPlan(from: DiffObject[], to: DiffObject[], statements: DiffStatement[], options: PlanOptions): Plan {
  const fromByKey = new Map(from.map((o) => [o.key, o]));
  const toByKey = new Map(to.map((o) => [o.key, o]));
  const rebuiltTables = new Set(statements.filter((s) => s.kind === 'table' && s.action === 'drop' && toByKey.has(s.object)).map((s) => s.object));
  const existing = (tableKey: string | undefined) => Boolean(tableKey && fromByKey.has(tableKey) && toByKey.has(tableKey) && !rebuiltTables.has(tableKey));
  const info = (table: string) => options.tables.get(table);
  const renamedFrom = new Map([...options.renames].map(([a, b]) => [b, a]));
  const notes: string[] = [];

  // Transactional lists remember the existing table each statement locks, to split them where the table changes:
  // what is known of the diff statement being planned, which every list's entries take.
  const current: Omit<Entry, 'sql'> = {};
  const prelude: string[] = [];
  const expand = new Steps(current);
  const foreignKeys = new Steps(current);
  const expandIndexes: string[] = [];
  // VALIDATE takes SHARE UPDATE EXCLUSIVE, which blocks no reads or writes: validations share a transaction.
  const validates = new Steps(current, { locks: false });
  const usingIndex = new Steps(current);
  const backfills: Backfill[] = [];
  const addChecks = new Steps(current);
  const validateNotNull = new Steps(current, { locks: false });
  const setNotNull = new Steps(current);
  const swaps: Array<{ table: string; column: string; statements: string[] }> = [];
  const rebuildIndexesAfterSwap: string[] = [];
  const dropIndexes: string[] = [];
  const drops = new Steps(current);
  const refused: string[] = [];
  const retyped = new Set<string>();
  /** SET check_function_bodies = off when the diff makes functions: every transactional migration gets it. */
  let setting: string | undefined;

  /**
   * NOT NULL the online way, all in the contract phase, after the backfill and the code that writes the
   * column: a CHECK NOT VALID (new and updated rows only; earlier, an update of any row still NULL would
   * fail), validated in a later transaction, then SET NOT NULL (PG 12+ skips the scan) and the CHECK dropped.
   */
  const notNullViaCheck = (table: string, column: string, checkedColumn = column) => {
    // Not <table>_<column>_not_null: PostgreSQL 18 gives that name to the NOT NULL constraint itself.
    const name = quoteIdent(truncateIdentifier(`${bare(table.split('.').at(-1)!)}_${bare(checkedColumn)}_pgarch_nn`));
    addChecks.push(`ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${checkedColumn} IS NOT NULL) NOT VALID;`);
    validateNotNull.push(`ALTER TABLE ${table} VALIDATE CONSTRAINT ${name};`);
    return { name, finish: [`ALTER TABLE ${table} ALTER COLUMN ${column} SET NOT NULL;`, `ALTER TABLE ${table} DROP CONSTRAINT ${name};`] };
  };
  const syncTrigger = (table: string, column: string, body: string) => {
    const t = info(table)!;
    const fn = `${quoteIdent(t.schema)}.${quoteIdent(truncateIdentifier(`${t.name}_${bare(column)}_pgarch_sync`))}`;
    const trigger = quoteIdent(truncateIdentifier(`${t.name}_${bare(column)}_pgarch_sync`));
    // The function first, in no table's transaction: PL/pgSQL checks no column names until it runs.
    prelude.push(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $pgarch$\nBEGIN\n${body}\n  RETURN NEW;\nEND\n$pgarch$;`);
    expand.push(
      `CREATE TRIGGER ${trigger} BEFORE INSERT OR UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}();`,
    );
    return [`DROP TRIGGER ${trigger} ON ${table};`, `DROP FUNCTION ${fn}();`];
  };
  const defaults = new Map(to.filter((o) => o.kind === 'default').map((o) => [o.parent!, o]));
  const defaultOf = (columnKey: string) => defaults.get(columnKey);
  const columnSql = (c: DiffObject) => `${c.details!.column} ${c.details!.attributes}`;

  // Objects dropped only to be made again: what a pure drop must precede (a dropped table's foreign key on a rebuilt primary key).
  const rebuiltDrops = new Set(statements.filter((s) => s.action === 'drop' && toByKey.has(s.object)).map((s) => s.object));
  const childrenOf = new Map<string, DiffObject[]>();
  for (const o of from) if (o.parent) childrenOf.set(o.parent, [...(childrenOf.get(o.parent) ?? []), o]);
  /** What a drop of `key` drops: the object and what belongs to it. */
  const dropped = (key: string) => [fromByKey.get(key)!, ...(childrenOf.get(key) ?? [])];
  const ownedBy = (key: string): boolean => dropped(key).some((o) => o.dependsOn.some((d) => rebuiltDrops.has(d)));
  // A pure drop whose name (or its index's, its constraint's) a new object takes stays in its place: a table renamed keeps its key's name.
  const created = new Set(statements.filter((s) => s.action === 'create').flatMap((s) => relationNames(toByKey.get(s.object))));
  const namesTaken = (key: string) => dropped(key).some((o) => relationNames(o).some((n) => created.has(n)));
  // Made later than the diff made them (indexes built CONCURRENTLY, unique constraints attached to those): what needs them waits too.
  const deferred = new Set<string>();

  statements.forEach((s, index) => {
    if (s.action === 'set') {
      setting = s.sql;
      return;
    }
    const before = fromByKey.get(s.object);
    const after = toByKey.get(s.object);
    const object = after ?? before!;
    const parentTable = object.kind === 'column' ? object.parent : object.kind === 'default' ? fromByKey.get(object.parent!)?.parent ?? toByKey.get(object.parent!)?.parent : object.parent;
    // A partitioned table has no CONCURRENTLY, and no NOT VALID foreign keys before PG 18: its indexes and constraints are made as they are.
    const onExisting = existing(parentTable) && !(parentTable && info(tableName(parentTable))?.partitioned && (object.kind === 'index' || object.kind === 'constraint'));
    // What takes a lock on the table that matters here (ACCESS EXCLUSIVE, SHARE ROW EXCLUSIVE); a grant or a comment does not.
    const locks = LOCKING_KINDS.has(object.kind);
    // A table of FROM that is dropped locks itself.
    const dropsTable = object.kind === 'table' && s.action === 'drop' && fromByKey.has(s.object) ? tableName(s.object) : undefined;
    current.table = dropsTable ?? (locks && existing(parentTable) ? tableName(parentTable!) : undefined);
    current.object = s.action === 'drop' ? undefined : s.object;
    current.action = s.action;
    current.change = s.change;

    // Pure drops: the contract phase. Data-losing ones need --allow-destructive; a renamed column's old name goes with its swap.
    if (s.action === 'drop' && !after) {
      if (options.renames.has(s.object)) return;
      if (s.destructive && !options.allowDestructive) refused.push(s.sql);
      if (ownedBy(s.object) || namesTaken(s.object)) return void expand.push(s.sql);
      if (s.kind === 'index' && onExisting) return void dropIndexes.push(dropConcurrently(s.sql));
      return void drops.push(s.sql);
    }
    // An object dropped to be made again (its definition changed, or what it depends on did).
    if (s.action === 'drop') {
      if (s.destructive && !options.allowDestructive) refused.push(s.sql);
      if (s.kind === 'index' && onExisting && before!.definition !== after!.definition) return void expandIndexes.push(dropConcurrently(s.sql));
      return void expand.push(s.sql);
    }
    if (after?.dependsOn.some((d) => deferred.has(d))) {
      deferred.add(s.object);
      return void usingIndex.push(s.sql);
    }

    if (s.kind === 'column' && s.action === 'create' && onExisting) return addColumn(object, index);
    if (s.kind === 'column' && s.change === 'set not null' && onExisting) {
      if (retyped.has(s.object)) return;
      const [table, column] = [String(object.details!.table), String(object.details!.column)];
      const initial = defaultOf(s.object);
      if (initial) backfills.push({ table, column, set: `${column} = ${initial.definition}`, where: `${column} IS NULL`, why: `${object.name}'s default into the rows that hold NULL` });
      else notes.push(`${object.name}: rows that still hold NULL need a value before the contract phase validates NOT NULL`);
      const { finish } = notNullViaCheck(table, column);
      return void setNotNull.push(...finish);
    }
    if (s.kind === 'column' && s.change === 'type' && onExisting && options.rewrote(index) !== false) return retype(before!, after!, s);
    if (s.kind === 'default' && renamedFrom.has(object.parent!) && onExisting) return; // set by the rename's swap
    if (s.kind === 'index' && s.action === 'create' && onExisting) {
      if (before && before.definition === after!.definition) return void expand.push(s.sql); // made again after what it indexes was
      deferred.add(s.object);
      return void expandIndexes.push(concurrently(s.sql));
    }
    if (s.kind === 'constraint' && s.action === 'create' && onExisting) {
      const d = object.details!;
      if ((d.type === 'f' || d.type === 'c') && /NOT VALID;$/.test(s.sql)) return void expand.push(s.sql); // TO keeps it unvalidated
      if (d.type === 'f') {
        // A migration of its own: it locks the referenced table too, which must not wait behind another table's lock.
        foreignKeys.push(s.sql.replace(/;$/, ' NOT VALID;'));
        return void validates.push(`${d.target} VALIDATE CONSTRAINT ${d.name};`);
      }
      if (d.type === 'c') {
        expand.push(s.sql.replace(/;$/, ' NOT VALID;'));
        return void validates.push(`${d.target} VALIDATE CONSTRAINT ${d.name};`);
      }
      if ((d.type === 'u' || d.type === 'p') && d.indexDefinition) {
        const index = String(d.indexDefinition);
        deferred.add(s.object);
        expandIndexes.push(`${concurrently(index)};`);
        const using = d.type === 'p' ? 'PRIMARY KEY' : 'UNIQUE';
        return void usingIndex.push(`${d.target} ADD CONSTRAINT ${d.name} ${using} USING INDEX ${d.name};`);
      }
    }
    expand.push(s.sql);
  });

  function addColumn(c: DiffObject, index: number): void {
    const table = String(c.details!.table);
    const column = String(c.details!.column);
    const renamed = renamedFrom.get(c.key);
    if (renamed) return renameColumn(fromByKey.get(renamed)!, c);
    if (c.details!.identity || c.details!.generated) {
      // No online form: an identity or stored generated column fills every row as it is added.
      notes.push(`${c.name}: an ${c.details!.identity ? 'identity' : 'generated'} column is filled in the same statement that adds it, which rewrites ${table} under its lock: run the expand phase in a quiet moment`);
      return void expand.push(c.create);
    }
    const initial = defaultOf(c.key);
    const inline = initial?.createdWithParent;
    const rewrites = options.rewrote(index) !== false && inline;
    if (!c.details!.notNull && !rewrites) return void expand.push(c.create);
    if (!c.details!.notNull) {
      // A volatile default (random(), clock_timestamp()) rewrites: added bare, the default set for new rows, old rows backfilled.
      expand.push(`ALTER TABLE ${table} ADD COLUMN ${columnSql(c)};`, initial!.create);
      backfills.push({ table, column, set: `${column} = ${initial!.definition}`, where: `${column} IS NULL`, why: `${c.name}'s default for the rows that were there` });
      return;
    }
    if (inline && !rewrites) return void expand.push(c.create); // NOT NULL DEFAULT constant: no rewrite (PG 11+)
    expand.push(`ALTER TABLE ${table} ADD COLUMN ${columnSql(c)};`);
    if (initial) {
      if (inline) expand.push(initial.create); // else the diff sets it, after what it needs
      backfills.push({ table, column, set: `${column} = ${initial.definition}`, where: `${column} IS NULL`, why: `${c.name}'s default for the rows that were there` });
    } else {
      notes.push(`${c.name}: NOT NULL with no default, so the rows already in ${table} need a value before the contract phase validates it (pgarch migrate backfill --table ${table} --set "${bare(column)} = …")`);
    }
    const { finish } = notNullViaCheck(table, column);
    setNotNull.push(...finish);
  }

  /** Rename as expand/contract: the new column, a trigger that keeps both in step, a backfill, the old one dropped at the end. */
  function renameColumn(old: DiffObject, c: DiffObject): void {
    const table = String(c.details!.table);
    const [a, b] = [String(old.details!.column), String(c.details!.column)];
    expand.push(`ALTER TABLE ${table} ADD COLUMN ${columnSql(c)};`);
    const drop = syncTrigger(
      table,
      b,
      [
        `  IF TG_OP = 'INSERT' THEN`,
        `    IF NEW.${b} IS NULL THEN NEW.${b} := NEW.${a}; ELSIF NEW.${a} IS NULL THEN NEW.${a} := NEW.${b}; END IF;`,
        `  ELSIF NEW.${b} IS DISTINCT FROM OLD.${b} THEN NEW.${a} := NEW.${b};`,
        `  ELSE NEW.${b} := NEW.${a};`,
        `  END IF;`,
      ].join('\n'),
    );
    backfills.push({ table, column: b, set: `${b} = ${a}`, where: `${b} IS DISTINCT FROM ${a}`, why: `${old.name}'s values into ${c.name}` });
    const swap = [...drop];
    if (c.details!.notNull) {
      const { finish } = notNullViaCheck(table, b);
      swap.push(...finish);
    }
    const initial = defaultOf(c.key);
    if (initial) swap.push(initial.create);
    swap.push(`ALTER TABLE ${table} DROP COLUMN ${a};`);
    swaps.push({ table, column: b, statements: swap });
    notes.push(`${old.name} → ${c.name}: deploy code that reads ${bare(b)} (writes to either are kept in step) before the contract phase drops ${bare(a)}`);
  }

  /** A type change that rewrites: a new column kept in step by a trigger, backfilled, then swapped in one short transaction. */
  function retype(was: DiffObject, c: DiffObject, s: DiffStatement): void {
    const table = String(c.details!.table);
    const column = String(c.details!.column);
    const dependents = from.filter((o) => o.dependsOn.includes(was.key) && !['index', 'default', 'comment', 'sequence owner'].includes(o.kind));
    const referenced = [...from, ...to].some((o) => o.kind === 'constraint' && o.dependsOn.includes(was.key));
    if (dependents.length || referenced || info(table)?.partitioned) {
      notes.push(`${c.name}: the type change rewrites ${table} under ACCESS EXCLUSIVE and is made in place, since ${referenced ? 'a constraint uses the column' : dependents.length ? `${dependents.map((d) => d.name).join(', ')} use${dependents.length === 1 ? 's' : ''} it` : 'the table is partitioned'}: schedule it`);
      return void expand.push(s.sql); // in its place: what uses the column was dropped just before and is made again after
    }
    retyped.add(c.key);
    const temp = quoteIdent(truncateIdentifier(`${bare(column)}_pgarch_new`));
    const type = String(c.details!.type);
    expand.push(`ALTER TABLE ${table} ADD COLUMN ${temp} ${c.details!.attributes};`);
    const drop = syncTrigger(table, column, `  NEW.${temp} := NEW.${column}::${type};`);
    backfills.push({ table, column: temp, set: `${temp} = ${column}::${type}`, where: `${temp} IS DISTINCT FROM ${column}::${type}`, why: `${c.name} as ${type}` });
    const swap = [...drop];
    // RENAME COLUMN is what the rename-column rule warns of; here the name changes hands in the transaction that drops the old column.
    const rename = `-- pgarch-ignore rename-column (the swap: the plan's own copy takes the name as the old column is dropped)\nALTER TABLE ${table} RENAME COLUMN ${temp} TO ${column};`;
    if (c.details!.notNull) {
      const check = notNullViaCheck(table, temp);
      swap.push(`ALTER TABLE ${table} DROP COLUMN ${column};`, rename, `ALTER TABLE ${table} ALTER COLUMN ${column} SET NOT NULL;`, `ALTER TABLE ${table} DROP CONSTRAINT ${check.name};`);
    } else {
      swap.push(`ALTER TABLE ${table} DROP COLUMN ${column};`, rename);
    }
    const initial = defaultOf(c.key);
    if (initial) swap.push(initial.create);
    for (const o of to) if (o.kind === 'comment' && o.parent === c.key) swap.push(o.create);
    swaps.push({ table, column, statements: swap });
    const indexes = to.filter((o) => o.kind === 'index' && o.dependsOn.includes(c.key));
    for (const i of indexes) rebuildIndexesAfterSwap.push(concurrently(i.create));
    if (indexes.length) notes.push(`${c.name}: ${indexes.map((i) => i.name).join(', ')} ${indexes.length === 1 ? 'is' : 'are'} built again on the new column right after the swap (CONCURRENTLY); queries that need ${indexes.length === 1 ? 'it' : 'them'} are slower until then`);
  }

  if (refused.length) {
    throw new InputError(`the plan would lose data, and --allow-destructive was not given:\n${refused.map((r) => `  ${r}`).join('\n')}`);
  }

  const lockTimeout = `SET lock_timeout = '${Math.max(1, Math.round(options.lockTimeoutMs))}ms';`;
  const migrations: PlanMigration[] = [];
  const add = (phase: Phase, name: string, description: string, statements: string[], transactional = true) => {
    if (!statements.length) return;
    migrations.push({ phase, name, description, statements: transactional ? [lockTimeout, ...(setting ? [setting] : []), ...statements] : statements, transactional, down: [] });
  };
  // A transaction that locks a table ACCESS EXCLUSIVE holds it to COMMIT: one migration per table locked, so no lock waits on another table's work.
  const addSplit = (phase: Phase, name: string, description: string, statements: Entry[], first: string[] = []) => {
    const chunks = chunkByTable(statements);
    if (first.length && chunks.length) chunks[0].unshift(...first);
    else if (first.length) chunks.push(first);
    chunks.forEach((chunk, i) => add(phase, chunks.length > 1 ? `${name}_${i + 1}` : name, chunks.length > 1 ? `${description} (${i + 1} of ${chunks.length})` : description, chunk));
  };
  addSplit('expand', 'expand', 'expand: additive changes, safe while the current code runs', hoistUnlocked(expand.entries, toByKey, new Set(fromByKey.keys())), prelude);
  addSplit('expand', 'expand_foreign_keys', 'expand: foreign keys added NOT VALID (no scan; new rows are checked)', foreignKeys.entries);
  add('expand', 'expand_indexes', 'expand: indexes built without blocking writes (CONCURRENTLY, outside a transaction)', withLockTimeout(expandIndexes, lockTimeout), false);
  addSplit('expand', 'expand_validate', 'expand: the new constraints validated against existing rows (a scan that does not block writes), unique ones attached to their indexes', [...validates.entries, ...usingIndex.entries]);
  for (const b of backfills) {
    // The key walked must be the same column before and after: one the plan drops or retypes is not.
    const table = info(b.table);
    const keyKey = table?.key && `column ${b.table}.${table.key.column}`;
    const walkable = table && keyKey && !rebuiltDrops.has(keyKey) && !retyped.has(keyKey) ? table : table && { ...table, key: undefined };
    add('backfill', `backfill_${slug(table?.name ?? b.table)}_${slug(bare(b.column))}`, `backfill: ${b.why}, ${walkable?.key ? `in batches of ${options.batch} by primary key; run again to resume` : 'in one UPDATE (no one-column primary key to walk)'}`, [backfillBlock(b, walkable, options)], false);
  }
  addSplit('contract', 'contract_check', 'contract: NOT NULL enforced for new and updated rows (CHECK … NOT VALID: no scan), once the code writes the columns', addChecks.entries);
  addSplit('contract', 'contract_validate', 'contract: the NOT NULL checks validated, once every row has a value', validateNotNull.entries);
  addSplit('contract', 'contract_not_null', 'contract: NOT NULL set from the validated checks (no scan), the checks dropped', setNotNull.entries);
  for (const swap of swaps) add('contract', `contract_swap_${slug(info(swap.table)?.name ?? swap.table)}_${slug(bare(swap.column))}`, 'contract: the new column takes over in one short transaction; deploy the code that uses it first', swap.statements);
  add('contract', 'contract_indexes', 'contract: indexes built again after the swap (CONCURRENTLY)', withLockTimeout(rebuildIndexesAfterSwap, lockTimeout), false);
  add('contract', 'contract_drop_indexes', 'contract: indexes no longer wanted, dropped without blocking (CONCURRENTLY)', withLockTimeout(dropIndexes, lockTimeout), false);
  addSplit('contract', 'contract', 'contract: drops, for the release after the code stopped using them', drops.entries);
  return { migrations, notes };
}

/** Statements in order, each with the existing table it locks (the one being changed when it was added). */
class Steps {
  readonly entries: Entry[] = [];
  /** `locks: false`: statements that take no lock worth a transaction of their own (VALIDATE). */
  constructor(
    private readonly current: Omit<Entry, 'sql'>,
    private readonly options: { locks: boolean } = { locks: true },
  ) {}
  push(...sql: string[]): void {
    for (const s of sql) this.entries.push({ ...this.current, sql: s, table: this.options.locks ? this.current.table : undefined });
  }
}

interface Entry {
  sql: string;
  /** The existing table the statement locks. */
  table?: string;
  /** The TO object the statement makes or changes (none for drops). */
  object?: string;
  action?: DiffStatement['action'];
  change?: DiffStatement['change'];
}

/**
 * New objects that lock no existing table (a new table and its keys, a new view) moved back over the
 * table-locking additions before them, never before what they depend on: they then share a transaction
 * with what came before the lock instead of each starting a migration of its own. Nothing moves over a
 * drop or an alteration, which may free the name it takes (DROP IDENTITY, a type renamed away).
 */
function hoistUnlocked(entries: Entry[], toByKey: Map<string, DiffObject>, fromKeys: Set<string>): Entry[] {
  const withEntry = new Set(entries.map((e) => e.object).filter((k): k is string => k !== undefined));
  // An object made by its parent's statement (a new table's columns) counts as its parent.
  const holder = (key: string): string | undefined => (withEntry.has(key) ? key : toByKey.get(key)?.parent ? holder(toByKey.get(key)!.parent!) : undefined);
  const children = new Map<string, DiffObject[]>();
  for (const o of toByKey.values()) if (o.parent && o.createdWithParent) children.set(o.parent, [...(children.get(o.parent) ?? []), o]);
  /** What the object's statement needs made first: its own dependencies and those of what its statement makes with it. */
  const needs = (key: string, out = new Set<string>()): Set<string> => {
    const o = toByKey.get(key);
    for (const d of [...(o?.dependsOn ?? []), ...(o?.parent ? [o.parent] : [])]) {
      const h = holder(d);
      if (h && h !== key) out.add(h);
    }
    for (const c of children.get(key) ?? []) needs(c.key, out);
    return out;
  };
  const out: Entry[] = [];
  let barrier = 0;
  for (const e of entries) {
    const movable = !e.table && e.object !== undefined && e.action === 'create' && !fromKeys.has(e.object);
    if (!movable) {
      out.push(e);
      // Stepped over: locked additions, and changes that take no name (a function body replaced, a comment, a grant).
      const kind = e.object ? toByKey.get(e.object)?.kind : undefined;
      const freesName = e.action === 'drop' || !e.object || e.change === 'drop identity' || (e.action === 'alter' && (kind === undefined || NAME_CHANGING.has(kind)));
      if (freesName || (!e.table && e.action === 'create')) barrier = out.length;
      continue;
    }
    const wanted = needs(e.object!);
    let at = barrier;
    out.forEach((x, i) => {
      if (x.object && (wanted.has(x.object) || x.object === e.object)) at = Math.max(at, i + 1);
    });
    out.splice(at, 0, e);
    // What locks nothing keeps the diff's order among itself: a later one never moves before it.
    barrier = at + 1;
  }
  return out;
}

/** Cut where the locked table changes: statements that lock nothing join the next table's transaction, never follow one. */
function chunkByTable(entries: Entry[]): string[][] {
  const chunks: string[][] = [];
  let locked: string | undefined;
  let current: string[] | undefined;
  for (const e of entries) {
    if (!current || (locked !== undefined && e.table !== locked)) {
      current = [];
      chunks.push(current);
      locked = undefined;
    }
    current.push(e.sql);
    if (e.table) locked = e.table;
  }
  return chunks;
}

const RELATION_KINDS = new Set<DiffObject['kind']>(['table', 'view', 'materialized view', 'sequence', 'index', 'composite type', 'enum', 'domain', 'range type']);
/** The schema-wide names an object takes (pg_class and pg_type share them): its own, or a unique or key constraint's index. */
function relationNames(o: DiffObject | undefined): string[] {
  if (!o) return [];
  if (RELATION_KINDS.has(o.kind)) return [o.name];
  if (o.kind === 'constraint' && ['u', 'p', 'x'].includes(String(o.details?.type))) return [`${o.name.split('.')[0]}.${o.details!.name}`];
  return [];
}
// Alterations that may free or take a name a new object needs (DROP IDENTITY frees its sequence's, an enum rebuilt renames the old type).
const NAME_CHANGING = new Set<DiffObject['kind']>(['enum', 'table', 'extension', 'sequence', 'schema']);
const LOCKING_KINDS = new Set<DiffObject['kind']>(['table', 'column', 'default', 'constraint', 'index', 'trigger', 'rule', 'row security', 'forced row security', 'replica identity', 'policy']);
const tableName = (tableKey: string) => tableKey.replace(/^(table|materialized view) /, '');
const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '').slice(0, 40);
const withLockTimeout = (statements: string[], lockTimeout: string) => (statements.length ? [lockTimeout, ...statements] : []);

/** The diff's `DROP INDEX name;` (objects.ts writes it so), dropped CONCURRENTLY. */
export function dropConcurrently(sql: string): string {
  return sql.replace(/^DROP INDEX /, 'DROP INDEX CONCURRENTLY ');
}

/** `CREATE [UNIQUE] INDEX name ON …` as pg_get_indexdef prints it, built CONCURRENTLY. */
function concurrently(definition: string): string {
  return definition.replace(/^CREATE (UNIQUE )?INDEX /, (m) => `${m}CONCURRENTLY `);
}

/**
 * One DO block that walks the primary key in batches and commits after each one, so it holds no lock
 * for long, leaves what it did when stopped, and resumes when run again (the condition skips rows done).
 * Rows inserted meanwhile are made right by the sync trigger or the column's default.
 */
function backfillBlock(b: Backfill, table: TableInfo | undefined, options: PlanOptions): string {
  const lock = `  PERFORM set_config('lock_timeout', '${Math.round(options.lockTimeoutMs)}ms', false);`;
  if (!table?.key) {
    return `DO $pgarch$\nBEGIN\n${lock}\n  -- ${b.table} has no one-column primary key to walk: one UPDATE\n  UPDATE ${b.table} SET ${b.set} WHERE ${b.where};\nEND\n$pgarch$;`;
  }
  const { column: key, type } = table.key;
  return [
    `DO $pgarch$`,
    `DECLARE`,
    `  pgarch_last ${type};`,
    `  pgarch_next ${type};`,
    `  pgarch_keys bigint;`,
    `  pgarch_rows bigint;`,
    `  pgarch_total bigint := 0;`,
    `BEGIN`,
    lock,
    `  LOOP`,
    `    WITH pgarch_batch AS (`,
    `      SELECT ${key} AS pgarch_key FROM ${b.table} WHERE pgarch_last IS NULL OR ${key} > pgarch_last ORDER BY ${key} LIMIT ${options.batch}`,
    `    ), pgarch_done AS (`,
    `      UPDATE ${b.table} AS pgarch_row SET ${b.set} FROM pgarch_batch WHERE pgarch_row.${key} = pgarch_batch.pgarch_key AND (${b.where}) RETURNING 1`,
    `    )`,
    `    SELECT (SELECT max(pgarch_key) FROM pgarch_batch), (SELECT count(*) FROM pgarch_batch), (SELECT count(*) FROM pgarch_done) INTO pgarch_next, pgarch_keys, pgarch_rows;`,
    `    pgarch_total := pgarch_total + pgarch_rows;`,
    `    IF pgarch_keys > 0 THEN pgarch_last := pgarch_next; END IF;`,
    `    RAISE NOTICE 'pgarch backfill ${b.table.replace(/'/g, "''").replace(/%/g, '%%')}: % rows updated, up to key %', pgarch_total, pgarch_last;`,
    `    COMMIT;`,
    `    EXIT WHEN pgarch_keys < ${options.batch};`,
    `  END LOOP;`,
    `END`,
    `$pgarch$;`,
  ].join('\n');
}
