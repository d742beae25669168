// One failure, one finding. When a statement fails (an extension the engine lacks, a table whose
// CREATE failed), the statements after it that fail only because of it — "type vector does not
// exist", "relation items does not exist" — are not reported one by one: the first failure is the
// finding, and it says how many statements failed because of it and where.
import { dirname, relative } from 'node:path';
import type { EngineKind } from '../engine/types.js';
import type { AnyNode } from '../rules/types.js';
import type { ParsedFile, Statement } from '../sql/parse.js';
import type { Finding, Location } from '../types.js';

// SQLSTATEs of "something named does not exist": what an earlier failure leaves behind.
const MISSING = new Set(['42P01', '42704', '42883', '3F000', '42703', '42P02']);
// What a missing extension leaves undefined: types, access methods, operator classes (42704),
// functions and operators (42883), its schema (3F000) — not tables or columns, which the project makes.
const FROM_EXTENSIONS = new Set(['42704', '42883', '3F000']);
// A CREATE EXTENSION that failed because the engine has no such extension (0A000 from PG 15.9/18,
// 58P01 before: could not open extension control file).
const UNAVAILABLE = new Set(['0A000', '58P01']);

/**
 * What popular extensions the engine may lack provide, so that "type geometry does not exist" is put on
 * postgis and not on another missing extension. Names as PostgreSQL reports them; a trailing `*` is a
 * prefix.
 */
const PROVIDES: Record<string, string[]> = {
  vector: ['vector', 'halfvec', 'sparsevec', 'hnsw', 'ivfflat', 'vector_*', 'halfvec_*', 'sparsevec_*', 'l2_distance', 'cosine_distance', 'inner_product', 'l1_distance', 'subvector', 'binary_quantize'],
  postgis: ['geometry', 'geography', 'box2d', 'box3d', 'st_*', 'postgis_*', 'spatial_ref_sys', 'geometry_*', 'geography_*', 'gidx'],
  postgis_raster: ['raster', 'st_*'],
  postgis_topology: ['topology', 'topogeometry'],
  postgis_tiger_geocoder: ['tiger', 'tiger_data'],
  pg_cron: ['cron'],
  pg_net: ['net'],
  http: ['http', 'http_*'],
  pgsodium: ['pgsodium'],
  supabase_vault: ['vault'],
  pg_graphql: ['graphql'],
  pgjwt: ['sign', 'verify', 'url_encode', 'url_decode', 'algorithm_sign'],
  timescaledb: ['create_hypertable', 'time_bucket', 'add_*_policy', 'timescaledb_*'],
  pg_partman: ['partman', 'create_parent'],
  pgmq: ['pgmq'],
  pg_jsonschema: ['json_matches_schema', 'jsonb_matches_schema'],
  plv8: ['plv8'],
  pgroonga: ['pgroonga', 'pgroonga_*'],
  rum: ['rum', 'rum_*'],
  hypopg: ['hypopg*'],
  pg_hashids: ['id_encode', 'id_decode'],
  pg_tle: ['pgtle'],
};

interface Root {
  finding: Finding;
  /** Names the failed statements meant to create (so their absence later is explained). */
  names: Set<string>;
  /** An extension the engine lacks: explains missing names no statement of the input creates. */
  extension?: string;
  /** The objects the migrations use and none of them creates (by kind), when this is that root. */
  assumed?: Map<string, Set<string>>;
  /** Tables the failed statements were altering: a constraint or column they added is missing there later. */
  altered: Set<string>;
  caused: Location[];
}

// What an ALTER TABLE that failed leaves missing on its table: a column (42703), a key a foreign key
// needs (42830), a constraint or index (42704).
const LEFT_BY_ALTER = new Set(['42703', '42830', '42704']);

export interface Failure {
  /** The finding to report; absent when an earlier failure explains this one (counted there). */
  finding?: Finding;
  /** The failure this one is counted under (itself when it is the first). */
  root?: unknown;
  /**
   * The failure comes from where pgarch ran the SQL (an extension the engine lacks, a statement the
   * scratch does not run), not from the SQL: in production the statement would run.
   */
  environmental: boolean;
}

export class FailureGroups {
  private readonly roots: Root[] = [];
  /** Where in the input (statement order) each object is first created. */
  private firstCreated?: Creations;
  /** Objects used that no statement of the input creates: one root for all of them. */
  private assumed?: Root;

  constructor(
    private readonly files: ParsedFile[],
    private readonly engine: { kind: EngineKind; description: string },
  ) {}

  /** Whether anything has failed so far (then later errors may be grouped under it). */
  get any(): boolean {
    return this.roots.length > 0 || this.assumed !== undefined;
  }

