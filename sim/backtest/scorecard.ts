// The scorecard's metrics: pure functions of sampled time series (the backtest recorder's samples,
// metrics.ts), checked against hand-computed paths in test/unit/scorecard.test.ts. Building and
// printing the card from them is scorecard-report.ts.
//
// Conventions, shared with metrics.ts:
// - Times are ms in one time base per call (the recorder's offsets from the run start, or absolute:
//   outage windows from `outageWindows(scenario, startMs)` must use the same base).
// - Sample-and-hold: a sample's value holds from its time until the next sample (the last one until
//   `endT`); nothing is counted before the first sample.
// - Healthy time: time outside the venue's own outage windows. Uptime, volume and volatility count
//   only healthy time, because during an outage the venue's book is not something a market maker can
//   answer for (its API is down). Cost and depth count the whole run: the cost is paid throughout.
// - Money (PnL, fees, costs) is decimal; ratios, percentages and volatilities are floats.
import type Decimal from 'decimal.js';
import type { BookMetrics } from '../../domain/compliance';
import { D, type Dec } from '../../domain/money';
import { mergeWindows, type TimeWindow } from './fault-schedule';
import type { TimedValue } from './metrics';

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
const MINUTES_PER_YEAR = 365 * 24 * 60;

// ---- healthy time ----------------------------------------------------------------------------

/** Length of [from, to) outside the windows (merged first, so overlaps are not subtracted twice). */
export function healthyMs(from: number, to: number, outages: readonly TimeWindow[]): number {
  if (to <= from) return 0;
  let down = 0;
  for (const w of mergeWindows(outages)) down += Math.max(0, Math.min(to, w.endMs) - Math.max(from, w.startMs));
  return to - from - down;
}

/** True when `t` is outside every window (a window is half-open: its end is healthy again). */
export function isHealthy(t: number, outages: readonly TimeWindow[]): boolean {
  return !outages.some((w) => t >= w.startMs && t < w.endMs);
}

/** Time during which `ok` held and the venue was healthy, and the healthy time, over [first sample, endT). */
export function healthyOkMs(xs: readonly { t: number; ok: boolean }[], endT: number, outages: readonly TimeWindow[]): { okMs: number; healthyMs: number } {
  let okMs = 0;
  let total = 0;
  for (let i = 0; i < xs.length; i++) {
    const to = i + 1 < xs.length ? xs[i + 1]!.t : endT;
    const h = healthyMs(xs[i]!.t, to, outages);
    total += h;
    if (xs[i]!.ok) okMs += h;
  }
  return { okMs, healthyMs: total };
}

// ---- requirement uptime ----------------------------------------------------------------------

/** One book sample: the spread and each side's quote notional within the requirement's band (±2 %). */
export interface BookSample {
  t: number;
  /** Null when the book is one-sided or crossed (never within the requirement). */
  spreadPct: number | null;
  bidDepthQuote: number;
  askDepthQuote: number;
}

/** A BookSample from the compliance check's own measure of a book (computeBookMetrics with the band). */
export function bookSample(t: number, m: BookMetrics, bandPct: number | string = 2): BookSample {
  const band = m.ok ? m.depth.find((b) => Number(b.pct) === Number(bandPct)) : undefined;
  return { t, spreadPct: m.ok ? Number(m.spreadPct) : null, bidDepthQuote: band ? Number(band.bidQuote) : 0, askDepthQuote: band ? Number(band.askQuote) : 0 };
}

export interface Requirement {
  maxSpreadPct: number | string;
  minDepthQuote: number | string;
  /** 24 h volume requirement, quote. */
  minVolume24hQuote?: number | string;
}

/** ok-time / healthy-time per check; pool several venues by adding them up (`addUptime`). */
export interface Uptime {
  healthyMs: number;
  spreadOkMs: number;
  bidOkMs: number;
  askOkMs: number;
  /** Both sides at once: today's `depthOk` (the thinner side meets the requirement). */
  bothOkMs: number;
}

