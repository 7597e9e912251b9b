// Depth-requirement ladder: the orders on one side of one venue that meet its listing requirement
// ("at least X quote notional within ±band % of mid") with the least capital.
//
// How: every level counted toward the band sits at least `edgeMarginPct` inside the band edge (so
// a small mid move or the other side's tick rounding does not push it out); the requirement X is
// split over those levels by weight (flat by default, `sizeRatio` tilts it) and sized in whole
// lots rounded down; then single lots are added, largest rounding remainder first, only until the
// band total reaches X. So the band holds X plus less than one lot per level (one lot in all,
// unless min-notional forces a level up), and no capital rests outside the band unless
// `extraLevels` asks for it. Requested levels that fall outside the band are dropped and reported,
// as are levels removed because X split that many ways would put a level under the venue's min
// notional (fewer, larger levels use less capital than padding each one to the minimum).
//
// One implementation, on the market's integer grid (domain/grid.ts), for the quoting hot path:
// prices are ticks, amounts lots, notionals tick·lot units. Only the level prices (offsets from
// the float fair value) and the split of X into weights are float model math; prices are rounded
// away from mid onto the grid (buys down, sells up), the band edge becomes an integer tick limit,
// and the totals that the guarantees are about are exact integer sums. `buildLadder` is the
// decimal-string wrapper for callers that hold strings. Levels are numbered from 0 (best).
import { DomainError } from '../errors';
import { marketGrid, type MarketGrid } from '../grid';
import { D } from '../money';
import type { QuantizeRules } from '../quantize';

export type LadderSide = 'buy' | 'sell';

export interface LadderParams {
  side: LadderSide;
  /** The mid the venue measures depth around (decimal string). */
  mid: string;
  rules: QuantizeRules;
  /** Minimum quote notional this side must show within ±bandPct of mid. */
  depthQuote: string;
  /** Half-width of the depth band, percent. Default "2". */
  bandPct?: string;
  /** Counted levels stay this many percentage points inside the band edge. Default bandPct / 10. */
  edgeMarginPct?: string;
  /** Levels to carry the requirement. */
  levels: number;
  /** Best level's distance from mid, percent (> 0), unless `firstPrice` gives the best price directly. */
  firstOffsetPct?: string;
  firstPrice?: string;
  /** Gap between consecutive levels, percent of mid. */
  stepPct: string;
  /** Each gap is `stepGrowth` × the previous one (1 = evenly spaced). Default "1". */
  stepGrowth?: string;
  /** Notional of level i+1 relative to level i (1 = flat, 2 = each deeper level twice as big). Default "1". */
  sizeRatio?: string;
  /** Levels beyond the band (they do not count toward it), at bandPct + k·stepPct, each ≈ quoteEach notional. */
  extraLevels?: { count: number; quoteEach: string };
}

export interface LadderLevel {
  level: number;
  side: LadderSide;
  price: string;
  amount: string;
  /** price × amount, exact. */
  notional: string;
  /** Counted toward the depth requirement (inside the band minus the edge margin). */
  insideBand: boolean;
}

export type LadderResult =
  | {
      ok: true;
      side: LadderSide;
      levels: LadderLevel[];
      /** Notional of the counted levels: ≥ depthQuote. */
      bandQuote: string;
      totalQuote: string;
      /** What the ladder locks: quote currency for bids, base for asks. */
      capital: { asset: 'quote' | 'base'; amount: string };
      /** Indexes of requested levels that fell outside the band (after the edge margin). */
      droppedOutsideBand: number[];
      /** Levels removed so each remaining one clears the min notional. */
      droppedForMinNotional: number[];
    }
  | { ok: false; reason: 'NO_LEVEL_INSIDE_BAND'; message: string };

/** A ladder level on the grid: price in ticks, amount in lots. */
export interface GridLadderLevel {
  level: number;
  side: LadderSide;
  ticks: number;
  lots: number;
  insideBand: boolean;
}

export interface GridLadderParams {
  side: LadderSide;
  /** Float reference price (the fair value), > 0. */
  mid: number;
  grid: MarketGrid;
  /** The requirement in tick·lot units (the caller rounds up). */
  depthUnits: number;
  bandPct?: string;
  edgeMarginPct?: string;
  levels: number;
  /** Best level's price in ticks, or `firstOffsetPct`. */
  firstTicks?: number;
  firstOffsetPct?: string;
  stepPct: string;
  stepGrowth?: string;
  sizeRatio?: string;
  extraLevels?: { count: number; quoteEachUnits: number };
}

