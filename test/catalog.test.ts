// Catalog introspection returns the same plain shapes on PGlite (PG 18) and the server (PG 15), and
// the origin map points each object at the clause that created it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspect } from '../src/catalog/introspect.js';
import { buildOrigin, columnOrigin, constraintOrigin, indexOrigin, tableOrigin } from '../src/catalog/origin.js';
import type { Catalog, Table } from '../src/catalog/types.js';
import { openEngine } from '../src/engine/index.js';
import { applyFiles } from '../src/lint/apply.js';
import { parseFile, type ParsedFile } from '../src/sql/parse.js';
import { ENGINES } from './helpers/server.js';

const SCHEMA = `CREATE EXTENSION IF NOT EXISTS citext;
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('happy', 'sad');
CREATE TABLE app.users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email citext NOT NULL UNIQUE,
  legacy_no serial,
  mood app.mood,
  created_at timestamp,
  full_name text GENERATED ALWAYS AS (email::text || '!') STORED
);
COMMENT ON TABLE app.users IS 'people who can sign in';
COMMENT ON COLUMN app.users.email IS 'login';
CREATE TABLE app.orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES app.users (id) ON DELETE CASCADE,
  total numeric(12,2) CHECK (total >= 0),
  tags text[],
  status varchar(20) NOT NULL DEFAULT 'new',
  CONSTRAINT orders_status_ck CHECK (status IN ('new', 'paid'))
);
CREATE INDEX orders_open_idx ON app.orders (user_id, status) INCLUDE (total) WHERE status <> 'paid';
CREATE INDEX ON app.orders ((lower(status)));
ALTER TABLE app.orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;
ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY orders_owner ON app.orders FOR SELECT TO public USING (user_id IS NOT NULL);
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = app AS $$
BEGIN
  RETURN NEW;
END $$;
CREATE TRIGGER orders_touch BEFORE INSERT OR UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch();
CREATE VIEW app.paid_orders WITH (security_invoker = true) AS SELECT id, total FROM app.orders WHERE status = 'paid';
CREATE TABLE app.events (id bigint NOT NULL, at timestamptz NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE app.events_2026 PARTITION OF app.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
`;

