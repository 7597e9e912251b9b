// The dashboard page: first load from the REST snapshot, then live over Server-Sent Events (the
// browser's EventSource resumes by Last-Event-ID by itself after a dropped connection). The same
// script serves the operator page and the read-only issuer page; body[data-view] says which, and the
// issuer page has no element for a treasury figure to land in.
import { CHARTS } from './charts.js';
import { DASH, ago, bps, compact, money, pct, price, seconds, time } from './format.js';

/**
 * A feed older than this many seconds is stale: its venue turns red. Half the quoting worker's data-age
 * limit (60 s, hotpath/quoter-config.ts), which polls a quiet book every 20 s: red before quotes are pulled.
 */
const STALE_AFTER_S = 30;
/** The live indicator turns amber when no snapshot came for this long (the API sends every 1–2 s). */
const QUIET_AFTER_MS = 5_000;
/** Points of price history kept per line (about an hour at one snapshot a second). */
const HISTORY_POINTS = 3_600;

const body = document.body;
const view = body.dataset.view;
const state = { snapshot: undefined, receivedAt: 0, updates: 0, connected: false, modes: new Map(), modeChanges: [] };
const history = { fair: [], venues: {}, lastSeq: -1 };
const charts = new Map();

const $ = (sel) => document.querySelector(sel);
const field = (name) => $(`[data-field="${name}"]`);

/** A table from column specs: { label, num?, cell(row) → text | Node }. */
function renderTable(name, columns, rows, empty, rowAttrs = () => ({})) {
  const table = $(`[data-table="${name}"]`);
  if (!table) return;
  const head = `<tr>${columns.map((c) => `<th class="${c.num ? 'num' : ''}">${c.label}</th>`).join('')}</tr>`;
  table.innerHTML = `<thead>${head}</thead><tbody></tbody>`;
  const tbody = table.tBodies[0];
  if (!rows || rows.length === 0) {
    const tr = tbody.insertRow();
    const td = tr.insertCell();
    td.colSpan = columns.length;
    td.className = 'empty';
    td.textContent = rows === null ? 'unavailable (source down)' : empty;
    return;
  }
  for (const row of rows) {
    const tr = tbody.insertRow();
    for (const [k, v] of Object.entries(rowAttrs(row))) tr.setAttribute(k, v);
    for (const c of columns) {
      const td = tr.insertCell();
      if (c.num) td.className = 'num';
      const x = c.cell(row);
      if (x instanceof Node) td.append(x);
      else td.textContent = x ?? DASH;
    }
  }
}

const badge = (text, kind = '') => Object.assign(document.createElement('span'), { className: `badge ${kind}`, textContent: text });
const link = (href, text, workflowId) => {
  const a = Object.assign(document.createElement('a'), { href, textContent: text, target: '_blank', rel: 'noopener' });
  if (workflowId) a.dataset.workflowId = workflowId;
  return a;
};

/** Why a venue is red, or [] when it is green. */
function venueProblems(v) {
  const out = [];
  if (v.healthy === false) out.push('unhealthy');
  if (v.feedAgeSeconds !== null && v.feedAgeSeconds > STALE_AFTER_S) out.push('stale feed');
  if (v.killSwitch?.tripped) out.push(`kill switch: ${v.killSwitch.reasons.join(', ') || 'tripped'}`);
  return out;
}

const band = (v, b) => v.depth.find((d) => d.band === b);
const modeKind = (m) => (m === 'normal' ? 'ok' : m === 'paused' || m === 'withdraw-only' ? 'bad' : m ? 'warn' : '');

