// Embedded PostgreSQL (PGlite, WASM). Starting from initdb costs ~3–4 s; a data-directory snapshot
// made once per PGlite version and cached on disk (a pack, data-dir.ts, put in place before PostgreSQL
// starts) brings a start down to ~0.75 s here, where PGlite's own tar loadDataDir takes ~1.3 s.
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { MemoryFS, PGlite, type Extension, type Transaction } from '@electric-sql/pglite';
import { CorruptDataDirError, emscriptenFs, packDataDir, parsePack, readPack, unneededWal, type PackedFile } from './data-dir.js';
import { EngineDiedError, toEngineError, type Engine, type EngineVersion, type Queryable, type QueryResult } from './types.js';

export { CorruptDataDirError };

/** Extensions PGlite ships as contrib bundles, by the name `CREATE EXTENSION` uses → module export. */
const CONTRIB: Record<string, { module: string; export: string }> = {
  pgcrypto: { module: 'pgcrypto', export: 'pgcrypto' },
  'uuid-ossp': { module: 'uuid_ossp', export: 'uuid_ossp' },
  citext: { module: 'citext', export: 'citext' },
  pg_trgm: { module: 'pg_trgm', export: 'pg_trgm' },
  hstore: { module: 'hstore', export: 'hstore' },
  ltree: { module: 'ltree', export: 'ltree' },
  btree_gin: { module: 'btree_gin', export: 'btree_gin' },
  btree_gist: { module: 'btree_gist', export: 'btree_gist' },
  cube: { module: 'cube', export: 'cube' },
  earthdistance: { module: 'earthdistance', export: 'earthdistance' },
  fuzzystrmatch: { module: 'fuzzystrmatch', export: 'fuzzystrmatch' },
  intarray: { module: 'intarray', export: 'intarray' },
  isn: { module: 'isn', export: 'isn' },
  lo: { module: 'lo', export: 'lo' },
  seg: { module: 'seg', export: 'seg' },
  tablefunc: { module: 'tablefunc', export: 'tablefunc' },
  unaccent: { module: 'unaccent', export: 'unaccent' },
  tcn: { module: 'tcn', export: 'tcn' },
  bloom: { module: 'bloom', export: 'bloom' },
  moddatetime: { module: 'moddatetime', export: 'moddatetime' },
  pg_stat_statements: { module: 'pg_stat_statements', export: 'pg_stat_statements' },
  pg_buffercache: { module: 'pg_buffercache', export: 'pg_buffercache' },
  pg_visibility: { module: 'pg_visibility', export: 'pg_visibility' },
  pageinspect: { module: 'pageinspect', export: 'pageinspect' },
  amcheck: { module: 'amcheck', export: 'amcheck' },
  tsm_system_rows: { module: 'tsm_system_rows', export: 'tsm_system_rows' },
  tsm_system_time: { module: 'tsm_system_time', export: 'tsm_system_time' },
  dict_int: { module: 'dict_int', export: 'dict_int' },
};

/** Names of the extensions the embedded engine can load. */
export const EMBEDDED_EXTENSIONS: readonly string[] = Object.keys(CONTRIB);

export interface PgliteOptions {
  /** Extension names (as in CREATE EXTENSION) to make available; unknown names are ignored here and fail at CREATE EXTENSION. */
  extensions?: string[];
  /** Skip the on-disk snapshot cache (always initdb). */
  noSnapshot?: boolean;
  /**
   * Start from a data directory an engine saved (saveDataDir, a pack file), refused with
   * CorruptDataDirError unless its files hash to `digest`: a cache entry is never trusted.
   */
  from?: { file: string; digest: string };
  /** A data directory on disk that persists between runs (the migration runner's --pglite-dir): created when missing. */
  dataDir?: string;
}

