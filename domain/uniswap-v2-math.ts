// Exact Uniswap V2 arithmetic on integer token units (bigint), identical to the contracts:
// UniswapV2Library (periphery) getAmountOut / getAmountIn / quote, UniswapV2Pair mint / burn / swap,
// and Math.sqrt (Babylonian). Pure and synchronous, so the simulator's arbitrageurs can run it in
// virtual time and the AMM venue can predict on-chain results to the last unit.
//
// The pool is kept in market terms (base, quote) rather than token0/token1: the chain orders tokens
// by address, and the venue maps that ordering once.
//
// Not modelled: the protocol fee (`feeTo`), which the factory leaves off (feeTo = 0) — with it on,
// mint/burn would first mint 1/6 of the growth in sqrt(k) to feeTo; and balances above reserves
// (donations not yet `sync`ed).
import { DomainError } from './errors';
import { fromUnits, toUnits, unitsPrice } from './token-units';

export const MINIMUM_LIQUIDITY = 1000n;
/** Reserves are uint112 in the pair. */
export const MAX_RESERVE = (1n << 112n) - 1n;
const FEE_NUM = 997n;
const FEE_DEN = 1000n;

export class UniswapV2MathError extends DomainError {
  /** `reason` is the contract's require string, e.g. "UniswapV2Library: INSUFFICIENT_LIQUIDITY". */
  constructor(readonly reason: string) {
    super(`AMM.${reason.replace(/^.*: /, '')}`, reason);
    this.name = 'UniswapV2MathError';
  }
}

function need(cond: boolean, reason: string): void {
  if (!cond) throw new UniswapV2MathError(reason);
}

/** UniswapV2Library.getAmountOut: the output for an exact input, after the 0.3 % fee. */
export function getAmountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
  need(amountIn > 0n, 'UniswapV2Library: INSUFFICIENT_INPUT_AMOUNT');
  need(reserveIn > 0n && reserveOut > 0n, 'UniswapV2Library: INSUFFICIENT_LIQUIDITY');
  const amountInWithFee = amountIn * FEE_NUM;
  return (amountInWithFee * reserveOut) / (reserveIn * FEE_DEN + amountInWithFee);
}

/** UniswapV2Library.getAmountIn: the input needed for an exact output (rounded up by one unit, as on chain). */
export function getAmountIn(amountOut: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
  need(amountOut > 0n, 'UniswapV2Library: INSUFFICIENT_OUTPUT_AMOUNT');
  need(reserveIn > 0n && reserveOut > 0n, 'UniswapV2Library: INSUFFICIENT_LIQUIDITY');
  // SafeMath.sub reverts on chain when the pool cannot pay amountOut.
  need(amountOut < reserveOut, 'ds-math-sub-underflow');
  return (reserveIn * amountOut * FEE_DEN) / ((reserveOut - amountOut) * FEE_NUM) + 1n;
}

/** UniswapV2Library.quote: the equivalent amount at the current ratio, no fee (used by addLiquidity). */
export function quote(amountA: bigint, reserveA: bigint, reserveB: bigint): bigint {
  need(amountA > 0n, 'UniswapV2Library: INSUFFICIENT_AMOUNT');
  need(reserveA > 0n && reserveB > 0n, 'UniswapV2Library: INSUFFICIENT_LIQUIDITY');
  return (amountA * reserveB) / reserveA;
}

/** Math.sqrt of v2-core (Babylonian method): floor(sqrt(y)). */
export function sqrt(y: bigint): bigint {
  if (y < 0n) throw new RangeError('sqrt of a negative number');
  if (y > 3n) {
    let z = y;
    let x = y / 2n + 1n;
    while (x < z) {
      z = x;
      x = (y / x + x) / 2n;
    }
    return z;
  }
  return y !== 0n ? 1n : 0n;
}

/** 'buy' = pay quote, receive base; 'sell' = pay base, receive quote. */
export type SwapSide = 'buy' | 'sell';

export interface PoolReserves {
  base: bigint;
  quote: bigint;
}

export interface PoolSnapshot extends PoolReserves {
  /** LP token supply, including the MINIMUM_LIQUIDITY locked at address 0. */
  totalSupply: bigint;
}

/** A pair's state, updated exactly as UniswapV2Pair updates it. Mutable; `clone()` to branch. */
export class UniswapV2Pool {
  private state: PoolSnapshot;

