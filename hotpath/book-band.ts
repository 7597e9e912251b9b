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
