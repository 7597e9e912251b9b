// A market's price/amount grid as exact integers, for the quoting hot path.
//
// Every order price is a whole number of ticks and every amount a whole number of lots, so the
// decisions the quoting loop makes (ladder sizes, depth totals, caps, the order diff) need no
// decimal library at all: a price is an integer count of ticks, an amount an integer count of lots,
// and a notional an integer count of "units" of tickSize × lotSize (price × amount = ticks × lots
// units, exactly). Quote-currency thresholds (depth requirement, min notional, balances) convert
// to units once, rounded in the direction that keeps the check safe.
//
// Exactness: every integer stays a JS safe integer (< 2^53); a value that would not is refused with
// GRID.OVERFLOW instead of being rounded. Decimal strings convert through exact integer division
// (no float division is trusted for a floor or a ceiling); `fromFloat` (model prices, which are
// floats by nature) snaps binary noise within 1e-9 of a tick before rounding, like fromFloat's
// 15-digit rounding in quote.types.ts.
import Decimal from 'decimal.js';
import { DomainError } from './errors';
import { D, fmt } from './money';
import type { QuantizeRules } from './quantize';

export type Rounding = 'floor' | 'ceil';

/** A positive decimal unit written as m × 10^-e with m, e integers. */
interface Unit {
  m: number;
  e: number;
}

const DEC_RE = /^(-?)(\d*)(?:\.(\d*))?$/;

function overflow(what: string): never {
  throw new DomainError('GRID.OVERFLOW', `${what} does not fit the integer grid (exceeds 2^53): use a coarser tick/lot or smaller amounts`);
}

/** n, checked; `what` is only built when the check fails (this sits on the hot path). */
function safe(n: number, what: string | (() => string)): number {
  if (!Number.isSafeInteger(n)) overflow(typeof what === 'string' ? what : what());
  return n;
}

/** A decimal string as sign × n × 10^-k, or undefined when it has more than 15 significant digits. */
function parse(s: string): { neg: boolean; n: number; k: number } | undefined {
  const m = DEC_RE.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const digits = ((m[2] ?? '') + frac).replace(/^0+/, '');
  if (digits.length > 15) return undefined;
  return { neg: m[1] === '-', n: digits === '' ? 0 : Number(digits), k: frac.length };
}

function unitOf(s: string, field: string): Unit {
  const d = new D(s);
  if (!d.isFinite() || !d.gt(0)) throw new DomainError('GRID.INVALID_RULES', `${field} must be a decimal > 0, got ${s}`);
  const e = Math.max(0, d.decimalPlaces());
  const m = d.times(new D(10).pow(e)).toNumber();
  return { m: safe(m, field), e };
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** floor/ceil of num/den for safe non-negative integers, exactly (JS % on integers is exact). */
function divRound(num: number, den: number, r: Rounding): number {
  const rem = num % den;
  const q = (num - rem) / den;
  return r === 'ceil' && rem !== 0 ? q + 1 : q;
}

/** value (decimal string or Decimal) / unit, rounded; exact. */
function toCount(v: string | Decimal, u: Unit, r: Rounding, field: string, shown: string | Decimal): number {
  // No closure here: this is called per order per cycle, and the message is only needed on failure.
  const what = field;
  const p = typeof v === 'string' ? parse(v) : undefined;
  if (p === undefined) {
    const d = new D(v).div(u.m).times(new D(10).pow(u.e));
    return safe((r === 'floor' ? d.floor() : d.ceil()).toNumber(), `${what} ${String(shown)}`);
  }
  // v / u = n·10^-k / (m·10^-e) = n·10^(e−k) / m.
  let num = p.n;
  let den = u.m;
  if (u.e >= p.k) num = p.n * (POW10[u.e - p.k] ?? Infinity);
  else den = u.m * (POW10[p.k - u.e] ?? Infinity);
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den)) overflow(`${what} ${String(shown)}`);
  if (!p.neg) return divRound(num, den, r);
  // −x rounded down is −(x rounded up).
  return -divRound(num, den, r === 'floor' ? 'ceil' : 'floor');
}

