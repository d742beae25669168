// FROM objects vs TO objects → the DDL that turns FROM into TO, ordered by real dependencies: drops of
// dependents before what they depend on (FROM's pg_depend edges), creates of dependencies before their
// dependents (TO's edges). An object that changed is altered in place where PostgreSQL can (column
// type, default, nullability, identity; enum values; sequence options; function bodies; views whose
// columns only append; comments), else dropped and created again, with everything that depends on it.
import type { DiffObject } from './objects.js';

export interface DiffStatement {
  sql: string;
  /** What the statement does to its object ('set': a session setting the script needs, pg_dump's own). */
  action: 'create' | 'drop' | 'alter' | 'set';
  /** The object's kind: table, column, index… */
  kind: DiffObject['kind'];
  /** Its identity key, e.g. `column public.orders.total`. */
  object: string;
  /** Loses data (a table, column or sequence dropped, a column's type changed or rebuilt). */
  destructive: boolean;
  /** Which in-place change of a column it is, for `pgarch plan` to make it online. */
  change?: 'type' | 'set not null' | 'drop not null' | 'identity' | 'drop identity';
}

const DATA_KINDS = new Set<DiffObject['kind']>(['table', 'column', 'sequence', 'schema']);
// What PostgreSQL refuses to keep across ALTER COLUMN … TYPE ("cannot alter type of a column used by a
// view or rule", "…used in a policy definition", "…in a trigger definition"): dropped and made again.
const REBUILT_ON_TYPE_CHANGE = new Set<DiffObject['kind']>(['view', 'materialized view', 'function', 'procedure', 'trigger', 'policy']);

export function diffObjects(from: DiffObject[], to: DiffObject[]): DiffStatement[] {
  const fromByKey = new Map(from.map((o) => [o.key, o]));
  const toByKey = new Map(to.map((o) => [o.key, o]));
  const drops = new Set<string>();
  const creates = new Set<string>();
  const alters = new Map<string, DiffStatement[]>();
  const early = new Map<string, DiffStatement[]>();

  for (const o of from) if (!toByKey.has(o.key)) drops.add(o.key);
  for (const o of to) if (!fromByKey.has(o.key)) creates.add(o.key);
  const rebuildDependents: string[] = [];
  const enumRebuilds: string[] = [];
  // The columns of an enum's type (or of its array type), on both sides.
  const columnsOf = (type: string) => from.filter((c) => c.kind === 'column' && c.dependsOn.includes(type) && toByKey.get(c.key)?.dependsOn.includes(type)).map((c) => c.key);
  for (const o of from) {
    const next = toByKey.get(o.key);
    if (!next || next.definition === o.definition) continue;
    const inPlace = alterInPlace(o, next);
    if (!inPlace && o.kind === 'enum') {
      // A value removed or moved: a new type under the old name, the columns moved onto it (below).
      enumRebuilds.push(o.key);
      rebuildDependents.push(o.key, ...columnsOf(o.key));
      continue;
    }
    if (inPlace) {
      alters.set(o.key, inPlace.statements);
      if (inPlace.early?.length) early.set(o.key, inPlace.early);
      if (inPlace.rebuildDependents) rebuildDependents.push(o.key);
    } else {
      drops.add(o.key);
      creates.add(o.key);
    }
  }

  // Everything in FROM that depends on what is dropped goes first, and is made again if TO has it.
  const dependents = new Map<string, string[]>();
  for (const o of from) {
    for (const d of o.dependsOn) {
      const list = dependents.get(d);
      if (list) list.push(o.key);
      else dependents.set(d, [o.key]);
    }
  }
  const queue = [...drops];
  const dropDependent = (key: string) => {
    if (drops.has(key)) return;
    drops.add(key);
    queue.push(key);
    if (toByKey.has(key)) creates.add(key);
    alters.delete(key);
    early.delete(key);
  };
  for (const key of enumRebuilds) {
    // A default of the old type does not cast to the new one: dropped and set again.
    for (const d of dependents.get(key) ?? []) if (fromByKey.get(d)!.kind === 'default') dropDependent(d);
  }
  for (const key of rebuildDependents) {
    // A default may not cast to the new type ("cannot be cast automatically"): dropped and set again.
    for (const d of dependents.get(key) ?? []) {
      const dependent = fromByKey.get(d)!;
      // "cannot alter type of a column used by a generated column": that column is made again too
      const generated = dependent.kind === 'column' && dependent.details?.generated;
      if (REBUILT_ON_TYPE_CHANGE.has(dependent.kind) || dependent.kind === 'default' || generated) dropDependent(d);
    }
  }
  while (queue.length) {
    const key = queue.pop()!;
    for (const d of dependents.get(key) ?? []) dropDependent(d);
  }

  for (const key of enumRebuilds) alters.set(key, rebuildEnum(fromByKey.get(key)!, toByKey.get(key)!, columnsOf(key).filter((c) => !drops.has(c)).map((c) => toByKey.get(c)!)));

  const statements: DiffStatement[] = [];
  const droppedWithParent = (o: DiffObject) => Boolean(o.droppedWithParent && o.parent && drops.has(o.parent));
  for (const key of topological([...drops], fromByKey, 'dependents first', droppedWithParent)) {
    const o = fromByKey.get(key)!;
    statements.push({ sql: o.drop, action: 'drop', kind: o.kind, object: key, destructive: DATA_KINDS.has(o.kind) });
  }
  for (const statementsOf of early.values()) statements.push(...statementsOf);
  const createdWithParent = (o: DiffObject) => Boolean(o.createdWithParent && o.parent && creates.has(o.parent) && !alters.has(o.key));
  for (const key of topological([...creates, ...alters.keys()], toByKey, 'dependencies first', createdWithParent)) {
    const o = toByKey.get(key)!;
    const altered = alters.get(key);
    if (altered) {
      statements.push(...altered);
      continue;
    }
    statements.push({ sql: o.create, action: 'create', kind: o.kind, object: key, destructive: false });
  }
  // A function's body is checked against tables that may come later (pg_depend records no edge for a
  // body, only for SQL-standard ones): off for this script, as pg_dump does.
  if (statements.some((s) => (s.kind === 'function' || s.kind === 'procedure') && s.action !== 'drop')) {
    statements.unshift({ sql: 'SET check_function_bodies = off;', action: 'set', kind: 'function', object: 'check_function_bodies', destructive: false });
  }
  return statements;
}

