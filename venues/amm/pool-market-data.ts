// Market data of a constant-product pool from its reserves. Reads reserves from config for now;
// the Markets issue replaces the source with the real pool contract on the local EVM.
import { constantProductImpliedBook } from '../../domain/amm-depth';
import { parseOrThrow } from '../../domain/errors';
import { OrderBookSnapshotSchema, type OrderBookSnapshot } from '../../domain/order-book';
import type { AmmVenueConfig } from '../../domain/config.schema';
import type { MarketDataPort } from '../market-data.port';

export class PoolMarketData implements MarketDataPort {
  readonly venueId: string;

  constructor(
    private readonly venue: AmmVenueConfig,
    private readonly now: () => number,
    private readonly reserves: () => Promise<{ base: string; quote: string }> = async () => venue.reserves,
  ) {
    this.venueId = venue.id;
  }

  async fetchOrderBook(limit = 50): Promise<OrderBookSnapshot> {
    const r = await this.reserves();
    const implied = constantProductImpliedBook({
      reserveBase: r.base,
      reserveQuote: r.quote,
      fee: this.venue.fees.taker,
      levels: limit,
      stepPct: '0.1',
    });
    const book = { venue: this.venueId, market: this.venue.market, timestamp: this.now(), bids: implied.bids, asks: implied.asks };
    return parseOrThrow(OrderBookSnapshotSchema, book, `implied book of ${this.venueId}`);
  }

  async fetchVolume24hQuote(): Promise<string> {
    // No swap history is read yet: report zero rather than invent a figure.
    return '0';
  }
}
