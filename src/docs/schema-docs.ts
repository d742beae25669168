// `pgarch docs`: the catalog and the schema-lint findings (lintSchema, so the files are read and
// applied exactly as `lint schema` does) → markdown per table, index.md, an SVG ERD and a Mermaid
// block per schema, per `pgarch.group` and for the whole schema.
//
// Groups: every schema gets a diagram. A table whose comment holds `pgarch.group: billing` (or
// `pgarch.group=billing`) is also in the group `billing`, which gets a diagram of its own; tables
// without a tag are in their schema's diagram only.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Catalog, Table } from '../catalog/types.js';
import type { Finding, Report } from '../types.js';
import type { LintSchemaOptions } from '../lint/schema.js';
import { renderErdSvg } from './erd.js';
import { tableId } from './erd-layout.js';
import { findingsByTable, groupTag, indexMarkdown, mermaidErDiagram, referencesIn, relativeLink, tableMarkdown, type DocGroup } from './markdown.js';

export interface DocFile {
  /** Relative to the output directory, `/`-separated. */
  path: string;
  content: string;
  kind: 'index' | 'table' | 'svg' | 'mermaid';
}

/** Statement failures: the docs then miss what those statements would have built. */
export const INPUT_FAILURES = new Set(['syntax-error', 'execution-error', 'engine-failure', 'not-executed', 'psql-meta-command']);

export async function generateSchemaDocs(catalog: Catalog, findings: Finding[]): Promise<DocFile[]> {
  const tables = [...catalog.tables].sort((a, b) => tableId(a).localeCompare(tableId(b)));
  const pages = new Map<string, string>();
  const taken = new Set<string>();
  for (const t of tables) {
    const base = `tables/${fileSafe(t.schema)}.${fileSafe(t.name)}`;
    let path = `${base}.md`;
    for (let i = 2; taken.has(path.toLowerCase()); i++) path = `${base}-${i}.md`;
    taken.add(path.toLowerCase());
    pages.set(tableId(t), path);
  }
  const groups = docGroups(tables);
  const referencedBy = referencesIn(catalog);
  const byTable = findingsByTable(catalog, findings.filter((f) => !INPUT_FAILURES.has(f.rule)));
  const onTables = new Set([...byTable.values()].flat());
  const otherFindings = findings.filter((f) => !onTables.has(f) && !INPUT_FAILURES.has(f.rule));

  const files: DocFile[] = [];
  const mermaid = new Map<DocGroup, string>();
  for (const g of groups) {
    const text = mermaidErDiagram(g.tables, tables);
    mermaid.set(g, text);
    files.push({ path: g.mermaid, content: `${text}\n`, kind: 'mermaid' });
    const title = g.kind === 'all' ? 'Whole schema' : `${g.kind} ${g.name}`;
    const { svg } = await renderErdSvg(title, g.tables, tables, { href: (id) => (pages.has(id) ? relativeLink(g.svg, pages.get(id)!) : undefined) });
    files.push({ path: g.svg, content: `${svg}\n`, kind: 'svg' });
  }
  for (const t of tables) {
    files.push({ path: pages.get(tableId(t))!, content: tableMarkdown(t, { pages, referencedBy, findings: byTable.get(tableId(t)) ?? [], groups }), kind: 'table' });
  }
  files.unshift({ path: 'index.md', content: indexMarkdown(catalog, { pages, findings: byTable, groups, otherFindings }, mermaid), kind: 'index' });
  return files;
}

/** One group per schema, one per `pgarch.group` tag, and the whole schema. */
export function docGroups(tables: Table[]): DocGroup[] {
  const groups: DocGroup[] = [];
  const names = new Set<string>();
  const file = (prefix: string, name: string) => {
    let base = `erd/${prefix}${fileSafe(name)}`;
    for (let i = 2; names.has(base.toLowerCase()); i++) base = `erd/${prefix}${fileSafe(name)}-${i}`;
    names.add(base.toLowerCase());
    return { svg: `${base}.svg`, mermaid: `${base}.mmd` };
  };
  for (const schema of [...new Set(tables.map((t) => t.schema))]) {
    groups.push({ kind: 'schema', name: schema, tables: tables.filter((t) => t.schema === schema), ...file('schema-', schema) });
  }
  const tags = [...new Set(tables.map(groupTag).filter((g): g is string => Boolean(g)))].sort();
  for (const tag of tags) groups.push({ kind: 'group', name: tag, tables: tables.filter((t) => groupTag(t) === tag), ...file('group-', tag) });
  groups.push({ kind: 'all', name: 'all', tables, svg: 'erd/all.svg', mermaid: 'erd/all.mmd' });
  return groups;
}

export interface SchemaDocsOptions extends Pick<LintSchemaOptions, 'paths' | 'database' | 'live' | 'config' | 'setup' | 'progress'> {
  /** Directory the docs are written to (created). */
  out: string;
}

export interface SchemaDocsResult {
  out: string;
  /** Written, relative to `out`. */
  files: Array<{ path: string; kind: DocFile['kind'] }>;
  tables: number;
  /** The schema lint's report: its findings are on the pages. */
  report: Report;
  /** Statements that failed to parse or apply: the docs lack what they would have built. */
  inputFailures: Finding[];
  elapsedMs: number;
}

export async function writeSchemaDocs(options: SchemaDocsOptions): Promise<SchemaDocsResult> {
  const started = performance.now();
  const { lintSchema } = await import('../lint/schema.js');
  const { isEnvironmentObject } = await import('../lint/environment.js');
  const { report, catalog: all, environment } = await lintSchema(options);
  // The platform's tables and the migration tool's bookkeeping (golang-migrate's schema_migrations) are not the project's to document.
  const catalog = environment ? { ...all, tables: all.tables.filter((t) => !isEnvironmentObject(`${t.schema}.${t.name}`, environment)) } : all;
  const files = await generateSchemaDocs(catalog, report.findings);
  for (const f of files) {
    const target = join(options.out, f.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, f.content);
  }
  return {
    out: options.out,
    files: files.map(({ path, kind }) => ({ path, kind })),
    tables: catalog.tables.length,
    report,
    inputFailures: report.findings.filter((f) => INPUT_FAILURES.has(f.rule) && f.severity === 'error'),
    elapsedMs: Math.round(performance.now() - started),
  };
}

function fileSafe(name: string): string {
  return name.replace(/[^\p{L}\p{N}_.-]/gu, '_').replace(/^\.+/, '_') || '_';
}
