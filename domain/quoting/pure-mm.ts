// A Hummingbot-style pure market maker, the rule-based baseline the optimal models must beat.
// Level i (0 = best): bid = mid·(1 − bidSpread% − i·spacing%), ask = mid·(1 + askSpread% + i·spacing%),
// amount = orderAmount + i·increment. Model math in floats; the quote builder puts it on the grid
// exactly (bids rounded down, asks up, amounts floored to lots).
// Inventory skew (Hummingbot's inventory_skew_calculator, in base units instead of portfolio value):
// the allowed range around the target is R = multiplier × total ladder size (both sides); the bid
// factor runs linearly from 2 (at max(target − R, 0) or below) through 1 (at target) to 0 (at
// target + R or above), and the ask factor is 2 − bid factor. Long inventory shrinks bids and grows
// asks; prices do not move.
import type Decimal from 'decimal.js';
import type { GridOrder } from '../grid';
import { D } from '../money';
import {
  buildGridQuotes,
  compiledFor,
  compileLadder,
  ladderOnGrid,
  quoteStrings,
  requireDecimal,
  type DesiredQuote,
  type GridSnapshot,
  type LadderSpec,
  type MarketSnapshot,
  type PureMmParams,
} from './quote.types';

/** Hummingbot's calculate_total_order_size: both sides of the ladder. */
export function totalOrderSize(orderAmount: Decimal.Value, increment: Decimal.Value, levels: number): Decimal {
  return new D(orderAmount).times(levels).plus(new D(increment).times((levels * (levels - 1)) / 2)).times(2);
}

/** Bid/ask size factors in [0, 2] for an inventory, its target and the allowed range R (any one unit). */
export function skewFactors(inventory: number, target: number, range: number): { bid: number; ask: number } {
  if (!(range > 0)) return { bid: 0, ask: 0 };
  let bid: number;
  if (inventory < target) {
    const left = Math.max(target - range, 0);
    bid = inventory <= left ? 2 : 2 - (inventory - left) / (target - left);
  } else {
    bid = Math.max(1 - (inventory - target) / range, 0);
  }
  return { bid, ask: 2 - bid };
}

/** skewFactors for decimal inputs (base units), as decimals: for reports and tests. */
export function inventorySkewFactors(inventory: Decimal.Value, target: Decimal.Value, range: Decimal.Value): { bid: Decimal; ask: Decimal } {
  const f = skewFactors(new D(inventory).toNumber(), new D(target).toNumber(), new D(range).toNumber());
  return { bid: new D(f.bid), ask: new D(f.ask) };
}

interface PureMmCompiled {
  /** 1 − bidSpread/100 and 1 + askSpread/100: best prices are mid times these. */
  bidMul: number;
  askMul: number;
  skew: boolean;
  ladder: LadderSpec;
}

const compiled = new WeakMap<PureMmParams, PureMmCompiled>();

function compile(p: PureMmParams): PureMmCompiled {
  const bidSpread = requireDecimal('bidSpreadPct', p.bidSpreadPct, '', 0, false);
  const askSpread = requireDecimal('askSpreadPct', p.askSpreadPct, '', 0, false);
  const multiplier = requireDecimal('inventoryRangeMultiplier', p.inventoryRangeMultiplier, '1', 0, true);
  const ladder = compileLadder(p, p.band);
  const one = new D(1);
  return {
    bidMul: one.minus(bidSpread.div(100)).toNumber(),
    askMul: one.plus(askSpread.div(100)).toNumber(),
    skew: p.inventorySkew !== false,
    ladder: { ...ladder, rangeBase: totalOrderSize(ladder.orderAmount, ladder.increment, ladder.levels).times(multiplier) },
  };
}

export function pureMmOnGrid(s: GridSnapshot, p: PureMmParams): GridOrder[] {
  const c = compiledFor(compiled, p, compile);
  const g = ladderOnGrid(c.ladder, s.grid);
  // Inventory, target and range all in lots: the factors are ratios, so the unit cancels.
  const f = c.skew ? skewFactors(s.inventoryLots, s.targetLots, g.rangeLots) : { bid: 1, ask: 1 };
  return buildGridQuotes(s, c.ladder, g, { bid: s.mid * c.bidMul, ask: s.mid * c.askMul, bidFactor: f.bid, askFactor: f.ask });
}

export function pureMmQuotes(s: MarketSnapshot, p: PureMmParams): DesiredQuote[] {
  return quoteStrings(s, p, pureMmOnGrid);
}
