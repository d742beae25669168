// One statement's text as the real scanner sees it: tokens with character offsets, the text extent of
// a parse-tree node, top-level clauses, and character-exact edits. Query rules build their fixes with
// it (the parse tree gives where a node starts, never where it ends; the tokens tell).
import { scanSync } from './pg-parser.js';
import type { Location } from '../types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyNode = Record<string, any>;

export interface Token {
  /** Character offsets within the statement text. */
  start: number;
  end: number;
  text: string;
  /** The scanner's token name, e.g. IDENT, SCONST, PARAM, SQL_COMMENT; UNKNOWN for keywords and punctuation. */
  name: string;
  /** A keyword of any kind (reserved or not). */
  keyword: boolean;
}

export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Clause keywords of a SELECT, in the order PostgreSQL's grammar allows them. */
export const SELECT_CLAUSES = ['select', 'from', 'where', 'group', 'having', 'window', 'order', 'limit', 'offset', 'fetch', 'for'] as const;
export type SelectClause = (typeof SELECT_CLAUSES)[number];

/** Positions (token indexes) of a SELECT's top-level clauses; `end` is the index after the last token. */
export interface Clauses {
  /** Token index of each clause keyword present. */
  at: Partial<Record<SelectClause, number>>;
  /** Token index where the body of a clause ends (exclusive): the next clause keyword, or `end`. */
  bodyEnd(clause: SelectClause): number;
  end: number;
}

/** Comments are not part of any expression; parse-tree positions never point at them. */
const isComment = (t: Token) => t.name === 'SQL_COMMENT' || t.name === 'C_COMMENT';

/** Keywords that continue a type name after its first word (`timestamp with time zone`, `double precision`). */
const TYPE_WORDS = new Set(['with', 'without', 'time', 'zone', 'varying', 'precision', 'to', 'year', 'month', 'day', 'hour', 'minute', 'second']);

export class SqlText {
  private tokenList?: Token[];

  /**
   * @param text the statement's text
   * @param offsetOf character offset within `text` of a parse-tree location (a byte offset into the
   *   text the parser was given), undefined when unknown
   */
  constructor(
    readonly text: string,
    private readonly offsetOf: (location: number) => number | undefined,
  ) {}

  /** Every token, comments included, with character offsets. Requires the parser module to be loaded. */
  get tokens(): Token[] {
    if (!this.tokenList) {
      const bytes = Buffer.byteLength(this.text);
      const toChar = bytes === this.text.length ? (b: number) => b : byteToCharMap(this.text);
      this.tokenList = scanSync(this.text).tokens.map((t) => ({
        start: toChar(t.start),
        end: toChar(t.end),
        text: t.text,
        name: t.tokenName,
        keyword: t.keywordKind !== 0,
      }));
    }
    return this.tokenList;
  }

  /** Character offset of a parse-tree location, or undefined. */
  offset(location: number | undefined): number | undefined {
    return location === undefined || location < 0 ? undefined : this.offsetOf(location);
  }

