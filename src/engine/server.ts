// A real PostgreSQL server through node-postgres. In scratch mode pgarch creates a throw-away
// database on that server and works there inside one transaction that is never committed while it
// holds changes outside that database (sandbox.ts), then drops it: nothing outside it changes.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { toConnectionUrl } from './conninfo.js';
import { redact, redactSecret } from './redact.js';
import { SandboxEngine } from './sandbox.js';
import { ConnectionLostError, EngineError, OWN_STATEMENT_TAG, shiftedError, toEngineError, type Engine, type EngineVersion, type Queryable, type QueryResult } from './types.js';

export interface ServerOptions {
  /** Create a temporary database on the server, use it, and drop it on close. */
  scratch?: boolean;
  /** With scratch: pgarch's own SQL, no sandbox (see OpenEngineOptions.trusted). */
  trusted?: boolean;
  /** Run every query in a READ ONLY session (live-database linting). */
  readOnly?: boolean;
  /** Application name shown in pg_stat_activity. */
  applicationName?: string;
}

/** Connect, with errors turned into one redacted line (never the password). */
export async function openServer(conninfo: string, options: ServerOptions = {}): Promise<Engine> {
  const url = toConnectionUrl(conninfo);
  const password = passwordOf(url);
  const admin = await connect(url, password, options.applicationName);
  if (!options.scratch) {
    if (options.readOnly) await admin.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
    // A live database's pg_stat_statements is read for the application's queries: pgarch's own
    // catalog reads there carry a tag, so that they can be told apart and left out.
    return new ServerEngine(admin, redact(url), password, undefined, options.readOnly ? OWN_STATEMENT_TAG : '');
  }
  const name = `pgarch_scratch_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  try {
    // The name is generated from [a-z0-9_] only; identifiers cannot be parameters, so it is quoted.
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE template0`);
  } catch (error) {
    await admin.end().catch(() => {});
    throw new EngineError(`cannot create a scratch database on ${redact(url)}: ${redactSecret(toEngineError(error).message, password)}`);
  }
  const scratchUrl = withDatabase(url, name);
  let client: pg.Client;
  try {
    client = await connect(scratchUrl, password, options.applicationName);
  } catch (error) {
    await dropDatabase(admin, name);
    await admin.end().catch(() => {});
    throw error;
  }
  const session = new ServerEngine(client, `${redact(url)} (scratch database ${name})`, password, async () => {
    // After a server restart the admin connection is gone too: drop the scratch from a new one, once
    // the server accepts connections again (it refuses them while it starts up).
    if (!(await dropDatabase(admin, name))) {
      for (let attempt = 0; attempt < 20; attempt++) {
        const fresh = await connect(url, password, options.applicationName).catch(() => undefined);
        const dropped = fresh ? await dropDatabase(fresh, name) : false;
        await fresh?.end().catch(() => {});
        if (dropped) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    await admin.end().catch(() => {});
  });
  if (options.trusted) return session;
  try {
    return await SandboxEngine.open(session, new ServerEngine(admin, redact(url), password));
  } catch (error) {
    await session.close();
    throw error;
  }
}

async function connect(url: string, password: string | undefined, applicationName = 'pgarch'): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName, connectionTimeoutMillis: 10_000 });
  // An idle client whose server goes away emits 'error'; without a listener Node would crash.
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    const reason = redactSecret((error as Error).message || (error as { code?: string }).code || String(error), password);
    throw new EngineError(`cannot connect to ${redact(url)}: ${reason}`, (error as { code?: string }).code);
  }
}

/** Whether the scratch database is gone. */
async function dropDatabase(admin: pg.Client, name: string): Promise<boolean> {
  // PG 13+: FORCE ends sessions left behind by a crashed run; older servers do not know it.
  return admin
    .query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    .catch(() => admin.query(`DROP DATABASE IF EXISTS "${name}"`))
    .then(
      () => true,
      () => false,
    );
}

/** The password to keep out of messages: the URL's, else the one node-postgres takes from PGPASSWORD. */
function passwordOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.password ? decodeURIComponent(parsed.password) : process.env.PGPASSWORD || undefined;
  } catch {
    return undefined;
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export class ServerEngine implements Engine {
  readonly kind = 'server' as const;
  private cachedVersion?: EngineVersion;

  constructor(
    private readonly client: pg.Client,
    readonly description: string,
    private readonly password: string | undefined,
    private readonly onClose?: () => Promise<void>,
    /** Put before every statement sent (OWN_STATEMENT_TAG on live read-only sessions). */
    private readonly tag = '',
  ) {}

  query<Row>(sql: string, params?: unknown[]): Promise<QueryResult<Row>> {
    return this.run<Row>(sql, params);
  }

  async exec(sql: string): Promise<void> {
    await this.run(sql, undefined);
  }

  simpleQuery<Row>(sql: string): Promise<QueryResult<Row>> {
    // pg sends a query without parameters through the simple protocol.
    return this.run<Row>(sql, undefined);
  }

  private async run<Row>(sql: string, params: unknown[] | undefined): Promise<QueryResult<Row>> {
    if (!this.tag) return runQuery<Row>(this.client, sql, params, this.password);
    return runQuery<Row>(this.client, this.tag + sql, params, this.password).catch((error) => {
      throw error instanceof ConnectionLostError ? error : shiftedError(error, this.tag.length);
    });
  }

  /** Every result of a multi-statement string, in order. */
  async results(sql: string): Promise<Array<QueryResult<Record<string, unknown>>>> {
    try {
      const result = await this.client.query(sql);
      return (Array.isArray(result) ? result : [result]).map((r) => ({ rows: r.rows ?? [], affectedRows: r.rowCount ?? undefined }));
    } catch (error) {
      throw serverError(error, this.password);
    }
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    await this.exec('BEGIN');
    try {
      const result = await fn(this);
      await this.exec('COMMIT');
      return result;
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => {});
      throw toEngineError(error);
    }
  }

  async version(): Promise<EngineVersion> {
    if (!this.cachedVersion) {
      const { rows } = await this.query<{ num: string; text: string }>("select current_setting('server_version_num') as num, current_setting('server_version') as text");
      const num = Number(rows[0].num);
      this.cachedVersion = { num, major: Math.floor(num / 10000), text: `PostgreSQL ${rows[0].text}` };
    }
    return this.cachedVersion;
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
    await this.onClose?.();
  }
}

/**
 * A driver error as an EngineError with the password redacted; a broken connection (node-postgres
 * has no SQLSTATE for it; the server sends 57P01–57P03 as it shuts down) as ConnectionLostError.
 */
function serverError(error: unknown, password: string | undefined): EngineError {
  const e = toEngineError(error);
  const message = redactSecret(e.message, password);
  if (/^57P0[123]$/.test(e.code ?? '') || (!/^[0-9A-Z]{5}$/.test(e.code ?? '') && /Connection terminated|connection error|not queryable|ECONNRESET|EPIPE|ECONNREFUSED/.test(message))) {
    return new ConnectionLostError(message);
  }
  return new EngineError(message, e.code, e.position, e.detail, e.hint);
}

async function runQuery<Row>(client: pg.Client, sql: string, params: unknown[] | undefined, password: string | undefined): Promise<QueryResult<Row>> {
  try {
    // Without parameters use the simple protocol, which accepts several statements in one string.
    const result = params ? await client.query(sql, params) : await client.query(sql);
    const last = Array.isArray(result) ? result[result.length - 1] : result;
    return { rows: (last?.rows ?? []) as Row[], affectedRows: last?.rowCount ?? undefined };
  } catch (error) {
    throw serverError(error, password);
  }
}
