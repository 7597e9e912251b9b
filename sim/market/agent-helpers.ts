// Small pieces every float agent shares: marketable orders within a slippage cap and the agent's
// budget, lognormal sizes, and the per-id seed derivation that gives each agent its own rng streams.
import { gaussian, type Rng } from '../../domain/rng';
import type { AgentView, LimitAction } from './agent.types';
import type { Side } from '../engine/engine.types';

/** Keep a little slack under the budget: the runner's exact re-check rounds against the agent. */
const BUDGET_SLACK = 0.999;

/**
 * An IOC order that takes liquidity from the touch up to `slippagePct` beyond it, sized to
 * `notionalQuote` at the touch and clipped to what the agent holds on that venue.
 */
export function marketableOrder(
  view: AgentView,
  venueId: string,
  side: Side,
  notionalQuote: number,
  slippagePct: number,
): LimitAction | undefined {
  const v = view.venue(venueId);
  const touch = side === 'buy' ? v?.ask : v?.bid;
  if (!v || touch === undefined || !(touch > 0) || !(notionalQuote > 0)) return undefined;
  const price = side === 'buy' ? touch * (1 + slippagePct / 100) : touch * (1 - slippagePct / 100);
  if (!(price > 0)) return undefined;
  return clipToBudget(view, { type: 'limit', venue: venueId, side, price, amount: notionalQuote / touch, tif: 'IOC' });
}

/** Clips an order to the agent's free balance (quote at the limit price for buys, base for sells). */
export function clipToBudget(view: AgentView, a: LimitAction): LimitAction | undefined {
  const h = view.holdings(a.venue);
  const max = a.side === 'buy' ? (h.quote / a.price) * BUDGET_SLACK : h.base;
  const amount = Math.min(a.amount, max);
  return amount > 0 ? { ...a, amount } : undefined;
}

export function lognormal(rng: Rng, median: number, sigma: number): number {
  return median * Math.exp(sigma * gaussian(rng));
}

export function pick<T>(items: readonly T[], rng: Rng): T | undefined {
  return items.length === 0 ? undefined : items[Math.floor(rng() * items.length) % items.length];
}

/** FNV-1a of the text mixed with the seed: independent, reproducible seeds per agent and purpose. */
export function deriveSeed(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // A final avalanche so that nearby labels ("noise-1", "noise-2") give unrelated streams.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}
