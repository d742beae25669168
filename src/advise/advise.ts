// `pgarch advise indexes`: from a workload to the few indexes that pay. The workload's queries are
// costed on an engine that holds the schema and data — embedded PGlite with --schema files (and
// --rows or data files), where candidates are built for real, or a live database with HypoPG, where
// they are hypothetical and nothing is written — then candidates are generated from each query,
// costed, and chosen over the whole workload (select.ts).
import type { Catalog, Table } from '../catalog/types.js';
import { defaultConfig, type Config } from '../config.js';
import { openEngine, type Engine } from '../engine/index.js';
import { extensionAvailable, extensionInstalled } from '../engine/extensions.js';
import { isFatalEngineError, toEngineError } from '../engine/types.js';
import { applyFiles, extensionsUsed } from '../lint/apply.js';
import { applyEnvironment, EMPTY_ENVIRONMENT, loadEnvironment, resolveProfile } from '../lint/environment.js';
import { InputError } from '../lint/files.js';
import { buildReport } from '../lint/policy.js';
import { readSqlFiles } from '../lint/schema.js';
import { seedTables } from '../migrate/seed.js';
import { queryCatalogFrom, readIndexKeys, type QueryCatalog } from '../query/catalog.js';
import { analyze } from '../rules/query/scope.js';
import { indexRedundancies } from '../rules/schema/normal-util.js';
import type { AnyNode } from '../rules/types.js';
import { loadParser, type ParsedFile } from '../sql/parse.js';
import { quoteIdent, quoteQualified, truncateIdentifier } from '../sql/quote.js';
import type { Finding } from '../types.js';
import { generateCandidates } from './candidates.js';
import { sampleIntoPglite, type SampledTable } from './sample.js';
import { ParameterSampler } from './params.js';
import { selectIndexes, widens, type Costed, type TableWrites } from './select.js';
import type { Advice, AdviceReport, CandidateIndex, DroppedIndex, ExistingIndex, ProposedIndex, QueryAdvice } from './types.js';
import { SampleAssistedWhatIf } from './whatif-sampled.js';
import { createIndexSql, HypoWhatIf, RealWhatIf, type Prepared, type WhatIf } from './whatif.js';
import { readStatementStats, readWorkloadFiles, type Workload } from './workload.js';

export const SELECTION_METHOD = 'greedy selection with re-costing over the workload, after Extend (Schlosser, Kossmann, Boissier, ICDE 2019)';

export interface AdviseOptions {
  /** Workload files or directories (.sql, code); without them, pg_stat_statements of `database`. */
  workload?: string[];
  /** Schema files applied to embedded PGlite (data files too: INSERT … SELECT generate_series). */
  schema?: string[];
  /** Synthetic rows per table after the schema. */
  rows?: Record<string, number>;
  /** A live database: read-only; costed with HypoPG. */
  database?: string;
  maxIndexes?: number;
  /** Megabytes. */
  maxSizeMb?: number;
  writeWeight?: number;
  /** Rows copied per table when the server has no HypoPG (default 100,000). */
  sampleRows?: number;
  /** Statements read from pg_stat_statements (default 50). */
  top?: number;
  config?: Config;
  setup?: string[];
  progress?: (message: string) => void;
}

/** Everything costed before a selection: the engine, the workload as planned, the candidates. */
export interface AdvisorSession {
  engine: Engine;
  whatif: WhatIf;
  workload: Workload;
  costed: Costed[];
  candidates: CandidateIndex[];
  prepared: Prepared;
  catalog: Catalog;
  /** Input findings so far (syntax, queries that do not plan). */
  findings: Finding[];
  schemaFiles: ParsedFile[];
  /** What was copied when costs came from a sample. */
  sampled?: SampledTable[];
  /** Size of each existing index (`schema.name`), and its scans since the statistics were reset on a live database. */
  indexUsage: Map<string, IndexUsage>;
  /** Rows written per table since the statistics reset (live database, workload from pg_stat_statements). */
  tableWrites?: Map<string, TableWrites>;
  close(): Promise<void>;
}

