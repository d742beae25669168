// PostgreSQL's table-level lock modes, what each conflicts with, and what that means for a running
// application (docs: "Explicit Locking", table-level lock modes; the matrix is unchanged since 9.x).

export const LOCK_MODES = [
  'AccessShareLock',
  'RowShareLock',
  'RowExclusiveLock',
  'ShareUpdateExclusiveLock',
  'ShareLock',
  'ShareRowExclusiveLock',
  'ExclusiveLock',
  'AccessExclusiveLock',
] as const;

export type LockMode = (typeof LOCK_MODES)[number];

const CONFLICTS: Record<LockMode, LockMode[]> = {
  AccessShareLock: ['AccessExclusiveLock'],
  RowShareLock: ['ExclusiveLock', 'AccessExclusiveLock'],
  RowExclusiveLock: ['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ShareUpdateExclusiveLock: ['ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ShareLock: ['RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ShareRowExclusiveLock: ['RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ExclusiveLock: ['RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  AccessExclusiveLock: [...LOCK_MODES],
};

export function conflicts(a: LockMode, b: LockMode): boolean {
  return CONFLICTS[a].includes(b);
}

/** What ordinary statements wait for while a lock of this mode is held on a table. */
export function blockedBy(mode: LockMode): Array<'reads' | 'writes' | 'ddl' | 'index builds' | 'vacuum'> {
  const out: Array<'reads' | 'writes' | 'ddl' | 'index builds' | 'vacuum'> = [];
  if (conflicts(mode, 'AccessShareLock')) out.push('reads'); // SELECT
  if (conflicts(mode, 'RowExclusiveLock')) out.push('writes'); // INSERT / UPDATE / DELETE
  if (conflicts(mode, 'ShareLock')) out.push('index builds'); // CREATE INDEX
  if (conflicts(mode, 'ShareUpdateExclusiveLock')) out.push('vacuum'); // VACUUM, ANALYZE, autovacuum
  out.push('ddl'); // ALTER TABLE and most DDL need ACCESS EXCLUSIVE, which conflicts with every mode
  return out;
}

export function isLockMode(value: string): value is LockMode {
  return (LOCK_MODES as readonly string[]).includes(value);
}

/** Stronger of two modes (by position in the list, which orders them by strength). */
export function strongest(a: LockMode | undefined, b: LockMode): LockMode {
  if (!a) return b;
  return LOCK_MODES.indexOf(a) >= LOCK_MODES.indexOf(b) ? a : b;
}

type AnyNode = Record<string, any>;

/** ALTER TABLE subcommands that take less than ACCESS EXCLUSIVE (PostgreSQL docs, ALTER TABLE). */
const ALTER_TABLE_LOCK: Record<string, LockMode> = {
  AT_ValidateConstraint: 'ShareUpdateExclusiveLock',
  AT_SetStatistics: 'ShareUpdateExclusiveLock',
  AT_ClusterOn: 'ShareUpdateExclusiveLock',
  AT_DropCluster: 'ShareUpdateExclusiveLock',
  AT_SetRelOptions: 'ShareUpdateExclusiveLock', // most storage parameters (fillfactor, autovacuum_*)
  AT_ResetRelOptions: 'ShareUpdateExclusiveLock',
  AT_AttachPartition: 'ShareUpdateExclusiveLock', // PG12+: on the parent
  AT_EnableTrig: 'ShareRowExclusiveLock',
  AT_DisableTrig: 'ShareRowExclusiveLock',
  AT_EnableTrigAll: 'ShareRowExclusiveLock',
  AT_DisableTrigAll: 'ShareRowExclusiveLock',
  AT_EnableTrigUser: 'ShareRowExclusiveLock',
  AT_DisableTrigUser: 'ShareRowExclusiveLock',
};

/**
 * The strongest table lock a statement is documented to take on the relation it names, or undefined
 * for statements that take none worth reporting. `pgarch trace` measures the real one; rules use this
 * to decide before executing.
 */
export function documentedLock(node: AnyNode, kind: string): LockMode | undefined {
  const n = node[kind] as AnyNode;
  switch (kind) {
    case 'AlterTableStmt': {
      let mode: LockMode | undefined;
      for (const c of n.cmds ?? []) {
        const cmd = c.AlterTableCmd as AnyNode;
        let m: LockMode = ALTER_TABLE_LOCK[cmd.subtype] ?? 'AccessExclusiveLock';
        // ADD FOREIGN KEY takes SHARE ROW EXCLUSIVE (on both tables); DETACH … CONCURRENTLY (PG14+) less.
        if (cmd.subtype === 'AT_AddConstraint' && cmd.def?.Constraint?.contype === 'CONSTR_FOREIGN') m = 'ShareRowExclusiveLock';
        if (cmd.subtype === 'AT_DetachPartition' && cmd.def?.PartitionCmd?.concurrent) m = 'ShareUpdateExclusiveLock';
        mode = strongest(mode, m);
      }
      return mode;
    }
    case 'IndexStmt':
      return n.concurrent ? 'ShareUpdateExclusiveLock' : 'ShareLock';
    case 'DropStmt':
      if (n.removeType === 'OBJECT_INDEX') return n.concurrent ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock';
      return ['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE'].includes(n.removeType) ? 'AccessExclusiveLock' : undefined;
    case 'RenameStmt':
    case 'TruncateStmt':
    case 'ClusterStmt':
      return 'AccessExclusiveLock';
    case 'ReindexStmt':
      // Non-concurrent REINDEX: SHARE on the table, ACCESS EXCLUSIVE on the index (blocks reads using it).
      return (n.params ?? []).some((p: AnyNode) => p.DefElem?.defname === 'concurrently') ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock';
    case 'VacuumStmt': {
      const full = (n.options ?? []).some((o: AnyNode) => o.DefElem?.defname === 'full');
      return full ? 'AccessExclusiveLock' : 'ShareUpdateExclusiveLock';
    }
    case 'CreateTrigStmt':
      return 'ShareRowExclusiveLock';
    case 'RefreshMatViewStmt':
      return n.concurrent ? 'ExclusiveLock' : 'AccessExclusiveLock';
    case 'LockStmt':
      return (LOCK_BY_NUMBER[n.mode] ?? 'AccessExclusiveLock') as LockMode;
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt':
      return 'RowExclusiveLock';
    default:
      return undefined;
  }
}

// LOCK TABLE's mode numbers (lockdefs.h): 1 AccessShare … 8 AccessExclusive.
const LOCK_BY_NUMBER: Record<number, LockMode> = Object.fromEntries(LOCK_MODES.map((m, i) => [i + 1, m]));
