// Parse trees as JavaScript objects weigh ~13 bytes per character of the SQL they come from, so keeping
// every tree of a 50 MB file costs ~650 MB. A statement whose tree was dropped parses its text again
// when asked (~20 µs), so trees are kept within two budgets of source text, for this whole process:
//
// * Trees not read yet, up to 2 M characters (~26 MB): a file is parsed whole before its statements
//   are read in order (the migration runner, the schema apply), so these save the second parse. Over
//   the budget, the newest go: they are the ones read last, and they die at once in V8's young
//   generation, where garbage is nearly free. (Dropping the oldest first, as a plain FIFO would, drops
//   every tree of a file over the budget before it is read: each statement was parsed twice, 0.3 s of
//   a 20,000-statement file's 2 s.)
// * Trees read (or made again on a read), up to 512 K characters, oldest read first: a pass that comes
//   back to a statement soon finds it. Small on purpose: trees dropped soon die young; a budget of 8 M
//   characters here kept a 50 MB file's process 350 MB larger (they lived long enough to be promoted).
//
// A pass over less than 2 M characters of SQL (~30,000 lines) never parses a statement twice.
import { parseSync } from './pg-parser.js';
import type { Node } from 'libpg-query';

/** Characters of SQL whose read trees stay in memory (~6 MB of trees); trees not read yet get four times as many. */
const TREE_BUDGET_CHARS = 1 << 19;
const UNREAD_FACTOR = 4;
let readBudget = TREE_BUDGET_CHARS;
let unreadBudget = TREE_BUDGET_CHARS * UNREAD_FACTOR;

/** Sets the budget of read trees, and four times it for unread ones (tests make it 0 to reparse everything); returns the previous one. */
export function setTreeBudget(chars: number): number {
  const previous = readBudget;
  readBudget = chars;
  unreadBudget = chars * UNREAD_FACTOR;
  trim();
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

/** One tree kept: `slot` is its index in `unread` until it is read, then -1 (it is in `read`). */
export interface HeldTree {
  holder: TreeHolder | undefined;
  chars: number;
  slot: number;
}

/** Trees of a first parse not read yet, in parse order; read or dropped ones leave a hole. */
let unread: Array<HeldTree | undefined> = [];
let unreadHoles = 0;
let unreadChars = 0;
/** Trees read, in the order they were first read (or made again); `readHead` is the oldest left. */
let read: Array<HeldTree | undefined> = [];
let readHead = 0;
let readChars = 0;

/** Record that holder now keeps the tree of its first parse, for `chars` characters of SQL; drops trees past the budget. */
export function holdTree(holder: TreeHolder, chars: number): HeldTree {
  const held: HeldTree = { holder, chars, slot: unread.length };
  unread.push(held);
  unreadChars += chars;
  trim();
  return held;
}

/** Record that holder's tree was made again because it was asked for: it counts as read. */
export function holdReadTree(holder: TreeHolder, chars: number): HeldTree {
  const held: HeldTree = { holder, chars, slot: -1 };
  read.push(held);
  readChars += chars;
  trim();
  return held;
}

/** A kept tree was asked for: the first time, it moves from the unread trees to the read ones. */
export function treeRead(held: HeldTree): void {
  if (held.slot < 0 || !held.holder) return;
  unread[held.slot] = undefined;
  unreadHoles++;
  unreadChars -= held.chars;
  held.slot = -1;
  read.push(held);
  readChars += held.chars;
  trim();
}

function trim(): void {
  while (readChars > readBudget && readHead < read.length) {
    const held = read[readHead];
    read[readHead++] = undefined;
    if (held?.holder) {
      readChars -= held.chars;
      drop(held);
    }
  }
  while (unreadChars > unreadBudget && unread.length) {
    const held = unread.pop();
    if (!held) unreadHoles--;
    else if (held.holder) {
      unreadChars -= held.chars;
      drop(held);
    }
  }
  if (readHead > 4096 && readHead * 2 > read.length) {
    read = read.slice(readHead);
    readHead = 0;
  }
  // A file read in order leaves its holes at the front: compact now and then, renumbering the slots.
  if (unreadHoles > 4096 && unreadHoles * 2 > unread.length) {
    unread = unread.filter((h) => h !== undefined);
    unread.forEach((h, i) => (h!.slot = i));
    unreadHoles = 0;
  }
}

function drop(held: HeldTree): void {
  const holder = held.holder!;
  held.holder = undefined;
  holder.dropTree();
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
