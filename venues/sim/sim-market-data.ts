import { parseOrThrow } from '../../domain/errors';
import { OrderBookSnapshotSchema, type OrderBookSnapshot } from '../../domain/order-book';
import type { SimVenueConfig } from '../../domain/config.schema';
import { SyntheticBook } from '../../sim/synthetic-book';
import type { MarketDataPort } from '../market-data.port';

export class SimMarketData implements MarketDataPort {
  private readonly book: SyntheticBook;
  readonly venueId: string;

  constructor(venue: SimVenueConfig, now: () => number) {
    this.venueId = venue.id;
    this.book = new SyntheticBook(venue, now);
  }

  async fetchOrderBook(limit?: number): Promise<OrderBookSnapshot> {
    return parseOrThrow(OrderBookSnapshotSchema, this.book.snapshot(limit), `order book from ${this.venueId}`);
  }

  async fetchVolume24hQuote(): Promise<string> {
    return this.book.volume24hQuote();
  }
}
