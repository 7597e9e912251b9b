// The V2 pool-liquidity planner on the demo pool (4,000,000 BLST / 2,000,000 USDC, requirement 25,000
// within ±2 %). Depth is what the venue's compliance check counts: the pool's implied book priced with
// the 0.3 % fee, within ±2 % of its mid — a marginal-price move of 2 − 0.3 − 0.006 = 1.694 % (the ask
// side binds). On the raw ±2 % marginal band the same pool would show 19,930.88 (ask) / 20,071.12 (bid),
// ≈ 15 % more than the venue measures. Cross-checked below against the compliance code itself on a
// fine implied book (domain/amm-depth.ts + domain/compliance.ts).
// A top-up to 27,500 (requirement + 10 %) at the pool ratio: 2,000,000·(27500/16894.201849 − 1) = 1,255,554.80 USDC.
import { DEFAULT_POOL_LIQUIDITY_PARAMS, planV2Liquidity, v2Depth, withMargin, type V2PlanInput } from '../../domain/amm';
import { constantProductImpliedBook } from '../../domain/amm-depth';
import { computeBookMetrics } from '../../domain/compliance';
import { UniswapV2Pool, sqrt, type PoolSnapshot } from '../../domain/uniswap-v2-math';

const E18 = 10n ** 18n;
const E6 = 10n ** 6n;
const REQ = 25_000n * E6;
const RICH = { base: 100_000_000n * E18, quote: 100_000_000n * E6 };

function poolOf(base: bigint, quote: bigint): PoolSnapshot {
  return { base: base * E18, quote: quote * E6, totalSupply: sqrt(base * E18 * quote * E6) };
}

const input = (o: Partial<V2PlanInput> & { pool: PoolSnapshot }): V2PlanInput => ({ ownLp: 0n, wallet: RICH, requirementQuote: REQ, bandPct: '2', params: DEFAULT_POOL_LIQUIDITY_PARAMS, now: 1_000_000, ...o });

describe('V2 pool depth', () => {
  it('the demo pool is below its requirement on both sides (the ask side binds)', () => {
    expect(v2Depth(poolOf(4_000_000n, 2_000_000n), '2')).toEqual({ bidQuote: 16987_015417n, askQuote: 16894_201849n, minQuote: 16894_201849n });
  });

  it('agrees with the compliance measure of the implied book (within one 0.002 % level)', () => {
    const d = v2Depth(poolOf(4_000_000n, 2_000_000n), '2');
    const m = computeBookMetrics(constantProductImpliedBook({ reserveBase: '4000000', reserveQuote: '2000000', fee: '0.003', levels: 1250, stepPct: '0.002' }), ['2']);
    if (!m.ok) throw new Error(m.reason);
    expect(Math.abs(Number(m.depth[0]!.askQuote) / (Number(d.askQuote) / 1e6) - 1)).toBeLessThan(0.005);
    expect(Math.abs(Number(m.depth[0]!.bidQuote) / (Number(d.bidQuote) / 1e6) - 1)).toBeLessThan(0.005);
  });

  it('targets carry the margin, rounded up', () => {
    expect(withMargin(REQ, 0.1)).toBe(27_500n * E6);
    expect(withMargin(REQ, 0.02)).toBe(25_500n * E6);
  });
});