export type GridLadderResult =
  | {
      ok: true;
      side: LadderSide;
      levels: GridLadderLevel[];
      /** Units of the counted levels: ≥ depthUnits. */
      bandUnits: number;
      totalUnits: number;
      droppedOutsideBand: number[];
      droppedForMinNotional: number[];
    }
  | { ok: false; reason: 'NO_LEVEL_INSIDE_BAND'; message: string };

function invalid(message: string): never {
  throw new DomainError('LADDER.INVALID_PARAMS', message);
}

// Percent parameters come from config and repeat every call: parse each distinct string once.
const pctCache = new Map<string, number>();
function pctNum(s: string, field: string): number {
  let n = pctCache.get(s);
  if (n === undefined) {
    n = Number(s);
    if (s.trim() === '' || !Number.isFinite(n)) invalid(`${field} must be a decimal, got ${s}`);
    if (pctCache.size >= 256) pctCache.clear();
    pctCache.set(s, n);
  }
  return n;
}

/** ⌈a / b⌉ for safe integers, b > 0: exact, as a correctly rounded quotient of safe integers never crosses an integer. */
const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

/** Smallest lot count at `ticks` that is at least one lot and clears the min notional. */
export function minViableLots(ticks: number, minNotionalUnits: number): number {
  return Math.max(1, ceilDiv(minNotionalUnits, ticks));
}

/** floor(x), except that float noise within 1e-11 (relative) of an integer counts as that integer. */
function floorSnapped(x: number): number {
  const near = Math.round(x);
  return Math.abs(x - near) <= 1e-11 * Math.max(1, Math.abs(x)) ? near : Math.floor(x);
}

function checkedSum(total: number): number {
  if (!Number.isSafeInteger(total)) throw new DomainError('GRID.OVERFLOW', 'ladder notional total does not fit the integer grid (exceeds 2^53)');
  return total;
}

// The helpers below are module functions rather than closures in buildLadderOnGrid: it runs on
// every quoting decision, and per-call closures cost allocations (and, under tsx, a name each).

/** The price `offPct` percent away from mid, rounded onto the grid away from mid. */
function priceAt(grid: MarketGrid, buy: boolean, mid: number, offPct: number): number {
  return grid.ticksFromFloat(buy ? mid * (1 - offPct / 100) : mid * (1 + offPct / 100), buy ? 'floor' : 'ceil');
}

/** Strictly away from mid, at least a tick past the previous level, even when the spacing is finer than a tick. */
function awayFrom(buy: boolean, t: number, prev: number | undefined): number {
  if (prev === undefined || (buy ? t < prev : t > prev)) return t;
  return buy ? prev - 1 : prev + 1;
}

/** Inside the band minus the edge margin: `edge` is the last counted tick (buys: lowest, sells: highest). */
function isInside(buy: boolean, edge: number, t: number): boolean {
  return t > 0 && (buy ? t >= edge : t <= edge);
}

/** Whether splitting the requirement over k levels (weights r^i) leaves some level under the min notional. */
function tooThin(ratio: number, depthUnits: number, minUnits: number, k: number): boolean {
  if (ratio === 1) return depthUnits < minUnits * k; // exact for the flat default
  let total = 0;
  for (let i = 0; i < k; i++) total += ratio ** i;
  return depthUnits * Math.min(1, ratio ** (k - 1)) < minUnits * total;
}

/**
 * Level indexes in top-up order: largest remainder first; ties go to the deeper level (for sells
 * the higher price, fewer base units per quote). Insertion sort: a ladder has a handful of levels.
 */
function topUpOrder(buy: boolean, remainder: readonly number[], levels: readonly GridLadderLevel[]): number[] {
  const order: number[] = [];
  for (let i = 0; i < remainder.length; i++) {
    let k = order.length;
    while (k > 0) {
      const j = order[k - 1]!;
      const d = remainder[i]! - remainder[j]! || (buy ? levels[j]!.ticks - levels[i]!.ticks : levels[i]!.ticks - levels[j]!.ticks);
      if (d <= 0) break;
      k--;
    }
    order.splice(k, 0, i);
  }
  return order;
}

