import { DomainError } from '../domain/errors';
import type { BallastConfig } from '../domain/config.schema';
import { PoolMarketData } from './amm/pool-market-data';
import type { MarketDataPort, VenueRegistry } from './market-data.port';
import { MarketHttpData } from './sim/market-http-data';
import { SimMarketData } from './sim/sim-market-data';

/**
 * Market data per configured venue. With a `simulation` section, `sim` and `amm` venues read the
 * embedded simulated market (its exchanges and the on-chain pool); without one, `sim` venues show a
 * seeded synthetic book and `amm` venues the implied book of their configured reserves (tests).
 */
export function buildVenueRegistry(config: BallastConfig, now: () => number): VenueRegistry {
  const venues = new Map<string, MarketDataPort>();
  const sim = config.simulation;
  const marketUrl = sim ? `http://${sim.host}:${sim.port}` : undefined;
  for (const v of config.venues) {
    switch (v.kind) {
      case 'sim':
        venues.set(v.id, marketUrl ? new MarketHttpData(v.id, v.market, marketUrl) : new SimMarketData(v, now));
        break;
      case 'amm':
        venues.set(v.id, marketUrl ? new MarketHttpData(v.id, v.market, marketUrl) : new PoolMarketData(v, now));
        break;
      case 'ccxt':
        throw new DomainError('VENUE.KIND_NOT_SUPPORTED', `venue ${v.id}: ccxt venues arrive with the Markets issue (#3)`);
    }
  }
  return venues;
}
