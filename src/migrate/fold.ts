// One finding per hazard. A transaction is one deployment step: whatever one rule finds in it — ten
// columns retyped, forty tables dropped, a lock_timeout missing before six statements — is one thing
// to fix in that migration, and one outage window. So each rule speaks once per transaction (or per
// file, for the statements outside any) at the first place it applies, names the others there, and
// keeps their locations in `related`. The fix shown is the first place's: the others take the same
// change (a per-statement fix repeated hundreds of times, or SET lock_timeout before each, reads worse). Findings of different severities stay apart: an info about a
// small table never hides inside, or raises, a warning.
import type { Finding } from '../types.js';

/** How many lines and objects a folded message names before "and N more" (all stay in `related`). */
const NAMED = 10;

/**
 * Fold the findings that share a rule, a scope and a severity into the first of each (in place, order
 * kept). `scopeOf` gives a finding's scope — a transaction block, or `file` — or undefined to leave it
 * alone (execution errors, file-level checks).
 */
export function foldPerScope(findings: Finding[], scopeOf: (f: Finding) => string | undefined): void {
  const first = new Map<string, { finding: Finding; scope: string; others: Finding[] }>();
  const folded = new Set<Finding>();
  for (const f of findings) {
    const scope = scopeOf(f);
    if (scope === undefined) continue;
    const key = `${f.rule} ${f.severity} ${scope}`;
    const kept = first.get(key);
    if (!kept) first.set(key, { finding: f, scope, others: [] });
    else {
      kept.others.push(f);
      folded.add(f);
    }
  }
  if (!folded.size) return;
  for (const { finding, scope, others } of first.values()) if (others.length) absorb(finding, others, scope === 'file' ? 'in this file' : 'in this transaction');
  let w = 0;
  for (const f of findings) if (!folded.has(f)) findings[w++] = f;
  findings.length = w;
}

function absorb(finding: Finding, others: Finding[], where: string): void {
  const lines = others.map((o) => o.location?.line);
  // Clauses of one statement (DROP TABLE a, b; several ALTER COLUMN … TYPE) are not "more statements".
  const statements = new Set([finding, ...others].map((f) => f.location?.statement ?? f.location?.line)).size === others.length + 1;
  const what = statements ? `so ${others.length === 1 ? 'does 1 more statement' : `do ${others.length} more statements`}` : `and ${others.length} more like it`;
  const objects = [...new Set(others.map((o) => o.object).filter((o): o is string => !!o && o !== finding.object))];
  const lineList = `line${lines.length === 1 ? '' : 's'} ${named([...new Set(lines)].map(String))}`;
  finding.message += `; ${what} ${where} (${lineList}${objects.length ? `, on ${named(objects)}` : ''})`;
  finding.related = [...(finding.related ?? []), ...others.flatMap((o) => (o.location ? [o.location] : []))];
}

function named(items: string[]): string {
  return items.length <= NAMED ? items.join(', ') : `${items.slice(0, NAMED).join(', ')} and ${items.length - NAMED} more`;
}
