import Decimal from 'decimal.js';
import { fromUnits, toUnits, unitsPrice } from '../../domain/token-units';
import {
  MINIMUM_LIQUIDITY,
  UniswapV2MathError,
  UniswapV2Pool,
  getAmountIn,
  getAmountOut,
  impliedDepth,
  impliedOrderBook,
  marginalPrice,
  optimalLiquidityAmounts,
  quote,
  sqrt,
} from '../../domain/uniswap-v2-math';

const E18 = 10n ** 18n;
const E6 = 10n ** 6n;
/** The demo pool: 4,000,000 BLST (18 decimals) / 2,000,000 USDC (6 decimals), mid 0.5. */
const DEMO = { base: 4_000_000n * E18, quote: 2_000_000n * E6 };
const DEC = { base: 18, quote: 6 };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof UniswapV2MathError ? e.code : `not a UniswapV2MathError: ${String(e)}`;
  }
  return undefined;
}

describe('UniswapV2Library arithmetic', () => {
  it('getAmountOut: 1000 in against 10000/10000 → 906', () => {
    // 1000·997 = 997000; 997000·10000 / (10000·1000 + 997000) = 9 970 000 000 / 10 997 000 = 906.6… → 906
    expect(getAmountOut(1000n, 10_000n, 10_000n)).toBe(906n);
  });

  it('getAmountIn: 906 out of 10000/10000 → 1000 (floor + 1, as on chain)', () => {
    // 10000·906·1000 / ((10000 − 906)·997) = 9 060 000 000 / 9 066 718 = 999.26… → 999, + 1
    expect(getAmountIn(906n, 10_000n, 10_000n)).toBe(1000n);
  });

  it('quote is the pool ratio rounded down, without fee', () => {
    expect(quote(100n, 300n, 600n)).toBe(200n);
    expect(quote(7n, 3n, 5n)).toBe(11n); // 35/3 = 11.67
  });

  it('rejects what the library rejects, with its reason', () => {
    expect(codeOf(() => getAmountOut(0n, 1n, 1n))).toBe('AMM.INSUFFICIENT_INPUT_AMOUNT');
    expect(codeOf(() => getAmountOut(1n, 0n, 1n))).toBe('AMM.INSUFFICIENT_LIQUIDITY');
    expect(codeOf(() => getAmountIn(0n, 1n, 1n))).toBe('AMM.INSUFFICIENT_OUTPUT_AMOUNT');
    expect(codeOf(() => getAmountIn(10_000n, 10_000n, 10_000n))).toBe('AMM.ds-math-sub-underflow');
    expect(codeOf(() => quote(0n, 1n, 1n))).toBe('AMM.INSUFFICIENT_AMOUNT');
  });

  it('sqrt is floor(√y) like v2-core Math.sqrt', () => {
    expect([0n, 1n, 2n, 3n, 4n, 15n, 16n, 17n].map(sqrt)).toEqual([0n, 1n, 1n, 1n, 2n, 3n, 4n, 4n]);
    expect(sqrt(10n ** 36n)).toBe(10n ** 18n);
    expect(sqrt((1n << 128n) - 1n)).toBe((1n << 64n) - 1n);
    // √8 = 2.828427124746190097603…, so √(8·10^36) = 2 828 427 124 746 190 097.6… → floor
    expect(sqrt(8n * 10n ** 36n)).toBe(2_828_427_124_746_190_097n);
  });
});

