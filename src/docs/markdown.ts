// Schema docs as markdown: a page per table (columns, constraints, indexes, references out and in,
// comment, row estimate, triggers, policies, the schema-lint findings on it) and an index linking every
// table, with a Mermaid erDiagram per group and one of the whole schema. Plain functions of the catalog.
import type { Catalog, Constraint, Table } from '../catalog/types.js';
import type { Finding } from '../types.js';
import { tableId } from './erd-layout.js';

/** A diagram's tables: a schema, a `pgarch.group` of table comments, or the whole catalog. */
export interface DocGroup {
  kind: 'schema' | 'group' | 'all';
  name: string;
  tables: Table[];
  /** Files written for it, relative to the output directory. */
  svg: string;
  mermaid: string;
}

export interface Reference {
  table: Table;
  constraint: Constraint & { references: NonNullable<Constraint['references']> };
}

export interface TablePageContext {
  /** Path of each table's page relative to the output directory, by `schema.table`. */
  pages: Map<string, string>;
  /** Foreign keys of other tables (and this one) that reference each table, by `schema.table`. */
  referencedBy: Map<string, Reference[]>;
  findings: Finding[];
  groups: DocGroup[];
}

const GROUP_TAG = /pgarch\.group\s*[:=]\s*([\w.-]+)/;

/** The `pgarch.group: name` (or `pgarch.group=name`) written in a table's comment. */
export function groupTag(table: Table): string | undefined {
  return table.comment?.match(GROUP_TAG)?.[1];
}

export function foreignKeys(table: Table): Reference['constraint'][] {
  return table.constraints.filter((c): c is Reference['constraint'] => c.type === 'foreign key' && Boolean(c.references));
}

export function referencesIn(catalog: Catalog): Map<string, Reference[]> {
  const into = new Map<string, Reference[]>();
  for (const table of catalog.tables) {
    for (const constraint of foreignKeys(table)) {
      const target = `${constraint.references.schema}.${constraint.references.table}`;
      into.set(target, [...(into.get(target) ?? []), { table, constraint }]);
    }
  }
  return into;
}

/**
 * Each finding on the table it names: findings name `schema.table`, `schema.table.column|constraint`,
 * or `schema.index`; the longest table name that prefixes the object wins.
 */
export function findingsByTable(catalog: Catalog, findings: Finding[]): Map<string, Finding[]> {
  const tables = new Set<string>(catalog.tables.map(tableId));
  const indexes = new Map<string, string>(catalog.tables.flatMap((t) => t.indexes.map((i): [string, string] => [`${i.schema}.${i.name}`, tableId(t)])));
  const out = new Map<string, Finding[]>();
  for (const finding of findings) {
    const object = finding.object;
    if (!object) continue;
    let owner = tables.has(object) ? object : indexes.get(object);
    if (!owner) {
      const parts = object.split('.');
      for (let i = parts.length - 1; i >= 2 && !owner; i--) {
        const prefix = parts.slice(0, i).join('.');
        if (tables.has(prefix)) owner = prefix;
      }
    }
    if (owner) out.set(owner, [...(out.get(owner) ?? []), finding]);
  }
  return out;
}

