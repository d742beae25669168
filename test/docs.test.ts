// Rule docs are generated from the rule source, its cases and the fixes those cases really get; a
// stale page fails here (run npm run docs).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDocs } from '../scripts/docs-content.js';
import { allRules } from '../src/rules/registry.js';

describe('rule docs', () => {
  let docs: Map<string, string>;
  beforeAll(async () => {
    docs = await generateDocs();
  }, 180_000);

  for (const name of [...allRules().map((r) => `${r.id}.md`), 'README.md']) {
    it(`docs/rules/${name} is up to date (run npm run docs)`, () => {
      expect(readFileSync(new URL(`../docs/rules/${name}`, import.meta.url), 'utf8')).toBe(docs.get(name));
    });
  }
});