describe('UniswapV2Pool', () => {
  it('first mint: sqrt(x·y) − MINIMUM_LIQUIDITY, and the minimum counts in the supply', () => {
    const pool = new UniswapV2Pool();
    expect(pool.mint({ base: 1_000_000n, quote: 4_000_000n })).toBe(2_000_000n - 1000n); // √(4·10^12) = 2·10^6
    expect(pool.snapshot()).toEqual({ base: 1_000_000n, quote: 4_000_000n, totalSupply: 2_000_000n });
    expect(MINIMUM_LIQUIDITY).toBe(1000n);
  });

  it('the demo pool mints 2.828427124746189097 LP to the seeder', () => {
    const pool = new UniswapV2Pool();
    expect(pool.mint(DEMO)).toBe(2_828_427_124_746_190_097n - 1000n);
  });

  it('later mints are proportional to the smaller contribution; burns pay pro rata, rounded down', () => {
    const pool = new UniswapV2Pool({ base: 1_000_000n, quote: 4_000_000n, totalSupply: 2_000_000n });
    // by base: 1000·2e6/1e6 = 2000; by quote: 5000·2e6/4e6 = 2500 → 2000 (the extra quote is a gift to LPs)
    expect(pool.mint({ base: 1000n, quote: 5000n })).toBe(2000n);
    expect(pool.snapshot()).toEqual({ base: 1_001_000n, quote: 4_005_000n, totalSupply: 2_002_000n });
    // base: 2000·1 001 000/2 002 000 = 1000; quote: 2000·4 005 000/2 002 000 = 4000.999 → 4000
    expect(pool.burn(2000n)).toEqual({ base: 1000n, quote: 4000n });
    expect(pool.snapshot()).toEqual({ base: 1_000_000n, quote: 4_001_000n, totalSupply: 2_000_000n });
  });

  it('swaps move the reserves by exactly the amounts in and out', () => {
    const pool = new UniswapV2Pool({ base: 1_000_000n, quote: 4_000_000n, totalSupply: 2_000_000n });
    // buy: 4000 quote in → 4000·997·1e6 / (4e6·1000 + 4000·997) = 3.988e12 / 4 003 988 000 = 996.006… → 996 base
    expect(pool.swapExactIn('buy', 4000n)).toBe(996n);
    expect(pool.reserves).toEqual({ base: 999_004n, quote: 4_004_000n });
    // sell for exactly 4000 quote: 999004·4000·1000 / (4 000 000·997) = 1002.01… → 1002, + 1 = 1003 base in
    expect(pool.swapExactOut('sell', 4000n)).toBe(1003n);
    expect(pool.reserves).toEqual({ base: 1_000_007n, quote: 4_000_000n });
  });

  it('clone branches the state', () => {
    const a = new UniswapV2Pool({ base: 1000n, quote: 1000n, totalSupply: 1000n });
    const b = a.clone();
    b.swapExactIn('sell', 100n);
    expect(a.reserves).toEqual({ base: 1000n, quote: 1000n });
    expect(b.reserves.base).toBe(1100n);
  });

  it('refuses a burn of more than the unlocked supply and reserves above uint112', () => {
    const pool = new UniswapV2Pool({ base: 1000n, quote: 1000n, totalSupply: 2000n });
    expect(codeOf(() => pool.burn(1001n))).toBe('AMM.ds-math-sub-underflow');
    expect(codeOf(() => new UniswapV2Pool({ base: 1n << 112n, quote: 1n, totalSupply: 1n }))).toBe('AMM.OVERFLOW');
  });
});

describe('Router02 addLiquidity amounts', () => {
  const reserves = { base: 1_000_000n, quote: 4_000_000n };
  it('takes all the base and the quote at the pool ratio when that fits', () => {
    expect(optimalLiquidityAmounts(reserves, { base: 1000n, quote: 5000n })).toEqual({ base: 1000n, quote: 4000n });
  });
  it('otherwise all the quote and the base at the pool ratio', () => {
    expect(optimalLiquidityAmounts(reserves, { base: 1000n, quote: 3000n })).toEqual({ base: 750n, quote: 3000n });
  });
  it('enforces the minimums like the router', () => {
    expect(codeOf(() => optimalLiquidityAmounts(reserves, { base: 1000n, quote: 5000n }, { base: 0n, quote: 4500n }))).toBe('AMM.INSUFFICIENT_B_AMOUNT');
    expect(codeOf(() => optimalLiquidityAmounts(reserves, { base: 1000n, quote: 3000n }, { base: 800n, quote: 0n }))).toBe('AMM.INSUFFICIENT_A_AMOUNT');
  });
  it('an empty pool takes the desired amounts', () => {
    expect(optimalLiquidityAmounts({ base: 0n, quote: 0n }, { base: 5n, quote: 7n })).toEqual({ base: 5n, quote: 7n });
  });
});

