import { D } from '../../domain/money';
import { mulberry32 } from '../../domain/rng';
import type { ExactAmmState, ExactCexState, ExactOrderAction, SwapAction } from '../../sim/market/agent.types';
import { planAmmToCex, planCexCex, planCexToAmm } from '../../sim/market/arb-planner';

const cex = (over: Partial<ExactCexState>): ExactCexState => ({
  kind: 'cex',
  id: 'a',
  bids: [],
  asks: [],
  takerFee: '0.001',
  tickSize: '0.001',
  lotSize: '1',
  minNotional: '1',
  freeBase: '1000000',
  freeQuote: '1000000',
  ...over,
});

const E18 = 10n ** 18n;
const E6 = 10n ** 6n;
const pool = (over: Partial<ExactAmmState> = {}): ExactAmmState => ({
  kind: 'amm',
  id: 'pool',
  reserveBase: 4_000_000n * E18,
  reserveQuote: 2_000_000n * E6,
  baseDecimals: 18,
  quoteDecimals: 6,
  walletBase: 1_000_000n * E18,
  walletQuote: 1_000_000n * E6,
  ...over,
});

// The contracts' formulas, written out here independently of the code under test.
const amountIn = (out: bigint, rIn: bigint, rOut: bigint) => (rIn * out * 1000n) / ((rOut - out) * 997n) + 1n;
const amountOut = (inp: bigint, rIn: bigint, rOut: bigint) => (inp * 997n * rOut) / (rIn * 1000n + inp * 997n);

const params = { minProfitQuote: '0.1', gasQuote: '0', maxTradeQuote: 1e9 };

describe('planCexCex', () => {
  const buy = cex({ id: 'a', asks: [{ price: '0.5', amount: '1000' }, { price: '0.501', amount: '1000' }] });
  const sell = cex({ id: 'b', bids: [{ price: '0.51', amount: '500' }, { price: '0.505', amount: '2000' }] });

  it('takes every profitable unit and proves the profit exactly', () => {
    const plan = planCexCex(buy, sell, params)!;
    // Buy 2000: 1000 × 0.5 + 1000 × 0.501 = 1001. Sell 2000: (500 × 0.51 + 1500 × 0.505) × 0.999 = 1011.4875.
    // The buy fee keeps 2 BLST, valued at the worst price paid (0.501): 1.002.
    expect(plan.expectedProfitQuote).toBe('9.4855');
    expect(plan.markPrice).toBe('0.501');
    expect(plan.legs).toEqual([
      { type: 'exactOrder', venue: 'a', side: 'buy', price: '0.501', amount: '2000' },
      { type: 'exactOrder', venue: 'b', side: 'sell', price: '0.505', amount: '2000' },
    ]);
  });

  it('is limited by inventory and by the coarser lot of the two venues', () => {
    const plan = planCexCex(buy, { ...sell, freeBase: '305', lotSize: '10' }, params)!;
    // 300 BLST: 300 × 0.51 × 0.999 − 300 × 0.5 − 0.3 × 0.5
    expect(plan.expectedProfitQuote).toBe('2.697');
    expect((plan.legs[0] as ExactOrderAction).amount).toBe('300');
    const byQuote = planCexCex({ ...buy, freeQuote: '100' }, sell, params)!;
    expect((byQuote.legs[0] as ExactOrderAction).amount).toBe('200');
  });

  it('returns nothing when fees eat the gap or the profit is below the minimum', () => {
    expect(planCexCex(buy, cex({ id: 'b', bids: [{ price: '0.501', amount: '1000' }] }), params)).toBeUndefined();
    expect(planCexCex(buy, sell, { ...params, minProfitQuote: '10' })).toBeUndefined();
    expect(planCexCex(buy, sell, { ...params, minProfitQuote: '9.4855' })).toBeDefined();
  });
});

