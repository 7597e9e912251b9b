// The price-action service's schedule (issue 10): how much of a buyback or liquidation to trade in
// each slice. Pure; the workflows and the backtester call the same functions.
//
// Almgren & Chriss (2000), "Optimal execution of portfolio transactions", discrete time:
//   holdings   x_k = X · sinh(κ (T − t_k)) / sinh(κ T),   t_k = k τ,  k = 0..N,  T = N τ
//   κ          2 (cosh(κ τ) − 1) / τ² = λ σ² / η̃,   η̃ = η − γ τ / 2
//   slices     n_k = x_{k−1} − x_k
// λ: risk aversion (1/price); σ: absolute price volatility per √s; η: temporary impact, price per
// (base/s); γ: permanent impact, price per base. λ → 0 gives a straight line (TWAP); a larger λ
// trades sooner to carry less price risk.
//
// Then the pattern is made unpredictable (seeded): slice sizes jittered by ±jitterPct with the total
// kept exact, and each slice's time moved within ±timeJitterPct of τ, never past the next slice.
// Amounts here are floats for the schedule's shape only; what becomes an order is quantized exactly
// afterwards (domain/quantize.ts), never taken from here as money.
import type { Rng } from '../rng';

export interface AcParams {
  /** Total to trade, base units (> 0). */
  total: number;
  /** Number of slices N (≥ 1). */
  slices: number;
  /** Slice interval τ, seconds (> 0). */
  intervalSec: number;
  /** Risk aversion λ (≥ 0), 1/price. */
  lambda: number;
  /** Absolute volatility σ, price per √s (≥ 0). */
  sigma: number;
  /** Temporary impact η, price per (base/s) (> 0). */
  eta: number;
  /** Permanent impact γ, price per base (≥ 0). */
  gamma: number;
}

function check(name: string, v: number, min: number, inclusive: boolean): void {
  if (!Number.isFinite(v) || (inclusive ? v < min : v <= min)) throw new RangeError(`${name}: expected a finite number ${inclusive ? '≥' : '>'} ${min}, got ${v}`);
}

/** κ of the discrete solution; 0 when λσ² is 0 (TWAP). */
export function acKappa(p: Pick<AcParams, 'intervalSec' | 'lambda' | 'sigma' | 'eta' | 'gamma'>): number {
  const tau = p.intervalSec;
  const etaTilde = p.eta - (p.gamma * tau) / 2;
  if (etaTilde <= 0) throw new RangeError(`eta: temporary impact ${p.eta} must exceed γτ/2 = ${(p.gamma * tau) / 2} (else the optimum is one block trade)`);
  const kTilde2 = (p.lambda * p.sigma * p.sigma) / etaTilde;
  if (kTilde2 === 0) return 0;
  // cosh(κτ) = 1 + κ̃²τ²/2
  return Math.acosh(1 + (kTilde2 * tau * tau) / 2) / tau;
}

/** Holdings still to trade after each slice: x_0 = X … x_N = 0 (N + 1 values). */
export function acTrajectory(p: AcParams): number[] {
  check('total', p.total, 0, false);
  if (!Number.isInteger(p.slices) || p.slices < 1) throw new RangeError(`slices: expected an integer ≥ 1, got ${p.slices}`);
  check('intervalSec', p.intervalSec, 0, false);
  check('lambda', p.lambda, 0, true);
  check('sigma', p.sigma, 0, true);
  check('eta', p.eta, 0, false);
  check('gamma', p.gamma, 0, true);
  const n = p.slices;
  const kappa = acKappa(p);
  const T = n * p.intervalSec;
  const out: number[] = [];
  for (let k = 0; k <= n; k++) {
    const t = k * p.intervalSec;
    // κ → 0: sinh(κ(T−t))/sinh(κT) → (T−t)/T.
    out.push(kappa * T < 1e-9 ? (p.total * (T - t)) / T : (p.total * Math.sinh(kappa * (T - t))) / Math.sinh(kappa * T));
  }
  out[n] = 0;
  return out;
}

/** The slices n_k = x_{k−1} − x_k (N values, summing to X). */
export function acSlices(p: AcParams): number[] {
  const x = acTrajectory(p);
  return x.slice(1).map((v, i) => x[i]! - v);
}

export interface Slice {
  /** Offset from the schedule's start, ms. */
  atMs: number;
  /** Base amount (float; quantized when it becomes an order). */
  amount: number;
}

export interface JitterParams {
  /** Relative size jitter, percent (0–50). */
  sizePct: number;
  /** Time jitter, percent of the interval (0–45). */
  timePct: number;
}

