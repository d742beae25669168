// Thousands of lines of SQL no one here wrote: every .sql file the PostgreSQL 15 server ships
// ($(pg_config --sharedir): extension scripts with psql meta-commands and @extschema@ placeholders,
// upgrade scripts, the information schema, snowball dictionaries) through each lint command as a
// user would run it. Whatever they contain: no stack trace, no rule-error, valid JSON, and never a
// clean result after an engine failure. One CLI process per command (the engine is shared by the files).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { walkFiles } from '../../src/lint/files.js';
import type { Finding } from '../../src/types.js';
import { pgarch } from '../helpers/cli.js';

function sharedir(): string | undefined {
  try {
    return execFileSync('pg_config', ['--sharedir'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

const SHARE = sharedir();
if (!SHARE && process.env.CI === 'true') throw new Error('CI=true but pg_config is missing: the hostile-input suite needs the PostgreSQL 15 server package');
if (!SHARE) console.log('hostile-input suite skipped: pg_config --sharedir is not available here');

(SHARE ? describe : describe.skip)(`every .sql file under ${SHARE}`, () => {
  let dir: string;
  let count: number;
  beforeAll(() => {
    // Flattened into one folder of plain SQL files (names kept, so findings are traceable).
    dir = mkdtempSync(join(tmpdir(), 'pgarch-hostile-'));
    const files = walkFiles(SHARE!, (name) => name.endsWith('.sql'), new Set());
    for (const f of files) copyFileSync(f, join(dir, relative(SHARE!, f).replaceAll('/', '_')));
    count = files.length;
  });

  for (const command of [['lint', 'schema'], ['lint', 'migrations'], ['lint', 'queries']]) {
    it(`${command.join(' ')}: valid JSON, no stack trace, no rule-error, never clean after an engine failure`, async () => {
      const run = await pgarch([...command, dir, '--format', 'json']);
      expect(run.stderr).not.toMatch(/\n\s+at |internal error/);
      const report = JSON.parse(run.stdout) as { findings: Finding[]; summary: { files: number; statements: number } };
      expect(report.summary.files).toBe(count);
      expect(report.summary.statements).toBeGreaterThan(3000);
      expect(report.findings.filter((f) => f.rule === 'rule-error').map((f) => f.message)).toEqual([]);
      const died = report.findings.some((f) => f.rule === 'engine-failure');
      expect(run.code).toBe(died ? 3 : report.findings.some((f) => f.severity === 'error') ? 1 : 0);
      // Every finding about a file points inside it.
      for (const f of report.findings) if (f.location?.line !== undefined) expect(f.location.line).toBeGreaterThan(0);
    });
  }
});
