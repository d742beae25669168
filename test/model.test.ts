// pgarch model: the model file → DDL by the table template, applied on PGlite and the server, linted
// clean under both profiles, and read back from the catalog as the same model.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/config.js';
import { openEngine } from '../src/engine/index.js';
import { lintSchema } from '../src/lint/schema.js';
import { modelToDdl } from '../src/model/ddl.js';
import { modelFromCatalog, modelToYaml, readModel } from '../src/model/from-catalog.js';
import { loadModel, modelJsonSchema, normalizeModel, parseModel, type Model } from '../src/model/spec.js';
import { introspect } from '../src/catalog/introspect.js';
import { pgarch } from './helpers/cli.js';
import { ownDatabase } from './helpers/own-database.js';
import { describeServer } from './helpers/server.js';

const SHOP = 'examples/model/shop.yaml';
const PROFILES = ['default', 'supabase'] as const;
const scratch = () => mkdtempSync(join(tmpdir(), 'pgarch-model-'));

async function ddlFile(model: Model, options: Parameters<typeof modelToDdl>[1]): Promise<string> {
  const file = join(scratch(), 'schema.sql');
  writeFileSync(file, (await modelToDdl(model, options)).sql);
  return file;
}

describe('pgarch model: the model file', () => {
  it('reads the shop example', () => {
    const model = loadModel(SHOP);
    expect(Object.keys(model.entities).sort()).toEqual(['categories', 'order_items', 'orders', 'products', 'tags', 'users']);
  });

  it('reports a field of the wrong type at its file:line:column', () => {
    const text = 'entities:\n  orders:\n    fields:\n      total: { type: 12 }\n';
    expect(() => parseModel(text, 'bad.yaml')).toThrow(/^bad\.yaml:4:22: entities\.orders\.fields\.total\.type: .*expected string/);
  });

  it('reports unknown keys, unknown entities and bad names where they are', () => {
    expect(() => parseModel('entities:\n  orders:\n    feilds: {}\n', 'm.yaml')).toThrow(/^m\.yaml:3:5: entities\.orders\.feilds: Unrecognized key/);
    expect(() => parseModel('entities:\n  orders:\n    belongsTo:\n      user: people\n', 'm.yaml')).toThrow(/^m\.yaml:4:13: entities\.orders\.belongsTo\.user: no entity named people/);
    expect(() => parseModel('entities:\n  Orders: {}\n', 'm.yaml')).toThrow(/^m\.yaml:2:3: .*lower-case name/);
    expect(() => parseModel('entities:\n  orders: [\n', 'm.yaml')).toThrow(/^m\.yaml:\d+:\d+: /);
  });

  it('the committed JSON Schema is current, and the shop example satisfies it', async () => {
    const committed = JSON.parse(readFileSync('schemas/model.schema.json', 'utf8'));
    // To refresh: npx tsx -e "import('./src/model/spec.ts').then(m => process.stdout.write(JSON.stringify(m.modelJsonSchema(), null, 2) + '\n'))" > schemas/model.schema.json
    expect(committed).toEqual(modelJsonSchema());
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(committed);
    const { parse } = await import('yaml');
    expect(validate(parse(readFileSync(SHOP, 'utf8'))), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ entities: { orders: { fields: { total: { type: 12 } } } } })).toBe(false);
  });
});

