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
import Decimal from 'decimal.js';
import { DomainError } from '../errors';
import { D } from '../money';
import { quantizeOrder, type QuantizeRules } from '../quantize';

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

const RESTING: ReadonlySet<LiveOrderStatus> = new Set(['pending', 'open', 'partially_filled']);

interface Want {
  side: OrderSide;
  level: number;
  price: Decimal;
  amount: Decimal;
  priceStr: string;
  amountStr: string;
}
interface Have {
  order: LiveOrder;
  price: Decimal;
  amount: Decimal;
}

/** Relative distance of a live order from a desired quote (price and amount, as fractions). */
function distance(h: Have, w: Want): { price: Decimal; amount: Decimal } {
  return { price: h.price.minus(w.price).abs().div(w.price), amount: h.amount.minus(w.amount).abs().div(w.amount) };
}

/** Maximum bipartite matching of live orders to desired quotes (Kuhn's augmenting paths). */
function matchSide(wants: Want[], haves: Have[], tol: { price: Decimal; amount: Decimal }, keepable: (h: Have) => boolean): Map<number, number> {
  const ok = haves.map(keepable);
  const adj = wants.map((w) => {
    // Bounds once per desired quote, so the pair test is four comparisons, not two divisions.
    const [pLo, pHi] = [w.price.times(new D(1).minus(tol.price)), w.price.times(new D(1).plus(tol.price))];
    const [aLo, aHi] = [w.amount.times(new D(1).minus(tol.amount)), w.amount.times(new D(1).plus(tol.amount))];
    return haves
      .map((h, j) => ({ h, j }))
      .filter(({ h, j }) => ok[j] && h.price.gte(pLo) && h.price.lte(pHi) && h.amount.gte(aLo) && h.amount.lte(aHi))
      .map(({ h, j }) => ({ j, d: distance(h, w) }))
      .sort((a, b) => a.d.price.cmp(b.d.price) || a.d.amount.cmp(b.d.amount))
      .map(({ j }) => j);
  });
  const haveToWant = new Map<number, number>();
  const tryAssign = (wi: number, seen: Set<number>): boolean => {
    for (const j of adj[wi]!) {
      if (seen.has(j)) continue;
      seen.add(j);
      const other = haveToWant.get(j);
      if (other === undefined || tryAssign(other, seen)) {
        haveToWant.set(j, wi);
        return true;
      }
    }
    return false;
  };
  wants.forEach((_, wi) => tryAssign(wi, new Set()));
  return haveToWant;
}

