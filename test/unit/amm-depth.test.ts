import Decimal from 'decimal.js';
import { constantProductImpliedBook } from '../../domain/amm-depth';

// Reserves x0 = 1000 base, y0 = 1000 quote: k = 1e6, p0 = y0/x0 = 1.
// Base reserve at marginal price p: x(p) = sqrt(k/p) = 1000/sqrt(p). Quote reserve: y(p) = sqrt(k·p) = 1000·sqrt(p).
// Values below were worked out with `bc -l` (scale=30), independently of the code under test:
//   sqrt(1.01) = 1.004987562112089027021926491275
//   sqrt(1.02) = 1.009950493836207795336338591706
//   x(1.01) = 1000/sqrt(1.01) = 995.037190209989135665273753739520
//   x(1.02) = 1000/sqrt(1.02) = 990.147542976674309153273129125411
//   x(0.99) = 1000/sqrt(0.99) = 1005.037815259212075489373556567082
//   x(0.98) = 1000/sqrt(0.98) = 1010.152544552210749144063374436303
// Level amounts (rounded half-even to 12 dp as the book reports them):
//   ask 1: 1000 − 995.037190209989135665… = 4.962809790010|864… → 4.962809790011
//   ask 2: 995.037190209989135… − 990.147542976674309… = 4.889647233314|8265… → 4.889647233315
//   bid 1: 1005.037815259212075… − 1000 = 5.037815259212|0754… → 5.037815259212
//   bid 2: 1010.152544552210749… − 1005.037815259212075… = 5.114729292998|6736… → 5.114729292999
const POOL = { reserveBase: '1000', reserveQuote: '1000', stepPct: '1', levels: 2 };

describe('constantProductImpliedBook', () => {
  it('fee 0: prices are the marginal prices, amounts move the price between them', () => {
    const book = constantProductImpliedBook({ ...POOL, fee: '0' });
    expect(book.mid).toBe('1');
    expect(book.asks).toEqual([
      { price: '1.01', amount: '4.962809790011' },
      { price: '1.02', amount: '4.889647233315' },
    ]);
    expect(book.bids).toEqual([
      { price: '0.99', amount: '5.037815259212' },
      { price: '0.98', amount: '5.114729292999' },
    ]);
  });

  it('ask amounts within ±x % sum to x0 − x(p0·(1+x)) (telescoping)', () => {
    const book = constantProductImpliedBook({ ...POOL, fee: '0' });
    const total = book.asks.reduce((a, l) => a.plus(l.amount), new Decimal(0));
    // 1000 − 990.147542976674309153… = 9.852457023325690846…; two 12-dp roundings → within 1e-12.
    expect(total.minus('9.852457023325690846').abs().lte('1e-12')).toBe(true);
  });

  it('buying every ask level within ±2 % costs at least the true constant-product cost, and not much more', () => {
    const book = constantProductImpliedBook({ ...POOL, fee: '0' });
    // Implied cost = Σ price × amount = 1.01 × 4.962809790011 + 1.02 × 4.889647233315
    //              = 5.01243788791111 + 4.9874401779813 = 9.99987806589241
    const implied = book.asks.reduce((a, l) => a.plus(new Decimal(l.price).times(l.amount)), new Decimal(0));
    expect(implied.toFixed()).toBe('9.99987806589241');
    // True cost = y(1.02) − y0 = 1000·sqrt(1.02) − 1000 = 9.950493836207795336…
    const trueCost = new Decimal('9.950493836207795336');
    // Each slice is priced at its worst (highest) marginal price ⇒ implied ≥ true.
    expect(implied.gte(trueCost)).toBe(true);
    // ...and each slice overpays at most (its price step) × amount = 0.01 × (4.9628… + 4.8896…) ≈ 0.0985.
    // Actual gap: 9.99987806589241 − 9.950493836207795 = 0.049384229684615 (≈ 0.5 %).
    expect(implied.minus(trueCost).lte('0.0986')).toBe(true);
    expect(implied.minus(trueCost).toDecimalPlaces(9).toFixed()).toBe('0.04938423');
    // Lower bound: priced at the best price of each slice: 1.00×4.962809790011 + 1.01×4.889647233315
    //            = 4.962809790011 + 4.93854370564815 = 9.90135349565915 ≤ true cost.
    const best = new Decimal(1).times(book.asks[0]!.amount).plus(new Decimal('1.01').times(book.asks[1]!.amount));
    expect(best.toFixed()).toBe('9.90135349565915');
    expect(best.lte(trueCost)).toBe(true);
  });

  it('selling into every bid level within ±2 % receives at most the true proceeds', () => {
    const book = constantProductImpliedBook({ ...POOL, fee: '0' });
    // Implied = 0.99 × 5.037815259212 + 0.98 × 5.114729292999 = 4.98743710661988 + 5.01243470713902 = 9.9998718137589
    const implied = book.bids.reduce((a, l) => a.plus(new Decimal(l.price).times(l.amount)), new Decimal(0));
    expect(implied.toFixed()).toBe('9.9998718137589');
    // True proceeds = y0 − y(0.98) = 1000 − 1000·sqrt(0.98) = 10.050506338833465838…
    expect(implied.lte('10.050506338833465838')).toBe(true);
  });

  it('fee 0.003 divides ask prices by (1 − fee) and multiplies bid prices by (1 − fee); amounts unchanged', () => {
    const book = constantProductImpliedBook({ ...POOL, fee: '0.003' });
    // 1.01 / 0.997 = 1.013039117352|056… → 1.013039117352
    // 1.02 / 0.997 = 1.023069207622|868… → 1.023069207623
    // 0.99 × 0.997 = 0.98703 ; 0.98 × 0.997 = 0.97706
    expect(book.asks).toEqual([
      { price: '1.013039117352', amount: '4.962809790011' },
      { price: '1.023069207623', amount: '4.889647233315' },
    ]);
    expect(book.bids).toEqual([
      { price: '0.98703', amount: '5.037815259212' },
      { price: '0.97706', amount: '5.114729292999' },
    ]);
    expect(book.mid).toBe('1');
  });

  it('mid is quote/base and stops bids where the price would reach 0', () => {
    // reserves 4000000 base / 2000000 quote → mid 0.5; step 50 %: down factors 0.5, 0 (skipped), −0.5 (skipped).
    const book = constantProductImpliedBook({ reserveBase: '4000000', reserveQuote: '2000000', fee: '0', stepPct: '50', levels: 3 });
    expect(book.mid).toBe('0.5');
    expect(book.asks.map((l) => l.price)).toEqual(['0.75', '1', '1.25']); // 0.5 × 1.5, × 2, × 2.5
    expect(book.bids.map((l) => l.price)).toEqual(['0.25']); // 0.5 × 0.5
    // bid amount: x(0.25) − x0 = sqrt(8e12/0.25) − 4e6 = sqrt(3.2e13) − 4e6 = 5656854.249492380195… − 4000000
    //           = 1656854.249492380195… → 12 dp: 1656854.249492380195
    expect(book.bids[0]!.amount).toBe('1656854.249492380195');
  });
});
