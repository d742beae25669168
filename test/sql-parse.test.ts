import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser, parseFile, parseFileSync, type ParsedFile, type Statement } from '../src/sql/parse.js';
import { parseStatementsSync, parseSync } from '../src/sql/pg-parser.js';
import { quoteIdent, quoteQualified, truncateIdentifier } from '../src/sql/quote.js';

beforeAll(async () => {
  await loadParser();
});

/** `line:column` of each statement, with its text. */
const where = (p: ParsedFile) => p.statements.map((s) => `${s.line}:${s.column} ${s.text}`);
const at = (loc: { line?: number; column?: number } | undefined) => `${loc?.line}:${loc?.column}`;
const findingsOf = (p: ParsedFile, rule: string) => p.findings.filter((f) => f.rule === rule);

/** The ColumnDef named `name` in a CREATE TABLE statement. */
function columnDef(stmt: Statement, name: string): { colname: string; location: number } {
  const elts = (stmt.node as { CreateStmt?: { tableElts?: Array<{ ColumnDef?: { colname: string; location: number } }> } }).CreateStmt?.tableElts ?? [];
  const def = elts.map((e) => e.ColumnDef).find((c) => c?.colname === name);
  if (!def) throw new Error(`no column ${name}`);
  return def;
}

describe('statement locations', () => {
  it('locates multi-line statements and several statements on one line', async () => {
    const p = await parseFile('select 1;\n\ncreate table t (\n  a int,\n  b text\n);\nselect 2; select 3;select 4;\n', 'x.sql');
    expect(where(p)).toEqual([
      '1:1 select 1',
      '3:1 create table t (\n  a int,\n  b text\n)',
      '7:1 select 2',
      '7:11 select 3',
      '7:20 select 4',
    ]);
    expect(p.statements.map((s) => s.kind)).toEqual(['SelectStmt', 'CreateStmt', 'SelectStmt', 'SelectStmt', 'SelectStmt']);
    expect(p.statements.map((s) => s.index)).toEqual([1, 2, 3, 4, 5]);
    expect(p.statements.every((s) => s.file === 'x.sql')).toBe(true);
    // start/end are offsets of the text, without the `;`.
    for (const s of p.statements) expect(p.text.slice(s.start, s.end)).toBe(s.text);
    expect(p.findings).toEqual([]);
  });

  it('starts a statement at its first keyword, after -- and nested /* */ comments', async () => {
    const p = await parseFile('-- hello\n/* a /* nested */ still */ select 1;\n  -- c; not a statement\n  /* x; */ insert into t values (1);\n');
    expect(where(p)).toEqual(['2:28 select 1', '4:12 insert into t values (1)']);
    expect(p.statements[1].kind).toBe('InsertStmt');
    expect(p.findings).toEqual([]);
  });

  it('keeps dollar-quoted bodies whole and locates the statements after them', async () => {
    const sql = [
      'create function f() returns int language plpgsql as $$',
      'begin',
      "  perform 'a;b';",
      '  return 1; -- x;',
      'end;',
      '$$;',
      "create function g() returns text language sql as $fn$ select 'it''s; $$ ok' $fn$;",
      'select 5;',
      '',
    ].join('\n');
    const p = await parseFile(sql);
    expect(p.statements.map((s) => `${s.line}:${s.column} ${s.kind}`)).toEqual([
      '1:1 CreateFunctionStmt',
      '7:1 CreateFunctionStmt',
      '8:1 SelectStmt',
    ]);
    expect(p.statements[0].text).toBe(sql.slice(0, sql.indexOf('$$;') + 2));
    expect(p.statements[1].text.endsWith("$$ ok' $fn$")).toBe(true);
    expect(p.statements[2].text).toBe('select 5');
    expect(p.findings).toEqual([]);
  });
});

