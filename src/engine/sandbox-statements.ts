// What a server scratch does with each statement of the SQL it is given. The scratch runs everything
// inside one transaction of its own (see sandbox.ts), so statements that control transactions are
// emulated with savepoints, statements that refuse a transaction block are replaced by their
// transactional equivalent (same catalog effect) or not executed, and statements whose effect would
// escape any transaction (server files, programs, other connections, cluster-wide functions) are not
// executed. Decided from the real parse tree, never from the text.
import { parsePlPgSQLSync, parseSync, scanSync } from '../sql/pg-parser.js';
import { calledName, walkNodes } from '../sql/tree.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyNode = Record<string, any>;

export type SandboxAction =
  | {
      kind: 'run';
      /** The text to send: the statement itself, or its transactional equivalent of the same length. */
      sql: string;
      /** Writes rows (so deferred constraint checks may be pending at its end). */
      dml: boolean;
      /** `SET LOCAL name`: lasts until the end of the (emulated) transaction. */
      setLocal?: string;
      /** `SET name` / `RESET name` for the session: survives the end of the block it is in. */
      setSession?: string;
      /** Calls set_config(…, …, true): a setting that lasts until the end of its transaction. */
      setsLocalConfig?: boolean;
      /** A temporary table dropped at the end of its transaction. */
      onCommitDrop?: string;
      /** ALTER TYPE … ADD VALUE: the value is usable only after a real commit. */
      addsEnumValue?: boolean;
      /** PostgreSQL's error when this runs outside a transaction block (LOCK, DECLARE CURSOR). */
      onlyInBlock?: string;
      /** PostgreSQL's error when this runs inside one (CONCURRENTLY, DISCARD ALL). */
      neverInBlock?: string;
      /** CALL or DO: its body may COMMIT or ROLLBACK, which only works outside a transaction block. */
      mayEndTransaction?: boolean;
    }
  | { kind: 'begin' }
  | { kind: 'commit'; chain: boolean }
  | { kind: 'rollback'; chain: boolean }
  | { kind: 'savepoint' | 'release' | 'rollbackTo'; name: string }
  /** No effect a scratch can show (SET TRANSACTION …): skipped silently, as PostgreSQL's own no-op warnings are. */
  | { kind: 'skip' }
  | { kind: 'refuse'; reason: string; severity: 'info' | 'warning' };

/**
 * Functions whose effect is on the whole server or outside it, never on the scratch's catalog; each
 * reason reads after "this statement calls name(), which …".
 */
const CLUSTER_FUNCTIONS: Record<string, string> = {
  pg_reload_conf: 'reloads the configuration of the whole server',
  pg_rotate_logfile: 'rotates the server log',
  pg_terminate_backend: 'ends another session on the server',
  pg_cancel_backend: 'cancels a query of another session on the server',
  pg_promote: 'promotes a standby server',
  pg_switch_wal: 'switches the server to a new WAL file',
  pg_create_restore_point: 'writes a restore point into the server WAL',
  pg_backup_start: 'starts a backup of the whole server',
  pg_backup_stop: 'stops a backup of the whole server',
  pg_start_backup: 'starts a backup of the whole server',
  pg_stop_backup: 'stops a backup of the whole server',
  pg_create_physical_replication_slot: 'creates a replication slot, which is server-wide and not transactional',
  pg_create_logical_replication_slot: 'creates a replication slot, which is server-wide and not transactional',
  pg_drop_replication_slot: 'drops a replication slot, which is server-wide and not transactional',
  pg_copy_physical_replication_slot: 'copies a replication slot, which is server-wide and not transactional',
  pg_copy_logical_replication_slot: 'copies a replication slot, which is server-wide and not transactional',
  pg_replication_slot_advance: 'advances a server-wide replication slot',
  pg_replication_origin_create: 'creates a server-wide replication origin',
  pg_replication_origin_drop: 'drops a server-wide replication origin',
  pg_replication_origin_advance: 'advances a server-wide replication origin',
  pg_replication_origin_session_setup: 'binds this session to a server-wide replication origin',
  pg_wal_replay_pause: 'pauses WAL replay on the server',
  pg_wal_replay_resume: 'resumes WAL replay on the server',
  pg_stat_reset_shared: 'resets server-wide statistics',
  pg_stat_reset_slru: 'resets server-wide statistics',
  pg_stat_reset_replication_slot: 'resets server-wide statistics',
  pg_stat_reset_subscription_stats: 'resets server-wide statistics',
  pg_stat_statements_reset: 'resets the statistics of every database on the server',
  pg_log_backend_memory_contexts: 'makes another session write to the server log',
  lo_import: 'reads a file of the server into a large object',
  lo_export: 'writes a file on the server',
  pg_file_write: 'writes a file on the server',
  pg_file_rename: 'renames a file on the server',
  pg_file_unlink: 'deletes a file on the server',
  pg_file_sync: 'syncs a file on the server',
  pg_logdir_ls: 'lists the server log directory',
};

