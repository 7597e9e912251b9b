// The one place the backtester plugs the closed loop's extensions in (see closed-loop.ts):
//   durable  the in-simulation executor of the coordinator's decisions (sim-executor.ts): rebalance
//            transfers over the simulated network, venueRisk pause/cancel/evacuate, modes to the engine;
//   pool     Ballast's liquidity on the scenario's AMM pool (pool-liquidity.ts), sized to the pool's
//            depth requirement.
// Both run in the `ballast` strategy only (run-backtest.ts says why).
import type { BacktestOptions } from './run-backtest';
import { SimDurablePlane } from './sim-executor';
import { SimPoolLiquidity } from './pool-liquidity';

export function backtestHooks(): Pick<BacktestOptions, 'durable' | 'pool'> {
  return {
    durable: (w) =>
      new SimDurablePlane({ clock: w.clock, exchanges: w.exchanges, network: w.network, modes: w.modes, ...(w.engine ? { engine: w.engine } : {}), account: w.account, config: w.config }),
    pool: (w) => new SimPoolLiquidity({ clock: w.clock, runner: w.runner, account: w.account, config: w.config, fairValue: () => w.runner.fundamental() }),
  };
}
