// ECharts options from a snapshot (api/dashboard/model.ts): one pure builder per chart, keyed by the
// chart's data-chart name. A figure the API reports as null stays out of the series (never drawn as 0).
import { compact, time } from './format.js';

const BAND_COLORS = { 1: '#1f5fbf', 2: '#5b8fd9', 5: '#a9c4ec' };
const OK = '#1a8f4c';
const BAD = '#c62828';
const MUTED = '#8a93a6';
const grid = { left: 64, right: 16, top: 28, bottom: 24 };
const legend = { top: 0, itemWidth: 12, itemHeight: 8, textStyle: { fontSize: 11 } };
const tooltip = { trigger: 'axis', axisPointer: { type: 'shadow' } };
const ids = (s) => s.venues.map((v) => v.id);
const has = (x) => x !== null && x !== undefined && Number.isFinite(x);

/** Bids to the left (negative), asks to the right, the three bands overlaid; requirement marks per side. */
function depthLadder(s) {
  const venues = ids(s);
  const bands = [...new Set(s.venues.flatMap((v) => v.depth.map((d) => d.band)))].sort((a, b) => Number(b) - Number(a));
  const series = [];
  for (const band of bands) {
    const at = (v, side) => {
      const d = v.depth.find((x) => x.band === band);
      const q = d?.[side];
      return has(q) ? (side === 'bidQuote' ? -q : q) : null;
    };
    const style = { color: BAND_COLORS[band] ?? MUTED };
    // Overlaid (barGap -100 %), not stacked: the bands are cumulative (±5 % includes ±1 %); widest first, drawn behind.
    series.push({ name: `±${band} %`, type: 'bar', barGap: '-100%', barWidth: '55%', itemStyle: style, data: s.venues.map((v) => at(v, 'bidQuote')) });
    series.push({ name: `±${band} %`, type: 'bar', barGap: '-100%', barWidth: '55%', itemStyle: style, data: s.venues.map((v) => at(v, 'askQuote')) });
  }
  const required = s.venues.flatMap((v, i) => v.depth.filter((d) => has(d.requiredQuote)).flatMap((d) => [[-d.requiredQuote, i, d.band], [d.requiredQuote, i, d.band]]));
  series.push({ name: 'requirement', type: 'scatter', symbol: 'rect', symbolSize: [4, 22], itemStyle: { color: BAD }, z: 5, data: required });
  return {
    grid: { ...grid, left: 70 },
    legend,
    tooltip: { ...tooltip, valueFormatter: (x) => compact(Math.abs(x)) },
    xAxis: { type: 'value', axisLabel: { formatter: (x) => compact(Math.abs(x)) } },
    yAxis: { type: 'category', data: venues, inverse: true },
    series,
  };
}

/** Bars of one figure per venue, red on the wrong side of its limit (a max or a min), with a marker for the limit. */
function barsWithLimit(s, { name, value, limitName, limit, fmt, bad }) {
  return {
    grid,
    legend,
    tooltip: { ...tooltip, valueFormatter: fmt },
    xAxis: { type: 'category', data: ids(s) },
    yAxis: { type: 'value', axisLabel: { formatter: fmt } },
    series: [
      {
        name,
        type: 'bar',
        data: s.venues.map((v) => {
          const x = value(v);
          const l = limit(v);
          return has(x) ? { value: x, itemStyle: { color: has(l) && bad(x, l) ? BAD : OK } } : null;
        }),
      },
      { name: limitName, type: 'scatter', symbol: 'rect', symbolSize: [34, 3], itemStyle: { color: BAD }, data: s.venues.map((v) => (has(limit(v)) ? limit(v) : null)) },
    ],
  };
}

const toBps = (r) => (has(r) ? r * 10_000 : null);
const spread = (s) =>
  barsWithLimit(s, { name: 'spread', value: (v) => toBps(v.spread.ratio), limitName: 'maximum', limit: (v) => toBps(v.spread.maxRatio), fmt: (x) => Number(x).toFixed(1), bad: (x, l) => x > l });
const volume = (s) =>
  barsWithLimit(s, { name: 'volume 24 h', value: (v) => v.volume24h.quote, limitName: 'minimum', limit: (v) => v.volume24h.minQuote, fmt: compact, bad: (x, l) => x < l });

function share(s) {
  const bands = [...new Set(s.venues.flatMap((v) => v.depth.map((d) => d.band)))].sort((a, b) => Number(a) - Number(b));
  return {
    grid,
    legend,
    tooltip: { ...tooltip, valueFormatter: (x) => `${Number(x).toFixed(1)} %` },
    xAxis: { type: 'category', data: ids(s) },
    yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value} %' } },
    series: bands.map((band) => ({
      name: `±${band} %`,
      type: 'bar',
      itemStyle: { color: BAND_COLORS[band] ?? MUTED },
      data: s.venues.map((v) => { const r = v.depth.find((d) => d.band === band)?.shareRatio; return has(r) ? r * 100 : null; }),
    })),
  };
}

