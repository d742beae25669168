// libpq's two spellings of a connection: a URL (postgres://user:pass@host:port/db?sslmode=…) and a
// keyword/value string (host=… port=… dbname=… password='it''s'). node-postgres reads only the
// first — it took `host=… password=…` for a relative URL on a host named "base" — so the second is
// turned into the first here, with every part percent-encoded.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { EngineError } from './types.js';

const KEYS: Record<string, string> = { host: 'host', hostaddr: 'host', port: 'port', dbname: 'dbname', user: 'user', password: 'password' };
const PARAMS = new Set(['sslmode', 'application_name', 'connect_timeout', 'options', 'sslrootcert', 'sslcert', 'sslkey', 'target_session_attrs']);

/** Whether the string is keyword/value (not a URL). */
export function isKeywordValue(conninfo: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(conninfo) && conninfo.includes('=');
}

/** Parse `key=value key2='quoted \' value'` as libpq does (spaces around `=` allowed, \\ escapes in quotes). */
export function parseKeywordValue(conninfo: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  const skip = () => {
    while (i < conninfo.length && /\s/.test(conninfo[i])) i++;
  };
  for (skip(); i < conninfo.length; skip()) {
    const key = /^[A-Za-z_]+/.exec(conninfo.slice(i))?.[0];
    if (!key) throw new EngineError(`malformed connection string near "${conninfo.slice(i, i + 10)}" (expected key=value)`);
    i += key.length;
    skip();
    if (conninfo[i] !== '=') throw new EngineError(`malformed connection string: "${key}" has no value (expected ${key}=…)`);
    i++;
    skip();
    let value = '';
    if (conninfo[i] === "'") {
      for (i++; i < conninfo.length && conninfo[i] !== "'"; i++) value += conninfo[i] === '\\' ? conninfo[++i] ?? '' : conninfo[i];
      if (conninfo[i] !== "'") throw new EngineError(`malformed connection string: the quoted value of "${key}" is not closed`);
      i++;
    } else {
      for (; i < conninfo.length && !/\s/.test(conninfo[i]); i++) value += conninfo[i] === '\\' ? conninfo[++i] ?? '' : conninfo[i];
    }
    out.set(key.toLowerCase(), value);
  }
  return out;
}

/**
 * The files libpq reads `service=NAME` from, in its order: $PGSERVICEFILE or ~/.pg_service.conf, then
 * $PGSYSCONFDIR/pg_service.conf (Debian's libpq: /etc/postgresql-common).
 */
export function serviceFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  return [env.PGSERVICEFILE ?? join(homedir(), '.pg_service.conf'), join(env.PGSYSCONFDIR ?? '/etc/postgresql-common', 'pg_service.conf')];
}

/** The keywords of one `[name]` section of a pg_service.conf (INI: `key=value` lines, `#` comments). */
export function readService(name: string, files: string[] = serviceFiles()): Map<string, string> {
  for (const file of files) {
    if (!existsSync(file)) continue;
    let section: string | undefined;
    const found = new Map<string, string>();
    let seen = false;
    for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const header = /^\[(.*)\]$/.exec(line);
      if (header) {
        section = header[1].trim();
        seen ||= section === name;
        continue;
      }
      if (section !== name) continue;
      const eq = line.indexOf('=');
      if (eq < 1) throw new EngineError(`service file ${file}: "${line.split(/\s/)[0]}" in [${name}] is not key=value`);
      found.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
    }
    if (seen) return found;
  }
  throw new EngineError(`connection string: service "${name}" is not defined in ${files.join(' or ')}`);
}

/** A keyword/value connection string as the URL node-postgres reads (a URL is returned as is). */
export function toConnectionUrl(conninfo: string): string {
  if (!isKeywordValue(conninfo)) return conninfo;
  const given = parseKeywordValue(conninfo);
  // service=NAME: its section fills in what the string itself does not say (libpq's precedence).
  const service = given.get('service');
  const parts = service === undefined ? given : new Map([...readService(service)].filter(([k]) => k !== 'service').concat([...given].filter(([k]) => k !== 'service')));
  const get = (name: string) => [...parts].find(([k]) => KEYS[k] === name)?.[1];
  const port = get('port');
  if (port !== undefined && !/^\d{1,5}$/.test(port)) throw new EngineError(`malformed connection string: port "${port}" is not a number`);
  const unknown = [...parts.keys()].filter((k) => !KEYS[k] && !PARAMS.has(k));
  if (unknown.length) throw new EngineError(`connection string: unknown keyword ${unknown.join(', ')}`);
  const user = get('user');
  const password = get('password');
  const auth = user !== undefined || password !== undefined ? `${encodeURIComponent(user ?? '')}${password !== undefined ? `:${encodeURIComponent(password)}` : ''}@` : '';
  const host = get('host') ?? 'localhost';
  const query = [...parts].filter(([k]) => PARAMS.has(k)).map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  return `postgres://${auth}${host.includes(':') ? `[${host}]` : encodeURIComponent(host)}${port ? `:${port}` : ''}/${encodeURIComponent(get('dbname') ?? user ?? 'postgres')}${query.length ? `?${query.join('&')}` : ''}`;
}

/**
 * The host a connection string reaches, as node-postgres picks it: the URL's `?host=` (a Unix socket
 * directory, say), else its host name, else $PGHOST, else localhost.
 */
export function connectionHost(conninfo: string, env: NodeJS.ProcessEnv = process.env): string {
  // node-postgres itself reads a bare path as a Unix socket directory.
  if (conninfo.startsWith('/')) return conninfo.split(' ')[0];
  let url: URL;
  try {
    url = new URL(toConnectionUrl(conninfo));
  } catch {
    return '';
  }
  if (url.protocol === 'socket:') return decodeURIComponent(url.pathname);
  const hostname = decodeURIComponent(url.hostname.replace(/^\[(.+)\]$/, '$1'));
  return url.searchParams.get('host') || hostname || env.PGHOST || 'localhost';
}

/** Whether a connection string reaches this machine: a Unix socket, localhost, or a loopback address. */
export function isLocalConnection(conninfo: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const host = connectionHost(conninfo, env).toLowerCase();
  return host.startsWith('/') || host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '::1';
}