describe('pgarch model: DDL by the table template', () => {
  it('follows the template: uuid keys, status CHECK, indexed foreign keys, one trigger function, live-row indexes, junction, tree query', async () => {
    const ddl = await modelToDdl(loadModel(SHOP));
    const sql = ddl.sql;
    expect(sql).toContain('id uuid primary key default gen_random_uuid()');
    expect(sql).toContain("status text not null default 'pending' check (status in ('pending', 'paid', 'shipped', 'delivered', 'cancelled'))");
    expect(sql).toContain('user_id uuid not null references public.users (id) on delete restrict');
    expect(sql).toContain('create index orders_user_id_idx on public.orders (user_id);');
    expect(sql.match(/create function/g)).toHaveLength(1);
    expect(sql).toContain("set search_path = ''");
    expect(sql).toContain('create unique index users_email_key on public.users (email) where deleted_at is null;');
    expect(sql).toContain('primary key (product_id, tag_id)');
    expect(sql).toContain('create index product_tags_tag_id_product_id_idx on public.product_tags (tag_id, product_id);');
    expect(sql).toContain('create index categories_parent_id_idx on public.categories (parent_id);');
    expect(sql).toContain("create index products_attributes_color_idx on public.products ((attributes ->> 'color'));");
    expect(sql).toContain("comment on table public.orders is 'One row per order a user placed; its lines are in order_items.\n@group sales';");
    // Dependency order: a table after those it refers to, the junction after both sides.
    expect(ddl.tables).toEqual(['users', 'categories', 'products', 'tags', 'orders', 'order_items', 'product_tags']);
    expect(ddl.queries.map((q) => q.file)).toEqual(['queries/categories_tree.sql']);
    expect(ddl.queries[0].sql).toContain('with recursive tree as');
    expect((await modelToDdl(loadModel(SHOP), { profile: 'supabase' })).sql).toContain('using (user_id = (select auth.uid()))');
    expect((await modelToDdl(loadModel(SHOP), { enums: true })).sql).toContain("create type public.orders_status as enum ('pending', 'paid', 'shipped', 'delivered', 'cancelled');");
  });

  it('the tree query runs and walks a subtree on PGlite', async () => {
    const ddl = await modelToDdl(loadModel(SHOP));
    const engine = await openEngine();
    try {
      await engine.exec(ddl.sql);
      await engine.exec(`insert into categories (id, name, slug) values ('00000000-0000-0000-0000-000000000001', 'root', 'root');
        insert into categories (id, parent_id, name, slug) values ('00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000001', 'child', 'child');
        insert into categories (parent_id, name, slug) values ('00000000-0000-0000-0000-000000000002', 'grandchild', 'grandchild');`);
      const { rows } = await engine.query<{ name: string; depth: number }>(ddl.queries[0].sql.replace(/^--.*\n/gm, ''), ['00000000-0000-0000-0000-000000000001']);
      expect(rows.map((r) => [r.name, r.depth])).toEqual([
        ['root', 0],
        ['child', 1],
        ['grandchild', 2],
      ]);
      // updated_at is kept by the shared trigger.
      const before = (await engine.query<{ updated_at: string }>(`select updated_at::text from categories where slug = 'root'`)).rows[0].updated_at;
      await engine.exec(`select pg_sleep(0.01); update categories set name = 'top' where slug = 'root'`);
      const after = (await engine.query<{ updated_at: string }>(`select updated_at::text from categories where slug = 'root'`)).rows[0].updated_at;
      expect(after > before).toBe(true);
    } finally {
      await engine.close();
    }
  });

  for (const profile of PROFILES) {
    for (const enums of [false, true]) {
      it(`the shop DDL applies on PGlite and lints with zero findings (profile ${profile}${enums ? ', enums' : ''})`, async () => {
        const file = await ddlFile(loadModel(SHOP), { profile, enums });
        const { report } = await lintSchema({ paths: [file], config: { ...defaultConfig(), profile } });
        expect(report.findings).toEqual([]);
      });

      it(`round trip on PGlite: model → DDL → model --from → the same model (profile ${profile}${enums ? ', enums' : ''})`, async () => {
        const model = loadModel(SHOP);
        const file = await ddlFile(model, { profile, enums });
        const back = await readModel({ paths: [file], config: { ...defaultConfig(), profile } });
        expect(back.notes).toEqual([]);
        expect(normalizeModel(back.model)).toEqual(normalizeModel({ ...model, ...(enums ? { enums } : {}) }));
        // The YAML written is a model file again.
        expect(normalizeModel(parseModel(modelToYaml(back.model), 'back.yaml'))).toEqual(normalizeModel(back.model));
      });
    }
  }

  it('a reference cycle is closed by ALTER TABLE once both tables exist', async () => {
    const model = parseModel(
      ['entities:', '  teams:', '    purpose: Teams.', '    belongsTo: { lead: { entity: people, required: false, onDelete: set null } }', '  people:', '    purpose: People.', '    belongsTo: { team: teams }'].join('\n'),
    );
    const ddl = await modelToDdl(model);
    expect(ddl.sql).toContain('alter table public.people add constraint people_team_id_fkey foreign key (team_id) references public.teams (id) on delete restrict;');
    const file = join(scratch(), 'cycle.sql');
    writeFileSync(file, ddl.sql);
    const back = await readModel({ paths: [file] });
    expect(normalizeModel(back.model)).toEqual(normalizeModel(model));
  });

  it('reads back an existing schema as a model that model accepts: a plain created_at, no migration bookkeeping', async () => {
    // As simplebank's golang-migrate history has it: created_at without updated_at or a trigger, and
    // the tool's schema_migrations table beside the project's.
    const dir = join(scratch(), 'golang');
    mkdirSync(dir);
    writeFileSync(join(dir, '000001_accounts.up.sql'), 'create table accounts (id bigserial primary key, owner varchar not null, created_at timestamptz not null default now());\n');
    writeFileSync(join(dir, '000001_accounts.down.sql'), 'drop table accounts;\n');
    const back = await readModel({ paths: [dir] });
    expect(Object.keys(back.model.entities ?? {})).toEqual(['accounts']);
    expect(back.model.entities?.accounts.fields?.created_at).toBeDefined();
    const yamlFile = join(scratch(), 'accounts.yaml');
    writeFileSync(yamlFile, modelToYaml(back.model));
    const again = await pgarch(['model', yamlFile]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/created_at timestamptz not null default now\(\)/);
  });
});

