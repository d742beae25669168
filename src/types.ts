// The contract between stages (see shared/design/ARCHITECTURE.md). Plain, serialisable data only.

export type Severity = 'error' | 'warning' | 'info';

export interface Location {
  file?: string;
  /** 1-based line. */
  line?: number;
  /** 1-based column, counted in characters (not bytes). */
  column?: number;
  /** 1-based index of the statement within its file. */
  statement?: number;
}

export interface Fix {
  description: string;
  sql: string;
}

export interface Finding {
  /** Stable id from shared/design/rules.md, e.g. "fk-missing-index". */
  rule: string;
  severity: Severity;
  /** One sentence that names the object. */
  message: string;
  location?: Location;
  /** Schema-qualified object, e.g. "public.orders". */
  object?: string;
  /** What to do instead. */
  hint?: string;
  /** A safe rewrite, when one exists. */
  fix?: Fix;
  /** Rule documentation anchor (relative path in this repository). */
  docs?: string;
  /** For plan insights: the node's pre-order id in the plan tree (0 = root), as the renderers number it. */
  planNode?: number;
  /** Other places the finding explains, e.g. the later statements that failed because of this one. */
  related?: Location[];
}

export type RuleArea = 'schema' | 'migration' | 'query' | 'plan' | 'health';

export interface Summary {
  errors: number;
  warnings: number;
  infos: number;
  files: number;
  statements: number;
  elapsedMs: number;
  /** Health checks run against a live database (pgarch health), which reads no files. */
  checks?: number;
}

/** A folder of migrations as pgarch read it: which tool's layout, how many migrations, what it skipped. */
export interface InputSet {
  path: string;
  /** The layout's name, e.g. `goose`, `supabase`, `numbered`. */
  layout: string;
  /** The tool, as its users know it, e.g. "Supabase CLI". */
  tool: string;
  /** Migrations read from it. */
  files: number;
  /** Files there the tool does not run as migrations, and why. */
  skipped?: Array<{ file: string; reason: string }>;
}

export type CheckStatus = 'pass' | 'fail' | 'human';

/** One item of a migration's review checklist (pgarch review). */
export interface ChecklistItem {
  /** Stable id, e.g. `no-full-table-locks`. */
  id: string;
  group: 'pre-flight' | 'performance' | 'safety' | 'rollback';
  title: string;
  /** Decided by pgarch (pass, fail), or left to a human with what to look at. */
  status: CheckStatus;
  /** Why: what was measured or found, or what a human must look at. */
  detail: string;
  /** Rule ids of the findings that decided it. */
  rules?: string[];
}

export interface MigrationChecklist {
  migration: string;
  file: string;
  items: ChecklistItem[];
}

/** One of the review's five parts: Schema, Indexes, Queries, Migration, Monitoring. */
export interface ReviewSection {
  id: 'schema' | 'indexes' | 'queries' | 'migration' | 'monitoring';
  title: string;
  /** Positions in the report's `findings` of the findings that belong here. */
  findings: number[];
  summary: { errors: number; warnings: number; infos: number };
  /** Migration: the checklist of each migration reported. */
  checklists?: MigrationChecklist[];
  /** Monitoring without a live database: the queries to run on one. */
  queries?: Array<{ title: string; sql: string }>;
  /** What the section could not cover, and why (no queries folder, no live database …). */
  note?: string;
}

/** What every command that reports findings returns; its JSON form is the public contract. */
export interface Report {
  tool: 'pgarch';
  version: string;
  findings: Finding[];
  summary: Summary;
  /** The migration folders read, and as which layout (lint migrations, review). */
  inputs?: InputSet[];
  /** pgarch review: the findings in its five parts, with each migration's checklist. */
  sections?: ReviewSection[];
}