export async function adviseIndexes(options: AdviseOptions): Promise<AdviceReport> {
  const started = performance.now();
  const config = options.config ?? defaultConfig();
  const session = await openAdvisor(options);
  let advice: Advice;
  try {
    advice = await advise(session, options);
  } finally {
    await session.close();
  }
  const report = buildReport(session.findings, session.schemaFiles, config, { files: session.workload.files + session.schemaFiles.length, statements: session.workload.statements, started });
  return { ...report, advice };
}

/** Open the engine, build the copy (embedded), read and plan the workload, generate and prepare the candidates. */
export async function openAdvisor(options: AdviseOptions): Promise<AdvisorSession> {
  const config = options.config ?? defaultConfig();
  await loadParser();
  if (options.schema?.length && options.database) throw new InputError('give --schema (the schema and data built in embedded PGlite) or --database (a live database holding them), not both');
  if (!options.schema?.length && !options.database) throw new InputError('the advisor needs the schema and its data: --schema FILE… (embedded PGlite; data files or --rows table=N) or --database URL');
  if (!options.workload?.length && !options.database) throw new InputError('give the workload with --workload FILE…, or --database URL to read it from pg_stat_statements');

  const schemaFiles = options.schema?.length ? await readSqlFiles(options.schema) : [];
  const env = schemaFiles.length
    ? await loadEnvironment({ profile: resolveProfile(options.schema ?? [], config.profile), setup: [...config.setup, ...(options.setup ?? [])] })
    : EMPTY_ENVIRONMENT;
  const engine: Engine = await openEngine(
    options.database ? { database: options.database, readOnly: true } : { extensions: [...new Set([...env.extensions, ...extensionsUsed(schemaFiles), 'pg_trgm'])] },
  );
  const findings: Finding[] = schemaFiles.flatMap((f) => f.findings);
  let whatif: WhatIf | undefined;
  let copy: Engine | undefined;
  try {
    if (schemaFiles.length) {
      options.progress?.('applying the schema');
      findings.push(...(await applyEnvironment(engine, env)).findings, ...(await applyFiles(engine, schemaFiles)));
      if (options.rows && Object.keys(options.rows).length) await seedTables(engine, options.rows, ' in the schema');
      // The copy is pgarch's own: with pg_trgm in it, a substring search gets a trigram candidate even
      // when the schema has not created the extension yet (the advice then says to).
      await engine.exec('CREATE EXTENSION IF NOT EXISTS pg_trgm');
      // Index-only scans are costed from the visibility map: vacuum the copy as production's autovacuum would.
      await engine.exec('VACUUM ANALYZE');
    }
    const workload = options.workload?.length ? await readWorkloadFiles(options.workload) : await readStatementStats(engine, options.top ?? 50);
    findings.push(...workload.findings);
    const indexUsage = await readIndexUsage(engine, Boolean(options.database));
    // With the workload from pg_stat_statements, writes are also charged from the tables' own counters,
    // which hold every write, not only those of the top statements.
    const tableWrites = options.database && !options.workload?.length ? await readTableWrites(engine) : undefined;
    let costEngine = engine;
    let sampled: SampledTable[] | undefined;
    let liveCatalog: Promise<QueryCatalog> | undefined;
    const readLive = () => (liveCatalog ??= queryCatalogFrom(engine, { live: true }));
    if (options.database && !(await extensionInstalled(engine, 'hypopg'))) {
      // No HypoPG: the tables the workload reads, with a sample of their rows, copied into embedded
      // PGlite, where candidates are built for real. The live database is only read.
      findings.push(await noHypopgFinding(engine));
      const lookup = await readLive();
      const tables = [...new Set(workload.queries.flatMap((q) => [...tablesOf(q, lookup).tables]))];
      options.progress?.(`copying a sample of ${tables.length} tables into embedded PGlite`);
      ({ engine: copy, sampled } = await sampleIntoPglite(engine, lookup.catalog, tables, { maxRows: options.sampleRows ?? 100_000 }));
      costEngine = copy;
    }
    const costed: Costed[] = [];
    whatif =
      costEngine === engine && options.database
        ? new SampleAssistedWhatIf(await HypoWhatIf.open(engine), {
            live: engine,
            catalog: async () => (await readLive()).catalog,
            tablesAlongside: (tables) => costed.filter((c) => tables.some((t) => c.tables.has(t))).flatMap((c) => [...c.tables]),
            ...(options.sampleRows ? { maxRows: options.sampleRows } : {}),
            ...(options.progress ? { progress: options.progress } : {}),
          })
        : new RealWhatIf(costEngine);
    // The live database's catalog is read once, whoever asks first; the copy's is its own.
    const catalogOf = costEngine === engine && options.database ? readLive : () => queryCatalogFrom(costEngine, { live: Boolean(options.database) });
    const planned = await planWorkload(costEngine, whatif, workload, options, findings, costed, catalogOf);
    const w = whatif;
    const c = copy;
    return {
      engine: costEngine,
      whatif,
      workload,
      ...planned,
      findings,
      schemaFiles,
      indexUsage,
      ...(tableWrites ? { tableWrites } : {}),
      ...(sampled ? { sampled } : {}),
      async close() {
        await w.close();
        await c?.close();
        await engine.close();
      },
    };
  } catch (error) {
    await whatif?.close().catch(() => {});
    await copy?.close().catch(() => {});
    await engine.close();
    throw error;
  }
}