/**
 * The A-C slices made unpredictable: each size × (1 + u·sizePct/100), u uniform in [−1, 1], then all
 * rescaled so the total is exactly the schedule's; slice k at (k + v·timePct/100)·τ, v uniform in
 * [−1, 1] (k = 0 never before the start). Same rng state ⇒ same slices.
 */
export function jitteredSchedule(p: AcParams, j: JitterParams, rng: Rng): Slice[] {
  if (!(j.sizePct >= 0 && j.sizePct <= 50)) throw new RangeError(`sizePct: expected 0–50, got ${j.sizePct}`);
  if (!(j.timePct >= 0 && j.timePct <= 45)) throw new RangeError(`timePct: expected 0–45, got ${j.timePct}`);
  const base = acSlices(p);
  const raw = base.map((s) => s * (1 + ((2 * rng() - 1) * j.sizePct) / 100));
  const sum = raw.reduce((a, b) => a + b, 0);
  const tauMs = p.intervalSec * 1000;
  return raw.map((s, k) => ({
    atMs: Math.max(0, Math.round((k + ((2 * rng() - 1) * j.timePct) / 100) * tauMs)),
    amount: (s * p.total) / sum,
  }));
}

/**
 * Never lead the price: a buy is priced at most the higher of the last independent trade and the
 * highest independent bid ("independent": not ours), and never above the hard limit; a sell at
 * least the lower of the last independent trade and the lowest independent ask, never below the
 * limit. Undefined when there is no independent price to follow: the slice waits.
 */
export function followingPrice(side: 'buy' | 'sell', x: { limit: number; lastIndependentTrade?: number; bestIndependentBid?: number; bestIndependentAsk?: number }): number | undefined {
  if (side === 'buy') {
    const refs = [x.lastIndependentTrade, x.bestIndependentBid].filter((v): v is number => v !== undefined && v > 0);
    if (refs.length === 0) return undefined;
    return Math.min(x.limit, Math.max(...refs));
  }
  const refs = [x.lastIndependentTrade, x.bestIndependentAsk].filter((v): v is number => v !== undefined && v > 0);
  if (refs.length === 0) return undefined;
  return Math.max(x.limit, Math.min(...refs));
}

/**
 * Participation cap summed over every venue: what may still be traded in the window so that ours
 * stays at most `capPct` % of the window's total volume (ours included): ours ≤ cap·(others + ours)
 * ⇔ ours ≤ cap/(1 − cap)·others. Never negative.
 */
export function participationRoom(x: { capPct: number; othersVolume: number; oursVolume: number }): number {
  if (!(x.capPct > 0 && x.capPct < 100)) throw new RangeError(`capPct: expected 0 < cap < 100, got ${x.capPct}`);
  const c = x.capPct / 100;
  return Math.max(0, (c / (1 - c)) * x.othersVolume - x.oursVolume);
}

export interface ImpactInputs {
  /** Cross-venue fair value (price). */
  mid: number;
  /**
   * Base amount resting on the side we take within ±bandFraction of mid, summed over the venues we
   * route to (the CEX books and the pool's curve): the book's depth.
   */
  depthBase: number;
  bandFraction: number;
  /** Trailing traded volume over every venue, base per second (how fast the market turns its book over). */
  volumeBasePerSec: number;
  /** Share of a move that stays (permanent) rather than reverts. Default 0.1. */
  permanentShare?: number;
}

/**
 * Almgren–Chriss impact parameters from the books and recent volume, for a book taken as linear
 * inside its band:
 * - taking q base at once moves the price by s·q, s = bandFraction·mid / depthBase (the book's slope),
 *   and costs s·q/2 per base on average;
 * - the book refills in about R = depthBase / volume-rate seconds (clamped to 1 s – 1 h): trading
 *   at rate v for R seconds takes v·R from it, so the temporary impact per base is s·v·R/2, i.e.
 *   η = s·R/2 (price per base/s);
 * - the permanent part γ = permanentShare · s (price per base).
 */
export function estimateImpact(x: ImpactInputs): { eta: number; gamma: number; slope: number; resilienceSec: number } {
  check('mid', x.mid, 0, false);
  check('depthBase', x.depthBase, 0, false);
  check('bandFraction', x.bandFraction, 0, false);
  check('volumeBasePerSec', x.volumeBasePerSec, 0, true);
  const share = x.permanentShare ?? 0.1;
  if (!(share >= 0 && share < 1)) throw new RangeError(`permanentShare: expected 0 ≤ share < 1, got ${share}`);
  const slope = (x.bandFraction * x.mid) / x.depthBase;
  const resilienceSec = Math.min(3600, Math.max(1, x.volumeBasePerSec > 0 ? x.depthBase / x.volumeBasePerSec : 3600));
  return { eta: (slope * resilienceSec) / 2, gamma: share * slope, slope, resilienceSec };
}
