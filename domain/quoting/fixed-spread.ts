// The naive baseline: one bid and one ask, symmetric around the mid at a fixed total spread, the same
// size on both sides whatever the inventory (no skew). Only the hard inventory limits of the quote
// builder apply (no bid at or above maxInventory, no ask below minInventory): a risk limit, not a skew.
import { D } from '../money';
import { buildQuotes, requireDecimal, type DesiredQuote, type FixedSpreadParams, type MarketSnapshot } from './quote.types';

export function fixedSpreadQuotes(s: MarketSnapshot, p: FixedSpreadParams): DesiredQuote[] {
  const half = requireDecimal('spreadPct', p.spreadPct, '', 0, false).div(200);
  const amount = requireDecimal('orderAmount', p.orderAmount, '', 0, true);
  const mid = new D(s.mid);
  const one = new D(1);
  return buildQuotes(s, { bids: [{ price: mid.times(one.minus(half)), amount }], asks: [{ price: mid.times(one.plus(half)), amount }] }, p.band);
}
