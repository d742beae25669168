// SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.
import { pathToFileURL } from 'node:url';
import type { Finding, Report, Severity } from '../types.js';
import { displayPath } from './common.js';

/** Rule metadata the caller may pass so descriptors carry descriptions, not just ids. */
export interface RuleMeta {
  id: string;
  summary: string;
  severity: Severity;
  /** Relative documentation path in this repository, e.g. "docs/rules.md#fk-missing-index". */
  docs?: string;
}

const INFORMATION_URI = 'https://github.com/pgarch/pgarch';
// helpUri must be an absolute URI; repository-relative docs paths are resolved against the repo's main branch.
const DOCS_BASE = 'https://github.com/pgarch/pgarch/blob/main/';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

type Json = Record<string, unknown>;

export function formatSarif(report: Report, rules?: RuleMeta[]): string {
  const meta = new Map((rules ?? []).map((r) => [r.id, r]));

  // One descriptor per rule that actually fired, in order of first appearance; ruleIndex points into it.
  const ruleIds: string[] = [];
  const index = new Map<string, number>();
  for (const f of report.findings) {
    if (!index.has(f.rule)) {
      index.set(f.rule, ruleIds.length);
      ruleIds.push(f.rule);
    }
  }
  const descriptors = ruleIds.map((id) => {
    const m = meta.get(id);
    const first = report.findings.find((f) => f.rule === id)!;
    const d: Json = { id };
    if (m) d.shortDescription = { text: m.summary };
    const docs = m?.docs ?? first.docs;
    if (docs) d.helpUri = new URL(docs, DOCS_BASE).href;
    // Without metadata, fall back to the severity the rule was reported with.
    d.defaultConfiguration = { level: LEVEL[m?.severity ?? first.severity] };
    return d;
  });

  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'pgarch', version: report.version, informationUri: INFORMATION_URI, rules: descriptors } },
        // Our columns count characters (code points); SARIF's default is UTF-16 code units.
        columnKind: 'unicodeCodePoints',
        results: report.findings.map((f) => result(f, index.get(f.rule)!)),
      },
    ],
  };
  return JSON.stringify(log, null, 2);
}

function result(f: Finding, ruleIndex: number): Json {
  const r: Json = {
    ruleId: f.rule,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: f.hint ? `${f.message} Hint: ${f.hint}` : f.message },
  };
  const location: Json = {};
  const loc = f.location;
  if (loc?.file) {
    const physical: Json = { artifactLocation: { uri: artifactUri(loc.file) } };
    // SARIF regions are 1-based; omit what we do not know rather than emit 0.
    if (loc.line && loc.line >= 1) {
      const region: Json = { startLine: loc.line };
      if (loc.column && loc.column >= 1) region.startColumn = loc.column;
      physical.region = region;
    }
    location.physicalLocation = physical;
  }
  if (f.object) location.logicalLocations = [{ fullyQualifiedName: f.object }];
  if (Object.keys(location).length > 0) r.locations = [location];
  // SARIF `fixes` need byte-range replacements we do not have; carry the SQL as a property instead.
  if (f.fix) r.properties = { fixSql: f.fix.sql, fixDescription: f.fix.description };
  return r;
}

/** Relative URI reference inside cwd (what code scanning expects); a file: URI otherwise. */
function artifactUri(file: string): string {
  const { path, inside } = displayPath(file);
  if (!inside) return pathToFileURL(path).href;
  // Percent-encode each segment so spaces, '#' and '?' stay part of the path.
  return path.split('/').map(encodeURIComponent).join('/');
}
