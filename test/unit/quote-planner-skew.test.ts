// Portfolio inventory skew (Ballast) against per-venue skew (the baselines). Found in the closed-loop
// backtest: A-S skewing each venue by its own inventory put the venues' quotes up to 0.6 % apart, and
// the arbitrageurs' income from those gaps was most of the arbitrage leakage.
import { mulberry32 } from '../../domain/rng';
import { MarketState } from '../../domain/quoting/market-state';
import { QuotePlanner, type PlannerConfig } from '../../domain/quoting/quote-planner';
import type { GridOrder } from '../../domain/grid';

const rules = (tickSize: string, lotSize: string) => ({ symbol: 'BLST/USDT', base: 'BLST', quote: 'USDT', tickSize, lotSize, minNotional: '1', makerFee: '0.001', takerFee: '0.002' });

/** A-S with a wide ±2 % depth so the model's best quotes are what we read. */
const config = (orderAmount: string, over: Partial<PlannerConfig> = {}): PlannerConfig => ({
  model: { model: 'avellaneda-stoikov', gamma: 20, k: 1000, horizon: { kind: 'rolling', seconds: 3600 }, orderAmount, orderLevels: 3, levelSpacingPct: '0.3' },
  depth: { quote: '100', bandPct: '2', levels: 3, stepPct: '0.3' },
  refresh: { pricePct: '0.05', amountPct: '10' },
  sizeJitterPct: '0',
  targetInventory: '500000',
  maxInventory: '2000000',
  ...over,
});

const INPUT = { mode: 'normal' as const, fair: 0.5, sigma: 0.0001, now: 0, live: [] };

function best(p: QuotePlanner, orders: GridOrder[]): { bid: number; ask: number } {
  const px = (side: 'buy' | 'sell') => orders.filter((o) => o.side === side).map((o) => p.grid.priceFloat(o.ticks));
  return { bid: Math.max(...px('buy')), ask: Math.min(...px('sell')) };
}

/** Centre of the best quotes relative to the fair value. */
const centre = (q: { bid: number; ask: number }) => (q.bid + q.ask) / 2 / 0.5 - 1;

describe('QuotePlanner inventory skew', () => {
  const portfolio = { inventorySkew: { scope: 'portfolio' as const, venueDeadZonePct: '40' } };

  it("per venue (the baselines' default): a venue long its own inventory quotes lower than a flat one", () => {
    const flat = new QuotePlanner(config('20000'), rules('0.00001', '0.1'), mulberry32(1));
    flat.setBalances('500000', '250000');
    const long = new QuotePlanner(config('20000'), rules('0.00001', '0.1'), mulberry32(1));
    long.setBalances('560000', '220000');
    const gap = centre(best(flat, flat.desired(INPUT))) - centre(best(long, long.desired(INPUT)));
    // q = 60 000 / 20 000 = 3 orders; γσ²τ = 20 × 1e-8 × 3600 = 7.2e-4 per order ⇒ 2.16e-3 / 0.5 = 0.43 %.
    expect(gap).toBeCloseTo(0.00432, 4);
  });

  it('portfolio: two venues with different order sizes and own inventories show the same skew, set by the portfolio', () => {
    const a = new QuotePlanner(config('20000', portfolio), rules('0.00001', '0.1'), mulberry32(1));
    const b = new QuotePlanner(config('5000', portfolio), rules('0.00001', '0.1'), mulberry32(2));
    a.setBalances('560000', '220000'); // +12 % on its own: inside the dead zone
    b.setBalances('450000', '275000'); // −10 %
    const neutral = centre(best(a, a.desired(INPUT)));
    expect(neutral).toBeCloseTo(0, 4);
    expect(centre(best(b, b.desired(INPUT)))).toBeCloseTo(0, 4);
    // The portfolio is long 2 orders (of the portfolio's total order size): both move down alike.
    const sa = centre(best(a, a.desired({ ...INPUT, portfolioOrders: 2 })));
    const sb = centre(best(b, b.desired({ ...INPUT, portfolioOrders: 2 })));
    expect(sa).toBeCloseTo(-0.00288, 4);
    expect(sb).toBeCloseTo(sa, 4);
  });

  it("portfolio: a venue's own deviation counts beyond its dead zone only", () => {
    const p = new QuotePlanner(config('20000', portfolio), rules('0.00001', '0.1'), mulberry32(1));
    p.setBalances('700000', '150000'); // +200 000 = 40 % of the target: at the edge, no skew
    expect(p.modelInventoryLots(0)).toBe(p.grid.lots('500000', 'floor'));
    p.setBalances('760000', '120000'); // 60 000 beyond the edge: 3 orders
    expect(centre(best(p, p.desired(INPUT)))).toBeCloseTo(-0.00432, 4);
    p.setBalances('240000', '380000'); // short, 60 000 beyond the edge
    expect(centre(best(p, p.desired(INPUT)))).toBeCloseTo(0.00432, 4);
  });

  it('the plan is redone when only the portfolio moved', () => {
    const p = new QuotePlanner(config('20000', portfolio), rules('0.00001', '0.1'), mulberry32(1));
    p.setBalances('500000', '250000');
    const first = p.decide(INPUT);
    expect(p.decide(INPUT).actions).toBe(first.actions);
    expect(p.decide({ ...INPUT, portfolioOrders: 1 }).actions).not.toBe(first.actions);
  });
});

describe('MarketState.portfolioOrders', () => {
  it('Σ traded base / Σ order base over the venues that reported; 0 before any', () => {
    const m = new MarketState();
    m.register('a', 'cex', '0.001');
    m.register('b', 'cex', '0.001');
    expect(m.portfolioOrders()).toBe(0);
    m.setTraded('a', 30_000, 20_000);
    m.setTraded('b', -10_000, 5_000);
    expect(m.portfolioOrders()).toBeCloseTo(20_000 / 25_000, 12);
  });
});
