import { openPglite, EMBEDDED_EXTENSIONS } from './pglite.js';
import { openServer } from './server.js';
import type { Engine } from './types.js';

export * from './types.js';
export { redact } from './redact.js';
export { EMBEDDED_EXTENSIONS };

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

export function openEngine(options: OpenEngineOptions = {}): Promise<Engine> {
  if (options.database) return openServer(options.database, { scratch: options.scratch, trusted: options.trusted, readOnly: options.readOnly });
  return openPglite({ extensions: options.extensions });
}
