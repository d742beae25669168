// Replication seen from the primary (or a cascading standby): replicas falling behind, and slots no
// replica uses any more, which keep WAL (and, for some, vacuum) held back for it.
import type { Finding } from '../../types.js';
import { size, type HealthCheck } from '../types.js';

/** The server's own WAL position: on a standby, what it has replayed (pg_current_wal_lsn() fails there). */
const CURRENT_LSN = 'case when pg_is_in_recovery() then pg_last_wal_replay_lsn() else pg_current_wal_lsn() end';

export const replicationLag: HealthCheck = {
  id: 'replication-lag',
  severity: 'warning',
  summary: 'A replica (pg_stat_replication) whose replay is more than the threshold behind, in time (replay_lag, default 60 s) or WAL bytes (default 1 GB). Nothing without replicas.',
  async run({ db, thresholds }) {
    const { rows } = await db.query<{ name: string; addr: string | null; state: string | null; sync: string | null; lag: number | null; behind: number | null; hidden: boolean }>(
      // Without pg_monitor (pg_read_all_stats), another role's WAL senders show no positions.
      `select coalesce(nullif(application_name, ''), client_addr::text, 'pid ' || pid) as name, client_addr::text as addr, state, sync_state as sync,
              extract(epoch from replay_lag)::float8 as lag, pg_wal_lsn_diff(${CURRENT_LSN}, replay_lsn)::float8 as behind,
              sent_lsn is null and state is null as hidden
         from pg_stat_replication
        order by 1`,
    );
    const out: Finding[] = [];
    const hidden = rows.filter((r) => r.hidden);
    if (hidden.length) {
      out.push({
        rule: 'replication-lag',
        severity: 'info',
        message: `The replication positions of ${hidden.map((r) => r.name).join(', ')} are hidden from this role, so their lag is not known`,
        object: hidden[0].name,
        hint: 'Run health as a role granted pg_monitor (or pg_read_all_stats).',
      });
    }
    for (const r of rows) {
      if (r.hidden) continue;
      const late = r.lag !== null && r.lag >= thresholds.replicationLagSeconds;
      const far = r.behind !== null && r.behind >= thresholds.replicationLagBytes;
      if (!late && !far) continue;
      const where = [r.addr, r.state, r.sync].filter(Boolean).join(', ');
      out.push({
        rule: 'replication-lag',
        severity: 'warning',
        message: `Replica ${r.name}${where ? ` (${where})` : ''} is ${r.behind !== null ? `${size(r.behind)} of WAL` : 'an unknown amount'} behind in replay${r.lag !== null ? `, ${Math.round(r.lag)} s late` : ''}`,
        object: r.name,
        hint: `Reads there see old data${r.sync === 'sync' || r.sync === 'quorum' ? ', and as a synchronous replica it slows every commit here' : ''}. Look at the replica's disk and CPU, the network between, and long queries there that replay waits for (max_standby_streaming_delay).`,
      });
    }
    return out;
  },
};

export const inactiveReplicationSlot: HealthCheck = {
  id: 'inactive-replication-slot',
  severity: 'warning',
  summary: 'A replication slot no replica or subscriber is using: the server keeps all WAL from its restart_lsn on (until the disk fills, unless max_slot_wal_keep_size caps it), and a logical or hot_standby_feedback slot holds back vacuum too.',
  async run({ db, version }) {
    const { rows } = await db.query<{ name: string; type: string; database: string | null; retained: number | null; xmin: string | null; catalogXmin: string | null; walStatus: string | null; inactiveSeconds: number | null; fix: string }>(
      `select slot_name::text as name, slot_type as type, database::text as database,
              pg_wal_lsn_diff(${CURRENT_LSN}, restart_lsn)::float8 as retained, xmin::text as xmin, catalog_xmin::text as "catalogXmin",
              ${version >= 130000 ? 'wal_status' : 'null::text'} as "walStatus",
              ${version >= 170000 ? 'extract(epoch from now() - inactive_since)::float8' : 'null::float8'} as "inactiveSeconds",
              format('SELECT pg_drop_replication_slot(%L);', slot_name) as fix
         from pg_replication_slots
        where not active and not temporary
        order by retained desc nulls last, 1`,
    );
    return rows.map((r) => {
      const holds = [r.xmin && `xmin ${r.xmin}`, r.catalogXmin && `catalog_xmin ${r.catalogXmin}`].filter(Boolean);
      const details = [
        r.retained !== null ? `keeps ${size(r.retained)} of WAL` : 'reserves no WAL yet',
        holds.length ? `holds back vacuum at ${holds.join(' and ')}` : '',
        r.walStatus === 'lost' ? 'the WAL it needs is already gone, so nothing can resume from it' : '',
        r.inactiveSeconds !== null ? `inactive for ${Math.round(r.inactiveSeconds)} s` : '',
      ].filter(Boolean);
      // A slot that reserves no WAL and holds no xmin costs nothing yet: it is only left over.
      const harmless = r.retained === null && !holds.length;
      return {
        rule: 'inactive-replication-slot',
        severity: harmless ? ('info' as const) : ('warning' as const),
        message: `Replication slot ${r.name} (${r.type}${r.database ? `, database ${r.database}` : ''}) is not in use: it ${details.join('; ')}`,
        object: r.name,
        hint: `If a ${r.type === 'logical' ? 'subscriber' : 'replica'} still needs it, bring that back; otherwise drop it${r.type === 'logical' ? ` (connected to database ${r.database}: a logical slot is dropped from its own database)` : ''}. max_slot_wal_keep_size (PG 13+) caps the WAL a slot can keep.`,
        fix: { description: `drop the slot ${r.name}`, sql: r.fix },
      };
    });
  },
};
