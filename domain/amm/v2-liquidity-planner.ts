// How much liquidity Ballast adds to (or takes out of) a Uniswap V2 pool so that the pool's own depth
// within ±band % meets the venue's requirement with the least capital: only the shortfall is added,
// and only the excess above a hysteresis band is removed. Exact V2 integer math throughout
// (impliedDepth, mint, burn), so the decision is what the chain would do to the last unit.
//
// Why a top-up is proportional: at a fixed price, a constant-product pool's depth within ±b % is
// linear in its reserves (bid depth = y·(1 − √(1−b)), fee aside), so reaching depth T from depth D
// takes reserves × (T/D − 1) more at the pool's ratio. Integer rounding is then checked by simulation.
import { D, fmt } from '../money';
import { ceilDiv } from '../token-units';
import { UniswapV2Pool, impliedDepth, type PoolReserves, type PoolSnapshot } from '../uniswap-v2-math';
import type { PoolLiquidityParams } from './pool-liquidity.params';

/** Uniswap V2's swap fee (997/1000 in the pair's math). */
const V2_FEE = '0.003';

export interface V2PoolDepth {
  /** Quote received for selling the price down by band %. */
  bidQuote: bigint;
  /** Quote paid (fee included) to lift the price up by band %. */
  askQuote: bigint;
  /** The binding side: min(bid, ask). */
  minQuote: bigint;
}

/**
 * The band of marginal-price movement that the compliance measure counts as "within ±b %": the
 * venue's depth is measured on the pool's implied book (domain/amm-depth.ts, the live compliance
 * check and the backtest recorder alike), whose levels are priced with the fee — a bid at marginal
 * price m sells at m·(1−f), an ask costs m/(1−f) — and counted while that price stays within ±b % of
 * the mid. So the price may move only (1+b)(1−f) − 1 up and 1 − (1−b)/(1−f) down; the smaller (up)
 * side binds: b − f − b·f (1.694 % for b = 2 %, f = 0.3 %). Sizing on the raw band would leave the
 * pool ≈ 15 % short of the requirement as the venue measures it.
 */
export function complianceBandPct(bandPct: string): string {
  const b = new D(bandPct).div(100);
  const f = new D(V2_FEE);
  return fmt(b.minus(f).minus(b.times(f)).times(100));
}

/** The pool's depth within ±bandPct % (decimal string, "2") as the venue's compliance measure counts it, quote units. */
export function v2Depth(reserves: PoolReserves, bandPct: string): V2PoolDepth {
  const d = impliedDepth(reserves, complianceBandPct(bandPct));
  return { bidQuote: d.bidQuote, askQuote: d.askQuote, minQuote: d.bidQuote < d.askQuote ? d.bidQuote : d.askQuote };
}

export interface V2PlanInput {
  pool: PoolSnapshot;
  /** Ballast's LP tokens in this pool. */
  ownLp: bigint;
  /** What Ballast's wallet can deposit, token units. */
  wallet: PoolReserves;
  /** The venue's minDepthQuote, quote units. */
  requirementQuote: bigint;
  /** The venue's depthBandPct, decimal string ("2"). */
  bandPct: string;
  params: PoolLiquidityParams;
  now: number;
  /** When Ballast last added or removed (for the cooldown). */
  lastActionAt?: number;
}

export type V2Decision =
  | { kind: 'add'; base: bigint; quote: bigint; depthBefore: bigint; depthAfter: bigint; urgent: boolean; limitedByWallet: boolean }
  | { kind: 'remove'; liquidity: bigint; depthBefore: bigint; depthAfter: bigint }
  | { kind: 'hold'; reason: 'within-band' | 'cooldown' | 'no-funds' | 'nothing-to-remove' | 'empty-pool'; depth: bigint };

/** requirement × (1 + margin), quote units (rounded up: a target is never below its margin). */
export function withMargin(requirement: bigint, margin: number): bigint {
  const ppm = BigInt(Math.round(margin * 1_000_000));
  return ceilDiv(requirement * (1_000_000n + ppm), 1_000_000n);
}

/** The pool after Router02 deposits `amounts` (the same mint the pair does). */
function afterAdd(pool: PoolSnapshot, amounts: PoolReserves): PoolSnapshot {
  const p = new UniswapV2Pool(pool);
  p.mint(amounts);
  return p.snapshot();
}

/**
 * Base and quote to deposit at the pool's ratio so the depth reaches `target`. Starts from the
 * proportional estimate and grows it by 0.1 % steps while integer rounding leaves it short.
 */