export function requirementUptime(samples: readonly BookSample[], req: Requirement, endT: number, outages: readonly TimeWindow[]): Uptime {
  const maxSpread = Number(req.maxSpreadPct);
  const minDepth = Number(req.minDepthQuote);
  const over = (ok: (s: BookSample) => boolean) => healthyOkMs(samples.map((s) => ({ t: s.t, ok: ok(s) })), endT, outages);
  const spread = over((s) => s.spreadPct !== null && s.spreadPct <= maxSpread);
  return {
    healthyMs: spread.healthyMs,
    spreadOkMs: spread.okMs,
    bidOkMs: over((s) => s.bidDepthQuote >= minDepth).okMs,
    askOkMs: over((s) => s.askDepthQuote >= minDepth).okMs,
    bothOkMs: over((s) => s.bidDepthQuote >= minDepth && s.askDepthQuote >= minDepth).okMs,
  };
}

/** Pooled uptime of several venues: Σ ok-time / Σ healthy-time (a venue down half the run weighs half). */
export function addUptime(xs: readonly Uptime[]): Uptime {
  const sum = (k: keyof Uptime) => xs.reduce((s, x) => s + x[k], 0);
  return { healthyMs: sum('healthyMs'), spreadOkMs: sum('spreadOkMs'), bidOkMs: sum('bidOkMs'), askOkMs: sum('askOkMs'), bothOkMs: sum('bothOkMs') };
}

/** ok-time as % of healthy time; null when there was no healthy time. */
export function uptimePct(u: Uptime, k: Exclude<keyof Uptime, 'healthyMs'>): number | null {
  return u.healthyMs > 0 ? (100 * u[k]) / u.healthyMs : null;
}

// ---- 24 h volume -----------------------------------------------------------------------------

export interface VolumeScore {
  /** Volume traded in healthy time, quote. */
  healthyVolumeQuote: number;
  healthyMs: number;
  /** Healthy volume scaled linearly to 24 h: × 24 h / healthy time (a 2 h run × 12, a 48 h run ÷ 2). */
  per24hQuote: number | null;
  requiredQuote: number | null;
  /** per24hQuote / requiredQuote (null without a requirement above 0). */
  ratio: number | null;
}

/**
 * 24 h volume against the requirement, from the venue's cumulative traded quote volume sampled over
 * the run. The volume between two samples is spread evenly over that interval, and the share of it
 * in an outage is left out. The scaling is linear on healthy time: it gives the mean daily rate, not
 * the worst rolling 24 h window an exchange may check on a longer run.
 */
export function volumeScore(cumulative: readonly TimedValue[], outages: readonly TimeWindow[], required?: number | string): VolumeScore {
  let vol = 0;
  let ms = 0;
  for (let i = 1; i < cumulative.length; i++) {
    const a = cumulative[i - 1]!;
    const b = cumulative[i]!;
    const len = b.t - a.t;
    if (len <= 0) continue;
    const h = healthyMs(a.t, b.t, outages);
    ms += h;
    if (a.v !== null && b.v !== null) vol += ((b.v - a.v) * h) / len;
  }
  const per24h = ms > 0 ? (vol * DAY_MS) / ms : null;
  const req = required === undefined ? null : Number(required);
  return { healthyVolumeQuote: vol, healthyMs: ms, per24hQuote: per24h, requiredQuote: req, ratio: per24h !== null && req !== null && req > 0 ? per24h / req : null };
}

// ---- volatility ------------------------------------------------------------------------------

/** The series' sample-and-hold value at each grid time from..to (inclusive) every stepMs; null before its first sample. */
export function onGrid(xs: readonly TimedValue[], from: number, to: number, stepMs = MINUTE_MS): TimedValue[] {
  const out: TimedValue[] = [];
  let i = -1;
  for (let g = from; g <= to; g += stepMs) {
    while (i + 1 < xs.length && xs[i + 1]!.t <= g) i++;
    out.push({ t: g, v: i >= 0 ? xs[i]!.v : null });
  }
  return out;
}

/** Realized volatility of one-step changes: per step (√(Σ r²/n), zero-mean), annualized for a 1-minute step. */
export interface VolStat {
  n: number;
  sumSq: number;
  perStep: number | null;
  annualized: number | null;
}

function volStat(n: number, sumSq: number, stepMs: number): VolStat {
  const perStep = n > 0 ? Math.sqrt(sumSq / n) : null;
  return { n, sumSq, perStep, annualized: perStep === null ? null : perStep * Math.sqrt((MINUTES_PER_YEAR * MINUTE_MS) / stepMs) };
}

/**
 * Realized vol of the one-step changes of a log series on a grid (`onGrid` of log values), counting a
 * change only when both ends have a value and the whole step is healthy (an outage's reopening gap
 * is not the market maker's).
 */
