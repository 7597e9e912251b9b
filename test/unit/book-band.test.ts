// The hot path's shortcuts around the exact compliance measure (hotpath/book-band.ts) never change
// a verdict: checked against domain/compliance on random books, edges included.
import { computeBookMetrics, evaluateCompliance } from '../../domain/compliance';
import { mulberry32 } from '../../domain/rng';
import { clearVerdict, withinBand } from '../../hotpath/book-band';

const REQ = { maxSpreadPct: '0.5', minDepthQuote: '5000', depthBandPct: '2', minVolume24hQuote: '0' };

function randomBook(rng: () => number) {
  const mid = 0.5;
  const level = (side: 1 | -1, i: number) => {
    // Some levels exactly on the ±2 % edge of a 0.5 mid, the rest anywhere within ±4 %.
    const off = rng() < 0.1 ? 0.02 : 0.0005 + rng() * 0.04;
    return { price: (mid * (1 + side * off) + side * i * 1e-7).toFixed(7), amount: String(Math.floor(rng() * 4000)) };
  };
  const n = 1 + Math.floor(rng() * 12);
  const bids = Array.from({ length: n }, (_, i) => level(-1, i)).sort((a, b) => Number(b.price) - Number(a.price));
  const asks = Array.from({ length: n }, (_, i) => level(1, i)).sort((a, b) => Number(a.price) - Number(b.price));
  // Pin the touch at 0.499 / 0.501 half the time, so mid is exactly 0.5 and edge levels sit on the band.
  if (rng() < 0.5) {
    bids.unshift({ price: '0.499', amount: '100' });
    asks.unshift({ price: '0.501', amount: '100' });
  }
  return { bids, asks };
}

describe('book-band shortcuts', () => {
  it('clearVerdict is the exact verdict whenever it gives one, and withinBand keeps the exact one', () => {
    const rng = mulberry32(42);
    let decided = 0;
    for (let i = 0; i < 3000; i++) {
      const book = randomBook(rng);
      const exact = evaluateCompliance(computeBookMetrics(book, ['2']), '0', REQ).compliant;
      expect(evaluateCompliance(computeBookMetrics(withinBand(book, 0.02), ['2']), '0', REQ).compliant).toBe(exact);
      const fast = clearVerdict(book, REQ);
      if (fast !== undefined) {
        decided++;
        expect(fast).toBe(exact);
      }
    }
    // It must decide most books, or it saves nothing.
    expect(decided).toBeGreaterThan(2000);
  });

  it('leaves a depth exactly at the requirement to the exact measure', () => {
    const book = { bids: [{ price: '0.499', amount: '10000' }, { price: '0.48', amount: '1' }], asks: [{ price: '0.501', amount: '10000' }] };
    // 0.499 × 10000 = 4990 of bid depth within ±2 % (0.48 is outside): a requirement of exactly 4990 is the edge.
    expect(clearVerdict(book, { ...REQ, minDepthQuote: '4990' })).toBeUndefined();
    expect(clearVerdict(book, { ...REQ, minDepthQuote: '4000' })).toBe(true);
    expect(clearVerdict(book, { ...REQ, minDepthQuote: '6000' })).toBe(false);
  });
});
