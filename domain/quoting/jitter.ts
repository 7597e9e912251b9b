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
import Decimal from 'decimal.js';
import { D, fmt } from '../money';
import type { QuantizeRules } from '../quantize';
import type { Rng } from '../rng';
import type { LadderLevel } from './ladder';

export interface SizeJitterParams {
  /** Half-width of the size randomization, percent (10 ⇒ each level ×[0.9, 1.1]). */
  pct: string;
  rules: QuantizeRules;
  /** The depth requirement the inside-band levels must keep meeting, quote notional. */
  depthQuote: string;
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

interface Work {
  level: LadderLevel;
  price: Decimal;
  amount: Decimal;
  lo: Decimal;
  hi: Decimal;
}

export function jitterLadderSizes(levels: readonly LadderLevel[], params: SizeJitterParams, rng: Rng): LadderLevel[] {
  const x = new D(params.pct).div(100);
  if (x.lt(0) || x.gte(1)) throw new RangeError(`jitter pct must be in [0, 100), got ${params.pct}`);
  const lot = new D(params.rules.lotSize);
  const target = new D(params.depthQuote);
  const minViable = (price: Decimal) => Decimal.max(lot, new D(params.rules.minNotional).div(price).div(lot).ceil().times(lot));

  const work: Work[] = levels.map((level) => {
    const price = new D(level.price);
    const base = new D(level.amount);
    const factor = new D(1).plus(new D(2 * rng() - 1).times(x));
    const floor = minViable(price);
    const amount = Decimal.max(base.times(factor).div(lot).floor().times(lot), floor);
    return { level, price, amount, lo: Decimal.max(base.times(new D(1).minus(x)), floor), hi: base.times(new D(1).plus(x)) };
  });

  const counted = work.filter((w) => w.level.insideBand);
  let bandTotal = counted.reduce((s, w) => s.plus(w.price.times(w.amount)), new D(0));
  const lotsFor = (quote: Decimal, price: Decimal) => quote.div(price.times(lot));
  const adjust = (w: Work, lots: Decimal) => {
    w.amount = w.amount.plus(lots.times(lot));
    bandTotal = bandTotal.plus(lots.times(lot).times(w.price));
  };

  // Top up: first within +x %, then anywhere (cheapest lot first would bias; random order does not).
  for (const respectCap of [true, false]) {
    for (const w of shuffled(counted, rng)) {
      const deficit = target.minus(bandTotal);
      if (deficit.lte(0)) break;
      let add = lotsFor(deficit, w.price).ceil();
      if (respectCap) add = Decimal.min(add, w.hi.minus(w.amount).div(lot).floor());
      if (add.gt(0)) adjust(w, add);
    }
  }
  if (params.trimExcess ?? true) {
    for (const w of shuffled(counted, rng)) {
      const excess = bandTotal.minus(target);
      if (excess.lte(0)) break;
      const remove = Decimal.min(lotsFor(excess, w.price).floor(), w.amount.minus(w.lo).div(lot).floor());
      if (remove.gt(0)) adjust(w, remove.neg());
    }
  }
  return work.map((w) => ({ ...w.level, amount: fmt(w.amount), notional: fmt(w.price.times(w.amount)) }));
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
