import { totalmem } from 'node:os';
import type { Finding, Severity } from '../../types.js';
import { size, type HealthCheck } from '../types.js';

interface Settings {
  sharedBuffers: number;
  effectiveCacheSize: number;
  maintenanceWorkMem: number;
  workMem: number;
  maxConnections: number;
  hashMemMultiplier: number;
  /** The connection arrived on a loopback address or a Unix socket, as the server sees it. */
  serverLocal: boolean;
  /** The settings still at their built-in values. */
  builtIn: string[];
}

/** Where the memory figure comes from, for the message: the threshold, this machine, or nowhere. */
export interface MachineMemory {
  bytes: number;
  source: string;
}

/**
 * The server's memory: machineMemoryBytes when given, else this machine's when both ends of the
 * connection say it stays on this machine (the connection string names a loopback host or a socket,
 * and the server sees a loopback address or a socket: a container's published port does not count).
 */
export function machineMemory(given: number | undefined, localHost: boolean, serverLocal: boolean): MachineMemory | undefined {
  if (given !== undefined) return { bytes: given, source: `${size(given)} of memory (machineMemoryBytes)` };
  if (localHost && serverLocal) return { bytes: totalmem(), source: `${size(totalmem())} of memory (this machine's, os.totalmem(): the server is local)` };
  return undefined;
}

/** A size as postgresql.conf takes it: whole GB when it is one, else MB. */
function setting(bytes: number): string {
  const mb = Math.max(1, Math.round(bytes / 1024 ** 2));
  return mb % 1024 === 0 ? `${mb / 1024}GB` : `${mb}MB`;
}

const pct = (part: number, whole: number) => `${((part / whole) * 100).toFixed(part / whole < 0.1 ? 1 : 0)}%`;

/**
 * Memory settings far from what the machine's memory suggests (the usual starting points, as pgtune
 * and the PostgreSQL wiki give them): shared_buffers about 25% of memory, effective_cache_size 50–75%,
 * maintenance_work_mem a sixteenth (up to 2 GB), and work_mem that all connections together cannot
 * push past memory. Advice is info; a setting that risks running out of memory is a warning.
 * random_page_cost is left alone: the server cannot tell SSD from spinning disk, and a guess would be
 * wrong on one of them.
 */