  /** Index of the token starting at (or containing) a character offset. */
  tokenAt(offset: number): number {
    const tokens = this.tokens;
    let lo = 0;
    let hi = tokens.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (tokens[mid].start <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The next non-comment token index after `i`, or tokens.length. */
  next(i: number): number {
    let k = i + 1;
    while (k < this.tokens.length && isComment(this.tokens[k])) k++;
    return k;
  }

  /** The previous non-comment token index before `i`, or -1. */
  previous(i: number): number {
    let k = i - 1;
    while (k >= 0 && isComment(this.tokens[k])) k--;
    return k;
  }

  /** Index of the `)` matching the `(` at token index `open`, or undefined. */
  matching(open: number): number | undefined {
    let depth = 0;
    for (let k = open; k < this.tokens.length; k++) {
      const t = this.tokens[k].text;
      if (t === '(' || t === '[') depth++;
      else if (t === ')' || t === ']') {
        depth--;
        if (depth === 0) return k;
      }
    }
    return undefined;
  }

  /** The first token at or after `from` (before `to`) whose text is `text`, case-insensitively. */
  find(text: string, from: number, to = this.tokens.length): number | undefined {
    for (let k = from; k < to; k++) if (this.tokens[k].text.toLowerCase() === text.toLowerCase()) return k;
    return undefined;
  }

  /**
   * Character extent [start, end) of a parse-tree node: from its leftmost location to the end of its
   * last token, closing any parentheses opened inside it (a function call's `)`, a sub-select's `)`).
   */
  extent(node: AnyNode): { start: number; end: number } | undefined {
    let min = Infinity;
    let max = -1;
    visitLocations(node, (loc) => {
      if (loc < min) min = loc;
      if (loc > max) max = loc;
    });
    const start = this.offset(min === Infinity ? undefined : min);
    const last = this.offset(max < 0 ? undefined : max);
    if (start === undefined || last === undefined) return undefined;
    const tokens = this.tokens;
    let first = this.tokenAt(start);
    let k = this.tokenAt(last);
    // A qualified name carries one location for all its parts: `o.placed_at`, `s.t.*`.
    while (tokens[this.next(k)]?.text === '.' && this.next(this.next(k)) < tokens.length) k = this.next(this.next(k));
    // A call without arguments (`now()`, `count(*)`) has no location inside its parentheses.
    if (callAt(node, max) && tokens[this.next(k)]?.text === '(') k = this.matching(this.next(k)) ?? k;
    // A cast's type name may run on: `timestamp with time zone`, `varchar(10)`, `int[]`.
    if (typeNameAt(node, max)) {
      while (true) {
        const n = this.next(k);
        if (n >= tokens.length) break;
        const t = tokens[n].text.toLowerCase();
        if (TYPE_WORDS.has(t) && tokens[n].keyword) k = n;
        else if (t === '(' || t === '[') k = this.matching(n) ?? k;
        else break;
      }
    }
    // Close what the node opened, and open what it closes: `(a - 1) * 2` starts at its parenthesis.
    let depth = 0;
    let lowest = 0;
    for (let i = first; i <= k; i++) {
      depth += bracketDelta(tokens[i].text);
      lowest = Math.min(lowest, depth);
    }
    for (let need = -lowest; need > 0; need--) {
      const p = this.previous(first);
      if (p < 0 || tokens[p].text !== '(') break;
      first = p;
      depth++;
    }
    while (depth > 0 && k + 1 < tokens.length) {
      k++;
      depth += bracketDelta(tokens[k].text);
    }
    return { start: tokens[first].start, end: tokens[k].end };
  }

  /** The text of a node, or undefined when it cannot be located. */
  source(node: AnyNode): string | undefined {
    const e = this.extent(node);
    return e ? this.text.slice(e.start, e.end) : undefined;
  }

  /**
   * A SELECT's top-level clause keywords among tokens [from, to): those at bracket depth 0 relative to
   * `from`, after its first SELECT (so a WITH prefix is skipped). GROUP and ORDER count only before BY
   * (`WITHIN GROUP (ORDER BY …)` is no clause).
   */
  clauses(from = 0, to = this.tokens.length): Clauses | undefined {
    const tokens = this.tokens;
    const at: Partial<Record<SelectClause, number>> = {};
    let depth = 0;
    let seenSelect = false;
    for (let k = from; k < to; k++) {
      const t = tokens[k];
      if (isComment(t)) continue;
      if (depth === 0 && t.keyword) {
        const word = t.text.toLowerCase();
        if (word === 'select' && !seenSelect) {
          seenSelect = true;
          at.select = k;
        } else if (seenSelect && (SELECT_CLAUSES as readonly string[]).includes(word) && at[word as SelectClause] === undefined) {
          const nextWord = tokens[this.next(k)]?.text.toLowerCase();
          if ((word === 'group' || word === 'order') && nextWord !== 'by') continue;
          // `a IS DISTINCT FROM b` is an operator, not a FROM clause.
          if (word === 'from' && tokens[this.previous(k)]?.text.toLowerCase() === 'distinct') continue;
          // Set operations end the first SELECT: its clauses are not the statement's.
          at[word as SelectClause] = k;
        } else if (seenSelect && (word === 'union' || word === 'intersect' || word === 'except')) {
          return undefined;
        }
      }
      depth += bracketDelta(t.text);
    }
    if (!seenSelect) return undefined;
    const positions = Object.values(at).sort((a, b) => a - b);
    return {
      at,
      end: to,
      bodyEnd(clause) {
        const k = at[clause];
        if (k === undefined) return to;
        return positions.find((p) => p > k) ?? to;
      },
    };
  }

  /** Start of the first non-comment token at or after index k, and end of the last before index e. */
  span(k: number, e: number): { start: number; end: number } {
    const tokens = this.tokens;
    let a = k;
    while (a < e && isComment(tokens[a])) a++;
    let b = e - 1;
    while (b > a && isComment(tokens[b])) b--;
    return { start: tokens[a].start, end: tokens[b].end };
  }

  /** The text with edits applied (non-overlapping, any order). */
  edit(edits: Edit[]): string {
    let out = '';
    let at = 0;
    for (const e of [...edits].sort((a, b) => a.start - b.start || a.end - b.end)) {
      out += this.text.slice(at, e.start) + e.text;
      at = Math.max(at, e.end);
    }
    return out + this.text.slice(at);
  }
}

function bracketDelta(text: string): number {
  return text === '(' || text === '[' ? 1 : text === ')' || text === ']' ? -1 : 0;
}

/** Every `location` at or below a node (parse-tree nodes mark their first token with it). */
export function visitLocations(node: unknown, visit: (location: number) => void): void {
  if (Array.isArray(node)) {
    for (const n of node) visitLocations(n, visit);
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as AnyNode)) {
    if (key === 'location' && typeof value === 'number') {
      if (value >= 0) visit(value);
    } else if (typeof value === 'object') visitLocations(value, visit);
  }
}

/** Whether the node's last location is a function call's (one with no argument of its own). */
function callAt(node: unknown, location: number): boolean {
  let found = false;
  const visit = (n: unknown) => {
    if (found || !n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(visit);
    const obj = n as AnyNode;
    if (obj.FuncCall?.location === location || (obj.funcname && obj.location === location)) found = true;
    for (const v of Object.values(obj)) visit(v);
  };
  visit(node);
  return found;
}

/** Whether the node's last location is a type name (a cast's type), whose words carry no locations of their own. */
function typeNameAt(node: unknown, location: number): boolean {
  let found = false;
  const visit = (n: unknown) => {
    if (found || !n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(visit);
    const obj = n as AnyNode;
    if (obj.TypeCast?.typeName?.location === location || (obj.typeName && obj.typeName.location === location)) found = true;
    for (const v of Object.values(obj)) visit(v);
  };
  visit(node);
  return found;
}

function byteToCharMap(text: string): (byte: number) => number {
  const bytes = Buffer.byteLength(text);
  const map = new Uint32Array(bytes + 1);
  let b = 0;
  for (let c = 0; c < text.length; c++) {
    const code = text.codePointAt(c)!;
    const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    for (let k = 0; k < width; k++) map[b + k] = c;
    b += width;
    if (code >= 0x10000) c++;
  }
  map[bytes] = text.length;
  return (byte) => map[Math.min(byte, bytes)];
}

/** Character offset in `text` of a 1-based line and a 1-based column counted in code points. */
export function offsetOfPosition(text: string, lineStarts: number[], location: Pick<Location, 'line' | 'column'>): number | undefined {
  if (!location.line || !location.column) return undefined;
  let at = lineStarts[location.line - 1];
  if (at === undefined) return undefined;
  for (let k = 1; k < location.column && at < text.length; k++) at += (text.codePointAt(at) ?? 0) >= 0x10000 ? 2 : 1;
  return at;
}

export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}
