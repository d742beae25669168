// SQL embedded in TypeScript/JavaScript: tagged templates (sql`…`, Prisma.sql`…`, db.sql`…`) and the
// string or template literal passed first to `.query(…)`, found with the TypeScript compiler's own
// parser. Each literal becomes the SQL the database would receive (escapes decoded, `${…}` → $1, $2, …)
// with, for every character, its offset in the source file, so findings land on the right line:column.
import type TS from 'typescript';
import type { Location } from '../types.js';

export interface EmbeddedSql {
  /** The SQL as the database receives it: the literal's cooked text, substitutions as $1, $2, … */
  sql: string;
  /** Source offset (UTF-16 units) of each SQL character, plus one entry for the end. */
  sourceOffsets: number[];
  /** How it was found: a tagged template, or the first argument of `.query(…)`. */
  via: 'tag' | 'query';
  /** The tag or callee as written, e.g. `sql`, `Prisma.sql`, `pool.query`. */
  callee: string;
  /** Rule ids silenced by `// pgarch-ignore rule (reason)` on the line before the call (or on its line). */
  ignored: string[];
}

export interface ExtractResult {
  literals: EmbeddedSql[];
  /** Rule ids silenced for the whole file by `// pgarch-ignore-file rule`, `*` for all. */
  fileIgnored: string[];
}

/** Extensions whose files are searched for embedded SQL. */
export const CODE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

let typescript: Promise<typeof TS> | undefined;
/** The compiler is large: loaded only when code files are linted. */
export function loadTypeScript(): Promise<typeof TS> {
  typescript ??= import('typescript').then((m) => ((m as { default?: typeof TS }).default ?? (m as unknown as typeof TS)));
  return typescript;
}

export async function extractSql(text: string, file: string): Promise<ExtractResult> {
  return extractSqlWith(await loadTypeScript(), text, file);
}

const IGNORE = /^pgarch-ignore(-file)?\b\s*([^()]*?)\s*(?:\((.*)\))?\s*$/;