function renderVenues(s) {
  const operator = view === 'operator';
  const columns = [
    { label: 'venue', cell: (v) => `${v.id} · ${v.kind}` },
    { label: 'health', cell: (v) => { const p = venueProblems(v); return badge(p.length ? p.join('; ') : v.healthy === null ? 'unknown' : 'healthy', p.length ? 'bad' : 'ok'); } },
    ...(operator
      ? [
          { label: 'mode', cell: (v) => Object.assign(badge(v.mode ?? 'unknown', modeKind(v.mode)), { title: v.modeReason ?? '' }) },
          { label: 'kill switch', cell: (v) => (v.killSwitch.tripped === null ? DASH : badge(v.killSwitch.tripped ? 'TRIPPED' : 'armed', v.killSwitch.tripped ? 'bad' : 'ok')) },
        ]
      : []),
    { label: 'feed age', num: true, cell: (v) => seconds(v.feedAgeSeconds) },
    { label: 'mid', num: true, cell: (v) => price(v.mid) },
    { label: 'vs fair', num: true, cell: (v) => bps(v.gapToFairRatio) },
    { label: 'spread / max', num: true, cell: (v) => `${bps(v.spread.ratio)} / ${bps(v.spread.maxRatio)}` },
    { label: 'depth ±2 % bid / ask', num: true, cell: (v) => `${compact(band(v, '2')?.bidQuote)} / ${compact(band(v, '2')?.askQuote)}` },
    { label: 'vol 24 h / min', num: true, cell: (v) => `${compact(v.volume24h.quote)} / ${compact(v.volume24h.minQuote)}` },
    { label: 'our share ±2 %', num: true, cell: (v) => pct(band(v, '2')?.shareRatio, 1) },
    { label: 'uptime 24 h / 7 d', num: true, cell: (v) => `${pct(v.compliance.uptime24h, 1)} / ${pct(v.compliance.uptime7d, 1)}` },
    { label: 'book now', cell: (v) => (v.compliance.ok === null ? DASH : Object.assign(badge(v.compliance.ok ? 'ok' : 'BREACH', v.compliance.ok ? 'ok' : 'bad'), { title: 'the live book meets the spread and depth rules (the quoting worker\'s check); uptime also counts the 24 h volume rule' })) },
  ];
  renderTable('venues', columns, s.venues, 'no venues configured', (v) => ({ 'data-venue': v.id, 'data-health': venueProblems(v).length ? 'red' : 'green', ...(operator ? { 'data-mode': v.mode ?? 'unknown' } : {}) }));
}

/** Operating-mode changes between snapshots, newest first (the page's own log; the history is in Temporal). */
function noteModes(s) {
  for (const v of s.venues) {
    const before = state.modes.get(v.id);
    if (before !== undefined && before !== v.mode) state.modeChanges.unshift({ at: s.at, venue: v.id, from: before, to: v.mode, reason: v.modeReason });
    state.modes.set(v.id, v.mode);
  }
  state.modeChanges.length = Math.min(state.modeChanges.length, 50);
}

function renderOperatorTables(s) {
  noteModes(s);
  renderTable('mode-changes', [
    { label: 'at', cell: (c) => time(c.at) },
    { label: 'venue', cell: (c) => c.venue },
    { label: 'change', cell: (c) => `${c.from ?? '?'} → ${c.to ?? '?'}` },
    { label: 'reason', cell: (c) => c.reason ?? '' },
  ], state.modeChanges, 'no change since this page opened', (c) => ({ 'data-venue': c.venue, 'data-mode-to': c.to ?? '' }));
  renderTable('imbalances', [
    { label: 'venue', cell: (i) => i.venueId },
    { label: 'kind', cell: (i) => i.kind },
    { label: 'value', num: true, cell: (i) => compact(i.value) },
    { label: 'since', cell: (i) => (i.since ? time(i.since) : DASH) },
    { label: 'acted by', cell: (i) => i.actedBy ?? '' },
  ], s.imbalances, 'none open');
  renderTable('decisions', [
    { label: 'started', cell: (d) => time(d.startedAt) },
    { label: 'action', cell: (d) => d.kind },
    { label: 'key', cell: (d) => d.key },
    { label: 'status', cell: (d) => badge(d.status, d.status === 'running' ? 'warn' : d.status === 'failed' ? 'bad' : 'ok') },
    { label: 'reserved / moved USD', num: true, cell: (d) => `${money(d.reservedUsd)} / ${money(d.movedUsd)}` },
    { label: 'workflow', cell: (d) => link(d.uiUrl, d.workflowId, d.workflowId) },
  ], s.decisions, 'no decision yet');
  renderTable('workflows', [
    { label: 'type', cell: (w) => w.type },
    { label: 'status', cell: (w) => badge(w.status, 'warn') },
    { label: 'started', cell: (w) => time(w.startTime) },
    { label: 'workflow', cell: (w) => link(w.uiUrl, w.workflowId, w.workflowId) },
  ], s.workflows, 'nothing running');
  renderTable('in-flight', [
    { label: 'since', cell: (t) => time(t.since) },
    { label: 'amount', num: true, cell: (t) => `${money(t.amount)} ${t.asset}` },
    { label: 'USD', num: true, cell: (t) => money(t.amountUsd) },
    { label: 'from → to', cell: (t) => `${t.from ?? '?'} → ${t.to ?? '?'}` },
    { label: 'workflow', cell: (t) => link(t.uiUrl, t.workflowId, t.workflowId) },
  ], s.inventory.inFlight, 'nothing in flight');
  const ks = s.killSwitch;
  field('kill-switch').textContent = ks.anyTripped === null ? DASH : ks.anyTripped ? `TRIPPED (${ks.trips.map((t) => `${t.venue}: ${t.reason}`).join(', ')})` : 'armed';
  field('modes-known').textContent = s.modesKnown === null ? DASH : s.modesKnown ? 'known' : 'UNKNOWN — quotes pulled';
  const coord = field('coordinator-link');
  coord.href = s.coordinator.uiUrl;
  coord.dataset.workflowId = s.coordinator.workflowId;
}