function complianceUptime(s) {
  const series = [
    { name: '24 h', key: 'uptime24h', color: '#1f5fbf' },
    { name: '7 d', key: 'uptime7d', color: '#a9c4ec' },
    { name: 'spread 24 h', key: 'spreadUptime24h', color: '#2e9e5b' },
    { name: 'depth 24 h', key: 'depthUptime24h', color: '#8fd3a8' },
  ].map((x) => ({ name: x.name, type: 'bar', itemStyle: { color: x.color }, data: s.venues.map((v) => (has(v.compliance[x.key]) ? v.compliance[x.key] * 100 : null)) }));
  return {
    grid,
    legend,
    tooltip: { ...tooltip, valueFormatter: (x) => `${Number(x).toFixed(2)} %` },
    xAxis: { type: 'category', data: ids(s) },
    yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value} %' } },
    series,
  };
}

/**
 * One lane per venue over the last 7 days (grey: the window), every breach drawn over it in red.
 * A venue without history (the series unavailable) gets an empty lane.
 */
function breachTimeline(s) {
  const end = Date.parse(s.at);
  const start = end - 7 * 86_400_000;
  const data = [];
  s.venues.forEach((v, i) => {
    if (v.compliance.breaches === null) return;
    // The lane is the window, not a verdict: the history may start inside it (uptime says how it went).
    data.push({ value: [i, start, end, 'no breach recorded'], itemStyle: { color: '#e3e9f1' } });
    for (const b of v.compliance.breaches) {
      const from = Math.max(start, Date.parse(b.from));
      const to = b.to ? Date.parse(b.to) : end;
      data.push({ value: [i, from, Math.max(to, from + 60_000), `breach: ${b.failed.join(', ')}`], itemStyle: { color: BAD } });
    }
  });
  const renderItem = (params, api) => {
    const lane = api.value(0);
    const a = api.coord([api.value(1), lane]);
    const b = api.coord([api.value(2), lane]);
    const h = api.size([0, 1])[1] * 0.6;
    return { type: 'rect', shape: { x: a[0], y: a[1] - h / 2, width: Math.max(2, b[0] - a[0]), height: h }, style: api.style() };
  };
  return {
    grid: { ...grid, top: 8 },
    tooltip: { formatter: (p) => `${ids(s)[p.value[0]]}: ${p.value[3]}<br>${time(p.value[1])} – ${time(p.value[2])}` },
    xAxis: { type: 'time', min: start, max: end },
    yAxis: { type: 'category', data: ids(s), inverse: true },
    series: [{ name: 'compliance', type: 'custom', renderItem, encode: { x: [1, 2], y: 0 }, data }],
    ...(data.length ? {} : { graphic: { type: 'text', left: 'center', top: 'middle', style: { text: 'no compliance history available', fill: MUTED } } }),
  };
}

/** history: { fair: [[t, price]], venues: { id: [[t, mid]] } }, kept by the page from the stream. */
function priceFv(s, history) {
  // A single point draws no line: show the symbols until there are two.
  const line = (name, data, extra = {}) => ({ name, type: 'line', showSymbol: data.length < 2, data, ...extra });
  const series = ids(s).map((id) => line(id, history.venues[id] ?? []));
  series.push(line('fair value', history.fair, { lineStyle: { width: 3, type: 'dashed', color: '#1d2330' }, itemStyle: { color: '#1d2330' } }));
  return {
    grid,
    legend,
    tooltip: { trigger: 'axis', valueFormatter: (x) => Number(x).toPrecision(6) },
    // At least the last minute, so the first points do not sit alone on an axis of days.
    xAxis: { type: 'time', min: (r) => Math.min(r.min, Date.parse(s.at) - 60_000), max: Date.parse(s.at) },
    yAxis: { type: 'value', scale: true },
    series,
  };
}

function gaps(s) {
  const toFair = { name: 'venue vs fair value', type: 'bar', data: s.venues.map((v) => toBps(v.gapToFairRatio)) };
  const pairs = s.gaps.map((g) => `${g.a}–${g.b}`);
  return {
    grid: [{ ...grid, right: '52%' }, { ...grid, left: '58%' }],
    tooltip: { ...tooltip, valueFormatter: (x) => `${Number(x).toFixed(1)} bps` },
    xAxis: [{ type: 'category', data: ids(s), gridIndex: 0, axisLabel: { interval: 0, rotate: 30, fontSize: 10 } }, { type: 'category', data: pairs, gridIndex: 1, axisLabel: { interval: 0, rotate: 30, fontSize: 10 } }],
    yAxis: [{ type: 'value', gridIndex: 0, name: 'to fair', nameTextStyle: { fontSize: 10 } }, { type: 'value', gridIndex: 1, name: 'pairwise', nameTextStyle: { fontSize: 10 } }],
    series: [toFair, { name: 'between venues', type: 'bar', xAxisIndex: 1, yAxisIndex: 1, itemStyle: { color: '#7b5fbf' }, data: s.gaps.map((g) => g.gapRatio * 10_000) }],
  };
}

