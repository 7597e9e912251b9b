import { DomainError } from '../domain/errors';
import type { BallastConfig } from '../domain/config.schema';
import { PoolMarketData } from './amm/pool-market-data';
import type { MarketDataPort, VenueRegistry } from './market-data.port';
import { SimMarketData } from './sim/sim-market-data';

export function buildVenueRegistry(config: BallastConfig, now: () => number): VenueRegistry {
  const venues = new Map<string, MarketDataPort>();
  for (const v of config.venues) {
    switch (v.kind) {
      case 'sim':
        venues.set(v.id, new SimMarketData(v, now));
        break;
      case 'amm':
        venues.set(v.id, new PoolMarketData(v, now));
        break;
      case 'ccxt':
        throw new DomainError('VENUE.KIND_NOT_SUPPORTED', `venue ${v.id}: ccxt venues arrive with the Markets issue (#3)`);
    }
  }
  return venues;
}