export async function openPglite(options: PgliteOptions = {}): Promise<Engine> {
  const extensions = await loadExtensions(options.extensions ?? []);
  if (options.from) return openSaved(options.from, extensions);
  if (options.dataDir) {
    // A new directory starts as a copy of the initdb snapshot: 4 s of initdb saved on first use.
    if (!existsSync(join(options.dataDir, 'PG_VERSION')) && !options.noSnapshot) await seedDataDir(options.dataDir);
    return new PgliteEngine(await PGlite.create({ dataDir: options.dataDir, extensions }));
  }
  const base = options.noSnapshot ? undefined : await baseSnapshot();
  // Its own copy: PostgreSQL writes into the files it is given.
  if (base) return new PgliteEngine(await PGlite.create({ fs: new PackedMemoryFs(parsePack(Buffer.from(base), false).files), extensions }));
  return new PgliteEngine(await PGlite.create({ extensions }));
}

/** Writes the initdb snapshot's files into an empty (or missing) directory; leaves it to initdb when there is none. */
async function seedDataDir(dir: string): Promise<void> {
  const base = await baseSnapshot();
  if (!base) return;
  if (existsSync(dir) && readdirSync(dir).length > 0) return;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const f of parsePack(base, false).files) {
    const path = join(dir, f.path);
    if (f.data === undefined) mkdirSync(path, { recursive: true, mode: 0o700 });
    else writeFileSync(path, f.data, { mode: 0o600 });
  }
}

async function openSaved(from: { file: string; digest: string }, extensions: Record<string, Extension>): Promise<Engine> {
  let files: PackedFile[];
  try {
    const unpacked = readPack(from.file);
    if (unpacked.digest !== from.digest) throw new CorruptDataDirError('the saved data directory does not match its digest');
    files = unpacked.files;
  } catch (error) {
    throw error instanceof CorruptDataDirError ? error : new CorruptDataDirError(`unreadable saved data directory: ${(error as Error).message}`);
  }
  // In memory like a fresh engine (so it runs as fast), with the files put in place before PostgreSQL
  // starts: PGlite then finds a database and resumes it. Its own loadDataDir (a tar) takes 3x longer.
  const db = await PGlite.create({ fs: new PackedMemoryFs(files), extensions });
  return new PgliteEngine(db);
}

/** PGlite's in-memory file system, holding a saved data directory's files when PostgreSQL starts. */
class PackedMemoryFs extends MemoryFS {
  constructor(private files: PackedFile[]) {
    super();
  }

  override async initialSyncFs(): Promise<void> {
    await super.initialSyncFs();
    const fs = (this.pg as unknown as { Module: { FS: EmscriptenWriteFs } }).Module.FS;
    fs.mkdirTree(MEMORY_DATA_DIR);
    for (const f of this.files) {
      const path = `${MEMORY_DATA_DIR}/${f.path}`;
      if (f.data === undefined) fs.mkdir(path, 0o700);
      // canOwn: the file keeps the pack's bytes instead of a copy of them.
      else fs.writeFile(path, f.data, { mode: 0o600, canOwn: true });
    }
    this.files = [];
  }
}

interface EmscriptenWriteFs {
  mkdirTree(path: string): void;
  mkdir(path: string, mode: number): void;
  writeFile(path: string, data: Uint8Array, options: { mode: number; canOwn: boolean }): void;
}

async function loadExtensions(names: string[]): Promise<Record<string, Extension>> {
  const out: Record<string, Extension> = {};
  for (const name of new Set(names.map((n) => n.toLowerCase()))) {
    const entry = CONTRIB[name];
    if (!entry) continue;
    const mod = (await import(`@electric-sql/pglite/contrib/${entry.module}`)) as Record<string, Extension>;
    out[entry.module] = mod[entry.export];
  }
  return out;
}

export function pgliteVersion(): string {
  // package.json is not in PGlite's exports map: find it beside the resolved entry point (dist/…).
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const pkgPath = join(dirname(dirname(entry)), 'package.json');
  return (JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string }).version;
}

function cacheDir(): string {
  const base = process.env.PGARCH_CACHE_DIR ?? (process.env.XDG_CACHE_HOME ? join(process.env.XDG_CACHE_HOME, 'pgarch') : join(homedir() || tmpdir(), '.cache', 'pgarch'));
  return base;
}

