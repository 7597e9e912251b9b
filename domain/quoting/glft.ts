// Guéant, Lehalle & Fernandez-Tapia (2013), "Dealing with the inventory risk": the closed-form
// asymptotic (T → ∞) approximation of the optimal quotes, as used by hftbacktest's GLFT market maker:
//   c1 = 1/(ξΔ) · ln(1 + ξΔ/k)
//   c2 = sqrt( γ / (2AΔk) · (1 + ξΔ/k)^(k/(ξΔ) + 1) )
//   δb = c1 + (Δ/2)·σ·c2 + q·σ·c2      (bid depth below the mid)
//   δa = c1 + (Δ/2)·σ·c2 − q·σ·c2      (ask depth above the mid)
// so half-spread = c1 + (Δ/2)·σ·c2 and skew = σ·c2 per order of inventory. Long inventory (q > 0)
// deepens the bid and tightens the ask: both quotes move down by q·σ·c2.
// ξ → 0 (the risk-adjusted-expectation model) has the limits c1 = 1/k and (1 + ξΔ/k)^(k/(ξΔ)+1) = e.
// Unlike A-S there is no horizon: the asymptotic quotes are stationary, which suits continuous quoting.
import type { GridOrder } from '../grid';
import { sizeFactors } from './avellaneda-stoikov';
import {
  buildGridQuotes,
  compiledFor,
  compileLadder,
  ladderOnGrid,
  quoteStrings,
  requireFinite,
  type DesiredQuote,
  type GlftParams,
  type GridSnapshot,
  type LadderSpec,
  type MarketSnapshot,
} from './quote.types';

export interface GlftCoefficients {
  c1: number;
  c2: number;
}

export function glftCoefficients(p: { gamma: number; xi: number; k: number; A: number; delta: number }): GlftCoefficients {
  const xd = p.xi * p.delta;
  const x = xd / p.k;
  // Below ~1e-9 the closed forms lose every digit to cancellation; their limits are exact there.
  const small = x < 1e-9;
  const c1 = small ? 1 / p.k : Math.log1p(x) / xd;
  const growth = small ? Math.E : Math.exp((p.k / xd + 1) * Math.log1p(x));
  const c2 = Math.sqrt((p.gamma / (2 * p.A * p.delta * p.k)) * growth);
  return { c1, c2 };
}

/** Depths of the bid below and the ask above the mid, price units. */
export function glftDepths(c: GlftCoefficients, sigma: number, q: number, delta: number): { bid: number; ask: number } {
  const half = c.c1 + (delta / 2) * sigma * c.c2;
  const skew = sigma * c.c2;
  return { bid: half + q * skew, ask: half - q * skew };
}

interface GlftCompiled {
  coefficients: GlftCoefficients;
  delta: number;
  eta: number;
  ladder: LadderSpec;
}

const compiled = new WeakMap<GlftParams, GlftCompiled>();

function compile(p: GlftParams): GlftCompiled {
  const gamma = requireFinite('gamma', p.gamma, 0, true);
  const xi = requireFinite('xi', p.xi ?? gamma, 0, false);
  const k = requireFinite('k', p.k, 0, true);
  const A = requireFinite('A', p.A, 0, true);
  const delta = requireFinite('delta', p.delta ?? 1, 0, true);
  const eta = requireFinite('sizeShape', p.sizeShape ?? 0, 0, false);
  return { coefficients: glftCoefficients({ gamma, xi, k, A, delta }), delta, eta, ladder: compileLadder(p, p.band) };
}

export function glftOnGrid(s: GridSnapshot, p: GlftParams): GridOrder[] {
  const c = compiledFor(compiled, p, compile);
  const sigma = requireFinite('volatility', s.volatility, 0, false);
  const g = ladderOnGrid(c.ladder, s.grid);
  const q = (s.inventoryLots - s.targetLots) / g.lotsPerOrder;
  const depth = glftDepths(c.coefficients, sigma, q, c.delta);
  const f = sizeFactors(q, c.eta);
  return buildGridQuotes(s, c.ladder, g, { bid: s.mid - depth.bid, ask: s.mid + depth.ask, bidFactor: f.bid, askFactor: f.ask });
}

export function glftQuotes(s: MarketSnapshot, p: GlftParams): DesiredQuote[] {
  return quoteStrings(s, p, glftOnGrid);
}
