// Uniswap V3 ticks and sqrt prices for a (base, quote) market, whichever token sorts first on chain.
// The contract prices token1 in token0, raw units: price(tick) = 1.0001^tick. A human price P
// (quote per base) is token1/token0 = P·10^(dq−db) when base is token0, and its inverse otherwise.
// Float model math: ticks are rounded outwards to the spacing, so a range never shrinks.

export const MIN_TICK = -887_272;
export const MAX_TICK = 887_272;
const Q96 = 2 ** 96;

export interface V3Market {
  baseDecimals: number;
  quoteDecimals: number;
  baseIsToken0: boolean;
  tickSpacing: number;
}

/** Human price (quote per base) → raw price of token1 in token0. */
export function rawPrice(price: number, m: V3Market): number {
  const p = price * 10 ** (m.quoteDecimals - m.baseDecimals);
  return m.baseIsToken0 ? p : 1 / p;
}

/** Raw price of token1 in token0 → human price (quote per base). */
export function humanPrice(raw: number, m: V3Market): number {
  const p = m.baseIsToken0 ? raw : 1 / raw;
  return p / 10 ** (m.quoteDecimals - m.baseDecimals);
}

export function tickToRawPrice(tick: number): number {
  return 1.0001 ** tick;
}

/** slot0.sqrtPriceX96 → human price. */
export function sqrtPriceX96ToPrice(sqrtPriceX96: bigint, m: V3Market): number {
  const s = Number(sqrtPriceX96) / Q96;
  return humanPrice(s * s, m);
}

/** The ticks of a human price range, widened to the tick spacing and kept inside MIN/MAX_TICK. */
export function rangeToTicks(lower: number, upper: number, m: V3Market): { tickLower: number; tickUpper: number } {
  if (!(lower > 0) || !(upper > lower)) throw new RangeError('rangeToTicks: need 0 < lower < upper');
  // Inverting the price (base is token1) swaps which human bound is the lower tick.
  const a = Math.log(rawPrice(lower, m)) / Math.log(1.0001);
  const b = Math.log(rawPrice(upper, m)) / Math.log(1.0001);
  const sp = m.tickSpacing;
  const lo = Math.max(Math.ceil(MIN_TICK / sp) * sp, Math.floor(Math.min(a, b) / sp) * sp);
  const hi = Math.min(Math.floor(MAX_TICK / sp) * sp, Math.ceil(Math.max(a, b) / sp) * sp);
  return { tickLower: lo, tickUpper: hi === lo ? lo + sp : hi };
}

/** The human price range of two ticks. */
export function ticksToRange(tickLower: number, tickUpper: number, m: V3Market): { lower: number; upper: number } {
  const a = humanPrice(tickToRawPrice(tickLower), m);
  const b = humanPrice(tickToRawPrice(tickUpper), m);
  return { lower: Math.min(a, b), upper: Math.max(a, b) };
}

/** Human liquidity √(base·quote) → the contract's raw liquidity √(token0_raw·token1_raw). */
export function liquidityToRaw(liquidity: number, m: V3Market): bigint {
  return BigInt(Math.floor(liquidity * Math.sqrt(10 ** m.baseDecimals * 10 ** m.quoteDecimals)));
}

export function liquidityFromRaw(raw: bigint, m: V3Market): number {
  return Number(raw) / Math.sqrt(10 ** m.baseDecimals * 10 ** m.quoteDecimals);
}

/** A float amount of a token as units, rounded up (desired amounts: the contract takes only what L needs). */
export function unitsUp(amount: number, decimals: number): bigint {
  if (!(amount > 0)) return 0n;
  // Through a 15-significant-digit decimal string: exact enough for model output, no float drift in BigInt().
  const [mant, exp] = amount.toExponential(14).split('e') as [string, string];
  const digits = mant.replace('.', '').replace('-', '');
  const shift = Number(exp) - 14 + decimals;
  const n = BigInt(digits);
  return shift >= 0 ? n * 10n ** BigInt(shift) : (n + 10n ** BigInt(-shift) - 1n) / 10n ** BigInt(-shift);
}