export function diffOrders(
  desired: readonly DesiredOrder[],
  live: readonly LiveOrder[],
  rules: QuantizeRules,
  tolerance: RefreshTolerance,
  options: OrderDiffOptions = {},
): OrderDiff {
  const skipped: OrderDiff['skipped'] = [];
  const wants: Want[] = [];
  for (const d of desired) {
    const q = quantizeOrder(d, rules);
    if (!q.ok) skipped.push({ side: d.side, level: d.level, reason: q.reason });
    else wants.push({ side: d.side, level: d.level, price: new D(q.price), amount: new D(q.amount), priceStr: q.price, amountStr: q.amount });
  }
  const maxBuy = Decimal.max(0, ...wants.filter((w) => w.side === 'buy').map((w) => w.price));
  const sells = wants.filter((w) => w.side === 'sell').map((w) => w.price);
  const minSell = sells.length > 0 ? Decimal.min(...sells) : undefined;
  if (minSell && maxBuy.gte(minSell)) {
    throw new DomainError('ORDER_DIFF.DESIRED_CROSSED', `desired quotes cross themselves: buy ${maxBuy.toFixed()} ≥ sell ${minSell.toFixed()}`);
  }

  const haves: Have[] = live.filter((o) => RESTING.has(o.status)).map((order) => ({ order, price: new D(order.price), amount: new D(order.amount) }));
  const tol = { price: new D(tolerance.pricePct).div(100), amount: new D(tolerance.amountPct).div(100) };
  const keepable = (h: Have) => (h.order.side === 'buy' ? !minSell || h.price.lt(minSell) : h.price.gt(maxBuy));

  // kept: live index → desired index, over both sides.
  const kept = new Map<number, number>();
  for (const side of ['buy', 'sell'] as const) {
    const wIdx = wants.map((w, i) => ({ w, i })).filter((x) => x.w.side === side);
    const hIdx = haves.map((h, i) => ({ h, i })).filter((x) => x.h.order.side === side);
    const m = matchSide(wIdx.map((x) => x.w), hIdx.map((x) => x.h), tol, keepable);
    for (const [hj, wi] of m) kept.set(hIdx[hj]!.i, wIdx[wi]!.i);
  }
  // Two kept orders may still cross each other (tolerance wider than the spread): release the one
  // further from its target until they do not; its desired quote is then placed at its own price.
  for (;;) {
    const keptOf = (side: OrderSide) => [...kept.keys()].filter((j) => haves[j]!.order.side === side);
    const topBuy = keptOf('buy').sort((a, b) => haves[b]!.price.cmp(haves[a]!.price))[0];
    const topSell = keptOf('sell').sort((a, b) => haves[a]!.price.cmp(haves[b]!.price))[0];
    if (topBuy === undefined || topSell === undefined || haves[topBuy]!.price.lt(haves[topSell]!.price)) break;
    const off = (j: number) => distance(haves[j]!, wants[kept.get(j)!]!).price;
    kept.delete(off(topBuy).gte(off(topSell)) ? topBuy : topSell);
  }

  const matchedWants = new Set(kept.values());
  const places = wants
    .filter((_, i) => !matchedWants.has(i))
    .sort((a, b) => a.level - b.level || (a.side !== b.side ? (a.side === 'buy' ? -1 : 1) : a.side === 'buy' ? b.price.cmp(a.price) : a.price.cmp(b.price)));
  const cancels = haves.filter((_, j) => !kept.has(j));
  const placeBuyMax = Decimal.max(0, ...places.filter((w) => w.side === 'buy').map((w) => w.price));
  const placeSells = places.filter((w) => w.side === 'sell').map((w) => w.price);
  const placeSellMin = placeSells.length > 0 ? Decimal.min(...placeSells) : undefined;
  const crossesAPlacement = (h: Have) => (h.order.side === 'sell' ? h.price.lte(placeBuyMax) : placeSellMin !== undefined && h.price.gte(placeSellMin));
  // Most aggressive first: highest buys, lowest sells (sells before buys at equal standing is arbitrary but stable).
  const byAggression = (a: Have, b: Have) =>
    a.order.side !== b.order.side ? (a.order.side === 'sell' ? -1 : 1) : a.order.side === 'buy' ? b.price.cmp(a.price) : a.price.cmp(b.price);
  const urgent = cancels.filter(crossesAPlacement).sort(byAggression);
  const rest = cancels.filter((h) => !crossesAPlacement(h)).sort(byAggression);

  const cancelActions = (hs: Have[]): OrderAction[] => hs.map((h) => ({ type: 'cancel', clientOrderId: h.order.clientOrderId }));
  const placeActions: OrderAction[] = places.map((w) => ({ type: 'place', side: w.side, price: w.priceStr, amount: w.amountStr, level: w.level }));
  const actions =
    (options.sequencing ?? 'cancel-first') === 'cancel-first'
      ? [...cancelActions(urgent), ...cancelActions(rest), ...placeActions]
      : [...cancelActions(urgent), ...placeActions, ...cancelActions(rest)];

  return {
    actions,
    kept: [...kept.entries()].map(([j, i]) => ({ clientOrderId: haves[j]!.order.clientOrderId, side: haves[j]!.order.side, level: wants[i]!.level })),
    skipped,
  };
}

/**
 * Replays `actions` against our resting orders and returns the index of the first action that would
 * make our own orders cross (a buy at or above one of our asks, or a sell at or below one of our
 * bids), or null if none does. A guard for the executor and the yardstick of the tests.
 */
export function findSelfCross(live: readonly LiveOrder[], actions: readonly OrderAction[]): number | null {
  const resting = new Map<string, { side: OrderSide; price: Decimal }>();
  for (const o of live) if (RESTING.has(o.status)) resting.set(o.clientOrderId, { side: o.side, price: new D(o.price) });
  let seq = 0;
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i]!;
    if (a.type === 'cancel') {
      resting.delete(a.clientOrderId);
      continue;
    }
    const price = new D(a.price);
    for (const r of resting.values()) {
      if (r.side !== a.side && (a.side === 'buy' ? price.gte(r.price) : price.lte(r.price))) return i;
    }
    resting.set(`\u0000planned-${seq++}`, { side: a.side, price });
  }
  return null;
}
