// A parsed file's statements keep their parse trees in two forms, each within a budget of the source
// text it covers, for this whole process:
//
// * The parser's JSON text of the tree (~8 bytes per character of SQL, in strings, which V8's garbage
//   collector has nothing to trace in), up to 2 M characters (~16 MB). A file is
//   parsed whole before its statements are read in order (the migration runner, the schema apply),
//   so this is what saves a second parse. Over the budget, texts already read go first, oldest first;
//   then texts not read yet, newest first: they are the ones read last. (Dropping the oldest first, as
//   a plain FIFO would, drops every statement of a file over the budget before it is read: each was
//   parsed twice, 0.3 s of a 20,000-statement file's 2 s.)
// * The tree itself (~13 bytes per character of SQL, in objects), made from the text when it is read,
//   up to 64 K characters, oldest first. Small on purpose: trees that die soon die in V8's young
//   generation, where garbage is nearly free. Kept longer they are copied out of it, promoted and
//   collected again (a 512 K budget was 0.1 s of a 20,000-statement file's garbage collection; an 8 M
//   one kept a 50 MB file's process 350 MB larger).
//
// A statement with neither parses its text again (~20 µs). A pass over less than 2 M characters of
// SQL (~30,000 lines) never parses a statement twice; a later pass over it makes trees from the text.
import { parseSync } from './pg-parser.js';
import type { Node } from 'libpg-query';

/** Characters of SQL whose trees stay in memory; their JSON texts get 32 times as many. */
const TREE_BUDGET_CHARS = 1 << 16;
const TEXT_FACTOR = 32;

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

/** A holder of a tree and of its JSON text, either of which the cache may take back. */
export interface TreeHolder {
  dropText(): void;
  dropTree(): void;
}

/** One thing kept: `slot` is its index in the unread list until it is read, then -1. */
export interface Held {
  holder: TreeHolder | undefined;
  chars: number;
  slot: number;
}

/** Things kept within a budget of characters: read ones go first, oldest first; then unread ones, newest first. */
class Kept {
  /** Not read yet, in the order kept; read or dropped ones leave a hole. */
  private unread: Array<Held | undefined> = [];
  private holes = 0;
  /** Read, in the order they were first read; `head` is the oldest left. */
  private read: Array<Held | undefined> = [];
  private head = 0;
  private chars = 0;

  constructor(
    public budget: number,
    private readonly release: (holder: TreeHolder) => void,
  ) {}

  add(holder: TreeHolder, chars: number, unread: boolean): Held {
    const held: Held = { holder, chars, slot: unread ? this.unread.length : -1 };
    (unread ? this.unread : this.read).push(held);
    this.chars += chars;
    this.trim();
    return held;
  }

  /** The first read of an unread thing: it moves to the read ones. */
  markRead(held: Held): void {
    if (held.slot < 0 || !held.holder) return;
    this.unread[held.slot] = undefined;
    this.holes++;
    held.slot = -1;
    this.read.push(held);
  }

  trim(): void {
    while (this.chars > this.budget) {
      const held = this.oldestRead() ?? this.newestUnread();
      if (!held) break;
      this.chars -= held.chars;
      const holder = held.holder!;
      held.holder = undefined;
      this.release(holder);
    }
    if (this.head > 4096 && this.head * 2 > this.read.length) {
      this.read = this.read.slice(this.head);
      this.head = 0;
    }
    // A file read in order leaves its holes at the front: compact now and then, renumbering the slots.
    if (this.holes > 4096 && this.holes * 2 > this.unread.length) {
      this.unread = this.unread.filter((h) => h !== undefined);
      this.unread.forEach((h, i) => (h!.slot = i));
      this.holes = 0;
    }
  }

  private oldestRead(): Held | undefined {
    while (this.head < this.read.length) {
      const held = this.read[this.head];
      this.read[this.head++] = undefined;
      if (held?.holder) return held;
    }
    return undefined;
  }

  private newestUnread(): Held | undefined {
    while (this.unread.length) {
      const held = this.unread.pop();
      if (!held) this.holes--;
      else if (held.holder) return held;
    }
    return undefined;
  }
}

const texts = new Kept(TREE_BUDGET_CHARS * TEXT_FACTOR, (holder) => holder.dropText());
const trees = new Kept(TREE_BUDGET_CHARS, (holder) => holder.dropTree());

/** Sets the budget of trees, and 32 times it for their texts (tests make it 0 to reparse everything); returns the previous one. */
export function setTreeBudget(chars: number): number {
  const previous = trees.budget;
  trees.budget = chars;
  texts.budget = chars * TEXT_FACTOR;
  trees.trim();
  texts.trim();
  return previous;
}

/** Record that holder keeps the JSON text of its first parse, for `chars` characters of SQL. */
export function holdText(holder: TreeHolder, chars: number): Held {
  return texts.add(holder, chars, true);
}

/** Holder's text was made into a tree (it stays, for a later pass). */
export function textRead(held: Held): void {
  texts.markRead(held);
}

/** Record that holder keeps a tree it was asked for; drops the oldest trees past the budget. */
export function holdTree(holder: TreeHolder, chars: number): void {
  trees.add(holder, chars, false);
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
