import type { BallastConfig, VenueConfig } from '../domain/config.schema';
import { DomainError } from '../domain/errors';
import { PoolMarketData } from './amm/pool-market-data';
import { CcxtMarketData } from './ccxt/ccxt-market-data';
import { CcxtVenue } from './ccxt/ccxt-venue';
import type { MarketDataPort, VenueRegistry } from './market-data.port';
import { MarketHttpData } from './sim/market-http-data';
import { SimMarketData } from './sim/sim-market-data';

type Env = Record<string, string | undefined>;

function credentials(venue: string, c: { apiKeyEnv: string; secretEnv: string }, env: Env): { apiKey: string; secret: string } {
  const apiKey = env[c.apiKeyEnv];
  const secret = env[c.secretEnv];
  // Names of the variables only: the values never appear in errors or logs.
  if (!apiKey || !secret) throw new DomainError('VENUE.CREDENTIALS_MISSING', `venue ${venue}: set ${c.apiKeyEnv} and ${c.secretEnv} in the environment`);
  return { apiKey, secret };
}

/**
 * How Ballast reaches a CEX venue with the real ccxt client: a `ccxt` venue directly, a `sim` venue
 * through its Binance-spot emulator when the simulated market runs. Undefined otherwise.
 */
export function ccxtVenueFor(config: BallastConfig, v: VenueConfig, env: Env): CcxtVenue | undefined {
  const sim = config.simulation;
  if (v.kind === 'sim' && sim && v.emulatorPort) {
    return new CcxtVenue({
      id: v.id,
      exchangeId: 'binance',
      symbol: v.market,
      credentials: credentials(v.id, v.credentials, env),
      restUrl: `http://${sim.host}:${v.emulatorPort}`,
      wsUrl: `ws://${sim.host}:${v.emulatorPort}/stream`,
      ...(v.withdrawalClientIds ? {} : { withdrawalClientIds: false }),
    });
  }
  if (v.kind === 'ccxt') {
    return new CcxtVenue({
      id: v.id,
      exchangeId: v.exchange,
      symbol: v.market,
      credentials: credentials(v.id, v.credentials, env),
      ...(v.restUrl ? { restUrl: v.restUrl } : {}),
      ...(v.wsUrl ? { wsUrl: v.wsUrl } : {}),
      ...(v.sandbox ? { sandbox: true } : {}),
      ...(v.withdrawalClientIds ? {} : { withdrawalClientIds: false }),
    });
  }
  return undefined;
}

/**
 * Market data per configured venue.
 * - `ccxt`: the real ccxt client with keys from the environment variables the config names.
 * - `sim` with a `simulation` section: the simulated exchange through its Binance-spot emulator and
 *   the real ccxt client when `emulatorPort` is set, else the market process's HTTP endpoint.
 * - `amm` with a `simulation` section: the on-chain pool, read by the market process.
 * - without `simulation`: `sim` venues show a seeded synthetic book and `amm` venues the implied book
 *   of their configured reserves (what the integration tests use).
 */
export function buildVenueRegistry(config: BallastConfig, now: () => number, env: Env = {}): VenueRegistry {
  const venues = new Map<string, MarketDataPort>();
  const sim = config.simulation;
  const marketUrl = sim ? `http://${sim.host}:${sim.port}` : undefined;
  for (const v of config.venues) {
    switch (v.kind) {
      case 'sim': {
        const venue = ccxtVenueFor(config, v, env);
        if (venue) venues.set(v.id, new CcxtMarketData(venue));
        else venues.set(v.id, marketUrl ? new MarketHttpData(v.id, v.market, marketUrl) : new SimMarketData(v, now));
        break;
      }
      case 'amm':
        venues.set(v.id, marketUrl ? new MarketHttpData(v.id, v.market, marketUrl) : new PoolMarketData(v, now));
        break;
      case 'ccxt':
        venues.set(v.id, new CcxtMarketData(ccxtVenueFor(config, v, env)!));
        break;
    }
  }
  return venues;
}
