// The environment a project assumes: the built-in Supabase platform (by --profile or detected from
// supabase/config.toml), --setup files, and one root-cause finding for what the engine lacks.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/config.js';
import { lintSchema } from '../src/lint/schema.js';
import { lintMigrations } from '../src/migrate/lint.js';
import type { Finding } from '../src/types.js';
import { pgarch, ROOT } from './helpers/cli.js';
import { ENGINES } from './helpers/server.js';

const SUPABASE = join(ROOT, 'test/fixtures/layouts/supabase');
const MIGRATIONS = join(SUPABASE, 'supabase/migrations');
const errors = (findings: Finding[]) => findings.filter((f) => f.rule === 'execution-error').map((f) => `${f.location?.line}: ${f.message}`);

/** The project's migrations without its supabase/config.toml: nothing to detect the platform from. */
function undetectable(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgarch-nosupabase-'));
  cpSync(MIGRATIONS, join(dir, 'migrations'), { recursive: true });
  return join(dir, 'migrations');
}

for (const target of ENGINES) {
  describe(`the Supabase environment on ${target.name}`, () => {
    it('is detected from supabase/config.toml: the migrations run with zero execution errors', async () => {
      const migrations = await lintMigrations({ paths: [MIGRATIONS], database: target.database });
      expect(errors(migrations.report.findings)).toEqual([]);
      const schema = await lintSchema({ paths: [MIGRATIONS], database: target.database });
      expect(errors(schema.report.findings)).toEqual([]);
      // The RLS rules are on (the supabase profile), and say nothing of the platform's own tables.
      expect(schema.report.findings.filter((f) => /^(auth|storage|vault|extensions)\./.test(f.object ?? ''))).toEqual([]);
      expect(schema.report.findings.map((f) => f.rule)).toEqual(['updated-at-no-trigger', 'updated-at-no-trigger']);
    });

    it('is used by --profile supabase where nothing can be detected, and missing without it', async () => {
      const dir = undetectable();
      const withProfile = await lintMigrations({ paths: [dir], database: target.database, config: { ...defaultConfig(), profile: 'supabase' } });
      expect(errors(withProfile.report.findings)).toEqual([]);
      const without = await lintMigrations({ paths: [dir], database: target.database });
      // The platform's objects are missing: one error names them all, and counts the statements that need them.
      expect(errors(without.report.findings)).toHaveLength(1);
      expect(errors(without.report.findings)[0]).toMatch(/^2: The migrations use objects that none of them has created by then \(schemas auth.*\d+ statements that need them could not be checked$/);
    });
  });

  describe(`--setup and missing extensions on ${target.name}`, () => {
    it('--setup files build the environment first and are never linted', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pgarch-setup-'));
      writeFileSync(join(dir, 'platform.sql'), 'CREATE SCHEMA platform;\nCREATE TABLE platform.tenants (id int, name varchar(10));\nCREATE FUNCTION platform.current_tenant() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;');
      writeFileSync(join(dir, '0001_app.sql'), 'CREATE TABLE orders (id bigint PRIMARY KEY, tenant_id int NOT NULL DEFAULT platform.current_tenant());\nCOMMENT ON TABLE orders IS \'one order\';');
      const { report } = await lintSchema({ paths: [join(dir, '0001_app.sql')], database: target.database, setup: [join(dir, 'platform.sql')] });
      expect(errors(report.findings)).toEqual([]);
      // platform.tenants has no primary key and a varchar: the platform's, not the project's.
      expect(report.findings.filter((f) => f.object?.startsWith('platform.') || f.location?.file?.endsWith('platform.sql'))).toEqual([]);
      expect(report.findings.map((f) => f.rule)).toContain('missing-timestamps');
    });

    it('an extension the engine lacks is one finding, and what fails because of it is counted there', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pgarch-vector-'));
      writeFileSync(
        join(dir, '0001_vectors.sql'),
        [
          'CREATE EXTENSION IF NOT EXISTS vector;',
          'CREATE TABLE documents (id bigint PRIMARY KEY, body text, embedding vector(3));',
          'CREATE INDEX documents_embedding_idx ON documents USING hnsw (embedding vector_cosine_ops);',
          'CREATE FUNCTION match(q vector(3)) RETURNS SETOF documents LANGUAGE sql AS $$ SELECT * FROM documents ORDER BY embedding <=> q $$;',
        ].join('\n'),
      );
      writeFileSync(join(dir, '0002_more.sql'), 'ALTER TABLE documents ADD COLUMN title text;\nSELECT * FROM not_a_table;');
      const { report } = await lintMigrations({ paths: [dir], database: target.database });
      const failures = report.findings.filter((f) => f.rule === 'not-executed' || f.rule === 'execution-error');
      expect(failures.map((f) => `${f.rule} ${f.location?.file?.split('/').pop()}:${f.location?.line}`)).toEqual([
        'not-executed 0001_vectors.sql:1',
        // A real error of its own, not blamed on the extension.
        'execution-error 0002_more.sql:2',
      ]);
      expect(failures[0].message).toMatch(/^Extension vector is not available in .*: nothing that needs it can be checked \(4 later statements failed because of it, not reported separately: lines 2, 3, 4, 0002_more\.sql:1\)$/);
      expect(failures[0].related?.map((l) => l.line)).toEqual([2, 3, 4, 1]);
      expect(failures[0].hint).toContain('--setup');
    });
  });
}

describe('the environment on the command line', () => {
  it('lint migrations --setup and --profile, and bookkeeping tables of migration tools are not the project’s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgarch-cli-setup-'));
    writeFileSync(join(dir, 'roles.sql'), 'CREATE ROLE app_reader NOLOGIN;');
    writeFileSync(join(dir, '0001.sql'), 'CREATE TABLE items (id bigint PRIMARY KEY);\nGRANT SELECT ON items TO app_reader;\nCREATE TABLE schema_migrations (version varchar(255) NOT NULL);');
    const bare = await pgarch(['lint', 'migrations', join(dir, '0001.sql'), '--format', 'json']);
    expect(JSON.parse(bare.stdout).findings.map((f: Finding) => f.rule)).toEqual(['execution-error']);
    const setup = await pgarch(['lint', 'migrations', join(dir, '0001.sql'), '--setup', join(dir, 'roles.sql'), '--format', 'json']);
    expect(JSON.parse(setup.stdout).findings).toEqual([]);
    const schema = await pgarch(['lint', 'schema', join(dir, '0001.sql'), '--setup', join(dir, 'roles.sql'), '--format', 'json']);
    expect(JSON.parse(schema.stdout).findings.filter((f: Finding) => f.object?.includes('schema_migrations'))).toEqual([]);
    const profile = await pgarch(['lint', 'migrations', undetectable(), '--profile', 'supabase', '--format', 'json']);
    expect(JSON.parse(profile.stdout).findings.filter((f: Finding) => f.rule === 'execution-error')).toEqual([]);
  });
});
