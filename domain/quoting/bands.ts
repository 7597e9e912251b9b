// Price band: the maker never buys above `ceiling` and never sells below `floor` (Hummingbot's price
// ceiling/floor, applied per quote rather than by switching a whole side off).
// - Bids above the ceiling: the best of them is lowered onto the ceiling (rounded down to the tick),
//   the rest are dropped — otherwise the whole ladder would stack on one price. If a bid already
//   rests exactly on the ceiling, it stays and all the bids above are dropped.
// - Asks below the floor: mirror image (raised onto the floor, rounded up).
// - Bids below the floor and asks above the ceiling are kept: buying cheap or selling dear is fine.
// Bids only move down and asks only up, so a band can never make a non-crossed set of quotes cross.
// One implementation on the integer grid (clampSide); the string API (applyPriceBand) maps its quotes
// onto it. The band's decimal strings are validated once per params object (compileBand) and turned
// into ticks once per grid (bandTicks), so the hot path compares integers only.
import type Decimal from 'decimal.js';
import { DomainError } from '../errors';
import { marketGrid, type GridOrder, type MarketGrid } from '../grid';
import { D } from '../money';
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

/** A validated band (both edges > 0, floor ≤ ceiling), still as the configured strings. */
export interface BandSpec {
  floor?: string;
  ceiling?: string;
}

/** The band's edges on one grid: ceiling rounded down, floor rounded up (never more aggressive). */
export interface BandTicks {
  ceiling?: number;
  floor?: number;
}

export function compileBand(band: PriceBand): BandSpec {
  const floor = bound('band.floor', band.floor);
  const ceiling = bound('band.ceiling', band.ceiling);
  if (floor && ceiling && floor.gt(ceiling)) throw invalid('band', `floor ${band.floor} is above ceiling ${band.ceiling}`);
  return { ...(band.floor !== undefined ? { floor: band.floor } : {}), ...(band.ceiling !== undefined ? { ceiling: band.ceiling } : {}) };
}

export function bandTicks(b: BandSpec, grid: MarketGrid): BandTicks {
  return {
    ...(b.ceiling !== undefined ? { ceiling: grid.ticks(b.ceiling, 'floor') } : {}),
    ...(b.floor !== undefined ? { floor: grid.ticks(b.floor, 'ceil') } : {}),
  };
}

/**
 * One side, best first, prices as integer keys (`ticks`). `beyond(k)` says a key is outside the band;
 * `edge` is the band's key. Orders outside are dropped except the best, which moves onto the edge
 * (unless one already rests there or the edge is not a positive price); levels renumbered.
 */
function clampSide<T extends { ticks: number; level: number }>(side: T[], edge: number | undefined, beyond: (k: number) => boolean): T[] {
  if (edge === undefined) return side;
  const inside = side.filter((o) => !beyond(o.ticks));
  const best = side.find((o) => beyond(o.ticks));
  if (best && edge > 0 && !inside.some((o) => o.ticks === edge)) inside.unshift({ ...best, ticks: edge });
  return inside.map((o, level) => ({ ...o, level }));
}

/** The band on grid orders: bids and asks each best first (as the quote builder makes them). */
export function applyGridBand(bids: GridOrder[], asks: GridOrder[], b: BandTicks): { bids: GridOrder[]; asks: GridOrder[] } {
  const { ceiling, floor } = b;
  return {
    bids: clampSide(bids, ceiling, (t) => t > ceiling!),
    asks: clampSide(asks, floor, (t) => t < floor!),
  };
}

const tickGrids = new Map<string, MarketGrid>();

/**
 * Applies the band to a quote list (any order in; bids best-first, then asks best-first out).
 * Quote prices need not be on the tick grid: each is keyed by floor + ceil of price/tick, which is
 * 2·ticks on the grid and odd strictly between two ticks, so comparisons with an edge (2·edge ticks)
 * stay exact; a quote moved onto an edge takes the edge's grid price.
 */
export function applyPriceBand(quotes: DesiredQuote[], band: PriceBand, tickSize: string): DesiredQuote[] {
  const spec = compileBand(band);
  let grid = tickGrids.get(tickSize);
  if (!grid) {
    grid = marketGrid({ tickSize, lotSize: '1', minNotional: '0' });
    if (tickGrids.size > 256) tickGrids.clear();
    tickGrids.set(tickSize, grid);
  }
  const g = grid;
  const edges = bandTicks(spec, g);
  // `key` remembers the quote's own key: a quote whose key changed was moved onto the edge.
  const keyed = (side: 'buy' | 'sell') =>
    quotes
      .filter((q) => q.side === side)
      .map((q) => {
        const key = g.ticks(q.price, 'floor') + g.ticks(q.price, 'ceil');
        return { q, key, ticks: key, level: q.level };
      })
      .sort((x, y) => (side === 'buy' ? y.ticks - x.ticks : x.ticks - y.ticks));
  const back = (o: { q: DesiredQuote; key: number; ticks: number; level: number }): DesiredQuote =>
    o.ticks === o.key ? { ...o.q, level: o.level } : { ...o.q, price: g.priceStr(o.ticks / 2), level: o.level };
  const c = edges.ceiling;
  const f = edges.floor;
  const bids = clampSide(keyed('buy'), c === undefined ? undefined : 2 * c, (k) => k > 2 * c!);
  const asks = clampSide(keyed('sell'), f === undefined ? undefined : 2 * f, (k) => k < 2 * f!);
  return [...bids.map(back), ...asks.map(back)];
}
