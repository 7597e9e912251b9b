// The quoting worker process (`main.ts quoting`): a QuotingEngine over every quotable venue in the
// config, reached with the real ccxt client (the simulated exchanges through their emulators), with
// operating modes read from the liquidityCoordinator workflow (polled, ~0.5 s) and imbalances
// signalled to it through a debounced detector. It never waits on Temporal on the hot path.
import { Client, Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import type { BallastConfig, VenueConfig } from '../../domain/config.schema';
import { D, fmt } from '../../domain/money';
import { RealClock } from '../../sim/clocks';
import { ballastDataConverter } from '../../temporal/data-converter';
import { defaultQuoteParams } from '../../sim/backtest/run-backtest';
import { ManagedVenue } from '../../venues/managed-venue';
import { ccxtVenueFor } from '../../venues/registry';
import { CoordinatorClient, ModePoller, modeOf } from './coordinator-client';
import { ImbalanceMonitor } from './imbalance-monitor';
import { StaticModeSource } from './mode-source';
import { QuotingEngine, type QuotingEngineVenue } from './quoting-engine';
import type { VenueQuoterConfig } from './venue-quoter';

export interface QuotingProcessDeps {
  config: BallastConfig;
  env: Record<string, string | undefined>;
  logger: Logger;
}

/** Quoting parameters for one venue from the config's strategy and the venue's listing requirements. */
export function quoterConfigFor(config: BallastConfig, v: VenueConfig, mid: number, baseBalance: string): VenueQuoterConfig {
  const s = config.strategy;
  const req = v.requirements;
  // Depth target a little above the requirement, spread over the strategy's levels.
  const depthQuote = new D(req.minDepthQuote).times('1.1');
  const levelQuote = Math.max(depthQuote.div(s.orderLevels).toNumber(), 10);
  // Inventory target: what the account holds when quoting starts; rebalancing moves it (Treasury issue).
  const target = new D(baseBalance).toDecimalPlaces(0);
  const band = new D(s.inventoryBandPct).div(100);
  return {
    model: defaultQuoteParams(s.model, mid, levelQuote),
    depth: { quote: fmt(depthQuote.toDecimalPlaces(2)), bandPct: req.depthBandPct, levels: s.orderLevels, stepPct: s.levelSpacingPct },
    refresh: { pricePct: s.refreshTolerancePct, amountPct: '10' },
    sizeJitterPct: '5',
    targetInventory: fmt(target),
    maxInventory: fmt(target.times(new D(1).plus(band.times(5)))),
    tickMs: 1_000,
    tickJitterPct: 20,
    reconcileEveryMs: 15_000,
    balanceEveryMs: 5_000,
    maxDataAgeMs: 60_000,
    volHalfLifeSec: 300,
    seedVolatility: 0.0005,
    killSwitch: { maxInventoryBase: fmt(target.times(new D(1).plus(band.times(10)))), maxDataAgeMs: 180_000 },
  };
}

export async function runQuotingWorker(deps: QuotingProcessDeps): Promise<{ stop(): Promise<void> }> {
  const { config, env, logger } = deps;
  const clock = new RealClock();
  const runId = Date.now().toString(36);
  const venues: QuotingEngineVenue[] = [];
  for (const v of config.venues) {
    // AMM pools are not quoted: they have no order book.
    const adapter = ccxtVenueFor(config, v, env);
    if (!adapter) continue;
    const venue = new ManagedVenue(adapter, { now: () => clock.now(), clientIdPrefix: `bq${runId}${v.id.slice(0, 3)}` });
    const rules = await venue.rules();
    const book = await venue.fetchOrderBook(5);
    const bid = book.bids[0]?.price;
    const ask = book.asks[0]?.price;
    const mid = bid && ask ? new D(bid).plus(ask).div(2).toNumber() : Number(bid ?? ask ?? '0');
    if (!(mid > 0)) throw new Error(`venue ${v.id}: no price to start quoting from`);
    const base = (await venue.fetchBalances()).find((b) => b.asset === rules.base)?.total ?? '0';
    venues.push({ venue, config: quoterConfigFor(config, v, mid, base) });
    logger.info({ venue: v.id, mid, base }, 'quoting venue ready');
  }

  const connection = await Connection.connect({ address: config.temporal.address });
  const coordinator = new CoordinatorClient({ client: new Client({ connection, namespace: config.temporal.namespace, dataConverter: ballastDataConverter(env) }), taskQueue: config.temporal.taskQueue, asset: config.asset.symbol, logger });
  const modes = new StaticModeSource();
  const poller = new ModePoller(coordinator, (m) => {
    for (const v of venues) modes.set(v.venue.id, modeOf(m, v.venue.id));
    logger.info({ modes: m }, 'operating modes changed');
  });
  poller.start();

  const engine = new QuotingEngine({ venues, clock, seed: Number.parseInt(runId, 36) % 2 ** 31, modes, logger });
  await engine.start();

  // Imbalances: observed every 5 s, debounced with hysteresis, then signalled (once per episode).
  const monitor = new ImbalanceMonitor(engine.market, (e) => coordinator.signalImbalance(e), {
    venues: venues.map((v) => ({
      venueId: v.venue.id,
      targetInventory: v.config.targetInventory,
      requirements: config.venues.find((c) => c.id === v.venue.id)!.requirements,
    })),
  });
  const timer = setInterval(() => void monitor.tick(clock.now()).catch((e: unknown) => logger.warn({ err: e }, 'imbalance monitor failed')), 5_000);
  timer.unref();

  return {
    stop: async () => {
      clearInterval(timer);
      poller.stop();
      await engine.stop({ cancel: true });
      for (const v of venues) await v.venue.adapter.close?.();
      clock.stop();
      await connection.close();
    },
  };
}
