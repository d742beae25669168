// The queries to lint: .sql files, and SQL literals in TypeScript/JavaScript files, each parsed into
// located statements. A unit is one parse: a whole .sql file, or one literal in code.
import { readFileSync } from 'node:fs';
import { extname, relative } from 'node:path';
import { InputError, statPath, walkFiles } from '../lint/files.js';
import { lineStartsOf, offsetOfPosition } from '../sql/tokens.js';
import { loadParser, parseFileSync, type ParsedFile, type Statement } from '../sql/parse.js';
import { sqlcParameters } from './sqlc.js';
import type { Finding, Location } from '../types.js';
import { CODE_EXTENSIONS, loadTypeScript, extractSqlWith, sourcePosition } from './extract.js';
import { readSqlFile } from '../sql/encoding.js';

export interface QueryUnit {
  /** Statements in the SQL's own coordinates (a literal's SQL for code). */
  parsed: ParsedFile;
  /** The SQL is a literal in application code. */
  embedded: boolean;
  /** For code: where the literal was found (`sql` tag or `pool.query`). */
  via?: string;
  /** Rule ids silenced for this unit by a directive comment in code. */
  ignored: string[];
  /** File location of a parse-tree location of one of its statements. */
  locate(stmt: Statement, location?: number): Location;
  /** Character offset within the statement's text of a parse-tree location. */
  offset(stmt: Statement, location: number): number | undefined;
  /** File location of a character offset within a statement's text. */
  locateOffset(stmt: Statement, offset: number): Location;
}

export interface QuerySource {
  file: string;
  kind: 'sql' | 'code';
  units: QueryUnit[];
  /** Input findings: syntax errors and psql meta-commands of .sql files. */
  findings: Finding[];
  /** Rule ids silenced for the whole file (code; .sql files carry theirs in `parsed.directives`). */
  fileIgnored: string[];
}

/** Folders never searched for queries: dependencies, build output, VCS data. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git']);

export function isQueryFile(name: string): boolean {
  const ext = extname(name).toLowerCase();
  return ext === '.sql' || (CODE_EXTENSIONS.includes(ext) && !/\.d\.[mc]?ts$/i.test(name));
}

/** Expand paths into query files: named files as given, directories searched recursively (sorted). */
export function discoverQueryFiles(paths: string[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    if (statPath(path).isFile()) {
      if (!isQueryFile(path)) throw new InputError(`not a query file: ${path} (expected .sql, ${CODE_EXTENSIONS.join(', ')})`);
      out.push(path);
    } else out.push(...walk(path).sort((a, b) => collator.compare(relative(path, a), relative(path, b))));
  }
  return [...new Set(out)];
}

const collator = new Intl.Collator('en', { numeric: true });

function walk(dir: string): string[] {
  return walkFiles(dir, isQueryFile, SKIPPED_DIRS);
}

/** Read and parse every query file (code files through the TypeScript parser, loaded only when needed). */
export async function readQuerySources(files: string[]): Promise<QuerySource[]> {
  await loadParser();
  const ts = files.some((f) => extname(f).toLowerCase() !== '.sql') ? await loadTypeScript() : undefined;
  return files.map((file) => {
    const text = readSqlFile(file);
    return extname(file).toLowerCase() === '.sql' ? sqlSource(file, text) : codeSource(ts!, file, text);
  });
}

export function sqlSource(file: string, text: string): QuerySource {
  // sqlc's named parameters become the `$n` sqlc sends, at the same offsets (src/query/sqlc.ts).
  const parsed = parseFileSync(sqlcParameters(text), file);
  return { file, kind: 'sql', units: [sqlUnit(parsed)], findings: parsed.findings, fileIgnored: [] };
}

/** A parsed .sql file as a unit: locations are the file's own. */
export function sqlUnit(parsed: ParsedFile): QueryUnit {
  const file = parsed.file;
  const starts = lineStartsOf(parsed.text);
  return {
    parsed,
    embedded: false,
    ignored: [],
    locate: (stmt, location) => parsed.locate(stmt, location),
    offset: (stmt, location) => {
      const at = offsetOfPosition(parsed.text, starts, parsed.locate(stmt, location));
      return at === undefined ? undefined : at - stmt.start;
    },
    locateOffset: (stmt, offset) => ({ file, ...sourcePosition(parsed.text, starts, stmt.start + offset), statement: stmt.index }),
  };
}

export function codeSource(ts: Parameters<typeof extractSqlWith>[0], file: string, text: string): QuerySource {
  const { literals, fileIgnored } = extractSqlWith(ts, text, file);
  const sourceStarts = lineStartsOf(text);
  const units: QueryUnit[] = [];
  let statements = 0;
  for (const literal of literals) {
    const parsed = parseFileSync(literal.sql, file);
    // A string that does not parse is probably not SQL at all (a log line, a URL): not this linter's business.
    if (parsed.findings.some((f) => f.rule === 'syntax-error') || parsed.statements.length === 0) continue;
    const sqlStarts = lineStartsOf(parsed.text);
    const first = statements;
    statements += parsed.statements.length;
    const toSource = (loc: Location): Location => {
      const at = offsetOfPosition(parsed.text, sqlStarts, loc);
      const offset = literal.sourceOffsets[Math.min(at ?? 0, literal.sourceOffsets.length - 1)];
      return { file, ...sourcePosition(text, sourceStarts, offset) };
    };
    units.push({
      parsed,
      embedded: true,
      via: literal.callee,
      ignored: literal.ignored,
      locate: (stmt, location) => ({ ...toSource(parsed.locate(stmt, location)), statement: first + stmt.index }),
      offset: (stmt, location) => {
        const at = offsetOfPosition(parsed.text, sqlStarts, parsed.locate(stmt, location));
        return at === undefined ? undefined : at - stmt.start;
      },
      locateOffset: (stmt, offset) => {
        const at = literal.sourceOffsets[Math.min(stmt.start + offset, literal.sourceOffsets.length - 1)];
        return { file, ...sourcePosition(text, sourceStarts, at), statement: first + stmt.index };
      },
    });
  }
  return { file, kind: 'code', units, findings: [], fileIgnored };
}
