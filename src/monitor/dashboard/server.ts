// `pgarch dashboard`: a local web app over one read-only connection. It binds 127.0.0.1 only, and every
// request needs the random token printed in its URL (as ?token=, the X-Pgarch-Token header, or the
// cookie the first page load sets); a Host header other than this address is refused, so a web page
// elsewhere cannot reach it through DNS rebinding. Requests choose among fixed queries; the one value
// they carry (a queryid) is checked to be a number and bound as a parameter. Every page runs in a READ
// ONLY transaction with a short lock_timeout, so a migration's lock makes a page say which table is
// held instead of hanging it.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { adviseIndexes } from '../../advise/advise.js';
import { applicationStatement } from '../../advise/workload.js';
import { defaultConfig, type Config } from '../../config.js';
import { openEngine } from '../../engine/index.js';
import { redact } from '../../engine/redact.js';
import { toEngineError, type Engine, type Queryable } from '../../engine/types.js';
import { escapeHtml, renderPlanHtml } from '../../explain/html.js';
import { loadParser } from '../../sql/parse.js';
import type { Finding } from '../../types.js';
import { healthChecks } from '../checks/index.js';
import { guardedTransaction, LOCK_NOT_AVAILABLE, lockWait, runHealth } from '../run.js';
import { planRecordedStatement } from '../statement-plan.js';
import { indexesView, locksView, maintenanceView, queriesView, spaceView, type SpaceView } from './views.js';

export interface DashboardOptions {
  database: string;
  config?: Config;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Seconds between the pages' refreshes and between size samples (default 10). */
  refreshSeconds?: number;
  /** Given by tests; a random one otherwise. */
  token?: string;
}

export interface Dashboard {
  /** The URL to open, token included. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** A size sample for the Space page's growth chart. */
interface SpaceSample {
  at: number;
  databaseBytes: number;
  tables: Record<string, number>;
}

const HOST = '127.0.0.1';
const MAX_SAMPLES = 720;
const INDEX_CHECKS = new Set(['unused-index', 'duplicate-index', 'invalid-index', 'missing-index-candidate']);
const MAINTENANCE_CHECKS = new Set(['dead-tuples', 'autovacuum-disabled', 'vacuum-stale', 'xid-wraparound', 'multixact-wraparound', 'table-bloat', 'index-bloat']);

const require = createRequire(import.meta.url);
const ASSETS: Record<string, { type: string; path: string }> = {
  '/assets/app.js': { type: 'text/javascript', path: new URL('./assets/app.js', import.meta.url).pathname },
  '/assets/app.css': { type: 'text/css', path: new URL('./assets/app.css', import.meta.url).pathname },
  '/assets/uplot.js': { type: 'text/javascript', path: require.resolve('uplot/dist/uPlot.iife.min.js') },
  '/assets/uplot.css': { type: 'text/css', path: require.resolve('uplot/dist/uPlot.min.css') },
};

const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const config = options.config ?? defaultConfig();
  const refreshSeconds = options.refreshSeconds ?? 10;
  const token = options.token ?? randomBytes(24).toString('base64url');
  const assets = new Map(Object.entries(ASSETS).map(([route, a]) => [route, { type: a.type, body: readFileSync(a.path) }]));
  await loadParser();
  const engine = await openEngine({ database: options.database, readOnly: true });
  const version = (await engine.version()).num;