describe('file encodings and empty input', () => {
  const lf = 'select 1;\n\ncreate table t (\n  a int,\n  b text\n);\n-- trailing\n  select 2; select 3;\n';

  it('gives CRLF files the same lines and columns as LF, with no trailing \\r in statement text', async () => {
    const a = await parseFile(lf);
    const b = await parseFile(lf.replace(/\n/g, '\r\n'));
    expect(b.statements.map((s) => [s.line, s.column])).toEqual(a.statements.map((s) => [s.line, s.column]));
    expect(b.statements.map((s) => [s.line, s.column])).toEqual([[1, 1], [3, 1], [8, 3], [8, 13]]);
    expect(b.statements.map((s) => s.text)).toEqual(['select 1', 'create table t (\r\n  a int,\r\n  b text\r\n)', 'select 2', 'select 3']);
    expect(b.statements.some((s) => s.text.endsWith('\r'))).toBe(false);
    const t = b.statements[1];
    expect(b.locate(t, columnDef(t, 'b').location)).toMatchObject({ line: 5, column: 3, statement: 2 });
  });

  it('does not count a UTF-8 BOM as a column', async () => {
    const p = await parseFile('\uFEFFselect 1;\nselect 2;');
    expect(where(p)).toEqual(['1:1 select 1', '2:1 select 2']);
    const q = await parseFile('\uFEFF-- c\r\nselect 1;\r\n  select 2;');
    expect(where(q)).toEqual(['2:1 select 1', '3:3 select 2']);
  });

  it('returns nothing for an empty file or a file of comments', async () => {
    for (const sql of ['', '\n\n', '-- a\n/* b; */\n\n-- c;\n']) {
      const p = await parseFile(sql);
      expect(p.statements).toEqual([]);
      expect(p.findings).toEqual([]);
    }
  });
});

describe('multi-byte text', () => {
  it('locates a ColumnDef after multi-byte text in characters', async () => {
    const p = await parseFile("create table t (a text default 'é日本😀', b int);\n");
    const [t] = p.statements;
    expect(p.locate(t, columnDef(t, 'a').location)).toMatchObject({ line: 1, column: 17, statement: 1 });
    expect(p.locate(t, columnDef(t, 'b').location)).toMatchObject({ line: 1, column: 40, statement: 1 });
  });

  it('locates statements and nodes after multi-byte text on earlier lines and statements', async () => {
    const p = await parseFile("select 'é😀'; select 1;\ncreate table \"日本\" (\n  x text default '😀😀', y int\n);\n");
    expect(where(p).map((w) => w.split(' ')[0])).toEqual(['1:1', '1:14', '2:1']);
    const t = p.statements[2];
    expect(p.locate(t, columnDef(t, 'x').location)).toMatchObject({ line: 3, column: 3 });
    expect(p.locate(t, columnDef(t, 'y').location)).toMatchObject({ line: 3, column: 24 });
    // No location: the statement's own.
    expect(p.locate(t, undefined)).toMatchObject({ line: 2, column: 1, statement: 3 });
    expect(p.locate(t, -1)).toMatchObject({ line: 2, column: 1, statement: 3 });
  });

  it('locates nodes after a psql meta-command that follows multi-byte text', async () => {
    const p = await parseFile("select 'é😀';\n\\set x 1\ncreate table t (a text default '日本', b int);\n");
    const t = p.statements[1];
    expect(t.line).toBe(3);
    expect(p.locate(t, columnDef(t, 'b').location)).toMatchObject({ line: 3, column: 38 });
  });

  it('locates a syntax error after multi-byte text', async () => {
    const p = await parseFile("select 'é日本😀' from where;\n");
    expect(p.findings.map((f) => at(f.location))).toEqual(['1:20']);
    const q = await parseFile("select '😀😀😀';\nselect from where x;\n");
    expect(q.findings.map((f) => at(f.location))).toEqual(['2:13']);
    expect(where(q)).toEqual(["1:1 select '😀😀😀'"]);
  });

  it('recovers at the right statement when many astral characters precede the error', async () => {
    const p = await parseFile(`select '${'😀'.repeat(30)}'; select 2; select from;\nselect 3;\n`);
    expect(p.statements.map((s) => `${s.line}:${s.column}`)).toEqual(['1:1', '1:42', '2:1']);
    expect(p.statements[1].text).toBe('select 2');
    expect(p.findings).toHaveLength(1);
    expect(p.findings[0].location).toMatchObject({ line: 1, column: 63 });
  });
});

