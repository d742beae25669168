// Every migration rule's SQL cases, on both engines. Each case is a migration deployed after the
// shared base schema (src/rules/migration/base.sql): `bad` must report the rule exactly at its
// marked lines, `good` must not, and no case may fail to execute.
import { expect } from 'vitest';
import { openEngine } from '../src/engine/index.js';
import { runMigrationCase } from '../src/rules/case-runner.js';
import { migrationRules } from '../src/rules/migration/index.js';
import { describeRuleCases } from './helpers/cases.js';

describeRuleCases({
  rules: migrationRules,
  open: (database) => openEngine({ database, scratch: true }),
  run: runMigrationCase,
  eachFinding(f, _rule, path) {
    expect(f.location?.file).toBe(path);
    expect(f.hint, 'every migration finding has a hint').toBeTruthy();
  },
});
