import { existsSync } from 'node:fs';
import { openEngine, type Engine } from '../src/engine/index.js';
import { CASE_EXTENSIONS, prepareSchemaCases, runMigrationCase, runPlanCase, runSchemaCase } from '../src/rules/case-runner.js';
import { casesPath, readCases, type RuleCase } from '../src/rules/cases.js';
import { renderIndex, renderRuleDoc } from '../src/rules/docs.js';
import { migrationRules } from '../src/rules/migration/index.js';
import { allRules, planRules, queryRules, schemaRules } from '../src/rules/registry.js';
import { prepareQueryCases, QUERY_CASE_EXTENSIONS, runQueryCase } from '../src/query/cases.js';
import { parseFile } from '../src/sql/parse.js';
import type { Fix } from '../src/types.js';

/**
 * File name → content of every generated rule docs page. Each page shows the fix pgarch really
 * proposes for the rule's first bad case that gets one, produced by running the case on PGlite.
 */
export async function generateDocs(): Promise<Map<string, string>> {
  const fixes = await caseFixes();
  const files = new Map<string, string>();
  const rules = allRules();
  for (const rule of rules) {
    const cases = existsSync(casesPath(rule.area, rule.id)) ? readCases(rule.area, rule.id).cases : [];
    const fix = fixes.get(rule.id);
    files.set(`${rule.id}.md`, renderRuleDoc(rule, cases, fix ? { fix: renderFix(fix) } : undefined));
  }
  files.set('README.md', renderIndex(rules));
  return files;
}

function renderFix(fix: { case: RuleCase; fix: Fix; message?: string }): string {
  const fence = fix.fix.sql.includes('```') ? '````' : '```';
  // A fix rewritten from a case keeps the case's comments; its `-- <- here` marks are test plumbing.
  const sql = fix.fix.sql.replace(/\s*--\s*<-\s*here\s*$/gm, '');
  const reported = fix.message ? `On the bad case “${fix.case.title}”, pgarch reports (figures measured on PGlite):\n\n> ${fix.message}\n\nand proposes: ${fix.fix.description}` : `For the bad case “${fix.case.title}”, pgarch proposes: ${fix.fix.description}`;
  return `${reported}\n\n${fence}sql\n${sql}\n${fence}`;
}

async function caseFixes(): Promise<Map<string, { case: RuleCase; fix: Fix; message?: string }>> {
  const out = new Map<string, { case: RuleCase; fix: Fix; message?: string }>();
  let n = 0;
  const firstFix = async (engine: Engine, run: (c: RuleCase, parsed: Awaited<ReturnType<typeof parseFile>>, schema: string) => Promise<{ findings: Array<{ fix?: Fix }> }>, area: string, id: string) => {
    const { path, text, cases } = readCases(area, id);
    const parsed = await parseFile(text, path);
    for (const c of cases.filter((x) => x.kind === 'bad')) {
      const schema = `doc_${++n}`;
      const { findings } = await run(c, parsed, schema);
      const withFix = findings.find((f) => f.fix) as { fix?: Fix; message?: string } | undefined;
      const fix = withFix?.fix;
      // The case's scratch schema is noise in a docs page: show names as the case wrote them.
      const unschema = (text: string) => text.split(`${schema}.`).join('');
      // Plan findings are measured, so their message (with the real numbers) is worth showing too.
      const message = area === 'plan' && withFix?.message ? unschema(withFix.message) : undefined;
      if (fix) return out.set(id, { case: c, fix: { description: fix.description, sql: unschema(fix.sql) }, ...(message ? { message } : {}) });
    }
  };
  const schemaEngine = await openEngine({ extensions: CASE_EXTENSIONS });
  try {
    await prepareSchemaCases(schemaEngine);
    for (const rule of schemaRules) await firstFix(schemaEngine, (c, p, s) => runSchemaCase(schemaEngine, rule, p, c, s), rule.area, rule.id);
  } finally {
    await schemaEngine.close();
  }
  const migrationEngine = await openEngine({});
  try {
    for (const rule of migrationRules) await firstFix(migrationEngine, (c, p, s) => runMigrationCase(migrationEngine, rule, p, c, s), rule.area, rule.id);
  } finally {
    await migrationEngine.close();
  }
  const queryEngine = await openEngine({ extensions: QUERY_CASE_EXTENSIONS });
  try {
    await prepareQueryCases(queryEngine);
    for (const rule of queryRules) await firstFix(queryEngine, (c, p, s) => runQueryCase(queryEngine, rule, p, c, s), rule.area, rule.id);
  } finally {
    await queryEngine.close();
  }
  const planEngine = await openEngine({});
  try {
    for (const rule of planRules) await firstFix(planEngine, (c, p, s) => runPlanCase(planEngine, rule, p, c, s), rule.area, rule.id);
  } finally {
    await planEngine.close();
  }
  return out;
}
