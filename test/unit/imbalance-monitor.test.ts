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
    expect(setup({ bid: '0.499', ask: '0.5005', amount: '200000' }, '100000')).toEqual({ INVENTORY_DRIFT: 0, COMPLIANCE_BREACH: 0, VENUE_UNHEALTHY: 0 });
  });

  it('flags a requirement breach, inventory drift in percent, and an unhealthy venue', () => {
    // spread (0.51 − 0.49) / 0.5 = 4 % > 0.5 %; inventory 130 000 vs 100 000 → 30 %.
    expect(setup({ bid: '0.49', ask: '0.51', amount: '200000' }, '130000', false)).toEqual({ INVENTORY_DRIFT: 30, COMPLIANCE_BREACH: 1, VENUE_UNHEALTHY: 1 });
    // Too thin: 1 000 × 0.499 ≈ 499 per side < 50 000.
    expect(setup({ bid: '0.499', ask: '0.5005', amount: '1000' }, '100000').COMPLIANCE_BREACH).toBe(1);
  });
});
