// A server scratch that changes nothing outside its scratch database.
//
// Roles, memberships, role and database settings, database ACLs and tablespaces belong to the whole
// server, not to the scratch database, so creating and dropping a database does not contain them. The
// scratch therefore runs everything — the user's SQL and pgarch's own reads — inside ONE transaction of
// its own, which is rolled back when the run ends (or when the connection drops, if pgarch is killed):
//
// * Role and database DDL (CREATE/ALTER/DROP ROLE, GRANT role, ALTER ROLE … SET, GRANT … ON DATABASE,
//   COMMENT ON ROLE, …) is transactional in PostgreSQL, so it runs, later statements see it, and it is
//   rolled back at the end — including when done through dynamic SQL in DO blocks and functions.
// * What cannot run in a transaction is cluster-wide (CREATE DATABASE, ALTER SYSTEM, tablespaces,
//   VACUUM) and is not executed: PostgreSQL refuses it in DO blocks and functions as well.
// * The migrations' own transactions become savepoints, with PostgreSQL's semantics emulated: an error
//   aborts the block until its end, COMMIT of an aborted block rolls back, deferred constraints are
//   checked at COMMIT, SET LOCAL ends with the block, ON COMMIT DROP tables go at commit, LOCK and
//   SAVEPOINT need a block. CONCURRENTLY runs as its plain form (the same catalog effect).
// * Every statement runs behind a savepoint (the "guard"), so one failure never aborts the scratch.
// * Holding every lock of a long history in one transaction would exhaust the server's shared lock
//   table (~2,100 tables at the default max_locks_per_transaction): at statement boundaries where no
//   migration transaction is open, the scratch COMMITs its work — but only when this transaction has
//   written nothing to a shared catalog and its view of them equals another session's.
import { loadParser } from '../sql/parse.js';
import { quoteIdent } from '../sql/quote.js';
import { callsAny, walkNodes } from '../sql/tree.js';
import { decide, sandboxActions, statementsOf, type SandboxAction } from './sandbox-statements.js';
import { ConnectionLostError, EngineError, NotExecutedError, toEngineError, type Engine, type EngineVersion, type Queryable, type QueryResult } from './types.js';

/** What the sandbox needs of the session it runs in: every result of a multi-statement string. */
export interface ScratchSession extends Engine {
  results(sql: string): Promise<Array<QueryResult<Record<string, unknown>>>>;
}

const GUARD = 'pgarch_guard';
const USER_TX = 'pgarch_user_tx';
const DEFERRED = 'pgarch_deferred';
const INTERNAL = 'pgarch_internal';
/** The savepoints the sandbox itself uses: a user's of the same name would move them. */
const RESERVED_SAVEPOINT = /^(pgarch_guard|pgarch_user_tx|pgarch_deferred|pgarch_internal_\d+)$/i;
const REFRESH_GUARD = `RELEASE SAVEPOINT ${GUARD}; SAVEPOINT ${GUARD}`;
const REFRESH_STATEMENTS = 2;
// Fire pending deferred constraint checks now, as a COMMIT would, then restore their pending state
// (rolling back a subtransaction un-marks the events it fired).
const CHECK_DEFERRED = `SAVEPOINT ${DEFERRED}; SET CONSTRAINTS ALL IMMEDIATE; ROLLBACK TO SAVEPOINT ${DEFERRED}; RELEASE SAVEPOINT ${DEFERRED}`;
const CHECK_DEFERRED_STATEMENTS = 4;
const BEGIN_SCRATCH = `BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE; SAVEPOINT ${GUARD}`;
/** Statements between attempts to commit the scratch's work (each attempt costs two small queries). */
const COMMIT_EVERY = 200;

// Writes this transaction made to shared catalogs (pg_shdepend excluded: its rows for objects of the
// scratch database go with it; a shared object's dependencies change only with a write elsewhere).
const SHARED_WRITES = `select coalesce(sum(s.n_tup_ins + s.n_tup_upd + s.n_tup_del), 0)::int8 as writes
  from pg_stat_xact_sys_tables s join pg_class c on c.oid = s.relid
 where c.relisshared and c.relname <> 'pg_shdepend'`;