  constructor(initial: PoolSnapshot = { base: 0n, quote: 0n, totalSupply: 0n }) {
    need(initial.base >= 0n && initial.quote >= 0n && initial.totalSupply >= 0n, 'UniswapV2: NEGATIVE_STATE');
    need(initial.base <= MAX_RESERVE && initial.quote <= MAX_RESERVE, 'UniswapV2: OVERFLOW');
    // Only the three fields: callers pass richer objects (e.g. with a block number).
    this.state = { base: initial.base, quote: initial.quote, totalSupply: initial.totalSupply };
  }

  get reserves(): PoolReserves {
    return { base: this.state.base, quote: this.state.quote };
  }

  snapshot(): PoolSnapshot {
    return { ...this.state };
  }

  clone(): UniswapV2Pool {
    return new UniswapV2Pool(this.state);
  }

  /** The output of an exact-input swap at the current reserves (no state change). */
  quoteExactIn(side: SwapSide, amountIn: bigint): bigint {
    const [rin, rout] = this.inOut(side);
    return getAmountOut(amountIn, rin, rout);
  }

  /** The input an exact-output swap needs at the current reserves (no state change). */
  quoteExactOut(side: SwapSide, amountOut: bigint): bigint {
    const [rin, rout] = this.inOut(side);
    return getAmountIn(amountOut, rin, rout);
  }

  /** swapExactTokensForTokens through one pair: returns the amount out and updates the reserves. */
  swapExactIn(side: SwapSide, amountIn: bigint): bigint {
    const out = this.quoteExactIn(side, amountIn);
    need(out > 0n, 'UniswapV2: INSUFFICIENT_OUTPUT_AMOUNT');
    this.applySwap(side, amountIn, out);
    return out;
  }

  /** swapTokensForExactTokens through one pair: returns the amount in and updates the reserves. */
  swapExactOut(side: SwapSide, amountOut: bigint): bigint {
    const amountIn = this.quoteExactOut(side, amountOut);
    this.applySwap(side, amountIn, amountOut);
    return amountIn;
  }

  /**
   * UniswapV2Pair.mint after the router transferred `amounts` in: returns the LP tokens minted.
   * First mint: sqrt(base·quote) − MINIMUM_LIQUIDITY (the minimum is locked forever); later mints
   * are proportional to the smaller of the two contributions.
   */
  mint(amounts: PoolReserves): bigint {
    need(amounts.base >= 0n && amounts.quote >= 0n, 'UniswapV2: NEGATIVE_AMOUNT');
    const s = this.state;
    let liquidity: bigint;
    let supply = s.totalSupply;
    if (supply === 0n) {
      const root = sqrt(amounts.base * amounts.quote);
      need(root > MINIMUM_LIQUIDITY, 'UniswapV2: INSUFFICIENT_LIQUIDITY_MINTED');
      liquidity = root - MINIMUM_LIQUIDITY;
      supply = MINIMUM_LIQUIDITY;
    } else {
      const byBase = (amounts.base * supply) / s.base;
      const byQuote = (amounts.quote * supply) / s.quote;
      liquidity = byBase < byQuote ? byBase : byQuote;
    }
    need(liquidity > 0n, 'UniswapV2: INSUFFICIENT_LIQUIDITY_MINTED');
    this.setState({ base: s.base + amounts.base, quote: s.quote + amounts.quote, totalSupply: supply + liquidity });
    return liquidity;
  }

  /** UniswapV2Pair.burn of `liquidity` LP tokens: returns the amounts paid out, pro rata (rounded down). */
  burn(liquidity: bigint): PoolReserves {
    const s = this.state;
    need(liquidity > 0n && liquidity <= s.totalSupply - MINIMUM_LIQUIDITY, 'ds-math-sub-underflow');
    const base = (liquidity * s.base) / s.totalSupply;
    const quoteOut = (liquidity * s.quote) / s.totalSupply;
    need(base > 0n && quoteOut > 0n, 'UniswapV2: INSUFFICIENT_LIQUIDITY_BURNED');
    this.setState({ base: s.base - base, quote: s.quote - quoteOut, totalSupply: s.totalSupply - liquidity });
    return { base, quote: quoteOut };
  }

  private inOut(side: SwapSide): [bigint, bigint] {
    return side === 'buy' ? [this.state.quote, this.state.base] : [this.state.base, this.state.quote];
  }

