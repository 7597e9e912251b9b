// Ballast's liquidity on the config's Uniswap V2 pool, run by the quoting worker: the hot path's
// PoolLiquidityProvider against venues/amm's AmmVenue on the chain, on the worker's clock.
//
// Where things come from:
//  - the pool's addresses (router, pair, tokens) and the chain's RPC URL: the simulated market's
//    GET /chain (`pool`, `rpcUrl`), since the demo deploys them at start on simulation.chainPort;
//    a live config has no AMM addresses yet, so the provider is off;
//  - the wallet: BALLAST_POOL_WALLET_KEY (0x + 64 hex) from the environment, never logged; in the
//    simulation without it, the local chain's Hardhat account #4 (a published test key, not a secret);
//  - the tokens (simulation only): minted to that wallet by the tokens' owner when it holds none,
//    twice what the first top-up needs, as the demo funds the exchanges' hot wallets.
import type { Logger } from 'pino';
import { z } from 'zod';
import { DEFAULT_POOL_LIQUIDITY_PARAMS, planV2Liquidity } from '../domain/amm';
import type { Clock } from '../domain/clock';
import type { BallastConfig } from '../domain/config.schema';
import { fromUnits, toUnits } from '../domain/token-units';
import { PoolBookWatcher } from '../hotpath/pool-book-watcher';
import { PoolLiquidityProvider, ammVenueV2Port } from '../hotpath/pool-liquidity';
import { mintTokens } from '../sim/evm/chain-bridge';
import { hardhatAccountKey } from '../sim/evm/local-chain';
import { AmmVenue } from '../venues/amm/amm-venue';

const SIM_POOL_WALLET_ACCOUNT = 4;
const KEY_ENV = 'BALLAST_POOL_WALLET_KEY';

const ChainInfoSchema = z.object({
  rpcUrl: z.string(),
  pool: z.object({ id: z.string(), router: z.string(), pair: z.string(), base: z.string(), quote: z.string() }),
  tokens: z.record(z.string(), z.string()),
  decimals: z.record(z.string(), z.number().int()),
});

export interface PoolLiquidityHandle {
  provider: PoolLiquidityProvider;
  /** The pool's implied book every 2 s (its market-quality metrics). */
  book: PoolBookWatcher;
  stop(): Promise<void>;
}

export async function startPoolLiquidity(deps: { config: BallastConfig; env: Record<string, string | undefined>; logger: Logger; clock: Clock }): Promise<PoolLiquidityHandle | undefined> {
  const { config, env, logger, clock } = deps;
  const v = config.venues.find((x) => x.kind === 'amm' && x.protocol === 'uniswap-v2');
  const sim = config.simulation;
  if (!v || v.kind !== 'amm') return undefined;
  if (!sim) {
    logger.info({ venue: v.id }, 'pool liquidity off: the config gives no pool addresses outside the simulation');
    return undefined;
  }
  const res = await fetch(`http://${sim.host}:${sim.port}/chain`);
  if (!res.ok) {
    logger.info({ venue: v.id, status: res.status }, 'pool liquidity off: the simulated market runs no chain');
    return undefined;
  }
  const chain = ChainInfoSchema.parse(await res.json());
  if (chain.pool.id !== v.id) throw new Error(`pool liquidity: the chain's pool is ${chain.pool.id}, the config's is ${v.id}`);
  // The simulated market's chain is where its pool lives (simulation.chainPort), whatever the venue's rpcUrl says.
  const rpcUrl = chain.rpcUrl;
  const key = env[KEY_ENV];
  if (key !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(key)) throw new Error(`${KEY_ENV} must be 0x + 64 hex digits`);
  const venue = new AmmVenue({
    id: v.id,
    rpcUrl,
    chainId: v.chain.chainId,
    router: chain.pool.router,
    pair: chain.pool.pair,
    base: chain.pool.base,
    quote: chain.pool.quote,
    wallet: { privateKey: key ?? hardhatAccountKey(SIM_POOL_WALLET_ACCOUNT) },
  });
  const params = DEFAULT_POOL_LIQUIDITY_PARAMS;
  await fund(venue, chain, rpcUrl, v.requirements, logger);
  const provider = new PoolLiquidityProvider({ clock, port: ammVenueV2Port(venue), minDepthQuote: v.requirements.minDepthQuote, depthBandPct: v.requirements.depthBandPct, params, logger });
  await provider.start();
  const book = new PoolBookWatcher({ clock, venue, logger });
  await book.start();
  logger.info({ venue: v.id, wallet: await venue.walletAddress(), ...provider.stats() }, 'pool liquidity provider running');
  return {
    provider,
    book,
    stop: async () => {
      await book.stop();
      await provider.stop();
      await venue.close();
    },
  };
}

/** Simulation only: mints the wallet twice the first top-up when it holds nothing. */
async function fund(venue: AmmVenue, chain: z.infer<typeof ChainInfoSchema>, rpcUrl: string, req: { minDepthQuote: string; depthBandPct: string }, logger: Logger): Promise<void> {
  const wallet = await venue.walletUnits();
  if (wallet.base > 0n || wallet.quote > 0n) return;
  const t = await venue.tokens();
  const pool = await venue.poolState();
  const huge = { base: pool.base * 10n, quote: pool.quote * 10n };
  const d = planV2Liquidity({ pool, ownLp: 0n, wallet: huge, requirementQuote: toUnits(req.minDepthQuote, t.quote.decimals), bandPct: req.depthBandPct, params: DEFAULT_POOL_LIQUIDITY_PARAMS, now: 0 });
  if (d.kind !== 'add') return;
  const tokens = { [t.base.symbol]: { address: t.base.address, decimals: t.base.decimals }, [t.quote.symbol]: { address: t.quote.address, decimals: t.quote.decimals } };
  const to = await venue.walletAddress();
  const grants = [
    { to, asset: t.base.symbol, amount: fromUnits(d.base * 2n, t.base.decimals) },
    { to, asset: t.quote.symbol, amount: fromUnits(d.quote * 2n, t.quote.decimals) },
  ];
  await mintTokens(rpcUrl, tokens, grants);
  logger.info({ venue: venue.id, wallet: to, base: grants[0]!.amount, quote: grants[1]!.amount, tokens: Object.keys(chain.tokens) }, 'pool wallet funded (simulation)');
}
