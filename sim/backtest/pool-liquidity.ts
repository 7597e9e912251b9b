// Ballast's liquidity on the scenario's AMM pool in a backtest: the hot path's PoolLiquidityProvider
// (the object the live quoting worker runs against the chain) on the in-process exact V2 pool, in
// virtual time. Only the port differs: here it calls the pool directly; live it sends transactions.
//
// Interface for the backtest runner (sim/backtest/closed-loop.ts `pool` hook):
//
//   const pool = new SimPoolLiquidity({ clock, runner, account, config, fairValue });
//   await pool.start();        // funds the account on the pool (unless already funded), first check now
//   ...run virtual time (runUntilAsync: the provider awaits its port between events)...
//   pool.stats();              // PoolStats: capitalQuote, feesQuote, impermanentLossQuote, actions, …
//
//   clock      the run's Clock (VirtualClock)
//   runner     the ScenarioRunner; runner.venues[poolId] is the sim AmmVenue
//   account    Ballast's account name (its LP tokens and wallet on the pool)
//   config     BallastConfig: the `amm` venue whose id is a pool in the scenario gives minDepthQuote
//              and depthBandPct; venues[].poolLiquidity is not in the schema yet, so params come
//              from `params` (defaults: domain/amm/pool-liquidity.params.ts)
//   fairValue  optional: V2 deposits at the pool's own ratio, so it is only reported, not used
//   funds      optional wallet for the pool, human units; default: twice what the first top-up needs
import type { BallastConfig } from '../../domain/config.schema';
import type { Clock } from '../../domain/clock';
import { DEFAULT_POOL_LIQUIDITY_PARAMS, PoolLiquidityParamsSchema, planV2Liquidity, type PoolLiquidityParamsInput } from '../../domain/amm';
import { D } from '../../domain/money';
import { fromUnits, toUnits } from '../../domain/token-units';
import { PoolLiquidityProvider, type PoolLiquidityStats, type V2LiquidityPort } from '../../hotpath/pool-liquidity';
import { AmmVenue } from '../market/amm-venue';
import type { ScenarioRunner } from '../market/scenario-runner';

export interface SimPoolLiquidityOptions {
  clock: Clock;
  runner: Pick<ScenarioRunner, 'venues' | 'addAccount'>;
  account: string;
  config: BallastConfig;
  fairValue?: () => number;
  /** Which pool (default: the config's first `amm` venue that the scenario has). */
  poolId?: string;
  params?: PoolLiquidityParamsInput;
  /** Ballast's wallet on the pool, human units. */
  funds?: { base: string; quote: string };
}

/** PoolLiquidityStats plus what the backtest's PoolStats asks for (all numbers). */
export interface SimPoolStats extends Omit<PoolLiquidityStats, 'poolId'> {
  /** Fair value at the end, when the runner gave one (0 otherwise). */
  fairValue: number;
  poolPrice: number;
  [metric: string]: number;
}

/** The in-process pool as the provider's port: synchronous calls, resolved promises. */
export function simPoolPort(pool: AmmVenue, account: string): V2LiquidityPort {
  return {
    poolId: pool.id,
    decimals: () => Promise.resolve({ base: pool.config.baseDecimals, quote: pool.config.quoteDecimals }),
    state: () => Promise.resolve({ pool: pool.poolState(), ownLp: pool.lpBalance(account), wallet: pool.balances(account) }),
    add: (desired, bps) => {
      const min = { base: (desired.base * BigInt(10_000 - bps)) / 10_000n, quote: (desired.quote * BigInt(10_000 - bps)) / 10_000n };
      const r = pool.addLiquidity(account, desired, min);
      return r.ok ? Promise.resolve(r) : Promise.reject(new Error(`addLiquidity on ${pool.id}: ${r.reason}`));
    },
    remove: (liquidity) => {
      const r = pool.removeLiquidity(account, liquidity);
      return r.ok ? Promise.resolve(r) : Promise.reject(new Error(`removeLiquidity on ${pool.id}: ${r.reason}`));
    },
  };
}

export class SimPoolLiquidity {
  readonly provider: PoolLiquidityProvider;
  readonly pool: AmmVenue;
  private funded = false;

  constructor(private readonly o: SimPoolLiquidityOptions) {
    const ammIds = o.config.venues.filter((v) => v.kind === 'amm').map((v) => v.id);
    const poolId = o.poolId ?? ammIds.find((id) => o.runner.venues[id] instanceof AmmVenue);
    const pool = poolId !== undefined ? o.runner.venues[poolId] : undefined;
    if (!(pool instanceof AmmVenue)) throw new RangeError(`SimPoolLiquidity: no AMM pool ${poolId ?? '(none configured)'} in the scenario`);
    const venue = o.config.venues.find((v) => v.id === pool.id);
    if (!venue) throw new RangeError(`SimPoolLiquidity: pool ${pool.id} is not a venue in the config`);
    this.pool = pool;
    this.provider = new PoolLiquidityProvider({
      clock: o.clock,
      port: simPoolPort(pool, o.account),
      minDepthQuote: venue.requirements.minDepthQuote,
      depthBandPct: venue.requirements.depthBandPct,
      params: o.params ? PoolLiquidityParamsSchema.parse(o.params) : DEFAULT_POOL_LIQUIDITY_PARAMS,
    });
  }

  async start(): Promise<void> {
    this.fund();
    await this.provider.start();
  }

  stop(): Promise<void> {
    return this.provider.stop();
  }

  stats(): SimPoolStats {
    const { poolId: _poolId, ...s } = this.provider.stats();
    return { ...s, fairValue: this.o.fairValue?.() ?? 0, poolPrice: this.pool.spot() };
  }

  /** Credits the wallet once: the given funds, or twice the first top-up the planner would make. */
  private fund(): void {
    if (this.funded) return;
    this.funded = true;
    const { pool, o } = this;
    const have = pool.balances(o.account);
    if (!o.funds && (have.base > 0n || have.quote > 0n)) return; // the runner funded it
    let funds = o.funds;
    if (!funds) {
      const venue = o.config.venues.find((v) => v.id === pool.id)!;
      const req = toUnits(venue.requirements.minDepthQuote, pool.config.quoteDecimals, 'minDepthQuote');
      const params = o.params ? PoolLiquidityParamsSchema.parse(o.params) : DEFAULT_POOL_LIQUIDITY_PARAMS;
      const unlimited = { base: pool.poolState().base * 10n, quote: pool.poolState().quote * 10n };
      const d = planV2Liquidity({ pool: pool.poolState(), ownLp: 0n, wallet: unlimited, requirementQuote: req, bandPct: venue.requirements.depthBandPct, params, now: 0 });
      const need = d.kind === 'add' ? d : { base: 0n, quote: 0n };
      funds = { base: fromUnits(need.base * 2n, pool.config.baseDecimals), quote: fromUnits(need.quote * 2n, pool.config.quoteDecimals) };
    }
    if (new D(funds.base).gt(0) || new D(funds.quote).gt(0)) o.runner.addAccount(o.account, { [pool.id]: funds });
  }
}
