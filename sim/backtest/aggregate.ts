// One run's recording → the per-venue and overall rows the backtest prints (and `--json` keeps), and
// several seeds' rows → the mean and the worst seed per metric. Requirement metrics count only each
// venue's healthy time (outside its own outage); the overall row counts, at each sample, the venues
// that are up.
import type { VenueRequirements } from '../../domain/compliance';
import type { RunSummary } from '../market/run-summary';
import { decomposePnl, realizedVolAnnual, timeFraction, timeWeightedMean, type Recording, type VenueSample } from './metrics';

export interface MetricRow {
  venue: string;
  twSpreadPct: number | null;
  spreadOkPct: number | null;
  /** Both sides at once meet the depth requirement (healthy time). */
  depthOkPct: number | null;
  bidDepthOkPct: number | null;
  askDepthOkPct: number | null;
  /** Share of the run the venue was not in an outage. */
  healthyPct: number;
  /** Time-weighted mean of the thinner side's depth within the band (quote). */
  twDepthQuote: number | null;
  /** Time-weighted mean of Ballast's own thinner side within the band (quote). */
  mmDepthQuote: number | null;
  volumeQuote: number;
  mmVolumeQuote: number;
  feesPaid: number;
  realizedPnl: number;
  inventoryPnl: number;
  realizedVol: number | null;
  /** Realized vol / the same measure in the "none" run (null when "none" was not run). */
  volRatio: number | null;
  /** Largest |Ballast base − starting base|, base units. */
  maxInventoryDev: number;
}

export interface RunLike {
  summary: RunSummary;
  recording: Recording;
}

function pct(x: number | null): number | null {
  return x === null ? null : x * 100;
}

function venueMids(summary: RunSummary, id: string): { t: number; price: number }[] {
  const out: { t: number; price: number }[] = [];
  for (const s of summary.pricePath) {
    const m = s.mids[id];
    if (m !== null && m !== undefined) out.push({ t: s.t, price: m });
  }
  return out;
}

function averageMids(summary: RunSummary, ids: string[]): { t: number; price: number }[] {
  const out: { t: number; price: number }[] = [];
  for (const s of summary.pricePath) {
    const ms = ids.map((id) => s.mids[id]).filter((m): m is number => typeof m === 'number' && m > 0);
    if (ms.length === ids.length) out.push({ t: s.t, price: ms.reduce((a, b) => a + b, 0) / ms.length });
  }
  return out;
}

const okShare = (samples: readonly VenueSample[], key: 'spreadOk' | 'depthOk' | 'bidDepthOk' | 'askDepthOk', endT: number): number | null =>
  pct(timeFraction(samples.map((s) => ({ t: s.t, ok: s[key], counted: !s.outage })), endT));