export function tableMarkdown(table: Table, ctx: TablePageContext): string {
  const id = tableId(table);
  const here = ctx.pages.get(id)!;
  const link = (target: string, text = target) => {
    const page = ctx.pages.get(target);
    return page ? `[${md(text)}](${relativeLink(here, page)})` : code(text);
  };
  const pk = new Set(table.constraints.filter((c) => c.type === 'primary key').flatMap((c) => c.columns));
  const fkColumns = new Map<string, Reference['constraint'][]>();
  for (const fk of foreignKeys(table)) for (const c of fk.columns) fkColumns.set(c, [...(fkColumns.get(c) ?? []), fk]);
  const unique = new Set(table.constraints.filter((c) => c.type === 'unique' && c.columns.length === 1).flatMap((c) => c.columns));

  const lines: string[] = [];
  lines.push(`# ${md(id)}`, '');
  const groups = ctx.groups.filter((g) => g.kind !== 'all' && g.tables.includes(table));
  lines.push(
    `[All tables](${relativeLink(here, 'index.md')})${groups.map((g) => ` · ${g.kind} ${code(g.name)}: [ERD](${relativeLink(here, g.svg)})`).join('')}`,
    '',
  );
  if (table.comment) lines.push(...table.comment.split(/\r?\n/).map((l) => `> ${md(l)}`), '');
  lines.push('| | |', '|---|---|');
  lines.push(`| Kind | ${table.kind}${table.partitionOf ? `, partition of ${link(table.partitionOf)}` : ''} |`);
  lines.push(`| Row estimate | ${rowEstimate(table.reltuples)} |`);
  lines.push(`| Pages | ${table.relpages.toLocaleString('en-US')} |`);
  lines.push(`| Row-level security | ${table.rlsEnabled ? (table.rlsForced ? 'enabled, forced' : 'enabled') : 'off'} |`);
  lines.push('');

  lines.push('## Columns', '', '| # | Column | Type | Null | Default | Key | Comment |', '|---:|---|---|---|---|---|---|');
  for (const c of table.columns) {
    const keys = [
      pk.has(c.name) ? 'PK' : '',
      ...(fkColumns.get(c.name) ?? []).map((fk) => `FK → ${link(`${fk.references.schema}.${fk.references.table}`)}`),
      unique.has(c.name) ? 'UNIQUE' : '',
    ].filter(Boolean);
    const dflt = c.identity ? `identity (${c.identity})` : c.generated ? `generated (${c.generated}) ${c.default ?? ''}` : c.default;
    lines.push(`| ${c.position} | ${code(c.name)} | ${code(c.type)} | ${c.notNull ? 'NOT NULL' : 'null'} | ${dflt ? code(dflt) : ''} | ${keys.join('<br>')} | ${cell(c.comment ?? '')} |`);
  }
  lines.push('');

  if (table.constraints.length) {
    lines.push('## Constraints', '', '| Name | Type | Definition |', '|---|---|---|');
    for (const c of table.constraints) {
      const notes = [c.validated ? '' : 'NOT VALID', c.deferrable ? 'deferrable' : ''].filter(Boolean);
      lines.push(`| ${code(c.name)} | ${c.type}${notes.length ? ` (${notes.join(', ')})` : ''} | ${code(c.definition)} |`);
    }
    lines.push('');
  }

  lines.push('## Indexes', '');
  if (table.indexes.length) {
    lines.push('| Name | Keys | Method | Unique | Partial | Definition |', '|---|---|---|---|---|---|');
    for (const i of table.indexes) {
      const keys = i.keys.map(code).join(', ') + (i.include.length ? ` INCLUDE ${i.include.map(code).join(', ')}` : '');
      const unique = i.primary ? 'primary key' : i.unique ? 'yes' : '';
      lines.push(`| ${code(i.name)}${i.valid ? '' : ' (INVALID)'} | ${keys} | ${i.method} | ${unique} | ${i.predicate ? code(i.predicate) : ''} | ${code(i.definition)} |`);
    }
  } else lines.push('None.');
  lines.push('');

  lines.push('## References', '');
  const out = foreignKeys(table);
  if (out.length) {
    lines.push('| Constraint | Columns | References | On delete | On update |', '|---|---|---|---|---|');
    for (const fk of out) {
      const target = `${fk.references.schema}.${fk.references.table}`;
      lines.push(`| ${code(fk.name)} | ${fk.columns.map(code).join(', ')} | ${link(target)} (${fk.references.columns.map(code).join(', ')}) | ${fk.references.onDelete} | ${fk.references.onUpdate} |`);
    }
  } else lines.push('References no table.');
  lines.push('');

  lines.push('## Referenced by', '');
  const into = ctx.referencedBy.get(id) ?? [];
  if (into.length) {
    lines.push('| Table | Columns | Constraint | References | On delete |', '|---|---|---|---|---|');
    for (const { table: from, constraint } of into) {
      lines.push(`| ${link(tableId(from))} | ${constraint.columns.map(code).join(', ')} | ${code(constraint.name)} | ${constraint.references.columns.map(code).join(', ')} | ${constraint.references.onDelete} |`);
    }
  } else lines.push('No table references it.');
  lines.push('');

  if (table.triggers.length) {
    lines.push('## Triggers', '', '| Name | When | Function | Enabled |', '|---|---|---|---|');
    for (const t of table.triggers) {
      lines.push(`| ${code(t.name)} | ${t.timing} ${t.events.join(' or ')}${t.forEachRow ? ' for each row' : ''} | ${code(t.function)} | ${t.enabled ? 'yes' : 'no'} |`);
    }
    lines.push('');
  }
  if (table.policies.length) {
    lines.push('## Policies', '', '| Name | Command | Kind | Roles | Using | With check |', '|---|---|---|---|---|---|');
    for (const p of table.policies) {
      lines.push(`| ${code(p.name)} | ${p.command} | ${p.permissive ? 'permissive' : 'restrictive'} | ${cell(p.roles.join(', '))} | ${p.using ? code(p.using) : ''} | ${p.withCheck ? code(p.withCheck) : ''} |`);
    }
    lines.push('');
  }

  lines.push('## Findings', '');
  if (ctx.findings.length) {
    for (const f of ctx.findings) {
      const where = f.location?.file ? ` (${code(`${f.location.file}${f.location.line ? `:${f.location.line}` : ''}`)})` : '';
      lines.push(`- **${f.severity}** ${code(f.rule)}: ${md(f.message)}${where}${f.hint ? `<br>${md(f.hint)}` : ''}`);
    }
  } else lines.push('The schema rules found nothing on this table.');
  lines.push('');
  return lines.join('\n');
}

