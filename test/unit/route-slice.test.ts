// Routing a price-action slice across CEX books and the pool, against hand-computed splits.
import { routeSlice } from '../../domain/price-action/route';

const A = { venue: 'alpha', takerFee: 0.001, levels: [{ price: 1.0, amount: 100 }] };
const B = { venue: 'bravo', takerFee: 0.002, levels: [{ price: 0.999, amount: 50 }, { price: 1.002, amount: 100 }] };

describe('routeSlice', () => {
  it('CEX only: cheapest effective price after fees first (bravo 0.999 × 1.002 = 1.000998 before alpha 1.0 × 1.001)', () => {
    const r = routeSlice({ side: 'buy', amount: 120, limit: 1.003, cex: [A, B] });
    expect(r.legs).toEqual([
      { venue: 'bravo', amount: 50, price: 0.999 },
      { venue: 'alpha', amount: 70, price: 1.0 },
    ]);
    expect(r.quote).toBeCloseTo(50 * 1.000998 + 70 * 1.001, 9);
    expect(r.unfilled).toBe(0);
  });

  it('the limit binds: what costs more after fees is left undone, not forced', () => {
    const r = routeSlice({ side: 'buy', amount: 200, limit: 1.0015, cex: [A, B] });
    expect(r.filled).toBe(150);
    expect(r.unfilled).toBe(50);
    expect(r.legs.find((l) => l.venue === 'bravo')!.price).toBe(0.999);
  });

  it('pool only, fee 0: up to the marginal price 1.21 = x·y/(x − Δ)² ⇒ Δ = 1000 − 1000/1.1, for 100 quote', () => {
    const r = routeSlice({ side: 'buy', amount: 200, limit: 1.21, cex: [], pool: { venue: 'uniswap', reserveBase: 1000, reserveQuote: 1000, fee: 0 } });
    expect(r.filled).toBeCloseTo(1000 - 1000 / 1.1, 9);
    expect(r.quote).toBeCloseTo(100, 9);
    expect(r.legs[0]!.price).toBeCloseTo(1.1, 9);
  });

  it('pool and book together: the pool up to the level’s price, the level, then the pool again', () => {
    const pool = { venue: 'uniswap', reserveBase: 1000, reserveQuote: 1000, fee: 0 };
    const r = routeSlice({ side: 'buy', amount: 100, limit: 1.5, cex: [{ venue: 'alpha', takerFee: 0, levels: [{ price: 1.1, amount: 50 }] }], pool });
    expect(r.legs.find((l) => l.venue === 'alpha')!.amount).toBe(50);
    expect(r.legs.find((l) => l.venue === 'uniswap')!.amount).toBeCloseTo(50, 9);
    // With a smaller slice the pool stops where its marginal price meets the level (1.1).
    const small = routeSlice({ side: 'buy', amount: 60, limit: 1.5, cex: [{ venue: 'alpha', takerFee: 0, levels: [{ price: 1.1, amount: 50 }] }], pool });
    expect(small.legs.find((l) => l.venue === 'uniswap')!.amount).toBeCloseTo(1000 - 1000 / Math.sqrt(1.1), 9);
    expect(small.legs.find((l) => l.venue === 'alpha')!.amount).toBeCloseTo(60 - (1000 - 1000 / Math.sqrt(1.1)), 9);
  });

  it('a sell takes the pool until its marginal price after the fee falls to the limit', () => {
    const pool = { venue: 'uniswap', reserveBase: 1000, reserveQuote: 1000, fee: 0.003 };
    const r = routeSlice({ side: 'sell', amount: 500, limit: 0.9, cex: [], pool });
    const d = r.filled;
    expect((1000 * 1000 * 0.997) / (1000 + 0.997 * d) ** 2).toBeCloseTo(0.9, 9);
    expect(r.unfilled).toBeCloseTo(500 - d, 9);
  });

  it('refuses a non-positive amount or limit, naming the field', () => {
    expect(() => routeSlice({ side: 'buy', amount: 0, limit: 1, cex: [] })).toThrow(/amount/);
    expect(() => routeSlice({ side: 'buy', amount: 1, limit: -1, cex: [] })).toThrow(/limit/);
  });
});