describe('syntax errors', () => {
  it('reports the offending token with PostgreSQL’s message and keeps parsing', async () => {
    const p = await parseFile('select 1;\nselect from where x;\nselect 2;\n', 'bad.sql');
    expect(p.findings).toHaveLength(1);
    const [f] = p.findings;
    expect(f.rule).toBe('syntax-error');
    expect(f.severity).toBe('error');
    expect(f.location).toEqual({ file: 'bad.sql', line: 2, column: 13 });
    expect(f.message).toContain('syntax error at or near "where"');
    expect(where(p)).toEqual(['1:1 select 1', '3:1 select 2']);
    expect(p.statements.map((s) => s.index)).toEqual([1, 2]);
  });

  it('gives two errors in one file two findings', async () => {
    const p = await parseFile('select 1;\nselect from where x;\nselect 2;\ncreate tabel t();\nselect 3;');
    expect(p.findings.map((f) => `${f.rule} ${at(f.location)}`)).toEqual(['syntax-error 2:13', 'syntax-error 4:8']);
    expect(p.findings[1].message).toContain('"tabel"');
    expect(where(p)).toEqual(['1:1 select 1', '3:1 select 2', '5:1 select 3']);
  });

  it('reports an error in the first statement, after a comment', async () => {
    const p = await parseFile('-- lead\nselect from where;\nselect 2;');
    expect(p.findings.map((f) => at(f.location))).toEqual(['2:13']);
    expect(where(p)).toEqual(['3:1 select 2']);
  });

  it('locates an unterminated quote at end of file at the quote', async () => {
    const p = await parseFile("select 1;\nselect 'abc\n\n");
    expect(p.findings).toHaveLength(1);
    expect(p.findings[0].location).toMatchObject({ line: 2, column: 8 });
    expect(p.findings[0].message).toContain('unterminated quoted string');
    expect(where(p)).toEqual(['1:1 select 1']);
  });

  it('points an error at end of input at the last real character, not trailing blank lines', async () => {
    const p = await parseFile('select 1;\nselect (\n\n\n');
    expect(p.findings.map((f) => at(f.location))).toEqual(['2:8']);
    expect(p.findings[0].message).toContain('end of input');
  });
});

describe('psql meta-commands', () => {
  it('skips them with an info finding and parses the statements around them', async () => {
    const p = await parseFile('select 1;\n\\set x 1\nselect 2;\n\\i other.sql\n\\connect db\ncreate table t (a int);\n');
    expect(where(p)).toEqual(['1:1 select 1', '3:1 select 2', '6:1 create table t (a int)']);
    const metas = findingsOf(p, 'psql-meta-command');
    expect(metas.map((f) => `${f.severity} ${at(f.location)}`)).toEqual(['info 2:1', 'info 4:1', 'info 5:1']);
    expect(metas[0].message).toContain('\\set');
    expect(metas[1].message).toContain('\\i');
    expect(metas[1].message).toContain('included file is not followed');
    expect(metas[0].message).not.toContain('included file');
    expect(metas[2].message).toContain('\\connect');
    expect(findingsOf(p, 'syntax-error')).toEqual([]);
  });

  it('handles meta-commands in CRLF files', async () => {
    const p = await parseFile('select 1;\r\n\\set x 1\r\nselect 2;\r\n');
    expect(where(p)).toEqual(['1:1 select 1', '3:1 select 2']);
    expect(p.findings.map((f) => `${f.rule} ${at(f.location)}`)).toEqual(['psql-meta-command 2:1']);
  });
});