describeServer('pgarch model on the server (a role of its own)', () => {
  const db = ownDatabase('pgarch_model');
  beforeAll(async () => {
    await db.create();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('the shop DDL applies, lints with zero findings, and reads back as the same model', async () => {
    const model = loadModel(SHOP);
    const ddl = await modelToDdl(model, { profile: 'default' });
    await db.run(ddl.sql);
    const { report } = await lintSchema({ paths: [], database: db.url, config: { ...defaultConfig(), profile: 'default' } });
    expect(report.findings).toEqual([]);
    const back = await readModel({ database: db.url });
    expect(normalizeModel(back.model)).toEqual(normalizeModel(model));
    const engine = await openEngine({ database: db.url, readOnly: true });
    try {
      expect(normalizeModel(modelFromCatalog(await introspect(engine)).model)).toEqual(normalizeModel(model));
    } finally {
      await engine.close();
    }
  });

  it('the supabase profile\'s DDL applies where auth.uid() and the API roles exist, and reads back', async (ctx) => {
    // A plain server has neither: the test's role makes auth.uid() in its own database; roles are
    // cluster-wide, and creating them is not the test's to do.
    const roles = await db.run(`select rolname from pg_roles where rolname in ('anon', 'authenticated')`);
    // test/global-setup.ts makes them before the suite: under CI their absence is a failure, not a skip.
    if (roles.length < 2 && process.env.CI) throw new Error('CI=true but the server lacks the roles anon and authenticated (test/global-setup.ts makes them)');
    if (roles.length < 2) ctx.skip();
    const model = { ...loadModel(SHOP), schema: 'shop' };
    const ddl = await modelToDdl(model, { profile: 'supabase' });
    await db.run(`create schema auth; create function auth.uid() returns uuid language sql stable as $$ select nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$; ${ddl.sql}`);
    const back = await readModel({ database: db.url, schema: 'shop' });
    expect(normalizeModel(back.model)).toEqual(normalizeModel(model));
  });
});

describe('pgarch model (CLI)', () => {
  it('prints the DDL of a model file', async () => {
    const r = await pgarch(['model', SHOP]);
    expect(r.stderr).toContain('queries/categories_tree.sql not written');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('create table public.order_items (');
  });

  it('a wrong type in a field: file:line:column, exit 2, no stack trace', async () => {
    const dir = scratch();
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'entities:\n  orders:\n    fields:\n      total: { type: numeric, required: "yes" }\n');
    const r = await pgarch(['model', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^pgarch: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:41: entities\\.orders\\.fields\\.total\\.required: .*expected boolean`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('--out writes pgarch\'s own template into a new folder (migrate up runs it, down undoes it), and the layout\'s shape into a dbmate one; --queries writes the tree query', async () => {
    const dir = scratch();
    const fresh = join(dir, 'migrations');
    const r = await pgarch(['model', SHOP, '--out', fresh, '--queries', join(dir, 'queries')]);
    expect(r.code, r.stderr).toBe(0);
    const [file] = readdirSync(fresh);
    expect(file).toMatch(/^\d{14}_create_shop\.sql$/);
    expect(readFileSync(join(fresh, file), 'utf8')).toMatch(/^-- migrate:up\n[\s\S]*create table public.users \([\s\S]*\n-- migrate:down\n/);
    expect(readdirSync(join(dir, 'queries'))).toEqual(['categories_tree.sql']);
    const db = join(dir, 'pglite');
    const up = await pgarch(['migrate', 'up', '--dir', fresh, '--pglite-dir', db]);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).toMatch(/✓ \d{14} create_shop/);
    const down = await pgarch(['migrate', 'down', '--dir', fresh, '--pglite-dir', db]);
    expect(down.code, down.stdout + down.stderr).toBe(0);
    const verify = await pgarch(['migrate', 'verify', '--dir', fresh]);
    expect(verify.code, verify.stdout).toBe(0);

    const dbmate = join(dir, 'db', 'migrations');
    mkdirSync(dbmate, { recursive: true });
    writeFileSync(join(dbmate, '20240101000000_init.sql'), '-- migrate:up\ncreate table settings (id uuid primary key);\n-- migrate:down\ndrop table settings;\n');
    const d = await pgarch(['model', SHOP, '--out', dbmate, '--name', 'shop_tables']);
    expect(d.code, d.stderr).toBe(0);
    const written = readdirSync(dbmate).find((f) => f.endsWith('_shop_tables.sql'))!;
    const text = readFileSync(join(dbmate, written), 'utf8');
    expect(text).toMatch(/^-- migrate:up\n/);
    expect(text).toContain('-- migrate:down\ndrop table if exists public.product_tags;');
  });

  it('--from prints the model of a schema as YAML, the same model as the file', async () => {
    const file = await ddlFile(loadModel(SHOP), {});
    const r = await pgarch(['model', '--from', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(normalizeModel(parseModel(r.stdout, 'stdout'))).toEqual(normalizeModel(loadModel(SHOP)));
  });
});
