// The shapes migration tools leave on disk, and what each tool does when it runs them.

/** A migration tool's layout, by the tool's name. */
export type LayoutName =
  | 'prisma'
  | 'drizzle'
  | 'goose'
  | 'golang-migrate'
  | 'flyway'
  | 'dbmate'
  | 'diesel'
  | 'sqitch'
  | 'graphile-migrate'
  | 'supabase'
  | 'numbered'
  | 'pattern'
  | 'file';

/**
 * How a tool runs one migration:
 * * `transaction` — inside BEGIN … COMMIT of its own (unless the file opts out);
 * * `implicit` — the whole file as one multi-statement query string, which PostgreSQL runs as one
 *   implicit transaction when it holds more than one statement (so CONCURRENTLY fails there);
 * * `none` — statement by statement, each its own transaction unless the file opens one.
 */
export type TransactionMode = 'transaction' | 'implicit' | 'none';

export interface Migration {
  /** Sort key as written: the file or folder name, e.g. `0003_add_orders`. */
  id: string;
  /** The file holding the up step. */
  file: string;
  /** Full text of that file (for sectioned files such as dbmate and goose, including the down section). */
  text: string;
  /** Character range of the up step within `text` (the whole file unless sections are marked). */
  up: { start: number; end: number };
  /** The down step, when the layout has one. */
  down?: { file: string; text: string; start: number; end: number };
  layout: LayoutName;
  /** How its tool runs it, after the file's own directives (see TransactionMode). */
  transaction: TransactionMode;
  /** The directive that takes it out of its tool's transaction (e.g. `-- +goose NO TRANSACTION`). */
  noTransaction?: string;
}

/** A SQL file of the environment, with its text as the tool runs it. */
export interface SetupFile {
  file: string;
  text: string;
}

export interface SkippedFile {
  file: string;
  /** Why the tool does not run it as a migration, e.g. "not in meta/_journal.json". */
  reason: string;
  /** A migration in a programming language (goose's .go, Flyway's Java): its tool runs it in order with the SQL ones. */
  code?: true;
}

/** The migrations of one folder, as its tool runs them. */
export interface MigrationSet {
  /** The folder (or file) the user's path led to. */
  dir: string;
  layout: LayoutName;
  /** The tool, as its users know it, e.g. "Supabase CLI". */
  tool: string;
  migrations: Migration[];
  /** Files there that the tool does not run as migrations, and why. */
  skipped: SkippedFile[];
  /** SQL the tool runs before the migrations (graphile-migrate's afterReset), read as the tool reads it: applied as environment. */
  setup: SetupFile[];
  /** The tool's own bookkeeping tables (DDL), created before the migrations as the tool does. */
  bookkeeping?: string;
}

export interface Layout {
  name: LayoutName;
  tool: string;
  /** DDL of the tool's own bookkeeping tables: migrations may reference them, and they are not the project's. */
  bookkeeping?: string;
  /** Whether `dir` holds this layout, judged by its shape (files, names, directives), not its name. */
  detect(dir: string): boolean;
  read(dir: string): MigrationSet;
}
