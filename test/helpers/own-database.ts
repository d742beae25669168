// A database of a test's own on the server, owned by a login role of its own, both named
// pgarch_<what>_<pid> (the sandbox test leaves other workers' fixtures so named out of its snapshot).
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { SERVER_URL } from './server.js';

/** A database of the test's own on the server, owned by a login role of its own (named alike). */
export function ownDatabase(prefix: string) {
  const name = `${prefix}_${process.pid}`;
  const admin = new pg.Client({ connectionString: SERVER_URL });
  const owner = new URL(SERVER_URL);
  owner.pathname = `/${name}`;
  owner.username = name;
  const superuser = new URL(SERVER_URL);
  superuser.pathname = `/${name}`;
  return {
    name,
    url: owner.toString(),
    /** SQL in the database as its owner; as the superuser only for what needs one (extensions). */
    async run(sql: string, params: unknown[] = [], as: 'owner' | 'superuser' = 'owner') {
      const client = new pg.Client({ connectionString: (as === 'owner' ? owner : superuser).toString() });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    async create() {
      await admin.connect();
      await admin.query(`create role ${name} login`);
      await admin.query(`create database ${name} owner ${name}`);
    },
    async drop() {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.query(`drop role if exists ${name}`);
      await admin.end();
    },
  };
}


/** Databases of the enclosing describe's own: created before its tests, dropped after them. */
export function ownDatabasesForSuite(...prefixes: string[]): Array<ReturnType<typeof ownDatabase>> {
  const databases = prefixes.map(ownDatabase);
  beforeAll(async () => {
    for (const db of databases) await db.create();
  });
  afterAll(async () => {
    for (const db of databases) await db.drop();
  });
  return databases;
}