export interface IndexContext {
  pages: Map<string, string>;
  findings: Map<string, Finding[]>;
  groups: DocGroup[];
  /** Findings on objects that are no table (functions, enums, the database). */
  otherFindings: Finding[];
}

export function indexMarkdown(catalog: Catalog, ctx: IndexContext, mermaid: Map<DocGroup, string>): string {
  const lines: string[] = ['# Schema', ''];
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const findings = [...ctx.findings.values()].reduce((sum, f) => sum + f.length, 0);
  lines.push(
    `${count(catalog.tables.length, 'table')} in ${count(new Set(catalog.tables.map((t) => t.schema)).size, 'schema')}, ` +
      `${count(catalog.views.length, 'view')}, ${count(catalog.enums.length, 'enum type')}; ${count(findings, 'finding')} on tables. PostgreSQL ${pgVersion(catalog.serverVersion)}.`,
    '',
  );
  const all = ctx.groups.find((g) => g.kind === 'all');
  const diagrams = ctx.groups.filter((g) => g.kind !== 'all');
  lines.push('## Diagrams', '');
  for (const g of ctx.groups) lines.push(`- ${g.kind === 'all' ? 'Whole schema' : `${g.kind} ${code(g.name)}`} (${count(g.tables.length, 'table')}): [SVG](${g.svg}) · [Mermaid](${g.mermaid})`);
  lines.push('');

  for (const g of diagrams) {
    lines.push(`## ${g.kind === 'schema' ? 'Schema' : 'Group'} ${md(g.name)}`, '');
    const schema = g.kind === 'schema' ? catalog.schemas.find((s) => s.name === g.name) : undefined;
    if (schema?.comment) lines.push(`> ${md(schema.comment)}`, '');
    lines.push(`![ERD of ${md(g.name)}](${g.svg})`, '');
    lines.push('| Table | Rows (estimate) | Columns | References | Findings | Comment |', '|---|---:|---:|---|---:|---|');
    for (const t of g.tables) {
      const id = tableId(t);
      const refs = [...new Set(foreignKeys(t).map((fk) => `${fk.references.schema}.${fk.references.table}`))];
      const page = ctx.pages.get(id)!;
      lines.push(
        `| [${md(id)}](${page}) | ${rowEstimate(t.reltuples)} | ${t.columns.length} | ${refs.map((r) => (ctx.pages.has(r) ? `[${md(r)}](${ctx.pages.get(r)})` : code(r))).join(', ')} | ${ctx.findings.get(id)?.length ?? 0} | ${cell(firstLine(t.comment))} |`,
      );
    }
    lines.push('', '```mermaid', mermaid.get(g) ?? '', '```', '');
  }
  if (all && diagrams.length > 1) {
    lines.push('## Whole schema', '', `![ERD of the whole schema](${all.svg})`, '', '```mermaid', mermaid.get(all) ?? '', '```', '');
  }
  if (ctx.otherFindings.length) {
    lines.push('## Other findings', '');
    for (const f of ctx.otherFindings) lines.push(`- **${f.severity}** ${code(f.rule)}: ${md(f.message)}${f.object ? ` (${code(f.object)})` : ''}`);
    lines.push('');
  }
  return lines.join('\n');
}

