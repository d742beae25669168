// SQL embedded in TypeScript/JavaScript: what is found (sql`…` tags, `.query(…)` first arguments),
// the SQL the database receives (escapes decoded, ${…} → $n), and findings located at the exact
// line:column of the source file, multi-line templates and escapes included.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractSql } from '../src/query/extract.js';
import { lintQueries } from '../src/query/lint.js';
import { discoverQueryFiles } from '../src/query/sources.js';
import type { Finding } from '../src/types.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pgarch-extract-'));
});

const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const at = (f: Finding) => `${f.rule} ${f.location?.line}:${f.location?.column}`;
const lint = async (path: string) => (await lintQueries({ paths: [path] })).report.findings;

describe('finding SQL in code', () => {
  it('finds sql`…` tags (plain, member, typed) and the first argument of .query(…), in source order', async () => {
    const source = [
      "import { Prisma } from '@prisma/client';",
      'const a = sql`SELECT 1`;',
      'const b = Prisma.sql`SELECT 2`;',
      'const c = db.sql<Row[]>`SELECT 3`;',
      "const d = await pool.query('SELECT 4', []);",
      'const e = await client?.query(`SELECT 5`);',
      'const f = await pool.query(sql`SELECT 6`);',
      'const g = other`SELECT 7`;',
      'const h = sql.unsafe(`SELECT 8`);',
      'const i = pool.query(text);',
    ].join('\n');
    const { literals } = await extractSql(source, 'x.ts');
    expect(literals.map((l) => [l.sql, l.via, l.callee])).toEqual([
      ['SELECT 1', 'tag', 'sql'],
      ['SELECT 2', 'tag', 'Prisma.sql'],
      ['SELECT 3', 'tag', 'db.sql'],
      ['SELECT 4', 'query', 'pool.query'],
      ['SELECT 5', 'query', 'client?.query'],
      ['SELECT 6', 'tag', 'sql'],
    ]);
  });

  it('turns substitutions into $1, $2, … and decodes escapes as JavaScript does', async () => {
    const source = [
      'const q = sql`SELECT * FROM t WHERE a = ${x} AND b IN (${y}, ${z})`;',
      "const s = pool.query('SELECT \\'it\\'\\'s\\' AS quote, \\u00e9 AS e\\nFROM t');",
      'const r = pool.query(`line\\`quote\\` \\${not} ${sub}`);',
    ].join('\n');
    const { literals } = await extractSql(source, 'x.ts');
    expect(literals[0].sql).toBe('SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)');
    expect(literals[1].sql).toBe("SELECT 'it''s' AS quote, é AS e\nFROM t");
    expect(literals[2].sql).toBe('line`quote` ${not} $1');
    // Every SQL character knows its source offset: the placeholder points at `${`.
    const q = literals[0];
    expect(source.slice(q.sourceOffsets[q.sql.indexOf('$1')], q.sourceOffsets[q.sql.indexOf('$1')] + 4)).toBe('${x}');
  });

  it('reads .js, .mjs, .cjs, .jsx and .tsx files (JSX does not confuse it) and skips .d.ts and node_modules', async () => {
    const sub = join(dir, 'walk');
    mkdirSync(join(sub, 'node_modules', 'pkg'), { recursive: true });
    mkdirSync(join(sub, 'dist'), { recursive: true });
    for (const name of ['a.js', 'b.mjs', 'c.cjs', 'd.jsx', 'e.tsx', 'f.ts', 'g.sql']) writeFileSync(join(sub, name), '');
    writeFileSync(join(sub, 'types.d.ts'), '');
    writeFileSync(join(sub, 'node_modules', 'pkg', 'index.js'), '');
    writeFileSync(join(sub, 'dist', 'out.js'), '');
    writeFileSync(join(sub, 'notes.md'), '');
    expect(discoverQueryFiles([sub]).map((f) => f.slice(sub.length + 1))).toEqual(['a.js', 'b.mjs', 'c.cjs', 'd.jsx', 'e.tsx', 'f.ts', 'g.sql']);

    const tsx = write('view.tsx', 'export const View = () => <div className="x">{rows.length}</div>;\nconst rows = await db.query("SELECT * FROM users");\n');
    expect((await lint(tsx)).map(at)).toEqual(['select-star 2:37']);
  });
});

