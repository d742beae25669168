// Whether a database has an extension, or its server could give it one: asked by name, as a parameter.
import type { Queryable } from './types.js';

/** The extension is created in the current database (pg_extension). */
export async function extensionInstalled(db: Queryable, name: string): Promise<boolean> {
  const { rows } = await db.query<{ installed: boolean }>('select exists (select 1 from pg_extension where extname = $1) as installed', [name]);
  return Boolean(rows[0]?.installed);
}

/** The server has the extension's files, so CREATE EXTENSION would work (pg_available_extensions). */
export async function extensionAvailable(db: Queryable, name: string): Promise<boolean> {
  const { rows } = await db.query<{ available: boolean }>('select exists (select 1 from pg_available_extensions where name = $1) as available', [name]);
  return Boolean(rows[0]?.available);
}