export const settingReview: HealthCheck = {
  id: 'setting-review',
  severity: 'info',
  summary:
    'A memory setting far from the usual value for the machine\'s memory (machineMemoryBytes, else this machine\'s when the server is local): shared_buffers ~25%, effective_cache_size 50–75%, maintenance_work_mem ~1/16, work_mem × connections within memory (a warning). With no memory figure, settings left at their built-in defaults.',
  async run({ db, version, thresholds, localHost }) {
    const { rows } = await db.query<Settings>(
      `select pg_size_bytes(current_setting('shared_buffers'))::float8 as "sharedBuffers",
              pg_size_bytes(current_setting('effective_cache_size'))::float8 as "effectiveCacheSize",
              pg_size_bytes(current_setting('maintenance_work_mem'))::float8 as "maintenanceWorkMem",
              pg_size_bytes(current_setting('work_mem'))::float8 as "workMem",
              current_setting('max_connections')::int as "maxConnections",
              ${version >= 130000 ? "current_setting('hash_mem_multiplier')::float8" : '1::float8'} as "hashMemMultiplier",
              coalesce(inet_server_addr() <<= '127.0.0.0/8'::inet or inet_server_addr() = '::1'::inet, true) as "serverLocal",
              array(select name from pg_settings where name in ('shared_buffers', 'effective_cache_size') and setting = boot_val order by name)::text[] as "builtIn"`,
    );
    const s = rows[0];
    const memory = machineMemory(thresholds.machineMemoryBytes, localHost, s.serverLocal);
    const tolerance = thresholds.settingTolerance;
    const out: Finding[] = [];
    const add = (name: string, severity: Severity, message: string, hint: string, value?: string, restart = false) =>
      out.push({
        rule: 'setting-review',
        severity,
        message,
        object: name,
        hint: value ? `${hint} ALTER SYSTEM needs a superuser (or, PG 15+, GRANT ALTER SYSTEM); on a managed service, set it in the parameter group.` : hint,
        ...(value ? { fix: { description: `set ${name} to ${value}${restart ? ' (takes effect at the next restart)' : ''}`, sql: `ALTER SYSTEM SET ${name} = '${value}';${restart ? '' : '\nSELECT pg_reload_conf();'}` } } : {}),
      });

    if (!memory) {
      // No memory figure: only what is wrong on any machine bigger than a laptop's test server.
      for (const name of s.builtIn) {
        const value = name === 'shared_buffers' ? s.sharedBuffers : s.effectiveCacheSize;
        add(
          name,
          'info',
          `${name} is still at its built-in ${size(value)}, sized for a small machine (memory unknown: the server is not on this machine and machineMemoryBytes is not set)`,
          `${name === 'shared_buffers' ? 'About 25% of the memory is the usual start (a restart applies it)' : 'About 50–75% of the memory tells the planner how much the OS caches'}; set health.thresholds.machineMemoryBytes in pgarch.config.json for advice sized to the machine.`,
        );
      }
      return out;
    }

    const m = memory.bytes;
    const used = `of the ${memory.source}`;
    const sharedRecommended = m / 4;
    if (s.sharedBuffers > sharedRecommended * tolerance) {
      add('shared_buffers', 'warning', `shared_buffers is ${size(s.sharedBuffers)}, ${pct(s.sharedBuffers, m)} ${used}: too little is left for connections' work_mem and the OS cache`, 'About 25% of the memory is the usual setting (a restart applies it).', setting(sharedRecommended), true);
    } else if (s.sharedBuffers < sharedRecommended / tolerance) {
      add('shared_buffers', 'info', `shared_buffers is ${size(s.sharedBuffers)}, ${pct(s.sharedBuffers, m)} ${used}: about 25% (${size(sharedRecommended)}) is the usual setting`, 'More of the working set then stays in PostgreSQL\'s own cache (a restart applies it).', setting(sharedRecommended), true);
    }

    const cacheRecommended = m * 0.75;
    if (s.effectiveCacheSize < (m * 0.5) / tolerance) {
      add('effective_cache_size', 'info', `effective_cache_size is ${size(s.effectiveCacheSize)}, ${pct(s.effectiveCacheSize, m)} ${used}: 50–75% is the usual setting`, 'It allocates nothing: it tells the planner how much of the data the OS and shared_buffers cache, and set too low it passes over index scans that would be cheap.', setting(cacheRecommended));
    } else if (s.effectiveCacheSize > cacheRecommended * tolerance) {
      add('effective_cache_size', 'info', `effective_cache_size is ${size(s.effectiveCacheSize)}, ${pct(s.effectiveCacheSize, m)} ${used}: more than the machine can cache`, 'The planner then takes index scans over large tables for cheaper than they are.', setting(cacheRecommended));
    }

    // Index builds and vacuum's dead-tuple list use it; past a few GB it buys little.
    const maintenanceRecommended = Math.min(m / 16, 2 * 1024 ** 3);
    if (s.maintenanceWorkMem < maintenanceRecommended / tolerance) {
      add('maintenance_work_mem', 'info', `maintenance_work_mem is ${size(s.maintenanceWorkMem)}, ${pct(s.maintenanceWorkMem, m)} ${used}: about a sixteenth of memory, up to 2 GB (${size(maintenanceRecommended)}), is the usual setting`, 'CREATE INDEX and VACUUM run faster with it (each autovacuum worker may use it too, unless autovacuum_work_mem is set).', setting(maintenanceRecommended));
    }

    // Each sort or hash of each query may take work_mem (a hash, hash_mem_multiplier times it, PG 13+).
    const perConnection = s.workMem * s.hashMemMultiplier;
    const room = m - s.sharedBuffers;
    if (perConnection * s.maxConnections > room) {
      const fitting = Math.floor(room / (s.maxConnections * s.hashMemMultiplier) / 1024 ** 2) * 1024 ** 2;
      add(
        'work_mem',
        'warning',
        `work_mem ${size(s.workMem)}${s.hashMemMultiplier !== 1 ? ` (× hash_mem_multiplier ${s.hashMemMultiplier})` : ''} for each of max_connections ${s.maxConnections} comes to ${size(perConnection * s.maxConnections)}, more than the ${size(room)} the ${memory.source} leaves after shared_buffers`,
        'A burst of sorting or hashing queries can then run the machine out of memory. Lower work_mem (raise it per role or per query where one needs more), or lower max_connections behind a pooler.',
        fitting > 0 ? setting(fitting) : undefined,
      );
    }
    return out;
  },
};
