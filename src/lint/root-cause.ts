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

interface Root {
  finding: Finding;
  /** Names the failed statements meant to create (so their absence later is explained). */
  names: Set<string>;
  /** An extension the engine lacks: explains missing names no statement of the input creates. */
  extension?: string;
  caused: Location[];
}

export interface Failure {
  /** The finding to report; absent when an earlier failure explains this one (counted there). */
  finding?: Finding;
  /**
   * The failure comes from where pgarch ran the SQL (an extension the engine lacks, a statement the
   * scratch does not run), not from the SQL: in production the statement would run.
   */
  environmental: boolean;
}

export class FailureGroups {
  private readonly roots: Root[] = [];
  private createdAnywhere?: Set<string>;

  constructor(
    private readonly files: ParsedFile[],
    private readonly engine: { kind: EngineKind; description: string },
  ) {}

  /**
   * A statement failed with `finding` (execution-error or not-executed): the finding to report, or
   * undefined when an earlier failure explains it (it is then counted under that one).
   */
  failed(stmt: Statement, error: { code?: string; message: string }, finding: Finding): Failure {
    const root = this.rootFor(error);
    if (root) {
      if (finding.location) root.caused.push(finding.location);
      for (const name of createdNames(stmt)) root.names.add(name);
      return { environmental: root.finding.rule === 'not-executed' };
    }
    const node = (stmt.node as AnyNode).CreateExtensionStmt as AnyNode | undefined;
    const extension = node && UNAVAILABLE.has(error.code ?? '') ? String(node.extname) : undefined;
    const reported = extension ? this.unavailableExtension(extension, finding) : finding;
    this.roots.push({ finding: reported, names: new Set(createdNames(stmt)), extension, caused: [] });
    return { finding: reported, environmental: reported.rule === 'not-executed' };
  }

  /** Say, on each root finding, which later statements failed because of it. */
  finish(): void {
    for (const root of this.roots) {
      if (!root.caused.length) continue;
      const n = root.caused.length;
      const home = root.finding.location?.file;
      const where = root.caused.slice(0, 8).map((l) => (l.file === home ? `${l.line}` : `${l.file && home ? relative(dirname(home), l.file) : l.file}:${l.line}`));
      root.finding.message += ` (${n} later statement${n === 1 ? '' : 's'} failed because of it, not reported separately: line${n === 1 ? '' : 's'} ${where.join(', ')}${n > where.length ? ', …' : ''})`;
      root.finding.related = [...(root.finding.related ?? []), ...root.caused];
    }
  }

  private rootFor(error: { code?: string; message: string }): Root | undefined {
    if (!MISSING.has(error.code ?? '') || !this.roots.length) return undefined;
    const missing = missingNames(error.message);
    if (!missing.length) return undefined;
    for (let i = this.roots.length - 1; i >= 0; i--) {
      if (missing.some((name) => this.roots[i].names.has(name))) return this.roots[i];
    }
    // A type or function nothing in the input creates: the extension the engine lacks would have.
    if (!FROM_EXTENSIONS.has(error.code ?? '')) return undefined;
    const created = (this.createdAnywhere ??= new Set(this.files.flatMap((f) => f.statements.flatMap(createdNames))));
    if (missing.every((name) => created.has(name))) return undefined;
    return this.roots.find((r) => r.extension);
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

/** Quoted names in PostgreSQL's "does not exist" messages, and the unquoted ones of "function f(…)", "type t". */
function missingNames(message: string): string[] {
  const names = [...message.matchAll(/"([^"]+)"/g)].map((m) => m[1].split('.').pop()!);
  const type = /^type ([^\s"]+) does not exist/.exec(message);
  if (type) names.push(type[1].replace(/\(.*$/, '').split('.').pop()!);
  const fn = /function ([\w.$]+)\(/.exec(message);
  if (fn) names.push(fn[1].split('.').pop()!);
  const operator = /operator does not exist: (.+)$/.exec(message);
  if (operator) names.push(...operator[1].split(/\s+/).filter((w) => /^\w+$/.test(w)));
  return names;
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