interface IndexUsage {
  sizeBytes: number;
  scans?: number;
}

/** Existing indexes' sizes, and on a live database how often each was scanned (pg_stat_user_indexes). */
async function readIndexUsage(engine: Engine, live: boolean): Promise<Map<string, IndexUsage>> {
  const { rows } = await engine.query<{ s: string; n: string; size: string; scans: string | null }>(
    `select schemaname as s, indexrelname as n, pg_relation_size(indexrelid)::text as size, idx_scan::text as scans from pg_stat_user_indexes`,
  );
  return new Map(rows.map((r) => [`${r.s}.${r.n}`, { sizeBytes: Number(r.size), ...(live && r.scans !== null ? { scans: Number(r.scans) } : {}) }]));
}

/**
 * Rows each table had written, brought to the period pg_stat_statements' calls cover. The two sets of
 * counters are reset apart (pg_stat_statements_info.stats_reset, pg_stat_database.stats_reset), so the
 * tables' counts are scaled by the ratio of the two periods, as rates. When either reset time is unknown
 * (PostgreSQL < 14, or a database whose statistics were never reset) the periods cannot be matched, and
 * writes are charged from the workload's own write statements only.
 */
async function readTableWrites(engine: Engine): Promise<Map<string, TableWrites> | undefined> {
  let periods: { pgss: number | null; tables: number | null } | undefined;
  try {
    const { rows } = await engine.query<{ pgss: number | null; tables: number | null }>(
      `select extract(epoch from now() - (select stats_reset from pg_stat_statements_info))::float8 as pgss,
              extract(epoch from now() - (select stats_reset from pg_stat_database where datname = current_database()))::float8 as tables`,
    );
    periods = rows[0];
  } catch (error) {
    if (isFatalEngineError(error)) throw error;
    return undefined; // no pg_stat_statements_info before PostgreSQL 14
  }
  if (!periods?.pgss || !periods.tables || periods.tables <= 0) return undefined;
  const scale = periods.pgss / periods.tables;
  const { rows } = await engine.query<{ s: string; t: string; ins: string; upd: string }>(
    `select schemaname as s, relname as t, n_tup_ins::text as ins, (n_tup_upd - n_tup_hot_upd)::text as upd from pg_stat_user_tables`,
  );
  return new Map(rows.map((r) => [`${r.s}.${r.t}`, { inserted: Number(r.ins) * scale, nonHotUpdated: Number(r.upd) * scale }]));
}

/** The server has no HypoPG in this database: say how to get it, and that a sampled copy was used instead. */
async function noHypopgFinding(engine: Engine): Promise<Finding> {
  const { rows } = await engine.query<{ available: boolean; major: number }>(
    `select exists (select 1 from pg_available_extensions where name = 'hypopg') as available, current_setting('server_version_num')::int / 10000 as major`,
  );
  const how = rows[0]?.available
    ? 'HypoPG is on the server but not in this database: CREATE EXTENSION hypopg; adds its functions (nothing else)'
    : `install HypoPG on the server (Debian/Ubuntu: apt-get install postgresql-${rows[0]?.major ?? '<version>'}-hypopg; or build it from github.com/HypoPG/hypopg), then CREATE EXTENSION hypopg; in this database`;
  return {
    rule: 'advise-sampled',
    severity: 'info',
    message: 'The server has no HypoPG, so the advisor built real candidate indexes on a sampled copy of the tables in embedded PGlite: costs are at the sample\'s size',
    hint: `For hypothetical indexes at the database's own size (nothing built, nothing written): ${how}.`,
  };
}

