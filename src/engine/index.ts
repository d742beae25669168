// PGlite and pg are loaded when an engine is opened, not when this module is: every command imports
// it, and loading both costs ~250 ms before the first statement is read (--no-execute opens none).
import type { Engine } from './types.js';

export * from './types.js';
export { redact } from './redact.js';

export interface OpenEngineOptions {
  /** postgres:// URL of a server; embedded PGlite when absent. */
  database?: string;
  /**
   * On a server: work in a temporary database that is dropped on close, inside one transaction that
   * keeps everything outside that database as it was (see sandbox.ts).
   */
  scratch?: boolean;
  /**
   * With scratch: the SQL is pgarch's own (its tests, its generated fixes), so a plain scratch database
   * without the sandbox's single transaction, where VACUUM and procedures that COMMIT can run. Never for
   * SQL from user files.
   */
  trusted?: boolean;
  /** On a server: a READ ONLY session (live catalog reads). */
  readOnly?: boolean;
  /** Embedded only: contrib extensions to make loadable (from CREATE EXTENSION statements). */
  extensions?: string[];
}

export async function openEngine(options: OpenEngineOptions = {}): Promise<Engine> {
  if (options.database) {
    const { openServer } = await import('./server.js');
    return openServer(options.database, { scratch: options.scratch, trusted: options.trusted, readOnly: options.readOnly });
  }
  const { openPglite } = await import('./pglite.js');
  return openPglite({ extensions: options.extensions });
}