/** The cluster-wide catalogs as text, to compare this session's view with another session's. */
function fingerprintSql(readsAuthid: boolean, major: number): string {
  const parts = [
    readsAuthid ? `select 'role ' || a::text from pg_authid a` : `select 'role ' || r::text from pg_roles r`,
    `select 'member ' || m::text from pg_auth_members m`,
    `select 'setting ' || s::text from pg_db_role_setting s`,
    // Other runs' scratch databases come and go; the frozen-xid columns move with VACUUM.
    `select 'database ' || concat_ws(' ', datname, datdba, encoding, datistemplate, datallowconn, datconnlimit, dattablespace, datacl::text) from pg_database where datname not like 'pgarch\\_scratch\\_%'`,
    `select 'tablespace ' || t::text from pg_tablespace t`,
    `select 'comment ' || d::text from pg_shdescription d`,
    `select 'label ' || l::text from pg_shseclabel l`,
    ...(major >= 15 ? [`select 'parameter ' || p::text from pg_parameter_acl p`] : []),
  ];
  return `select md5(string_agg(x, E'\\n' order by x)) as fingerprint from (${parts.join(' union all ')}) q(x)`;
}

interface UserTransaction {
  aborted: boolean;
  /** Every setting as the block began: what SET LOCAL and set_config(…, true) changed is restored at COMMIT. */
  settings: Map<string, string>;
  /** Settings the block SET (or RESET) for the session: they outlive it. */
  sessionSets: Set<string>;
  /** ON COMMIT DROP temporary tables created in it. */
  drops: string[];
}

const aborted = () => new EngineError('current transaction is aborted, commands ignored until end of transaction block', '25P02');

export class SandboxEngine implements Engine {
  readonly kind = 'server' as const;
  private userTx?: UserTransaction;
  /** Depth of pgarch's own transaction() calls. */
  private internal = 0;
  private sinceCommit = 0;
  /** ALTER TYPE … ADD VALUE ran: PostgreSQL lets nobody use the value before a commit. */
  private commitSoon = false;
  private readonly readOnlyCache = new Map<string, boolean>();
  /** This transaction wrote to a shared catalog: it never commits again. */
  private outsideChanged = false;

  private constructor(
    private readonly session: ScratchSession,
    private readonly admin: Queryable,
    private readonly major: number,
  ) {}

  static async open(session: ScratchSession, admin: Queryable): Promise<SandboxEngine> {
    await loadParser();
    const major = (await session.version()).major;
    await session.exec(BEGIN_SCRATCH);
    return new SandboxEngine(session, admin, major);
  }

  get description(): string {
    return this.session.description;
  }

  version(): Promise<EngineVersion> {
    return this.session.version();
  }

  async exec(sql: string): Promise<void> {
    await this.script(sql);
  }

  simpleQuery<Row>(sql: string): Promise<QueryResult<Row>> {
    return this.script(sql) as Promise<QueryResult<Row>>;
  }