describe('planAmmToCex / planCexToAmm', () => {
  it('buys from a cheap pool with the exact V2 input and sells on the CEX bid', () => {
    const c = cex({ id: 'c', bids: [{ price: '0.51', amount: '10000' }] });
    const plan = planAmmToCex(pool(), c, { ...params, gasQuote: '1.5' })!;
    const out = 10_000n * E18;
    const inp = amountIn(out, 2_000_000n * E6, 4_000_000n * E18);
    expect(plan.legs).toEqual([
      { type: 'exactOrder', venue: 'c', side: 'sell', price: '0.51', amount: '10000' },
      { type: 'swap', venue: 'pool', side: 'buy', amountIn: inp, minAmountOut: out },
    ]);
    const expected = new D('5100').times('0.999').minus(new D(inp.toString()).div(1e6)).minus('1.5');
    expect(plan.expectedProfitQuote).toBe(expected.toFixed());
    expect(new D(plan.expectedProfitQuote).gt(60)).toBe(true);
  });

  it('buys on the CEX and sells exactly what arrives after the fee into a rich pool', () => {
    const c = cex({ id: 'c', asks: [{ price: '0.49', amount: '10000' }] });
    const plan = planCexToAmm(c, pool(), { ...params, gasQuote: '1.5' })!;
    const inp = 9_990n * E18; // 10 000 bought, 0.1 % fee kept by the CEX
    const out = amountOut(inp, 4_000_000n * E18, 2_000_000n * E6);
    expect(plan.legs).toEqual([
      { type: 'exactOrder', venue: 'c', side: 'buy', price: '0.49', amount: '10000' },
      { type: 'swap', venue: 'pool', side: 'sell', amountIn: inp, minAmountOut: out },
    ]);
    expect(plan.expectedProfitQuote).toBe(new D(out.toString()).div(1e6).minus(4900).minus('1.5').toFixed());
  });

  it('counts gas: a gap that pays less than the gas is left alone', () => {
    const c = cex({ id: 'c', bids: [{ price: '0.503', amount: '500' }] });
    const withoutGas = planAmmToCex(pool(), c, params)!;
    expect(new D(withoutGas.expectedProfitQuote).lt('1.5')).toBe(true);
    expect(planAmmToCex(pool(), c, { ...params, gasQuote: '1.5' })).toBeUndefined();
  });

  it('is limited by the wallet on the pool side', () => {
    const c = cex({ id: 'c', bids: [{ price: '0.51', amount: '10000' }] });
    const plan = planAmmToCex(pool({ walletQuote: 1000n * E6 }), c, params)!;
    expect((plan.legs[1] as SwapAction).amountIn).toBeLessThanOrEqual(1000n * E6);
    expect(Number((plan.legs[0] as ExactOrderAction).amount)).toBeGreaterThan(1900);
  });
});

