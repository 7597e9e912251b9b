// Latest market data per venue, shared by every VenueQuoter of a process: each quoter writes its own
// venue's book, trades and health, and reads all venues' to compute the cross-venue fair value.
// Our own resting orders are subtracted from the books before they feed the fair value, so the
// maker does not chase its own quotes. The kill-switch state is here too: a trip on one venue, or
// a global one, is seen by every quoter.
import { computeFairValue, type FairValueResult, type VenuePriceInput } from '../signals/fair-value';
import { D, fmt } from '../money';
import type { BookLevel, OrderBookSnapshot } from '../order-book';
import { initialKillSwitchState, type KillSwitchState, type VenueObservation } from './kill-switch';
import type { PublicTrade } from '../market.types';

export interface OwnOrder {
  side: 'buy' | 'sell';
  price: string;
  /** Remaining amount. */
  amount: string;
}

export interface VenueMarket {
  venueId: string;
  kind: 'cex' | 'amm';
  fee: string;
  book?: OrderBookSnapshot;
  /** Epoch ms when the book was received. */
  bookAt?: number;
  trades: PublicTrade[];
  healthy: boolean;
  own: OwnOrder[];
  observation?: VenueObservation;
  volumes: VolumeWindow;
  /** Base bought − sold by our quoting on this venue since it started (setTraded). */
  tradedBase?: number;
  /** Base size of one of our orders on this venue (setTraded). */
  orderBase?: number;
}

const MAX_TRADES = 500;

function subtractOwn(levels: readonly BookLevel[], own: readonly OwnOrder[]): BookLevel[] {
  if (own.length === 0) return [...levels];
  const mine = new Map<string, InstanceType<typeof D>>();
  for (const o of own) {
    const key = fmt(o.price);
    mine.set(key, (mine.get(key) ?? new D(0)).plus(o.amount));
  }
  const out: BookLevel[] = [];
  for (const l of levels) {
    const m = mine.get(fmt(l.price));
    const left = m ? new D(l.amount).minus(m) : new D(l.amount);
    if (left.gt(0)) out.push({ price: l.price, amount: fmt(left) });
  }
  return out;
}

/**
 * The best level of a side once our own orders are taken out: the hot-path form of subtractOwn,
 * for the fair value, which only needs the top. Prices match by numeric value (two decimal strings
 * of the same price give the same double; distinct prices of ≤ 15 significant digits give distinct
 * doubles). A level keeps a remainder when its amount exceeds ours: one own order at a price is
 * compared exactly as doubles of decimal strings (order-preserving); several at one price are summed
 * with decimal.js.
 */
function bestExternal(levels: readonly BookLevel[], own: OwnSide): string | undefined {
  const { orders, prices } = own;
  if (orders.length === 0) return levels[0]?.price;
  for (const l of levels) {
    const p = Number(l.price);
    let mine = -1;
    let several = false;
    for (let i = 0; i < prices.length; i++) {
      if (prices[i] !== p) continue;
      if (mine >= 0) several = true;
      else mine = i;
    }
    if (mine < 0) return l.price;
    if (several) {
      const sum = orders.filter((_, i) => prices[i] === p).reduce((s, o) => s.plus(o.amount), new D(0));
      if (new D(l.amount).gt(sum)) return l.price;
    } else if (Number(l.amount) > Number(orders[mine]!.amount)) return l.price;
  }
  return undefined;
}

/** One side of our own orders, with their prices as numbers (what bestExternal compares). */
interface OwnSide {
  orders: OwnOrder[];
  prices: number[];
}

function ownSide(own: readonly OwnOrder[], side: OwnOrder['side']): OwnSide {
  const orders = own.filter((o) => o.side === side);
  return { orders, prices: orders.map((o) => Number(o.price)) };
}

/**
 * Our own orders by side, parsed once per array: every quoter's fair value reads every venue's
 * orders on each cycle, and they change far less often (a venue sets a new array when they do).
 */
const ownSides = new WeakMap<readonly OwnOrder[], { length: number; buy: OwnSide; sell: OwnSide }>();

function sidesOf(own: readonly OwnOrder[]): { buy: OwnSide; sell: OwnSide } {
  let c = ownSides.get(own);
  if (c === undefined || c.length !== own.length) {
    c = { length: own.length, buy: ownSide(own, 'buy'), sell: ownSide(own, 'sell') };
    ownSides.set(own, c);
  }
  return c;
}

/** First index whose value is > x in an ascending array. */
function upperBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Trade quote volumes with running totals: the volume in a window is two binary searches, not a scan. */
class VolumeWindow {
  private readonly at: number[] = [];
  /** cum[i] = Σ quote volume of every trade up to and including i (an absolute running total). */
  private readonly cum: number[] = [];
  /** The running total before at[0] (the trades trimmed off the front). */
  private before = 0;
  private sorted = true;

  add(trades: readonly PublicTrade[], max: number): void {
    for (const t of trades) {
      if (this.at.length > 0 && t.timestamp < this.at[this.at.length - 1]!) this.sorted = false;
      this.at.push(t.timestamp);
      this.cum.push((this.cum.length > 0 ? this.cum[this.cum.length - 1]! : this.before) + Number(t.price) * Number(t.amount));
    }
    if (this.at.length > max) {
      const drop = this.at.length - max;
      this.before = this.cum[drop - 1]!;
      this.at.splice(0, drop);
      this.cum.splice(0, drop);
    }
  }