  // One connection: requests take turns on it, so that one page's transaction never interleaves another's.
  let turn: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = turn.then(fn, fn);
    turn = run.catch(() => {});
    return run;
  };
  /** A page's data, or a lock-wait finding naming the held table when it met a lock. */
  const page = <T>(name: string, fn: (tx: Queryable) => Promise<T>): Promise<T | { lockWait: Finding }> =>
    exclusive(async () => {
      try {
        return await guardedTransaction(engine, fn);
      } catch (error) {
        if (toEngineError(error).code === LOCK_NOT_AVAILABLE) return { lockWait: await lockWait(engine, `The ${name} page`) };
        throw error;
      }
    });
  const health = (only?: Set<string>) => exclusive(() => runHealth({ database: options.database, engine, config, ...(only ? { checks: healthChecks.filter((c) => only.has(c.id)) } : {}) }));

  const samples: SpaceSample[] = [];
  const sample = async (): Promise<SpaceView | { lockWait: Finding }> => {
    const view = await page('Space', spaceView);
    // The Space page reads sizes at each of its refreshes too: a read that close to the last sample is not another point.
    const last = samples[samples.length - 1];
    if (!('lockWait' in view) && (!last || Date.now() - last.at >= (refreshSeconds * 1000) / 2)) {
      samples.push({ at: Date.now(), databaseBytes: view.databaseBytes, tables: Object.fromEntries(view.tables.map((t) => [t.name, t.bytes])) });
      if (samples.length > MAX_SAMPLES) samples.shift();
    }
    return view;
  };
  await sample().catch(() => {});
  const sampler = setInterval(() => void sample().catch(() => {}), refreshSeconds * 1000);
  sampler.unref();

  let advising: Promise<unknown> | undefined;
  const routes: Record<string, (url: URL) => Promise<unknown>> = {
    '/api/config': async () => ({ refreshSeconds, database: redact(options.database), version }),
    '/api/overview': async () => health(),
    '/api/queries': async () => page('Queries', (tx) => queriesView(tx, version)),
    '/api/locks': async () => page('Locks', locksView),
    '/api/indexes': async () => ({ view: await page('Indexes', indexesView), report: await health(INDEX_CHECKS) }),
    '/api/maintenance': async () => ({ view: await page('Maintenance', maintenanceView), report: await health(MAINTENANCE_CHECKS) }),
    '/api/space': async () => ({ view: await sample(), samples }),
    '/api/advice': async () => {
      // The advisor opens connections of its own; one run at a time.
      advising ??= adviseIndexes({ database: options.database, config }).finally(() => (advising = undefined));
      return advising;
    },
  };

  const planPage = async (url: URL): Promise<string> => {
    const queryid = url.searchParams.get('queryid') ?? '';
    if (!/^-?\d{1,20}$/.test(queryid)) throw new HttpError(400, 'queryid must be a pg_stat_statements queryid (a number)');
    const result = await page('Plan', async (tx) => {
      const { rows } = await tx.query<{ query: string }>(
        'select query from pg_stat_statements where queryid = $1::bigint and dbid = (select oid from pg_database where datname = current_database()) limit 1',
        [queryid],
      );
      const statement = rows[0] && applicationStatement(rows[0].query);
      // Told outside the transaction: the engine rewraps whatever is thrown inside it.
      if (!statement) return { missing: true as const };
      // Asked for by a click: a SELECT whose values are known is run by EXPLAIN ANALYZE (read only, 5 s at most).
      return { query: rows[0].query, planned: await planRecordedStatement(tx, version, queryid, statement.stmt, { analyze: true }) };
    });
    if ('lockWait' in result) return messagePage('Plan', result.lockWait.message);
    if ('missing' in result) throw new HttpError(404, `pg_stat_statements holds no query ${queryid} that can be planned`);
    if ('error' in result.planned) return messagePage('Plan', `This query could not be planned: ${result.planned.error}`);
    const { analysis, generic, params, analyzed } = result.planned;
    const how = generic
      ? 'generic plan (no values known for its parameters)'
      : `${analyzed ? 'EXPLAIN ANALYZE' : 'estimated plan'}${params ? ' with the values pg_qualstats saw' : ''}`;
    return renderPlanHtml(analysis, { title: `Query ${queryid}: ${how}`, query: result.query });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      const status = error instanceof HttpError ? error.status : 500;
      send(res, status, 'application/json', JSON.stringify({ error: redact(error instanceof Error ? error.message : String(error)) }));
    });
  });
  let port = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host ?? '';
    if (host !== `${HOST}:${port}` && host !== `localhost:${port}`) throw new HttpError(403, 'this dashboard answers only at its own 127.0.0.1 address');
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    if (!authorised(req, url)) throw new HttpError(401, 'a token is needed: open the URL pgarch dashboard printed');
    // The advisor's run is work, not a read: POST only; every other page is a GET.
    if (req.method !== (url.pathname === '/api/advice' ? 'POST' : 'GET')) throw new HttpError(405, `${req.method} is not allowed on ${url.pathname}`);
    if (url.pathname === '/') {
      res.setHeader('Set-Cookie', `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/`);
      return send(res, 200, 'text/html; charset=utf-8', shellHtml(), PAGE_CSP);
    }
    const asset = assets.get(url.pathname);
    if (asset) return send(res, 200, `${asset.type}; charset=utf-8`, asset.body);
    if (url.pathname === '/plan') {
      // The plan page brings its own Content-Security-Policy (its one script, by hash). It is shown in
      // a frame, so its errors are a page too (no pg_stat_statements, an unknown queryid), not JSON.
      const page = await planPage(url).then(
        (html) => ({ status: 200, html }),
        (error: unknown) => ({ status: error instanceof HttpError ? error.status : 500, html: messagePage('Plan', redact(error instanceof Error ? error.message : String(error))) }),
      );
      return send(res, page.status, 'text/html; charset=utf-8', page.html, "frame-ancestors 'self'");
    }
    const route = routes[url.pathname];
    if (!route) throw new HttpError(404, `no such page: ${url.pathname}`);
    send(res, 200, 'application/json', JSON.stringify(await route(url)));
  }

  const cookieName = () => `pgarch_token_${port}`;
  function authorised(req: IncomingMessage, url: URL): boolean {
    const header = req.headers['x-pgarch-token'];
    const cookie = (req.headers.cookie ?? '').split(';').map((c) => c.trim().split('=')).find(([name]) => name === cookieName())?.[1];
    const given = url.searchParams.get('token') ?? (typeof header === 'string' ? header : undefined) ?? cookie;
    if (!given) return false;
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${HOST}:${port}/?token=${token}`,
    port,
    token,
    async close() {
      clearInterval(sampler);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await turn;
      await advising?.catch(() => {});
      await engine.close();
    },
  };
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, csp?: string): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    ...(csp ? { 'Content-Security-Policy': csp } : {}),
  });
  res.end(body);
}

function shellHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pgarch dashboard</title>
<link rel="stylesheet" href="/assets/uplot.css">
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<header><strong>pgarch</strong> <span id="database"></span><nav id="tabs"></nav><span id="updated"></span></header>
<main id="page" aria-live="polite"></main>
<script src="/assets/uplot.js"></script>
<script src="/assets/app.js"></script>
</body>
</html>`;
}

function messagePage(title: string, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><p>${escapeHtml(message)}</p></body></html>`;
}
