// Rule docs are generated from the rule source and its cases; a stale page fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateDocs } from '../scripts/docs-content.js';

describe('rule docs', () => {
  for (const [name, content] of generateDocs()) {
    it(`docs/rules/${name} is up to date (run npm run docs)`, () => {
      expect(readFileSync(new URL(`../docs/rules/${name}`, import.meta.url), 'utf8')).toBe(content);
    });
  }
});
