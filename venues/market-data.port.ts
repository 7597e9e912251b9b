// The read side of the Venue port that compliance needs. The full Venue port (orders, balances,
// transfers) extends this in the Markets issue.
import type { OrderBookSnapshot } from '../domain/order-book';

export interface MarketDataPort {
  readonly venueId: string;
  /** A snapshot of the book, best levels first, at most `limit` levels a side. */
  fetchOrderBook(limit?: number): Promise<OrderBookSnapshot>;
  /** Traded volume over the last 24 h in quote currency, a decimal string. */
  fetchVolume24hQuote(): Promise<string>;
}

export type VenueRegistry = ReadonlyMap<string, MarketDataPort>;