  private applySwap(side: SwapSide, amountIn: bigint, amountOut: bigint): void {
    const s = this.state;
    const [rin, rout] = this.inOut(side);
    need(amountOut < rout, 'UniswapV2: INSUFFICIENT_LIQUIDITY');
    // The pair's invariant check; always true for getAmountOut/getAmountIn results, kept as a guard.
    need(amountIn > 0n, 'UniswapV2: INSUFFICIENT_INPUT_AMOUNT');
    const balIn = rin + amountIn;
    const balOut = rout - amountOut;
    need((balIn * 1000n - amountIn * 3n) * (balOut * 1000n) >= rin * rout * 1000000n, 'UniswapV2: K');
    this.setState(side === 'buy' ? { ...s, quote: balIn, base: balOut } : { ...s, base: balIn, quote: balOut });
  }

  private setState(next: PoolSnapshot): void {
    need(next.base <= MAX_RESERVE && next.quote <= MAX_RESERVE, 'UniswapV2: OVERFLOW');
    this.state = next;
  }
}

/**
 * Router02._addLiquidity: the amounts actually deposited for the desired amounts — the desired
 * base and the quote at the pool ratio, or the desired quote and the base at the pool ratio.
 */
export function optimalLiquidityAmounts(reserves: PoolReserves, desired: PoolReserves, min: PoolReserves = { base: 0n, quote: 0n }): PoolReserves {
  if (reserves.base === 0n && reserves.quote === 0n) return { ...desired };
  const quoteOptimal = quote(desired.base, reserves.base, reserves.quote);
  if (quoteOptimal <= desired.quote) {
    need(quoteOptimal >= min.quote, 'UniswapV2Router: INSUFFICIENT_B_AMOUNT');
    return { base: desired.base, quote: quoteOptimal };
  }
  const baseOptimal = quote(desired.quote, reserves.quote, reserves.base);
  need(baseOptimal <= desired.base, 'UniswapV2Router: ASSERT');
  need(baseOptimal >= min.base, 'UniswapV2Router: INSUFFICIENT_A_AMOUNT');
  return { base: baseOptimal, quote: desired.quote };
}

export interface TokenDecimals {
  base: number;
  quote: number;
}

/** Marginal (mid) price, quote per base in human units, rounded half-down to `dp` places. */
export function marginalPrice(r: PoolReserves, decimals: TokenDecimals, dp = 18): string {
  need(r.base > 0n && r.quote > 0n, 'UniswapV2Library: INSUFFICIENT_LIQUIDITY');
  return unitsPrice(r.quote, r.base, decimals, dp, 'down');
}

/** One level of the implied book. `baseRaw`/`quoteRaw` are exact; `price` = quoteRaw/baseRaw rounded. */
export interface ImpliedLevel {
  price: string;
  amount: string;
  baseRaw: bigint;
  quoteRaw: bigint;
}

export interface ImpliedBook {
  bids: ImpliedLevel[];
  asks: ImpliedLevel[];
  mid: string;
}

export interface ImpliedBookParams {
  decimals: TokenDecimals;
  /** Distance between consecutive price points, percent of the mid ("0.1"). */
  stepPct: string;
  levels: number;
  /** Decimal places of level prices; asks round up, bids round down (never better than the pool). */
  priceDp?: number;
}

// Price points are p0·(1 ± i·step) with step = stepUnits / STEP_SCALE, kept as exact rationals.
const STEP_DECIMALS = 18;
const STEP_SCALE = 100n * 10n ** BigInt(STEP_DECIMALS);

/** Largest d in [0, hi] with ok(d) (ok is monotone: true up to some point, false after). */
function maxWhere(hi: bigint, ok: (d: bigint) => boolean): bigint {
  let lo = 0n;
  while (lo < hi) {
    const midPoint = (lo + hi + 1n) / 2n;
    if (ok(midPoint)) lo = midPoint;
    else hi = midPoint - 1n;
  }
  return lo;
}

/**
 * Cumulative exact-input sizes that move the marginal price to each price point.
 * Ask i: the largest quote input after which reserveQuote/reserveBase ≤ p0·(1 + i·step).
 * Bid i: the largest base input after which reserveQuote/reserveBase ≥ p0·(1 − i·step).
 * Found by bisection on the integer getAmountOut, so a taker who swaps the cumulative input of
 * levels 1..i gets exactly the cumulative output of those levels.
 */
