// Parse a SQL script into located statements with the real PostgreSQL parser (libpg-query, WASM).
// Syntax errors become `syntax-error` findings at the parser's cursor position; parsing then resumes
// after the failing statement, so one typo never hides the rest of a file.
import { loadModule, parseStatementsSync, parseSync, type RawStatement } from './pg-parser.js';
import type { Node } from 'libpg-query';
import type { Finding, Location } from '../types.js';
import { lexScript, type LexResult } from './lexer.js';
import { parseDirectives, type Directives } from './directives.js';
import { checkEncoding } from './encoding.js';
import { findPsqlVariables, interpolate, psqlSetValue, withPlaceholders, type PsqlVariable } from './psql-variables.js';
import { holdText, holdTree, reparseTree, textRead, type Held, type TreeHolder, type TreeSource } from './tree-cache.js';

export type { Node };

export interface Statement {
  /** 1-based index within the file. */
  index: number;
  file?: string;
  line: number;
  column: number;
  /** Character offsets of the statement in the file text (end excludes the `;`). */
  start: number;
  end: number;
  text: string;
  /**
   * The parse tree of the statement, e.g. `{ CreateStmt: {...} }`. In a parsed file it may be made
   * again after the tree cache dropped it (src/sql/tree-cache.ts): equal, not necessarily the same object.
   */
  node: Node;
  /** The node's type name, e.g. `CreateStmt`. */
  kind: string;
  /** Rule ids silenced for this statement by `-- pgarch-ignore`, `*` for all. */
  ignored: string[];
  /**
   * What to execute when it is not `text`: with psql variables, the statement as psql sends it (their
   * `\set` values interpolated), or a no-op when the file does not set one (see psql-variables.ts).
   */
  run?: string;
}

export interface ParsedFile {
  file?: string;
  text: string;
  statements: Statement[];
  /** syntax-error and psql-meta-command findings. */
  findings: Finding[];
  directives: Directives;
  /** Location in the file of a parse-tree `location` (a byte offset within the statement's segment). */
  locate(stmt: Statement, nodeLocation: number | undefined): Location;
}

let loaded: Promise<void> | undefined;
/** Load the parser's WASM module once per process; every later parse is synchronous. */
export function loadParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

/** Characters of SQL parsed in one call, about (see parseInPieces). */
const PARSE_PIECE = 1 << 14;

/** A contiguous piece of the file handed to the parser: the text between psql-only regions. */
interface Segment {
  charStart: number;
  text: string;
  /** Byte offset within the segment → character offset within it; undefined when the text is ASCII. */
  byteToChar?: Uint32Array;
}

export async function parseFile(text: string, file?: string): Promise<ParsedFile> {
  await loadParser();
  return parseFileSync(text, file);
}

