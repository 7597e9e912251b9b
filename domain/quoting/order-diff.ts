// Order planning: desired quotes vs the orders we have live on one venue → the actions to get
// there, in a safe order. Pure: the quoting worker executes the actions (decide, then act).
//
// 1. Desired quotes are quantized to the venue's rules (buys down, sells up: never more aggressive);
//    those below one lot or the min notional are skipped and reported.
// 2. A live order (open, partially filled, or pending — an unacknowledged order may rest, so it
//    counts) is kept if it matches a desired quote of its side within the refresh tolerance: price
//    within pricePct % and remaining amount within amountPct % of the desired one. Matching is a
//    maximum bipartite matching (augmenting paths, closest candidates tried first), so the fewest
//    live orders are cancelled; a greedy pass can cancel orders that another pairing would keep.
//    A live buy is only keepable below every desired sell (and a live sell above every desired
//    buy); if two kept orders still cross each other, the one further from its target is let go.
// 3. Unmatched live orders are cancelled; unmatched desired quotes are placed.
// 4. Sequencing never lets our own orders cross, not even between two actions: a cancel whose
//    order would cross a placement goes before every placement. The other cancels go before the
//    placements by default ('cancel-first': frees balance for the new orders) or after them
//    ('place-first': the book never thins during a refresh, at the cost of locking both sets of
//    funds for a moment). Placements go by level (best first; buy before sell); cancels most aggressive
//    first.
// `findSelfCross` replays a plan against the live orders and says where, if anywhere, it crosses.
//
// One implementation on the integer grid (domain/grid.ts): `diffOnGrid` / `findSelfCrossOnGrid`
// work in ticks and lots, exactly and without decimal.js (tolerances are exact fractions; the
// candidate order compares integer distances, which is exact because all candidates of one desired
// quote share its denominator). `diffOrders` / `findSelfCross` are the decimal-string wrappers.
// Live orders off the venue's grid (placed before a tick change, an odd remaining amount): the
// wrapper diffs on the finer decimal grid they are on (10^-k ticks), just as exactly. Only if that
// grid leaves 2^53 (float noise in a venue's strings) is such an order never kept; it is still
// cancelled and sequenced safely, its price rounded passively (buy down, sell up), which keeps
// every comparison with an on-grid price t exact (p ≤ t ⇔ ceil(p) ≤ t, p ≥ t ⇔ floor(p) ≥ t);
// only the order among cancels rounded to the same tick is then their input order.
import { DomainError } from '../errors';
import { marketGrid, pctFraction, type GridLiveOrder, type GridOrder, type MarketGrid } from '../grid';
import { D } from '../money';
import type { QuantizeRules } from '../quantize';

export type OrderSide = 'buy' | 'sell';

/** A quote we want resting; a quoting model's `DesiredQuote` (quote.types.ts) fits as is. Level 0 is the best. */
export interface DesiredOrder {
  side: OrderSide;
  price: string;
  amount: string;
  level: number;
}

export type LiveOrderStatus = 'pending' | 'open' | 'partially_filled' | 'filled' | 'canceled' | 'rejected' | 'lost';

export interface LiveOrder {
  clientOrderId: string;
  side: OrderSide;
  price: string;
  /** Remaining (unfilled) amount. */
  amount: string;
  status: LiveOrderStatus;
}

export interface RefreshTolerance {
  /** Keep a live order whose price is within this percent of the desired price. */
  pricePct: string;
  /** ... and whose remaining amount is within this percent of the desired amount. */
  amountPct: string;
}

export type OrderAction =
  | { type: 'cancel'; clientOrderId: string }
  | { type: 'place'; side: OrderSide; price: string; amount: string; level: number };

export interface OrderDiffOptions {
  sequencing?: 'cancel-first' | 'place-first';
}

export interface OrderDiff {
  actions: OrderAction[];
  kept: { clientOrderId: string; side: OrderSide; level: number }[];
  skipped: { side: OrderSide; level: number; reason: string }[];
}

export type GridAction = { type: 'cancel'; clientOrderId: string } | { type: 'place'; side: OrderSide; ticks: number; lots: number; level: number };

/** The same percent strings as RefreshTolerance. */
export interface GridTolerance { pricePct: string; amountPct: string }

export interface GridDiff {
  actions: GridAction[];
  kept: { clientOrderId: string; side: OrderSide; level: number }[];
  skipped: { side: OrderSide; level: number; reason: string }[];
}

type Fraction = { num: number; den: number };

const RESTING: ReadonlySet<LiveOrderStatus> = new Set(['pending', 'open', 'partially_filled']);
const SIDES = ['buy', 'sell'] as const;