describe('COPY … FROM stdin', () => {
  it('returns the COPY statement and skips its data up to \\.', async () => {
    const sql = [
      'create table t (a text, b text);',
      'COPY t (a, b) FROM stdin;',
      "it's\ta;b",
      '"q"\t$$x',
      "select 'not sql';\t/* x",
      '\\.',
      'select 1;',
      'COPY t TO stdout;',
      'select 2;',
      '',
    ].join('\n');
    const p = await parseFile(sql);
    expect(where(p)).toEqual([
      '1:1 create table t (a text, b text)',
      '2:1 COPY t (a, b) FROM stdin',
      '7:1 select 1',
      '8:1 COPY t TO stdout',
      '9:1 select 2',
    ]);
    expect(p.statements.map((s) => s.kind)).toEqual(['CreateStmt', 'CopyStmt', 'SelectStmt', 'CopyStmt', 'SelectStmt']);
    expect(p.findings).toEqual([]);
  });

  it('handles CSV data and CRLF line ends', async () => {
    const p = await parseFile('COPY t (a) FROM STDIN WITH (FORMAT csv);\r\n"a;b",x\r\n\\.\r\nselect 1;\r\n');
    expect(where(p)).toEqual(['1:1 COPY t (a) FROM STDIN WITH (FORMAT csv)', '4:1 select 1']);
    expect(p.findings).toEqual([]);
  });

  it('does not treat COPY … TO stdout as having a data block', async () => {
    const p = await parseFile('COPY t TO stdout;\nselect 1;\n');
    expect(where(p)).toEqual(['1:1 COPY t TO stdout', '2:1 select 1']);
  });
});

describe('directives', () => {
  it('applies -- pgarch-ignore to the next statement only, or to the statement it trails', async () => {
    const p = await parseFile(
      [
        '-- pgarch-ignore rule-a, rule-b (legacy table)',
        'create table a (id int);',
        'create table b (id int);',
        'select 1; -- pgarch-ignore rule-c',
        'select 2;',
        '',
      ].join('\n'),
    );
    expect(p.statements.map((s) => s.ignored)).toEqual([['rule-a', 'rule-b'], [], ['rule-c'], []]);
    expect(p.directives.ignores.map((d) => [d.rules, d.reason, at(d.location)])).toEqual([
      [['rule-a', 'rule-b'], 'legacy table', '1:1'],
      [['rule-c'], undefined, '4:11'],
    ]);
    expect(p.directives.fileIgnored).toEqual([]);
    expect(p.directives.flags).toEqual([]);
  });

  it('applies a directive inside a multi-line statement to that statement', async () => {
    const p = await parseFile('create table a (\n  id int, -- pgarch-ignore rule-a (ok here)\n  v text\n);\ncreate table b (id int);\n');
    expect(p.statements.map((s) => s.ignored)).toEqual([['rule-a'], []]);
  });

  it('ignores every rule with a bare -- pgarch-ignore', async () => {
    const p = await parseFile('-- pgarch-ignore\nselect 1;\nselect 2;\n');
    expect(p.statements.map((s) => s.ignored)).toEqual([['*'], []]);
  });

  it('applies directives in CRLF files', async () => {
    const p = await parseFile('-- pgarch-ignore rule-a (why)\r\nselect 1;\r\nselect 2;\r\n');
    expect(p.statements.map((s) => s.ignored)).toEqual([['rule-a'], []]);
    expect(p.directives.ignores[0].reason).toBe('why');
  });

  it('reads -- pgarch-ignore-file with and without rules, and flags', async () => {
    const all = await parseFile('-- pgarch-ignore-file\n-- pgarch:no-transaction\nselect 1;\n');
    expect(all.directives.fileIgnored).toEqual(['*']);
    expect(all.directives.flags).toEqual(['no-transaction']);
    expect(all.statements[0].ignored).toEqual([]);

    const some = await parseFile('-- pgarch-ignore-file r1, r2\nselect 1;\n');
    expect(some.directives.fileIgnored).toEqual(['r1', 'r2']);
    expect(some.directives.flags).toEqual([]);
    expect(some.directives.ignores).toEqual([]);
  });
});

