// Market data (book and 24 h volume) of a ccxt venue, for the compliance activities.
import type { OrderBookSnapshot } from '../../domain/order-book';
import type { MarketDataPort } from '../market-data.port';
import type { CcxtVenue } from './ccxt-venue';

export class CcxtMarketData implements MarketDataPort {
  constructor(private readonly venue: CcxtVenue) {}

  get venueId(): string {
    return this.venue.id;
  }

  fetchOrderBook(limit?: number): Promise<OrderBookSnapshot> {
    return this.venue.fetchOrderBook(limit);
  }

  fetchVolume24hQuote(): Promise<string> {
    return this.venue.fetchVolume24hQuote();
  }
}