// Tolerance strings are few (config values): parse each once.
const fractions = new Map<string, Fraction>();
function fractionOf(pct: string): Fraction {
  if (fractions.size > 1024) fractions.clear();
  if (!fractions.has(pct)) fractions.set(pct, pctFraction(pct));
  return fractions.get(pct)!;
}

/** floor(x · f) for a safe non-negative integer x, exactly (BigInt only when the product leaves 2^53). */
function slack(x: number, f: Fraction): number {
  const p = x * f.num;
  if (p <= Number.MAX_SAFE_INTEGER) return (p - (p % f.den)) / f.den;
  return Number((BigInt(x) * BigInt(f.num)) / BigInt(f.den));
}

/** a/b ≥ c/d for safe non-negative integers and b, d > 0, exactly. */
function fracGte(a: number, b: number, c: number, d: number): boolean {
  const l = a * d;
  const r = c * b;
  if (l <= Number.MAX_SAFE_INTEGER && r <= Number.MAX_SAFE_INTEGER) return l >= r;
  return BigInt(a) * BigInt(d) >= BigInt(c) * BigInt(b);
}

/** Kuhn's augmenting path from desired quote wi: a live order already taken is re-routed if its quote can use another. */
function augment(wi: number, adj: readonly number[][], m: Matching, seen: number[], stamp: number): boolean {
  for (const j of adj[wi]!) {
    if (seen[j] === stamp) continue;
    seen[j] = stamp;
    const other = m.keptWant[j]!;
    if (other === -1 || augment(other, adj, m, seen, stamp)) {
      if (other === -1) m.order.push(j);
      m.keptWant[j] = wi;
      return true;
    }
  }
  return false;
}

/** keptWant[j]: the desired index live order j is kept for, or -1; order: live indices as first matched (buys, then sells). */
interface Matching {
  keptWant: number[];
  order: number[];
}

function match(wants: readonly GridOrder[], live: readonly GridLiveOrder[], tol: GridTolerance, maxBuy: number, minSell: number, unkeepable?: readonly boolean[]): Matching {
  const priceTol = fractionOf(tol.pricePct);
  const amountTol = fractionOf(tol.amountPct);
  const m: Matching = { keptWant: new Array<number>(live.length).fill(-1), order: [] };
  const seen = new Array<number>(live.length).fill(0);
  const adj = new Array<number[]>(wants.length);
  let stamp = 0;
  for (const side of SIDES) {
    const haves: number[] = [];
    for (let j = 0; j < live.length; j++) {
      const h = live[j]!;
      if (h.side === side && !unkeepable?.[j] && (side === 'buy' ? h.ticks < minSell : h.ticks > maxBuy)) haves.push(j);
    }
    if (haves.length === 0) continue;
    for (let wi = 0; wi < wants.length; wi++) {
      const w = wants[wi]!;
      if (w.side !== side) continue;
      // |h − w| ≤ w·pct/100 ⇔ |h − w| ≤ floor(w·pct/100) for integers h, w.
      const pSlack = slack(w.ticks, priceTol);
      const aSlack = slack(w.lots, amountTol);
      const cand: number[] = [];
      for (const j of haves) if (Math.abs(live[j]!.ticks - w.ticks) <= pSlack && Math.abs(live[j]!.lots - w.lots) <= aSlack) cand.push(j);
      // Closest first; relative distances share the denominator w, so integer distances order them exactly.
      if (cand.length > 1) cand.sort((a, b) => closer(live[a]!, live[b]!, w));
      adj[wi] = cand;
    }
    for (let wi = 0; wi < wants.length; wi++) if (wants[wi]!.side === side) augment(wi, adj, m, seen, ++stamp);
  }
  return m;
}

function closer(a: GridLiveOrder, b: GridLiveOrder, w: GridOrder): number {
  return Math.abs(a.ticks - w.ticks) - Math.abs(b.ticks - w.ticks) || Math.abs(a.lots - w.lots) - Math.abs(b.lots - w.lots);
}

/**
 * Two kept orders may still cross each other (tolerance wider than the spread): release the one
 * further from its target until they do not; its desired quote is then placed at its own price.
 */
