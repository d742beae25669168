// Inline control comments:
//   -- pgarch-ignore rule-a, rule-b (reason)   silences rules for the next statement
//                                               (or for the statement it trails, on the same line)
//   -- pgarch-ignore-file [rule-a, …]           silences rules (all when none named) for the whole file
//   -- pgarch:no-transaction                    a flag for the migration runner (any `pgarch:name`)
import type { Location } from '../types.js';
import type { LineComment } from './lexer.js';

export interface IgnoreDirective {
  rules: string[];
  reason?: string;
  location: Location;
  /** Character offsets of the comment. */
  start: number;
  end: number;
}

export interface Directives {
  /** Rule ids ignored in the whole file; `*` for all. */
  fileIgnored: string[];
  ignores: IgnoreDirective[];
  /** Flags such as `no-transaction` from `-- pgarch:no-transaction`. */
  flags: string[];
  /** Give each statement its `ignored` rule ids. */
  attach(statements: Array<{ start: number; end: number; ignored: string[] }>, text: string, semicolons: number[]): void;
}

const IGNORE = /^--\s*pgarch-ignore(-file)?\b\s*([^()]*?)\s*(?:\((.*)\))?\s*$/;
const FLAG = /^--\s*pgarch:([a-z][a-z0-9-]*)\s*$/;

export function parseDirectives(comments: LineComment[], position: (offset: number) => Location): Directives {
  const fileIgnored: string[] = [];
  const ignores: IgnoreDirective[] = [];
  const flags: string[] = [];
  for (const c of comments) {
    const flag = FLAG.exec(c.text.trim());
    if (flag) {
      flags.push(flag[1]);
      continue;
    }
    const m = IGNORE.exec(c.text.trim());
    if (!m) continue;
    const rules = m[2].split(/[\s,]+/).filter(Boolean);
    if (m[1]) fileIgnored.push(...(rules.length ? rules : ['*']));
    else ignores.push({ rules: rules.length ? rules : ['*'], reason: m[3], location: position(c.start), start: c.start, end: c.end });
  }
  return {
    fileIgnored,
    ignores,
    flags,
    attach(statements, text, semicolons) {
      for (const d of ignores) {
        // A directive inside a multi-line statement, or trailing one on its last line, applies to it…
        const inside = statements.find((s) => s.start <= d.start && d.start < s.end);
        const previous = [...statements].reverse().find((s) => s.end <= d.start);
        const trailing = previous && !text.slice(previous.end, d.start).includes('\n') ? previous : undefined;
        // …otherwise to the next statement after the comment.
        // (unless a statement that failed to parse stands between them).
        const next = statements.find((s) => s.start >= d.end);
        const target = inside ?? trailing ?? (next && !semicolons.some((p) => p > d.end && p < next.start) ? next : undefined);
        if (target) target.ignored.push(...d.rules);
      }
    },
  };
}

/** Whether a finding of `rule` is silenced for a statement or file. */
export function isIgnored(rule: string, ignored: readonly string[]): boolean {
  return ignored.includes('*') || ignored.includes(rule);
}