/** Requires `loadParser()` to have resolved. */
export function parseFileSync(rawText: string, file?: string): ParsedFile {
  // A UTF-8 BOM is not part of line 1 as an editor shows it.
  const bom = rawText.charCodeAt(0) === 0xfeff;
  let text = bom ? rawText.slice(1) : rawText;
  const lines = lineStarts(text);
  // Columns count characters (code points, as SARIF's columnKind says); offsets are UTF-16 units.
  const astral = /[\uD800-\uDBFF]/.test(text);
  const position = (charOffset: number): Location => {
    const line = upperBound(lines, charOffset);
    const lineStart = lines[line - 1];
    return { file, line, column: (astral ? codePointCount(text, lineStart, charOffset) : charOffset - lineStart) + 1 };
  };

  // The psql pre-pass is only needed for what PostgreSQL's grammar lacks (backslash commands, COPY
  // data) and for directives; most files have none of these, and skipping it is ~10% of parse time.
  const encoding = text.includes('\0') || text.includes('\uFFFD') ? checkEncoding(text, file, bom, position) : undefined;
  if (encoding) text = encoding.text;
  const needsLexer = text.includes('\\') || /\bcopy\b/i.test(text) || text.includes('pgarch');
  let lexed = needsLexer ? lexScript(text, isCopyFromStdin) : undefined;
  const lex = (): LexResult => (lexed ??= lexScript(text, isCopyFromStdin));
  // psql variables: the parser reads same-length placeholders (`source`); statements keep the file's text.
  // psql-only regions (meta-commands, COPY data) split the file into segments the parser can read.
  const holes = lexed ? [...lexed.metaCommands, ...lexed.copyData].sort((a, b) => a.start - b.start) : [];
  const inHole = (offset: number) => holes.some((h) => offset >= h.start && offset < h.end);
  const variables = findPsqlVariables(text, inHole);
  const source = variables.length ? withPlaceholders(text, variables) : text;
  const findings: Finding[] = [...(encoding?.findings ?? [])];
  for (const meta of lexed?.metaCommands ?? []) {
    findings.push({
      rule: 'psql-meta-command',
      severity: 'info',
      message: `psql meta-command ${meta.text.split(/\s/)[0]} skipped: PostgreSQL itself cannot run it${meta.text.startsWith('\\i') ? ', and the included file is not followed' : ''}`,
      location: position(meta.start),
      hint: 'Run psql-only scripts with psql; pgarch lints the SQL around the meta-command.',
    });
  }

  const segments: Segment[] = [];
  const toChar = (seg: Segment, byte: number) => seg.charStart + (seg.byteToChar ? seg.byteToChar[Math.min(byte, seg.byteToChar.length - 1)] : byte);
  const segmentOf = new Map<Statement, Segment>();
  // Statements are made as each piece is parsed, so their trees (as JSON text until they are read) go
  // to the tree cache at once and a huge file never holds all of them.
  const statements: ParsedStatement[] = [];
  const addStatement = (seg: Segment, raw: RawStatement, byteStart: number, byteLen: number | undefined): void => {
    const start = toChar(seg, byteStart);
    const end = byteLen === undefined ? seg.charStart + seg.text.length : toChar(seg, byteStart + byteLen);
    const stmtText = text.slice(start, end).trimEnd();
    const pos = position(start);
    const stmt = new ParsedStatement(file, pos.line!, pos.column!, start, stmtText, raw, { source, start, end, byteShift: byteStart });
    segmentOf.set(stmt, seg);
    statements.push(stmt);
  };

  const parseRange = (start: number, end: number): void => {
    if (start >= end || text.slice(start, end).trim() === '') return;
    const seg = makeSegment(source, start, end);
    try {
      const parsed = parseStatementsSync(seg.text);
      segments.push(seg);
      for (const raw of parsed) addStatement(seg, raw, raw.location, raw.length || undefined);
    } catch (error) {
      const details = (error as { sqlDetails?: { message: string; cursorPosition: number } }).sqlDetails;
      // cursorPosition is a 0-based code-point offset into the segment; convert it to UTF-16 units.
      const at = start + unitsForCodePoints(seg.text, Math.max(details?.cursorPosition ?? 0, 0));
      findings.push({
        rule: 'syntax-error',
        severity: 'error',
        message: `Syntax error: ${details?.message ?? (error as Error).message}`,
        location: position(skipSpace(text, at, end)),
        hint: 'PostgreSQL cannot parse this statement; fix it before anything else in the file can be trusted.',
      });
      // Skip the failing statement: from the `;` before the error to the `;` after it.
      const before = lastBelow(lex().semicolons, at, start);
      const after = lex().semicolons.find((s) => s >= at && s < end);
      parseRange(start, before === undefined ? start : before + 1);
      parseRange(after === undefined ? end : after + 1, end);
    }
  };

  // A huge range is parsed in pieces cut at statement ends: the parser's WebAssembly memory grows to
  // hold what one call returns and never shrinks, so one 30 MB call would keep ~1 GB resident; and a
  // small piece's JSON and trees die young, in V8's cheap young generation (16 KB pieces: a 50 MB
  // file parses in 320 MB instead of 700).
  const parseInPieces = (start: number, end: number): void => {
    while (end - start > PARSE_PIECE) {
      // The last statement end inside the piece, or, for a statement longer than a piece, its own end.
      const cut = lastBelow(lex().semicolons, start + PARSE_PIECE, start + 1) ?? firstFrom(lex().semicolons, start + PARSE_PIECE, end - 1);
      if (cut === undefined) break;
      parseRange(start, cut + 1);
      start = cut + 1;
    }
    parseRange(start, end);
  };
  let cursor = 0;
  for (const hole of holes) {
    parseInPieces(cursor, hole.start);
    cursor = Math.max(cursor, hole.end);
  }
  parseInPieces(cursor, text.length);

  // Segments are parsed in file order except around syntax errors: sort only then.
  if (segments.length > 1 || findings.length) statements.sort((a, b) => a.start - b.start);
  statements.forEach((stmt, k) => (stmt.index = k + 1));

  const directives = parseDirectives(lexed?.comments ?? [], position);
  if (directives.ignores.length) directives.attach(statements, text, lex().semicolons);
  if (variables.length) findings.push(...resolveVariables(statements, variables, lexed?.metaCommands ?? [], position));

  return {
    file,
    text,
    statements,
    findings,
    directives,
    locate(stmt, nodeLocation) {
      const seg = segmentOf.get(stmt);
      if (!seg || nodeLocation === undefined || nodeLocation < 0) return { file, line: stmt.line, column: stmt.column, statement: stmt.index };
      return { ...position(toChar(seg, nodeLocation)), statement: stmt.index };
    },
  };
}

/**
 * A statement of a parsed file: its tree is made from the parser's JSON text when it is read, and
 * from the statement's text when the tree cache dropped both (see tree-cache.ts).
 */
class ParsedStatement implements Statement, TreeHolder {
  /** Set once the file's statements are in order. */
  index = 0;
  readonly end: number;
  readonly kind: string;
  ignored: string[] = [];
  run?: string;
  private tree: Node | undefined;
  private json: string | undefined;
  private heldText: Held | undefined;