/** Aggregates one run (per venue and overall); `vol0` holds the "none" run's volatilities for the ratio. */
export function aggregate(r: RunLike, requirements: Record<string, VenueRequirements>, vol0?: Map<string, number | null>): { rows: MetricRow[]; overall: MetricRow & { arbitrageLosses: number } } {
  const endT = r.summary.simulatedMs;
  const rec = r.recording;
  const f = rec.fundamental;
  const mark0 = (f[0]?.v ?? r.summary.fundamental.initial).toPrecision(12);
  const mark1 = r.summary.fundamental.final.toPrecision(12);
  const ratio = (key: string, v: number | null): number | null => {
    const base = vol0?.get(key);
    return v !== null && base ? v / base : null;
  };
  const rows: MetricRow[] = Object.entries(rec.venues).map(([venue, samples]) => {
    const req = requirements[venue];
    const first = samples[0];
    const last = samples[samples.length - 1];
    const pnl = decomposePnl({ base0: first?.mmBase ?? 0, quote0: first?.mmQuote ?? 0, base1: last?.mmBase ?? 0, quote1: last?.mmQuote ?? 0, mark0, mark1, fills: rec.fills[venue] ?? [] });
    const b0 = Number(first?.mmBase ?? 0);
    const vol = realizedVolAnnual(venueMids(r.summary, venue));
    const healthy = timeFraction(samples.map((s) => ({ t: s.t, ok: !s.outage })), endT);
    return {
      venue,
      twSpreadPct: timeWeightedMean(samples.map((s) => ({ t: s.t, v: s.outage ? null : s.spreadPct })), endT),
      spreadOkPct: req ? okShare(samples, 'spreadOk', endT) : null,
      depthOkPct: req ? okShare(samples, 'depthOk', endT) : null,
      bidDepthOkPct: req ? okShare(samples, 'bidDepthOk', endT) : null,
      askDepthOkPct: req ? okShare(samples, 'askDepthOk', endT) : null,
      healthyPct: pct(healthy) ?? 100,
      twDepthQuote: timeWeightedMean(samples.map((s) => ({ t: s.t, v: s.outage ? null : s.depthQuote })), endT),
      mmDepthQuote: timeWeightedMean(samples.map((s) => ({ t: s.t, v: s.outage ? null : Math.min(s.mmBidDepthQuote, s.mmAskDepthQuote) })), endT),
      volumeQuote: Number(r.summary.venues[venue]?.volumeQuote ?? 0),
      mmVolumeQuote: pnl.volumeQuote.toNumber(),
      feesPaid: pnl.fees.toNumber(),
      realizedPnl: pnl.realized.toNumber(),
      inventoryPnl: pnl.inventory.toNumber(),
      realizedVol: vol,
      volRatio: ratio(venue, vol),
      maxInventoryDev: samples.reduce((m, s) => Math.max(m, Math.abs(Number(s.mmBase) - b0)), 0),
    };
  });
  const withReq = Object.keys(rec.venues).filter((id) => requirements[id]);
  const n = f.length;
  const allOk = (key: 'spreadOk' | 'depthOk') =>
    Array.from({ length: n }, (_, i) => {
      const up = withReq.filter((id) => rec.venues[id]?.[i]?.outage !== true);
      return { t: f[i]!.t, ok: up.every((id) => rec.venues[id]?.[i]?.[key] === true), counted: up.length > 0 };
    });
  const mean = (xs: (number | null)[]): number | null => {
    const ys = xs.filter((x): x is number => x !== null);
    return ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : null;
  };
  const totalBase = (i: number): number => Object.values(rec.venues).reduce((s, xs) => s + Number(xs[i]?.mmBase ?? 0), 0);
  const overallVol = realizedVolAnnual(averageMids(r.summary, Object.keys(rec.venues)));
  const sum = (k: keyof MetricRow): number => rows.reduce((s, x) => s + Number(x[k] ?? 0), 0);
  let maxDev = 0;
  for (let i = 0; i < n; i++) maxDev = Math.max(maxDev, Math.abs(totalBase(i) - totalBase(0)));
  return {
    rows,
    overall: {
      venue: 'overall',
      twSpreadPct: mean(rows.map((x) => x.twSpreadPct)),
      spreadOkPct: withReq.length ? pct(timeFraction(allOk('spreadOk'), endT)) : null,
      depthOkPct: withReq.length ? pct(timeFraction(allOk('depthOk'), endT)) : null,
      bidDepthOkPct: mean(rows.map((x) => x.bidDepthOkPct)),
      askDepthOkPct: mean(rows.map((x) => x.askDepthOkPct)),
      healthyPct: mean(rows.map((x) => x.healthyPct)) ?? 100,
      twDepthQuote: sum('twDepthQuote'),
      mmDepthQuote: sum('mmDepthQuote'),
      volumeQuote: sum('volumeQuote'),
      mmVolumeQuote: sum('mmVolumeQuote'),
      feesPaid: sum('feesPaid'),
      realizedPnl: sum('realizedPnl'),
      inventoryPnl: sum('inventoryPnl'),
      realizedVol: overallVol,
      volRatio: ratio('overall', overallVol),
      maxInventoryDev: maxDev,
      arbitrageLosses: Number(r.summary.arbitrage.realizedProfitQuote),
    },
  };
}

// ---- several seeds --------------------------------------------------------------------------

/** Metrics where a higher value is better; for every other numeric metric lower is better. */
const HIGHER_IS_BETTER = new Set(['spreadOkPct', 'depthOkPct', 'bidDepthOkPct', 'askDepthOkPct', 'healthyPct', 'twDepthQuote', 'mmDepthQuote', 'volumeQuote', 'mmVolumeQuote', 'realizedPnl', 'inventoryPnl']);

export interface Worst {
  value: number;
  seed: number;
}

export interface SeedRow {
  venue: string;
  /** Mean over the seeds (metrics that were null in every seed stay null). */
  mean: Record<string, number | null>;
  /** The worst seed for each metric (lowest where higher is better, else highest). */
  worst: Record<string, Worst | null>;
}

/** Mean and worst seed per metric, per venue and overall, over runs of one strategy (one per seed). */
export function summarizeSeeds(runs: readonly { seed: number; rows: readonly MetricRow[]; overall: MetricRow & { arbitrageLosses?: number } }[]): SeedRow[] {
  const venues = [...(runs[0]?.rows.map((r) => r.venue) ?? []), 'overall'];
  return venues.map((venue) => {
    const cells = runs.map((r) => ({ seed: r.seed, row: (venue === 'overall' ? r.overall : r.rows.find((x) => x.venue === venue)) as unknown as Record<string, unknown> | undefined }));
    const keys = Object.keys(cells[0]?.row ?? {}).filter((k) => k !== 'venue');
    const mean: Record<string, number | null> = {};
    const worst: Record<string, Worst | null> = {};
    for (const k of keys) {
      const xs = cells.flatMap((c) => (typeof c.row?.[k] === 'number' ? [{ seed: c.seed, value: c.row[k] }] : []));
      mean[k] = xs.length ? xs.reduce((s, x) => s + x.value, 0) / xs.length : null;
      const better = HIGHER_IS_BETTER.has(k);
      worst[k] = xs.reduce<Worst | null>((w, x) => (w === null || (better ? x.value < w.value : x.value > w.value) ? x : w), null);
    }
    return { venue, mean, worst };
  });
}
