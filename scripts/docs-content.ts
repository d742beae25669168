import { existsSync } from 'node:fs';
import { openEngine, type Engine } from '../src/engine/index.js';
import { CASE_EXTENSIONS, prepareSchemaCases, runMigrationCase, runSchemaCase } from '../src/rules/case-runner.js';
import { casesPath, readCases, type RuleCase } from '../src/rules/cases.js';
import { renderIndex, renderRuleDoc } from '../src/rules/docs.js';
import { migrationRules } from '../src/rules/migration/index.js';
import { allRules, schemaRules } from '../src/rules/registry.js';
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

function renderFix(fix: { case: RuleCase; fix: Fix }): string {
  const fence = fix.fix.sql.includes('```') ? '````' : '```';
  return `For the bad case “${fix.case.title}”, pgarch proposes: ${fix.fix.description}\n\n${fence}sql\n${fix.fix.sql}\n${fence}`;
}

async function caseFixes(): Promise<Map<string, { case: RuleCase; fix: Fix }>> {
  const out = new Map<string, { case: RuleCase; fix: Fix }>();
  let n = 0;
  const firstFix = async (engine: Engine, run: (c: RuleCase, parsed: Awaited<ReturnType<typeof parseFile>>, schema: string) => Promise<{ findings: Array<{ fix?: Fix }> }>, area: string, id: string) => {
    const { path, text, cases } = readCases(area, id);
    const parsed = await parseFile(text, path);
    for (const c of cases.filter((x) => x.kind === 'bad')) {
      const schema = `doc_${++n}`;
      const { findings } = await run(c, parsed, schema);
      const fix = findings.find((f) => f.fix)?.fix;
      // The case's scratch schema is noise in a docs page: show names as the case wrote them.
      if (fix) return out.set(id, { case: c, fix: { description: fix.description, sql: fix.sql.split(`${schema}.`).join('') } });
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
  return out;
}
