// sqlc's named parameters (sqlc.arg, sqlc.narg, sqlc.slice, sqlc.embed and, in sqlc-annotated files,
// `@name`) are read as the `$n` sqlc sends: the query lint and the advisor plan the real query instead
// of failing on a schema "sqlc" or an operator `@` (found on techschool/simplebank's queries).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lintQueries } from '../src/query/lint.js';
import { sqlcParameters } from '../src/query/sqlc.js';
import { loadParser } from '../src/sql/parse.js';

beforeAll(() => loadParser());

describe('sqlc named parameters', () => {
  it('numbers each name once, after the positional parameters, keeping every offset', () => {
    const text = '-- name: Move :one\nUPDATE accounts SET balance = balance + sqlc.arg(amount) WHERE id = @id AND owner = $1 AND id = sqlc.arg(id) RETURNING *;\n';
    const out = sqlcParameters(text);
    expect(out).toBe('-- name: Move :one\nUPDATE accounts SET balance = balance + $2               WHERE id = $3  AND owner = $1 AND id = $3           RETURNING *;\n');
    expect(out.length).toBe(text.length);
  });

  it('numbers each statement from $1, as sqlc does per query', () => {
    const out = sqlcParameters('-- name: A :one\nselect 1 from t where a = @a;\n-- name: B :one\nselect 1 from t where b = @b and c = @c;\n');
    expect(out.replace(/ +/g, ' ')).toBe('-- name: A :one\nselect 1 from t where a = $1;\n-- name: B :one\nselect 1 from t where b = $1 and c = $2;\n');
  });

  it('reads sqlc.narg, sqlc.slice and sqlc.embed', () => {
    const text = 'select sqlc.embed(u), 1 from u where a = sqlc.narg(a) and b in (sqlc.slice(bs));';
    const out = sqlcParameters(text);
    expect(out.length).toBe(text.length);
    expect(out.replace(/ +/g, ' ')).toBe('select u.* , 1 from u where a = $1 and b in ($2 );');
  });

  it('leaves @ alone outside sqlc-annotated files, and in comments and strings', () => {
    const plain = "select @ -5, '@x' from t where a <@ b; -- @y\n";
    expect(sqlcParameters(plain)).toBe(plain);
    const annotated = "-- name: Q :many\nselect '@x', a from t where a @> b /* @z */;\n";
    expect(sqlcParameters(annotated)).toBe(annotated);
  });

  it('lets the query lint plan sqlc queries at the lines the user wrote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgarch-sqlc-'));
    writeFileSync(join(dir, 'schema.sql'), 'create table accounts (id bigserial primary key, owner text not null, balance bigint not null);\n');
    writeFileSync(
      join(dir, 'query.sql'),
      '-- name: AddAccountBalance :one\nUPDATE accounts\nSET balance = balance + sqlc.arg(amount)\nWHERE id = sqlc.arg(id)\nRETURNING *;\n\n-- name: GetByOwner :many\nSELECT id FROM accounts WHERE owner = @owner AND nope = 1;\n',
    );
    const { report } = await lintQueries({ paths: [join(dir, 'query.sql')], schema: [join(dir, 'schema.sql')] });
    const errors = report.findings.filter((f) => f.severity === 'error');
    // The only error is the real one, at its own line and column.
    expect(errors).toEqual([expect.objectContaining({ rule: 'execution-error', message: expect.stringContaining('nope'), location: expect.objectContaining({ line: 8, column: 50 }) })]);
  }, 60_000);
});
