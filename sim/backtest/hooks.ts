// The one place the backtester plugs in the closed loop's extensions (see closed-loop.ts):
//   durable  the in-simulation executor of the coordinator's decisions (sim/backtest/sim-executor.ts);
//   pool     Ballast's liquidity on the scenario's AMM pool (sim/backtest/pool-*);
// A hook left out here is simply off: the run is the hot path alone.
import type { BacktestOptions } from './run-backtest';

export function backtestHooks(): Pick<BacktestOptions, 'durable' | 'pool'> {
  return {};
}
