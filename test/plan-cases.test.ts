// Every plan rule's SQL cases, on both engines: each case builds a schema and data for real and its
// last statement is explained with ANALYZE. `bad` must report the rule on that query (at its marked
// line), `good` must not; where a finding carries a fix, running the fix and explaining the query
// again must make the finding go away (the fix is proven, not just printed).
import { expect } from 'vitest';
import { openEngine } from '../src/engine/index.js';
import { analyzePlan } from '../src/explain/analyze.js';
import { explainStatement } from '../src/explain/run.js';
import { runPlanCase } from '../src/rules/case-runner.js';
import { planRules } from '../src/rules/plan/index.js';
import { parseFile } from '../src/sql/parse.js';
import { describeRuleCases } from './helpers/cases.js';

describeRuleCases({
  rules: planRules,
  open: (database) => openEngine({ database, scratch: true, trusted: true }),
  run: runPlanCase,
  eachResult: ({ plan }) => expect(plan?.analyzed).toBe(true),
  eachFinding(f) {
    expect(f.planNode, 'a plan finding names its node').toBeGreaterThanOrEqual(0);
    expect(f.hint, 'every plan finding has a hint').toBeTruthy();
  },
  async afterBad({ engine, rule, parsed, c, schema, findings }) {
    const fix = findings.find((f) => f.fix)?.fix;
    if (!fix) return;
    // The fix, run for real (in the case's schema, with the case's settings), must cure the plan.
    const statements = parsed.statements.filter((s) => s.line >= c.firstLine && s.line <= c.lastLine);
    const query = statements[statements.length - 1];
    await engine.exec(`SET search_path = ${schema}, public`);
    for (const s of statements.slice(0, -1)) if (s.kind === 'VariableSetStmt') await engine.exec(s.text);
    try {
      // SET LOCAL lasts a transaction; the re-explain is its own, so the test sets it for the session.
      for (const s of (await parseFile(fix.sql)).statements) await engine.exec(s.text.replace(/^SET LOCAL /i, 'SET '));
      const after = analyzePlan((await explainStatement(engine, query)).plan, { rules: [rule] });
      expect(after.findings.map((f) => f.message)).toEqual([]);
    } finally {
      await engine.exec('RESET ALL');
    }
  },
});