/** Extensions whose objects open connections of their own or reach the server's files and programs (reads after "extension x …"). */
const ESCAPING_EXTENSIONS: Record<string, string> = {
  dblink: 'opens connections of its own, whose work no scratch transaction can contain',
  postgres_fdw: 'opens connections of its own, whose work no scratch transaction can contain',
  file_fdw: 'reads server files and runs server programs',
  adminpack: 'writes server files',
  plpython3u: 'runs untrusted Python with the server’s operating-system rights',
  plpythonu: 'runs untrusted Python with the server’s operating-system rights',
  plpython2u: 'runs untrusted Python with the server’s operating-system rights',
  plperlu: 'runs untrusted Perl with the server’s operating-system rights',
  pltclu: 'runs untrusted Tcl with the server’s operating-system rights',
};

/** Statements that only store expressions for later: a call in them runs when they are used, not now. */
const DEFINES_ONLY = new Set(['CreateFunctionStmt', 'ViewStmt', 'RuleStmt', 'CreatePolicyStmt', 'AlterPolicyStmt', 'CreateTrigStmt']);

const UNTRUSTED_LANGUAGES = new Set(['c', 'plpython3u', 'plpythonu', 'plpython2u', 'plperlu', 'pltclu']);

/**
 * Statement kinds that change what other databases, the server's files or its configuration hold, and
 * that PostgreSQL refuses inside a transaction block and inside functions anyway. Reasons read after
 * "this statement …".
 */
const CLUSTER_STATEMENTS: Record<string, string> = {
  CreatedbStmt: 'creates a database: databases belong to the whole server, outside the scratch',
  DropdbStmt: 'drops a database: databases belong to the whole server, outside the scratch',
  AlterSystemStmt: 'changes postgresql.auto.conf, the configuration of the whole server',
  CreateTableSpaceStmt: 'creates a tablespace: a directory of the server, shared by every database',
  DropTableSpaceStmt: 'drops a tablespace, shared by every database',
  CreateSubscriptionStmt: 'creates a subscription, which connects to another server',
  AlterSubscriptionStmt: 'changes a subscription, which connects to another server',
  DropSubscriptionStmt: 'drops a subscription, which connects to another server',
};
const NOT_IN_TRANSACTION = 'cannot run inside the scratch’s transaction, and changes no schema';

/**
 * The statements of a SQL string with their own text (each statement's bytes of the UTF-8 text), or
 * undefined when it does not parse. Requires the parser module to be loaded.
 */
export function statementsOf(sql: string): Array<{ node: AnyNode; text: string }> | undefined {
  let stmts: Array<{ stmt?: AnyNode; stmt_location?: number; stmt_len?: number }>;
  try {
    stmts = parseSync(sql).stmts ?? [];
  } catch {
    return undefined;
  }
  if (stmts.length <= 1) return [{ node: stmts[0]?.stmt ?? {}, text: sql }];
  const bytes = Buffer.from(sql);
  return stmts.map((s) => {
    const start = s.stmt_location ?? 0;
    return { node: s.stmt ?? {}, text: bytes.subarray(start, s.stmt_len ? start + s.stmt_len : bytes.length).toString() };
  });
}

/**
 * Split a SQL string into statements and decide each one. Text that does not parse is sent as it is:
 * the server reports the syntax error itself.
 */
export function sandboxActions(sql: string): SandboxAction[] {
  const stmts = statementsOf(sql);
  return stmts ? stmts.map((s) => decide(s.node, s.text)) : [{ kind: 'run', sql, dml: true }];
}