/** Plans the workload into `costed` (the caller's, so GIN costing on a sample can see which tables each query reads). */
async function planWorkload(
  engine: Engine,
  whatif: WhatIf,
  workload: Workload,
  options: AdviseOptions,
  findings: Finding[],
  costed: Costed[],
  catalogOf: () => Promise<QueryCatalog>,
): Promise<Pick<AdvisorSession, 'costed' | 'candidates' | 'prepared' | 'catalog'>> {
  const session = await catalogOf();
  const catalog = session.catalog;
  const sampler = new ParameterSampler(engine, session);
  const stats = await columnStats(engine, catalog);

  // Each query planned once as it is: one that does not plan is a located finding, the rest go on.
  let done = 0;
  for (const query of workload.queries) {
    options.progress?.(`planning query ${++done}/${workload.queries.length}`);
    try {
      // Values a statement really ran with (pg_qualstats) beat values sampled from the column.
      query.params ??= (await sampler.sample(query)) as string[] | undefined;
      const base = await whatif.plan(query, [], []);
      costed.push({ query, base, ...tablesOf(query, session) });
    } catch (error) {
      if (isFatalEngineError(error)) throw error;
      const e = toEngineError(error);
      findings.push({ rule: 'execution-error', severity: 'error', message: `${e.message} (the query cannot be planned; the advice leaves it out)`, location: query.location, ...(e.hint ? { hint: e.hint } : {}) });
    }
  }
  // Trigram candidates need pg_trgm where they are costed: the embedded copies always load it; on a server it
  // must be installed, unless GIN candidates are costed on an embedded sample (then only available there).
  const trgm = catalog.extensions.some((x) => x.name === 'pg_trgm') || (whatif instanceof SampleAssistedWhatIf && (await extensionAvailable(engine, 'pg_trgm')));
  const candidates = generateCandidates(
    costed.map((c) => c.query),
    {
      table: (rv) => session.table(rv),
      distinct: (table, column) => stats.get(`${table.schema}.${table.name}.${column}`),
      canUse: (ext) => ext === 'pg_trgm' && trgm,
    },
  );
  options.progress?.(`costing ${candidates.length} candidate indexes`);
  const prepared = await whatif.prepare(candidates);
  return { costed, candidates, prepared, catalog };
}