function renderHeader(s) {
  field('asset').textContent = `${s.asset.symbol}/${s.asset.quote}`;
  field('fair-value').textContent = price(s.fairValue);
  const down = Object.entries(s.sources).filter(([, x]) => x.configured && !x.ok);
  field('sources').innerHTML = '';
  if (down.length) {
    const span = Object.assign(document.createElement('span'), { className: 'down', textContent: `sources down: ${down.map(([k, x]) => `${k}${x.error ? ` (${x.error})` : ''}`).join('; ')}` });
    field('sources').append(span);
  }
}

function remember(s) {
  if (s.seq <= history.lastSeq) return;
  history.lastSeq = s.seq;
  const t = Date.parse(s.at);
  const push = (arr, y) => {
    arr.push([t, y]);
    if (arr.length > HISTORY_POINTS) arr.shift();
  };
  if (s.fairValue !== null) push(history.fair, s.fairValue);
  for (const v of s.venues) if (v.mid !== null) push((history.venues[v.id] ??= []), v.mid);
}

function renderCharts(s) {
  for (const [name, chart] of charts) {
    const build = CHARTS[name];
    if (build) chart.setOption({ animationDuration: 250, animationDurationUpdate: 250, ...build(s, history, STALE_AFTER_S) }, { notMerge: true });
  }
}

function apply(s) {
  if (state.snapshot && s.seq <= state.snapshot.seq) return; // an older snapshot (REST answered after the stream)
  state.snapshot = s;
  state.receivedAt = Date.now();
  state.updates += 1;
  body.dataset.seq = String(s.seq);
  remember(s);
  renderHeader(s);
  renderVenues(s);
  if (view === 'operator') renderOperatorTables(s);
  renderCharts(s);
  tick();
}

/** The live indicator: "live · updated 1.2 s ago", amber when quiet, red while reconnecting. */
function tick() {
  const el = $('[data-live]');
  if (!state.snapshot) return;
  const age = Date.now() - state.receivedAt;
  const mode = !state.connected ? 'reconnecting' : age > QUIET_AFTER_MS ? 'stale' : 'live';
  el.dataset.live = mode;
  el.textContent = mode === 'reconnecting' ? `reconnecting… last update ${ago(age)} ago` : `${mode === 'live' ? 'live' : 'no update'} · updated ${ago(age)} ago`;
}

function connect() {
  const es = new EventSource(body.dataset.events);
  es.addEventListener('open', () => {
    state.connected = true;
    tick();
  });
  es.addEventListener('snapshot', (e) => apply(JSON.parse(e.data)));
  // EventSource retries by itself (sending Last-Event-ID); the indicator says so meanwhile.
  es.addEventListener('error', () => {
    state.connected = false;
    tick();
  });
}

async function main() {
  // Ask for the snapshot and open the stream first; set the charts up while they are on their way.
  const first = fetch(body.dataset.snapshot, { headers: { accept: 'application/json' } }).then((r) => (r.ok ? r.json() : undefined));
  connect();
  for (const el of document.querySelectorAll('[data-chart]')) charts.set(el.dataset.chart, window.echarts.init(el, null, { renderer: 'canvas' }));
  window.addEventListener('resize', () => charts.forEach((c) => c.resize()));
  setInterval(tick, 500);
  try {
    const s = await first;
    if (s) apply(s);
  } catch {
    // The stream delivers the first snapshot instead.
  }
}

// For tests and the console: the latest snapshot and how many were applied.
window.ballastDashboard = { get snapshot() { return state.snapshot; }, get updates() { return state.updates; }, charts };

void main();