for (const target of ENGINES) {
  describe(`catalog on ${target.name}`, () => {
    let catalog: Catalog;
    let parsed: ParsedFile;
    const table = (name: string): Table => catalog.tables.find((t) => t.schema === 'app' && t.name === name)!;

    beforeAll(async () => {
      parsed = await parseFile(SCHEMA, 'schema.sql');
      const engine = await openEngine({ database: target.database, scratch: true, extensions: ['citext'] });
      try {
        expect(await applyFiles(engine, [parsed])).toEqual([]);
        catalog = await introspect(engine);
      } finally {
        await engine.close();
      }
    });
    afterAll(() => undefined);

    it('reads tables with kind, RLS, comment and partitions', () => {
      expect(catalog.tables.map((t) => `${t.schema}.${t.name}`).sort()).toEqual(['app.events', 'app.events_2026', 'app.orders', 'app.users']);
      expect(table('users')).toMatchObject({ kind: 'table', comment: 'people who can sign in', rlsEnabled: false });
      expect(table('orders').rlsEnabled).toBe(true);
      expect(table('events').kind).toBe('partitioned table');
      expect(table('events_2026').partitionOf).toBe('app.events');
      expect(typeof table('orders').relfilenode).toBe('number');
    });

    it('reads columns with types, defaults, identity, generated, serial and arrays', () => {
      const cols = Object.fromEntries(table('users').columns.map((c) => [c.name, c]));
      expect(cols.id).toMatchObject({ type: 'uuid', notNull: true, default: 'gen_random_uuid()', serial: false });
      expect(cols.email).toMatchObject({ typeName: 'citext', notNull: true, comment: 'login' });
      expect(cols.legacy_no).toMatchObject({ type: 'integer', serial: true });
      expect(cols.mood).toMatchObject({ typeName: 'mood', typeSchema: 'app' });
      expect(cols.created_at.type).toBe('timestamp without time zone');
      expect(cols.full_name.generated).toBe('stored');
      const orders = Object.fromEntries(table('orders').columns.map((c) => [c.name, c]));
      expect(orders.id).toMatchObject({ identity: 'always', type: 'bigint', serial: false });
      expect(orders.tags).toMatchObject({ isArray: true, typeName: 'text', type: 'text[]' });
      expect(orders.status).toMatchObject({ type: 'character varying(20)', typeName: 'varchar' });
      expect(orders.status.default).toContain("'new'");
    });

    it('reads constraints: pk, fk with actions, unique, check, not valid', () => {
      const cons = Object.fromEntries(table('orders').constraints.map((c) => [c.name, c]));
      expect(cons.orders_pkey).toMatchObject({ type: 'primary key', columns: ['id'], index: 'orders_pkey' });
      expect(cons.orders_user_id_fkey).toMatchObject({
        type: 'foreign key',
        columns: ['user_id'],
        references: { schema: 'app', table: 'users', columns: ['id'], onDelete: 'cascade', onUpdate: 'no action' },
      });
      expect(cons.orders_status_ck).toMatchObject({ type: 'check', validated: true });
      expect(cons.orders_total_positive).toMatchObject({ type: 'check', validated: false });
      expect(table('users').constraints.find((c) => c.type === 'unique')?.columns).toEqual(['email']);
    });

    it('reads indexes: columns, expressions, include, predicate, method', () => {
      const idx = Object.fromEntries(table('orders').indexes.map((i) => [i.name, i]));
      expect(idx.orders_open_idx).toMatchObject({ columns: ['user_id', 'status'], include: ['total'], unique: false, valid: true, method: 'btree' });
      expect(idx.orders_open_idx.predicate).toContain('paid');
      const expr = table('orders').indexes.find((i) => i.columns[0] === null)!;
      expect(expr.keys[0]).toBe('lower(status::text)');
      expect(idx.orders_pkey).toMatchObject({ primary: true, unique: true, constraint: 'orders_pkey' });
    });

    it('reads triggers, policies, views, enums, sequences, functions, extensions', () => {
      expect(table('orders').triggers).toEqual([
        expect.objectContaining({ name: 'orders_touch', function: 'app.touch', timing: 'before', events: ['insert', 'update'], forEachRow: true, enabled: true }),
      ]);
      expect(table('orders').policies).toEqual([{ name: 'orders_owner', command: 'select', permissive: true, roles: ['public'], using: 'user_id IS NOT NULL' }]);
      expect(catalog.views.find((v) => v.name === 'paid_orders')).toMatchObject({ schema: 'app', materialized: false, options: ['security_invoker=true'] });
      expect(catalog.enums).toContainEqual({ schema: 'app', name: 'mood', values: ['happy', 'sad'] });
      expect(catalog.sequences.find((s) => s.name === 'users_legacy_no_seq')).toMatchObject({ ownedBy: 'app.users.legacy_no', dataType: 'integer', maxValue: 2147483647 });
      expect(catalog.functions.find((f) => f.name === 'touch')).toMatchObject({ securityDefiner: true, language: 'plpgsql', config: ['search_path=app'], returns: 'trigger' });
      expect(catalog.extensions.map((e) => e.name)).toContain('citext');
      // Objects that belong to an extension are not user objects.
      expect(catalog.functions.some((f) => f.name === 'citext_eq')).toBe(false);
      expect(catalog.schemas.map((s) => s.name)).toEqual(expect.arrayContaining(['app', 'public']));
    });

    it('is plain data: survives a JSON round trip unchanged', () => {
      expect(JSON.parse(JSON.stringify(catalog))).toEqual(catalog);
    });

    it('maps objects to the clause that created them', () => {
      const origin = buildOrigin([parsed]);
      expect(tableOrigin(origin, 'app', 'orders')).toMatchObject({ file: 'schema.sql', line: 14 });
      expect(columnOrigin(origin, 'app', 'users', 'created_at')).toMatchObject({ line: 9, column: 3 });
      const fk = table('orders').constraints.find((c) => c.type === 'foreign key')!;
      expect(constraintOrigin(origin, 'app', 'orders', fk)).toMatchObject({ line: 16, column: 3 });
      const notValid = table('orders').constraints.find((c) => c.name === 'orders_total_positive')!;
      expect(constraintOrigin(origin, 'app', 'orders', notValid)).toMatchObject({ line: 24, column: 28 });
      const open = table('orders').indexes.find((i) => i.name === 'orders_open_idx')!;
      expect(indexOrigin(origin, 'app', 'orders', open)).toMatchObject({ line: 22, column: 1 });
      expect(origin.tables['app.orders'].policies.orders_owner).toMatchObject({ line: 26 });
    });
  });
}
