// The demo runs the scenario's pool twice: in process (where the agents and arbitrageurs swap) and on
// the local chain (a replica: every swap is mirrored, and Ballast's pool-liquidity provider adds and
// removes liquidity there through AmmVenue). Liquidity that appears on chain must appear in process
// too, or the two pools drift apart: the agents would trade against a shallower pool than the one
// the dashboard measures, and mirrored swaps would stop matching. This follows the pair's Mint and
// Burn events and applies them to the in-process pool for one account (CHAIN_LP).
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock';
import type { AmmVenue as MarketPool } from '../sim/market/amm-venue';
import type { AmmVenue } from '../venues/amm/amm-venue';

export const CHAIN_LP = 'chain-lp';

export interface LpFollowStats {
  mints: number;
  burns: number;
  refused: number;
}

/** Polls every `everyMs`; returns a stop function. Liquidity before `fromBlock` (the deployment's) is not followed. */
export function followChainLiquidity(chain: AmmVenue, pool: MarketPool, clock: Clock, log: Logger, fromBlock: number, everyMs = 2_000): { stop(): void; stats: LpFollowStats } {
  const stats: LpFollowStats = { mints: 0, burns: 0, refused: 0 };
  let next = fromBlock;
  let cancel: (() => void) | undefined;
  let stopped = false;
  const poll = async (): Promise<void> => {
    const { events, toBlock } = await chain.liquidityEvents(next);
    next = toBlock + 1;
    for (const e of events) {
      if (e.kind === 'mint') {
        pool.credit(CHAIN_LP, 'base', e.base);
        pool.credit(CHAIN_LP, 'quote', e.quote);
        // At the in-process ratio the router takes one side whole and the other pro rata; a rest stays in the wallet.
        const r = pool.addLiquidity(CHAIN_LP, { base: e.base, quote: e.quote });
        if (r.ok) stats.mints++;
        else stats.refused++;
      } else {
        // The same share of the reserves as the chain's burn, from what the chain's LPs hold here.
        const st = pool.poolState();
        let lp = (e.base * st.totalSupply) / st.base;
        const have = pool.lpBalance(CHAIN_LP);
        if (lp > have) lp = have;
        const r = lp > 0n ? pool.removeLiquidity(CHAIN_LP, lp) : { ok: false as const };
        if (r.ok) stats.burns++;
        else stats.refused++;
      }
      log.info({ venue: pool.id, kind: e.kind, base: e.base.toString(), quote: e.quote.toString(), block: e.blockNumber }, 'on-chain liquidity applied to the in-process pool');
    }
  };
  const tick = (): void => {
    void poll()
      .catch((err: unknown) => log.warn({ venue: pool.id, err }, 'following on-chain liquidity failed'))
      .finally(() => {
        if (!stopped) cancel = clock.schedule(everyMs, tick);
      });
  };
  cancel = clock.schedule(everyMs, tick);
  return {
    stats,
    stop: () => {
      stopped = true;
      cancel?.();
    },
  };
}
