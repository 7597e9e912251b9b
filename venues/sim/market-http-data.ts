// Market data of a venue of the embedded simulated market, read over the market process's HTTP
// endpoint (workers/market.ts). Everything that comes back is validated before use.
import { z } from 'zod';
import { parseOrThrow } from '../../domain/errors';
import { zNonNegativeDecimal } from '../../domain/money';
import { OrderBookSnapshotSchema, type OrderBookSnapshot } from '../../domain/order-book';
import { VenueError } from '../venue-errors';
import type { MarketDataPort } from '../market-data.port';

const Volume = z.object({ volume24hQuote: zNonNegativeDecimal });

export class MarketHttpData implements MarketDataPort {
  constructor(
    readonly venueId: string,
    private readonly market: string,
    private readonly baseUrl: string,
  ) {}

  private async get(path: string): Promise<unknown> {
    let r: Response;
    try {
      r = await fetch(`${this.baseUrl}${path}`, { signal: AbortSignal.timeout(5_000) });
    } catch (e) {
      throw new VenueError('VENUE.UNAVAILABLE', this.venueId, `simulated market unreachable: ${(e as Error).message}`);
    }
    if (!r.ok) throw new VenueError('VENUE.UNAVAILABLE', this.venueId, `simulated market answered ${r.status} for ${path}`);
    return r.json();
  }

  async fetchOrderBook(limit = 100): Promise<OrderBookSnapshot> {
    const raw = (await this.get(`/venues/${this.venueId}/book?depth=${limit}`)) as Record<string, unknown>;
    return parseOrThrow(OrderBookSnapshotSchema, { venue: this.venueId, market: this.market, timestamp: raw.timestamp, bids: raw.bids, asks: raw.asks }, `order book from ${this.venueId}`);
  }

  async fetchVolume24hQuote(): Promise<string> {
    return parseOrThrow(Volume, await this.get(`/venues/${this.venueId}/volume24h`), `24h volume from ${this.venueId}`).volume24hQuote;
  }
}
