// Connection strings: both of libpq's spellings connect, malformed ones are one clear line, and no
// form of password is ever printed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKeywordValue, readService, serviceFiles, toConnectionUrl } from '../../src/engine/conninfo.js';
import { redact } from '../../src/engine/redact.js';
import { pgarch } from '../helpers/cli.js';
import { describeServer } from '../helpers/server.js';

describe('connection strings', () => {
  it('keyword/value strings become the URL the driver reads, every part encoded', () => {
    expect(toConnectionUrl("host=db.internal port=6432 dbname=app user=ci password='p@ss w\\'d' sslmode=require")).toBe('postgres://ci:p%40ss%20w\'d@db.internal:6432/app?sslmode=require');
    expect(toConnectionUrl('host = 127.0.0.1 dbname=test')).toBe('postgres://127.0.0.1/test');
    expect(toConnectionUrl('postgres://u@h/db')).toBe('postgres://u@h/db');
    expect([...parseKeywordValue("a=1 b='x y' c=z\\ w")]).toEqual([['a', '1'], ['b', 'x y'], ['c', 'z w']]);
    expect(() => toConnectionUrl('host=h port=abc')).toThrow('port "abc" is not a number');
    expect(() => toConnectionUrl("host=h password='open")).toThrow('is not closed');
    expect(() => toConnectionUrl('host=h colour=blue')).toThrow('unknown keyword colour');
  });

  it('a password is redacted in every form: raw @ and spaces in a URL, keyword/value, quoted', () => {
    expect(redact('cannot connect to postgres://u:p@ss w@127.0.0.1:5432/test: no')).toBe('cannot connect to postgres://u:***@127.0.0.1:5432/test: no');
    expect(redact("host=h password='se cret' dbname=d")).toBe('host=h password=*** dbname=d');
    expect(redact('host=h password=secret dbname=d')).toBe('host=h password=*** dbname=d');
  });

  it('service=NAME reads its section from the service files, the string itself winning, as libpq does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgarch-service-'));
    const user = join(dir, 'user.conf');
    const system = join(dir, 'pg_service.conf');
    writeFileSync(user, '# ours\n[other]\nhost=elsewhere\n\n[ci]\nhost=db.internal\nport = 6432\nuser=ci\npassword=s3cr3t @ home\ndbname=app\n');
    writeFileSync(system, '[shared]\nhost=shared.internal\ndbname=reports\n');
    expect([...readService('ci', [user, system])]).toEqual([['host', 'db.internal'], ['port', '6432'], ['user', 'ci'], ['password', 's3cr3t @ home'], ['dbname', 'app']]);
    expect([...readService('shared', [user, system])]).toEqual([['host', 'shared.internal'], ['dbname', 'reports']]);
    expect(() => readService('nope', [user, system])).toThrow(`service "nope" is not defined in ${user} or ${system}`);
    expect(serviceFiles({ PGSERVICEFILE: user, PGSYSCONFDIR: dir })).toEqual([user, system]);
    const saved = { file: process.env.PGSERVICEFILE, dir: process.env.PGSYSCONFDIR };
    process.env.PGSERVICEFILE = user;
    process.env.PGSYSCONFDIR = dir;
    try {
      expect(toConnectionUrl('service=ci dbname=other')).toBe('postgres://ci:s3cr3t%20%40%20home@db.internal:6432/other');
      expect(redact(`cannot connect to ${toConnectionUrl('service=ci')}: refused`)).toBe('cannot connect to postgres://ci:***@db.internal:6432/app: refused');
    } finally {
      for (const [key, value] of [['PGSERVICEFILE', saved.file], ['PGSYSCONFDIR', saved.dir]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('a keyword/value string with a bad port is one line and exit 2, without the password', async () => {
    const run = await pgarch(['lint', 'schema', 'examples/shop', '--database', 'host=127.0.0.1 port=abc password=hunter2']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('pgarch: --database: malformed connection string: port "abc" is not a number\n');
  });
});

describe('connection faults are one redacted line and exit 2', () => {
  it('a server that is down, and a host that does not resolve', async () => {
    const down = await pgarch(['lint', 'schema', 'examples/shop', '--database', 'postgres://postgres:hunter2@127.0.0.1:5999/test']);
    expect([down.code, down.stderr]).toEqual([2, 'pgarch: cannot connect to postgres://postgres:***@127.0.0.1:5999/test: connect ECONNREFUSED 127.0.0.1:5999\n']);
    const dns = await pgarch(['lint', 'schema', 'examples/shop', '--database', 'host=no-such-host.invalid user=postgres password=hunter2 dbname=test']);
    expect(dns.code).toBe(2);
    expect(dns.stderr).toMatch(/^pgarch: cannot connect to postgres:\/\/postgres:\*\*\*@no-such-host\.invalid\/test: getaddrinfo (ENOTFOUND|EAI_AGAIN) no-such-host\.invalid\n$/);
    expect(down.stderr + dns.stderr).not.toContain('hunter2');
  });
});

describeServer('keyword/value connection strings on the server', () => {
  it('connect: lint schema runs in a scratch database there', async () => {
    const run = await pgarch(['lint', 'schema', 'examples/shop', '--database', 'host=127.0.0.1 port=5432 user=postgres dbname=test password=unused', '--format', 'json']);
    expect(run.stderr).toBe('');
    expect((JSON.parse(run.stdout) as { summary: { files: number } }).summary.files).toBeGreaterThan(0);
  });
});
