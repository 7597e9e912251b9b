import type { Logger } from 'pino';
import { z } from 'zod';
import type { BallastConfig } from '../domain/config.schema';
import type { VenueRequirements } from '../domain/compliance';
import { DomainError, parseOrThrow } from '../domain/errors';
import { zNonNegativeDecimal } from '../domain/money';
import type { OrderBookSnapshot } from '../domain/order-book';
import type { VenueRegistry } from '../venues/market-data.port';
import { withDomainErrors } from './boundary';

export interface ComplianceActivityDeps {
  config: BallastConfig;
  venues: VenueRegistry;
  logger: Logger;
}

export interface VenueProfile {
  venue: string;
  kind: string;
  market: string;
  asset: string;
  requirements: VenueRequirements;
}

export interface ComplianceSnapshot {
  book: OrderBookSnapshot;
  volume24hQuote: string;
}

const VenueArg = z.object({ venue: z.string().min(1) });
const BOOK_LEVELS = 100;

export function createComplianceActivities(deps: ComplianceActivityDeps) {
  const venueConfig = (venue: string) => {
    const v = deps.config.venues.find((x) => x.id === venue);
    if (!v) throw new DomainError('VENUE.UNKNOWN', `unknown venue "${venue}"; configured: ${deps.config.venues.map((x) => x.id).join(', ')}`);
    return v;
  };

  return withDomainErrors({
    /** The venue's listing requirements as configured now; recorded in history for auditors. */
    async loadVenueProfile(arg: { venue: string }): Promise<VenueProfile> {
      const { venue } = parseOrThrow(VenueArg, arg, 'loadVenueProfile argument');
      const v = venueConfig(venue);
      return { venue: v.id, kind: v.kind, market: v.market, asset: deps.config.asset.symbol, requirements: v.requirements };
    },

    /** Reads the venue's book and 24 h volume; both are validated before they enter history. */
    async fetchComplianceSnapshot(arg: { venue: string }): Promise<ComplianceSnapshot> {
      const { venue } = parseOrThrow(VenueArg, arg, 'fetchComplianceSnapshot argument');
      venueConfig(venue);
      const port = deps.venues.get(venue);
      if (!port) throw new DomainError('VENUE.NOT_CONNECTED', `venue "${venue}" has no market-data adapter`, false);
      const [book, volume] = await Promise.all([port.fetchOrderBook(BOOK_LEVELS), port.fetchVolume24hQuote()]);
      const volume24hQuote = parseOrThrow(zNonNegativeDecimal, volume, `24h volume from ${venue}`);
      deps.logger.debug({ venue, bids: book.bids.length, asks: book.asks.length }, 'compliance snapshot');
      return { book, volume24hQuote };
    },
  });
}

export type ComplianceActivities = ReturnType<typeof createComplianceActivities>;