/** count × unit as a canonical decimal string. */
function toStr(count: number, u: Unit): string {
  const neg = count < 0;
  const digits = String(Math.abs(count) * u.m);
  if (!Number.isSafeInteger(Math.abs(count) * u.m)) return fmt(new D(count).times(u.m).div(new D(10).pow(u.e)));
  let s: string;
  if (u.e === 0) s = digits;
  else {
    const padded = digits.padStart(u.e + 1, '0');
    const int = padded.slice(0, padded.length - u.e);
    const frac = padded.slice(padded.length - u.e).replace(/0+$/, '');
    s = frac === '' ? int : `${int}.${frac}`;
  }
  return neg && s !== '0' ? `-${s}` : s;
}

export interface MarketGrid {
  readonly rules: QuantizeRules;
  /** Min notional in tick·lot units, rounded up (notional ≥ minNotional ⇔ units ≥ this). */
  readonly minNotionalUnits: number;
  /** A decimal price string → ticks. */
  ticks(price: string | Decimal, r: Rounding): number;
  /** A float price (a model's output, a fair value) → ticks, binary noise within 1e-9 tick snapped. */
  ticksFromFloat(price: number, r: Rounding): number;
  /** A decimal amount → lots. */
  lots(amount: string | Decimal, r: Rounding): number;
  /** A decimal quote notional → tick·lot units. */
  units(quote: string | Decimal, r: Rounding): number;
  /** ticks × lots, checked. */
  notional(ticks: number, lots: number): number;
  priceStr(ticks: number): string;
  amountStr(lots: number): string;
  quoteStr(units: number): string;
  /** The float value of a tick count (for ratios and model math only, never money). */
  priceFloat(ticks: number): number;
}

export function marketGrid(rules: QuantizeRules): MarketGrid {
  const tick = unitOf(rules.tickSize, 'tickSize');
  const lot = unitOf(rules.lotSize, 'lotSize');
  const unit: Unit = { m: safe(tick.m * lot.m, 'tickSize × lotSize'), e: tick.e + lot.e };
  const perTick = POW10[tick.e]! / tick.m;
  const g: MarketGrid = {
    rules,
    minNotionalUnits: 0,
    ticks: (p, r) => toCount(p, tick, r, 'price', p),
    ticksFromFloat(p, r) {
      if (!Number.isFinite(p)) throw new DomainError('GRID.NON_FINITE', `price ${p} is not finite`);
      const x = p * perTick;
      const near = Math.round(x);
      // Noise of a few float operations: 1e-9 tick absolute, or 8 ulps at large counts — no wider,
      // or a genuinely off-grid price could be snapped one tick more aggressive than floor/ceil.
      const snapped = Math.abs(x - near) <= Math.max(1e-9, 8 * Math.abs(x) * Number.EPSILON) ? near : r === 'floor' ? Math.floor(x) : Math.ceil(x);
      return safe(snapped, () => `price ${p}`);
    },
    lots: (a, r) => toCount(a, lot, r, 'amount', a),
    units: (q, r) => toCount(q, unit, r, 'notional', q),
    notional: (t, l) => safe(t * l, () => `notional of ${t} ticks × ${l} lots`),
    priceStr: (t) => toStr(t, tick),
    amountStr: (l) => toStr(l, lot),
    quoteStr: (u) => toStr(u, unit),
    // (t·m) / 10^e is one correctly rounded division: 24986 ticks of 0.0001 → 2.4986 exactly as a double can.
    priceFloat: (t) => (t * tick.m) / POW10[tick.e]!,
  };
  return { ...g, minNotionalUnits: g.units(rules.minNotional, 'ceil') };
}

/** An order on the grid: price in ticks, amount in lots; level 0 is the best of its side. */
export interface GridOrder {
  side: 'buy' | 'sell';
  ticks: number;
  lots: number;
  level: number;
}

/** A resting order of ours on the grid (remaining amount in lots). */
export interface GridLiveOrder {
  clientOrderId: string;
  side: 'buy' | 'sell';
  ticks: number;
  lots: number;
}

/** A percentage (decimal string, e.g. "0.5") as an exact fraction num/den of integers, for tolerance checks without floats. */
export function pctFraction(pct: string): { num: number; den: number } {
  const p = parse(pct);
  if (!p || p.neg) throw new DomainError('GRID.INVALID_PCT', `expected a non-negative percentage, got ${pct}`);
  return { num: p.n, den: safe(100 * (POW10[p.k] ?? overflow(`percentage ${pct}`)), `percentage ${pct}`) };
}
