// An in-process Uniswap V2 pool for the market simulation: the exact V2 math (sim/amm) plus wallet
// balances per account in token units, so agents swap with real budgets. (The on-chain pool on the
// local EVM is a separate component; this one keeps virtual-time runs fast and exact.)
// Liquidity providers mint and burn LP tokens as Router02 + UniswapV2Pair would: deposits at the
// pool ratio, fees accruing in the reserves, burns pro rata. The scenario's starting reserves belong
// to GENESIS_LP. Swaps are untouched by this.
import type { Clock } from '../../domain/clock';
import { UniswapV2Pool, optimalLiquidityAmounts, type PoolReserves, type PoolSnapshot, type SwapSide } from '../../domain/uniswap-v2-math';

export interface AmmVenueConfig {
  id: string;
  market: string;
  /** Initial reserves, token units. */
  reserveBase: bigint;
  reserveQuote: bigint;
  baseDecimals: number;
  quoteDecimals: number;
}

export interface AmmSwap {
  swapId: string;
  account: string;
  side: SwapSide;
  amountIn: bigint;
  amountOut: bigint;
  timestamp: number;
}

export type LiquidityResult =
  | { ok: true; base: bigint; quote: bigint; liquidity: bigint; timestamp: number }
  | { ok: false; reason: 'INSUFFICIENT_FUNDS' | 'INSUFFICIENT_LIQUIDITY' | 'INVALID_AMOUNT' | 'SLIPPAGE' };

/** The account holding the LP tokens of the scenario's starting reserves (the pool's other LPs). */
export const GENESIS_LP = 'pool-genesis-lp';

export type SwapResult = { ok: true; swap: AmmSwap } | { ok: false; reason: 'INSUFFICIENT_FUNDS' | 'SLIPPAGE' | 'INVALID_AMOUNT' | 'NO_LIQUIDITY' };

interface Wallet {
  base: bigint;
  quote: bigint;
}

/** The pool fee of Uniswap V2 (fixed 0.3 %), as a float for model math. */
export const V2_FEE_RATE = 0.003;

export class AmmVenue {
  readonly kind = 'amm' as const;
  readonly pool = new UniswapV2Pool();
  readonly base: string;
  readonly quote: string;
  private readonly wallets = new Map<string, Wallet>();
  private readonly lp = new Map<string, bigint>();
  private readonly listeners = new Set<(s: AmmSwap) => void>();
  private seq = 0;
  private readonly baseScale: number;
  private readonly quoteScale: number;
  lastPrice: number | undefined;
  lastSwapAt: number | undefined;

  constructor(
    readonly config: AmmVenueConfig,
    private readonly clock: Clock,
  ) {
    [this.base, this.quote] = config.market.split('/') as [string, string];
    this.lp.set(GENESIS_LP, this.pool.mint({ base: config.reserveBase, quote: config.reserveQuote }));
    this.baseScale = 10 ** config.baseDecimals;
    this.quoteScale = 10 ** config.quoteDecimals;
  }

  get id(): string {
    return this.config.id;
  }

  credit(account: string, asset: 'base' | 'quote', units: bigint): void {
    if (units < 0n) throw new RangeError('credit must be >= 0');
    const w = this.wallet(account);
    w[asset] += units;
  }

  /** The account's wallet (a copy), token units. */
  balances(account: string): Wallet {
    const w = this.wallets.get(account);
    return { base: w?.base ?? 0n, quote: w?.quote ?? 0n };
  }

  /** Marginal price quote/base (float, model math). */
  spot(): number {
    const r = this.pool.reserves;
    return Number(r.quote) / this.quoteScale / (Number(r.base) / this.baseScale);
  }

  /** Reserves in human units (floats, model math). */
  reservesFloat(): { base: number; quote: number } {
    const r = this.pool.reserves;
    return { base: Number(r.base) / this.baseScale, quote: Number(r.quote) / this.quoteScale };
  }

  /** swapExactTokensForTokens from the account's wallet, reverting (no change) below `minAmountOut`. */
  swapExactIn(account: string, side: SwapSide, amountIn: bigint, minAmountOut = 1n): SwapResult {
    if (amountIn <= 0n) return { ok: false, reason: 'INVALID_AMOUNT' };
    const w = this.wallet(account);
    const payAsset = side === 'buy' ? 'quote' : 'base';
    if (w[payAsset] < amountIn) return { ok: false, reason: 'INSUFFICIENT_FUNDS' };
    let out: bigint;
    try {
      out = this.pool.quoteExactIn(side, amountIn);
    } catch {
      return { ok: false, reason: 'NO_LIQUIDITY' };
    }
    if (out < minAmountOut || out <= 0n) return { ok: false, reason: 'SLIPPAGE' };
    this.pool.swapExactIn(side, amountIn);
    w[payAsset] -= amountIn;
    w[side === 'buy' ? 'base' : 'quote'] += out;
    return { ok: true, swap: this.record(account, side, amountIn, out) };
  }

