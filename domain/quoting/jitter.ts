// Randomized sizes and refresh timing, so other traders cannot read the ladder's pattern (the same
// round sizes refreshed every N ms is an easy target). All randomness comes from the Rng passed in:
// the same seed gives the same sizes and delays.
//
// Sizes: each level's amount is scaled by a uniform factor in [1 − x %, 1 + x %] and floored to a
// lot; then, in a random order, lots are added to levels with room under +x % until the counted
// (inside-band) levels again meet the depth requirement, and (by default) removed from levels with
// room above −x % while the requirement still holds, so the jitter never costs capital on average.
// Only if every level is at +x % and the band is still short does a level go past +x %.
// Every level stays ≥ one lot and ≥ the venue's min notional.
//
// One implementation on the integer grid (domain/grid.ts): `jitterOnGrid` works in ticks, lots and
// tick·lot units; only the random factor is a float, and the ±x % bounds are exact fractions.
// `jitterLadderSizes` is the decimal-string wrapper. Rng draws, in order: one per level (level
// order), then a shuffle of the counted levels for each of the two top-up passes and, when
// trimming, one more (n − 1 draws each), whether or not the pass ends up changing anything.
import { pctFraction, type MarketGrid } from '../grid';
import type { QuantizeRules } from '../quantize';
import type { Rng } from '../rng';
import { ladderGrid, minViableLots, type GridLadderLevel, type LadderLevel } from './ladder';

export interface SizeJitterParams {
  /** Half-width of the size randomization, percent (10 ⇒ each level ×[0.9, 1.1]). */
  pct: string;
  rules: QuantizeRules;
  /** The depth requirement the inside-band levels must keep meeting, quote notional. */
  depthQuote: string;
  /** Remove lots beyond what the requirement needs (default true). */
  trimExcess?: boolean;
}

export interface GridJitterParams {
  pct: string;
  grid: MarketGrid;
  /** The depth requirement in tick·lot units. */
  depthUnits: number;
  /** Remove lots beyond what the requirement needs (default true). */
  trimExcess?: boolean;
}

/** Fisher–Yates with the given Rng. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** x = pct / 100 as a float (the factor) and as the exact fraction num/den (the ±x % bounds). */
interface JitterPct {
  x: number;
  num: number;
  den: number;
}
const pctCache = new Map<string, JitterPct>();
function jitterPct(pct: string): JitterPct {
  let c = pctCache.get(pct);
  if (c === undefined) {
    const bad = () => new RangeError(`jitter pct must be in [0, 100), got ${pct}`);
    const x = Number(pct) / 100;
    if (pct.trim() === '' || !(x >= 0 && x < 1)) throw bad();
    let f: { num: number; den: number };
    try {
      f = pctFraction(pct);
    } catch {
      throw bad();
    }
    c = { x, ...f };
    if (pctCache.size >= 256) pctCache.clear();
    pctCache.set(pct, c);
  }
  return c;
}

/** floor(x), except that float noise within 1e-11 (relative) of an integer counts as that integer. */
function floorSnapped(x: number): number {
  const near = Math.round(x);
  return Math.abs(x - near) <= 1e-11 * Math.max(1, Math.abs(x)) ? near : Math.floor(x);
}

/**
 * floor(a / den) for the integer a = num1 − num2, exact while both products are safe integers (a
 * correctly rounded division of safe integers never crosses an integer); else the float estimate.
 */
function floorOf(num1: number, num2: number, den: number, approx: number): number {
  return Number.isSafeInteger(num1) && Number.isSafeInteger(num2) ? Math.floor((num1 - num2) / den) : Math.floor(approx);
}
/** Lots a level may still gain before passing +x % of its original size: floor(base·(1 + x) − lots). */
const roomUp = (base: number, lots: number, j: JitterPct): number => floorOf(base * (j.den + j.num), lots * j.den, j.den, base * (1 + j.x) - lots);
/** Lots a level may lose before going under −x % of its original size: floor(lots − base·(1 − x)). */
const roomDown = (base: number, lots: number, j: JitterPct): number => floorOf(lots * j.den, base * (j.den - j.num), j.den, lots - base * (1 - j.x));