  /**
   * A statement failed with `finding` (execution-error or not-executed): the finding to report, or
   * undefined when an earlier failure explains it (it is then counted under that one).
   */
  failed(stmt: Statement, error: { code?: string; message: string }, finding: Finding): Failure {
    const explained = this.rootFor(error, stmt);
    const assumed = explained ? undefined : this.assumedRoot(error, finding, stmt);
    const root = explained ?? assumed?.root;
    if (root) {
      for (const name of createdNames(stmt)) root.names.add(name);
      for (const table of alteredTables(stmt)) root.altered.add(table);
      // The first statement that needs an object nobody creates carries that finding; later ones count there.
      if (assumed?.first) return { finding: root.finding, environmental: true, root };
      if (finding.location) root.caused.push(finding.location);
      return { environmental: root.finding.rule === 'not-executed' || root === this.assumed, root };
    }
    const node = (stmt.node as AnyNode).CreateExtensionStmt as AnyNode | undefined;
    const extension = node && UNAVAILABLE.has(error.code ?? '') ? String(node.extname) : undefined;
    // The same missing extension created again: one finding for it.
    const again = extension && this.roots.find((r) => r.extension === extension);
    if (again) {
      if (finding.location) again.caused.push(finding.location);
      return { environmental: true, root: again };
    }
    const reported = extension ? this.unavailableExtension(extension, finding) : finding;
    const created: Root = { finding: reported, names: new Set(createdNames(stmt)), altered: new Set(alteredTables(stmt)), extension, caused: [] };
    this.roots.push(created);
    return { finding: reported, environmental: reported.rule === 'not-executed', root: created };
  }

  /**
   * A failure aborted a transaction and the statements of it were rolled back: what they created is
   * missing later because of that failure.
   */
  rolledBack(failure: Failure | undefined, statements: Statement[]): void {
    const root = this.roots.find((r) => r === failure?.root);
    if (!root) return;
    for (const stmt of statements) for (const name of createdNames(stmt)) root.names.add(name);
  }

  /** Say, on each root finding, which later statements failed because of it. */
  finish(): void {
    if (this.assumed) {
      this.assumed.finding.message = assumedMessage(this.assumed.assumed!, this.assumed.caused.length + 1);
      if (this.assumed.caused.length) this.assumed.finding.related = [...this.assumed.caused];
    }
    for (const root of this.roots) {
      if (!root.caused.length || root === this.assumed) continue;
      const n = root.caused.length;
      const home = root.finding.location?.file;
      const where = root.caused.slice(0, 8).map((l) => (l.file === home ? `${l.line}` : `${l.file && home ? relative(dirname(home), l.file) : l.file}:${l.line}`));
      root.finding.message += ` (${n} later statement${n === 1 ? '' : 's'} failed because of it, not reported separately: line${n === 1 ? '' : 's'} ${where.join(', ')}${n > where.length ? ', …' : ''})`;
      root.finding.related = [...(root.finding.related ?? []), ...root.caused];
    }
  }

  private rootFor(error: { code?: string; message: string }, stmt: Statement): Root | undefined {
    if (LEFT_BY_ALTER.has(error.code ?? '')) {
      const quoted = [...error.message.matchAll(/"([^"]+)"/g)].map((m) => m[1].split('.').pop()!);
      for (let i = this.roots.length - 1; i >= 0; i--) {
        if (quoted.some((name) => this.roots[i].altered.has(name))) return this.roots[i];
      }
    }
    if (!MISSING.has(error.code ?? '')) return undefined;
    const missing = missingNames(error.message);
    if (!missing.length) return undefined;
    for (let i = this.roots.length - 1; i >= 0; i--) {
      if (missing.some((name) => this.roots[i].names.has(name))) return this.roots[i];
    }
    // `ALTER TABLE IF EXISTS a RENAME TO b` succeeds, doing nothing, when a's CREATE failed: b is then
    // missing because of that failure.
    const earlier = missing.flatMap((name) => this.renamedFrom(name, stmt));
    for (let i = this.roots.length - 1; i >= 0; i--) {
      if (earlier.some((name) => this.roots[i].names.has(name))) return this.roots[i];
    }
    if (!this.notCreatedBefore(missing, stmt).length) return undefined;
    // A type or function nothing in the input creates: from an extension the engine lacks that is known
    // to provide it.
    const extensions = this.roots.filter((r) => r.extension);
    const known = extensions.find((r) => missing.some((name) => provides(r.extension!, name)));
    if (known) return known;
    if (!FROM_EXTENSIONS.has(error.code ?? '')) return undefined;
    // Extensions name their objects after themselves (plpgsql_check_function of plpgsql_check); what no
    // known extension provides is not guessed onto one: it is among the objects nothing here creates.
    return extensions.find((r) => missing.some((name) => name.toLowerCase().startsWith(r.extension!.toLowerCase())));
  }