function cumulativeInputs(r: PoolReserves, side: SwapSide, stepUnits: bigint, levels: number): bigint[] {
  const x = r.base;
  const y = r.quote;
  const out: bigint[] = [];
  for (let i = 1; i <= levels; i++) {
    const move = stepUnits * BigInt(i);
    if (side === 'buy') {
      // price' = (y + d) / (x − out(d)) ≤ (y/x)(S + move)/S  ⇔  (y + d)·x·S ≤ (x − out)·y·(S + move)
      const hi = (y * move) / STEP_SCALE + 1n;
      out.push(maxWhere(hi, (d) => d === 0n || (y + d) * x * STEP_SCALE <= (x - getAmountOut(d, y, x)) * y * (STEP_SCALE + move)));
    } else {
      if (move >= STEP_SCALE) break; // the price cannot fall by 100 % or more
      // price' = (y − out(d)) / (x + d) ≥ (y/x)(S − move)/S  ⇔  (y − out)·x·S ≥ (x + d)·y·(S − move)
      const hi = (x * move) / (STEP_SCALE - move) + 1n;
      out.push(maxWhere(hi, (d) => d === 0n || (y - getAmountOut(d, x, y)) * x * STEP_SCALE >= (x + d) * y * (STEP_SCALE - move)));
    }
  }
  return out;
}

/**
 * The order book a V2 pool implies: each level is the slice of one exact-input swap between two
 * consecutive price points, priced at its average execution price including the 0.3 % fee.
 * Amounts are exact (integer units); prices are rounded to `priceDp` against the taker.
 * Levels whose slice is empty (a pool too small for the step) are left out.
 */
export function impliedOrderBook(r: PoolReserves, p: ImpliedBookParams): ImpliedBook {
  const dp = p.priceDp ?? 12;
  if (!Number.isInteger(p.levels) || p.levels < 0) throw new UniswapV2MathError('UniswapV2Math: INVALID_LEVELS');
  const stepUnits = toUnits(p.stepPct, STEP_DECIMALS, 'stepPct');
  need(stepUnits > 0n, 'UniswapV2Math: INVALID_STEP');
  const mid = marginalPrice(r, p.decimals);
  const level = (baseRaw: bigint, quoteRaw: bigint, rounding: 'up' | 'down'): ImpliedLevel => ({
    price: unitsPrice(quoteRaw, baseRaw, p.decimals, dp, rounding),
    amount: fromUnits(baseRaw, p.decimals.base),
    baseRaw,
    quoteRaw,
  });
  const asks: ImpliedLevel[] = [];
  let prevIn = 0n;
  let prevOut = 0n;
  for (const d of cumulativeInputs(r, 'buy', stepUnits, p.levels)) {
    const got = d > 0n ? getAmountOut(d, r.quote, r.base) : 0n;
    if (got <= prevOut) continue;
    asks.push(level(got - prevOut, d - prevIn, 'up'));
    [prevIn, prevOut] = [d, got];
  }
  const bids: ImpliedLevel[] = [];
  prevIn = 0n;
  prevOut = 0n;
  for (const d of cumulativeInputs(r, 'sell', stepUnits, p.levels)) {
    const got = d > 0n ? getAmountOut(d, r.base, r.quote) : 0n;
    if (d <= prevIn || got <= prevOut) continue;
    bids.push(level(d - prevIn, got - prevOut, 'down'));
    [prevIn, prevOut] = [d, got];
  }
  return { bids, asks, mid };
}

/** Quote notional a taker can trade within ±pct % of the mid: quote paid to lift asks, received for hitting bids. */
export interface ImpliedDepthRaw {
  /** Quote paid (with fee) to push the marginal price up to p0·(1 + pct). */
  askQuote: bigint;
  /** Base received for that. */
  askBase: bigint;
  /** Quote received for selling base down to p0·(1 − pct). */
  bidQuote: bigint;
  /** Base sold for that. */
  bidBase: bigint;
}

export function impliedDepth(r: PoolReserves, pct: string): ImpliedDepthRaw {
  const stepUnits = toUnits(pct, STEP_DECIMALS, 'pct');
  need(stepUnits > 0n, 'UniswapV2Math: INVALID_STEP');
  need(r.base > 0n && r.quote > 0n, 'UniswapV2Library: INSUFFICIENT_LIQUIDITY');
  const askIn = cumulativeInputs(r, 'buy', stepUnits, 1)[0] ?? 0n;
  const bidIn = cumulativeInputs(r, 'sell', stepUnits, 1)[0] ?? 0n;
  return {
    askQuote: askIn,
    askBase: askIn > 0n ? getAmountOut(askIn, r.quote, r.base) : 0n,
    bidBase: bidIn,
    bidQuote: bidIn > 0n ? getAmountOut(bidIn, r.base, r.quote) : 0n,
  };
}
