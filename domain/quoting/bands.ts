// Price band: the maker never buys above `ceiling` and never sells below `floor` (Hummingbot's price
// ceiling/floor, applied per quote rather than by switching a whole side off).
// - Bids above the ceiling: the best of them is lowered onto the ceiling (rounded down to the tick),
//   the rest are dropped — otherwise the whole ladder would stack on one price. If a bid already
//   rests exactly on the ceiling, it stays and all the bids above are dropped.
// - Asks below the floor: mirror image (raised onto the floor, rounded up).
// - Bids below the floor and asks above the ceiling are kept: buying cheap or selling dear is fine.
// Bids only move down and asks only up, so a band can never make a non-crossed set of quotes cross.
import type Decimal from 'decimal.js';
import { D, fmt } from '../money';
import { quantizePrice } from '../quantize';
import { DomainError } from '../errors';
import type { DesiredQuote, PriceBand } from './quote.types';

const invalid = (field: string, message: string): DomainError => new DomainError('QUOTING.INVALID_PARAMS', `${field}: ${message}`);

function bound(field: string, v: string | undefined): Decimal | undefined {
  if (v === undefined) return undefined;
  let d: Decimal;
  try {
    d = new D(v);
  } catch {
    throw invalid(field, `expected a decimal string, got ${JSON.stringify(v)}`);
  }
  if (!d.isFinite() || d.lte(0)) throw invalid(field, `expected a decimal > 0, got ${v}`);
  return d;
}

/** One side, best first. `beyond(p)` says a price is outside the band; `edge` is the band's grid price. */
function clampSide(side: DesiredQuote[], edge: Decimal | undefined, beyond: (p: Decimal) => boolean): DesiredQuote[] {
  if (!edge) return side;
  const outside = side.filter((q) => beyond(new D(q.price)));
  const inside = side.filter((q) => !beyond(new D(q.price)));
  const best = outside[0];
  if (best && edge.gt(0) && !inside.some((q) => edge.eq(q.price))) inside.unshift({ ...best, price: fmt(edge) });
  return inside.map((q, level) => ({ ...q, level }));
}

/** Applies the band to a quote list (any order in; bids best-first, then asks best-first out). */
export function applyPriceBand(quotes: DesiredQuote[], band: PriceBand, tickSize: string): DesiredQuote[] {
  const floor = bound('band.floor', band.floor);
  const ceiling = bound('band.ceiling', band.ceiling);
  if (floor && ceiling && floor.gt(ceiling)) throw invalid('band', `floor ${band.floor} is above ceiling ${band.ceiling}`);
  const ceilingQ = ceiling && new D(quantizePrice(ceiling, tickSize, 'buy'));
  const floorQ = floor && new D(quantizePrice(floor, tickSize, 'sell'));
  const bids = quotes.filter((q) => q.side === 'buy').sort((a, b) => new D(b.price).cmp(a.price));
  const asks = quotes.filter((q) => q.side === 'sell').sort((a, b) => new D(a.price).cmp(b.price));
  return [...clampSide(bids, ceilingQ, (p) => (ceilingQ ? p.gt(ceilingQ) : false)), ...clampSide(asks, floorQ, (p) => (floorQ ? p.lt(floorQ) : false))];
}