  async query<Row>(sql: string, params?: unknown[]): Promise<QueryResult<Row>> {
    if (!this.isReadOnly(sql)) {
      if (!params?.length) return this.script(sql) as Promise<QueryResult<Row>>;
      // With parameters it is one statement (extended protocol): refused as a script's would be.
      const refused = sandboxActions(sql).find((a) => a.kind === 'refuse');
      if (refused?.kind === 'refuse') throw new NotExecutedError(refused.reason, refused.severity);
      // A write: keep it behind a fresh guard.
      const result = await this.guarded(() => this.session.query<Row>(sql, params));
      await this.guarded(() => this.session.exec(REFRESH_GUARD));
      return result;
    }
    // Reads need no new guard: if one fails, rolling back to the last guard loses nothing.
    return this.guarded(() => this.session.query<Row>(sql, params));
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const name = `${INTERNAL}_${this.internal}`;
    await this.session.exec(`RELEASE SAVEPOINT ${GUARD}; SAVEPOINT ${name}; SAVEPOINT ${GUARD}`);
    this.internal++;
    try {
      const result = await fn(this);
      this.internal--;
      await this.session.exec(`RELEASE SAVEPOINT ${name}; SAVEPOINT ${GUARD}`);
      return result;
    } catch (error) {
      this.internal--;
      await this.session.exec(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}; SAVEPOINT ${GUARD}`);
      throw toEngineError(error);
    }
  }

  /**
   * Make the work so far permanent in the scratch database, releasing its locks, if that changes
   * nothing outside it: no migration transaction open, no write to a shared catalog in this transaction,
   * and the cluster-wide catalogs as this session sees them equal to what another session sees.
   */
  async checkpoint(): Promise<boolean> {
    if (this.userTx || this.internal || this.outsideChanged) return false;
    this.sinceCommit = 0;
    const outside = await this.outsideState();
    // Shared-catalog writes stay until the end: checking again would only cost time. A view that
    // differs may be a concurrent change elsewhere: the next attempt looks again.
    if (outside === 'written') this.outsideChanged = true;
    if (outside !== 'unchanged') return false;
    try {
      await this.guarded(() => this.session.exec(`${CHECK_DEFERRED}; COMMIT; ${BEGIN_SCRATCH}`));
    } catch (error) {
      if ((error as EngineError).code === '08006') throw error;
      return false;
    }
    this.commitSoon = false;
    return true;
  }

  async close(): Promise<void> {
    // Closing the connection rolls the transaction back; the session's close drops the database.
    await this.session.exec('ROLLBACK').catch(() => {});
    await this.session.close();
  }

  /** A script of one or more statements, as the simple query protocol would run it. */
  private async script(sql: string): Promise<QueryResult<Record<string, unknown>>> {
    const actions = sandboxActions(sql);
    if (actions.length === 1) return this.act(actions[0]);
    // The common case: nothing to emulate, so the text goes as it is (one implicit block, as PostgreSQL runs it).
    // A session SET needs tracking only inside a migration's block.
    const plain = (a: SandboxAction) => isPlain(a) || (a.kind === 'run' && !this.userTx && isPlain({ ...a, setSession: undefined }));
    if (actions.every(plain)) return this.run({ kind: 'run', sql, dml: actions.some((a) => a.kind === 'run' && a.dml) }, actions.length);
    const each = async () => {
      let last: QueryResult<Record<string, unknown>> = { rows: [] };
      for (const action of actions) last = await this.act(action);
      return last;
    };
    // Statements one by one, still as one implicit block: a failure undoes the ones before it.
    if (!this.userTx && actions.every((a) => a.kind === 'run' || a.kind === 'skip')) return this.transaction(each);
    return each();
  }

  private act(a: SandboxAction): Promise<QueryResult<Record<string, unknown>>> {
    switch (a.kind) {
      case 'run':
        return this.run(a, 1);
      case 'begin':
        return this.begin();
      case 'commit':
        return this.commit(a.chain);
      case 'rollback':
        return this.rollback(a.chain);
      case 'savepoint':
      case 'release':
      case 'rollbackTo':
        return this.userSavepoint(a.kind, a.name);
      case 'skip':
        return Promise.resolve({ rows: [] });
      case 'refuse':
        return Promise.reject(new NotExecutedError(a.reason, a.severity));
    }
  }

  private async run(a: Extract<SandboxAction, { kind: 'run' }>, statements: number): Promise<QueryResult<Record<string, unknown>>> {
    const tx = this.userTx;
    if (tx?.aborted) throw aborted();
    if (a.onlyInBlock && !tx) throw new EngineError(a.onlyInBlock, '25P01');
    if (a.neverInBlock && tx) {
      tx.aborted = true;
      throw new EngineError(a.neverInBlock, '25001');
    }
    // Outside a transaction block SET LOCAL has no effect (PostgreSQL warns).
    if (a.setLocal && !tx) return { rows: [] };
    if (a.setSession && tx) tx.sessionSets.add(a.setSession.toLowerCase());
    const autocommit = !tx && this.internal === 0;
    // set_config(…, true) outside a block lasts for its statement's own transaction only.
    const localBefore = autocommit && a.setsLocalConfig ? await this.settingsNow() : undefined;
    const checkDeferred = a.dml && autocommit;
    // A newline first: the statement may end in a line comment.
    const results = await this.guarded(() => this.session.results(`${a.sql}\n;\n${checkDeferred ? `${CHECK_DEFERRED}; ` : ''}${REFRESH_GUARD}`), true).catch((error: EngineError) => {
      throw autocommit ? asOutsideBlock(error, a) : error;
    });
    const own = results[results.length - 1 - REFRESH_STATEMENTS - (checkDeferred ? CHECK_DEFERRED_STATEMENTS : 0)] ?? { rows: [] };
    this.sinceCommit += statements;
    if (a.addsEnumValue) this.commitSoon = true;
    if (a.onCommitDrop) {
      if (tx) tx.drops.push(a.onCommitDrop);
      else if (this.internal === 0) await this.dropTemporary([a.onCommitDrop]);
    }
    if (localBefore) await this.restoreSettings(localBefore, new Set());
    if (autocommit) await this.committed();
    return own;
  }

  /** Every setting's current value (role included, which pg_settings does not show). */
  private async settingsNow(): Promise<Map<string, string>> {
    const { rows } = await this.query<{ name: string; setting: string }>(
      "select name, setting from pg_catalog.pg_settings where context in ('user', 'superuser') union all select 'role', current_setting('role')",
    );
    return new Map(rows.map((r) => [r.name, r.setting]));
  }

  /**
   * Put back what changed since `before`, except settings set for the session meanwhile. The role first:
   * while a lesser role is current, superuser settings read differently and cannot be set.
   */
  private async restoreSettings(before: Map<string, string>, sessionSets: Set<string>): Promise<void> {
    let now = await this.settingsNow();
    const role = before.get('role');
    if (role !== undefined && now.get('role') !== role && !sessionSets.has('role')) {
      await this.query('select set_config($1, $2, false)', ['role', role]);
      now = await this.settingsNow();
    }
    for (const [name, value] of before) {
      if (now.get(name) !== value && !sessionSets.has(name)) await this.query('select set_config($1, $2, false)', [name, value]).catch(() => {});
    }
  }

  private async begin(): Promise<QueryResult<Record<string, unknown>>> {
    // BEGIN inside a block: PostgreSQL warns and carries on.
    if (this.userTx) return { rows: [] };
    const settings = await this.settingsNow();
    await this.session.exec(`RELEASE SAVEPOINT ${GUARD}; SAVEPOINT ${USER_TX}; SAVEPOINT ${GUARD}`);
    this.userTx = { aborted: false, settings, sessionSets: new Set(), drops: [] };
    return { rows: [] };
  }

  private async commit(chain: boolean): Promise<QueryResult<Record<string, unknown>>> {
    const tx = this.userTx;
    if (!tx) return { rows: [] }; // PostgreSQL warns: there is no transaction in progress
    // COMMIT of an aborted block rolls it back, without an error.
    if (tx.aborted) return this.rollback(chain);
    try {
      await this.session.exec(`${CHECK_DEFERRED}; RELEASE SAVEPOINT ${USER_TX}; SAVEPOINT ${GUARD}`);
    } catch (error) {
      // A deferred constraint failed: COMMIT fails and the block is rolled back.
      await this.session.exec(`ROLLBACK TO SAVEPOINT ${USER_TX}; RELEASE SAVEPOINT ${USER_TX}; SAVEPOINT ${GUARD}`);
      this.userTx = undefined;
      throw toEngineError(error);
    }
    this.userTx = undefined;
    // What SET LOCAL and set_config(…, true) changed ends with the block; the scratch's transaction goes on.
    await this.restoreSettings(tx.settings, tx.sessionSets);
    await this.dropTemporary(tx.drops);
    await this.committed();
    if (chain) await this.begin();
    return { rows: [] };
  }

  private async rollback(chain: boolean): Promise<QueryResult<Record<string, unknown>>> {
    if (!this.userTx) return { rows: [] }; // PostgreSQL warns: there is no transaction in progress
    await this.session.exec(`ROLLBACK TO SAVEPOINT ${USER_TX}; RELEASE SAVEPOINT ${USER_TX}; SAVEPOINT ${GUARD}`);
    this.userTx = undefined;
    await this.committed();
    if (chain) await this.begin();
    return { rows: [] };
  }

  private async userSavepoint(kind: 'savepoint' | 'release' | 'rollbackTo', name: string): Promise<QueryResult<Record<string, unknown>>> {
    const tx = this.userTx;
    const command = { savepoint: 'SAVEPOINT', release: 'RELEASE SAVEPOINT', rollbackTo: 'ROLLBACK TO SAVEPOINT' }[kind];
    if (!tx) throw new EngineError(`${command} can only be used in transaction blocks`, '25P01');
    if (tx.aborted && kind !== 'rollbackTo') throw aborted();
    if (RESERVED_SAVEPOINT.test(name)) throw new EngineError(`savepoint ${name} is the scratch's own: rename it`, '42602');
    const sql =
      kind === 'savepoint'
        ? `RELEASE SAVEPOINT ${GUARD}; SAVEPOINT ${quoteIdent(name)}; SAVEPOINT ${GUARD}`
        : `${command} ${quoteIdent(name)}; SAVEPOINT ${GUARD}`;
    await this.guarded(() => this.session.exec(sql), true);
    if (kind === 'rollbackTo') tx.aborted = false;
    return { rows: [] };
  }

  /** After a statement outside any block (its own transaction in PostgreSQL), or at a block's end. */
  private async committed(): Promise<void> {
    if (this.commitSoon || this.sinceCommit >= COMMIT_EVERY) await this.checkpoint();
  }

  private async dropTemporary(tables: string[]): Promise<void> {
    for (const table of tables) await this.exec(`DROP TABLE IF EXISTS pg_temp.${quoteIdent(table)}`);
  }

  /**
   * Run one round trip; when it fails, roll back to the guard so the scratch's transaction lives on.
   * A user statement's failure also aborts the migration's block, as in PostgreSQL.
   */
  private async guarded<T>(send: () => Promise<T>, userStatement = false): Promise<T> {
    try {
      return await send();
    } catch (error) {
      try {
        await this.session.exec(`ROLLBACK TO SAVEPOINT ${GUARD}`);
      } catch (rollbackError) {
        if (rollbackError instanceof ConnectionLostError) throw rollbackError;
        if (error instanceof ConnectionLostError) throw error;
        throw new EngineError(`the scratch database's transaction was lost (${toEngineError(rollbackError).message}); the run cannot go on`, '08006');
      }
      if (userStatement && this.userTx && this.internal === 0) this.userTx.aborted = true;
      throw toEngineError(error);
    }
  }

  /** Whether this transaction wrote to a shared catalog, or sees the cluster-wide catalogs differently from another session. */
  private async outsideState(): Promise<'written' | 'differs' | 'unchanged'> {
    try {
      const writes = await this.query<{ writes: string }>(SHARED_WRITES);
      if (Number(writes.rows[0]?.writes ?? 0) > 0) return 'written';
      const { rows } = await this.query<{ can: boolean }>("select has_table_privilege('pg_catalog.pg_authid', 'SELECT') as can");
      const sql = fingerprintSql(Boolean(rows[0]?.can), this.major);
      const [ours, theirs] = [await this.query<{ fingerprint: string }>(sql), await this.admin.query<{ fingerprint: string }>(sql)];
      return ours.rows[0]?.fingerprint === theirs.rows[0]?.fingerprint ? 'unchanged' : 'differs';
    } catch {
      return 'differs';
    }
  }

  /** A plain SELECT that writes nothing: it can fail without a guard of its own. */
  private isReadOnly(sql: string): boolean {
    let readOnly = this.readOnlyCache.get(sql);
    if (readOnly === undefined) {
      readOnly = isReadOnlySelect(sql);
      if (this.readOnlyCache.size >= 1000) this.readOnlyCache.clear();
      this.readOnlyCache.set(sql, readOnly);
    }
    return readOnly;
  }
}

/**
 * The error PostgreSQL would give outside the scratch's transaction, for a statement outside any block.
 * A procedure or DO block that COMMITs would work there: the scratch cannot let its transaction end.
 * A statement that refuses a transaction block can only have come from inside a function or DO block
 * (top-level ones run as their transactional form, or not at all), and PostgreSQL would say so.
 */
function asOutsideBlock(error: EngineError, a: Extract<SandboxAction, { kind: 'run' }>): EngineError {
  if (a.mayEndTransaction && error.code === '2D000') {
    return new NotExecutedError('commits or rolls back inside a procedure or DO block, which cannot happen inside the scratch’s one transaction', 'warning');
  }
  const suffix = ' cannot run inside a transaction block';
  if (error.code !== '25001' || !error.message.endsWith(suffix)) return error;
  return new EngineError(`${error.message.slice(0, -suffix.length)} cannot be executed from a function`, error.code, error.position, error.detail, error.hint);
}

function isPlain(a: SandboxAction): boolean {
  return a.kind === 'run' && !a.setLocal && !a.setSession && !a.setsLocalConfig && !a.onCommitDrop && !a.addsEnumValue && !a.onlyInBlock && !a.neverInBlock && !a.mayEndTransaction;
}

// Functions that change session or sequence state even inside a SELECT.
const WRITING_FUNCTIONS = new Set(['set_config', 'nextval', 'setval', 'pg_advisory_lock', 'pg_advisory_xact_lock', 'pg_try_advisory_lock', 'pg_try_advisory_xact_lock', 'lo_create', 'lo_unlink']);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyNode = Record<string, any>;

/** One SELECT that neither writes rows nor calls a function that changes session or sequence state. */
function isReadOnlySelect(sql: string): boolean {
  const stmts = statementsOf(sql);
  if (stmts?.length !== 1) return false;
  const { node, text } = stmts[0];
  const select = node.SelectStmt as AnyNode | undefined;
  if (!select || select.intoClause || select.lockingClause || !isPlain(decide(node, text))) return false;
  let writes = false;
  walkNodes(select, (n) => {
    if (n.InsertStmt || n.UpdateStmt || n.DeleteStmt || n.MergeStmt) writes = true;
  });
  return !writes && !callsAny(select, WRITING_FUNCTIONS);
}
