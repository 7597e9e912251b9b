// The naive baseline: one bid and one ask, symmetric around the mid at a fixed total spread, the same
// size on both sides whatever the inventory (no skew). Only the hard inventory limits of the quote
// builder apply (no bid at or above maxInventory, no ask below minInventory): a risk limit, not a skew.
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
  type FixedSpreadParams,
  type GridSnapshot,
  type LadderSpec,
  type MarketSnapshot,
} from './quote.types';

interface FixedSpreadCompiled {
  /** 1 ∓ spreadPct/200: the best prices are mid times these. */
  bidMul: number;
  askMul: number;
  ladder: LadderSpec;
}

const compiled = new WeakMap<FixedSpreadParams, FixedSpreadCompiled>();

function compile(p: FixedSpreadParams): FixedSpreadCompiled {
  const half = requireDecimal('spreadPct', p.spreadPct, '', 0, false).div(200);
  // One level, no increment: only orderAmount of the ladder parameters applies.
  const ladder = compileLadder({ orderAmount: p.orderAmount }, p.band);
  return { bidMul: new D(1).minus(half).toNumber(), askMul: new D(1).plus(half).toNumber(), ladder };
}

export function fixedSpreadOnGrid(s: GridSnapshot, p: FixedSpreadParams): GridOrder[] {
  const c = compiledFor(compiled, p, compile);
  const g = ladderOnGrid(c.ladder, s.grid);
  return buildGridQuotes(s, c.ladder, g, { bid: s.mid * c.bidMul, ask: s.mid * c.askMul, bidFactor: 1, askFactor: 1 });
}

export function fixedSpreadQuotes(s: MarketSnapshot, p: FixedSpreadParams): DesiredQuote[] {
  return quoteStrings(s, p, fixedSpreadOnGrid);
}