describe('arbitrage plans never lose at decision time (random books and pools)', () => {
  const rng = mulberry32(2024);
  const dec = (x: number, dp: number) => x.toFixed(dp);
  const ladder = (start: number, dir: number, n: number): { price: string; amount: string }[] =>
    Array.from({ length: n }, (_, i) => ({ price: dec(start * (1 + dir * 0.002 * i), 3), amount: String(1 + Math.floor(rng() * 5000)) }));

  /** Independent exact walk of a plan's CEX leg. */
  function cexLeg(levels: { price: string; amount: string }[], amount: string, limit: string, side: 'buy' | 'sell') {
    let left = new D(amount);
    let notional = new D(0);
    for (const l of levels) {
      if (left.lte(0)) break;
      if (side === 'buy' ? new D(l.price).gt(limit) : new D(l.price).lt(limit)) break;
      const take = D.min(left, l.amount);
      notional = notional.plus(take.times(l.price));
      left = left.minus(take);
    }
    expect(left.toNumber()).toBe(0); // fully fillable within the limit
    return notional;
  }

  it('CEX↔CEX', () => {
    let plans = 0;
    for (let k = 0; k < 300; k++) {
      const mid = 0.5;
      const a = cex({ id: 'a', asks: ladder(mid * (1 + (rng() - 0.5) * 0.02), 1, 10), takerFee: dec(rng() * 0.003, 4), freeQuote: String(Math.floor(rng() * 5000)) });
      const b = cex({ id: 'b', bids: ladder(mid * (1 + (rng() - 0.5) * 0.02), -1, 10), takerFee: dec(rng() * 0.003, 4), lotSize: rng() < 0.5 ? '1' : '10', freeBase: String(Math.floor(rng() * 8000)) });
      const minProfit = dec(0.01 + rng(), 2);
      const plan = planCexCex(a, b, { ...params, minProfitQuote: minProfit });
      if (!plan) continue;
      plans++;
      const [l0, l1] = plan.legs as ExactOrderAction[];
      const cost = cexLeg(a.asks, l0!.amount, l0!.price, 'buy');
      const proceeds = cexLeg(b.bids, l1!.amount, l1!.price, 'sell');
      expect(l0!.amount).toBe(l1!.amount);
      expect(new D(l0!.amount).mod(b.lotSize).toNumber()).toBe(0);
      expect(cost.lte(a.freeQuote) && new D(l1!.amount).lte(b.freeBase)).toBe(true);
      const profit = proceeds.times(new D(1).minus(b.takerFee)).minus(cost).minus(new D(l0!.amount).times(a.takerFee).times(l0!.price));
      expect(profit.gte(minProfit)).toBe(true);
      expect(profit.toFixed()).toBe(new D(plan.expectedProfitQuote).toFixed());
    }
    expect(plans).toBeGreaterThan(30);
  });

  it('CEX↔AMM, both directions', () => {
    let plans = 0;
    for (let k = 0; k < 300; k++) {
      const p = pool({ reserveBase: BigInt(Math.floor(1e5 + rng() * 4e6)) * E18, walletBase: BigInt(Math.floor(rng() * 20000)) * E18, walletQuote: BigInt(Math.floor(rng() * 10000)) * E6 });
      const spot = Number(p.reserveQuote) / 1e6 / (Number(p.reserveBase) / 1e18);
      const c = cex({ id: 'c', bids: ladder(spot * (1 + (rng() - 0.3) * 0.03), -1, 8), asks: ladder(spot * (1 + (rng() - 0.7) * 0.03), 1, 8), takerFee: dec(rng() * 0.003, 4), freeBase: String(Math.floor(rng() * 20000)), freeQuote: String(Math.floor(rng() * 10000)) });
      const gas = dec(rng() * 3, 2);
      const q = { ...params, gasQuote: gas, minProfitQuote: '0.05' };
      for (const plan of [planAmmToCex(p, c, q), planCexToAmm(c, p, q)]) {
        if (!plan) continue;
        plans++;
        const leg = plan.legs[0] as ExactOrderAction;
        const swap = plan.legs[1] as SwapAction;
        let profit;
        if (leg.side === 'sell') {
          const proceeds = cexLeg(c.bids, leg.amount, leg.price, 'sell').times(new D(1).minus(c.takerFee));
          expect(swap.amountIn).toBe(amountIn(swap.minAmountOut, p.reserveQuote, p.reserveBase));
          expect(swap.minAmountOut).toBe(BigInt(new D(leg.amount).times(1e18).toFixed(0))); // base neutral
          expect(swap.amountIn <= p.walletQuote && new D(leg.amount).lte(c.freeBase)).toBe(true);
          profit = proceeds.minus(new D(swap.amountIn.toString()).div(1e6)).minus(gas);
        } else {
          const cost = cexLeg(c.asks, leg.amount, leg.price, 'buy');
          expect(swap.minAmountOut).toBe(amountOut(swap.amountIn, p.reserveBase, p.reserveQuote));
          expect(new D(swap.amountIn.toString()).div(1e18).lte(new D(leg.amount).times(new D(1).minus(c.takerFee)))).toBe(true);
          expect(swap.amountIn <= p.walletBase && cost.lte(c.freeQuote)).toBe(true);
          profit = new D(swap.minAmountOut.toString()).div(1e6).minus(cost).minus(gas);
        }
        expect(profit.gte('0.05')).toBe(true);
      }
    }
    expect(plans).toBeGreaterThan(30);
  });
});