export function jitterOnGrid(levels: readonly GridLadderLevel[], p: GridJitterParams, rng: Rng): GridLadderLevel[] {
  const j = jitterPct(p.pct);
  const target = p.depthUnits;
  if (!Number.isSafeInteger(target)) throw new RangeError(`depthUnits must be a whole number of units, got ${target}`);
  const minUnits = p.grid.minNotionalUnits;
  const n = levels.length;
  const lots: number[] = new Array<number>(n);
  const floors: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const l = levels[i]!;
    if (!(l.ticks > 0)) throw new RangeError(`level ${l.level} has a non-positive price (${l.ticks} ticks)`);
    const factor = 1 + (2 * rng() - 1) * j.x;
    floors[i] = minViableLots(l.ticks, minUnits);
    lots[i] = Math.max(floorSnapped(l.lots * factor), floors[i]!);
  }

  const counted: number[] = [];
  let bandTotal = 0;
  for (let i = 0; i < n; i++) {
    if (!levels[i]!.insideBand) continue;
    counted.push(i);
    bandTotal += levels[i]!.ticks * lots[i]!;
  }
  // Checked once: a safe sum of non-negative products has every product (and partial sum) exact.
  if (!Number.isSafeInteger(bandTotal)) throw new RangeError('jittered band total does not fit the integer grid (exceeds 2^53)');

  // Top up: first within +x %, then anywhere (cheapest lot first would bias; random order does not).
  for (let pass = 0; pass < 2; pass++) {
    const respectCap = pass === 0;
    for (const i of shuffled(counted, rng)) {
      const deficit = target - bandTotal;
      if (deficit <= 0) break;
      const t = levels[i]!.ticks;
      let add = Math.ceil(deficit / t);
      if (respectCap) add = Math.min(add, roomUp(levels[i]!.lots, lots[i]!, j));
      if (add > 0) {
        lots[i]! += add;
        bandTotal += add * t;
      }
    }
  }
  if (p.trimExcess ?? true) {
    for (const i of shuffled(counted, rng)) {
      const excess = bandTotal - target;
      if (excess <= 0) break;
      const t = levels[i]!.ticks;
      // Down to −x % of the original size, but never under one lot or the min notional.
      const remove = Math.min(Math.floor(excess / t), roomDown(levels[i]!.lots, lots[i]!, j), lots[i]! - floors[i]!);
      if (remove > 0) {
        lots[i]! -= remove;
        bandTotal -= remove * t;
      }
    }
  }
  const out: GridLadderLevel[] = [];
  for (let i = 0; i < n; i++) {
    const l = levels[i]!;
    out.push({ level: l.level, side: l.side, ticks: l.ticks, lots: lots[i]!, insideBand: l.insideBand });
  }
  return out;
}

/** Decimal-string wrapper over jitterOnGrid: prices stay as given, amounts and notionals are re-derived. */
export function jitterLadderSizes(levels: readonly LadderLevel[], params: SizeJitterParams, rng: Rng): LadderLevel[] {
  const grid = ladderGrid(params.rules);
  const onGrid = levels.map(
    (l): GridLadderLevel => ({ level: l.level, side: l.side, ticks: grid.ticks(l.price, l.side === 'buy' ? 'floor' : 'ceil'), lots: grid.lots(l.amount, 'floor'), insideBand: l.insideBand }),
  );
  const out = jitterOnGrid(onGrid, { pct: params.pct, grid, depthUnits: grid.units(params.depthQuote, 'ceil'), trimExcess: params.trimExcess }, rng);
  return levels.map((l, i) => {
    const g = out[i]!;
    return { ...l, amount: grid.amountStr(g.lots), notional: grid.quoteStr(grid.notional(g.ticks, g.lots)) };
  });
}

export interface IntervalRange {
  minMs: number;
  maxMs: number;
}

/** A refresh delay drawn uniformly from the integers in [minMs, maxMs]. */
export function jitterIntervalMs(range: IntervalRange, rng: Rng): number {
  const lo = Math.ceil(range.minMs);
  const hi = Math.floor(range.maxMs);
  if (!(hi >= lo) || lo < 0) throw new RangeError(`need 0 ≤ minMs ≤ maxMs, got [${range.minMs}, ${range.maxMs}]`);
  return Math.min(hi, lo + Math.floor(rng() * (hi - lo + 1)));
}

/** A delay within ±pct % of baseMs (the range form of a configured "refresh every N ms ± x %"). */
export function jitterAroundMs(baseMs: number, pct: number, rng: Rng): number {
  const f = pct / 100;
  return jitterIntervalMs({ minMs: baseMs * (1 - f), maxMs: baseMs * (1 + f) }, rng);
}
