// The index advisor's data: the workload it optimises, the candidate indexes it weighs, and the
// advice it gives. Plain, serialisable data, like every stage's contract (src/types.ts).
import type { Statement } from '../sql/parse.js';
import type { SqlText } from '../sql/tokens.js';
import type { Location, Report } from '../types.js';

export type QueryKind = 'select' | 'insert' | 'update' | 'delete' | 'merge';

export interface WorkloadQuery {
  /** 1-based position in the workload. */
  id: number;
  /** The query as given, `$1…` parameters included, without its `;`. */
  sql: string;
  stmt: Statement;
  /** The statement's tokens, for the source text of its expressions. */
  text: SqlText;
  location?: Location;
  /** Calls per period: `-- weight: N` before it in a file, `calls` from pg_stat_statements. */
  weight: number;
  kind: QueryKind;
  /** Values for `$1…` (text, typed by PostgreSQL), sampled from the data; filled in by the advisor. */
  params?: string[];
  source: 'file' | 'pg_stat_statements';
  /** Where `params` came from when not sampled: pg_qualstats' example of the statement, with the constants it ran with. */
  paramsFrom?: 'pg_qualstats';
  /** From pg_stat_statements: mean execution time in ms. */
  meanMs?: number;
}

export interface KeyPart {
  /** SQL of the key: a quoted column name, or a parenthesised expression. */
  sql: string;
  /** The table column it is, for a plain column key. */
  column?: string;
  /** Columns the key reads (for write cost: an UPDATE of one of them maintains the index). */
  reads: string[];
  opclass?: string;
  /** Descending: only when an ORDER BY mixes directions (one direction is served backwards). */
  desc?: boolean;
}

export type IndexMethod = 'btree' | 'gin';

/** Why a candidate exists: the shape of index it is, for messages and tests. */
export type CandidateShape = 'single' | 'composite' | 'sort' | 'partial' | 'expression' | 'covering' | 'trigram' | 'jsonb' | 'merged';

export interface CandidateIndex {
  /** Canonical text, unique per distinct index: `public.orders btree (customer_id, created_at)`. */
  id: string;
  schema: string;
  table: string;
  method: IndexMethod;
  keys: KeyPart[];
  /** INCLUDE columns, quoted. */
  include: string[];
  /** Partial index predicate, SQL. */
  where?: string;
  /** Columns the predicate reads. */
  whereReads: string[];
  shapes: Set<CandidateShape>;
  /** Queries it was made for (ids). */
  queries: Set<number>;
  /** Extension the operator class needs (pg_trgm). */
  extension?: string;
}

/** An index that exists already, as the advisor weighs it. */
export interface ExistingIndex {
  schema: string;
  table: string;
  name: string;
  method: string;
  /** Key parts as a candidate's, read from pg_get_indexdef (an expression key is `?`). */
  keys: KeyPart[];
  /** INCLUDE columns, quoted. */
  include: string[];
  predicate?: string;
  /** Backs a constraint (primary key, unique, exclusion) or leads with a foreign key's columns: never advised as unused. */
  protected: boolean;
  /** Backs a constraint (primary key, unique, exclusion): not even a wider index replaces it. */
  backsConstraint: boolean;
  /** CREATE INDEX as pg_get_indexdef prints it. */
  definition: string;
  sizeBytes: number;
  /** Scans counted by pg_stat_user_indexes (live databases). */
  scans?: number;
}

export interface ProposedIndex {
  /** CREATE INDEX CONCURRENTLY … ; */
  sql: string;
  name: string;
  object: string;
  method: IndexMethod;
  shapes: CandidateShape[];
  sizeBytes: number;
  /** Estimated build time in seconds at the table's size. */
  buildSeconds: number;
  /** Weighted cost the workload saves with it (planner units per period), write cost deducted. */
  benefit: number;
  /** Weighted write cost it adds (planner units per period). */
  writeCost: number;
  /** Queries whose plan uses it (ids). */
  serves: number[];
  /** The existing index it widens (and replaces). */
  replaces?: string;
  extension?: string;
}

export interface DroppedIndex {
  name: string;
  object: string;
  sql: string;
  sizeBytes: number;
  reason: 'unused' | 'redundant';
  /** For redundant: the proposal that covers it. */
  coveredBy?: string;
  /** Its CREATE INDEX (pg_get_indexdef), to make it again in a down step. */
  definition: string;
  scans?: number;
}

export interface QueryAdvice {
  id: number;
  location?: Location;
  sql: string;
  weight: number;
  kind: QueryKind;
  /** Planner cost of one call without and with the proposed indexes; undefined when it did not plan. */
  costBefore?: number;
  costAfter?: number;
  /** Proposed indexes its new plan uses (names). */
  uses: string[];
  params?: string[];
  /** `pg_qualstats` when the values are those the statement ran with, not sampled from the data. */
  paramsFrom?: 'pg_qualstats';
}

export interface Advice {
  /** How what-if costs were made: `hypopg` (hypothetical indexes on the server) or `real` (built on a copy). */
  costing: 'hypopg' | 'real';
  engine: string;
  /** Selection method, cited. */
  method: string;
  indexes: ProposedIndex[];
  drops: DroppedIndex[];
  queries: QueryAdvice[];
  /** Weighted workload cost before and after (planner units per period, write cost included). */
  totalBefore: number;
  totalAfter: number;
  /** Candidates generated and costed. */
  candidates: number;
  /** What-if plans made. */
  plans: number;
  /** Rows of the sample per table when costs came from a sampled copy: every cost without HypoPG; with it, those of GIN and expression candidates. */
  sampled?: Array<{ table: string; sourceRows: number; copiedRows: number }>;
}

export interface AdviceReport extends Report {
  advice?: Advice;
}
