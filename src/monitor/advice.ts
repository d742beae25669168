// `health --advise`: a missing-index candidate (a big table read whole, again and again) gets the index
// advisor's proposal for that table, costed on the workload pg_stat_statements holds. Opt-in, because
// the advisor plans every statement of the workload with and without its candidates, which takes
// longer than the health checks' few catalog reads.
import { adviseIndexes } from '../advise/advise.js';
import type { Config } from '../config.js';
import type { Finding } from '../types.js';

export async function withAdvice(findings: Finding[], database: string, config: Config): Promise<Finding[]> {
  if (!findings.some((f) => f.rule === 'missing-index-candidate')) return findings;
  let proposals: Finding[];
  try {
    proposals = (await adviseIndexes({ database, config })).findings.filter((f) => f.rule === 'advise-create-index' || f.rule === 'advise-widen-index');
  } catch (error) {
    return [...findings, { rule: 'rule-error', severity: 'warning', message: `The index advisor could not run: ${(error as Error).message}`, hint: 'The health checks ran; missing-index candidates carry no proposal.' }];
  }
  return findings.map((f) => {
    if (f.rule !== 'missing-index-candidate') return f;
    const mine = proposals.filter((p) => p.object === f.object);
    if (!mine.length) return { ...f, hint: `${f.hint ?? ''} The index advisor found no index on it that pays for the statements pg_stat_statements holds.`.trim() };
    return {
      ...f,
      hint: `The index advisor proposes: ${mine.map((p) => p.message).join('; ')}.`,
      ...(mine[0].fix ? { fix: { description: mine.map((p) => p.fix?.description).filter(Boolean).join('; '), sql: mine.map((p) => p.fix?.sql).filter(Boolean).join('\n') } } : {}),
    };
  });
}
