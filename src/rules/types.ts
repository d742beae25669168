import type { Catalog, Column, Table } from '../catalog/types.js';
import type { Config } from '../config.js';
import type { ParsedFile, Statement } from '../sql/parse.js';
import type { OriginMap } from '../catalog/origin.js';
import type { Queryable } from '../engine/types.js';
import type { Finding, Location, RuleArea, Severity } from '../types.js';

/** What a schema rule sees: the catalog after all files ran (or a live database's), and where each object came from. */
export interface SchemaRuleContext {
  catalog: Catalog;
  origin: OriginMap;
  /** Read-only access for rules that sample data; rules never change anything through it. */
  engine?: Queryable;
  /** Rule profile: `supabase` turns on the RLS rules. */
  profile: 'default' | 'supabase';
  /** Schemas exposed to clients (PostgREST/Supabase: `public`); RLS and security rules look there. */
  exposedSchemas: string[];
  /** Rows sampled per table by data-reading rules (functional-dependency). */
  sampleRows: number;
  /** True when the catalog is a live database's (data is real); false for files applied to a scratch engine. */
  live: boolean;
  /** The ORM whose migrations build the schema (its naming is its choice, not a hand-written one's). */
  orm?: 'prisma';
}

export interface Rule<Context = SchemaRuleContext> {
  /** Stable id from shared/design/rules.md; never renamed. */
  id: string;
  area: RuleArea;
  severity: Severity;
  /** One sentence: what it reports and why it matters (the docs page's first line). */
  summary: string;
  check(ctx: Context): Finding[] | Promise<Finding[]>;
}

export interface SchemaRule extends Rule<SchemaRuleContext> {
  area: 'schema';
  /** Profiles the rule runs in; every profile when absent. */
  profiles?: Array<SchemaRuleContext['profile']>;
}

/** Build a finding of a rule with its default severity and docs anchor. */
export function finding(rule: Pick<Rule<unknown>, 'id' | 'severity'>, fields: Omit<Finding, 'rule' | 'severity' | 'docs'> & { severity?: Finding['severity'] }): Finding {
  const { severity, ...rest } = fields;
  return { rule: rule.id, severity: severity ?? rule.severity, ...rest, docs: `docs/rules/${rule.id}.md` };
}

/** A table's identity without its details: what most migration rules need, at no catalog read. */
export interface TableRef {
  schema: string;
  name: string;
  kind: Table['kind'];
  /** Not in the catalog: created outside the migrations pgarch was given, so assumed to exist (as text linters do). */
  assumed?: boolean;
}

/** The catalog as migration rules see it: as it was just before the statement being checked. */
export interface CatalogView {
  /**
   * The table a statement names, resolved to its schema (cached until tables are created, dropped or
   * renamed, or search_path changes); undefined when no such table exists. Cheap: use it to decide,
   * and `table()` only when the decision needs columns, constraints or indexes. A name the catalog does
   * not know (a table created outside the migrations given) resolves to an `assumed` ref.
   */
  ref(rangeVar: { schemaname?: string; relname: string }): Promise<TableRef | undefined>;
  /**
   * The table a statement names (a RangeVar: `{ schemaname?, relname }`), resolved with the current
   * search_path; undefined when it does not exist. Parse-only mode returns a table without details.
   */
  table(rangeVar: { schemaname?: string; relname: string }): Promise<Table | undefined>;
  /** One column of a table (cheaper than `table()` when a decision needs only its type). */
  column(rangeVar: { schemaname?: string; relname: string }, name: string): Promise<Column | undefined>;
  /**
   * Part of a table, a fraction of `table()`'s cost on a wide table with many indexes: the named
   * columns (those that exist) and those of its primary key, the constraints on a named column and
   * the primary key, and (when asked) the indexes with a named column among their keys. Anything else
   * (other columns, constraints and indexes, triggers, policies) may be missing. Parse-only mode: as `table()`.
   */
  tablePart(rangeVar: { schemaname?: string; relname: string }, part: { columns: string[]; indexes?: boolean }): Promise<Table | undefined>;
  /** The table an index belongs to, by the index's name as a statement writes it. */
  indexTable(name: { schemaname?: string; relname: string }): Promise<Table | undefined>;
  /** Created in the migration being checked (or in one not yet deployed): new and empty, never a lock risk. */
  isNew(table: TableRef): boolean;
  /** The same, by the name a statement uses, without reading the catalog. */
  isNewName(rangeVar: { schemaname?: string; relname: string }): boolean;
  /** Best row estimate: --assume-rows, then live statistics (--stats-from), then reltuples when analyzed. */
  rows(table: TableRef): number | undefined;
  /** False in parse-only mode (--no-execute): tables carry no columns, constraints or indexes. */
  readonly detailed: boolean;
}