function releaseCrossing(wants: readonly GridOrder[], live: readonly GridLiveOrder[], m: Matching): void {
  for (;;) {
    let topBuy = -1;
    let topSell = -1;
    for (const j of m.order) {
      if (m.keptWant[j] === -1) continue;
      const t = live[j]!.ticks;
      if (live[j]!.side === 'buy') {
        if (topBuy === -1 || t > live[topBuy]!.ticks) topBuy = j;
      } else if (topSell === -1 || t < live[topSell]!.ticks) topSell = j;
    }
    if (topBuy === -1 || topSell === -1 || live[topBuy]!.ticks < live[topSell]!.ticks) return;
    const wb = wants[m.keptWant[topBuy]!]!.ticks;
    const ws = wants[m.keptWant[topSell]!]!.ticks;
    const buyFurther = fracGte(Math.abs(live[topBuy]!.ticks - wb), wb, Math.abs(live[topSell]!.ticks - ws), ws);
    m.keptWant[buyFurther ? topBuy : topSell] = -1;
  }
}

/** Placements by level, buy before sell, then best price first. */
function byLevel(a: GridOrder, b: GridOrder): number {
  return a.level - b.level || (a.side !== b.side ? (a.side === 'buy' ? -1 : 1) : a.side === 'buy' ? b.ticks - a.ticks : a.ticks - b.ticks);
}

/** Most aggressive first: highest buys, lowest sells (sells before buys at equal standing is arbitrary but stable). */
function byAggression(a: GridLiveOrder, b: GridLiveOrder): number {
  return a.side !== b.side ? (a.side === 'sell' ? -1 : 1) : a.side === 'buy' ? b.ticks - a.ticks : a.ticks - b.ticks;
}

/** Why a desired order cannot be placed, if it cannot. */
function skipReason(d: GridOrder, grid: MarketGrid): string | undefined {
  // ticks × lots as a float is exact while safe, and ≥ 2^53 > minNotionalUnits when not: exact
  // without grid.notional's overflow error, which on the wrapper's finer grid would be spurious.
  return d.ticks <= 0 ? 'PRICE_NOT_POSITIVE' : d.lots <= 0 ? 'AMOUNT_BELOW_LOT' : d.ticks * d.lots < grid.minNotionalUnits ? 'BELOW_MIN_NOTIONAL' : undefined;
}

function plan(desired: readonly GridOrder[], live: readonly GridLiveOrder[], grid: MarketGrid, tol: GridTolerance, options: OrderDiffOptions, unkeepable?: readonly boolean[]): GridDiff {
  const skipped: GridDiff['skipped'] = [];
  const wants: GridOrder[] = [];
  let maxBuy = 0;
  let minSell = Infinity;
  for (const d of desired) {
    const reason = skipReason(d, grid);
    if (reason !== undefined) skipped.push({ side: d.side, level: d.level, reason });
    else {
      wants.push(d);
      if (d.side === 'buy') maxBuy = Math.max(maxBuy, d.ticks);
      else minSell = Math.min(minSell, d.ticks);
    }
  }
  if (maxBuy >= minSell) {
    throw new DomainError('ORDER_DIFF.DESIRED_CROSSED', `desired quotes cross themselves: buy ${grid.priceStr(maxBuy)} ≥ sell ${grid.priceStr(minSell)}`);
  }
  const m = match(wants, live, tol, maxBuy, minSell, unkeepable);
  releaseCrossing(wants, live, m);

  const matched = new Array<boolean>(wants.length).fill(false);
  const kept: GridDiff['kept'] = [];
  for (const j of m.order) {
    const wi = m.keptWant[j]!;
    if (wi === -1) continue;
    matched[wi] = true;
    kept.push({ clientOrderId: live[j]!.clientOrderId, side: live[j]!.side, level: wants[wi]!.level });
  }
  const places = wants.filter((_, i) => !matched[i]).sort(byLevel);
  let placeBuyMax = 0;
  let placeSellMin = Infinity;
  for (const w of places) {
    if (w.side === 'buy') placeBuyMax = Math.max(placeBuyMax, w.ticks);
    else placeSellMin = Math.min(placeSellMin, w.ticks);
  }
  // Urgent: cancels whose order would cross a placement.
  const urgent: number[] = [];
  const rest: number[] = [];
  for (let j = 0; j < live.length; j++) {
    if (m.keptWant[j] !== -1) continue;
    const h = live[j]!;
    if (h.side === 'sell' ? h.ticks <= placeBuyMax : h.ticks >= placeSellMin) urgent.push(j);
    else rest.push(j);
  }
  urgent.sort((a, b) => byAggression(live[a]!, live[b]!));
  rest.sort((a, b) => byAggression(live[a]!, live[b]!));

  const actions: GridAction[] = [];
  for (const j of urgent) actions.push({ type: 'cancel', clientOrderId: live[j]!.clientOrderId });
  const placeFirst = options.sequencing === 'place-first';
  if (placeFirst) for (const w of places) actions.push({ type: 'place', side: w.side, ticks: w.ticks, lots: w.lots, level: w.level });
  for (const j of rest) actions.push({ type: 'cancel', clientOrderId: live[j]!.clientOrderId });
  if (!placeFirst) for (const w of places) actions.push({ type: 'place', side: w.side, ticks: w.ticks, lots: w.lots, level: w.level });
  return { actions, kept, skipped };
}

