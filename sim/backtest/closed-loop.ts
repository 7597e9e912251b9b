// The closed-loop world of a backtest: the real Ballast hot path on simulated exchanges, in virtual
// time. What runs is what the live quoting worker runs (hotpath/engine-setup.ts builds the engine's
// venues from config/demo.yaml the same way): QuotingEngine → VenueQuoter → QuotePlanner, MarketState,
// the kill switch, the operating modes, the ImbalanceMonitor ticking every 5 s. Only three things differ
// from live: the clock (VirtualClock), the venue adapters (ManagedVenue(SimVenue(SimExchange))) and the
// executors of durable decisions (the `durable` hook below instead of Temporal workflows).
//
// The scenario's external traders and background liquidity trade on the same SimExchange engines
// (ScenarioRunner `engines`), Ballast's account is funded on each exchange (config `simulation.ballast`),
// and withdrawals travel over one TransferNetwork with its delays and the exchanges' fees.
//
// The scenario's venue faults (`venues[].faults`) are scheduled on the exchanges when the run starts
// (sim/backtest/fault-schedule.ts), in every run, `none` included: the same venues fail.
//
// Extension hooks (small on purpose; each gets the world below):
//   durable(world) → DurablePlane   every ImbalanceEvent the monitor raises or clears goes to
//                                    `onImbalance`; `timeline()` is the decision record the scorecard
//                                    and the report show. The executor (sim/backtest/sim-executor.ts)
//                                    acts on world.network / world.exchanges / world.modes.
//   pool(world) → PoolLiquidity     Ballast's liquidity on the scenario's AMM pool: `start()` once the
//                                    world runs, `stats()` read at the end (counted in the scorecard).
// Option `priceAction`: the durable plane is asked to run buybacks / liquidations (enablePriceAction)
// on the exchanges and, with `pool: true`, on the scenario's AMM pool from Ballast's wallet there.
// Its `imbalance` and `flowWindowMs` set the monitor's thresholds (over DEFAULT_IMBALANCE_CONFIG) and
// taker-flow window for that run.
// Async VenueQuoter code resumes between virtual events: drive the world with `runUntil` (it uses
// VirtualClock.runUntilAsync), never with the synchronous runner methods.
import type { BallastConfig, VenueConfig } from '../../domain/config.schema';
import { mulberry32 } from '../../domain/rng';
import type { QuotingModelName } from '../../domain/quoting/quote.types';
import { DEFAULT_IMBALANCE_CONFIG, ImbalanceConfigSchema, type ImbalanceConfig, type ImbalanceEvent } from '../../domain/quoting/imbalance';
import { VirtualClock } from '../../hotpath/clocks';
import { IMBALANCE_TICK_MS, monitoredVenues, quotingVenueFor } from '../../hotpath/engine-setup';
import { ImbalanceMonitor } from '../../hotpath/imbalance-monitor';
import { StaticModeSource } from '../../hotpath/mode-source';
import { QuotingEngine, type QuotingEngineVenue } from '../../hotpath/quoting-engine';
import { ManagedVenue } from '../../venues/managed-venue';
import { SimVenue } from '../../venues/sim/sim-venue';
import { applyFaultSchedule } from './fault-schedule';
import { scenarioExchangeConfig } from '../exchange/exchange-presets';
import { SimExchange } from '../exchange/sim-exchange';
import { TransferNetwork } from '../exchange/transfer-network';
import { AmmVenue } from '../market/amm-venue';
import { ScenarioRunner } from '../market/scenario-runner';
import type { DecisionRecord } from './sim-executor-records';
import type { PriceActionSetup } from './sim-executor';
import type { PriceActionChecks } from './sim-price-action';

export type { DecisionRecord } from './sim-executor-records';
import type { Scenario } from '../market/scenario.schema';

/** The executor of durable decisions in simulation (live: the liquidityCoordinator and its children). */
export interface DurablePlane {
  onImbalance(e: ImbalanceEvent): void;
  timeline(): DecisionRecord[];
  /** Price action: buybacks and liquidations executed in the simulation (called before any event). */
  enablePriceAction?(x: PriceActionSetup): void;
  priceActionChecks?(): PriceActionChecks | undefined;
}