export interface TransactionState {
  /** Inside a transaction: an explicit BEGIN, or a runner that wraps each migration (unless no-transaction). */
  inTransaction: boolean;
  /** The transaction was opened by BEGIN in the file (not by the runner). */
  explicit: boolean;
  /** `SET lock_timeout` ran earlier in this migration. */
  lockTimeout: boolean;
  /** DDL ran earlier in the current transaction. */
  ddlInTransaction: boolean;
  /** An earlier statement in the current transaction took ACCESS EXCLUSIVE on an existing table. */
  exclusiveLock?: {
    table: string;
    /** The locked table's schema and current name (a RENAME TO in the same transaction changes it). */
    ref: { schema: string; name: string };
    line: number;
    /** Statements run since, in the same transaction, that hold the lock longer (see keepsHoldBrief). */
    followers: number;
  };
  /** Tables TRUNCATEd or DELETEd without WHERE earlier in the current transaction (as written: `name` or `schema.name`). */
  emptied: string[];
  /** An earlier `SET TimeZone` (for the session, or LOCAL in this transaction) chose a zone with zero offset, such as UTC. */
  utcSession: boolean;
  utcLocal: boolean;
}

/** What a migration rule sees for one statement. */
export interface MigrationRuleContext {
  stmt: Statement;
  /** The statement's node, e.g. the AlterTableStmt object itself. */
  node: AnyNode;
  file: ParsedFile;
  migration: { id: string; file: string; noTransaction: boolean };
  before: CatalogView;
  tx: TransactionState;
  /** Target PostgreSQL major version (--pg-version, else the engine's). */
  pgVersion: number;
  config: Config;
  /** Location of a parse-tree `location` offset within this statement. */
  locate(location?: number): Location;
  /** Location of an ALTER TABLE's subcommand (its index in `cmds`): where that clause starts. */
  locateCommand(index: number): Location;
  /** Severity scaled by table size: info under the small-table threshold when the size is known. */
  sized(table: TableRef, severity: Severity): Severity;
}

/** What a migration rule sees after its statement ran (for measured facts such as rewrites). */
export interface ExecutedContext extends MigrationRuleContext {
  /** Relations whose relfilenode changed: `schema.name` of tables and indexes rewritten. */
  rewritten: string[];
  /** Findings already reported for this statement by other rules. */
  reported: Finding[];
}

/** Whole-migration checks (e.g. a missing down step, BEGIN without COMMIT). */
export interface MigrationFileContext {
  file: ParsedFile;
  migration: { id: string; file: string; noTransaction: boolean; layout: string; downText?: string };
  tx: TransactionState;
  config: Config;
}

