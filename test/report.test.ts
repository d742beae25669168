import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { Finding, Report } from '../src/types.js';
import {
  FORMATS,
  escapeData,
  escapeProperty,
  exitCodeFor,
  formatGithub,
  formatJson,
  formatMarkdown,
  formatReport,
  formatSarif,
  formatText,
  summarize,
} from '../src/report/index.js';

// Both are CommonJS with `exports.default`; under NodeNext the default import is the whole
// module, so take `.default` explicitly (it exists at run time in Node and in Vitest).
const Ajv = AjvDraft04.default;
const addFormats = ajvFormats.default;

// An absolute path inside cwd, so we can check it is made relative.
const schemaFile = join(process.cwd(), 'db', 'schema.sql');

const findings: Finding[] = [
  {
    rule: 'fk-missing-index',
    severity: 'warning',
    message: 'Foreign key public.orders.user_id has no index',
    location: { file: schemaFile, line: 12, column: 5, statement: 3 },
    object: 'public.orders',
    hint: 'Index the referencing columns so deletes on users do not scan orders.',
    fix: { description: 'Create the index without blocking writes', sql: 'CREATE INDEX CONCURRENTLY ON public.orders (user_id);' },
  },
  {
    rule: 'no-serial',
    severity: 'error',
    message: 'Column a|b: 100%, really,\nuses serial',
    location: { file: schemaFile, line: 3 },
  },
  {
    rule: 'table-without-pk',
    severity: 'info',
    message: 'Table public.audit has no primary key',
    object: 'public.audit',
  },
  {
    rule: 'missing-analyze',
    severity: 'warning',
    message: 'Nothing located',
  },
];

const report: Report = {
  tool: 'pgarch',
  version: '0.1.0',
  findings,
  summary: summarize(findings, { files: 4, statements: 123, elapsedMs: 912 }),
};

const empty: Report = { ...report, findings: [], summary: summarize([], { files: 4, statements: 123, elapsedMs: 912 }) };

describe('summarize / exitCodeFor', () => {
  it('counts by severity with the contract key order', () => {
    expect(report.summary).toEqual({ errors: 1, warnings: 2, infos: 1, files: 4, statements: 123, elapsedMs: 912 });
    expect(Object.keys(report.summary)).toEqual(['errors', 'warnings', 'infos', 'files', 'statements', 'elapsedMs']);
  });

  it('fails on errors and on too many warnings', () => {
    const warnings = findings.filter((f) => f.severity !== 'error');
    expect(exitCodeFor([])).toBe(0);
    expect(exitCodeFor(findings)).toBe(1);
    expect(exitCodeFor(warnings)).toBe(0);
    expect(exitCodeFor(warnings, 2)).toBe(0);
    expect(exitCodeFor(warnings, 1)).toBe(1);
    expect(exitCodeFor(warnings, 0)).toBe(1);
    expect(exitCodeFor(warnings, -1)).toBe(0); // negative = unlimited
    expect(exitCodeFor(findings, 100)).toBe(1); // errors fail regardless
  });
});

