import { MarketState } from '../../domain/quoting/market-state';
import { ImbalanceMonitor } from '../../hotpath/imbalance-monitor';

const REQ = { maxSpreadPct: '0.5', minDepthQuote: '50000', depthBandPct: '2', minVolume24hQuote: '0' };

function setup(book: { bid: string; ask: string; amount: string }, inventory: string, healthy = true) {
  const market = new MarketState();
  market.register('bravo', 'cex', '0.001');
  market.updateBook('bravo', { venue: 'bravo', market: 'BLST/USDT', timestamp: 0, bids: [{ price: book.bid, amount: book.amount }], asks: [{ price: book.ask, amount: book.amount }] }, 0);
  market.setObservation('bravo', { venueId: 'bravo', pnlQuote: '0', inventoryBase: inventory, healthy, lastBookAt: 0 });
  market.setHealthy('bravo', healthy);
  const monitor = new ImbalanceMonitor(market, async () => undefined, { venues: [{ venueId: 'bravo', targetInventory: '100000', requirements: REQ }] });
  return Object.fromEntries(monitor.observe(1000).map((o) => [o.kind, o.value]));
}

describe('ImbalanceMonitor observations', () => {
  it('reads a compliant, balanced, healthy venue as calm', () => {
    // spread (0.5005 − 0.499) / 0.49975 = 0.30 %; 200 000 × 0.499 ≈ 99 800 per side within ±2 %.
    expect(setup({ bid: '0.499', ask: '0.5005', amount: '200000' }, '100000')).toEqual({ INVENTORY_DRIFT: 0, COMPLIANCE_BREACH: 0, VENUE_UNHEALTHY: 0, SELL_OFF: 0 });
  });

  it('flags a requirement breach, inventory drift in percent, and an unhealthy venue', () => {
    // spread (0.51 − 0.49) / 0.5 = 4 % > 0.5 %; inventory 130 000 vs 100 000 → 30 %.
    expect(setup({ bid: '0.49', ask: '0.51', amount: '200000' }, '130000', false)).toEqual({ INVENTORY_DRIFT: 30, COMPLIANCE_BREACH: 1, VENUE_UNHEALTHY: 1, SELL_OFF: 0 });
    // Too thin: 1 000 × 0.499 ≈ 499 per side < 50 000.
    expect(setup({ bid: '0.499', ask: '0.5005', amount: '1000' }, '100000').COMPLIANCE_BREACH).toBe(1);
  });
});

describe('ImbalanceMonitor SELL_OFF', () => {
  const MIN = 60_000;
  const book = (mid: number, at: number) => ({
    venue: 'bravo',
    market: 'BLST/USDT',
    timestamp: at,
    bids: [{ price: (mid * 0.999).toFixed(6), amount: '200000' }],
    asks: [{ price: (mid * 1.001).toFixed(6), amount: '200000' }],
  });
  const ANCHOR = { windowMs: 60 * MIN, lagMs: 5 * MIN, sampleEveryMs: 30_000, minSamples: 20 };

  /** An hour at 0.5, then the mid at `mid` with the last 15 min's taker flow `sellShare` selling. */
  function after(mid: number, sellShare: number): number {
    const market = new MarketState();
    market.register('bravo', 'cex', '0.001');
    market.register('alpha', 'cex', '0.001');
    const monitor = new ImbalanceMonitor(market, async () => undefined, { venues: [{ venueId: 'bravo', targetInventory: '0' }], flowWindowMs: 15 * MIN, sellOff: { anchor: ANCHOR, minSellShare: 0.55 } });
    let t = 0;
    for (; t <= 65 * MIN; t += 30_000) {
      for (const v of ['alpha', 'bravo']) market.updateBook(v, { ...book(0.5, t), venue: v }, t);
      monitor.observe(t);
    }
    t += 60_000;
    for (const v of ['alpha', 'bravo']) market.updateBook(v, { ...book(mid, t), venue: v }, t);
    market.addTrades('bravo', [
      { tradeId: 's', price: String(mid), amount: String(10_000 * sellShare), side: 'sell', timestamp: t - 1000 },
      { tradeId: 'b', price: String(mid), amount: String(10_000 * (1 - sellShare)), side: 'buy', timestamp: t - 1000 },
    ]);
    return monitor.observe(t).find((o) => o.kind === 'SELL_OFF')!.value;
  }

  it('measures how far below the trailing anchor the mid is while selling dominates', () => {
    expect(after(0.49, 0.8)).toBeCloseTo(2, 6);
    expect(after(0.4975, 0.6)).toBeCloseTo(0.5, 6);
  });

  it('is 0 without one-sided selling, or with the price at or above the anchor', () => {
    expect(after(0.49, 0.5)).toBe(0);
    expect(after(0.51, 0.9)).toBe(0);
  });
});