export interface MigrationRule extends Rule<MigrationRuleContext> {
  area: 'migration';
  /** Statement kinds the rule looks at (for speed); all when absent. */
  kinds?: string[];
  /** For ALTER TABLE: the subcommands (e.g. `AT_AddColumn`) the rule looks at; all when absent. */
  alterSubtypes?: string[];
  /**
   * The rule never reports on a statement whose table (`relation`) is new in this deployment, so the
   * runner skips it there without calling it (known from the parse tree, no catalog read, no promise).
   */
  onlyExistingTables?: boolean;
  /** A cheap precondition on the transaction state; the rule is not called (no context built) when false. */
  when?: (tx: TransactionState) => boolean;
  afterExecute?(ctx: ExecutedContext): Finding[];
  /**
   * Whether afterExecute needs the statement's rewrites measured (relfilenodes read before and after
   * it runs), given the findings check() reported for it; when false for every rule, nothing is read.
   * Return false only when afterExecute then reports nothing whatever was rewritten. Always when absent.
   */
  measuresRewrite?(ctx: MigrationRuleContext, reported: Finding[]): boolean;
  checkFile?(ctx: MigrationFileContext): Finding[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyNode = Record<string, any>;

/** What a plan rule sees: one plan (EXPLAIN JSON or text, executed or not) with its timings. */
export interface PlanRuleContext {
  plan: import('../explain/types.js').Plan;
  /** Every node, parents first (index = node id). */
  nodes: Array<import('../explain/types.js').PlanNode>;
  timings: Array<import('../explain/types.js').NodeTiming>;
  /** Relations scanned fewer rows than this are small: whole scans of them are fine. */
  smallTableRows: number;
  /**
   * The plan's constants include values bound to `$n` parameters (--param, pg_qualstats): a partial
   * index on one of them would serve this one value, not the statement.
   */
  parameterValues?: boolean;
}

export interface PlanRule extends Rule<PlanRuleContext> {
  area: 'plan';
  /** The rule reads actual figures, so it is silent on a plan that was not executed (EXPLAIN without ANALYZE). */
  needsAnalyze: boolean;
}

/** An index's key parts read from its definition: a column, or an expression's parse tree, with its operator class. */
export interface IndexKey {
  column?: string;
  expression?: AnyNode;
  /** Operator class as written in the definition, without schema, e.g. `gin_trgm_ops`; undefined for the default. */
  opclass?: string;
}

/** What a query rule sees for one statement of application SQL (a .sql file, or a literal in .ts/.js code). */
export interface QueryRuleContext {
  stmt: Statement;
  /** The statement's tokens, node extents and edits (for fixes). */
  sql: import('../sql/tokens.js').SqlText;
  /** File, line and column of a parse-tree location (in the .ts/.js file for embedded SQL); the statement's when absent. */
  locate(location?: number): Location;
  /** The catalog of --schema files or a live database; undefined when the rule must judge from the SQL alone. */
  catalog?: Catalog;
  /** The table a statement names, resolved on the catalog's search_path; undefined without a catalog or when unknown. */
  table(rangeVar: { schemaname?: string; relname: string }): Table | undefined;
  /** Key parts of an index (opclasses, expressions), from its definition. */
  indexKeys(index: import('../catalog/types.js').Index): IndexKey[];
  /** Rows in a table: --assume-rows, else a live database's reltuples; undefined when unknown. */
  rows(table: { schema?: string; name: string }): number | undefined;
  /** Severity scaled by table size: info under the small-table threshold when the size is known. */
  sized(table: { schema?: string; name: string }, severity: Severity): Severity;
  smallTableRows: number;
  /**
   * Whether PostgreSQL accepts an index on `expression` of the table (index expressions must be IMMUTABLE),
   * tried in a rolled-back transaction on the scratch catalog; undefined when it cannot be tried (live database).
   */
  acceptsIndex(table: Table, expression: string): Promise<boolean | undefined>;
  /** The SQL is a string in application code (template substitutions became $1, $2, …). */
  embedded: boolean;
  config: Config;
}

export interface QueryRule extends Rule<QueryRuleContext> {
  area: 'query';
  /** How the rule uses the catalog, and what it does without one (the docs page says it). */
  catalogUse: string;
}