  /**
   * Names no statement before `stmt` creates: used before anything here makes them, they come from
   * what the history starts from (a table dropped and made again later still existed at first).
   */
  /** The names `name` had before renames earlier than `stmt` (most recent first). */
  private renamedFrom(name: string, stmt: Statement): string[] {
    const created = (this.firstCreated ??= firstCreations(this.files));
    const here = created.order.get(stmt) ?? Infinity;
    const out: string[] = [];
    for (let current = name, rename = created.renamed.get(current); rename && rename.at < here && !out.includes(rename.from); rename = created.renamed.get(current)) {
      out.push(rename.from);
      current = rename.from;
    }
    return out;
  }

  private notCreatedBefore(names: string[], stmt: Statement): string[] {
    const created = (this.firstCreated ??= firstCreations(this.files));
    const here = created.order.get(stmt) ?? Infinity;
    return names.filter((name) => !((created.at.get(name) ?? Infinity) < here));
  }

  /**
   * A table, role, schema, type or function the migrations use and none of them creates: it exists
   * where they run (a baseline schema, the platform, what an ORM or a non-SQL migration makes), or it
   * is a typo. One error for all such objects, at the first statement that needed one: the statements
   * that need them could not be checked until the environment is given (--setup).
   */
  private assumedRoot(error: { code?: string; message: string }, finding: Finding, stmt: Statement): { root: Root; first: boolean } | undefined {
    if (!MISSING.has(error.code ?? '') || error.code === '42703') return undefined;
    const missing = this.notCreatedBefore(missingNames(error.message), stmt);
    if (!missing.length) return undefined;
    const kind = objectKind(error);
    const first = !this.assumed;
    if (!this.assumed) {
      this.assumed = {
        finding: {
          rule: 'execution-error',
          severity: 'error',
          message: '',
          ...(finding.location ? { location: finding.location } : {}),
          hint: 'Give that schema with --setup FILE (a pg_dump --schema-only of a database the migrations ran on, or CREATE statements for the roles), or --profile supabase for the Supabase platform. A name that is a typo fails in production too.',
          docs: 'docs/rules/not-executed.md',
        },
        names: new Set(),
        assumed: new Map(),
        altered: new Set(),
        caused: [],
      };
      this.roots.push(this.assumed);
    }
    const names = this.assumed.assumed!.get(kind) ?? new Set<string>();
    for (const name of missing) names.add(name);
    this.assumed.assumed!.set(kind, names);
    return { root: this.assumed, first };
  }

  private unavailableExtension(name: string, finding: Finding): Finding {
    const where = this.engine.kind === 'pglite' ? 'the embedded engine (PGlite)' : 'this server';
    return {
      rule: 'not-executed',
      severity: 'warning',
      message: `Extension ${name} is not available in ${where}: nothing that needs it can be checked`,
      ...(finding.location ? { location: finding.location } : {}),
      hint:
        this.engine.kind === 'pglite'
          ? `Lint with --database on a PostgreSQL server that has ${name} installed, or give stand-ins for what the migrations use from it (types, functions) in a --setup file.`
          : `Install ${name} on the server, or give stand-ins for what the migrations use from it (types, functions) in a --setup file.`,
      docs: 'docs/rules/not-executed.md',
    };
  }
}

function provides(extension: string, name: string): boolean {
  const lower = name.toLowerCase();
  return (PROVIDES[extension.toLowerCase()] ?? []).some((p) => (p.endsWith('*') ? lower.startsWith(p.slice(0, -1)) : lower === p));
}

/** What kind of object a "does not exist" error is about (PostgreSQL's English messages). */
function objectKind(error: { code?: string; message: string }): string {
  if (error.code === '42P01') return 'tables';
  if (error.code === '3F000') return 'schemas';
  if (error.code === '42883') return 'functions';
  const word = /^(role|type|operator class|access method|extension|text search configuration|collation)\b/.exec(error.message)?.[1];
  return word ? `${word === 'access method' ? 'access methods' : word === 'operator class' ? 'operator classes' : `${word}s`}` : 'objects';
}

function assumedMessage(assumed: Map<string, Set<string>>, statements: number): string {
  const parts = [...assumed].map(([kind, names]) => {
    const list = [...names];
    return `${kind} ${list.slice(0, 6).join(', ')}${list.length > 6 ? ` and ${list.length - 6} more` : ''}`;
  });
  return `The migrations use objects that none of them has created by then (${parts.join('; ')}): they must exist where the migrations run — a baseline schema, the platform, what an ORM or a non-SQL migration makes. ${statements} statement${statements === 1 ? ' that needs' : 's that need'} them could not be checked`;
}