/** The action for one parsed statement whose text is `text`. */
export function decide(node: AnyNode, text: string): SandboxAction {
  const kind = Object.keys(node)[0] ?? '';
  const n = (node[kind] ?? {}) as AnyNode;
  const run = (extra: Partial<Extract<SandboxAction, { kind: 'run' }>> = {}): SandboxAction => ({ kind: 'run', sql: text, dml: false, ...extra });

  if (kind === 'TransactionStmt') return transactionAction(n);
  if (CLUSTER_STATEMENTS[kind]) return { kind: 'refuse', reason: CLUSTER_STATEMENTS[kind], severity: 'info' };

  const escaping = escapes(kind, n) ?? (DEFINES_ONLY.has(kind) ? undefined : escapingCall(node));
  if (escaping) return { kind: 'refuse', ...escaping };

  switch (kind) {
    case 'VariableSetStmt': {
      // SET TRANSACTION / transaction_* act on the scratch's own transaction, which the migration does not own.
      if (n.name === 'TRANSACTION' || /^transaction_/.test(n.name ?? '')) return { kind: 'skip' };
      return n.is_local ? run({ setLocal: n.name }) : run({ setSession: n.name });
    }
    case 'VacuumStmt':
      // ANALYZE alone runs in a transaction; VACUUM never does, and changes no catalog a lint reads.
      return n.is_vacuumcmd ? { kind: 'refuse', reason: `is a VACUUM, which ${NOT_IN_TRANSACTION}`, severity: 'info' } : run();
    case 'ClusterStmt':
      return n.relation ? run() : { kind: 'refuse', reason: `clusters every table, which ${NOT_IN_TRANSACTION}`, severity: 'info' };
    case 'ReindexStmt':
      if (n.kind === 'REINDEX_OBJECT_SCHEMA' || n.kind === 'REINDEX_OBJECT_DATABASE' || n.kind === 'REINDEX_OBJECT_SYSTEM') {
        return { kind: 'refuse', reason: `reindexes a whole schema or database, which ${NOT_IN_TRANSACTION}`, severity: 'info' };
      }
      return isConcurrent(n.params) ? run({ sql: withoutConcurrently(text, true), neverInBlock: 'REINDEX CONCURRENTLY cannot run inside a transaction block' }) : run();
    case 'IndexStmt':
      return n.concurrent ? run({ sql: withoutConcurrently(text, false), neverInBlock: 'CREATE INDEX CONCURRENTLY cannot run inside a transaction block' }) : run();
    case 'DropStmt':
      return n.concurrent ? run({ sql: withoutConcurrently(text, false), neverInBlock: 'DROP INDEX CONCURRENTLY cannot run inside a transaction block' }) : run();
    case 'AlterTableStmt': {
      const detach = (n.cmds ?? []).map((c: AnyNode) => c.AlterTableCmd?.def?.PartitionCmd).find((p: AnyNode | undefined) => p?.concurrent || p?.finalize);
      if (detach?.finalize) return { kind: 'refuse', reason: 'finishes a concurrent DETACH PARTITION, which the scratch ran as a plain one', severity: 'info' };
      if (detach?.concurrent) return run({ sql: withoutConcurrently(text, false), neverInBlock: 'ALTER TABLE ... DETACH CONCURRENTLY cannot run inside a transaction block' });
      return run();
    }
    case 'AlterDatabaseStmt':
      return (n.options ?? []).some((o: AnyNode) => o.DefElem?.defname === 'tablespace')
        ? { kind: 'refuse', reason: 'moves a database to another tablespace: databases belong to the whole server', severity: 'info' }
        : run();
    case 'CopyStmt':
      return run({ dml: Boolean(n.is_from) });
    case 'DiscardStmt':
      return n.target === 'DISCARD_ALL' ? run({ sql: DISCARD_ALL, neverInBlock: 'DISCARD ALL cannot run inside a transaction block' }) : run();
    case 'LockStmt':
      return run({ onlyInBlock: 'LOCK TABLE can only be used in transaction blocks' });
    case 'DeclareCursorStmt':
      // CURSOR_OPT_HOLD (0x20): a WITH HOLD cursor outlives its transaction.
      return (n.options ?? 0) & 0x20 ? run() : run({ onlyInBlock: 'DECLARE CURSOR can only be used in transaction blocks' });
    case 'AlterEnumStmt':
      return n.newVal ? run({ addsEnumValue: true }) : run();
    case 'CreateStmt':
      return n.relation?.relpersistence === 't' && n.oncommit === 'ONCOMMIT_DROP' ? run({ onCommitDrop: n.relation.relname }) : run();
    case 'CreateTableAsStmt':
      return n.into?.rel?.relpersistence === 't' && n.into?.onCommit === 'ONCOMMIT_DROP' ? run({ onCommitDrop: n.into.rel.relname, dml: true }) : run({ dml: true });
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt':
    case 'DoStmt':
    case 'CallStmt':
      return run({ dml: true, mayEndTransaction: true });
    case 'SelectStmt':
      return run({ dml: true, ...(setsLocalConfig(node) ? { setsLocalConfig: true } : {}) });
    case 'ExecuteStmt':
    case 'ExplainStmt':
      return run({ dml: true });
    default:
      return run();
  }
}

/**
 * What escapes any transaction, at the top level or inside a DO block: server files and programs,
 * connections of their own, code with the server's operating-system rights.
 */
