// A self-contained HTML report of a backtest: the metric tables and inline SVG line charts (price vs
// fundamental, spread, depth, inventory per venue, PnL decomposition). No scripts, no external assets.
import type { VenueRequirements } from '../../domain/compliance';
import type { DecisionRecord } from './closed-loop';
import { pnlSeries } from './metrics';
import { formatScorecard } from './scorecard-report';
import type { SeedRow } from './aggregate';
import type { MetricRow, StrategyResult } from './run-backtest';

export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
  /** Colour key: series of one venue share its colour (default: the name). */
  colorKey?: string;
  dashed?: boolean;
}

/** A horizontal reference line (a requirement). */
export interface RefLine {
  label: string;
  y: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf', '#7f7f7f', '#bcbd22', '#e377c2'];
const MAX_POINTS = 800;
/** Charts are drawn in this coordinate width and scaled to the page's full width (viewBox). */
const CHART_W = 1200;

// One colour per venue (or other key) for the whole report, so a venue is the same colour in every
// chart; the fundamental is always black.
const assigned = new Map<string, string>([['fundamental', '#000000']]);
function colorOf(key: string): string {
  let c = assigned.get(key);
  if (c === undefined) {
    c = COLORS[(assigned.size - 1) % COLORS.length]!;
    assigned.set(key, c);
  }
  return c;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Keeps at most MAX_POINTS evenly spaced points (charts do not need every sample). */
function thin(points: readonly (readonly [number, number])[]): (readonly [number, number])[] {
  if (points.length <= MAX_POINTS) return [...points];
  const step = points.length / MAX_POINTS;
  const out: (readonly [number, number])[] = [];
  for (let i = 0; i < MAX_POINTS; i++) out.push(points[Math.floor(i * step)]!);
  out.push(points[points.length - 1]!);
  return out;
}

function tickLabel(x: number): string {
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return x.toExponential(2);
  return Number(x.toPrecision(4)).toString();
}

/** An SVG line chart at full page width; x is in ms from the start and labelled in hours. */
export function lineChart(title: string, series: readonly Series[], opts: { height?: number; refs?: readonly RefLine[] } = {}): string {
  const width = CHART_W;
  const height = opts.height ?? 240;
  const refs = opts.refs ?? [];
  const pad = { l: 70, r: 16, t: 24, b: 28 };
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const legendRows = Math.ceil((series.length + refs.length) / 6);
  const totalH = height + 18 * legendRows + 4;
  const head = `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${totalH}" preserveAspectRatio="xMinYMin meet" font-family="sans-serif" font-size="12">`;
  const titleEl = `<text x="${pad.l}" y="15" font-weight="bold">${escapeHtml(title)}</text>`;
  if (all.length === 0) return `${head}${titleEl}<text x="${pad.l}" y="${height / 2}">no data</text></svg>`;
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const [x, y] of all) [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
  for (const r of refs) [y0, y1] = [Math.min(y0, r.y), Math.max(y1, r.y)];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const sx = (x: number): number => pad.l + ((x - x0) / (x1 - x0)) * (width - pad.l - pad.r);
  const sy = (y: number): number => height - pad.b - ((y - y0) / (y1 - y0)) * (height - pad.t - pad.b);
  const parts = [head, titleEl, `<rect x="${pad.l}" y="${pad.t}" width="${width - pad.l - pad.r}" height="${height - pad.t - pad.b}" fill="none" stroke="#ccc"/>`];
  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4;
    parts.push(`<text x="${pad.l - 4}" y="${sy(y) + 4}" text-anchor="end">${tickLabel(y)}</text>`);
  }
  for (let i = 0; i <= 8; i++) {
    const x = x0 + ((x1 - x0) * i) / 8;
    parts.push(`<text x="${sx(x)}" y="${height - pad.b + 14}" text-anchor="middle">${(x / 3_600_000).toFixed(2)}h</text>`);
  }
  const legend: string[] = [];
  const legendAt = (i: number): [number, number] => [pad.l + (i % 6) * 185, height + 4 + 18 * Math.floor(i / 6)];
  series.forEach((s, i) => {
    const color = colorOf(s.colorKey ?? s.name);
    const dash = s.dashed ? ' stroke-dasharray="6 3"' : '';
    const pts = thin(s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
    if (pts.length > 0) parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.3"${dash} points="${pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`);
    const [lx, ly] = legendAt(i);
    legend.push(`<line x1="${lx}" y1="${ly + 5}" x2="${lx + 14}" y2="${ly + 5}" stroke="${color}" stroke-width="3"${dash}/><text x="${lx + 18}" y="${ly + 9}">${escapeHtml(s.name)}</text>`);
  });
  refs.forEach((r, j) => {
    parts.push(`<line x1="${pad.l}" y1="${sy(r.y).toFixed(1)}" x2="${width - pad.r}" y2="${sy(r.y).toFixed(1)}" stroke="#555" stroke-width="1" stroke-dasharray="2 3"/>`);
    const [lx, ly] = legendAt(series.length + j);
    legend.push(`<line x1="${lx}" y1="${ly + 5}" x2="${lx + 14}" y2="${ly + 5}" stroke="#555" stroke-dasharray="2 3"/><text x="${lx + 18}" y="${ly + 9}">${escapeHtml(r.label)}</text>`);
  });
  parts.push(...legend, '</svg>');
  return parts.join('');
}

const COLUMNS: [string, (r: MetricRow) => number | null][] = [
  ['TW spread %', (r) => r.twSpreadPct],
  ['% time spread ok', (r) => r.spreadOkPct],
  ['% time depth ok', (r) => r.depthOkPct],
  ['bid depth ok %', (r) => r.bidDepthOkPct],
  ['ask depth ok %', (r) => r.askDepthOkPct],
  ['healthy %', (r) => r.healthyPct],
  ['volume (quote)', (r) => r.volumeQuote],
  ['MM volume', (r) => r.mmVolumeQuote],
  ['MM fees', (r) => r.feesPaid],
  ['realized PnL', (r) => r.realizedPnl],
  ['inventory PnL', (r) => r.inventoryPnl],
  ['realized vol (ann.)', (r) => r.realizedVol],
  ['vol / no-MM', (r) => r.volRatio],
  ['max inv. dev. (base)', (r) => r.maxInventoryDev],
];

export const METRIC_COLUMNS = COLUMNS;

/** What the columns mean (printed under the table and in the report). */
export const LEGEND = [
  'TW spread: time-weighted (sample-and-hold, 10 s samples) best-ask − best-bid, % of mid; overall = mean over venues.',
  '% time ok: spread ≤ maxSpreadPct / thinner side ≥ minDepthQuote within ±depthBandPct (config/demo.yaml), each side also alone; healthy time only',
  '(outside the venue\'s own outage); overall = all venues with a requirement that are up, at once.',
  'volume: the whole venue; MM volume/fees: the market maker only. realized PnL = Σ fills (fundamental at fill − price) × ±amount − fees;',
  'inventory PnL = total − realized = Σ base × Δfundamental (includes the starting inventory). realized vol: annualized, 1-min venue mids;',
  'overall = mean of venue mids. Arbitrage losses = arbitrageurs\' realized profit (all venues). Max inv. dev.: |MM base − starting base|, base units.',
].join('\n');

function table(r: StrategyResult): string {
  const head = `<tr><th>venue</th>${COLUMNS.map(([n]) => `<th>${escapeHtml(n)}</th>`).join('')}</tr>`;
  const row = (x: MetricRow): string => `<tr><td>${escapeHtml(x.venue)}</td>${COLUMNS.map(([, f]) => `<td>${fmtCell(f(x))}</td>`).join('')}</tr>`;
  return `<table>${head}${r.rows.map(row).join('')}${row(r.overall)}</table><p>Arbitrage losses (arbitrageurs' realized profit): ${fmtCell(r.overall.arbitrageLosses)}</p>`;
}

export function fmtCell(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  return a >= 1000 ? x.toFixed(0) : a >= 1 ? x.toFixed(2) : x.toPrecision(3);
}

function charts(r: StrategyResult, requirements: Record<string, VenueRequirements>): string {
  const rec = r.recording;
  const venues = Object.keys(rec.venues);
  const price: Series[] = [
    { name: 'fundamental', points: r.summary.pricePath.map((s) => [s.t, s.fundamental] as const) },
    ...venues.map((id) => ({ name: id, points: r.summary.pricePath.filter((s) => s.mids[id] != null).map((s) => [s.t, s.mids[id]!] as const) })),
  ];
  const spread = venues.map((id) => ({ name: id, points: rec.venues[id]!.filter((s) => s.spreadPct !== null).map((s) => [s.t, s.spreadPct!] as const) }));
  const out = [lineChart('Price per venue vs the fundamental', price), lineChart('Spread, % of mid', spread)];
  out.push(...venues.map((id) => depthChart(r, id, requirements[id])));
  if (r.strategy !== 'none') {
    const cex = venues.filter((id) => (rec.fills[id]?.length ?? 0) > 0 || rec.venues[id]!.some((s) => s.mmBase !== '0'));
    out.push(lineChart('Ballast inventory (base) per venue', cex.map((id) => ({ name: id, points: rec.venues[id]!.map((s) => [s.t, Number(s.mmBase)] as const) }))));
    const pnl: Series[] = [];
    const all = new Map<number, { realized: number; total: number }>();
    for (const id of cex) {
      const ps = pnlSeries(rec.venues[id]!, rec.fills[id] ?? [], rec.fundamental);
      pnl.push({ name: `${id} realized`, colorKey: id, points: ps.map((p) => [p.t, p.realized] as const) });
      pnl.push({ name: `${id} inventory`, colorKey: id, dashed: true, points: ps.map((p) => [p.t, p.total - p.realized] as const) });
      for (const p of ps) {
        const a = all.get(p.t) ?? { realized: 0, total: 0 };
        all.set(p.t, { realized: a.realized + p.realized, total: a.total + p.total });
      }
    }
    // Summed over venues, transfers between them cancel out (only their fees and the time in flight show).
    const sum = [...all.entries()].sort((a, b) => a[0] - b[0]);
    pnl.push({ name: 'all venues realized', colorKey: 'all venues', points: sum.map(([t, v]) => [t, v.realized] as const) });
    pnl.push({ name: 'all venues inventory', colorKey: 'all venues', dashed: true, points: sum.map(([t, v]) => [t, v.total - v.realized] as const) });
    out.push(lineChart('PnL decomposition (quote): realized (solid) vs inventory (dashed); a transfer between venues is a step down at its source and up at its destination', pnl));
  }
  return out.join('\n');
}

/** One venue's ±band depth per side against its requirement (Ballast's own share dotted), outages shaded in the title. */
function depthChart(r: StrategyResult, id: string, req: VenueRequirements | undefined): string {
  const samples = r.recording.venues[id]!;
  const series: Series[] = [
    { name: `${id} bid depth`, colorKey: id, points: samples.map((s) => [s.t, s.bidDepthQuote] as const) },
    { name: `${id} ask depth`, colorKey: id, dashed: true, points: samples.map((s) => [s.t, s.askDepthQuote] as const) },
  ];
  if (r.strategy !== 'none' && samples.some((s) => s.mmBidDepthQuote > 0 || s.mmAskDepthQuote > 0)) {
    series.push({ name: 'Ballast bid', colorKey: 'ballast-own', points: samples.map((s) => [s.t, s.mmBidDepthQuote] as const) });
    series.push({ name: 'Ballast ask', colorKey: 'ballast-own', dashed: true, points: samples.map((s) => [s.t, s.mmAskDepthQuote] as const) });
  }
  const outage = samples.filter((s) => s.outage).length;
  const band = req?.depthBandPct ?? '2';
  const title = `${id}: depth within ±${band} % per side (quote) against the requirement${outage > 0 ? ` — ${outage} samples in outage` : ''}`;
  return lineChart(title, series, { height: 200, refs: req ? [{ label: `requirement ${req.minDepthQuote}`, y: Number(req.minDepthQuote) }] : [] });
}

const ACTION_ROW_H = 22;

/**
 * The decision timeline: imbalances raised → cleared (thin bars per venue and kind) above the
 * decisions they led to (thick bars from start to finish), on the run's time axis, then a table.
 */
export function decisionTimeline(r: Pick<StrategyResult, 'imbalances' | 'decisions' | 'summary'>, startMs: number): string {
  const endT = r.summary.simulatedMs;
  const episodes: { key: string; venue: string; from: number; to: number }[] = [];
  const open = new Map<string, number>();
  for (const e of r.imbalances) {
    const key = `${e.venueId} ${e.kind}`;
    if (e.type === 'raised') open.set(key, e.at - startMs);
    else if (open.has(key)) {
      episodes.push({ key, venue: e.venueId, from: open.get(key)!, to: e.at - startMs });
      open.delete(key);
    }
  }
  for (const [key, from] of open) episodes.push({ key, venue: key.split(' ')[0]!, from, to: endT });
  const decisions = r.decisions;
  if (episodes.length === 0 && decisions.length === 0) return '<p>No imbalance was raised and no durable decision was taken.</p>';
  const rows = [...new Set(episodes.map((e) => e.key))].sort();
  const rowOf = (d: DecisionRecord): string => `${d.kind}${d.venue ? ` ${d.venue}` : ''}`;
  const actionRows = [...new Set(decisions.map(rowOf))].sort();
  const width = CHART_W;
  const pad = { l: 230, r: 16, t: 24 };
  const height = pad.t + (rows.length + actionRows.length) * ACTION_ROW_H + 30;
  const sx = (t: number): number => pad.l + (Math.max(0, Math.min(endT, t)) / Math.max(1, endT)) * (width - pad.l - pad.r);
  const parts = [`<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`, `<text x="4" y="15" font-weight="bold">Decision timeline: imbalances (thin, raised → cleared) and the durable decisions they led to (thick, start → finish)</text>`];
  rows.forEach((key, i) => {
    const y = pad.t + i * ACTION_ROW_H;
    parts.push(`<text x="${pad.l - 6}" y="${y + 14}" text-anchor="end">${escapeHtml(key)}</text>`);
    for (const e of episodes.filter((x) => x.key === key)) {
      parts.push(`<rect x="${sx(e.from).toFixed(1)}" y="${y + 7}" width="${Math.max(1.5, sx(e.to) - sx(e.from)).toFixed(1)}" height="6" fill="${colorOf(e.venue)}" opacity="0.7"><title>${escapeHtml(`${key}: ${(e.from / 60_000).toFixed(1)} → ${(e.to / 60_000).toFixed(1)} min`)}</title></rect>`);
    }
  });
  actionRows.forEach((key, j) => {
    const y = pad.t + (rows.length + j) * ACTION_ROW_H;
    parts.push(`<text x="${pad.l - 6}" y="${y + 14}" text-anchor="end" font-weight="bold">${escapeHtml(key)}</text>`);
    for (const d of decisions.filter((x) => rowOf(x) === key)) {
      const from = d.startedAt - startMs;
      const to = (d.finishedAt ?? startMs + endT) - startMs;
      const color = d.status === 'failed' ? '#d62728' : d.venue ? colorOf(d.venue) : '#444';
      parts.push(`<rect x="${sx(from).toFixed(1)}" y="${y + 3}" width="${Math.max(2, sx(to) - sx(from)).toFixed(1)}" height="14" fill="${color}"><title>${escapeHtml(`${d.id} ${rowOf(d)} ${d.status}: ${d.summary ?? d.message ?? d.reason}`)}</title></rect>`);
    }
  });
  const axisY = height - 10;
  for (let i = 0; i <= 8; i++) parts.push(`<text x="${sx((endT * i) / 8).toFixed(1)}" y="${axisY}" text-anchor="middle">${((endT * i) / 8 / 3_600_000).toFixed(2)}h</text>`);
  parts.push('</svg>');
  const min = (t: number | undefined) => (t === undefined ? '—' : `${((t - startMs) / 60_000).toFixed(1)}`);
  const trig = (d: DecisionRecord): string => d.triggers.map((t) => `${t.venueId} ${t.kind} ${Number(t.value.toPrecision(3))} (raised ${min(t.raisedAt)})`).join('; ');
  const table = `<table><tr><th>decision</th><th>started (min)</th><th>triggered by</th><th>action</th><th>status</th><th>finished (min)</th><th>imbalance cleared (min)</th><th>what it did</th></tr>${decisions
    .map(
      (d) =>
        `<tr><td>${escapeHtml(d.id)}</td><td>${min(d.startedAt)}</td><td class="l">${escapeHtml(trig(d) || d.reason)}</td><td>${escapeHtml(rowOf(d))}</td><td>${escapeHtml(d.status)}</td><td>${min(d.finishedAt)}</td><td>${min(d.clearedAt)}</td><td class="l">${escapeHtml(d.summary ?? d.message ?? d.phase)}</td></tr>`,
    )
    .join('')}</table>`;
  return parts.join('') + table;
}

export function renderReport(title: string, results: readonly StrategyResult[], requirements: Record<string, VenueRequirements> = {}): string {
  const sections = results.map((r) => {
    const startMs = r.recording.startMs;
    const timeline = r.strategy === 'none' ? '' : `<h3>Decisions</h3>${decisionTimeline(r, startMs)}`;
    return `<section><h2>${escapeHtml(r.strategy)}</h2><p>seed ${r.summary.seed}, ${(r.summary.simulatedMs / 3_600_000).toFixed(2)} h simulated, ${r.summary.events} events, wall ${(r.wallMs / 1000).toFixed(1)} s</p>${table(r)}\n<pre>${escapeHtml(formatScorecard(r.scorecard))}</pre>\n${charts(r, requirements)}\n${timeline}</section>`;
  });
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>
body{font-family:sans-serif;margin:16px 24px}table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}td:first-child,td.l{text-align:left}svg.chart{display:block;width:100%;height:auto;margin:12px 0}pre{font-size:11px;overflow-x:auto}
</style></head><body><h1>${escapeHtml(title)}</h1>
<pre>${escapeHtml(LEGEND)}</pre>
${sections.join('\n')}
</body></html>
`;
}

/** The plain-text table the CLI prints: one block per strategy, a row per venue plus "overall". */
export function formatTable(results: readonly StrategyResult[]): string {
  const headers = ['venue', ...COLUMNS.map(([n]) => n)];
  const lines: string[] = [];
  for (const r of results) {
    const trips = r.killSwitchTrips.length;
    lines.push(`== ${r.strategy} (seed ${r.seed}, wall ${(r.wallMs / 1000).toFixed(1)} s, ${r.summary.events} events, arbitrage losses ${fmtCell(r.overall.arbitrageLosses)}, orders placed ${r.quotesPlaced}, kill-switch trips ${trips})`);
    const rows = [...r.rows, r.overall].map((x) => [x.venue, ...COLUMNS.map(([, f]) => fmtCell(f(x)))]);
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    lines.push(line(headers), ...rows.map(line), '');
  }
  lines.push(LEGEND, '');
  return lines.join('\n');
}

/** The CLI table for several seeds: per strategy, each venue's mean and worst seed per column. */
export function formatSeedTable(strategies: readonly { strategy: string; seeds: readonly number[]; wallMs: readonly number[]; summary: readonly SeedRow[] }[]): string {
  const headers = ['venue', ...COLUMNS.map(([n]) => n)];
  const keys = COLUMNS.map(([, f]) => f);
  const lines: string[] = [];
  for (const s of strategies) {
    const wall = s.wallMs.reduce((a, b) => a + b, 0) / Math.max(1, s.wallMs.length);
    lines.push(`== ${s.strategy}: ${s.seeds.length} seeds ${s.seeds[0]}…${s.seeds[s.seeds.length - 1]}, mean wall ${(wall / 1000).toFixed(1)} s; each cell: mean / worst (seed)`);
    const rows = s.summary.map((row) => [
      row.venue,
      ...keys.map((f) => {
        // The column's metric key: read it off a probe row whose every field names itself.
        const key = f(PROBE) as unknown as string;
        const w = row.worst[key];
        return `${fmtCell(row.mean[key] ?? null)} / ${w ? `${fmtCell(w.value)} (${w.seed})` : '—'}`;
      }),
    ]);
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    lines.push(line(headers), ...rows.map(line), '');
  }
  lines.push(LEGEND, '');
  return lines.join('\n');
}

/** A row whose fields hold their own names, so a column's accessor tells which metric it shows. */
const PROBE = new Proxy({}, { get: (_t, k) => k }) as unknown as MetricRow;
