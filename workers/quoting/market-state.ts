// Latest market data per venue, shared by every VenueQuoter of a process: each quoter writes its own
// venue's book, trades and health, and reads all venues' to compute the cross-venue fair value.
// Our own resting orders are subtracted from the books before they feed the fair value, so the
// maker does not chase its own quotes. The kill-switch state is here too: a trip on one venue, or
// a global one, is seen by every quoter.
import { computeFairValue, type FairValueResult, type VenuePriceInput } from '../../domain/signals/fair-value';
import { D, fmt } from '../../domain/money';
import type { BookLevel, OrderBookSnapshot } from '../../domain/order-book';
import { initialKillSwitchState, type KillSwitchState, type VenueObservation } from '../../domain/quoting/kill-switch';
import type { PublicTrade } from '../../venues/venue.port';

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

export class MarketState {
  private readonly venues = new Map<string, VenueMarket>();
  killSwitch: KillSwitchState = initialKillSwitchState();

  register(venueId: string, kind: 'cex' | 'amm', fee: string): void {
    if (!this.venues.has(venueId)) this.venues.set(venueId, { venueId, kind, fee, trades: [], healthy: true, own: [] });
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

  observations(): VenueObservation[] {
    return [...this.venues.values()].flatMap((v) => (v.observation ? [v.observation] : []));
  }

  /** The book of a venue without our own orders. */
  externalBook(venueId: string): { bids: BookLevel[]; asks: BookLevel[] } | undefined {
    const v = this.venues.get(venueId);
    if (!v?.book) return undefined;
    return { bids: subtractOwn(v.book.bids, v.own.filter((o) => o.side === 'buy')), asks: subtractOwn(v.book.asks, v.own.filter((o) => o.side === 'sell')) };
  }

  /** Quote volume traded on a venue over (now − windowMs, now]: the venue's fair-value weight. */
  volumeQuote(venueId: string, now: number, windowMs: number): number {
    const v = this.venues.get(venueId);
    if (!v) return 0;
    let s = 0;
    for (const t of v.trades) if (t.timestamp > now - windowMs && t.timestamp <= now) s += Number(t.price) * Number(t.amount);
    return s;
  }

  fairValue(now: number, opts: { maxAgeMs: number; volumeWindowMs?: number }): FairValueResult {
    const inputs: VenuePriceInput[] = [];
    for (const v of this.venues.values()) {
      const ext = this.externalBook(v.venueId);
      if (!ext || v.bookAt === undefined) continue;
      inputs.push({
        venueId: v.venueId,
        kind: v.kind,
        ...(ext.bids[0] ? { bestBid: ext.bids[0].price } : {}),
        ...(ext.asks[0] ? { bestAsk: ext.asks[0].price } : {}),
        volume: this.volumeQuote(v.venueId, now, opts.volumeWindowMs ?? 3_600_000),
        lastUpdate: v.bookAt,
        healthy: v.healthy,
        fee: v.fee,
      });
    }
    return computeFairValue(inputs, { now, maxAgeMs: opts.maxAgeMs });
  }
}
