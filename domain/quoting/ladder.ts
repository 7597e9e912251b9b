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
// Exact decimals throughout (domain/money.ts); prices are quantized away from mid (buys down,
// sells up: domain/quantize.ts), amounts to whole lots. Levels are numbered from 0 (best).
import Decimal from 'decimal.js';
import { DomainError } from '../errors';
import { D, fmt } from '../money';
import { quantizePrice, type QuantizeRules } from '../quantize';

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

function invalid(message: string): never {
  throw new DomainError('LADDER.INVALID_PARAMS', message);
}

interface Slot {
  level: number;
  price: Decimal;
}

/** Quantized prices for offsets from mid (percent), strictly moving away from mid by at least a tick. */
function pricesFor(side: LadderSide, mid: Decimal, offsetsPct: Decimal[], tick: string, prev?: Decimal): Decimal[] {
  const out: Decimal[] = [];
  let last = prev;
  for (const off of offsetsPct) {
    const raw = side === 'buy' ? mid.times(new D(1).minus(off.div(100))) : mid.times(new D(1).plus(off.div(100)));
    let p = new D(quantizePrice(raw, tick, side));
    if (last && (side === 'buy' ? p.gte(last) : p.lte(last))) p = side === 'buy' ? last.minus(tick) : last.plus(tick);
    out.push(p);
    last = p;
  }
  return out;
}

const ceilLots = (x: Decimal, lot: Decimal): Decimal => x.div(lot).ceil().times(lot);
const floorLots = (x: Decimal, lot: Decimal): Decimal => x.div(lot).floor().times(lot);

/** Smallest whole-lot amount at `price` that is at least one lot and clears the min notional. */
function minViableAmount(price: Decimal, rules: QuantizeRules): Decimal {
  const lot = new D(rules.lotSize);
  return Decimal.max(lot, ceilLots(new D(rules.minNotional).div(price), lot));
}

