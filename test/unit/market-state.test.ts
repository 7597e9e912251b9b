import { D } from '../../domain/money';
import { mulberry32 } from '../../domain/rng';
import type { PublicTrade } from '../../venues/venue.port';
import { MarketState, type OwnOrder } from '../../domain/quoting/market-state';

const book = (bids: [string, string][], asks: [string, string][]) => ({
  venue: 'a',
  market: 'BLST/USDT',
  timestamp: 0,
  bids: bids.map(([price, amount]) => ({ price, amount })),
  asks: asks.map(([price, amount]) => ({ price, amount })),
});

function trade(ts: number, price: string, amount: string, i: number): PublicTrade {
  return { tradeId: `t${i}`, timestamp: ts, price, amount, side: 'buy' };
}

describe('MarketState', () => {
  it('takes our own orders out of the top of book before the fair value (by value, not by string)', () => {
    const m = new MarketState();
    m.register('a', 'cex', '0.001');
    m.updateBook('a', book([['2.50', '10'], ['2.49', '5']], [['2.52', '7'], ['2.53', '1']]), 1000);
    // Our bid at 2.5 (written differently) is the whole 2.50 level; our ask at 2.52 is part of it.
    m.setOwnOrders('a', [
      { side: 'buy', price: '2.5', amount: '10' },
      { side: 'sell', price: '2.520', amount: '3' },
    ]);
    const fv = m.fairValue(1000, { maxAgeMs: 10_000 });
    expect(fv.ok).toBe(true);
    if (fv.ok) expect(fv.fairValue).toBeCloseTo((2.49 + 2.52) / 2, 12);
    // Two own orders at one price sum (2 + 5 = 7 takes the whole 2.52 ask level).
    m.setOwnOrders('a', [
      { side: 'sell', price: '2.52', amount: '2' },
      { side: 'sell', price: '2.52', amount: '5' },
    ]);
    const fv2 = m.fairValue(1000, { maxAgeMs: 10_000 });
    if (!fv2.ok) throw new Error('expected a fair value');
    expect(fv2.fairValue).toBeCloseTo((2.5 + 2.53) / 2, 12);
  });

  it('agrees with the full externalBook on random books and own orders', () => {
    const rng = mulberry32(11);
    const m = new MarketState();
    m.register('a', 'cex', '0');
    for (let n = 0; n < 300; n++) {
      const bids: [string, string][] = Array.from({ length: 6 }, (_, i) => [new D(2.5).minus(new D(i).times('0.001')).toFixed(3), String(1 + Math.floor(rng() * 5))]);
      const asks: [string, string][] = Array.from({ length: 6 }, (_, i) => [new D(2.51).plus(new D(i).times('0.001')).toFixed(3), String(1 + Math.floor(rng() * 5))]);
      const own: OwnOrder[] = [];
      for (let k = 0; k < 4; k++) {
        const side = rng() < 0.5 ? 'buy' : 'sell';
        const lvl = (side === 'buy' ? bids : asks)[Math.floor(rng() * 3)]!;
        own.push({ side, price: lvl[0], amount: String(1 + Math.floor(rng() * 4)) });
      }
      m.updateBook('a', book(bids, asks), 0);
      m.setOwnOrders('a', own);
      const ext = m.externalBook('a')!;
      const fv = m.fairValue(0, { maxAgeMs: 1000 });
      if (ext.bids[0] && ext.asks[0]) {
        expect(fv.ok).toBe(true);
        if (fv.ok) expect(fv.fairValue).toBe((Number(ext.bids[0].price) + Number(ext.asks[0].price)) / 2);
      } else expect(fv.ok).toBe(false);
    }
  });

  it('weights venues by the quote volume in the window, matching a plain scan, after trimming and out of order', () => {
    const rng = mulberry32(5);
    const m = new MarketState();
    m.register('a', 'cex', '0');
    const all: PublicTrade[] = [];
    let ts = 0;
    for (let i = 0; i < 700; i++) {
      ts += Math.floor(rng() * 1000);
      const t = trade(ts, (2 + rng()).toFixed(4), String(1 + Math.floor(rng() * 50)), i);
      all.push(t);
      m.addTrades('a', [t]);
    }
    const kept = all.slice(-500);
    const scan = (from: number, to: number, ts2: PublicTrade[]) => ts2.filter((t) => t.timestamp > from && t.timestamp <= to).reduce((s, t) => s + Number(t.price) * Number(t.amount), 0);
    for (const [now, w] of [[ts, 60_000], [ts, 3_600_000], [ts - 50_000, 20_000], [ts + 1, 1]] as const) {
      expect(m.volumeQuote('a', now, w)).toBeCloseTo(scan(now - w, now, kept), 6);
    }
    expect(m.volumeQuote('a', ts, 3_600_000)).toBeGreaterThan(0);
    // A late report (older timestamp) switches to the scan and stays right.
    const late = trade(ts - 100_000, '3', '10', 999);
    m.addTrades('a', [late]);
    const kept2 = [...all.slice(-499), late];
    expect(m.volumeQuote('a', ts, 200_000)).toBeCloseTo(scan(ts - 200_000, ts, kept2), 6);
  });
});