/**
 * A Mermaid erDiagram of `tables`, with the tables they reference outside the set as attribute-less
 * entities. Mermaid's identifiers are words: names and types are reduced to word characters.
 */
export function mermaidErDiagram(tables: Table[], all: Table[]): string {
  const shown = tables.filter((t) => !t.partitionOf);
  const byId = new Map(all.map((t) => [tableId(t), t]));
  const qualify = new Set(all.map((t) => t.schema)).size > 1;
  const names = new Map<string, string>();
  const used = new Set<string>();
  const entity = (id: string) => {
    let name = names.get(id);
    if (name) return name;
    const t = byId.get(id);
    const base = word(t ? (qualify ? `${t.schema}_${t.name}` : t.name) : id);
    name = base;
    for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    names.set(id, name);
    return name;
  };
  const lines = ['erDiagram'];
  for (const t of shown) {
    const pk = new Set(t.constraints.filter((c) => c.type === 'primary key').flatMap((c) => c.columns));
    const fk = new Set(foreignKeys(t).flatMap((c) => c.columns));
    const uk = new Set(t.constraints.filter((c) => c.type === 'unique').flatMap((c) => c.columns));
    // Mermaid has no empty attribute block: a table without columns is its name alone.
    if (!t.columns.length) {
      lines.push(`  ${entity(tableId(t))}`);
      continue;
    }
    lines.push(`  ${entity(tableId(t))} {`);
    for (const c of t.columns) {
      const keys = [pk.has(c.name) ? 'PK' : '', fk.has(c.name) ? 'FK' : '', uk.has(c.name) && !pk.has(c.name) ? 'UK' : ''].filter(Boolean).join(',');
      const comment = c.comment ? ` "${c.comment.replace(/["\r\n]+/g, ' ').slice(0, 80)}"` : '';
      lines.push(`    ${mermaidType(c.type)} ${word(c.name)}${keys ? ` ${keys}` : ''}${comment}`);
    }
    lines.push('  }');
  }
  for (const t of shown) {
    for (const fk of foreignKeys(t)) {
      const target = `${fk.references.schema}.${fk.references.table}`;
      if (!byId.has(target)) continue;
      const required = fk.columns.every((c) => t.columns.find((col) => col.name === c)?.notNull);
      lines.push(`  ${entity(target)} ${required ? '||' : '|o'}--o{ ${entity(tableId(t))} : "${fk.columns.join(', ').replace(/"/g, '')}"`);
    }
  }
  return lines.join('\n');
}

function word(text: string): string {
  const w = text.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(w) ? w : `_${w}`;
}

/** `character varying(50)` → `character_varying(50)`, `numeric(10,2)` → `numeric(10-2)`. */
function mermaidType(type: string): string {
  const t = type.replace(/\s+/g, '_').replace(/,/g, '-').replace(/[^A-Za-z0-9_\-[\]()]/g, '');
  return /^[A-Za-z_]/.test(t) ? t : `_${t}`;
}

export function rowEstimate(reltuples: number): string {
  // PG 14+: -1 until the table is first vacuumed or analyzed.
  return reltuples < 0 ? 'not analyzed' : Math.round(reltuples).toLocaleString('en-US');
}

function pgVersion(num: number): string {
  return num >= 100000 ? `${Math.floor(num / 10000)}.${num % 10000}` : String(num);
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split(/\r?\n/)[0];
}

/** A link from one page to another, both relative to the output directory. */
export function relativeLink(from: string, to: string): string {
  const depth = from.split('/').length - 1;
  return `${'../'.repeat(depth)}${to}`;
}

/** Text in a table cell: pipes escaped, line breaks as <br>. */
function cell(text: string): string {
  return md(text).replace(/\r?\n/g, '<br>');
}

function md(text: string): string {
  return text.replace(/([\\`*_[\]<>|])/g, '\\$1');
}

/** An inline code span that survives backticks and pipes inside a table. */
function code(text: string): string {
  const clean = text.replace(/\r?\n\s*/g, ' ').replace(/\|/g, '\\|');
  const fence = clean.includes('`') ? '``' : '`';
  return `${fence}${fence === '``' ? ' ' : ''}${clean}${fence === '``' ? ' ' : ''}${fence}`;
}