/** A run with price action: the policy's and executor's knobs, and whether Ballast also swaps on the pool. */
export type PriceActionRun = Omit<PriceActionSetup, 'pool'> & {
  pool?: boolean;
  /** The monitor's thresholds in this run, over DEFAULT_IMBALANCE_CONFIG (e.g. what counts as sustained selling). */
  imbalance?: Partial<ImbalanceConfig>;
  /** The monitor's taker-flow window for ONE_SIDED_SELLING / _BUYING in this run (default 5 min). */
  flowWindowMs?: number;
  /**
   * Experiments only (bench/price-action.bench.ts BENCH_ORACLE_MIN): imbalance events handed to the
   * coordinator at fixed offsets from the run's start, as if the monitor had raised them — e.g. a
   * SELL_OFF when the whale starts, to measure what a perfectly timed buyback can do.
   */
  inject?: { afterMs: number; event: Omit<ImbalanceEvent, 'at'> }[];
};

/** What Ballast's pool liquidity reports at the end of a run (quote currency, floats: model math). */
export interface PoolStats {
  /** Capital Ballast committed to the pool, valued at the start. */
  capitalQuote: number;
  feesQuote: number;
  impermanentLossQuote: number;
  /** Adds, removes, re-centres. */
  actions: number;
  [metric: string]: number;
}

export interface PoolLiquidity {
  start(): void | Promise<void>;
  stats(): PoolStats;
  stop?(): void;
}

/** Everything a hook may act on. `engine` is undefined in the `none` run (no Ballast). */
export interface ClosedLoopWorld {
  clock: VirtualClock;
  scenario: Scenario;
  seed: number;
  config: BallastConfig;
  /** Ballast's account name on every simulated exchange (and pool). */
  account: string;
  exchanges: Record<string, SimExchange>;
  network: TransferNetwork;
  runner: ScenarioRunner;
  modes: StaticModeSource;
  engine?: QuotingEngine;
}

export interface ClosedLoopOptions {
  scenario: Scenario;
  config: BallastConfig;
  seed: number;
  /** The engine's quoting model; undefined = no Ballast at all (the `none` run). */
  model?: QuotingModelName;
  durable?: (world: ClosedLoopWorld) => DurablePlane;
  pool?: (world: ClosedLoopWorld) => PoolLiquidity;
  /** Price action on (needs `durable` with enablePriceAction). */
  priceAction?: PriceActionRun;
}

/** The config's venues Ballast quotes in this scenario: simulated CEX venues the scenario has. */
function quotedVenues(config: BallastConfig, scenario: Scenario): VenueConfig[] {
  const cex = new Set(scenario.venues.filter((v) => v.kind === 'cex').map((v) => v.id));
  return config.venues.filter((v) => v.kind !== 'amm' && cex.has(v.id));
}

export class ClosedLoop {
  readonly world: ClosedLoopWorld;
  /** Every event the monitor signalled, in order (the durable plane sees the same ones). */
  readonly imbalances: ImbalanceEvent[] = [];
  durable?: DurablePlane;
  pool?: PoolLiquidity;
  private monitorTimer?: () => void;
  private monitorBusy = false;

  constructor(private readonly opts: ClosedLoopOptions) {
    const { scenario, config, seed } = opts;
    const clock = new VirtualClock(Date.parse(scenario.startTime));
    const network = new TransferNetwork({ delayMs: { min: 2_000, max: 8_000 } }, { clock, rng: mulberry32(seed + 1) });
    const account = config.simulation?.ballast.account ?? 'ballast';
    const exchanges: Record<string, SimExchange> = {};
    for (const v of scenario.venues) {
      if (v.kind !== 'cex') continue;
      exchanges[v.id] = new SimExchange(scenarioExchangeConfig(v), { clock, rng: mulberry32(seed + Object.keys(exchanges).length + 2), network });
    }
    const runner = new ScenarioRunner(scenario, { clock, seed, engines: Object.fromEntries(Object.entries(exchanges).map(([id, ex]) => [id, ex.engine])) });
    this.world = { clock, scenario, seed, config, account, exchanges, network, runner, modes: new StaticModeSource() };
    if (opts.model !== undefined) this.fundBallast();
  }