function escapes(kind: string, n: AnyNode): { reason: string; severity: 'info' | 'warning' } | undefined {
  switch (kind) {
    case 'CopyStmt':
      if (n.is_program) return { reason: 'runs a program on the server (COPY … PROGRAM), outside any transaction', severity: 'warning' };
      if (n.filename) return { reason: `reads or writes a file of the server (COPY ${n.is_from ? 'FROM' : 'TO'} '${n.filename}'), outside the scratch`, severity: n.is_from ? 'warning' : 'info' };
      return undefined;
    case 'CreateExtensionStmt': {
      const why = ESCAPING_EXTENSIONS[String(n.extname).toLowerCase()];
      return why ? { reason: `creates extension ${n.extname}, which ${why}`, severity: 'warning' } : undefined;
    }
    case 'CreatePLangStmt':
      return UNTRUSTED_LANGUAGES.has(String(n.plname).toLowerCase()) || !n.pltrusted
        ? { reason: `creates language ${n.plname}, which runs code with the server’s operating-system rights`, severity: 'warning' }
        : undefined;
    case 'CreateFunctionStmt': {
      const language = (n.options ?? []).find((o: AnyNode) => o.DefElem?.defname === 'language')?.DefElem?.arg?.String?.sval;
      return language && UNTRUSTED_LANGUAGES.has(String(language).toLowerCase())
        ? { reason: `creates a function in language ${language}, which runs code with the server’s operating-system rights`, severity: 'warning' }
        : undefined;
    }
    default:
      return undefined;
  }
}

// DISCARD ALL refuses a transaction block; these are its documented parts, each allowed in one.
const DISCARD_ALL = 'CLOSE ALL; SET SESSION AUTHORIZATION DEFAULT; RESET ALL; DEALLOCATE ALL; UNLISTEN *; SELECT pg_advisory_unlock_all(); DISCARD PLANS; DISCARD TEMP; DISCARD SEQUENCES';

/** set_config(name, value, is_local) with is_local not the constant false. */
function setsLocalConfig(node: AnyNode): boolean {
  let found = false;
  walkNodes(node, (n) => {
    const call = n.FuncCall as AnyNode | undefined;
    if (!call || calledName(call) !== 'set_config' || call.args?.length !== 3) return;
    const local = call.args[2]?.A_Const as AnyNode | undefined;
    // A false constant comes as an empty boolval; anything not a constant false may be true.
    const isFalse = local?.boolval ? local.boolval.boolval !== true : ['false', 'off', 'f', '0'].includes(String(local?.sval?.sval).toLowerCase());
    if (!isFalse) found = true;
  });
  return found;
}

function transactionAction(n: AnyNode): SandboxAction {
  switch (n.kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START':
      return { kind: 'begin' };
    case 'TRANS_STMT_COMMIT':
      return { kind: 'commit', chain: Boolean(n.chain) };
    case 'TRANS_STMT_ROLLBACK':
      return { kind: 'rollback', chain: Boolean(n.chain) };
    case 'TRANS_STMT_SAVEPOINT':
      return { kind: 'savepoint', name: n.savepoint_name };
    case 'TRANS_STMT_RELEASE':
      return { kind: 'release', name: n.savepoint_name };
    case 'TRANS_STMT_ROLLBACK_TO':
      return { kind: 'rollbackTo', name: n.savepoint_name };
    default:
      // PREPARE TRANSACTION, COMMIT PREPARED, ROLLBACK PREPARED: prepared transactions outlive the session.
      return { kind: 'refuse', reason: 'handles a prepared transaction, which outlives the session and belongs to the whole server', severity: 'warning' };
  }
}

function isConcurrent(params: AnyNode[] | undefined): boolean {
  const option = (params ?? []).find((p) => p.DefElem?.defname === 'concurrently')?.DefElem;
  if (!option) return false;
  const value = option.arg?.String?.sval ?? option.arg?.A_Const?.sval?.sval ?? option.arg?.A_Const?.boolval?.boolval ?? option.arg?.Integer?.ival;
  return value === undefined || !['false', 'off', '0', false, 0].includes(value);
}

/**
 * The statement with CONCURRENTLY blanked out (same length, so PostgreSQL's error positions still point
 * into the user's text). In REINDEX's option list the option, its value and one comma go, and an emptied
 * list loses its parentheses.
 */