/** The initdb snapshot, verified once per process: each engine starts from a copy of its bytes. */
let basePromise: Promise<Buffer | undefined> | undefined;

/**
 * The cached initdb snapshot for this PGlite version (a pack, data-dir.ts, with its digest beside it),
 * made on first use; undefined when it can be neither read nor made (the engine then runs initdb).
 */
function baseSnapshot(): Promise<Buffer | undefined> {
  basePromise ??= (async () => {
    const name = `pglite-${pgliteVersion()}-datadir.pack`;
    // The cache directory, else (a read-only home) the temporary one: either serves later processes too.
    const places = [cacheDir(), join(tmpdir(), 'pgarch')];
    for (const dir of places) {
      try {
        const file = join(dir, name);
        if (!existsSync(file) || !existsSync(`${file}.sha1`)) continue;
        const bytes = readFileSync(file);
        if (parsePack(bytes, true).digest === readFileSync(`${file}.sha1`, 'utf8').trim()) return bytes;
      } catch {
        // Unreadable or damaged: made again below.
      }
    }
    const fresh = new PgliteEngine(await PGlite.create());
    try {
      for (const dir of places) {
        try {
          mkdirSync(dir, { recursive: true });
          const file = join(dir, name);
          // Written under temporary names, then renamed (the digest last), so a concurrent process never reads half a snapshot.
          const tmp = `${file}.${process.pid}.tmp`;
          const digest = await fresh.saveDataDir(tmp);
          writeFileSync(`${file}.sha1.${process.pid}.tmp`, digest);
          renameSync(tmp, file);
          renameSync(`${file}.sha1.${process.pid}.tmp`, `${file}.sha1`);
          return readFileSync(file);
        } catch {
          // Not writable: the next place.
        }
      }
      return undefined;
    } finally {
      await fresh.close();
    }
  })();
  return basePromise;
}

/**
 * What PGlite says when it has aborted rather than failed a statement: PostgreSQL's error stack
 * overflowed (endless recursion: the WASM build's stack check does not fire) or the WASM runtime
 * trapped. After that the instance must not be called again: the next call can kill the process.
 */