  /** Ballast's balances on every exchange, and its whitelisted `<venue>-deposit` address (as in the demo). */
  private fundBallast(): void {
    const { config, exchanges, account } = this.world;
    const funds = config.simulation?.ballast ?? { base: '500000', quote: '250000' };
    for (const ex of Object.values(exchanges)) {
      if (Number(funds.base) > 0) ex.fund(account, ex.market.base, funds.base);
      if (Number(funds.quote) > 0) ex.fund(account, ex.market.quote, funds.quote);
      const deposit = config.treasury.whitelist.find((w) => w.label === `${ex.id}-deposit`);
      if (deposit) ex.assignDepositAddress(account, deposit.address);
    }
  }

  /**
   * Starts the market (books populated first), the faults, then — with a model — the quoting engine
   * exactly as the quoting worker builds it, the imbalance monitor, the durable plane and the pool.
   */
  async start(): Promise<void> {
    const w = this.world;
    const { clock, runner, config, scenario } = w;
    runner.start();
    applyFaultSchedule(scenario, w.exchanges, clock);
    if (this.opts.model === undefined) return;
    const strategyConfig: BallastConfig = { ...config, strategy: { ...config.strategy, model: this.opts.model } };
    const venues: QuotingEngineVenue[] = [];
    for (const v of quotedVenues(config, scenario)) {
      const venue = new ManagedVenue(new SimVenue(w.exchanges[v.id]!, w.account), { now: () => clock.now(), clientIdPrefix: `bq${v.id.slice(0, 3)}` });
      const { mid: _mid, base: _base, ...ready } = await clock.resolve(quotingVenueFor(strategyConfig, v, venue));
      venues.push(ready);
    }
    const engine = new QuotingEngine({ venues, clock, seed: w.seed, modes: w.modes });
    w.engine = engine;
    await clock.resolve(engine.start());
    if (this.opts.durable) this.durable = this.opts.durable(w);
    const pa = this.opts.priceAction;
    if (pa && this.durable) {
      if (!this.durable.enablePriceAction) throw new Error('priceAction: the durable plane cannot run price action');
      const { pool: onPool, imbalance: _thresholds, flowWindowMs: _window, inject, ...rest } = pa;
      const pool = onPool === false ? undefined : Object.values(w.runner.venues).find((v): v is AmmVenue => v instanceof AmmVenue && config.venues.some((c) => c.kind === 'amm' && c.id === v.id));
      this.durable.enablePriceAction({ ...rest, ...(pool ? { pool } : {}) });
      const t0 = clock.now();
      for (const x of inject ?? []) {
        clock.schedule(x.afterMs, () => {
          const e: ImbalanceEvent = { ...x.event, at: t0 + x.afterMs };
          this.imbalances.push(e);
          this.durable?.onImbalance(e);
        });
      }
    }
    const monitor = new ImbalanceMonitor(
      engine.market,
      (e) => {
        this.imbalances.push(e);
        this.durable?.onImbalance(e);
        return Promise.resolve();
      },
      {
        venues: monitoredVenues(config, venues),
        ...(pa?.imbalance ? { config: ImbalanceConfigSchema.parse({ ...DEFAULT_IMBALANCE_CONFIG, ...pa.imbalance }) } : {}),
        ...(pa?.flowWindowMs ? { flowWindowMs: pa.flowWindowMs } : {}),
      },
    );
    const tick = (): void => {
      this.monitorTimer = clock.schedule(IMBALANCE_TICK_MS, tick);
      // A tick still running (it awaits its signals) is not overlapped, as live setInterval + await would not be either.
      if (this.monitorBusy) return;
      this.monitorBusy = true;
      void monitor.tick(clock.now()).finally(() => (this.monitorBusy = false));
    };
    this.monitorTimer = clock.schedule(IMBALANCE_TICK_MS, tick);
    if (this.opts.pool) {
      this.pool = this.opts.pool(w);
      await clock.resolve(Promise.resolve(this.pool.start()));
    }
  }

  /** Runs virtual time to `t` (epoch ms), letting every awaited continuation run between events. */
  async runUntil(t: number): Promise<void> {
    await this.world.clock.runUntilAsync(Math.min(t, this.world.runner.endMs));
  }

  /** Stops the monitor and the engine (orders left resting: the book at the end is what it was). */
  async stop(): Promise<void> {
    this.monitorTimer?.();
    this.pool?.stop?.();
    await this.world.engine?.stop();
    this.world.runner.stop();
  }
}