/**
 * The order diff on the grid. `desired` is already on the grid (ticks, lots); `live` holds only
 * resting orders (remaining amount in lots). Ticks and lots must be safe integers.
 */
export function diffOnGrid(desired: readonly GridOrder[], live: readonly GridLiveOrder[], grid: MarketGrid, tolerance: GridTolerance, options: OrderDiffOptions = {}): GridDiff {
  return plan(desired, live, grid, tolerance, options);
}

/**
 * Replays `actions` against our resting orders (on the grid) and returns the index of the first
 * action that would make our own orders cross, or null if none does.
 */
export function findSelfCrossOnGrid(live: readonly GridLiveOrder[], actions: readonly GridAction[]): number | null {
  // Planned orders are appended after the live ones; they have no id a cancel in this plan could name.
  const alive: boolean[] = live.map(() => true);
  const sides: OrderSide[] = live.map((o) => o.side);
  const ticks: number[] = live.map((o) => o.ticks);
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i]!;
    if (a.type === 'cancel') {
      for (let k = 0; k < live.length; k++) if (live[k]!.clientOrderId === a.clientOrderId) alive[k] = false;
      continue;
    }
    for (let k = 0; k < sides.length; k++) {
      if (alive[k] && sides[k] !== a.side && (a.side === 'buy' ? a.ticks >= ticks[k]! : a.ticks <= ticks[k]!)) return i;
    }
    alive.push(true);
    sides.push(a.side);
    ticks.push(a.ticks);
  }
  return null;
}

const grids = new WeakMap<QuantizeRules, MarketGrid>();
function gridOf(rules: QuantizeRules): MarketGrid {
  if (!grids.has(rules)) grids.set(rules, marketGrid(rules));
  return grids.get(rules)!;
}

const PLAIN_DECIMAL = /^-?\d+(?:\.(\d*?)0*)?$/;
/** Decimal places of a plain decimal string (trailing zeros aside), or -1 for anything else. */
function decimals(s: string): number {
  const m = PLAIN_DECIMAL.exec(s);
  return m === null ? -1 : (m[1]?.length ?? 0);
}

const powerGrids = new Map<string, MarketGrid>();
const powerOfTen = (n: number): string => (n === 0 ? '1' : `0.${'0'.repeat(n - 1)}1`);
/** The grid of 10^-k ticks and 10^-l lots (no min notional), which every price with ≤ k places and amount with ≤ l places is on. */
function powerGrid(k: number, l: number): MarketGrid {
  const key = `${k}/${l}`; // k, l ≤ 20: at most 441 grids
  if (!powerGrids.has(key)) powerGrids.set(key, marketGrid({ tickSize: powerOfTen(k), lotSize: powerOfTen(l), minNotional: '0' }));
  return powerGrids.get(key)!;
}

const isOverflow = (e: unknown): boolean => e instanceof DomainError && e.code === 'GRID.OVERFLOW';

function toStrings(r: GridDiff, grid: MarketGrid): OrderDiff {
  return {
    actions: r.actions.map((a): OrderAction => (a.type === 'cancel' ? a : { type: 'place', side: a.side, price: grid.priceStr(a.ticks), amount: grid.amountStr(a.lots), level: a.level })),
    kept: r.kept,
    skipped: r.skipped,
  };
}

/**
 * The diff on the finest decimal grid the off-grid live orders are on (10^-k ticks, 10^-l lots),
 * where everything is exact as on the venue's grid; undefined if that grid leaves 2^53.
 */