export function gridVol(logGrid: readonly TimedValue[], outages: readonly TimeWindow[]): VolStat {
  let n = 0;
  let sumSq = 0;
  const step = logGrid.length > 1 ? logGrid[1]!.t - logGrid[0]!.t : MINUTE_MS;
  for (let k = 1; k < logGrid.length; k++) {
    const a = logGrid[k - 1]!;
    const b = logGrid[k]!;
    if (a.v === null || b.v === null || healthyMs(a.t, b.t, outages) < b.t - a.t) continue;
    n++;
    sumSq += (b.v - a.v) ** 2;
  }
  return volStat(n, sumSq, step);
}

/** Pools several venues' vol (Σ Σ r² / Σ n): the overall figure. */
export function pooledVol(xs: readonly VolStat[], stepMs = MINUTE_MS): VolStat {
  return volStat(
    xs.reduce((s, x) => s + x.n, 0),
    xs.reduce((s, x) => s + x.sumSq, 0),
    stepMs,
  );
}

/** log(a/b) on the 1-minute grid from..to; null where either is missing or not positive. */
function logRatioGrid(a: readonly TimedValue[], b: readonly TimedValue[] | null, from: number, to: number): TimedValue[] {
  const ga = onGrid(a, from, to);
  const gb = b ? onGrid(b, from, to) : null;
  return ga.map((x, k) => {
    const y = gb ? gb[k]!.v : 1;
    return { t: x.t, v: x.v !== null && x.v > 0 && y !== null && y > 0 ? Math.log(x.v / y) : null };
  });
}

/** Excess volatility: the 1-minute realized vol of log(mid / fundamental), both sampled on the grid from..to. */
export function excessVolatility(mids: readonly TimedValue[], fundamental: readonly TimedValue[], from: number, to: number, outages: readonly TimeWindow[]): VolStat {
  return gridVol(logRatioGrid(mids, fundamental, from, to), outages);
}

/**
 * The venue's 1-minute realized vol of log(mid) against the fundamental's own on the same minutes
 * (only minutes where both exist and the venue is healthy): the floor no market maker beats without
 * fighting information is ratio 1.
 */
export function volVsFundamental(mids: readonly TimedValue[], fundamental: readonly TimedValue[], from: number, to: number, outages: readonly TimeWindow[]): { mid: VolStat; fundamental: VolStat; ratio: number | null } {
  const m = logRatioGrid(mids, null, from, to);
  const f = logRatioGrid(fundamental, null, from, to);
  // The fundamental counts only where the mid exists, so both cover the same minutes.
  const fSame = f.map((x, k) => ({ t: x.t, v: m[k]!.v === null ? null : x.v }));
  const mid = gridVol(m, outages);
  const fv = gridVol(fSame, outages);
  return { mid, fundamental: fv, ratio: ratioOf(mid.perStep, fv.perStep) };
}

/** a / b, null when either is missing or b is 0 (e.g. a strategy's figure against the no-market-maker run). */
export function ratioOf(a: number | null | undefined, b: number | null | undefined): number | null {
  return a === null || a === undefined || b === null || b === undefined || b === 0 ? null : a / b;
}

// ---- PnL, cost of liquidity ------------------------------------------------------------------

export interface VenuePnl {
  /** decomposePnl (metrics.ts) of Ballast's account on one CEX venue, on holdings with transfers added back. */
  realized: Dec;
  inventory: Dec;
  fees: Dec;
  total: Dec;
}

export interface EconomicsInput {
  /**
   * Per CEX venue. Compute each on holdings with transfers added back (end holdings + amounts sent −
   * amounts received), so a transfer is a move, not a gain or a loss; transfer fees are charged once,
   * below.
   */
  venues: readonly VenuePnl[];
  /** Ballast's pool position (from the pool module), quote: its mark-to-market PnL incl. fees earned and IL. */
  pool?: { pnl: Decimal.Value; impermanentLoss: Decimal.Value; feesEarned: Decimal.Value };
  /** Withdrawal fees and gas of Ballast's transfers, quote at the mark. */
  transferFeesQuote: Decimal.Value;
  /** What the starting holdings would have made idle: Σ starting base × (F_end − F_0) (`hodlPnl`). */
  hodlPnl: Decimal.Value;
}