/**
 * The keys that get a statement, in an order where each comes after (or, for drops, before) what it
 * depends on; ties keep the side's own order. A key that goes with its parent (`withParent`: a new
 * table's columns, a dropped table's constraints) has no statement, and its dependencies count as its
 * parent's: a new table comes after the enum its column uses, a dropped table before the key its
 * foreign key references.
 */
function topological(keys: string[], byKey: Map<string, DiffObject>, order: 'dependents first' | 'dependencies first', withParent: (o: DiffObject) => boolean): string[] {
  const wanted = new Set(keys);
  const holder = (key: string): string => {
    const o = byKey.get(key)!;
    return withParent(o) ? holder(o.parent!) : key;
  };
  const needs = new Map<string, Set<string>>();
  for (const key of wanted) {
    const at = holder(key);
    const set = needs.get(at) ?? new Set<string>();
    needs.set(at, set);
    for (const d of byKey.get(key)!.dependsOn) {
      if (!wanted.has(d) || !byKey.has(d)) continue;
      const of = holder(d);
      if (of !== at) set.add(of);
    }
  }
  const position = new Map([...byKey.keys()].map((k, i) => [k, i]));
  const sorted = [...needs.keys()].sort((a, b) => position.get(a)! - position.get(b)!);
  const out: string[] = [];
  const state = new Set<string>();
  // Depth-first over dependencies; a cycle (which pg_depend does not make between objects we split) is cut where found.
  const visit = (key: string) => {
    if (state.has(key)) return;
    state.add(key);
    for (const d of needs.get(key) ?? []) visit(d);
    out.push(key);
  };
  for (const key of sorted) visit(key);
  return order === 'dependencies first' ? out : out.reverse();
}

interface InPlace {
  statements: DiffStatement[];
  /** Run with the drops, before anything is made (DROP IDENTITY frees its sequence's name for a new one). */
  early?: DiffStatement[];
  /** The change is one PostgreSQL refuses while views, policies or triggers use the object. */
  rebuildDependents?: boolean;
}