/** Quoted names in PostgreSQL's "does not exist" messages, and the unquoted ones of "function f(…)", "type t". */
export function missingNames(message: string): string[] {
  const names = [...message.matchAll(/"([^"]+)"/g)].map((m) => m[1].split('.').pop()!);
  const type = /^type ([^\s"]+) does not exist/.exec(message);
  if (type) names.push(type[1].replace(/\(.*$/, '').split('.').pop()!);
  const fn = /function ([\w.$]+)\(/.exec(message);
  if (fn) names.push(fn[1].split('.').pop()!);
  const operator = /operator does not exist: (.+)$/.exec(message);
  if (operator) names.push(...operator[1].split(/\s+/).filter((w) => /^\w+$/.test(w)));
  return names;
}

/**
 * Where each object (not column) is first created, in statement order. A rename creates its new name
 * only once something created the old one: `ALTER TABLE IF EXISTS baseline_table RENAME TO x` makes
 * nothing here.
 */
interface Creations {
  /** Where each object (not column) is first created, in statement order. */
  at: Map<string, number>;
  order: Map<Statement, number>;
  /** The first rename to each name: from which name, where. */
  renamed: Map<string, { from: string; at: number }>;
}

function firstCreations(files: ParsedFile[]): Creations {
  const at = new Map<string, number>();
  const order = new Map<Statement, number>();
  const renamed = new Map<string, { from: string; at: number }>();
  let n = 0;
  for (const f of files) {
    for (const stmt of f.statements) {
      order.set(stmt, ++n);
      if (stmt.kind === 'AlterTableStmt') continue; // columns and constraints, not objects
      const rename = (stmt.node as AnyNode).RenameStmt as AnyNode | undefined;
      if (rename) {
        const old = rename.relation?.relname ?? (rename.object?.List?.items ?? []).map((i: AnyNode) => i.String?.sval).pop();
        if (old && rename.newname && !rename.subname && !renamed.has(String(rename.newname))) renamed.set(String(rename.newname), { from: String(old), at: n });
        if (old && rename.newname && !rename.subname && at.has(String(old)) && !at.has(String(rename.newname))) at.set(String(rename.newname), n);
        continue;
      }
      for (const name of createdNames(stmt)) if (!at.has(name)) at.set(name, n);
    }
  }
  return { at, order, renamed };
}

function alteredTables(stmt: Statement): string[] {
  const relname = stmt.kind === 'AlterTableStmt' ? ((stmt.node as AnyNode).AlterTableStmt as AnyNode).relation?.relname : undefined;
  return relname ? [String(relname)] : [];
}

/** Unqualified names of what a statement creates (as PostgreSQL stores them: unquoted ones lower-cased). */
export function createdNames(stmt: Statement): string[] {
  const n = (stmt.node as AnyNode)[stmt.kind] as AnyNode | undefined;
  if (!n) return [];
  const last = (list: AnyNode[] | undefined) => (list?.length ? [String(list[list.length - 1].String?.sval)] : []);
  switch (stmt.kind) {
    case 'CreateStmt':
    case 'CreateForeignTableStmt':
      return [n.relation?.relname ?? n.base?.relation?.relname].filter(Boolean);
    case 'CreateTableAsStmt':
      return [n.into?.rel?.relname].filter(Boolean);
    case 'ViewStmt':
      return [n.view?.relname].filter(Boolean);
    case 'CreateSeqStmt':
      return [n.sequence?.relname].filter(Boolean);
    case 'IndexStmt':
      return [n.idxname].filter(Boolean);
    case 'CompositeTypeStmt':
      return [n.typevar?.relname].filter(Boolean);
    case 'CreateEnumStmt':
    case 'CreateRangeStmt':
      return last(n.typeName);
    case 'CreateDomainStmt':
      return last(n.domainname);
    case 'DefineStmt':
      return last(n.defnames);
    case 'CreateFunctionStmt':
      return last(n.funcname);
    case 'CreateSchemaStmt':
      return [n.schemaname].filter(Boolean);
    case 'CreateExtensionStmt':
      return [n.extname].filter(Boolean);
    case 'CreateTrigStmt':
      return [n.trigname].filter(Boolean);
    case 'RenameStmt':
      return [n.newname].filter(Boolean);
    case 'AlterTableStmt':
      return (n.cmds ?? []).flatMap((c: AnyNode) => {
        const cmd = c.AlterTableCmd as AnyNode;
        if (cmd?.subtype === 'AT_AddColumn') return [cmd.def?.ColumnDef?.colname].filter(Boolean);
        if (cmd?.subtype === 'AT_AddConstraint') return [cmd.def?.Constraint?.conname].filter(Boolean);
        return [];
      });
    default:
      return [];
  }
}
