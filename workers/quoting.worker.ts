// The quoting worker process (`main.ts quoting`): a QuotingEngine over every quotable venue in the
// config, reached with the real ccxt client (the simulated exchanges through their emulators), with
// operating modes read from the liquidityCoordinator workflow (polled, ~0.5 s) and imbalances
// signalled to it through a debounced detector. It never waits on Temporal on the hot path.
// Fail-safe: before quoting it cancels the orders an earlier run left (start-up sweep, by the
// quoter's client-id prefix); it quotes only while the modes are known (PolledModeSource,
// config quoting.modesMaxAgeMs); an operator's kill-switch reset reaches it through the coordinator;
// on stop it cancels every order and sweeps again, reporting what is left per venue.
import { Client, Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import type { BallastConfig } from '../domain/config.schema';
import { RealClock } from '../hotpath/clocks';
import { ballastDataConverter } from '../temporal/data-converter';
import { ManagedVenue } from '../venues/managed-venue';
import { ccxtVenueFor } from '../venues/registry';
import { ControlsPoller, CoordinatorClient, quotingControlsHandlers } from '../temporal/coordinator-client';
import { ImbalanceMonitor } from '../hotpath/imbalance-monitor';
import type { PoolLiquidityProvider } from '../hotpath/pool-liquidity';
import type { PoolBookWatcher } from '../hotpath/pool-book-watcher';
import type { Clock } from '../domain/clock';
import type { KillDecision } from '../domain/quoting/kill-switch';
import { PolledModeSource } from '../hotpath/mode-source';
import { quoterClientIdPrefix, sweepQuoterOrders, type SweepReport } from '../hotpath/order-sweep';
import { QuotingEngine, type QuotingEngineVenue } from '../hotpath/quoting-engine';
import { IMBALANCE_TICK_MS, monitoredVenues, quotingVenueFor } from '../hotpath/engine-setup';
import type { CancelAllReport } from '../hotpath/venue-quoter';
import type { VenueAdapter } from '../venues/venue.port';
import { startPoolLiquidity } from './pool-liquidity';
import { collectDefaultMetrics } from 'prom-client';
import { BallastMetrics } from '../observability/metrics';
import { serveMetrics } from '../observability/metrics-server';
import { observePoolLiquidity, observeQuotingEngine } from '../observability/quoting-metrics';
import { durationMs } from '../domain/compliance-history';

export interface QuotingProcessDeps {
  config: BallastConfig;
  env: Record<string, string | undefined>;
  logger: Logger;
}

export interface QuotingWorker {
  engine: QuotingEngine;
  modes: PolledModeSource;
  /** What the start-up sweep found and cancelled, per venue. */
  sweeps: SweepReport[];
  /** This process's metrics, served at `metricsUrl` (config metrics.host / metrics.quotingPort). */
  metrics: BallastMetrics;
  metricsUrl: string;
  /** Stops quoting and cancels every order; per venue, what was cancelled and what is still live. */
  stop(): Promise<{ cancels: CancelAllReport[]; sweeps: SweepReport[] }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The start-up sweep, retried: a venue whose leftovers cannot be cancelled is not quoted (start fails). */
async function sweepBeforeQuoting(adapter: VenueAdapter, logger: Logger, attempts = 3): Promise<SweepReport> {
  let last: unknown;
  for (let i = 1; i <= attempts; i++) {
    try {
      const r = await sweepQuoterOrders(adapter, { logger });
      if (r.left.length === 0) return r;
      last = new Error(`${r.left.length} order(s) still live: ${r.left.map((l) => `${l.clientOrderId} (${l.error})`).join(', ')}`);
    } catch (e) {
      last = e;
    }
    if (i < attempts) await sleep(1_000 * i);
  }
  throw new Error(`venue ${adapter.id}: the start-up sweep could not cancel an earlier run's orders, not quoting: ${last instanceof Error ? last.message : String(last)}`);
}

export async function runQuotingWorker(deps: QuotingProcessDeps): Promise<QuotingWorker> {
  const { config, env, logger } = deps;
  const clock = new RealClock();
  const runId = Date.now().toString(36);
  const venues: QuotingEngineVenue[] = [];
  const sweeps: SweepReport[] = [];
  for (const v of config.venues) {
    // AMM pools are not quoted: they have no order book.
    const adapter = ccxtVenueFor(config, v, env);
    if (!adapter) continue;
    sweeps.push(await sweepBeforeQuoting(adapter, logger));
    const venue = new ManagedVenue(adapter, { now: () => clock.now(), clientIdPrefix: quoterClientIdPrefix(runId, v.id) });
    const { mid, base, ...ready } = await quotingVenueFor(config, v, venue);
    venues.push(ready);
    logger.info({ venue: v.id, mid, base }, 'quoting venue ready');
  }

  const connection = await Connection.connect({ address: config.temporal.address });
  const coordinator = new CoordinatorClient({ client: new Client({ connection, namespace: config.temporal.namespace, dataConverter: ballastDataConverter(env) }), taskQueue: config.temporal.taskQueue, asset: config.asset.symbol, logger, complianceVerifyWithinMs: durationMs(config.compliance.verifyWithin), complianceHoldAfterClearMs: durationMs(config.compliance.holdAfterClear) });
  // Nothing quotes until the coordinator has been read, and every quote is pulled when it cannot be read for too long.
  const modes = new PolledModeSource(config.quoting.modesMaxAgeMs);
  // Every trip goes on the durable record (the coordinator's state and history): the dashboard, the daily report, auditors.
  const onTrip = (d: KillDecision) =>
    void coordinator.signalKillSwitchTrip({ scope: d.scope, ...(d.venueId !== undefined ? { venueId: d.venueId } : {}), reason: d.reason, detail: d.detail.slice(0, 1_000), at: d.at });
  const engine = new QuotingEngine({ venues, clock, seed: Number.parseInt(runId, 36) % 2 ** 31, modes, logger, onTrip });
  const poller = new ControlsPoller(
    coordinator,
    quotingControlsHandlers({ modes, venueIds: venues.map((v) => v.venue.id), resetKillSwitch: (id) => engine.resetKillSwitch(id), now: () => clock.now(), logger, diagnose: () => coordinator.diagnose() }),
  );
  await coordinator.ensureRunning();
  poller.start();
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
  const metrics = quotingWorkerMetrics(config, engine, clock, monitor, pool?.provider, pool?.book);
  const server = await serveMetrics(metrics, { host: config.metrics.host, port: config.metrics.quotingPort });
  logger.info({ url: server.url }, 'quoting metrics served');

  const timer = setInterval(() => void monitor.tick(clock.now()).catch((e: unknown) => logger.warn({ err: e }, 'imbalance monitor failed')), IMBALANCE_TICK_MS);
  timer.unref();

  return {
    engine,
    modes,
    sweeps,
    metrics,
    metricsUrl: server.url,
    stop: async () => {
      clearInterval(timer);
      await server.close();
      poller.stop();
      await pool?.stop();
      const cancels = await engine.stop({ cancel: true });
      // Whatever the tracker did not know (an order whose placement timed out) is found by its prefix.
      const after: SweepReport[] = [];
      for (const v of venues) {
        after.push(await sweepQuoterOrders(v.venue.adapter, { logger, prefix: quoterClientIdPrefix(runId, v.venue.id) }).catch((e: unknown) => ({ venueId: v.venue.id, found: [], canceled: [], left: [{ clientOrderId: '*', error: e instanceof Error ? e.message : String(e) }], untouched: 0 })));
      }
      const left = Object.fromEntries(after.filter((s) => s.left.length > 0).map((s) => [s.venueId, s.left]));
      const canceled = Object.fromEntries(cancels.map((c) => [c.venueId, c.canceled.length]));
      if (Object.keys(left).length > 0) logger.error({ canceled, left }, 'quoting stopped with orders still live');
      else logger.info({ canceled }, 'quoting stopped; no order of ours left on any venue');
      for (const v of venues) await v.venue.adapter.close?.();
      clock.stop();
      await connection.close();
      return { cancels, sweeps: after };
    },
  };
}

/** The quoting worker's registry: process defaults and every figure of its engine, monitor and pool. */
export function quotingWorkerMetrics(config: BallastConfig, engine: QuotingEngine, clock: Clock, monitor?: ImbalanceMonitor, pool?: PoolLiquidityProvider, poolBook?: PoolBookWatcher): BallastMetrics {
  const metrics = new BallastMetrics();
  collectDefaultMetrics({ register: metrics.registry, prefix: 'ballast_quoting_' });
  const requirements = Object.fromEntries(config.venues.map((v) => [v.id, v.requirements]));
  observeQuotingEngine(metrics, engine, { clock, requirements, ...(monitor ? { monitor } : {}) });
  const amm = pool ? config.venues.find((v) => v.kind === 'amm') : undefined;
  if (pool && amm) observePoolLiquidity(metrics, pool, amm.requirements, poolBook ? { book: poolBook, clock } : undefined);
  return metrics;
}
