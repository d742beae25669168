// pgarch dashboard, in the browser. Plain DOM: every piece of database text (queries, names, messages)
// goes in as textContent, never as HTML. It asks only its own server, with the token from its URL.
'use strict';

const token = new URLSearchParams(location.search).get('token') || '';
const PAGES = [
  ['overview', 'Overview'],
  ['queries', 'Queries'],
  ['locks', 'Locks'],
  ['indexes', 'Indexes'],
  ['space', 'Space'],
  ['maintenance', 'Maintenance'],
];
let refreshSeconds = 10;
let timer;

/** An element with attributes/properties and children (strings become text nodes). */
function h(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const svgNS = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...children) {
  const node = document.createElementNS(svgNS, tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function bytes(n) {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${Math.round(n / 1024)} kB`;
}
const count = (n) => Number(n).toLocaleString('en-US');
const ms = (n) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(1)} ms`);
const oneLine = (q) => q.replace(/\s+/g, ' ').trim();

async function api(path, init) {
  const res = await fetch(path, { ...init, headers: { 'X-Pgarch-Token': token }, cache: 'no-store' });
  const body = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
  if (!res.ok) throw new Error(body.error || `HTTP ${res.status}`);
  return body;
}

function findingList(findings, empty) {
  if (!findings.length) return h('p', { class: 'ok' }, empty);
  return h(
    'ul',
    { class: 'findings' },
    findings.map((f) =>
      h(
        'li',
        { class: `finding ${f.severity}`, dataset: { rule: f.rule } },
        h('span', { class: `badge ${f.severity}` }, f.severity),
        h('code', { class: 'rule' }, f.rule),
        f.object ? h('span', { class: 'object' }, f.object) : null,
        h('div', { class: 'message' }, f.message),
        f.hint ? h('div', { class: 'hint' }, f.hint) : null,
      ),
    ),
  );
}

/** A page's data may be a lock-wait instead: the table another session holds. */
function lockBanner(data) {
  return data && data.lockWait ? h('div', { class: 'banner warning', role: 'alert' }, data.lockWait.message, data.lockWait.hint ? h('div', { class: 'hint' }, data.lockWait.hint) : null) : null;
}

function table(columns, rows, onRow) {
  return h(
    'table',
    {},
    h('thead', {}, h('tr', {}, columns.map(([label, , cls]) => h('th', { class: cls }, label)))),
    h(
      'tbody',
      {},
      rows.map((row) =>
        h(
          'tr',
          onRow ? { class: 'clickable', tabindex: 0, onclick: () => onRow(row), onkeydown: (e) => e.key === 'Enter' && onRow(row) } : {},
          columns.map(([, cell, cls]) => h('td', { class: cls }, cell(row))),
        ),
      ),
    ),
  );
}

const pages = {
  async overview() {
    const report = await api('/api/overview');
    const { errors, warnings, infos } = report.summary;
    return [
      h('h1', {}, 'Overview'),
      h('p', { class: 'summary' }, `${errors} errors, ${warnings} warnings, ${infos} notes in ${report.summary.checks} checks`),
      findingList(report.findings, 'No findings: the database looks healthy.'),
    ];
  },

  async queries(queryid) {
    if (queryid) {
      return [
        h('p', {}, h('a', { href: '#queries' }, '← all queries')),
        h('h1', {}, `Plan of query ${queryid}`),
        h('iframe', { class: 'plan', title: `plan of query ${queryid}`, src: `/plan?queryid=${encodeURIComponent(queryid)}&token=${encodeURIComponent(token)}` }),
      ];
    }
    const data = await api('/api/queries');
    if (data.lockWait) return [h('h1', {}, 'Queries'), lockBanner(data)];
    if (!data.available) return [h('h1', {}, 'Queries'), h('div', { class: 'banner info' }, data.hint)];
    const columns = [
      ['Query', (r) => h('code', { class: 'query' }, oneLine(r.query).slice(0, 200)), 'wide'],
      ['Calls', (r) => count(r.calls), 'num'],
      ['Total', (r) => ms(r.totalMs), 'num'],
      ['Mean', (r) => ms(r.meanMs), 'num'],
      ['Rows', (r) => count(r.rows), 'num'],
      ['Cache hit', (r) => (r.hitRatio === null ? '–' : `${(r.hitRatio * 100).toFixed(1)}%`), 'num'],
    ];
    const open = (r) => (location.hash = `#queries/${r.queryid}`);
    return [
      h('h1', {}, 'Queries'),
      h('p', { class: 'note' }, 'From pg_stat_statements. Click a query for its plan and the plan rules’ insights (EXPLAIN without ANALYZE: nothing runs).'),
      h('h2', {}, 'Most total time'),
      table(columns, data.byTotal, open),
      h('h2', {}, 'Slowest on average'),
      table(columns, data.byMean, open),
    ];
  },

  async locks() {
    const data = await api('/api/locks');
    if (data.lockWait) return [h('h1', {}, 'Locks'), lockBanner(data)];
    const sessions = data.sessions;
    const byPid = new Map(sessions.map((x) => [x.pid, x]));
    // A session hangs under the first session blocking it; roots block others and wait on nobody here.
    const children = new Map();
    for (const x of sessions) {
      const parent = x.blockedBy.find((p) => byPid.has(p));
      if (parent !== undefined) children.set(parent, [...(children.get(parent) || []), x]);
    }
    const roots = sessions.filter((x) => children.has(x.pid) && !x.blockedBy.some((p) => byPid.has(p)));
    const node = (x, seen) =>
      h(
        'li',
        { class: x.blockedBy.length ? 'blocked' : 'blocker', dataset: { pid: x.pid } },
        h('div', { class: 'session' },
          h('strong', {}, `session ${x.pid}`),
          ` ${x.state || ''}${x.user ? ` · ${x.user}` : ''}`,
          x.blockedBy.length ? h('span', { class: 'badge error' }, `waiting ${Math.round(x.querySeconds || 0)} s${x.waitingOn ? ` for ${x.waitingOn}` : ''}`) : null,
          x.holds.length ? h('span', { class: 'holds' }, ` holds ${x.holds.join(', ')}`) : null,
          h('code', { class: 'query' }, oneLine(x.query).slice(0, 300)),
        ),
        (children.get(x.pid) || []).length && !seen.has(x.pid) ? h('ul', {}, children.get(x.pid).map((c) => node(c, new Set([...seen, x.pid])))) : null,
      );
    return [
      h('h1', {}, 'Locks'),
      roots.length ? h('ul', { class: 'tree' }, roots.map((r) => node(r, new Set()))) : h('p', { class: 'ok' }, 'No session is waiting for a lock.'),
      h('h2', {}, `Sessions (${sessions.length})`),
      table(
        [
          ['PID', (x) => x.pid, 'num'],
          ['State', (x) => x.state || ''],
          ['Waiting for', (x) => (x.waitEventType ? `${x.waitEventType}: ${x.waitEvent}` : '')],
          ['Blocked by', (x) => x.blockedBy.join(', ')],
          ['Transaction', (x) => (x.xactSeconds === null ? '' : `${Math.round(x.xactSeconds)} s`), 'num'],
          ['Query', (x) => h('code', { class: 'query' }, oneLine(x.query).slice(0, 160)), 'wide'],
        ],
        sessions,
      ),
    ];
  },

  async indexes() {
    const { view, report } = await api('/api/indexes');
    const advice = h('div', { id: 'advice' });
    const ask = h('button', {
      onclick: async () => {
        ask.disabled = true;
        advice.replaceChildren(h('p', { class: 'note' }, 'The advisor is costing candidate indexes against the workload in pg_stat_statements…'));
        try {
          const result = await api('/api/advice', { method: 'POST' });
          advice.replaceChildren(findingList(result.findings, 'The advisor found no index that pays.'));
        } catch (e) {
          advice.replaceChildren(h('div', { class: 'banner error' }, e.message));
        } finally {
          ask.disabled = false;
        }
      },
    }, 'Ask the index advisor');
    return [
      h('h1', {}, 'Indexes'),
      findingList(report.findings, 'No unused, duplicate or invalid index, and no table that a missing index makes read whole.'),
      h('h2', {}, 'Advice'),
      ask,
      advice,
      h('h2', {}, 'All indexes'),
      view.lockWait
        ? lockBanner(view)
        : table(
            [
              ['Index', (i) => i.name],
              ['Table', (i) => i.table],
              ['Size', (i) => bytes(i.bytes), 'num'],
              ['Scans', (i) => count(i.scans), 'num'],
              ['', (i) => [i.primary ? 'primary' : i.unique ? 'unique' : '', i.valid ? '' : h('span', { class: 'badge error' }, 'invalid')]],
              ['Definition', (i) => (i.definition === null ? h('span', { class: 'note' }, `(not read: session ${i.lockedBy} holds ACCESS EXCLUSIVE on it or its table)`) : h('code', {}, i.definition)), 'wide'],
            ],
            view.indexes,
          ),
    ];
  },

  async space() {
    const { view, samples } = await api('/api/space');
    if (view.lockWait) return [h('h1', {}, 'Space'), lockBanner(view)];
    const chart = h('div', { class: 'chart', id: 'growth' });
    const out = [
      h('h1', {}, 'Space'),
      h('p', { class: 'summary' }, `Database: ${bytes(view.databaseBytes)}. Table and index sizes are as of their last VACUUM, ANALYZE or CREATE INDEX.`),
      h('h2', {}, `Growth over ${samples.length} sample${samples.length === 1 ? '' : 's'}`),
      chart,
      h('h2', {}, 'Largest tables (with TOAST)'),
      bars(view.tables),
      h('h2', {}, 'Largest indexes'),
      bars(view.indexes),
    ];
    // uPlot sizes itself from the container, which is in the document by the next frame.
    requestAnimationFrame(() => growthChart(chart, samples, view.tables.slice(0, 4).map((t) => t.name)));
    return out;
  },

  async maintenance() {
    const { view, report } = await api('/api/maintenance');
    if (view.lockWait) return [h('h1', {}, 'Maintenance'), lockBanner(view), findingList(report.findings, '')];
    const share = (age) => `${((age / view.wraparoundLimit) * 100).toFixed(2)}%`;
    return [
      h('h1', {}, 'Maintenance'),
      h('p', { class: 'summary' }, `Autovacuum is ${view.autovacuum ? 'on' : 'OFF'}. Transaction-ID age ${count(view.xidAge)} (${share(view.xidAge)} of the wraparound limit), multixact age ${count(view.multixactAge)} (${share(view.multixactAge)}).`),
      findingList(report.findings, 'Nothing needs vacuuming or freezing.'),
      h('h2', {}, 'Tables'),
      table(
        [
          ['Table', (t) => t.table],
          ['Live rows', (t) => count(t.liveTuples), 'num'],
          ['Dead rows', (t) => count(t.deadTuples), 'num'],
          ['Changed since analyze', (t) => count(t.modifiedSinceAnalyze), 'num'],
          ['Last vacuum', (t) => (t.lastVacuum ? new Date(t.lastVacuum).toLocaleString() : 'never')],
          ['Last analyze', (t) => (t.lastAnalyze ? new Date(t.lastAnalyze).toLocaleString() : 'never')],
          ['XID age', (t) => count(t.xidAge), 'num'],
          ['Autovacuum', (t) => (t.autovacuumEnabled ? 'on' : 'off')],
        ],
        view.tables,
      ),
    ];
  },
};

/** Horizontal bars, plain SVG, one per relation. */
function bars(relations) {
  if (!relations.length) return h('p', { class: 'note' }, 'None.');
  const max = Math.max(...relations.map((r) => r.bytes), 1);
  const row = 22;
  const svg = s('svg', { class: 'bars', viewBox: `0 0 800 ${relations.length * row}`, role: 'img', 'aria-label': 'sizes' });
  relations.forEach((r, i) => {
    const y = i * row;
    svg.append(
      s('text', { x: 0, y: y + 15, class: 'label' }, r.name.length > 38 ? `${r.name.slice(0, 37)}…` : r.name),
      s('rect', { x: 300, y: y + 3, width: Math.max(1, (r.bytes / max) * 400), height: row - 6, class: r.kind }),
      s('text', { x: 310 + (r.bytes / max) * 400, y: y + 15, class: 'value' }, bytes(r.bytes)),
    );
  });
  return svg;
}

/** The database size and the largest tables over the samples the server has taken (uPlot). */
function growthChart(container, samples, names) {
  if (samples.length < 2 || typeof uPlot === 'undefined') {
    container.append(h('p', { class: 'note' }, 'The chart fills in as samples are taken (one per refresh).'));
    return;
  }
  const xs = samples.map((x) => x.at / 1000);
  const series = [['database', samples.map((x) => x.databaseBytes)], ...names.map((n) => [n, samples.map((x) => x.tables[n] ?? null)])];
  const colors = ['#2563eb', '#d97706', '#059669', '#dc2626', '#7c3aed'];
  // eslint-disable-next-line no-undef
  new uPlot(
    {
      width: Math.max(400, container.clientWidth || 800),
      height: 260,
      series: [{}, ...series.map(([label], i) => ({ label, stroke: colors[i % colors.length], width: 2, value: (_, v) => (v === null ? '–' : bytes(v)) }))],
      axes: [{}, { values: (_, ticks) => ticks.map(bytes), size: 70 }],
    },
    [xs, ...series.map(([, ys]) => ys)],
    container,
  );
}

function route() {
  const [name, arg] = (location.hash.slice(1) || 'overview').split('/');
  return PAGES.some(([id]) => id === name) ? [name, arg] : ['overview', undefined];
}

let rendering = 0;
async function render() {
  const [name, arg] = route();
  for (const a of document.querySelectorAll('#tabs a')) a.classList.toggle('active', a.dataset.page === name);
  const mine = ++rendering;
  const main = document.getElementById('page');
  if (!main.dataset.page || main.dataset.page !== `${name}/${arg || ''}`) main.replaceChildren(h('p', { class: 'note' }, 'Loading…'));
  try {
    const content = await pages[name](arg);
    if (mine !== rendering) return;
    main.dataset.page = `${name}/${arg || ''}`;
    main.replaceChildren(...[content].flat().filter(Boolean));
    document.getElementById('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (e) {
    if (mine === rendering) main.replaceChildren(h('div', { class: 'banner error', role: 'alert' }, e.message));
  }
}

/** Pages refresh on their own, except a plan and the advisor's answer, which are asked for. */
function schedule() {
  clearInterval(timer);
  timer = setInterval(() => {
    const [name, arg] = route();
    if (arg || document.hidden || (name === 'indexes' && document.getElementById('advice')?.childElementCount)) return;
    render();
  }, refreshSeconds * 1000);
}

async function start() {
  document.getElementById('tabs').replaceChildren(...PAGES.map(([id, label]) => h('a', { href: `#${id}`, dataset: { page: id } }, label)));
  try {
    const config = await api('/api/config');
    refreshSeconds = config.refreshSeconds;
    document.getElementById('database').textContent = `${config.database} · PostgreSQL ${Math.floor(config.version / 10000)}`;
  } catch (e) {
    document.getElementById('page').replaceChildren(h('div', { class: 'banner error' }, e.message));
    return;
  }
  window.addEventListener('hashchange', render);
  await render();
  schedule();
}

start();