describe('text', () => {
  const out = formatText(report, { color: false });

  it('prints grouped, located findings with hints, fixes and a summary', () => {
    expect(out).not.toMatch(/\x1b\[/);
    expect(out).toContain('db/schema.sql');
    expect(out).not.toContain(process.cwd());
    expect(out).toMatch(/^ {2}12:5 +warning +Foreign key public\.orders\.user_id has no index {2}fk-missing-index$/m);
    expect(out).toContain('hint: Index the referencing columns');
    expect(out).toContain('CREATE INDEX CONCURRENTLY ON public.orders (user_id);');
    expect(out).toContain('(database)');
    expect(out.split('\n').at(-1)).toBe('✖ 1 error, 2 warnings, 1 info in 4 files (123 statements, 0.9 s)');
    // Sorted by line within the file: line 3 before line 12.
    expect(out.indexOf('no-serial')).toBeLessThan(out.indexOf('fk-missing-index'));
    // File groups come before the database group.
    expect(out.indexOf('db/schema.sql')).toBeLessThan(out.indexOf('(database)'));
  });

  it('colours only when asked', () => {
    expect(formatText(report, { color: true })).toMatch(/\x1b\[\d+m/);
  });

  it('quiet shows errors only, plus the summary', () => {
    const q = formatText(report, { color: false, quiet: true });
    expect(q).toContain('no-serial');
    expect(q).not.toContain('fk-missing-index');
    expect(q).not.toContain('(database)');
    expect(q).toContain('✖ 1 error');
  });

  it('reports a clean run', () => {
    expect(formatText(empty, { color: false })).toBe('✔ No problems found in 4 files (123 statements, 0.9 s)');
  });
});

describe('json', () => {
  it('round-trips with exactly the contract keys in order', () => {
    const out = formatJson(report);
    const parsed = JSON.parse(out);
    expect(parsed).toEqual(report);
    expect(Object.keys(parsed)).toEqual(['tool', 'version', 'findings', 'summary']);
    expect(Object.keys(parsed.summary)).toEqual(['errors', 'warnings', 'infos', 'files', 'statements', 'elapsedMs']);
    expect(out).toBe(JSON.stringify(report, null, 2));
  });

  it('ignores the key order of the input', () => {
    const shuffled = { summary: report.summary, findings, version: '0.1.0', tool: 'pgarch' } as Report;
    expect(Object.keys(JSON.parse(formatJson(shuffled)))).toEqual(['tool', 'version', 'findings', 'summary']);
  });
});

describe('sarif', () => {
  const require = createRequire(import.meta.url);
  const schema = JSON.parse(
    readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
  );
  // allErrors for useful messages; formats are checked for real (uri, uri-reference, date-time).
  // unicodeRegExp: false because the shipped schema's language pattern (`...]?$`) is invalid with the `u` flag.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);

  const rules = [{ id: 'fk-missing-index', summary: 'Foreign keys need an index', severity: 'warning' as const, docs: 'docs/rules.md#fk-missing-index' }];
  const log = JSON.parse(formatSarif(report, rules));

  it('validates against the SARIF 2.1.0 schema', () => {
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('rejects a broken log, so the validation above is real', () => {
    const broken = structuredClone(log);
    broken.runs[0].results[0].level = 'fatal';
    expect(validate(broken)).toBe(false);
    const badRegion = structuredClone(log);
    badRegion.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    expect(validate(badRegion)).toBe(false);
  });

  it('maps findings to results', () => {
    const run = log.runs[0];
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(run.tool.driver).toMatchObject({ name: 'pgarch', version: '0.1.0', informationUri: 'https://github.com/pgarch/pgarch' });
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual([
      'fk-missing-index',
      'no-serial',
      'table-without-pk',
      'missing-analyze',
    ]);
    expect(run.tool.driver.rules[0]).toMatchObject({
      shortDescription: { text: 'Foreign keys need an index' },
      defaultConfiguration: { level: 'warning' },
      helpUri: 'https://github.com/pgarch/pgarch/blob/main/docs/rules.md#fk-missing-index',
    });
    expect(run.tool.driver.rules[2].defaultConfiguration.level).toBe('note');

    const [fk, serial, audit, bare] = run.results;
    expect(fk).toMatchObject({ ruleId: 'fk-missing-index', ruleIndex: 0, level: 'warning', properties: { fixSql: findings[0].fix!.sql } });
    expect(fk.message.text).toBe(`${findings[0].message} Hint: ${findings[0].hint}`);
    expect(fk.fixes).toBeUndefined();
    expect(fk.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'db/schema.sql' },
      region: { startLine: 12, startColumn: 5 },
    });
    expect(fk.locations[0].logicalLocations).toEqual([{ fullyQualifiedName: 'public.orders' }]);
    expect(serial.level).toBe('error');
    expect(serial.locations[0].physicalLocation.region).toEqual({ startLine: 3 });
    expect(audit.level).toBe('note');
    expect(audit.locations).toEqual([{ logicalLocations: [{ fullyQualifiedName: 'public.audit' }] }]);
    expect(bare.locations).toBeUndefined();
  });

  it('uses a file: URI outside cwd and validates an empty run', () => {
    const outside: Report = { ...report, findings: [{ ...findings[1], location: { file: '/elsewhere/my file.sql', line: 1 } }] };
    const l = JSON.parse(formatSarif(outside));
    expect(l.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('file:///elsewhere/my%20file.sql');
    expect(validate(l)).toBe(true);
    expect(validate(JSON.parse(formatSarif(empty)))).toBe(true);
  });
});

describe('github', () => {
  it('escapes data and properties per the workflow-command spec', () => {
    expect(escapeData('a%b\r\nc:d,e')).toBe('a%25b%0D%0Ac:d,e');
    expect(escapeProperty('a%b\r\nc:d,e')).toBe('a%25b%0D%0Ac%3Ad%2Ce');
  });

  it('emits one exact command per finding', () => {
    expect(formatGithub(report).split('\n')).toEqual([
      '::warning file=db/schema.sql,line=12,col=5,title=fk-missing-index::Foreign key public.orders.user_id has no index%0AHint: Index the referencing columns so deletes on users do not scan orders.',
      '::error file=db/schema.sql,line=3,title=no-serial::Column a|b: 100%25, really,%0Auses serial',
      '::notice title=table-without-pk::Table public.audit has no primary key',
      '::warning title=missing-analyze::Nothing located',
    ]);
    expect(formatGithub(empty)).toBe('');
  });
});

describe('markdown', () => {
  const out = formatMarkdown(report);

  it('renders a table with escaped cells and fenced fixes', () => {
    expect(out.startsWith('## pgarch report\n')).toBe(true);
    expect(out).toContain('**1 error, 2 warnings, 1 info in 4 files (123 statements, 0.9 s)**');
    expect(out).toContain('| Severity | Rule | Location | Message |');
    expect(out).toContain('| error | `no-serial` | db/schema.sql:3 | Column a\\|b: 100%, really,<br>uses serial |');
    // Every table row keeps exactly four cells despite the `|` in a message.
    const rows = out.split('\n').filter((l) => l.startsWith('| '));
    expect(rows).toHaveLength(2 + findings.length);
    for (const row of rows) expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(6);
    // Errors first.
    expect(rows[2]).toContain('no-serial');
    expect(out).toContain('```sql\nCREATE INDEX CONCURRENTLY ON public.orders (user_id);\n```');
    expect(out).toContain('#### `fk-missing-index` at db/schema.sql:12:5');
  });

  it('uses a custom title and handles a clean run', () => {
    expect(formatMarkdown(empty, 'Review')).toBe('## Review\n\nNo problems found.');
  });
});

describe('formatReport', () => {
  it('dispatches every format', () => {
    expect(FORMATS).toEqual(['text', 'json', 'sarif', 'github', 'markdown']);
    expect(formatReport(report, 'json', { color: false })).toBe(formatJson(report));
    expect(formatReport(report, 'text', { color: false, quiet: true })).toBe(formatText(report, { color: false, quiet: true }));
    expect(formatReport(report, 'sarif', { color: false })).toBe(formatSarif(report));
    expect(formatReport(report, 'github', { color: true })).toBe(formatGithub(report));
    expect(formatReport(report, 'markdown', { color: false })).toBe(formatMarkdown(report));
    expect(() => formatReport(report, 'xml' as never, { color: false })).toThrow(/unknown format/);
  });
});