export function withoutConcurrently(text: string, optionList: boolean): string {
  const tokens = scanSync(text).tokens;
  const chars = Buffer.from(text);
  const blank = (from: number, to: number) => chars.fill(0x20, from, to);
  const at = tokens.findIndex((t) => t.text.toLowerCase() === 'concurrently');
  if (at < 0) return text;
  const inParens = optionList && tokens.slice(0, at).some((t) => t.text === '(');
  if (!inParens) {
    blank(tokens[at].start, tokens[at].end);
    return chars.toString();
  }
  let end = at;
  const next = tokens[at + 1];
  if (next && next.text !== ',' && next.text !== ')') end = at + 1; // CONCURRENTLY true
  const open = tokens.findIndex((t) => t.text === '(');
  const close = tokens.findIndex((t, i) => i > end && t.text === ')');
  const elements = tokens.slice(open + 1, close).filter((t) => t.text === ',').length + 1;
  if (elements === 1) blank(tokens[open].start, tokens[close].end);
  else if (tokens[end + 1]?.text === ',') blank(tokens[at].start, tokens[end + 1].end);
  else blank(tokens[at - 1].start, tokens[end].end); // the comma before it
  return chars.toString();
}

/** A call anywhere in the statement (or, for DO, in its PL/pgSQL body) that escapes a transaction. */
function escapingCall(node: AnyNode): { reason: string; severity: 'info' | 'warning' } | undefined {
  let found: { reason: string; severity: 'info' | 'warning' } | undefined;
  walkNodes(node, (n) => {
    if (found) return;
    const call = n.FuncCall as AnyNode | undefined;
    if (call) {
      const names = (call.funcname ?? []).map((p: AnyNode) => String(p.String?.sval ?? '').toLowerCase());
      const name = names[names.length - 1];
      // A schema other than pg_catalog holds a user function that only shares the name (pg_stat_statements
      // and dblink live wherever their extension was installed).
      if (names.length === 1 || names[0] === 'pg_catalog' || name === 'pg_stat_statements_reset' || name.startsWith('dblink')) {
        if (CLUSTER_FUNCTIONS[name]) found = { reason: `calls ${name}(), which ${CLUSTER_FUNCTIONS[name]}`, severity: name.startsWith('lo_import') ? 'warning' : 'info' };
        else if (name.startsWith('dblink')) found = { reason: `calls ${name}(), which opens a connection of its own, whose work no scratch transaction can contain`, severity: 'warning' };
      }
    }
    const body = doBody(n.DoStmt);
    if (body !== undefined) found ??= escapingInPlpgsql(body);
  });
  return found;
}

function doBody(doStmt: AnyNode | undefined): string | undefined {
  if (!doStmt) return undefined;
  const args = (doStmt.args ?? []).map((a: AnyNode) => a.DefElem);
  const language = args.find((a: AnyNode) => a?.defname === 'language')?.arg?.String?.sval ?? 'plpgsql';
  if (String(language).toLowerCase() !== 'plpgsql') return undefined;
  return args.find((a: AnyNode) => a?.defname === 'as')?.arg?.String?.sval;
}

/**
 * The SQL inside a DO block, and the constant strings it EXECUTEs: what would escape a transaction when
 * PostgreSQL runs it there. (What PostgreSQL refuses inside functions, like ALTER SYSTEM, it refuses
 * itself, on every engine.)
 */
function escapingInPlpgsql(body: string): { reason: string; severity: 'info' | 'warning' } | undefined {
  let parsed: AnyNode;
  try {
    parsed = parsePlPgSQLSync(`CREATE FUNCTION pgarch_do() RETURNS void LANGUAGE plpgsql AS $pgarch_do$${body}$pgarch_do$`) as AnyNode;
  } catch {
    return undefined;
  }
  let found: { reason: string; severity: 'info' | 'warning' } | undefined;
  const check = (stmt: AnyNode) => {
    const kind = Object.keys(stmt)[0] ?? '';
    found ??= escapes(kind, stmt[kind] ?? {}) ?? escapingCall(stmt);
  };
  walkNodes(parsed, (n) => {
    const expr = n.PLpgSQL_expr as AnyNode | undefined;
    if (found || !expr?.query) return;
    for (const stmt of parsedStatements(expr.parseMode === 0 ? expr.query : `SELECT ${expr.query}`)) {
      check(stmt);
      // EXECUTE 'constant SQL': the constant is SQL too.
      walkNodes(stmt, (c) => {
        const constant = c.A_Const?.sval?.sval;
        if (!found && typeof constant === 'string' && constant.length >= 6) parsedStatements(constant).forEach(check);
      });
    }
  });
  return found;
}

function parsedStatements(sql: string): AnyNode[] {
  try {
    return (parseSync(sql).stmts ?? []).map((s: AnyNode) => s.stmt ?? {});
  } catch {
    return []; // not SQL: an ordinary string
  }
}
