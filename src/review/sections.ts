// The review's five parts, as the seed's output format has them — Schema, Indexes, Queries, Migration,
// Monitoring — and which part each finding belongs to: by the rule's area, except that every finding
// about an index (missing, duplicate, redundant, unused, invalid, proposed) is read in Indexes, and a
// finding of the input itself (syntax, execution) goes where its file is read.
import { resolve, sep } from 'node:path';
import { allRules } from '../rules/registry.js';
import type { Finding } from '../types.js';

export type SectionId = 'schema' | 'indexes' | 'queries' | 'migration' | 'monitoring';

export const SECTIONS: ReadonlyArray<{ id: SectionId; title: string }> = [
  { id: 'schema', title: 'Schema' },
  { id: 'indexes', title: 'Indexes' },
  { id: 'queries', title: 'Queries' },
  { id: 'migration', title: 'Migration' },
  { id: 'monitoring', title: 'Monitoring' },
];

/** Rules about indexes, whatever area reports them (schema lint, health, the advisor). */
const INDEX_RULES = new Set([
  'fk-missing-index',
  'duplicate-index',
  'redundant-index',
  'jsonb-unindexed-key',
  'soft-delete-no-partial-index',
  'unused-index',
  'invalid-index',
  'missing-index-candidate',
  'index-bloat',
  'advise-create-index',
  'advise-drop-index',
  'advise-widen-index',
]);

/** Where the project's files are read: migration folders and queries folders (absolute paths). */
export interface SectionPlaces {
  migrationDirs: string[];
  queryDirs: string[];
}

export function sectionOf(finding: Finding, places: SectionPlaces, areas: Map<string, string> = ruleAreas()): SectionId {
  if (INDEX_RULES.has(finding.rule)) return 'indexes';
  const area = areas.get(finding.rule);
  if (area === 'schema') return 'schema';
  if (area === 'query' || area === 'plan') return 'queries';
  if (area === 'migration') return 'migration';
  if (area === 'health') return 'monitoring';
  // Input and engine findings (syntax-error, execution-error, not-executed …): where their file is read.
  const file = finding.location?.file ? resolve(finding.location.file) : undefined;
  if (file && places.queryDirs.some((d) => inside(file, d))) return 'queries';
  if (file && places.migrationDirs.some((d) => inside(file, d))) return 'migration';
  return file ? 'schema' : 'monitoring';
}

let areasCache: Map<string, string> | undefined;
function ruleAreas(): Map<string, string> {
  areasCache ??= new Map(allRules().map((r) => [r.id, r.area]));
  return areasCache;
}

const inside = (file: string, dir: string) => file === dir || file.startsWith(resolve(dir) + sep);
