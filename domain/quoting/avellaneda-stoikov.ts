// Avellaneda & Stoikov (2008), "High-frequency trading in a limit order book":
//   reservation price  r = s − q·γ·σ²·(T − t)
//   total spread       δa + δb = γ·σ²·(T − t) + (2/γ)·ln(1 + γ/k)
//   quotes             r ∓ spread/2
// Long inventory (q > 0) lowers r, so both quotes move down: the maker sells more readily than it buys.
// Units: s and quotes in price, σ in price/√s, T − t in seconds, k in 1/price, q in orders (quote.types.ts).
import type { GridOrder } from '../grid';
import {
  buildGridQuotes,
  compiledFor,
  compileLadder,
  invalid,
  ladderOnGrid,
  quoteStrings,
  requireFinite,
  type AsHorizon,
  type AvellanedaStoikovParams,
  type DesiredQuote,
  type GridSnapshot,
  type LadderSpec,
  type MarketSnapshot,
} from './quote.types';

export function asReservationPrice(s: number, q: number, gamma: number, sigma: number, tau: number): number {
  return s - q * gamma * sigma * sigma * tau;
}

/** δa + δb. log1p keeps (2/γ)·ln(1 + γ/k) accurate for small γ (its limit as γ → 0 is 2/k). */
export function asTotalSpread(gamma: number, sigma: number, tau: number, k: number): number {
  return gamma * sigma * sigma * tau + (2 / gamma) * Math.log1p(gamma / k);
}

/** T − t in seconds at `nowMs` for a horizon (see AsHorizon in quote.types.ts). */
export function asTimeToHorizon(nowMs: number, h: AsHorizon): number {
  switch (h.kind) {
    case 'fixed':
      return Math.max(0, (h.endMs - nowMs) / 1000);
    case 'rolling':
      return requireFinite('horizon.seconds', h.seconds, 0, false);
    case 'cycle': {
      const periodMs = requireFinite('horizon.seconds', h.seconds, 0, true) * 1000;
      const into = (((nowMs - (h.anchorMs ?? 0)) % periodMs) + periodMs) % periodMs;
      return (periodMs - into) / 1000;
    }
    default:
      throw invalid('horizon.kind', `unknown horizon ${JSON.stringify(h)}`);
  }
}

/** Hummingbot's order-amount shape: the side that would grow |q| shrinks by e^(−η|q|). */
export function sizeFactors(q: number, eta: number): { bid: number; ask: number } {
  return { bid: q > 0 ? Math.exp(-eta * q) : 1, ask: q < 0 ? Math.exp(eta * q) : 1 };
}

interface AsCompiled {
  gamma: number;
  k: number;
  eta: number;
  horizon: AsHorizon;
  ladder: LadderSpec;
}

const compiled = new WeakMap<AvellanedaStoikovParams, AsCompiled>();

function compile(p: AvellanedaStoikovParams): AsCompiled {
  const gamma = requireFinite('gamma', p.gamma, 0, true);
  const k = requireFinite('k', p.k, 0, true);
  const eta = requireFinite('sizeShape', p.sizeShape ?? 0, 0, false);
  asTimeToHorizon(0, p.horizon); // validates the horizon's kind and seconds up front
  return { gamma, k, eta, horizon: p.horizon, ladder: compileLadder(p, p.band) };
}

export function avellanedaStoikovOnGrid(s: GridSnapshot, p: AvellanedaStoikovParams): GridOrder[] {
  const c = compiledFor(compiled, p, compile);
  const sigma = requireFinite('volatility', s.volatility, 0, false);
  const g = ladderOnGrid(c.ladder, s.grid);
  const q = (s.inventoryLots - s.targetLots) / g.lotsPerOrder;
  const tau = asTimeToHorizon(s.now, c.horizon);
  const r = asReservationPrice(s.mid, q, c.gamma, sigma, tau);
  const half = asTotalSpread(c.gamma, sigma, tau, c.k) / 2;
  const f = sizeFactors(q, c.eta);
  return buildGridQuotes(s, c.ladder, g, { bid: r - half, ask: r + half, bidFactor: f.bid, askFactor: f.ask });
}

export function avellanedaStoikovQuotes(s: MarketSnapshot, p: AvellanedaStoikovParams): DesiredQuote[] {
  return quoteStrings(s, p, avellanedaStoikovOnGrid);
}