function deathOf(error: unknown): EngineDiedError | undefined {
  const message = (error as Error)?.message ?? String(error);
  if (/ERRORDATA_STACK_SIZE exceeded/.test(message)) return new EngineDiedError(message, true);
  // A PostgreSQL error (it has a SQLSTATE) is the SQL's, whatever its text: RAISE EXCEPTION 'unreachable'.
  if (/^[0-9A-Z]{5}$/.test(String((error as { code?: unknown })?.code ?? ''))) return undefined;
  if (error instanceof WebAssembly.RuntimeError || /^(Aborted\(|unreachable$|memory access out of bounds)/.test(message)) return new EngineDiedError(message, false);
  return undefined;
}

class PgliteEngine implements Engine {
  readonly kind = 'pglite' as const;
  description = 'embedded PGlite';
  private cachedVersion?: EngineVersion;
  /** Set once PGlite has aborted: every later call fails with it, without touching the instance. */
  private dead?: EngineDiedError;
  /** Whether the SQL run so far may have defined functions (see exec). */
  private functions = false;

  constructor(private readonly db: PGlite) {}

  /** Run a call on the instance, unless it has died; a death is remembered and thrown as such. */
  private async guard<T>(call: () => Promise<T>): Promise<T> {
    if (this.dead) throw this.dead;
    try {
      return await call();
    } catch (error) {
      const died = deathOf(error);
      if (died) throw (this.dead = died);
      throw toEngineError(error);
    }
  }

  async query<Row>(sql: string, params?: unknown[]): Promise<QueryResult<Row>> {
    return this.guard(() => runQuery<Row>(this.db, sql, params));
  }

  async exec(sql: string): Promise<void> {
    await this.guard(() => this.db.exec(sql));
    // A stack overflow in a recursive function leaves PGlite answering nothing, with no error until
    // a later call (if that call does not kill the process). Once SQL defines functions, a cheap probe
    // after each exec finds the death at the statement that caused it.
    if (!this.functions && /\b(FUNCTION|PROCEDURE)\b/i.test(sql)) this.functions = true;
    if (this.functions) await this.probe();
  }

  /** `SELECT 1` must answer one row; a dead instance answers nothing. */
  private async probe(): Promise<void> {
    const results = await this.guard(() => this.db.exec('SELECT 1'));
    if (results[results.length - 1]?.rows.length !== 1) {
      throw (this.dead = new EngineDiedError('ERRORDATA_STACK_SIZE exceeded: the engine stopped answering after this statement', false));
    }
  }

  async simpleQuery<Row>(sql: string): Promise<QueryResult<Row>> {
    return this.guard(async () => {
      // exec() uses the simple protocol (query() always binds parameters, even none).
      const results = await this.db.exec(sql);
      const last = results[results.length - 1];
      return { rows: (last?.rows ?? []) as Row[], affectedRows: last?.affectedRows };
    });
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.guard(() => this.db.transaction((tx) => fn(wrapTransaction(tx))));
  }

  async version(): Promise<EngineVersion> {
    if (!this.cachedVersion) {
      const { rows } = await this.query<{ num: string; text: string }>("select current_setting('server_version_num') as num, current_setting('server_version') as text");
      const num = Number(rows[0].num);
      this.cachedVersion = { num, major: Math.floor(num / 10000), text: `PostgreSQL ${rows[0].text} (PGlite ${pgliteVersion()})` };
      this.description = `embedded ${this.cachedVersion.text}`;
    }
    return this.cachedVersion;
  }

  async saveDataDir(target: string): Promise<string> {
    // Every dirty page written to the files, so they alone are the state (PGlite has no background writer).
    await this.exec('CHECKPOINT');
    // Recovery replays from the checkpoint's redo point: older (and recycled, future) 16 MB segments are dead weight.
    const { rows } = await this.query<{ redo: string; at: string }>('select pg_walfile_name(redo_lsn) as redo, pg_walfile_name(checkpoint_lsn) as at from pg_control_checkpoint()');
    const skip = unneededWal(new Set([rows[0].redo, rows[0].at]));
    // In memory: read the files out of Emscripten's file system, as PGlite's own dumpDataDir does, minus the tar.
    const fs = (this.db as unknown as { Module: { FS: Parameters<typeof emscriptenFs>[0] } }).Module.FS;
    return packDataDir(emscriptenFs(fs), MEMORY_DATA_DIR, target, { skip });
  }

  async close(): Promise<void> {
    // A dead instance is left to the garbage collector: closing it runs WASM code again.
    if (!this.dead && !this.db.closed) await this.db.close();
  }
}

/** Where PGlite keeps PGDATA in its in-memory file system. */
const MEMORY_DATA_DIR = '/pglite/data';

async function runQuery<Row>(db: PGlite | Transaction, sql: string, params?: unknown[]): Promise<QueryResult<Row>> {
  try {
    const result = await db.query<Row>(sql, params);
    return { rows: result.rows, affectedRows: result.affectedRows };
  } catch (error) {
    const e = toEngineError(error);
    // PGlite 0.5 loses very large statements in the extended protocol (e.g. a UNION ALL of 600
    // SELECTs): Parse fails silently and Bind reports 26000. Nothing ran, so the simple protocol can
    // take the statement when it has no parameters.
    if (e.code === '26000' && !params?.length) {
      try {
        const results = await db.exec(sql);
        const last = results[results.length - 1];
        return { rows: (last?.rows ?? []) as Row[], affectedRows: last?.affectedRows };
      } catch (retryError) {
        throw toEngineError(retryError);
      }
    }
    throw e;
  }
}

function wrapTransaction(tx: Transaction): Queryable {
  return {
    query: <Row>(sql: string, params?: unknown[]) => runQuery<Row>(tx, sql, params),
    async exec(sql: string) {
      try {
        await tx.exec(sql);
      } catch (error) {
        throw toEngineError(error);
      }
    },
  };
}