/** Seconds since each feed's last update; over `staleAfter` the bar turns red. */
function staleness(s, _history, staleAfter) {
  return {
    grid,
    tooltip: { ...tooltip, valueFormatter: (x) => `${Number(x).toFixed(1)} s` },
    xAxis: { type: 'category', data: ids(s) },
    // The stale line stays in view even while every feed is fresh.
    yAxis: { type: 'value', max: (r) => Math.ceil(Math.max(r.max, staleAfter * 1.2) / 10) * 10, axisLabel: { formatter: '{value} s' } },
    series: [
      {
        name: 'feed age',
        type: 'bar',
        data: s.venues.map((v) => (has(v.feedAgeSeconds) ? { value: v.feedAgeSeconds, itemStyle: { color: v.feedAgeSeconds > staleAfter ? BAD : OK } } : null)),
        markLine: { symbol: 'none', lineStyle: { color: BAD, type: 'dashed' }, label: { formatter: 'stale', position: 'insideEndTop' }, data: [{ yAxis: staleAfter }] },
      },
    ],
  };
}

/**
 * The inventory distribution in quote terms, stacked per place (venues, treasury wallets, in flight):
 * base valued at fair value, and quote. Without a fair value the base bars stay out (never guessed).
 * Wallet balances are the ledger's decimal strings, as numbers for the chart only.
 */
function inventory(s) {
  const inv = s.inventory;
  const fv = s.fairValue;
  const num = (x) => (x === null || x === undefined ? null : Number(x));
  const places = [
    ...inv.venues.map((v) => ({ name: v.id, base: num(v.base), quote: num(v.quote), flying: null })),
    ...inv.wallets.map((w) => ({ name: `wallet ${w.label}`, base: num(w.base), quote: num(w.quote), flying: null })),
    { name: 'in flight', base: null, quote: null, flying: (inv.inFlight ?? []).reduce((a, t) => a + Number(t.amountUsd), 0) },
  ];
  const bar = (name, color, value) => ({ name, type: 'bar', stack: 'value', itemStyle: { color }, data: places.map((p) => { const x = value(p); return has(x) ? x : null; }) });
  return {
    grid: { ...grid, left: 110 },
    legend,
    tooltip: { ...tooltip, valueFormatter: (x) => `${compact(x)} ${s.asset.quote}` },
    xAxis: { type: 'value', axisLabel: { formatter: compact, hideOverlap: true } },
    yAxis: { type: 'category', data: places.map((p) => p.name), inverse: true },
    series: [
      bar(`${s.asset.symbol} × fair value`, '#1f5fbf', (p) => (has(p.base) && has(fv) ? p.base * fv : null)),
      bar(s.asset.quote, '#7b5fbf', (p) => p.quote),
      bar('in flight (USD)', '#c27c0e', (p) => p.flying),
    ],
  };
}

/** PnL split (spread capture, inventory, fees as a cost) and the other costs: realized, IL, pool fees. */
function pnl(s) {
  const p = s.pnl;
  const rows = [
    ['spread capture', p.spreadCaptureQuote],
    ['inventory', p.inventoryQuote],
    ['fees', has(p.feesQuote) ? -p.feesQuote : null],
    ['realized', p.realizedQuote],
    ['impermanent loss', has(p.impermanentLossQuote) ? -Math.abs(p.impermanentLossQuote) : null],
    ['pool fees', p.poolFeesQuote],
    ['mark to market', p.markToMarketQuote],
  ];
  return {
    grid: { ...grid, left: 110 },
    tooltip: { ...tooltip, valueFormatter: (x) => `${Number(x).toFixed(2)} ${s.asset.quote}` },
    xAxis: { type: 'value', axisLabel: { formatter: compact } },
    yAxis: { type: 'category', data: rows.map((r) => r[0]), inverse: true },
    series: [{ name: 'PnL', type: 'bar', data: rows.map(([, x]) => (has(x) ? { value: x, itemStyle: { color: x < 0 ? BAD : OK } } : null)) }],
  };
}

export const CHARTS = {
  'depth-ladder': depthLadder,
  spread,
  volume,
  share,
  'compliance-uptime': complianceUptime,
  'breach-timeline': breachTimeline,
  'price-fv': priceFv,
  gaps,
  staleness,
  inventory,
  pnl,
};