function finerDiff(wants: readonly GridOrder[], resting: readonly LiveOrder[], grid: MarketGrid, tolerance: GridTolerance, options: OrderDiffOptions): OrderDiff | undefined {
  const { rules } = grid;
  let k = decimals(rules.tickSize);
  let l = decimals(rules.lotSize);
  for (const o of resting) {
    const [dk, dl] = [decimals(o.price), decimals(o.amount)];
    if (dk < 0 || dl < 0) return undefined;
    [k, l] = [Math.max(k, dk), Math.max(l, dl)];
  }
  if (k < 0 || l < 0 || k > 20 || l > 20) return undefined;
  try {
    const fine = powerGrid(k, l);
    const [perTick, perLot] = [fine.ticks(rules.tickSize, 'floor'), fine.lots(rules.lotSize, 'floor')];
    // The min notional is checked on the venue's grid (in finer units it would rarely fit 2^53).
    const skipped: OrderDiff['skipped'] = [];
    const scaled: GridOrder[] = [];
    for (const w of wants) {
      const reason = skipReason(w, grid);
      if (reason !== undefined) skipped.push({ side: w.side, level: w.level, reason });
      else scaled.push({ ...w, ticks: w.ticks * perTick, lots: w.lots * perLot });
    }
    if (scaled.some((w) => !Number.isSafeInteger(w.ticks) || !Number.isSafeInteger(w.lots))) return undefined;
    const live = resting.map((o): GridLiveOrder => ({ clientOrderId: o.clientOrderId, side: o.side, ticks: fine.ticks(o.price, 'floor'), lots: fine.lots(o.amount, 'floor') }));
    return { ...toStrings(plan(scaled, live, fine, tolerance, options), fine), skipped };
  } catch (e) {
    if (isOverflow(e)) return undefined;
    throw e;
  }
}

export function diffOrders(desired: readonly DesiredOrder[], live: readonly LiveOrder[], rules: QuantizeRules, tolerance: RefreshTolerance, options: OrderDiffOptions = {}): OrderDiff {
  const grid = gridOf(rules);
  const wants = desired.map(
    (d): GridOrder => ({ side: d.side, ticks: grid.ticks(d.price, d.side === 'buy' ? 'floor' : 'ceil'), lots: grid.lots(d.amount, 'floor'), level: d.level }),
  );
  const resting = live.filter((o) => RESTING.has(o.status));
  const unkeepable: boolean[] = [];
  const gLive = resting.map((o): GridLiveOrder => {
    const buy = o.side === 'buy';
    // Passive rounding (see the header): exact for every comparison with on-grid prices.
    const ticks = grid.ticks(o.price, buy ? 'floor' : 'ceil');
    const lots = grid.lots(o.amount, 'floor');
    unkeepable.push(ticks !== grid.ticks(o.price, buy ? 'ceil' : 'floor') || lots !== grid.lots(o.amount, 'ceil'));
    return { clientOrderId: o.clientOrderId, side: o.side, ticks, lots };
  });
  if (!unkeepable.includes(true)) return toStrings(plan(wants, gLive, grid, tolerance, options), grid);
  const exact = finerDiff(wants, resting, grid, tolerance, options);
  if (exact) return exact;
  // Off-grid beyond any safe finer grid (float noise in a venue's strings): never kept.
  return toStrings(plan(wants, gLive, grid, tolerance, options, unkeepable), grid);
}

/**
 * Prices as integers on one shared scale, order preserved exactly: ticks of 10^-k for the most
 * places present, or, when that leaves 2^53 (or a price is not a plain decimal), their rank.
 */
function priceScale(prices: readonly string[]): number[] {
  const places = prices.map(decimals);
  const k = Math.max(0, ...places);
  if (!places.includes(-1) && k <= 20) {
    try {
      const g = powerGrid(k, 0);
      return prices.map((p) => g.ticks(p, 'floor'));
    } catch (e) {
      if (!isOverflow(e)) throw e;
    }
  }
  const values = prices.map((p) => new D(p));
  const sorted = [...values].sort((a, b) => a.cmp(b));
  return values.map((v) => sorted.findIndex((x) => x.eq(v)));
}

/**
 * Replays `actions` against our resting orders and returns the index of the first action that would
 * make our own orders cross (a buy at or above one of our asks, or a sell at or below one of our
 * bids), or null if none does. A guard for the executor and the yardstick of the tests.
 */
export function findSelfCross(live: readonly LiveOrder[], actions: readonly OrderAction[]): number | null {
  const resting = live.filter((o) => RESTING.has(o.status));
  const places = actions.filter((a) => a.type === 'place');
  const scaled = priceScale([...resting.map((o) => o.price), ...places.map((a) => a.price)]);
  const gLive = resting.map((o, i): GridLiveOrder => ({ clientOrderId: o.clientOrderId, side: o.side, ticks: scaled[i]!, lots: 0 }));
  let p = resting.length;
  const gActions = actions.map((a): GridAction => (a.type === 'cancel' ? a : { type: 'place', side: a.side, ticks: scaled[p++]!, lots: 0, level: a.level }));
  return findSelfCrossOnGrid(gLive, gActions);
}
