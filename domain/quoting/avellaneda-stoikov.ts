// Avellaneda & Stoikov (2008), "High-frequency trading in a limit order book":
//   reservation price  r = s − q·γ·σ²·(T − t)
//   total spread       δa + δb = γ·σ²·(T − t) + (2/γ)·ln(1 + γ/k)
//   quotes             r ∓ spread/2
// Long inventory (q > 0) lowers r, so both quotes move down: the maker sells more readily than it buys.
// Units: s and quotes in price, σ in price/√s, T − t in seconds, k in 1/price, q in orders (quote.types.ts).
import { D } from '../money';
import {
  buildQuotes,
  fromFloat,
  inventoryInOrders,
  invalid,
  ladderFrom,
  requireDecimal,
  requireFinite,
  type AsHorizon,
  type AvellanedaStoikovParams,
  type DesiredQuote,
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

export function avellanedaStoikovQuotes(s: MarketSnapshot, p: AvellanedaStoikovParams): DesiredQuote[] {
  const gamma = requireFinite('gamma', p.gamma, 0, true);
  const k = requireFinite('k', p.k, 0, true);
  const eta = requireFinite('sizeShape', p.sizeShape ?? 0, 0, false);
  const sigma = requireFinite('volatility', s.volatility, 0, false);
  const amount = requireDecimal('orderAmount', p.orderAmount, '', 0, true);
  const q = inventoryInOrders(s, amount);
  const tau = asTimeToHorizon(s.now, p.horizon);
  const mid = new D(s.mid).toNumber();
  const r = asReservationPrice(mid, q, gamma, sigma, tau);
  const half = asTotalSpread(gamma, sigma, tau, k) / 2;
  const f = sizeFactors(q, eta);
  const ladder = ladderFrom(
    s,
    p,
    { bid: fromFloat('bid', r - half), ask: fromFloat('ask', r + half) },
    { bid: fromFloat('bid size factor', f.bid), ask: fromFloat('ask size factor', f.ask) },
  );
  return buildQuotes(s, ladder, p.band);
}
