import { summarizeFills, type ReportFill } from '../../domain/report/realized-pnl';

const M = { base: 'BLST', quote: 'USDT' };
let n = 0;
const fill = (side: 'buy' | 'sell', amount: string, price: string, fee = '0', feeAsset = 'USDT', timestamp = ++n): ReportFill => ({ tradeId: `t${timestamp}`, side, amount, price, fee, feeAsset, timestamp });

describe('summarizeFills (average cost, decimal)', () => {
  it('realizes against the weighted average cost and values base fees at the fill price', () => {
    const s = summarizeFills([fill('buy', '10', '1', '0.01'), fill('buy', '10', '2', '0.02', 'BLST'), fill('sell', '5', '3', '0.015')], M);
    expect(s).toEqual({
      trades: 3,
      buys: 2,
      sells: 1,
      boughtBase: '20',
      soldBase: '5',
      volumeBase: '25',
      volumeQuote: '45',
      feesQuote: '0.065', // 0.01 + 0.02 BLST × 2 + 0.015
      otherFees: {},
      realizedPnlQuote: '7.5', // (3 − 1.5) × 5
      netRealizedQuote: '7.435',
      realizedLossQuote: '0',
      positionBase: '15',
      averageCost: '1.5',
    });
  });

  it('closes at the average cost when a fill crosses zero and opens the rest at the fill price', () => {
    const s = summarizeFills([fill('buy', '10', '1'), fill('sell', '15', '1.2'), fill('buy', '5', '1')], M);
    // long 10 @ 1 → sell 15 @ 1.2: +2 on 10, short 5 @ 1.2 → buy 5 @ 1: +1.
    expect(s.realizedPnlQuote).toBe('3');
    expect(s.positionBase).toBe('0');
    expect(s.averageCost).toBeNull();
  });

  it('reports a loss after fees as a positive realized loss', () => {
    const s = summarizeFills([fill('buy', '10', '2'), fill('sell', '10', '1.5', '0.1')], M);
    expect(s.realizedPnlQuote).toBe('-5');
    expect(s.netRealizedQuote).toBe('-5.1');
    expect(s.realizedLossQuote).toBe('5.1');
  });

  it('is exact where binary floats are not', () => {
    const s = summarizeFills([fill('buy', '0.1', '0.7'), fill('buy', '0.2', '0.7'), fill('sell', '0.3', '0.8')], M);
    expect(s.realizedPnlQuote).toBe('0.03');
    expect(s.volumeQuote).toBe('0.45');
  });

  it('counts each trade id once, in time order, whatever order the venue returns them in', () => {
    const fills = [fill('buy', '10', '1', '0', 'USDT', 100), fill('sell', '10', '2', '0', 'USDT', 200), fill('buy', '10', '4', '0', 'USDT', 300)];
    const shuffled = [fills[2]!, fills[0]!, fills[1]!, fills[0]!, fills[2]!];
    expect(summarizeFills(shuffled, M)).toEqual(summarizeFills(fills, M));
    expect(summarizeFills(shuffled, M).realizedPnlQuote).toBe('10');
    expect(summarizeFills(shuffled, M).trades).toBe(3);
  });

  it('counts only fills inside the window [from, to)', () => {
    const fills = [fill('buy', '1', '1', '0', 'USDT', 999), fill('buy', '2', '1', '0', 'USDT', 1000), fill('sell', '2', '3', '0', 'USDT', 1999), fill('sell', '1', '9', '0', 'USDT', 2000)];
    const s = summarizeFills(fills, M, { window: { fromMs: 1000, toMs: 2000 } });
    expect(s.trades).toBe(2);
    expect(s.realizedPnlQuote).toBe('4');
  });

  it('starts from an opening position when given, and keeps fees in other assets apart', () => {
    const s = summarizeFills([fill('sell', '10', '0.6', '0.001', 'BNB')], M, { opening: { positionBase: '100', averageCost: '0.5' } });
    expect(s.realizedPnlQuote).toBe('1');
    expect(s.positionBase).toBe('90');
    expect(s.averageCost).toBe('0.5');
    expect(s.feesQuote).toBe('0');
    expect(s.otherFees).toEqual({ BNB: '0.001' });
  });

  it('is zero on no fills', () => {
    const s = summarizeFills([], M);
    expect([s.trades, s.volumeQuote, s.feesQuote, s.realizedPnlQuote, s.realizedLossQuote, s.positionBase, s.averageCost]).toEqual([0, '0', '0', '0', '0', '0', null]);
  });
});
