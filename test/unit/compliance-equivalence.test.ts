// computeBookMetrics' scaled-integer path gives exactly what the Decimal measure gives, on random
// books: grids (levels right on a band's edge), float-printed levels, unsorted and duplicate prices,
// one-sided, crossed, odd bands, and figures too long for the fast path (it must defer).
import { computeBookMetrics, decimalBookMetrics } from '../../domain/compliance';
import type { BookLevel } from '../../domain/order-book';
import { mulberry32 } from '../../domain/rng';

const prng = mulberry32;

describe('computeBookMetrics equals decimalBookMetrics', () => {
  it('on random books and bands', () => {
    const bandSets: string[][] = [['1', '2', '5'], ['2'], ['0'], ['2.5', '0.125'], ['150'], ['10', '1'], ['0.0001'], ['007.50']];
    let fastOk = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const r = prng(seed);
      const kind = Math.floor(r() * 5);
      const center = kind === 3 ? 1 + r() * 1e-3 : [1, 0.05, 2500, 123.456][Math.floor(r() * 4)]!;
      const tick = [0.01, 0.001, 0.0001, 0.5, 0.00000001][Math.floor(r() * 5)]! * center;
      const dp = Math.max(0, Math.ceil(-Math.log10(tick)) + 1);
      const level = (side: 1 | -1, i: number): BookLevel => {
        let price: string;
        let amount: string;
        if (kind === 3) {
          price = (center * (1 + side * 0.001 * i * (0.5 + r()))).toPrecision(12);
          amount = (r() * 10 ** Math.floor(r() * 8 - 2)).toPrecision(12);
        } else if (kind === 4 && r() < 0.2) {
          // Too many digits for the fast path (or Decimal's own rounding): must give the same anyway.
          price = (center + side * tick * i).toFixed(dp) + '123456789012345678901234567890'.slice(0, Math.floor(r() * 30));
          amount = '98765432109876543210987654321.123456789';
        } else {
          price = Math.max(0, center + side * tick * (i + Math.floor(r() * 3))).toFixed(dp);
          amount = (Math.floor(r() * 100000) / 10 ** Math.floor(r() * 6)).toString();
          if (r() < 0.1) amount = amount + '000';
          if (r() < 0.05 && !amount.includes('.')) amount = amount + '.0';
        }
        return { price, amount };
      };
      const nb = r() < 0.03 ? 0 : 1 + Math.floor(r() * 30);
      const na = r() < 0.03 ? 0 : 1 + Math.floor(r() * 30);
      const bids = Array.from({ length: nb }, (_, i) => level(-1, i + (r() < 0.05 ? -3 : 1)));
      const asks = Array.from({ length: na }, (_, i) => level(1, i + (r() < 0.05 ? -3 : 1)));
      if (r() < 0.5) bids.sort(() => r() - 0.5);
      if (r() < 0.5) asks.sort(() => r() - 0.5);
      const bands = bandSets[Math.floor(r() * bandSets.length)]!;
      const fast = computeBookMetrics({ bids, asks }, bands);
      const ref = decimalBookMetrics({ bids, asks }, bands);
      expect(JSON.stringify(fast)).toBe(JSON.stringify(ref));
      if (ref.ok) fastOk += 1;
    }
    expect(fastOk).toBeGreaterThan(1000);
  });
});
