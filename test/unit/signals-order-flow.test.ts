import { bookOfi, bookTop, ofiEvent, tradeImbalance, type BookTop, type TradePrint } from '../../domain/signals/order-flow';

const trade = (side: 'buy' | 'sell', price: string, amount: string, timestamp: number): TradePrint => ({ side, price, amount, timestamp });

describe('tradeImbalance', () => {
  const trades = [
    trade('buy', '2', '10', 1000), // quote 20
    trade('sell', '2', '5', 1500), // quote 10
    trade('buy', '3', '5', 2000), // quote 15
    trade('sell', '2', '100', 0), // at the window's open edge: excluded (window is (now − w, now])
    trade('buy', '2', '100', 2001), // after now: excluded
  ];

  it('(buy − sell) / (buy + sell) of quote volume over the window', () => {
    const r = tradeImbalance(trades, { now: 2000, windowMs: 2000 });
    // buy 20 + 15 = 35, sell 10 → (35 − 10) / 45 = 0.5555…
    expect(r).toEqual({ imbalance: 25 / 45, buyVolume: 35, sellVolume: 10, total: 45, trades: 3 });
  });

  it('in base units when asked', () => {
    const r = tradeImbalance(trades, { now: 2000, windowMs: 2000, measure: 'base' });
    // buy 10 + 5 = 15, sell 5 → 10 / 20 = 0.5
    expect(r.imbalance).toBe(0.5);
  });

  it('is 0 with total 0 when nothing traded, and −1 for sells only', () => {
    expect(tradeImbalance([], { now: 1, windowMs: 1 })).toEqual({ imbalance: 0, buyVolume: 0, sellVolume: 0, total: 0, trades: 0 });
    expect(tradeImbalance([trade('sell', '1', '3', 5)], { now: 5, windowMs: 10 }).imbalance).toBe(-1);
  });
});

describe('Cont–Kukanov–Stoikov book OFI', () => {
  const top = (bidPrice: number, bidSize: number, askPrice: number, askSize: number): BookTop => ({ bidPrice, bidSize, askPrice, askSize });
  const base = top(100, 10, 101, 8);

  it('each case of the definition, by hand', () => {
    // Same prices: bid size 10 → 14 adds 4; ask size 8 → 5 removes 3 from the ask, which is +3.
    //   e = 14 − 10 − 5 + 8 = 7
    expect(ofiEvent(base, top(100, 14, 101, 5))).toBe(7);
    // Bid up to 100.5 with 3: +3 (old bid not subtracted); ask unchanged 8 → 8: −8 + 8 = 0 → 3
    expect(ofiEvent(base, top(100.5, 3, 101, 8))).toBe(3);
    // Bid down to 99.5 with 20: −10 (old bid gone), new size not added; ask unchanged → −10
    expect(ofiEvent(base, top(99.5, 20, 101, 8))).toBe(-10);
    // Ask down to 100.8 with 6: −6 (selling pressure); bid unchanged → −6
    expect(ofiEvent(base, top(100, 10, 100.8, 6))).toBe(-6);
    // Ask up to 101.5 with 30: +8 (old ask gone); bid unchanged → 8
    expect(ofiEvent(base, top(100, 10, 101.5, 30))).toBe(8);
  });

  it('sums events and normalizes by the mean top depth; an empty side breaks the chain', () => {
    const snaps = [base, top(100, 14, 101, 5), undefined, top(100.5, 3, 101, 8), top(100.5, 5, 101, 8)];
    const r = bookOfi(snaps);
    // Pairs: (base → 2nd) = 7; (2nd → undefined) skipped; (undefined → 4th) skipped; (4th → 5th): 5 − 3 = 2
    expect(r.ofi).toBe(9);
    expect(r.events).toBe(2);
    // Mean depth over defined snapshots: (9 + 9.5 + 5.5 + 6.5) / 4 = 7.625
    expect(r.normalized).toBeCloseTo(9 / 7.625, 15);
  });

  it('reads the top of an OrderBookSnapshot', () => {
    expect(bookTop({ bids: [{ price: '0.4995', amount: '100' }], asks: [{ price: '0.5005', amount: '50' }] })).toEqual(top(0.4995, 100, 0.5005, 50));
    expect(bookTop({ bids: [], asks: [{ price: '1', amount: '1' }] })).toBeUndefined();
  });
});