function alterInPlace(from: DiffObject, to: DiffObject): InPlace | undefined {
  const alter = (sql: string, destructive = false, change?: DiffStatement['change']): DiffStatement => ({ sql, action: 'alter', kind: to.kind, object: to.key, destructive, ...(change ? { change } : {}) });
  switch (to.kind) {
    case 'comment':
    case 'default':
    case 'sequence owner':
      return { statements: [alter(to.create)] };
    case 'sequence':
      return { statements: [alter(`ALTER SEQUENCE ${to.name} ${to.details!.options};`)] };
    case 'extension': {
      const out: DiffStatement[] = [];
      // A relocatable extension moves with SET SCHEMA; one that is not refuses it, as PostgreSQL says.
      if (from.details!.schema !== to.details!.schema) out.push(alter(`ALTER EXTENSION ${to.name} SET SCHEMA ${to.details!.schema};`));
      if (from.details!.version !== to.details!.version) out.push(alter(`ALTER EXTENSION ${to.name} UPDATE TO '${String(to.details!.version).replace(/'/g, "''")}';`));
      return { statements: out };
    }
    case 'enum':
      return alterEnum(from, to, alter);
    case 'domain': {
      const [a, b] = [from.details!, to.details!];
      if (from.definition.split(' default=')[0] !== to.definition.split(' default=')[0]) return undefined; // base type or collation
      const out: DiffStatement[] = [];
      if (a.default !== b.default) out.push(alter(b.default == null ? `ALTER DOMAIN ${to.name} DROP DEFAULT;` : `ALTER DOMAIN ${to.name} SET DEFAULT ${b.default};`));
      if (a.notNull !== b.notNull) out.push(alter(`ALTER DOMAIN ${to.name} ${b.notNull ? 'SET' : 'DROP'} NOT NULL;`));
      return { statements: out };
    }
    case 'table': {
      const [a, b] = [from.details!, to.details!];
      // Persistence and storage options change in place; partitioning or inheritance: rebuilt.
      const [was, now] = [from.definition.split('|'), to.definition.split('|')];
      if ([1, 2, 3, 5].some((i) => was[i] !== now[i])) return undefined;
      const out: DiffStatement[] = [];
      if (a.unlogged !== b.unlogged) out.push(alter(`ALTER TABLE ${to.name} SET ${b.unlogged ? 'UNLOGGED' : 'LOGGED'};`));
      const options = (list: unknown) => (list ? String(list).split(', ') : []);
      const [had, wanted] = [options(a.options), options(b.options)];
      const removed = had.map((o) => o.split('=')[0]).filter((name) => !wanted.some((o) => o.split('=')[0] === name));
      const changed = wanted.filter((o) => !had.includes(o));
      if (removed.length) out.push(alter(`ALTER TABLE ${to.name} RESET (${removed.join(', ')});`));
      if (changed.length) out.push(alter(`ALTER TABLE ${to.name} SET (${changed.join(', ')});`));
      return out.length ? { statements: out } : undefined;
    }
    case 'column':
      return alterColumn(from, to, alter);
    case 'function':
    case 'procedure': {
      // CREATE OR REPLACE keeps the signature; a new result type or argument names need a drop.
      if (from.details!.result !== to.details!.result || from.details!.argNames !== to.details!.argNames) return undefined;
      return { statements: [alter(to.create)] };
    }
    case 'view': {
      // CREATE OR REPLACE VIEW may only add columns at the end, with the old ones unchanged.
      const [a, b] = [from.details!.columns as string[], to.details!.columns as string[]];
      if (from.details!.options !== to.details!.options || a.length > b.length || a.some((c, i) => b[i] !== c)) return undefined;
      return { statements: [alter(to.details!.replace as string)] };
    }
    default:
      return undefined;
  }
}

function alterColumn(from: DiffObject, to: DiffObject, alter: (sql: string, destructive?: boolean, change?: DiffStatement['change']) => DiffStatement): InPlace | undefined {
  const [a, b] = [from.details!, to.details!];
  if (a.generated !== b.generated) return undefined; // PG 17 can SET EXPRESSION; PG 15 cannot: rebuilt
  // Between type categories (pg_type.typcategory) there is mostly no cast (bigint to uuid): the column
  // is dropped and added again. To or from a string type, the I/O conversion casts any value.
  if (a.type !== b.type && a.typeCategory !== b.typeCategory && a.typeCategory !== 'S' && b.typeCategory !== 'S') return undefined;
  const table = `ALTER TABLE ${b.table} ALTER COLUMN ${b.column}`;
  const out: DiffStatement[] = [];
  const early: DiffStatement[] = [];
  let rebuildDependents = false;
  if (a.identity && a.identity !== b.identity) {
    if (b.identity) out.push(alter(`${table} SET GENERATED ${b.identity};`));
    else early.push(alter(`${table} DROP IDENTITY;`, false, 'drop identity'));
  }
  if (a.type !== b.type || a.collation !== b.collation) {
    out.push(alter(`${table} TYPE ${b.type}${b.collation ? ` COLLATE ${b.collation}` : ''} USING ${b.column}::${b.type};`, true, 'type'));
    rebuildDependents = true;
  }
  if (a.identity && b.identity && a.identityOptions !== b.identityOptions) {
    // Each option back to its type's default unless TO names it (NO MINVALUE / NO MAXVALUE are those defaults).
    const wanted = String(b.identityOptions ?? '');
    const named = (name: string) => wanted.match(new RegExp(`${name} (-?\\d+)`))?.[1];
    const increment = named('INCREMENT BY') ?? '1';
    const ascending = !increment.startsWith('-');
    const start = named('START WITH') ?? (ascending ? (named('MINVALUE') ?? '1') : (named('MAXVALUE') ?? '-1'));
    const options = [
      `INCREMENT BY ${increment}`,
      named('MINVALUE') ? `MINVALUE ${named('MINVALUE')}` : 'NO MINVALUE',
      named('MAXVALUE') ? `MAXVALUE ${named('MAXVALUE')}` : 'NO MAXVALUE',
      `START WITH ${start}`,
      `CACHE ${named('CACHE') ?? '1'}`,
      /(^| )CYCLE/.test(wanted) ? 'CYCLE' : 'NO CYCLE',
    ];
    out.push(alter(`${table} ${options.map((o) => `SET ${o}`).join(' ')};`));
  }
  if (a.notNull !== b.notNull) out.push(alter(`${table} ${b.notNull ? 'SET' : 'DROP'} NOT NULL;`, false, b.notNull ? 'set not null' : 'drop not null'));
  if (b.identity && !a.identity) out.push(alter(`${table} ADD GENERATED ${b.identity} AS IDENTITY;`, false, 'identity'));
  return { statements: out, early, rebuildDependents };
}

