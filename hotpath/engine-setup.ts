// How a quoting process turns the Ballast config into a QuotingEngine's venues and the imbalance
// monitor's watch list. The live quoting worker (workers/quoting.worker.ts) and the backtester
// (sim/backtest/closed-loop.ts) both call these, so tuned config means the same thing in both.
import type { BallastConfig, VenueConfig } from '../domain/config.schema';
import { D } from '../domain/money';
import type { ManagedVenue } from '../venues/managed-venue';
import type { MonitoredVenue } from './imbalance-monitor';
import { quoterConfigFor } from './quoter-config';
import type { QuotingEngineVenue } from './quoting-engine';

/** How often the monitor observes (live: setInterval; backtest: the virtual clock). */
export const IMBALANCE_TICK_MS = 5_000;

/**
 * One venue ready to quote: its rules, the mid of its book now (the model's sizes depend on the
 * price) and the base it holds (the inventory target) → `quoterConfigFor`.
 */
export async function quotingVenueFor(config: BallastConfig, v: VenueConfig, venue: ManagedVenue): Promise<QuotingEngineVenue & { mid: number; base: string }> {
  const rules = await venue.rules();
  const book = await venue.fetchOrderBook(5);
  const bid = book.bids[0]?.price;
  const ask = book.asks[0]?.price;
  const mid = bid && ask ? new D(bid).plus(ask).div(2).toNumber() : Number(bid ?? ask ?? '0');
  if (!(mid > 0)) throw new Error(`venue ${v.id}: no price to start quoting from`);
  const base = (await venue.fetchBalances()).find((b) => b.asset === rules.base)?.total ?? '0';
  return { venue, config: quoterConfigFor(config, v, mid, base), mid, base };
}

/** The monitor's venues: each quoted venue's inventory target and its listing requirements. */
export function monitoredVenues(config: BallastConfig, venues: readonly QuotingEngineVenue[]): MonitoredVenue[] {
  return venues.map((v) => {
    const c = config.venues.find((x) => x.id === v.venue.id);
    if (!c) throw new Error(`venue ${v.venue.id} is not in the config`);
    return { venueId: v.venue.id, targetInventory: v.config.targetInventory, requirements: c.requirements };
  });
}
