// Volatility of the fair value: an EWMA for the hot path and a windowed realized volatility.
//
// Everything is per second of wall time. Observations come at irregular times (book updates, trades),
// so a return over Δt seconds is an estimate of σ²·Δt, i.e. r²/Δt estimates the per-second variance
// σ². The EWMA weights that estimate by α = 1 − exp(−Δt/τ) (τ = halfLife / ln 2), so a longer
// interval counts more, as it should: for Δt ≪ τ the update adds ≈ r²/τ, which is the realized
// variance accumulated per unit of memory, independent of how often we sample. Two updates at the
// same millisecond use that limit (σ² += r²/τ); an observation older than the last one is ignored.
//
// Sampling every book tick picks up bid–ask bounce (microstructure noise) and overstates σ; feed it
// mids or fair values sampled at a steady cadence (≥ 1 s) when that matters.
// Floats (binary64) throughout: a model quantity, never money.

/** 365 days: crypto markets trade around the clock. */
export const SECONDS_PER_YEAR = 365 * 24 * 3600;

export interface PricePoint {
  /** Epoch ms. */
  t: number;
  price: number;
}

/** JSON-serializable state, so it can cross a workflow boundary or a restart. */
export interface EwmaVolState {
  /** Per-second variance of log returns; undefined until the first return sets it to r²/Δt (unless seeded). */
  variancePerSec?: number;
  lastT?: number;
  lastPrice?: number;
  /** Returns folded in so far. */
  samples: number;
  /** Out-of-order or non-positive observations ignored. */
  ignored: number;
}

export interface EwmaVolParams {
  /** Half-life of the memory in seconds (weight of an observation halves every halfLifeSec). */
  halfLifeSec: number;
}

export function initialEwmaVol(seedVariancePerSec?: number): EwmaVolState {
  return seedVariancePerSec === undefined ? { samples: 0, ignored: 0 } : { variancePerSec: seedVariancePerSec, samples: 0, ignored: 0 };
}

/** Folds one observation into the state; returns a new state (the input is not modified). */
export function updateEwmaVol(state: EwmaVolState, obs: PricePoint, params: EwmaVolParams): EwmaVolState {
  if (!(params.halfLifeSec > 0)) throw new RangeError('halfLifeSec must be > 0');
  if (!(obs.price > 0) || !Number.isFinite(obs.price) || !Number.isFinite(obs.t)) return { ...state, ignored: state.ignored + 1 };
  if (state.lastT === undefined || state.lastPrice === undefined) return { ...state, lastT: obs.t, lastPrice: obs.price };
  const dtSec = (obs.t - state.lastT) / 1000;
  if (dtSec < 0) return { ...state, ignored: state.ignored + 1 };
  const tau = params.halfLifeSec / Math.LN2;
  const r = Math.log(obs.price / state.lastPrice);
  let variance: number;
  if (dtSec === 0) {
    variance = (state.variancePerSec ?? 0) + (r * r) / tau;
  } else {
    const alpha = -Math.expm1(-dtSec / tau); // 1 − e^(−Δt/τ), accurate for small Δt/τ
    const instant = (r * r) / dtSec;
    variance = state.variancePerSec === undefined ? instant : (1 - alpha) * state.variancePerSec + alpha * instant;
  }
  return { variancePerSec: variance, lastT: obs.t, lastPrice: obs.price, samples: state.samples + 1, ignored: state.ignored };
}

/** σ per √second, or undefined before the first return. */
export function ewmaVolPerSec(state: EwmaVolState): number | undefined {
  return state.variancePerSec === undefined ? undefined : Math.sqrt(state.variancePerSec);
}

export interface RealizedVol {
  variancePerSec: number;
  volPerSec: number;
  returns: number;
  elapsedSec: number;
}

/**
 * Realized volatility over [now − windowMs, now]: Σ r² / elapsed seconds, over consecutive
 * observations that both lie in the window (the return straddling the window start is left out,
 * and elapsed time runs from the first to the last observation in the window). Points need not be
 * sorted. Undefined with fewer than two points or zero elapsed time.
 */
export function realizedVolatility(points: readonly PricePoint[], windowMs: number, now: number): RealizedVol | undefined {
  const from = now - windowMs;
  const inWindow = points.filter((p) => p.t >= from && p.t <= now && p.price > 0).sort((a, b) => a.t - b.t);
  if (inWindow.length < 2) return undefined;
  const elapsedSec = (inWindow[inWindow.length - 1]!.t - inWindow[0]!.t) / 1000;
  if (elapsedSec <= 0) return undefined;
  let sumSq = 0;
  for (let i = 1; i < inWindow.length; i++) {
    const r = Math.log(inWindow[i]!.price / inWindow[i - 1]!.price);
    sumSq += r * r;
  }
  const variancePerSec = sumSq / elapsedSec;
  return { variancePerSec, volPerSec: Math.sqrt(variancePerSec), returns: inWindow.length - 1, elapsedSec };
}

/** σ over a horizon: σ_per_sec · √horizonSec (random-walk scaling). */
export function volOverHorizon(volPerSec: number, horizonSec: number): number {
  return volPerSec * Math.sqrt(horizonSec);
}

/** Annualized σ from a per-second σ (24/7 year by default). */
export function annualizeVol(volPerSec: number, secondsPerYear = SECONDS_PER_YEAR): number {
  return volOverHorizon(volPerSec, secondsPerYear);
}

/** Per-second σ from an annualized σ (e.g. to seed the EWMA from a configured figure). */
export function deannualizeVol(annualVol: number, secondsPerYear = SECONDS_PER_YEAR): number {
  return annualVol / Math.sqrt(secondsPerYear);
}