export function buildLadderOnGrid(p: GridLadderParams): GridLadderResult {
  const { side, mid, grid, depthUnits } = p;
  const buy = side === 'buy';
  const band = p.bandPct === undefined ? 2 : pctNum(p.bandPct, 'bandPct');
  const margin = p.edgeMarginPct === undefined ? band / 10 : pctNum(p.edgeMarginPct, 'edgeMarginPct');
  const step = pctNum(p.stepPct, 'stepPct');
  const growth = p.stepGrowth === undefined ? 1 : pctNum(p.stepGrowth, 'stepGrowth');
  const ratio = p.sizeRatio === undefined ? 1 : pctNum(p.sizeRatio, 'sizeRatio');
  if (!(mid > 0) || !Number.isFinite(mid)) invalid(`mid must be > 0, got ${mid}`);
  if (!Number.isInteger(p.levels) || p.levels < 1) invalid(`levels must be an integer ≥ 1, got ${p.levels}`);
  if (!(band > 0) || !(margin >= 0) || !(margin < band)) invalid(`need 0 ≤ edgeMarginPct (${margin}) < bandPct (${band})`);
  if (!(step > 0) || !(growth > 0) || !(ratio > 0)) invalid('stepPct, stepGrowth and sizeRatio must be > 0');
  if (!Number.isSafeInteger(depthUnits) || depthUnits < 0) invalid(`depth requirement must be a whole number of units ≥ 0, got ${depthUnits}`);

  // Offsets of the requested levels, percent of mid. A zero offset would put both sides at mid.
  const firstTicks = p.firstTicks;
  let off: number;
  if (firstTicks !== undefined) {
    if (!Number.isSafeInteger(firstTicks)) invalid(`firstTicks must be a whole number of ticks, got ${firstTicks}`);
    const firstPrice = grid.priceFloat(firstTicks);
    off = ((buy ? mid - firstPrice : firstPrice - mid) / mid) * 100;
  } else {
    const first = p.firstOffsetPct === undefined ? NaN : pctNum(p.firstOffsetPct, 'firstOffsetPct');
    if (!(first > 0)) invalid(`firstOffsetPct must be > 0 (or give the first price), got ${p.firstOffsetPct ?? 'nothing'}`);
    off = first;
  }
  const limit = (band - margin) / 100;
  const edge = buy ? grid.ticksFromFloat(mid * (1 - limit), 'ceil') : grid.ticksFromFloat(mid * (1 + limit), 'floor');

  const slotLevel: number[] = [];
  const slotTicks: number[] = [];
  const droppedOutsideBand: number[] = [];
  let gap = step;
  let last: number | undefined;
  for (let i = 0; i < p.levels; i++) {
    const t = awayFrom(buy, i === 0 && firstTicks !== undefined ? firstTicks : priceAt(grid, buy, mid, off), last);
    if (isInside(buy, edge, t)) {
      slotLevel.push(i);
      slotTicks.push(t);
    } else droppedOutsideBand.push(i);
    last = t;
    off += gap;
    gap *= growth;
  }
  if (depthUnits > 0 && slotTicks.length === 0) {
    return { ok: false, reason: 'NO_LEVEL_INSIDE_BAND', message: `no ${side} level lies within ±${+(band - margin).toPrecision(12)}% of mid ${mid}` };
  }
  let n = depthUnits === 0 ? 0 : slotTicks.length;

  // Weights r^i; drop the outermost level while a level's share is below min notional.
  const minUnits = grid.minNotionalUnits;
  const droppedForMinNotional: number[] = [];
  while (n > 1 && tooThin(ratio, depthUnits, minUnits, n)) droppedForMinNotional.unshift(slotLevel[--n]!);

  let weightTotal = 0;
  for (let i = 0; i < n; i++) weightTotal += ratio ** i;
  const levels: GridLadderLevel[] = [];
  const remainder: number[] = [];
  // Products of safe integers summed as doubles: the sum is checked to be a safe integer, and a
  // sum of non-negative terms that is safe has every term (and every partial sum) exact.
  let bandUnits = 0;
  for (let i = 0; i < n; i++) {
    const t = slotTicks[i]!;
    const want = (depthUnits * (ratio ** i / weightTotal)) / t;
    const lots = Math.max(floorSnapped(want), minViableLots(t, minUnits));
    levels.push({ level: slotLevel[i]!, side, ticks: t, lots, insideBand: true });
    remainder.push(want - lots);
    bandUnits += t * lots;
  }
  // Top up one lot at a time, largest remainder first, only until the band total reaches X.
  if (n > 0 && bandUnits < depthUnits) {
    const order = topUpOrder(buy, remainder, levels);
    for (let i = 0; bandUnits < depthUnits; i++) {
      const l = levels[order[i % n]!]!;
      l.lots += 1;
      bandUnits += l.ticks;
    }
  }
  let totalUnits = checkedSum(bandUnits);

  const extra = p.extraLevels;
  if (extra && extra.count > 0) {
    if (!Number.isInteger(extra.count) || !Number.isSafeInteger(extra.quoteEachUnits) || extra.quoteEachUnits < 0) {
      invalid(`extraLevels needs a whole count and quoteEach ≥ 0, got ${extra.count} × ${extra.quoteEachUnits} units`);
    }
    let prev = n > 0 ? slotTicks[n - 1] : undefined;
    for (let j = 0; j < extra.count; j++) {
      const t = awayFrom(buy, priceAt(grid, buy, mid, band + step * (j + 1)), prev);
      prev = t;
      if (!(t > 0)) continue;
      const lots = Math.max(ceilDiv(extra.quoteEachUnits, t), minViableLots(t, minUnits));
      const counted = isInside(buy, edge, t);
      levels.push({ level: p.levels + j, side, ticks: t, lots, insideBand: counted });
      if (counted) bandUnits += t * lots;
      totalUnits += t * lots;
    }
  }
  return { ok: true, side, levels, bandUnits: checkedSum(bandUnits), totalUnits: checkedSum(totalUnits), droppedOutsideBand, droppedForMinNotional };
}

