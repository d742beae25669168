// One finding per hazard: a rule that speaks once per transaction (missing-lock-timeout) reports the
// first statement of each transaction — or of the statements of a file outside any — that needs it,
// and names the others there, instead of repeating itself on every one.
import type { Finding, Severity } from '../types.js';

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/**
 * Fold the findings of `rules` that share a scope into the first of each (in place, order kept).
 * `scopeOf` gives each finding's scope: a transaction block, or the file outside any.
 */
export function foldPerScope(findings: Finding[], rules: ReadonlySet<string>, scopeOf: (f: Finding) => string | undefined): void {
  const first = new Map<string, { finding: Finding; others: Finding[] }>();
  const folded = new Set<Finding>();
  for (const f of findings) {
    const scope = rules.has(f.rule) ? scopeOf(f) : undefined;
    if (scope === undefined) continue;
    const key = `${f.rule} ${scope}`;
    const kept = first.get(key);
    if (!kept) first.set(key, { finding: f, others: [] });
    else {
      kept.others.push(f);
      folded.add(f);
    }
  }
  for (const [key, { finding, others }] of first) {
    if (!others.length) continue;
    const where = key.endsWith(' file') ? 'in this file' : 'in this transaction';
    const objects = [...new Set(others.map((o) => o.object).filter((o) => o && o !== finding.object))];
    finding.message += `; so ${others.length === 1 ? 'does 1 more statement' : `do ${others.length} more statements`} ${where} (line${others.length === 1 ? '' : 's'} ${others.map((o) => o.location?.line).join(', ')}${objects.length ? `, on ${objects.join(', ')}` : ''})`;
    finding.related = [...(finding.related ?? []), ...others.flatMap((o) => (o.location ? [o.location] : []))];
    for (const o of others) if (RANK[o.severity] > RANK[finding.severity]) finding.severity = o.severity;
  }
  if (!folded.size) return;
  let w = 0;
  for (const f of findings) if (!folded.has(f)) findings[w++] = f;
  findings.length = w;
}
