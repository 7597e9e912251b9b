// The quoting worker process (`main.ts quoting`): a QuotingEngine over every quotable venue in the
// config, reached with the real ccxt client (the simulated exchanges through their emulators), with
// operating modes read from the liquidityCoordinator workflow (polled, ~0.5 s) and imbalances
// signalled to it through a debounced detector. It never waits on Temporal on the hot path.
import { Client, Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import type { BallastConfig } from '../domain/config.schema';
import { RealClock } from '../hotpath/clocks';
import { ballastDataConverter } from '../temporal/data-converter';
import { ManagedVenue } from '../venues/managed-venue';
import { ccxtVenueFor } from '../venues/registry';
import { CoordinatorClient, ModePoller, modeOf } from '../temporal/coordinator-client';
import { ImbalanceMonitor } from '../hotpath/imbalance-monitor';
import { StaticModeSource } from '../hotpath/mode-source';
import { QuotingEngine, type QuotingEngineVenue } from '../hotpath/quoting-engine';
import { IMBALANCE_TICK_MS, monitoredVenues, quotingVenueFor } from '../hotpath/engine-setup';
import { startPoolLiquidity } from './pool-liquidity';

export interface QuotingProcessDeps {
  config: BallastConfig;
  env: Record<string, string | undefined>;
  logger: Logger;
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
    const { mid, base, ...ready } = await quotingVenueFor(config, v, venue);
    venues.push(ready);
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
  // Ballast's liquidity on the AMM pool; a pool that cannot be reached never stops the quoting.
  const pool = await startPoolLiquidity({ config, env, logger, clock }).catch((e: unknown) => {
    logger.warn({ err: e }, 'pool liquidity provider not started');
    return undefined;
  });

  // Imbalances: observed every 5 s, debounced with hysteresis, then signalled (once per episode).
  const monitor = new ImbalanceMonitor(engine.market, (e) => coordinator.signalImbalance(e), {
    venues: monitoredVenues(config, venues),
  });
  const timer = setInterval(() => void monitor.tick(clock.now()).catch((e: unknown) => logger.warn({ err: e }, 'imbalance monitor failed')), IMBALANCE_TICK_MS);
  timer.unref();

  return {
    stop: async () => {
      clearInterval(timer);
      poller.stop();
      await pool?.stop();
      await engine.stop({ cancel: true });
      for (const v of venues) await v.venue.adapter.close?.();
      clock.stop();
      await connection.close();
    },
  };
}