  /** Σ quote volume of the trades with from < timestamp ≤ to. */
  sum(from: number, to: number, trades: readonly PublicTrade[]): number {
    if (!this.sorted) {
      // Out-of-order timestamps (a venue's late report): the plain scan is always right.
      let s = 0;
      for (const t of trades) if (t.timestamp > from && t.timestamp <= to) s += Number(t.price) * Number(t.amount);
      return s;
    }
    const i = upperBound(this.at, from);
    const j = upperBound(this.at, to) - 1;
    if (j < i) return 0;
    return this.cum[j]! - (i > 0 ? this.cum[i - 1]! : this.before);
  }
}

export class MarketState {
  private readonly venues = new Map<string, VenueMarket>();
  killSwitch: KillSwitchState = initialKillSwitchState();

  register(venueId: string, kind: 'cex' | 'amm', fee: string): void {
    if (!this.venues.has(venueId)) this.venues.set(venueId, { venueId, kind, fee, trades: [], healthy: true, own: [], volumes: new VolumeWindow() });
  }

  private get(venueId: string): VenueMarket {
    const v = this.venues.get(venueId);
    if (!v) throw new Error(`venue ${venueId} is not registered in MarketState`);
    return v;
  }

  venue(venueId: string): Readonly<VenueMarket> | undefined {
    return this.venues.get(venueId);
  }

  updateBook(venueId: string, book: OrderBookSnapshot, at: number): void {
    const v = this.get(venueId);
    v.book = book;
    v.bookAt = at;
  }

  addTrades(venueId: string, trades: readonly PublicTrade[]): void {
    const v = this.get(venueId);
    v.trades.push(...trades);
    if (v.trades.length > MAX_TRADES) v.trades.splice(0, v.trades.length - MAX_TRADES);
    v.volumes.add(trades, MAX_TRADES);
  }

  setHealthy(venueId: string, healthy: boolean): void {
    this.get(venueId).healthy = healthy;
  }

  setOwnOrders(venueId: string, own: OwnOrder[]): void {
    this.get(venueId).own = own;
  }

  setObservation(venueId: string, o: VenueObservation): void {
    this.get(venueId).observation = o;
  }

  /**
   * What this venue's quoting has bought minus sold since it started (base, from its de-duplicated
   * fills: transfers between venues do not count) and the base size of one of its orders.
   */
  setTraded(venueId: string, tradedBase: number, orderBase: number): void {
    const v = this.get(venueId);
    v.tradedBase = tradedBase;
    v.orderBase = orderBase;
  }

  /**
   * The portfolio's inventory deviation in orders: Σ traded base / Σ order base over the venues that
   * reported one. Every venue's quotes skew by this same number, so the skew opens no price gap
   * between venues (a per-venue skew is an arbitrageur's income). 0 before any venue reported.
   */
  portfolioOrders(): number {
    let traded = 0;
    let size = 0;
    for (const v of this.venues.values()) {
      if (v.orderBase === undefined || v.orderBase <= 0) continue;
      traded += v.tradedBase ?? 0;
      size += v.orderBase;
    }
    return size > 0 ? traded / size : 0;
  }

  observations(): VenueObservation[] {
    const out: VenueObservation[] = [];
    for (const v of this.venues.values()) if (v.observation) out.push(v.observation);
    return out;
  }

  /** The book of a venue without our own orders. */
  externalBook(venueId: string): { bids: BookLevel[]; asks: BookLevel[] } | undefined {
    const v = this.venues.get(venueId);
    if (!v?.book) return undefined;
    return { bids: subtractOwn(v.book.bids, v.own.filter((o) => o.side === 'buy')), asks: subtractOwn(v.book.asks, v.own.filter((o) => o.side === 'sell')) };
  }

  /** The venue's best bid and ask with our own orders taken out (what a post-only quote must not cross). */
  externalTouch(venueId: string): { bid?: string; ask?: string } {
    const v = this.venues.get(venueId);
    if (!v?.book) return {};
    const own = sidesOf(v.own);
    const bid = bestExternal(v.book.bids, own.buy);
    const ask = bestExternal(v.book.asks, own.sell);
    return { ...(bid !== undefined ? { bid } : {}), ...(ask !== undefined ? { ask } : {}) };
  }

  /** Quote volume traded on a venue over (now − windowMs, now]: the venue's fair-value weight. */
  volumeQuote(venueId: string, now: number, windowMs: number): number {
    const v = this.venues.get(venueId);
    if (!v) return 0;
    return v.volumes.sum(now - windowMs, now, v.trades);
  }

  fairValue(now: number, opts: { maxAgeMs: number; volumeWindowMs?: number }): FairValueResult {
    const inputs: VenuePriceInput[] = [];
    for (const v of this.venues.values()) {
      if (!v.book || v.bookAt === undefined) continue;
      const own = sidesOf(v.own);
      const bestBid = bestExternal(v.book.bids, own.buy);
      const bestAsk = bestExternal(v.book.asks, own.sell);
      // Optional fields set after the literal, not spread into it: the same input, built without spreads.
      const input: VenuePriceInput = {
        venueId: v.venueId,
        kind: v.kind,
        volume: this.volumeQuote(v.venueId, now, opts.volumeWindowMs ?? 3_600_000),
        lastUpdate: v.bookAt,
        healthy: v.healthy,
        fee: v.fee,
      };
      if (bestBid !== undefined) input.bestBid = bestBid;
      if (bestAsk !== undefined) input.bestAsk = bestAsk;
      inputs.push(input);
    }
    return computeFairValue(inputs, { now, maxAgeMs: opts.maxAgeMs });
  }
}