// Grids from decimal rules are built once per distinct rule set (marketGrid parses with decimal.js).
const grids = new Map<string, MarketGrid>();

/** The (cached) grid for a venue's rules; refuses a non-positive tick or lot like the ladder always has. */
export function ladderGrid(rules: QuantizeRules): MarketGrid {
  const key = `${rules.tickSize}|${rules.lotSize}|${rules.minNotional}`;
  let g = grids.get(key);
  if (g === undefined) {
    if (!new D(rules.lotSize).gt(0) || !new D(rules.tickSize).gt(0)) invalid('tickSize and lotSize must be > 0');
    g = marketGrid(rules);
    if (grids.size >= 64) grids.clear();
    grids.set(key, g);
  }
  return g;
}

/** Decimal-string wrapper over buildLadderOnGrid. */
export function buildLadder(p: LadderParams): LadderResult {
  const grid = ladderGrid(p.rules);
  const mid = Number(p.mid);
  if (!(mid > 0) || !Number.isFinite(mid)) invalid(`mid must be > 0, got ${p.mid}`);
  const depthUnits = grid.units(p.depthQuote, 'ceil');
  // A ceiling turns −0.00001 into 0: check the sign on the floor (only when it matters).
  if (depthUnits <= 0 && grid.units(p.depthQuote, 'floor') < 0) invalid(`depthQuote must be ≥ 0, got ${p.depthQuote}`);
  const r = buildLadderOnGrid({
    side: p.side,
    mid,
    grid,
    depthUnits: depthUnits === 0 ? 0 : depthUnits,
    bandPct: p.bandPct,
    edgeMarginPct: p.edgeMarginPct,
    levels: p.levels,
    firstTicks: p.firstPrice === undefined ? undefined : grid.ticks(p.firstPrice, p.side === 'buy' ? 'floor' : 'ceil'),
    firstOffsetPct: p.firstOffsetPct,
    stepPct: p.stepPct,
    stepGrowth: p.stepGrowth,
    sizeRatio: p.sizeRatio,
    extraLevels: p.extraLevels && { count: p.extraLevels.count, quoteEachUnits: grid.units(p.extraLevels.quoteEach, 'ceil') },
  });
  if (!r.ok) return r;
  let baseLots = 0;
  const levels = r.levels.map((l): LadderLevel => {
    baseLots += l.lots;
    return {
      level: l.level,
      side: l.side,
      price: grid.priceStr(l.ticks),
      amount: grid.amountStr(l.lots),
      notional: grid.quoteStr(grid.notional(l.ticks, l.lots)),
      insideBand: l.insideBand,
    };
  });
  const totalQuote = grid.quoteStr(r.totalUnits);
  return {
    ok: true,
    side: r.side,
    levels,
    bandQuote: grid.quoteStr(r.bandUnits),
    totalQuote,
    capital: p.side === 'buy' ? { asset: 'quote', amount: totalQuote } : { asset: 'base', amount: grid.amountStr(baseLots) },
    droppedOutsideBand: r.droppedOutsideBand,
    droppedForMinNotional: r.droppedForMinNotional,
  };
}
