// A Hummingbot-style pure market maker, the rule-based baseline the optimal models must beat.
// Level i (0 = best): bid = mid·(1 − bidSpread% − i·spacing%), ask = mid·(1 + askSpread% + i·spacing%),
// amount = orderAmount + i·increment. Exact decimal arithmetic throughout.
// Inventory skew (Hummingbot's inventory_skew_calculator, in base units instead of portfolio value):
// the allowed range around the target is R = multiplier × total ladder size (both sides); the bid
// factor runs linearly from 2 (at max(target − R, 0) or below) through 1 (at target) to 0 (at
// target + R or above), and the ask factor is 2 − bid factor. Long inventory shrinks bids and grows
// asks; prices do not move.
import type Decimal from 'decimal.js';
import { D } from '../money';
import { buildQuotes, ladderFrom, requireDecimal, type DesiredQuote, type MarketSnapshot, type PureMmParams } from './quote.types';

/** Hummingbot's calculate_total_order_size: both sides of the ladder. */
export function totalOrderSize(orderAmount: Decimal.Value, increment: Decimal.Value, levels: number): Decimal {
  return new D(orderAmount).times(levels).plus(new D(increment).times((levels * (levels - 1)) / 2)).times(2);
}

/** Bid/ask size factors in [0, 2] for an inventory, its target and the allowed range R (base units). */
export function inventorySkewFactors(inventory: Decimal.Value, target: Decimal.Value, range: Decimal.Value): { bid: Decimal; ask: Decimal } {
  const inv = new D(inventory);
  const t = new D(target);
  const r = new D(range);
  if (r.lte(0)) return { bid: new D(0), ask: new D(0) };
  let bid: Decimal;
  if (inv.lt(t)) {
    const left = D.max(t.minus(r), 0);
    bid = inv.lte(left) ? new D(2) : new D(2).minus(inv.minus(left).div(t.minus(left)));
  } else {
    bid = D.max(new D(1).minus(inv.minus(t).div(r)), 0);
  }
  return { bid, ask: new D(2).minus(bid) };
}

export function pureMmQuotes(s: MarketSnapshot, p: PureMmParams): DesiredQuote[] {
  const bidSpread = requireDecimal('bidSpreadPct', p.bidSpreadPct, '', 0, false);
  const askSpread = requireDecimal('askSpreadPct', p.askSpreadPct, '', 0, false);
  const multiplier = requireDecimal('inventoryRangeMultiplier', p.inventoryRangeMultiplier, '1', 0, true);
  const increment = requireDecimal('levelAmountIncrement', p.levelAmountIncrement, '0', 0, false);
  const mid = new D(s.mid);
  const factors =
    p.inventorySkew === false
      ? { bid: new D(1), ask: new D(1) }
      : inventorySkewFactors(s.inventory, s.targetInventory, totalOrderSize(p.orderAmount, increment, p.orderLevels ?? 1).times(multiplier));
  const best = { bid: mid.times(new D(1).minus(bidSpread.div(100))), ask: mid.times(new D(1).plus(askSpread.div(100))) };
  return buildQuotes(s, ladderFrom(s, p, best, factors), p.band);
}