  constructor(
    readonly file: string | undefined,
    readonly line: number,
    readonly column: number,
    readonly start: number,
    readonly text: string,
    raw: RawStatement,
    private readonly from: TreeSource,
  ) {
    this.end = start + text.length;
    this.kind = raw.kind;
    this.json = raw.json;
    this.heldText = holdText(this, from.end - from.start);
  }

  get node(): Node {
    if (this.tree) return this.tree;
    let tree: Node;
    if (this.json !== undefined) {
      tree = JSON.parse(this.json) as Node;
      textRead(this.heldText!);
    } else {
      tree = reparseTree(this.from);
    }
    this.tree = tree;
    holdTree(this, this.from.end - this.from.start);
    // Returned even when the budget let the cache take it back at once.
    return tree;
  }

  dropText(): void {
    this.json = undefined;
    this.heldText = undefined;
  }

  dropTree(): void {
    this.tree = undefined;
  }
}

/** A COPY statement whose data follows inline in the script (psql's `COPY … FROM stdin`). */
function isCopyFromStdin(statementText: string): boolean {
  try {
    const stmt = parseSync(statementText).stmts?.[0]?.stmt as { CopyStmt?: { is_from?: boolean; filename?: string; is_program?: boolean } } | undefined;
    return Boolean(stmt?.CopyStmt?.is_from && !stmt.CopyStmt.filename && !stmt.CopyStmt.is_program);
  } catch {
    return false;
  }
}

function makeSegment(text: string, start: number, end: number): Segment {
  const segText = text.slice(start, end);
  const bytes = Buffer.byteLength(segText);
  if (bytes === segText.length) return { charStart: start, text: segText };
  // Parse-tree locations are byte offsets; map them back to characters for multi-byte text.
  const map = new Uint32Array(bytes + 1);
  let b = 0;
  for (let c = 0; c < segText.length; c++) {
    const code = segText.codePointAt(c)!;
    const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    for (let k = 0; k < width; k++) map[b + k] = c;
    b += width;
    if (code >= 0x10000) c++; // surrogate pair: one code point, two UTF-16 units
  }
  map[bytes] = segText.length;
  return { charStart: start, text: segText, byteToChar: map };
}

/** Code points in text[from, to), a surrogate pair counting once. */
function codePointCount(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const unit = text.charCodeAt(i);
    if (!(unit >= 0xdc00 && unit <= 0xdfff && i > from && text.charCodeAt(i - 1) >= 0xd800 && text.charCodeAt(i - 1) <= 0xdbff)) count++;
  }
  return count;
}

/** UTF-16 length of the first `points` code points of text (at most text.length). */
function unitsForCodePoints(text: string, points: number): number {
  let i = 0;
  for (let k = 0; k < points && i < text.length; k++) i += text.codePointAt(i)! >= 0x10000 ? 2 : 1;
  return Math.min(i, text.length);
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** Number of entries ≤ value in a sorted array (the 1-based line holding a char offset). */
function upperBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lastBelow(sorted: number[], value: number, floor: number): number | undefined {
  const k = upperBound(sorted, value - 1) - 1;
  return k >= 0 && sorted[k] >= floor ? sorted[k] : undefined;
}

/** The first entry ≥ from and < below in a sorted array. */
function firstFrom(sorted: number[], from: number, below: number): number | undefined {
  const k = upperBound(sorted, from - 1);
  return k < sorted.length && sorted[k] < below ? sorted[k] : undefined;
}

function skipSpace(text: string, at: number, end: number): number {
  // An error reported at end of input points at the last real character, not trailing blank lines.
  if (at < end && text.slice(at, end).trim() !== '') return at;
  let i = Math.min(at, text.length) - 1;
  while (i > 0 && /\s/.test(text[i])) i--;
  return Math.max(i, 0);
}

/**
 * Give each statement that uses psql variables what to run: interpolated with the values the file
 * `\set`s before it, or a no-op (with an info finding) when one of them is set outside the file.
 */
function resolveVariables(statements: Statement[], variables: PsqlVariable[], metaCommands: Array<{ start: number; text: string }>, position: (offset: number) => Location): Finding[] {
  const findings: Finding[] = [];
  const sets = metaCommands.flatMap((m) => {
    const set = psqlSetValue(m.text);
    return set ? [{ ...set, at: m.start }] : [];
  });
  for (const stmt of statements) {
    const used = variables.filter((v) => v.start >= stmt.start && v.end <= stmt.end);
    if (!used.length) continue;
    const values = new Map<string, string>();
    for (const set of sets) if (set.at < stmt.start) values.set(set.name, set.value);
    const missing = used.find((v) => !values.has(v.name));
    if (!missing) {
      stmt.run = interpolate(stmt.text, stmt.start, used, values);
      continue;
    }
    stmt.run = 'SELECT WHERE false';
    findings.push({
      rule: 'psql-meta-command',
      severity: 'info',
      message: `psql variable :${missing.name} is not \\set in this file (psql -v ${missing.name}=…): the statement is checked from its text, not executed`,
      location: position(missing.start),
      hint: `Set it at the top of the script (\\set ${missing.name} value), or give pgarch a --setup file with what the statement would have made.`,
    });
  }
  return findings;
}
