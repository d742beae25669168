// Parse trees as JavaScript objects weigh ~8 bytes per character of the SQL they come from, so keeping
// every tree of a 50 MB file costs ~400 MB. A statement keeps its tree while it is among the most
// recently parsed ones (up to 512 K characters of their source text, in this whole process) and
// parses its text again when asked after that. Projects under the budget (~10,000 lines of SQL) never
// reparse; beyond it a statement costs one more parse (~20 µs) when a pass comes back to it. The
// budget is small on purpose: trees dropped soon die in V8's young generation, where garbage is
// nearly free; a budget of 8 M characters kept a 50 MB file's process 350 MB larger.
import { parseSync } from 'libpg-query';
import type { Node } from 'libpg-query';

/** Characters of SQL whose trees stay in memory (~4 MB of trees). */
const TREE_BUDGET_CHARS = 1 << 19;
let budget = TREE_BUDGET_CHARS;

/** Sets the budget (tests make it tiny to reparse everything); returns the previous one. */
export function setTreeBudget(chars: number): number {
  const previous = budget;
  budget = chars;
  return previous;
}

/** Where a statement's tree comes from when it has to be made again. */
export interface TreeSource {
  /** The text the parser read (with psql variables replaced by same-length placeholders). */
  source: string;
  /** Character range of the statement as the parser cut it (leading comments and spaces included). */
  start: number;
  end: number;
  /** Byte offset of `start` within its parsed segment: added to the reparsed tree's locations, so they match the first parse's. */
  byteShift: number;
}

/** A holder of one tree the cache may take back. */
export interface TreeHolder {
  dropTree(): void;
}

const held: Array<{ holder: TreeHolder; chars: number } | undefined> = [];
let head = 0;
let heldChars = 0;

/** Record that holder now keeps a tree for `chars` characters of SQL; drops the oldest trees past the budget. */
export function holdTree(holder: TreeHolder, chars: number): void {
  held.push({ holder, chars });
  heldChars += chars;
  while (heldChars > budget && head < held.length - 1) {
    const oldest = held[head]!;
    held[head++] = undefined;
    heldChars -= oldest.chars;
    oldest.holder.dropTree();
  }
  if (head > 4096 && head * 2 > held.length) {
    held.splice(0, head);
    head = 0;
  }
}

/** The statement's tree, parsed again from its source with the first parse's locations. */
export function reparseTree(from: TreeSource): Node {
  const stmt = parseSync(from.source.slice(from.start, from.end)).stmts?.[0]?.stmt;
  if (!stmt) throw new Error(`internal error: the statement at character ${from.start} no longer parses`);
  if (from.byteShift) shiftLocations(stmt, from.byteShift);
  return stmt;
}

/** Byte offsets in a tree: `location`, `name_location`, A_Expr's `rexpr_list_start`/`_end` and A_ArrayExpr's `list_start`/`list_end` (PG 18). */
const OFFSET_KEY = /(location|list_start|list_end)$/;

/** Adds `by` to every byte offset at or below node; -1 means "unknown" and stays. */
function shiftLocations(node: unknown, by: number): void {
  if (Array.isArray(node)) {
    for (const n of node) shiftLocations(n, by);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    if (typeof value === 'number') {
      if (value >= 0 && OFFSET_KEY.test(key)) obj[key] = value + by;
    } else if (value && typeof value === 'object') shiftLocations(value, by);
  }
}