describe('parseFileSync', () => {
  it('gives the same result as parseFile once the parser is loaded', async () => {
    const sql = 'select 1;\nselect from where;\n';
    const a = await parseFile(sql);
    const b = parseFileSync(sql);
    expect(where(b)).toEqual(where(a));
    expect(b.findings).toEqual(a.findings);
  });
});

describe('parseStatementsSync', () => {
  // It finds the statements in the parser's JSON by their RawStmt keys instead of parsing it whole.
  const cases = [
    'select 1',
    'select 1;',
    '  select 1; select 2 ;\n\nselect 3',
    '-- only a comment',
    'select 1; -- trailing comment',
    `select '{"stmt":{"SelectStmt":{}},"stmt_len":3}' as x; select "stmt_len", '"stmt_location":5' from t;`,
    `select 'a\\"b', e'\\"stmt\\":{' ; create table "t""x" ("stmt" int, stmt_len int);`,
    "create function f() returns int language sql begin atomic select 1; select 2; end; select 'é', '😀';",
    "create rule r as on insert to t do also (insert into u values (1); update u set a = 2); notify x",
  ];
  it.each(cases)('gives what parseSync gives: %s', (sql) => {
    const whole = parseSync(sql).stmts ?? [];
    const split = parseStatementsSync(sql);
    expect(split.map((s) => [s.kind, s.location, s.length, JSON.parse(s.json)])).toEqual(
      whole.map((s) => [Object.keys(s.stmt!)[0], s.stmt_location ?? 0, s.stmt_len ?? 0, s.stmt]),
    );
  });

  it('throws what parseSync throws on a syntax error', () => {
    expect(() => parseStatementsSync('select 1; selec 2')).toThrow(/syntax error at or near "selec"/);
    expect(() => parseSync('select 1; selec 2')).toThrow(/syntax error at or near "selec"/);
  });
});

describe('quoteIdent', () => {
  it('leaves plain lower-case names alone', () => {
    expect(quoteIdent('users')).toBe('users');
    expect(quoteIdent('order_id')).toBe('order_id');
    // Unreserved keywords are valid names.
    expect(quoteIdent('name')).toBe('name');
    expect(quoteIdent('text')).toBe('text');
  });

  it('quotes reserved keywords, mixed case and odd characters', () => {
    expect(quoteIdent('user')).toBe('"user"');
    expect(quoteIdent('select')).toBe('"select"');
    expect(quoteIdent('Users')).toBe('"Users"');
    expect(quoteIdent('1abc')).toBe('"1abc"');
    expect(quoteIdent('ab cd')).toBe('"ab cd"');
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteQualified('public', 'User')).toBe('public."User"');
  });
});

describe('truncateIdentifier', () => {
  it('keeps names of at most 63 bytes', () => {
    const short = 'a'.repeat(63);
    expect(truncateIdentifier(short)).toBe(short);
    expect(truncateIdentifier('a'.repeat(70))).toBe(short);
  });

  it('cuts multi-byte names at a character boundary within 63 bytes', () => {
    const e = truncateIdentifier('é'.repeat(40)); // 2 bytes each
    expect(e).toBe('é'.repeat(31));
    expect(Buffer.byteLength(e)).toBe(62);

    const j = truncateIdentifier('日'.repeat(30)); // 3 bytes each
    expect(j).toBe('日'.repeat(21));

    // An emoji is 4 bytes and two UTF-16 units: never keep half of it.
    const m = truncateIdentifier('a'.repeat(60) + '😀');
    expect(m).toBe('a'.repeat(60));
    expect(Buffer.byteLength(m)).toBe(60);
    expect(truncateIdentifier('a'.repeat(59) + '😀')).toBe('a'.repeat(59) + '😀');
  });
});