async function advise(session: AdvisorSession, options: AdviseOptions): Promise<Advice> {
  const { engine, whatif, workload, costed, candidates, prepared, catalog, findings } = session;
  const existing = existingIndexes(catalog, session.indexUsage);
  const selection = await selectIndexes(costed, candidates, prepared.sizes, whatif, {
    maxIndexes: options.maxIndexes ?? 10,
    maxSize: options.maxSizeMb !== undefined ? options.maxSizeMb * 1024 * 1024 : Infinity,
    writeWeight: options.writeWeight ?? 1,
    minGain: 0.001,
    ...(session.tableWrites ? { tableWrites: session.tableWrites } : {}),
  });

  const names = new Set(catalog.tables.flatMap((t) => t.indexes.map((i) => i.name)));
  // Plans name candidates as the what-if engine made them; the advice names them as they will be created.
  const proposedName = new Map<string, string>();
  const usesOf = (q: Costed) => (selection.after.get(q.query.id)?.indexes ?? []).map((n) => whatif.candidateOf(n)).filter((id): id is string => id !== undefined);
  const indexes: ProposedIndex[] = selection.chosen.map((c) => {
    const name = indexName(c, names);
    proposedName.set(c.id, name);
    const table = catalog.tables.find((t) => t.schema === c.schema && t.name === c.table);
    // A wider index keeps the old one's leading keys, so it also serves a foreign key the old one led with.
    const replaces = existing.find((x) => !x.backsConstraint && x.method === c.method && !x.predicate && widens(c, x));
    const serves = costed.filter((q) => usesOf(q).includes(c.id)).map((q) => q.query.id);
    const buildMs = prepared.buildMs.get(c.id);
    return {
      sql: `${createIndexSql(c, name, true)};`,
      name,
      object: `${c.schema}.${c.table}`,
      method: c.method,
      shapes: [...c.shapes],
      sizeBytes: prepared.sizes.get(c.id) ?? 0,
      buildSeconds: buildMs !== undefined ? buildMs / 1000 : estimateBuildSeconds(prepared.sizes.get(c.id) ?? 0, table),
      benefit: selection.benefit.get(c.id) ?? 0,
      writeCost: selection.writeCost.get(c.id) ?? 0,
      serves,
      ...(replaces ? { replaces: `${replaces.schema}.${replaces.name}` } : {}),
      ...(c.extension ? { extension: c.extension } : {}),
    };
  }).sort((a, b) => b.benefit - a.benefit);

  const used = new Set<string>();
  for (const q of costed) for (const name of [...q.base.indexes, ...(selection.after.get(q.query.id)?.indexes ?? [])]) used.add(name);
  // An existing btree whose keys start another existing one's is redundant: the wider one serves its
  // queries (the planner may have picked the narrow one by a hair), so the narrow one is what to drop.
  // Which index covers which is the schema lint's judgement (duplicate-index, redundant-index).
  const byName = new Map(existing.map((x) => [`${x.schema}.${x.name}`, x]));
  const prefixOf = new Map<ExistingIndex, ExistingIndex>();
  for (const t of catalog.tables) {
    for (const r of indexRedundancies(t, catalog)) {
      const y = byName.get(`${r.index.schema}.${r.index.name}`);
      const wider = byName.get(`${r.coveredBy.schema}.${r.coveredBy.name}`);
      if (!y || !wider || r.kind !== 'prefix' || y.backsConstraint || y.method !== 'btree') continue;
      prefixOf.set(y, wider);
      if (used.has(y.name)) used.add(wider.name);
    }
  }
  const drops: DroppedIndex[] = [];
  for (const x of existing) {
    const object = `${x.schema}.${x.table}`;
    const drop = { name: x.name, object, sql: `DROP INDEX CONCURRENTLY ${quoteQualified(x.schema, x.name)};`, definition: x.definition, sizeBytes: x.sizeBytes, ...(x.scans !== undefined ? { scans: x.scans } : {}) };
    const replacedBy = indexes.find((p) => p.replaces === `${x.schema}.${x.name}`)?.name ?? prefixOf.get(x)?.name;
    if (replacedBy) drops.push({ ...drop, reason: 'redundant', coveredBy: replacedBy });
    // On a live database an index that was scanned serves queries the workload does not hold: not unused.
    else if (!x.protected && !used.has(x.name) && !x.scans && costed.some((q) => q.tables.has(object) || q.writes === object)) drops.push({ ...drop, reason: 'unused' });
  }

  const queries: QueryAdvice[] = workload.queries.map((query) => {
    const c = costed.find((x) => x.query === query);
    const after = selection.after.get(query.id);
    return {
      id: query.id,
      location: query.location,
      sql: query.sql,
      weight: query.weight,
      kind: query.kind,
      ...(c ? { costBefore: c.base.cost, costAfter: after?.cost ?? c.base.cost } : {}),
      uses: c ? usesOf(c).map((id) => proposedName.get(id)).filter((n): n is string => Boolean(n)) : [],
      ...(query.params ? { params: query.params } : {}),
      ...(query.paramsFrom ? { paramsFrom: query.paramsFrom } : {}),
    };
  });
  findings.push(...adviceFindings(indexes, drops, queries, selection.totalBefore, workload.queries.length));
  // Tables copied into embedded PGlite: all of them without HypoPG, those of GIN and expression candidates with it.
  const sampled = session.sampled ?? (whatif instanceof SampleAssistedWhatIf ? whatif.sampledTables : []);
  return {
    costing: whatif.costing,
    engine: (await engine.version()).text,
    method: SELECTION_METHOD,
    indexes,
    drops,
    queries,
    totalBefore: selection.totalBefore,
    totalAfter: selection.totalAfter,
    candidates: candidates.length,
    plans: whatif.plans,
    ...(sampled.length ? { sampled: sampled.map((t) => ({ table: `${t.schema}.${t.name}`, sourceRows: t.sourceRows, copiedRows: t.copiedRows })) } : {}),
  };
}