describe('findings located in the source file', () => {
  it('points into a multi-line tagged template at the exact line and column', async () => {
    const path = write(
      'repo.ts',
      [
        "import { sql } from './db';", // 1
        '', // 2
        'export async function page(offset: number, term: string) {', // 3
        '  return sql`', // 4
        '    SELECT *', // 5
        '    FROM products', // 6
        "    WHERE name LIKE '%' || ${term}", // 7
        '    ORDER BY id', // 8
        '    LIMIT 20 OFFSET ${offset}`;', // 9
        '}', // 10
      ].join('\n'),
    );
    expect((await lint(path)).map(at)).toEqual(['select-star 5:12', 'leading-wildcard-like 7:11', 'offset-pagination 9:21']);
  });

  it('counts columns in characters, after escapes and non-ASCII text on the same line', async () => {
    // The string's escapes (\' and \n) make the SQL shorter than the source: columns follow the source.
    const path = write('escapes.ts', "const r = await pool.query('SELECT \\'é\\' AS x, id FROM t WHERE name LIKE \\'%a\\'\\nAND lower(email) = $1');\n");
    const findings = await lint(path);
    expect(findings.map(at)).toEqual(['leading-wildcard-like 1:64', 'non-sargable-predicate 1:86']);
    const line = "const r = await pool.query('SELECT \\'é\\' AS x, id FROM t WHERE name LIKE \\'%a\\'\\nAND lower(email) = $1');";
    expect(line.slice(63, 67)).toBe('name');
    expect(line.slice(85, 90)).toBe('lower');
  });

  it('counts a character outside the BMP (two UTF-16 units, four UTF-8 bytes) as one column', async () => {
    const path = write('emoji.ts', "const q = sql`SELECT '🙂', * FROM t`;\n");
    expect((await lint(path)).map(at)).toEqual(['select-star 1:27']);
  });

  it('follows CRLF line endings inside templates', async () => {
    const path = write('crlf.ts', 'const q = sql`\r\n  SELECT *\r\n  FROM orders`;\r\n');
    expect((await lint(path)).map(at)).toEqual(['select-star 2:10']);
  });

  it('skips strings that are not SQL, but reports syntax errors in .sql files', async () => {
    const code = write('cache.ts', "cache.query('recent-orders');\nlogger.query(`user ${id} logged in`);\n");
    expect(await lint(code)).toEqual([]);
    const sqlFile = write('broken.sql', 'SELECT id FROM orders WHERE;\n');
    expect((await lint(sqlFile)).map(at)).toEqual(['syntax-error 1:28']);
  });

  it('honours // pgarch-ignore on the line before the call, and // pgarch-ignore-file', async () => {
    const path = write(
      'ignored.ts',
      [
        '// pgarch-ignore select-star (the admin export wants every column)',
        'const all = await pool.query(`SELECT * FROM orders`);',
        'const some = await pool.query(`SELECT * FROM customers`);',
        'const also = await pool.query(`SELECT * FROM products -- pgarch-ignore select-star (inline)`);',
      ].join('\n'),
    );
    expect((await lint(path)).map(at)).toEqual(['select-star 3:39']);
    const file = write('ignored-file.ts', '// pgarch-ignore-file select-star\nconst all = await pool.query(`SELECT * FROM orders`);\n');
    expect(await lint(file)).toEqual([]);
  });

  it('locates findings of a .sql file and of code the same way for the same query', async () => {
    const sqlPath = write('same.sql', '\n\nSELECT *\nFROM orders;\n');
    const tsPath = write('same.ts', '\n\nconst q = sql`SELECT *\nFROM orders`;\n');
    expect((await lint(sqlPath)).map(at)).toEqual(['select-star 3:8']);
    expect((await lint(tsPath)).map(at)).toEqual(['select-star 3:22']);
  });
});