export function extractSqlWith(ts: typeof TS, text: string, file: string): ExtractResult {
  const lower = file.toLowerCase();
  const kind = lower.endsWith('.tsx') ? ts.ScriptKind.TSX : lower.endsWith('.jsx') ? ts.ScriptKind.JSX : /\.[mc]?js$/.test(lower) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const literals: EmbeddedSql[] = [];
  const seen = new Set<TS.Node>();

  // Directive comments: every comment that precedes a token, read once.
  const comments: Array<{ line: number; rules: string[]; file: boolean }> = [];
  const commentSeen = new Set<number>();
  const readComments = (node: TS.Node) => {
    for (const range of ts.getLeadingCommentRanges(text, node.getFullStart()) ?? []) {
      if (commentSeen.has(range.pos)) continue;
      commentSeen.add(range.pos);
      const body = text
        .slice(range.pos, range.end)
        .replace(/^\/\/|^\/\*|\*\/$/g, '')
        .trim();
      const m = IGNORE.exec(body);
      if (!m) continue;
      const rules = m[2].split(/[\s,]+/).filter(Boolean);
      comments.push({ line: source.getLineAndCharacterOfPosition(range.pos).line, rules: rules.length ? rules : ['*'], file: Boolean(m[1]) });
    }
  };

  const ignoredAt = (node: TS.Node): string[] => {
    // The line of the expression and of the statement holding it: a directive on either, or just before.
    const lines = new Set<number>();
    for (let n: TS.Node | undefined = node; n && n !== source; n = n.parent) {
      const line = source.getLineAndCharacterOfPosition(n.getStart(source)).line;
      lines.add(line);
      lines.add(line - 1);
      if (ts.isStatement(n) || ts.isClassElement(n)) break;
    }
    return comments.filter((c) => !c.file && lines.has(c.line)).flatMap((c) => c.rules);
  };

  const pending: Array<{ node: TS.Node; literal: TS.Node; via: 'tag' | 'query'; callee: string }> = [];
  const visit = (node: TS.Node): void => {
    readComments(node);
    if (ts.isTaggedTemplateExpression(node) && isSqlTag(ts, node.tag)) {
      seen.add(node.template);
      pending.push({ node, literal: node.template, via: 'tag', callee: node.tag.getText(source) });
    } else if (ts.isCallExpression(node) && isQueryCall(ts, node.expression) && node.arguments.length > 0) {
      const first = node.arguments[0];
      if (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first) || ts.isTemplateExpression(first)) {
        pending.push({ node, literal: first, via: 'query', callee: node.expression.getText(source) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  readComments(source.endOfFileToken);

  for (const p of pending) {
    if (p.via === 'query' && seen.has(p.literal)) continue;
    const cooked = cook(ts, text, source, p.literal);
    if (!cooked) continue;
    literals.push({ ...cooked, via: p.via, callee: p.callee, ignored: ignoredAt(p.node) });
  }
  return { literals, fileIgnored: comments.filter((c) => c.file).flatMap((c) => c.rules) };
}

/** `sql`, or any member access ending in `.sql` (`Prisma.sql`, `db.sql`); also with type arguments. */
function isSqlTag(ts: typeof TS, tag: TS.Expression): boolean {
  if (ts.isIdentifier(tag)) return tag.text === 'sql';
  if (ts.isPropertyAccessExpression(tag)) return tag.name.text === 'sql';
  return false;
}

/** `x.query(…)` and `x?.query(…)`. */
function isQueryCall(ts: typeof TS, callee: TS.Expression): boolean {
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 'query';
}

/** Decode a literal as JavaScript would, keeping each character's source offset. */
function cook(ts: typeof TS, text: string, source: TS.SourceFile, literal: TS.Node): { sql: string; sourceOffsets: number[] } | undefined {
  const out: string[] = [];
  const offsets: number[] = [];
  const template = !ts.isStringLiteral(literal);
  // Raw text between the delimiters of each piece: `…` / "…" / `…${, }…${, }…`.
  const piece = (start: number, end: number) => decode(text, start, end, template, out, offsets);
  if (ts.isStringLiteral(literal) || ts.isNoSubstitutionTemplateLiteral(literal)) {
    piece(literal.getStart(source) + 1, literal.getEnd() - 1);
  } else if (ts.isTemplateExpression(literal)) {
    const head = literal.head;
    piece(head.getStart(source) + 1, head.getEnd() - 2);
    literal.templateSpans.forEach((span, i) => {
      const placeholder = `$${i + 1}`;
      const at = (i === 0 ? head.getEnd() : literal.templateSpans[i - 1].literal.getEnd()) - 2;
      for (const ch of placeholder) {
        out.push(ch);
        offsets.push(at);
      }
      const lit = span.literal;
      piece(lit.getStart(source) + 1, lit.getEnd() - (ts.isTemplateTail(lit) ? 1 : 2));
    });
  } else return undefined;
  offsets.push(literal.getEnd() - 1);
  return { sql: out.join(''), sourceOffsets: offsets };
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v' };

function decode(text: string, start: number, end: number, template: boolean, out: string[], offsets: number[]): void {
  let i = start;
  const push = (s: string, at: number) => {
    for (const unit of s.split('')) {
      out.push(unit);
      offsets.push(at);
    }
  };
  while (i < end) {
    const ch = text[i];
    if (ch === '\\' && i + 1 < end) {
      const next = text[i + 1];
      const at = i;
      if (next in SIMPLE_ESCAPES) {
        push(SIMPLE_ESCAPES[next], at);
        i += 2;
      } else if (next === '0' && !/[0-9]/.test(text[i + 2] ?? '')) {
        push('\0', at);
        i += 2;
      } else if (next === 'x') {
        push(String.fromCharCode(parseInt(text.slice(i + 2, i + 4), 16)), at);
        i += 4;
      } else if (next === 'u' && text[i + 2] === '{') {
        const close = text.indexOf('}', i + 3);
        push(String.fromCodePoint(parseInt(text.slice(i + 3, close), 16)), at);
        i = close + 1;
      } else if (next === 'u') {
        push(String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16)), at);
        i += 6;
      } else if (next === '\r') {
        // Line continuation: the backslash and the line break vanish.
        i += text[i + 2] === '\n' ? 3 : 2;
      } else if (next === '\n' || next === '\u2028' || next === '\u2029') {
        i += 2;
      } else {
        push(next, at);
        i += 2;
      }
      continue;
    }
    if (template && ch === '\r') {
      // Template literals normalise CRLF and CR to LF.
      push('\n', i);
      i += text[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    out.push(ch);
    offsets.push(i);
    i++;
  }
}

/** Map a character offset in the source text to a 1-based line and a column counted in code points. */
export function sourcePosition(text: string, lineStarts: number[], offset: number): Pick<Location, 'line' | 'column'> {
  let lo = 0;
  let hi = lineStarts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lineStarts[mid] <= offset) lo = mid + 1;
    else hi = mid;
  }
  const lineStart = lineStarts[lo - 1];
  let column = 1;
  for (let i = lineStart; i < offset; i++) {
    const unit = text.charCodeAt(i);
    if (!(unit >= 0xdc00 && unit <= 0xdfff && i > lineStart)) column++;
  }
  return { line: lo, column };
}