  /** swapTokensForExactTokens: pays at most `maxAmountIn`. */
  swapExactOut(account: string, side: SwapSide, amountOut: bigint, maxAmountIn?: bigint): SwapResult {
    if (amountOut <= 0n) return { ok: false, reason: 'INVALID_AMOUNT' };
    const w = this.wallet(account);
    const payAsset = side === 'buy' ? 'quote' : 'base';
    let amountIn: bigint;
    try {
      amountIn = this.pool.quoteExactOut(side, amountOut);
    } catch {
      return { ok: false, reason: 'NO_LIQUIDITY' };
    }
    if (maxAmountIn !== undefined && amountIn > maxAmountIn) return { ok: false, reason: 'SLIPPAGE' };
    if (w[payAsset] < amountIn) return { ok: false, reason: 'INSUFFICIENT_FUNDS' };
    this.pool.swapExactOut(side, amountOut);
    w[payAsset] -= amountIn;
    w[side === 'buy' ? 'base' : 'quote'] += amountOut;
    return { ok: true, swap: this.record(account, side, amountIn, amountOut) };
  }

  /** Reserves and LP supply (what the pair holds). */
  poolState(): PoolSnapshot {
    return this.pool.snapshot();
  }

  /** LP tokens held by `account`. */
  lpBalance(account: string): bigint {
    return this.lp.get(account) ?? 0n;
  }

  /**
   * Router02.addLiquidity from the account's wallet: deposits `desired` at the pool ratio (the
   * smaller side binds), refusing below `min`; mints LP tokens to the account.
   */
  addLiquidity(account: string, desired: PoolReserves, min: PoolReserves = { base: 0n, quote: 0n }): LiquidityResult {
    if (desired.base <= 0n || desired.quote <= 0n) return { ok: false, reason: 'INVALID_AMOUNT' };
    const w = this.wallet(account);
    if (w.base < desired.base || w.quote < desired.quote) return { ok: false, reason: 'INSUFFICIENT_FUNDS' };
    let amounts: PoolReserves;
    let liquidity: bigint;
    try {
      amounts = optimalLiquidityAmounts(this.pool.reserves, desired, min);
      liquidity = this.pool.mint(amounts);
    } catch {
      return { ok: false, reason: 'SLIPPAGE' };
    }
    w.base -= amounts.base;
    w.quote -= amounts.quote;
    this.lp.set(account, this.lpBalance(account) + liquidity);
    return { ok: true, ...amounts, liquidity, timestamp: this.clock.now() };
  }

  /** Router02.removeLiquidity: burns the account's LP tokens for its pro-rata reserves, fees included. */
  removeLiquidity(account: string, liquidity: bigint): LiquidityResult {
    if (liquidity <= 0n) return { ok: false, reason: 'INVALID_AMOUNT' };
    const have = this.lpBalance(account);
    if (have < liquidity) return { ok: false, reason: 'INSUFFICIENT_FUNDS' };
    let out: PoolReserves;
    try {
      out = this.pool.burn(liquidity);
    } catch {
      return { ok: false, reason: 'INSUFFICIENT_LIQUIDITY' };
    }
    this.lp.set(account, have - liquidity);
    const w = this.wallet(account);
    w.base += out.base;
    w.quote += out.quote;
    return { ok: true, ...out, liquidity, timestamp: this.clock.now() };
  }

  subscribe(fn: (s: AmmSwap) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  toBaseFloat(units: bigint): number {
    return Number(units) / this.baseScale;
  }

  toQuoteFloat(units: bigint): number {
    return Number(units) / this.quoteScale;
  }

  /** A float amount as token units, rounded down (to 1e-6 of a token, plenty for model output). */
  baseUnits(x: number): bigint {
    return floatToUnits(x, this.config.baseDecimals);
  }

  quoteUnits(x: number): bigint {
    return floatToUnits(x, this.config.quoteDecimals);
  }

  private wallet(account: string): Wallet {
    let w = this.wallets.get(account);
    if (!w) {
      w = { base: 0n, quote: 0n };
      this.wallets.set(account, w);
    }
    return w;
  }

  private record(account: string, side: SwapSide, amountIn: bigint, amountOut: bigint): AmmSwap {
    const swap: AmmSwap = { swapId: `${this.id}-${++this.seq}`, account, side, amountIn, amountOut, timestamp: this.clock.now() };
    const [b, q] = side === 'buy' ? [amountOut, amountIn] : [amountIn, amountOut];
    this.lastPrice = this.toQuoteFloat(q) / this.toBaseFloat(b);
    this.lastSwapAt = swap.timestamp;
    for (const fn of this.listeners) fn(swap);
    return swap;
  }
}

function floatToUnits(x: number, decimals: number): bigint {
  if (!(x > 0)) return 0n;
  const d = Math.min(6, decimals);
  const micro = Math.floor(x * 10 ** d);
  return BigInt(micro) * 10n ** BigInt(decimals - d);
}
