import { existsSync } from 'node:fs';
import { casesPath, readCases } from '../src/rules/cases.js';
import { renderIndex, renderRuleDoc } from '../src/rules/docs.js';
import { allRules } from '../src/rules/registry.js';

/** File name → content of every generated rule docs page. */
export function generateDocs(): Map<string, string> {
  const files = new Map<string, string>();
  const rules = allRules();
  for (const rule of rules) {
    const cases = existsSync(casesPath(rule.area, rule.id)) ? readCases(rule.area, rule.id).cases : [];
    files.set(`${rule.id}.md`, renderRuleDoc(rule, cases));
  }
  files.set('README.md', renderIndex(rules));
  return files;
}