describe('prices and the implied book', () => {
  it('marginal price in human units across different decimals', () => {
    expect(marginalPrice(DEMO, DEC)).toBe('0.5');
    expect(marginalPrice({ base: 3n * E18, quote: 1n * E6 }, DEC, 6)).toBe('0.333333');
  });

  // Price after a buy of Δy quote (fee γ = 0.997) with reserves x, y: (y+Δy)(y+γΔy)/(xy). Setting it to
  // p0·(1+r) gives γΔy² + (1+γ)yΔy − r·y² = 0. For x = 4e6, y = 2e6, r = 2 % (Python decimal, 50 digits):
  //   Δy = y·(−(1+γ) + √((1+γ)² + 4γr)) / 2γ = 19930.884219991652…  base out = γΔy·x/(y+γΔy) = 39351.207411781…
  // Selling Δx base down to p0·(1−r): γΔx² + (1+γ)xΔx + x²(1 − 1/(1−r)) = 0
  //   Δx = 40671.185447566939…  quote out = γΔx·y/(x+γΔx) = 20071.119130692199…
  it('depth within ±2 % of the demo pool matches the closed form to the unit rounding', () => {
    const d = impliedDepth(DEMO, '2');
    const rel = (a: bigint, decimals: number, b: string) => new Decimal(fromUnits(a, decimals)).minus(b).abs().div(b).toNumber();
    expect(rel(d.askQuote, 6, '19930.884219991652')).toBeLessThan(1e-9);
    expect(rel(d.askBase, 18, '39351.207411781073')).toBeLessThan(1e-9);
    expect(rel(d.bidBase, 18, '40671.185447566939')).toBeLessThan(1e-9);
    expect(rel(d.bidQuote, 6, '20071.119130692199')).toBeLessThan(1e-9);
    // The integer answer is the boundary: one more unit in would cross the price point.
    expect(d.askBase).toBe(getAmountOut(d.askQuote, DEMO.quote, DEMO.base));
    const after = (dy: bigint) => new Decimal((DEMO.quote + dy).toString()).div((DEMO.base - getAmountOut(dy, DEMO.quote, DEMO.base)).toString());
    const target = new Decimal(DEMO.quote.toString()).div(DEMO.base.toString()).times('1.02');
    expect(after(d.askQuote).lte(target)).toBe(true);
    expect(after(d.askQuote + 1n).gt(target)).toBe(true);
  });

  it('book levels telescope: cumulative quote of levels 1..i is the depth at i·step, base is its exact output', () => {
    const book = impliedOrderBook(DEMO, { decimals: DEC, stepPct: '0.5', levels: 4 });
    expect(book.mid).toBe('0.5');
    expect(book.asks).toHaveLength(4);
    expect(book.bids).toHaveLength(4);
    let q = 0n;
    let b = 0n;
    for (const [i, level] of book.asks.entries()) {
      q += level.quoteRaw;
      b += level.baseRaw;
      const d = impliedDepth(DEMO, String(0.5 * (i + 1)));
      expect(q).toBe(d.askQuote);
      expect(b).toBe(getAmountOut(q, DEMO.quote, DEMO.base));
    }
    q = 0n;
    b = 0n;
    for (const [i, level] of book.bids.entries()) {
      q += level.quoteRaw;
      b += level.baseRaw;
      expect(b).toBe(impliedDepth(DEMO, String(0.5 * (i + 1))).bidBase);
      expect(q).toBe(getAmountOut(b, DEMO.base, DEMO.quote));
    }
  });

  it('first level at 0.1 %: 1001.252003 USDC buys 1995.500491548… BLST, priced up; amounts are exact decimals', () => {
    // Closed form at r = 0.1 %: Δy = 1001.2520034907…, base out 1995.50049252588…
    const book = impliedOrderBook(DEMO, { decimals: DEC, stepPct: '0.1', levels: 2, priceDp: 12 });
    const a1 = book.asks[0]!;
    expect(a1.quoteRaw).toBe(1_001_252_003n);
    expect(a1.amount).toBe(fromUnits(a1.baseRaw, 18));
    expect(new Decimal(a1.amount).minus('1995.5004925258871').abs().lt('0.00001')).toBe(true);
    expect(a1.price).toBe(unitsPrice(a1.quoteRaw, a1.baseRaw, DEC, 12, 'up'));
    // Prices worsen away from the mid on both sides and include the fee.
    expect(new Decimal(book.asks[1]!.price).gt(a1.price)).toBe(true);
    expect(new Decimal(a1.price).gt('0.5')).toBe(true);
    expect(new Decimal(book.bids[1]!.price).lt(book.bids[0]!.price)).toBe(true);
    expect(new Decimal(book.bids[0]!.price).lt('0.5')).toBe(true);
  });

  it('a pool too small for the step leaves out empty slices and stops at −100 %', () => {
    // 10/10 pool, steps of 60 %. out(d) = floor(9970·d / (10000 + 997·d)):
    //   asks (price ≤ 1.6, 2.2, 2.8): d=2 → out 1, 12/9 = 1.33 ok; d=3 → out 2, 13/8 = 1.63 no  ⇒ (base 1, quote 2)
    //     d=5 → out 3, 15/7 = 2.14 ok; d=6 → 16/7 = 2.29 no ⇒ (2, 3); for 2.8: d=6 still (d=7 → 17/6) ⇒ no new base, left out
    //   bids (price ≥ 0.4): d=6 → out 3, 7/16 = 0.44 ok; d=7 → out 4, 6/17 = 0.35 no ⇒ (base 6, quote 3); −120 % is no price
    const book = impliedOrderBook({ base: 10n, quote: 10n }, { decimals: { base: 0, quote: 0 }, stepPct: '60', levels: 3 });
    expect(book.asks.map((l) => [l.baseRaw, l.quoteRaw])).toEqual([
      [1n, 2n],
      [2n, 3n],
    ]);
    expect(book.bids.map((l) => [l.baseRaw, l.quoteRaw, l.price])).toEqual([[6n, 3n, '0.5']]);
  });
});

describe('token units', () => {
  it('converts exactly both ways and refuses precision the token does not have', () => {
    expect(toUnits('1.5', 6)).toBe(1_500_000n);
    expect(toUnits('0.000000000000000001', 18)).toBe(1n);
    expect(toUnits('12.3400', 2)).toBe(1234n);
    expect(fromUnits(1_500_000n, 6)).toBe('1.5');
    expect(fromUnits(5n, 0)).toBe('5');
    expect(() => toUnits('0.0000001', 6)).toThrow(/more than 6 decimal places/);
    expect(() => toUnits('-1', 6)).toThrow(/non-negative decimal/);
    expect(() => toUnits('1e3', 6)).toThrow(/non-negative decimal/);
  });
});