describe('planV2Liquidity', () => {
  it('adds the shortfall at the pool ratio, just enough for requirement + 10 %', () => {
    const d = planV2Liquidity(input({ pool: poolOf(4_000_000n, 2_000_000n) }));
    if (d.kind !== 'add') throw new Error(`expected add, got ${d.kind}`);
    expect(d.urgent).toBe(true);
    expect(d.limitedByWallet).toBe(false);
    // Proportional top-up 1,255,554.80…; the exact integer check may add a unit or two of rounding.
    expect(Number(d.quote) / 1e6).toBeCloseTo(1_255_554.8046, 2);
    // At the pool ratio (2 BLST per USDC), rounded up.
    expect(d.base).toBe(d.quote * 2n * 10n ** 12n);
    expect(d.depthAfter).toBeGreaterThanOrEqual(27_500n * E6);
    expect(d.depthAfter - 27_500n * E6).toBeLessThan(10n); // not a micro-USDC more than needed (±rounding)
    // The chain's own mint gives that depth.
    const p = new UniswapV2Pool(poolOf(4_000_000n, 2_000_000n));
    p.mint({ base: d.base, quote: d.quote });
    expect(v2Depth(p.reserves, '2').minQuote).toBe(d.depthAfter);
  });

  it('with a small wallet, deposits what it has at the pool ratio', () => {
    const d = planV2Liquidity(input({ pool: poolOf(4_000_000n, 2_000_000n), wallet: { base: 1_000_000n * E18, quote: 100_000n * E6 } }));
    if (d.kind !== 'add') throw new Error(`expected add, got ${d.kind}`);
    expect(d.limitedByWallet).toBe(true);
    expect(d.quote).toBe(100_000n * E6);
    expect(d.base).toBe(200_000n * E18);
    // Depth is linear in the reserves: 16894.201849 · 2.1/2 = 17738.91 (fee rounding aside).
    expect(Number(d.depthAfter) / 1e6).toBeCloseTo(17_738.91, 1);
  });

  it('holds inside the hysteresis band (25,500 … 32,500)', () => {
    // 1.7× the demo pool: depth ≈ 1.7 · 16894.20 = 28720.1.
    const d = planV2Liquidity(input({ pool: poolOf(6_800_000n, 3_400_000n), ownLp: 1n }));
    expect(d).toMatchObject({ kind: 'hold', reason: 'within-band' });
  });

  it('removes the excess above +30 % back down to +10 %, only from its own LP tokens', () => {
    // The demo pool doubled by Ballast: depth 2 · 16894.20 = 33788.40 (above 32,500); Ballast holds half the LP.
    const pool = poolOf(8_000_000n, 4_000_000n);
    const d = planV2Liquidity(input({ pool, ownLp: pool.totalSupply / 2n }));
    if (d.kind !== 'remove') throw new Error(`expected remove, got ${d.kind}`);
    // Fraction of the pool to burn: 1 − 27500/33788.403698 = 0.18611129883… (Python decimal).
    expect(Number((d.liquidity * 10n ** 12n) / pool.totalSupply) / 1e12).toBeCloseTo(0.1861112988, 6);
    expect(d.depthAfter).toBeGreaterThanOrEqual(27_500n * E6);
    expect(Number(d.depthAfter - 27_500n * E6) / 1e6).toBeLessThan(0.1);
  });

  it('never removes more LP than it owns', () => {
    const pool = poolOf(8_000_000n, 4_000_000n);
    // A tenth of the pool is less than the 18.6 % that could go.
    const d = planV2Liquidity(input({ pool, ownLp: pool.totalSupply / 10n }));
    expect(d).toMatchObject({ kind: 'remove', liquidity: pool.totalSupply / 10n });
  });

  it('a cooldown blocks removes and non-urgent adds, never an add below the requirement itself', () => {
    const pool = poolOf(8_000_000n, 4_000_000n);
    const recent = { now: 1_000_000, lastActionAt: 1_000_000 - 60_000 };
    expect(planV2Liquidity(input({ pool, ownLp: pool.totalSupply / 2n, ...recent }))).toMatchObject({ kind: 'hold', reason: 'cooldown' });
    // Depth 1.5 · 16894.20 = 25341.3: above 25,000, below 25,500 → an add, but not urgent.
    expect(planV2Liquidity(input({ pool: poolOf(6_000_000n, 3_000_000n), ...recent }))).toMatchObject({ kind: 'hold', reason: 'cooldown' });
    expect(planV2Liquidity(input({ pool: poolOf(6_000_000n, 3_000_000n) }))).toMatchObject({ kind: 'add', urgent: false });
    expect(planV2Liquidity(input({ pool: poolOf(4_000_000n, 2_000_000n), ...recent }))).toMatchObject({ kind: 'add', urgent: true });
  });

  it('with nothing of its own in the pool, an excess is left alone', () => {
    expect(planV2Liquidity(input({ pool: poolOf(8_000_000n, 4_000_000n) }))).toMatchObject({ kind: 'hold', reason: 'nothing-to-remove' });
  });
});