function alterEnum(from: DiffObject, to: DiffObject, alter: (sql: string) => DiffStatement): InPlace | undefined {
  const [a, b] = [from.details!.labels as string[], to.details!.labels as string[]];
  const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
  // Same number of labels, some changed in place: renamed (PG 10+: RENAME VALUE).
  if (a.length === b.length) {
    if (new Set(a).size !== a.length || a.filter((l, i) => b[i] !== l && b.includes(l)).length) return undefined; // reordered: rebuilt
    return { statements: a.flatMap((l, i) => (b[i] === l ? [] : [alter(`ALTER TYPE ${to.name} RENAME VALUE ${lit(l)} TO ${lit(b[i])};`)])) };
  }
  // Every old label kept, in order: the new ones are added beside their neighbours.
  const kept = b.filter((l) => a.includes(l));
  if (kept.length !== a.length || kept.some((l, i) => a[i] !== l)) return undefined; // a value removed or moved: rebuilt
  const out: DiffStatement[] = [];
  b.forEach((label, i) => {
    if (a.includes(label)) return;
    out.push(alter(i > 0 ? `ALTER TYPE ${to.name} ADD VALUE ${lit(label)} AFTER ${lit(b[i - 1])};` : `ALTER TYPE ${to.name} ADD VALUE ${lit(label)} BEFORE ${lit(a[0])};`));
  });
  return { statements: out };
}

/**
 * An enum that lost or reordered a value cannot be altered: the old type is renamed, the new one made
 * under its name, each column moved onto it through text (failing, as it should, on a row that holds
 * a removed value), and the old type dropped. What refuses a type change (views, policies) was dropped before.
 */
function rebuildEnum(from: DiffObject, to: DiffObject, columns: DiffObject[]): DiffStatement[] {
  const alter = (sql: string, destructive = false): DiffStatement => ({ sql, action: 'alter', kind: to.kind, object: to.key, destructive });
  return [
    alter(`ALTER TYPE ${from.name} RENAME TO ${from.details!.renamedBare};`),
    alter(to.create),
    ...columns.map((c) => alter(`ALTER TABLE ${c.details!.table} ALTER COLUMN ${c.details!.column} TYPE ${c.details!.type} USING ${c.details!.column}::text::${c.details!.type};`, true)),
    alter(`DROP TYPE ${from.details!.renamed};`),
  ];
}

/**
 * Tables whose columns TO has in an order the statements do not reach (ADD COLUMN appends; PostgreSQL
 * cannot move a column): one line each. The diff leaves column order alone, as rebuilding a table would lose its data.
 */
export function columnOrderNotes(from: DiffObject[], to: DiffObject[]): string[] {
  const columns = (objects: DiffObject[]) => {
    const byTable = new Map<string, string[]>();
    for (const o of objects) if (o.kind === 'column') byTable.set(o.parent!, [...(byTable.get(o.parent!) ?? []), o.details!.column as string]);
    return byTable;
  };
  const [a, b] = [columns(from), columns(to)];
  const notes: string[] = [];
  for (const [table, wanted] of b) {
    const had = a.get(table);
    if (!had) continue;
    const kept = had.filter((c) => wanted.includes(c));
    const reached = [...kept, ...wanted.filter((c) => !had.includes(c))];
    if (reached.join(',') !== wanted.join(',')) notes.push(`${table.slice('table '.length)}: the columns will be in the order ${reached.join(', ')}, not ${wanted.join(', ')} (PostgreSQL cannot move a column)`);
  }
  return notes;
}