export function v2AmountsForDepth(pool: PoolSnapshot, bandPct: string, target: bigint): PoolReserves {
  const depth = v2Depth(pool, bandPct).minQuote;
  if (depth >= target) return { base: 0n, quote: 0n };
  let quote = ceilDiv(pool.quote * (target - depth), depth > 0n ? depth : 1n);
  for (let i = 0; i < 50; i++) {
    // Base at the pool ratio, rounded up so the router takes all of the quote (Router02 takes the smaller side).
    const amounts = { base: ceilDiv(quote * pool.base, pool.quote), quote };
    if (v2Depth(afterAdd(pool, amounts), bandPct).minQuote >= target) return amounts;
    quote += quote / 1000n + 1n;
  }
  throw new RangeError('v2AmountsForDepth: did not converge');
}

/** LP tokens to burn so the depth falls to `target` (never below it), capped at `ownLp`. */
export function v2LiquidityToRemove(pool: PoolSnapshot, bandPct: string, target: bigint, ownLp: bigint): bigint {
  const depth = v2Depth(pool, bandPct).minQuote;
  if (depth <= target || ownLp <= 0n) return 0n;
  // Fraction of the reserves that can go: 1 − target/depth, as LP tokens (rounded down).
  let burn = (pool.totalSupply * (depth - target)) / depth;
  if (burn > ownLp) burn = ownLp;
  // Rounding may leave the pool a unit short of the target: step back until it is not.
  for (let i = 0; i < 50 && burn > 0n; i++) {
    const p = new UniswapV2Pool(pool);
    p.burn(burn);
    if (v2Depth(p.reserves, bandPct).minQuote >= target) return burn;
    burn -= burn / 1000n + 1n;
  }
  return burn > 0n ? burn : 0n;
}

export function planV2Liquidity(i: V2PlanInput): V2Decision {
  const { pool, params } = i;
  if (pool.base <= 0n || pool.quote <= 0n) return { kind: 'hold', reason: 'empty-pool', depth: 0n };
  const depth = v2Depth(pool, i.bandPct).minQuote;
  const target = withMargin(i.requirementQuote, params.targetMargin);
  const coolingDown = i.lastActionAt !== undefined && i.now - i.lastActionAt < params.cooldownMs;

  if (depth < withMargin(i.requirementQuote, params.addBelowMargin)) {
    // Below the requirement itself the venue is out of compliance: act now, cooldown or not.
    const urgent = depth < i.requirementQuote;
    if (coolingDown && !urgent) return { kind: 'hold', reason: 'cooldown', depth };
    let amounts = v2AmountsForDepth(pool, i.bandPct, target);
    let limitedByWallet = false;
    if (amounts.base > i.wallet.base || amounts.quote > i.wallet.quote) {
      // Deposit what the wallet allows, at the pool ratio: part of the shortfall beats none of it.
      limitedByWallet = true;
      const byQuote = i.wallet.quote;
      const byBase = (i.wallet.base * pool.quote) / pool.base;
      const quote = byQuote < byBase ? byQuote : byBase;
      amounts = { base: ceilDiv(quote * pool.base, pool.quote), quote };
      if (amounts.base > i.wallet.base) amounts = { base: i.wallet.base, quote: (i.wallet.base * pool.quote) / pool.base };
      if (amounts.base <= 0n || amounts.quote <= 0n) return { kind: 'hold', reason: 'no-funds', depth };
    }
    const depthAfter = v2Depth(afterAdd(pool, amounts), i.bandPct).minQuote;
    return { kind: 'add', ...amounts, depthBefore: depth, depthAfter, urgent, limitedByWallet };
  }

  if (depth > withMargin(i.requirementQuote, params.removeAboveMargin)) {
    if (i.ownLp <= 0n) return { kind: 'hold', reason: 'nothing-to-remove', depth };
    if (coolingDown) return { kind: 'hold', reason: 'cooldown', depth };
    const liquidity = v2LiquidityToRemove(pool, i.bandPct, target, i.ownLp);
    if (liquidity <= 0n) return { kind: 'hold', reason: 'nothing-to-remove', depth };
    const p = new UniswapV2Pool(pool);
    p.burn(liquidity);
    return { kind: 'remove', liquidity, depthBefore: depth, depthAfter: v2Depth(p.reserves, i.bandPct).minQuote };
  }
  return { kind: 'hold', reason: 'within-band', depth };
}
