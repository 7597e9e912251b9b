// A self-contained HTML report of a backtest: the metric tables and inline SVG line charts (price vs
// fundamental, spread, depth, inventory per venue, PnL decomposition). No scripts, no external assets.
import { pnlSeries } from './metrics';
import type { SeedRow } from './aggregate';
import type { MetricRow, StrategyResult } from './run-backtest';

export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf', '#7f7f7f'];
const MAX_POINTS = 600;

// One colour per series name for the whole report (a venue is the same colour in every chart),
// given out in order of first use.
const assigned = new Map<string, string>();
function colorOf(name: string): string {
  let c = assigned.get(name);
  if (c === undefined) {
    c = COLORS[assigned.size % COLORS.length]!;
    assigned.set(name, c);
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

/** An SVG line chart; x is in ms from the start and labelled in hours. */
export function lineChart(title: string, series: readonly Series[], width = 640, height = 220): string {
  const pad = { l: 64, r: 12, t: 24, b: 28 };
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const head = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height + 18 * Math.ceil(series.length / 4)}" font-family="sans-serif" font-size="11">`;
  const titleEl = `<text x="${pad.l}" y="15" font-weight="bold">${escapeHtml(title)}</text>`;
  if (all.length === 0) return `${head}${titleEl}<text x="${pad.l}" y="${height / 2}">no data</text></svg>`;
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const [x, y] of all) [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const sx = (x: number): number => pad.l + ((x - x0) / (x1 - x0)) * (width - pad.l - pad.r);
  const sy = (y: number): number => height - pad.b - ((y - y0) / (y1 - y0)) * (height - pad.t - pad.b);
  const parts = [head, titleEl, `<rect x="${pad.l}" y="${pad.t}" width="${width - pad.l - pad.r}" height="${height - pad.t - pad.b}" fill="none" stroke="#ccc"/>`];
  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4;
    const x = x0 + ((x1 - x0) * i) / 4;
    parts.push(`<text x="${pad.l - 4}" y="${sy(y) + 4}" text-anchor="end">${tickLabel(y)}</text>`);
    parts.push(`<text x="${sx(x)}" y="${height - pad.b + 14}" text-anchor="middle">${(x / 3_600_000).toFixed(2)}h</text>`);
  }
  series.forEach((s, i) => {
    const color = colorOf(s.name);
    const pts = thin(s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
    if (pts.length > 0) parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.2" points="${pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`);
    const lx = pad.l + (i % 4) * 140;
    const ly = height + 4 + 18 * Math.floor(i / 4);
    parts.push(`<rect x="${lx}" y="${ly}" width="10" height="10" fill="${color}"/><text x="${lx + 14}" y="${ly + 9}">${escapeHtml(s.name)}</text>`);
  });
  parts.push('</svg>');
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

function charts(r: StrategyResult): string {
  const rec = r.recording;
  const venues = Object.keys(rec.venues);
  const price: Series[] = [
    { name: 'fundamental', points: r.summary.pricePath.map((s) => [s.t, s.fundamental] as const) },
    ...venues.map((id) => ({ name: id, points: r.summary.pricePath.filter((s) => s.mids[id] != null).map((s) => [s.t, s.mids[id]!] as const) })),
  ];
  const spread = venues.map((id) => ({ name: id, points: rec.venues[id]!.filter((s) => s.spreadPct !== null).map((s) => [s.t, s.spreadPct!] as const) }));
  const depth = venues.map((id) => ({ name: id, points: rec.venues[id]!.map((s) => [s.t, s.depthQuote] as const) }));
  const out = [lineChart('Price vs fundamental', price), lineChart('Spread, % of mid', spread), lineChart('Depth within the requirement band (thinner side, quote)', depth)];
  if (r.strategy !== 'none') {
    const cex = venues.filter((id) => (rec.fills[id]?.length ?? 0) > 0 || rec.venues[id]!.some((s) => s.mmBase !== '0'));
    out.push(lineChart('MM inventory (base) per venue', cex.map((id) => ({ name: id, points: rec.venues[id]!.map((s) => [s.t, Number(s.mmBase)] as const) }))));
    const pnl: Series[] = [];
    for (const id of cex) {
      const ps = pnlSeries(rec.venues[id]!, rec.fills[id] ?? [], rec.fundamental);
      pnl.push({ name: `${id} realized`, points: ps.map((p) => [p.t, p.realized] as const) });
      pnl.push({ name: `${id} inventory`, points: ps.map((p) => [p.t, p.total - p.realized] as const) });
    }
    out.push(lineChart('PnL decomposition (quote): realized vs inventory', pnl));
  }
  return out.join('\n');
}

export function renderReport(title: string, results: readonly StrategyResult[]): string {
  const sections = results.map(
    (r) =>
      `<section><h2>${escapeHtml(r.strategy)}</h2><p>seed ${r.summary.seed}, ${(r.summary.simulatedMs / 3_600_000).toFixed(2)} h simulated, ${r.summary.events} events, wall ${(r.wallMs / 1000).toFixed(1)} s</p>${table(r)}\n${charts(r)}</section>`,
  );
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>
body{font-family:sans-serif;margin:24px}table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}td:first-child{text-align:left}svg{display:block;margin:12px 0}
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
