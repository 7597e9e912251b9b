// The part of a book that can count toward depth within ±band of its mid. The exact (decimal)
// compliance measure parses every level it is given; a 50–200-level book sampled every few seconds
// made that the largest cost of a closed-loop backtest. Levels a hair beyond the band are kept, so
// the exact measure still decides the edge: the result is the same as on the whole book.
import type { BookLevel } from '../domain/order-book';

export function withinBand<B extends { bids: readonly BookLevel[]; asks: readonly BookLevel[] }>(book: B, band: number): { bids: BookLevel[]; asks: BookLevel[] } {
  let bid = -Infinity;
  let ask = Infinity;
  for (const l of book.bids) bid = Math.max(bid, Number(l.price));
  for (const l of book.asks) ask = Math.min(ask, Number(l.price));
  // One-sided, crossed or unparsable: the exact measure reports it; hand it everything.
  if (!(bid > 0) || !(ask < Infinity) || !(bid < ask)) return { bids: [...book.bids], asks: [...book.asks] };
  const mid = (bid + ask) / 2;
  const lo = mid * (1 - band) * (1 - 1e-9);
  const hi = mid * (1 + band) * (1 + 1e-9);
  return { bids: book.bids.filter((l) => Number(l.price) >= lo), asks: book.asks.filter((l) => Number(l.price) <= hi) };
}

/**
 * The compliance verdict on spread and the band's depth, in floats, when it is clear: every figure
 * is at least a millionth (relative) away from its limit. Undefined at the edge, where only the exact
 * decimal measure may decide (its result is then the same as without this shortcut).
 */
export function clearVerdict(book: { bids: readonly BookLevel[]; asks: readonly BookLevel[] }, req: { maxSpreadPct: string; minDepthQuote: string; depthBandPct: string }): boolean | undefined {
  let bid = -Infinity;
  let ask = Infinity;
  for (const l of book.bids) bid = Math.max(bid, Number(l.price));
  for (const l of book.asks) ask = Math.min(ask, Number(l.price));
  if (!(bid > 0) || !(ask < Infinity) || !(bid < ask)) return undefined;
  const mid = (bid + ask) / 2;
  const band = Number(req.depthBandPct) / 100;
  const lo = mid * (1 - band);
  const hi = mid * (1 + band);
  let bidQuote = 0;
  let askQuote = 0;
  for (const l of book.bids) {
    const p = Number(l.price);
    if (Math.abs(p / lo - 1) < 1e-9) return undefined; // a level on the band's edge: exact measure
    if (p > lo) bidQuote += p * Number(l.amount);
  }
  for (const l of book.asks) {
    const p = Number(l.price);
    if (Math.abs(p / hi - 1) < 1e-9) return undefined;
    if (p < hi) askQuote += p * Number(l.amount);
  }
  const spread = ((ask - bid) / mid) * 100;
  const maxSpread = Number(req.maxSpreadPct);
  const need = Number(req.minDepthQuote);
  const near = (x: number, limit: number) => Math.abs(x - limit) <= 1e-6 * Math.max(Math.abs(limit), 1e-12);
  if (near(spread, maxSpread) || near(bidQuote, need) || near(askQuote, need)) return undefined;
  return spread < maxSpread && bidQuote > need && askQuote > need;
}