/** The tables a query reads, and for a write the table it writes and the columns an UPDATE sets. */
function tablesOf(query: Costed['query'], session: { table(rv: { schemaname?: string; relname: string }): Table | undefined }): Pick<Costed, 'tables' | 'writes' | 'sets'> {
  const tables = new Set<string>();
  for (const block of analyze(query.stmt.node as AnyNode).blocks) {
    for (const item of block.items) {
      const t = item.kind === 'table' && item.rangeVar ? session.table(item.rangeVar as { schemaname?: string; relname: string }) : undefined;
      if (t) tables.add(`${t.schema}.${t.name}`);
    }
  }
  const node = query.stmt.node as AnyNode;
  const target = node.InsertStmt?.relation ?? node.UpdateStmt?.relation ?? node.DeleteStmt?.relation;
  const written = target ? session.table(target) : undefined;
  const sets = node.UpdateStmt ? new Set<string>((node.UpdateStmt.targetList ?? []).map((t: AnyNode) => t.ResTarget?.name)) : undefined;
  if (written) tables.add(`${written.schema}.${written.name}`);
  return { tables, ...(written ? { writes: `${written.schema}.${written.name}` } : {}), ...(sets ? { sets } : {}) };
}

/** Distinct values per column from pg_stats (negative n_distinct is a fraction of the rows). */
async function columnStats(engine: Engine, catalog: Catalog): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const rows = new Map(catalog.tables.map((t) => [`${t.schema}.${t.name}`, Math.max(t.reltuples, 1)]));
  const { rows: stats } = await engine.query<{ s: string; t: string; a: string; n: number }>(
    `select schemaname as s, tablename as t, attname as a, n_distinct::float8 as n from pg_stats where schemaname not in ('pg_catalog', 'information_schema')`,
  );
  for (const r of stats) out.set(`${r.s}.${r.t}.${r.a}`, r.n < 0 ? -r.n * (rows.get(`${r.s}.${r.t}`) ?? 1) : r.n);
  return out;
}

function existingIndexes(catalog: Catalog, usage: Map<string, IndexUsage>): ExistingIndex[] {
  const out: ExistingIndex[] = [];
  for (const t of catalog.tables) {
    const fks = t.constraints.filter((c) => c.type === 'foreign key').map((c) => c.columns);
    for (const i of t.indexes) {
      // An index that leads with a foreign key's columns serves the deletes and updates of the referenced rows, which no plan of the workload shows.
      const leadsFk = fks.some((cols) => cols.every((c, k) => i.columns[k] === c));
      const backsConstraint = i.primary || i.unique || Boolean(i.constraint);
      out.push({
        schema: t.schema,
        table: t.name,
        name: i.name,
        method: i.method,
        // Expression keys become a key no candidate has: a proposal widens plain-column prefixes only.
        keys: readIndexKeys(i).map((k) => ({ sql: k.column ? quoteIdent(k.column) : '?', reads: k.column ? [k.column] : [], ...(k.opclass ? { opclass: k.opclass } : {}) })),
        include: i.include.map(quoteIdent),
        ...(i.predicate ? { predicate: i.predicate } : {}),
        protected: backsConstraint || leadsFk,
        backsConstraint,
        definition: i.definition,
        ...(usage.get(`${t.schema}.${i.name}`) ?? { sizeBytes: 0 }),
      });
    }
  }
  return out;
}

/** About 30 MB of index written per second, plus reading the table: a rough figure, said to be one. */
function estimateBuildSeconds(bytes: number, table: Table | undefined): number {
  return bytes / 30e6 + ((table?.relpages ?? 0) * 8192) / 200e6;
}