export function buildLadder(p: LadderParams): LadderResult {
  const mid = new D(p.mid);
  const band = new D(p.bandPct ?? '2');
  const margin = new D(p.edgeMarginPct ?? band.div(10));
  const step = new D(p.stepPct);
  const growth = new D(p.stepGrowth ?? '1');
  const ratio = new D(p.sizeRatio ?? '1');
  const target = new D(p.depthQuote);
  const lot = new D(p.rules.lotSize);
  if (!mid.gt(0)) invalid(`mid must be > 0, got ${p.mid}`);
  if (!Number.isInteger(p.levels) || p.levels < 1) invalid(`levels must be an integer ≥ 1, got ${p.levels}`);
  if (!band.gt(0) || margin.lt(0) || !margin.lt(band)) invalid(`need 0 ≤ edgeMarginPct (${fmt(margin)}) < bandPct (${fmt(band)})`);
  if (!step.gt(0) || !growth.gt(0) || !ratio.gt(0)) invalid('stepPct, stepGrowth and sizeRatio must be > 0');
  if (target.lt(0)) invalid(`depthQuote must be ≥ 0, got ${p.depthQuote}`);
  if (!lot.gt(0) || !new D(p.rules.tickSize).gt(0)) invalid('tickSize and lotSize must be > 0');

  // Offsets of the requested levels, percent of mid. A zero offset would put both sides at mid.
  if (p.firstPrice === undefined && !(p.firstOffsetPct !== undefined && new D(p.firstOffsetPct).gt(0))) {
    invalid(`firstOffsetPct must be > 0 (or give firstPrice), got ${p.firstOffsetPct ?? 'nothing'}`);
  }
  const first =
    p.firstPrice !== undefined
      ? (p.side === 'buy' ? mid.minus(p.firstPrice) : new D(p.firstPrice).minus(mid)).div(mid).times(100)
      : new D(p.firstOffsetPct!);
  const offsets: Decimal[] = [];
  let gap = step;
  let off = first;
  for (let i = 0; i < p.levels; i++) {
    offsets.push(off);
    off = off.plus(gap);
    gap = gap.times(growth);
  }
  const prices = pricesFor(p.side, mid, offsets, p.rules.tickSize);
  const limit = band.minus(margin).div(100);
  const inside = (price: Decimal) =>
    price.gt(0) && (p.side === 'buy' ? price.gte(mid.times(new D(1).minus(limit))) : price.lte(mid.times(new D(1).plus(limit))));

  let slots: Slot[] = [];
  const droppedOutsideBand: number[] = [];
  prices.forEach((price, level) => (inside(price) ? slots.push({ level, price }) : droppedOutsideBand.push(level)));
  if (target.gt(0) && slots.length === 0) {
    return { ok: false, reason: 'NO_LEVEL_INSIDE_BAND', message: `no ${p.side} level lies within ±${fmt(band.minus(margin))}% of mid ${p.mid}` };
  }
  if (target.eq(0)) slots = [];

  // Weights r^i, normalized; drop the outermost level while a level's share is below min notional.
  const weightsFor = (n: number): Decimal[] => {
    const raw = Array.from({ length: n }, (_, i) => ratio.pow(i));
    const total = raw.reduce((s, w) => s.plus(w), new D(0));
    return raw.map((w) => w.div(total));
  };
  const droppedForMinNotional: number[] = [];
  while (slots.length > 1 && weightsFor(slots.length).some((w) => target.times(w).lt(p.rules.minNotional))) {
    droppedForMinNotional.unshift(slots.pop()!.level);
  }
  const weights = weightsFor(slots.length);

  const sized = slots.map((s, i) => {
    const wantBase = target.times(weights[i]!).div(s.price);
    const amount = Decimal.max(floorLots(wantBase, lot), minViableAmount(s.price, p.rules));
    return { ...s, amount, remainder: wantBase.minus(amount).div(lot) };
  });
  // Top up one lot at a time, largest remainder first (sells: higher price first on ties, fewer base units per quote).
  let bandTotal = sized.reduce((s, l) => s.plus(l.price.times(l.amount)), new D(0));
  const order = [...sized].sort((a, b) => b.remainder.cmp(a.remainder) || (p.side === 'sell' ? b.price.cmp(a.price) : a.price.cmp(b.price)));
  for (let i = 0; order.length > 0 && bandTotal.lt(target); i++) {
    const l = order[i % order.length]!;
    l.amount = l.amount.plus(lot);
    bandTotal = bandTotal.plus(l.price.times(lot));
  }

  const levels: LadderLevel[] = sized.map((l) => ({
    level: l.level,
    side: p.side,
    price: fmt(l.price),
    amount: fmt(l.amount),
    notional: fmt(l.price.times(l.amount)),
    insideBand: true,
  }));

  if (p.extraLevels && p.extraLevels.count > 0) {
    const extraOffsets = Array.from({ length: p.extraLevels.count }, (_, j) => band.plus(step.times(j + 1)));
    const last = sized.length > 0 ? sized[sized.length - 1]!.price : undefined;
    const extraPrices = pricesFor(p.side, mid, extraOffsets, p.rules.tickSize, last);
    const base = p.levels;
    extraPrices.forEach((price, j) => {
      if (!price.gt(0)) return;
      const amount = Decimal.max(ceilLots(new D(p.extraLevels!.quoteEach).div(price), lot), minViableAmount(price, p.rules));
      levels.push({ level: base + j, side: p.side, price: fmt(price), amount: fmt(amount), notional: fmt(price.times(amount)), insideBand: inside(price) });
    });
  }

  const bandQuote = levels.filter((l) => l.insideBand).reduce((s, l) => s.plus(l.notional), new D(0));
  const totalQuote = levels.reduce((s, l) => s.plus(l.notional), new D(0));
  const capital =
    p.side === 'buy'
      ? { asset: 'quote' as const, amount: fmt(totalQuote) }
      : { asset: 'base' as const, amount: fmt(levels.reduce((s, l) => s.plus(l.amount), new D(0))) };
  return { ok: true, side: p.side, levels, bandQuote: fmt(bandQuote), totalQuote: fmt(totalQuote), capital, droppedOutsideBand, droppedForMinNotional };
}