export interface Economics {
  fees: Dec;
  realized: Dec;
  inventory: Dec;
  impermanentLoss: Dec;
  poolFeesEarned: Dec;
  poolPnl: Dec;
  transferFees: Dec;
  /** Mark-to-market PnL of everything Ballast holds: Σ venues' total + pool − transfer fees. */
  mtmPnl: Dec;
  hodlPnl: Dec;
  /**
   * The issuer's economic cost of market making: −(mtmPnl − hodlPnl). Trading fees, IL and transfer
   * fees are inside mtmPnl. The idle-holding PnL is taken out because the issuer's tokens would gain
   * or lose it anyway; what remains is what quoting cost (or earned, if negative).
   */
  cost: Dec;
}

/** Σ starting base × (F_end − F_0): the PnL of holding the starting capital idle. */
export function hodlPnl(startingBase: Decimal.Value, mark0: Decimal.Value, mark1: Decimal.Value): Dec {
  return new D(startingBase).times(new D(mark1).minus(mark0));
}

export function economics(x: EconomicsInput): Economics {
  const sum = (k: keyof VenuePnl) => x.venues.reduce((s, v) => s.plus(v[k]), new D(0));
  const poolPnl = new D(x.pool?.pnl ?? 0);
  const transferFees = new D(x.transferFeesQuote);
  const mtmPnl = sum('total').plus(poolPnl).minus(transferFees);
  const hodl = new D(x.hodlPnl);
  return {
    fees: sum('fees'),
    realized: sum('realized'),
    inventory: sum('inventory'),
    impermanentLoss: new D(x.pool?.impermanentLoss ?? 0),
    poolFeesEarned: new D(x.pool?.feesEarned ?? 0),
    poolPnl,
    transferFees,
    mtmPnl,
    hodlPnl: hodl,
    cost: mtmPnl.minus(hodl).neg(),
  };
}

/** Ballast's own depth sample on one venue: its orders (plus its pool share) within ±2 % of mid. */
export interface DepthSample {
  t: number;
  bidQuote: number;
  askQuote: number;
}

/** Quote notional of one's own orders within ±bandPct of mid, per side (an order exactly on the band counts). */
export function ownDepth(orders: readonly { side: 'buy' | 'sell'; price: number; amount: number }[], mid: number, bandPct = 2): { bidQuote: number; askQuote: number } {
  let bidQuote = 0;
  let askQuote = 0;
  const lo = mid * (1 - bandPct / 100);
  const hi = mid * (1 + bandPct / 100);
  for (const o of orders) {
    if (o.side === 'buy' && o.price >= lo && o.price <= mid) bidQuote += o.price * o.amount;
    if (o.side === 'sell' && o.price <= hi && o.price >= mid) askQuote += o.price * o.amount;
  }
  return { bidQuote, askQuote };
}

/** Time-integral of both sides' depth over [first sample, endT), in $M·day (sample-and-hold). */
export function depthMillionDays(samples: readonly DepthSample[], endT: number): number {
  let quoteMs = 0;
  for (let i = 0; i < samples.length; i++) {
    const to = i + 1 < samples.length ? samples[i + 1]!.t : endT;
    if (to > samples[i]!.t) quoteMs += (samples[i]!.bidQuote + samples[i]!.askQuote) * (to - samples[i]!.t);
  }
  return quoteMs / 1e6 / DAY_MS;
}

/** Cost per $1M·day of depth provided (quote); null without depth. */
export function costPerMillionDepthDay(cost: Decimal.Value, millionDays: number): number | null {
  return millionDays > 0 ? new D(cost).toNumber() / millionDays : null;
}

/** Largest |v − reference| (reference: the first value), e.g. Ballast's base on a venue or in total. */
export function maxDeviation(xs: readonly TimedValue[], reference?: number): number {
  const ref = reference ?? xs.find((x) => x.v !== null)?.v ?? 0;
  return xs.reduce((m, x) => (x.v === null ? m : Math.max(m, Math.abs(x.v - ref))), 0);
}

/** Arbitrageurs' realized profit (the value leaking out of the books) and its ratio to the no-market-maker run. */
export function arbitrageLeakage(profitQuote: Decimal.Value, noneProfitQuote?: Decimal.Value): { quote: Dec; ratio: number | null } {
  const q = new D(profitQuote);
  return { quote: q, ratio: noneProfitQuote === undefined ? null : ratioOf(q.toNumber(), new D(noneProfitQuote).toNumber()) };
}