function indexName(c: CandidateIndex, taken: Set<string>): string {
  const parts = [c.table, ...c.keys.map((k) => k.column ?? k.reads.join('_') ?? 'expr'), ...(c.include.length ? ['incl'] : []), ...(c.where ? ['partial'] : []), c.method === 'gin' ? 'gin' : 'idx'];
  const base = truncateIdentifier(parts.join('_').replace(/[^a-z0-9_]/gi, '_').toLowerCase());
  let name = base;
  for (let n = 2; taken.has(name); n++) name = truncateIdentifier(`${base}${n}`);
  taken.add(name);
  return name;
}

/** How much smaller `after` is than `before`, e.g. `57.1%`. */
function percent(before: number, after: number): string {
  return before > 0 ? `${(((before - after) / before) * 100).toFixed(1)}%` : '0%';
}

export function formatCost(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2);
}

function adviceFindings(indexes: ProposedIndex[], drops: DroppedIndex[], queries: QueryAdvice[], totalBefore: number, count: number): Finding[] {
  const out: Finding[] = [];
  for (const p of indexes) {
    const served = queries.filter((q) => p.serves.includes(q.id));
    const first = served[0];
    const where = served.map((q) => `#${q.id}${q.costBefore !== undefined ? ` ${formatCost(q.costBefore)} → ${formatCost(q.costAfter!)}` : ''}`).join(', ');
    const mb = (p.sizeBytes / 1048576).toFixed(1);
    out.push({
      rule: p.replaces ? 'advise-widen-index' : 'advise-create-index',
      severity: 'warning',
      message: p.replaces
        ? `Widen index ${p.replaces} into ${p.name} on ${p.object}: serves ${served.length} of ${count} queries (${where}); the workload's cost falls ${percent(totalBefore, totalBefore - p.benefit)}`
        : `Index ${p.name} on ${p.object} serves ${served.length} of ${count} queries (${where}); the workload's cost falls ${percent(totalBefore, totalBefore - p.benefit)}`,
      ...(first?.location ? { location: first.location } : {}),
      object: p.object,
      hint: `${mb} MB, about ${p.buildSeconds.toFixed(1)} s to build${p.extension ? `; needs CREATE EXTENSION IF NOT EXISTS ${p.extension}` : ''}${p.replaces ? `; then drop ${p.replaces}` : ''}. CONCURRENTLY builds it without blocking writes (outside a transaction).`,
      fix: { description: p.replaces ? `create ${p.name}, then drop ${p.replaces}` : `create ${p.name}`, sql: p.replaces ? `${p.sql}\nDROP INDEX CONCURRENTLY ${p.replaces};` : p.sql },
    });
  }
  // A redundant index that no proposal replaces: another existing index starts with its keys.
  for (const d of drops.filter((x) => x.reason === 'redundant' && !indexes.some((p) => p.name === x.coveredBy))) {
    out.push({
      rule: 'advise-drop-index',
      severity: 'info',
      message: `Index ${d.name} on ${d.object} (${(d.sizeBytes / 1048576).toFixed(1)} MB) is redundant: ${d.coveredBy} starts with the same keys and serves its queries, and every write maintains both`,
      object: d.object,
      hint: `Drop ${d.name}; the planner uses ${d.coveredBy} where it used ${d.name}, at about the same cost.`,
      fix: { description: `drop ${d.name}`, sql: d.sql },
    });
  }
  for (const d of drops.filter((x) => x.reason === 'unused')) {
    out.push({
      rule: 'advise-drop-index',
      severity: 'info',
      message: `Index ${d.name} on ${d.object} (${(d.sizeBytes / 1048576).toFixed(1)} MB) is used by no query of the workload${d.scans === 0 ? ' and was never scanned since the statistics were reset' : ''}, and every write to ${d.object} maintains it`,
      object: d.object,
      hint:
        d.scans === 0
          ? 'pg_stat_user_indexes counts this server only: check replicas, and how long ago the statistics were reset, before dropping.'
          : 'Check pg_stat_user_indexes.idx_scan on production (and replicas) before dropping: the workload given is all pgarch knows.',
      fix: { description: `drop ${d.name}`, sql: d.sql },
    });
  }
  return out;
}
