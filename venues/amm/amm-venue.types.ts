// Result types of the AMM venue's own methods (beyond the Venue port). Raw fields are exact
// integer token units; the decimal strings are the same amounts scaled by the token's decimals.
import type { SwapSide } from '../../domain/uniswap-v2-math';

export interface AmmToken {
  address: string;
  symbol: string;
  decimals: number;
}

export interface AmmPoolInfo {
  base: AmmToken;
  quote: AmmToken;
  baseIsToken0: boolean;
  lpDecimals: number;
}

export interface AmmReserves {
  base: string;
  quote: string;
  baseRaw: bigint;
  quoteRaw: bigint;
  blockNumber: number;
}

export interface AmmQuote {
  side: SwapSide;
  amountIn: string;
  amountOut: string;
  amountInRaw: bigint;
  amountOutRaw: bigint;
  /** Quote per base of this trade, fee included. */
  averagePrice: string;
  midBefore: string;
  blockNumber: number;
}

export interface AmmSwapResult {
  txHash: string;
  side: SwapSide;
  amountIn: string;
  amountOut: string;
  amountInRaw: bigint;
  amountOutRaw: bigint;
  minAmountOutRaw: bigint;
  /** What the pool's reserves promised just before sending. */
  quotedOutRaw: bigint;
  blockNumber: number;
}

export interface AmmLiquidityResult {
  txHash: string;
  base: string;
  quote: string;
  liquidity: string;
  baseRaw: bigint;
  quoteRaw: bigint;
  liquidityRaw: bigint;
  blockNumber: number;
}

export interface AmmDepth {
  pct: string;
  mid: string;
  /** Quote paid (fee included) to lift the price to mid·(1 + pct %). */
  askQuote: string;
  askBase: string;
  /** Quote received for selling the price down to mid·(1 − pct %). */
  bidQuote: string;
  bidBase: string;
  blockNumber: number;
}
