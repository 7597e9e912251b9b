// The order lifecycle in ManagedVenue against a scripted in-memory adapter (pure logic; the real
// adapters run the shared conformance suite in test/components).
import { ManagedVenue } from '../../venues/managed-venue';
import { VenueError, isVenueError } from '../../venues/venue-errors';
import type { Fill, SubmitOrder, VenueAdapter, VenueOrder } from '../../venues/venue.port';

class ScriptedAdapter implements VenueAdapter {
  readonly id = 'scripted';
  readonly capabilities = { limitOrders: true, swaps: false, transfers: false, streams: false };
  submitted: SubmitOrder[] = [];
  orders = new Map<string, VenueOrder>();
  trades: Fill[] = [];
  onSubmit: (o: SubmitOrder) => Promise<VenueOrder> = async (o) => this.accept(o);
  seenByAdapterAtSubmit: string[] = [];
  tracker?: ManagedVenue['tracker'];
  cancelCalls = 0;

  accept(o: SubmitOrder): VenueOrder {
    const v: VenueOrder = { venueOrderId: `v-${this.submitted.length}`, clientOrderId: o.clientOrderId, side: o.side, price: o.price, amount: o.amount, filled: '0', status: 'open', timestamp: 1 };
    this.orders.set(o.clientOrderId, v);
    return v;
  }
  async loadMarket() {
    return { symbol: 'BLST/USDT', base: 'BLST', quote: 'USDT', tickSize: '0.001', lotSize: '1', minNotional: '5', makerFee: '0.001', takerFee: '0.002' };
  }
  async fetchOrderBook() {
    return { venue: this.id, market: 'BLST/USDT', timestamp: 1, bids: [], asks: [] };
  }
  async fetchBalances() {
    return [];
  }
  async health() {
    return { ok: true, checkedAt: 1 };
  }
  async submitOrder(o: SubmitOrder) {
    this.submitted.push(o);
    this.seenByAdapterAtSubmit.push(this.tracker?.get(o.clientOrderId)?.status ?? 'untracked');
    return this.onSubmit(o);
  }
  async cancelOrder(ref: { clientOrderId: string }) {
    this.cancelCalls += 1;
    const v = this.orders.get(ref.clientOrderId);
    if (!v || v.status !== 'open') throw new VenueError('VENUE.ORDER_NOT_FOUND', this.id, 'unknown order');
    this.orders.set(ref.clientOrderId, { ...v, status: 'canceled' });
  }
  async fetchOrder(ref: { clientOrderId: string }) {
    return this.orders.get(ref.clientOrderId);
  }
  async fetchOpenOrders() {
    return [...this.orders.values()].filter((o) => o.status === 'open' || o.status === 'partially_filled');
  }
  async fetchMyTrades() {
    return this.trades;
  }
}

function setup() {
  const adapter = new ScriptedAdapter();
  let t = 1000;
  const venue = new ManagedVenue(adapter, { now: () => (t += 1), clientIdPrefix: 'mm' });
  adapter.tracker = venue.tracker;
  return { adapter, venue };
}

describe('ManagedVenue order lifecycle', () => {
  it('assigns client ids, tracks before sending and quantizes to tick and lot (never more aggressive)', async () => {
    const { adapter, venue } = setup();
    const buy = await venue.placeOrder({ side: 'buy', price: '0.49999', amount: '100.9', postOnly: true });
    const sell = await venue.placeOrder({ side: 'sell', price: '0.50001', amount: '100', postOnly: true });
    expect(adapter.seenByAdapterAtSubmit).toEqual(['pending', 'pending']);
    expect(adapter.submitted.map((o) => [o.clientOrderId, o.price, o.amount])).toEqual([
      ['mm-1', '0.499', '100'],
      ['mm-2', '0.501', '100'],
    ]);
    expect(buy.status).toBe('open');
    expect(sell.venueOrderId).toBe('v-2');
  });

  it('rejects locally below one lot or below min notional without calling the venue', async () => {
    const { adapter, venue } = setup();
    await expect(venue.placeOrder({ side: 'buy', price: '0.5', amount: '0.9', postOnly: true })).rejects.toMatchObject({ code: 'VENUE.INVALID_ORDER' });
    // 9 × 0.5 = 4.5 < 5
    await expect(venue.placeOrder({ side: 'buy', price: '0.5', amount: '9', postOnly: true })).rejects.toThrow(/notional 4.5 is below the minimum 5/);
    expect(adapter.submitted).toHaveLength(0);
  });

  it('marks definite rejections rejected, and leaves unknown outcomes pending for reconcile', async () => {
    const { adapter, venue } = setup();
    adapter.onSubmit = async () => {
      throw new VenueError('VENUE.POST_ONLY_WOULD_CROSS', 'scripted', 'would take');
    };
    await expect(venue.placeOrder({ side: 'buy', price: '0.5', amount: '100', postOnly: true })).rejects.toMatchObject({ code: 'VENUE.POST_ONLY_WOULD_CROSS' });
    expect(venue.tracker.get('mm-1')?.status).toBe('rejected');

    // The venue accepted the order but the answer timed out.
    adapter.onSubmit = async (o) => {
      adapter.accept(o);
      throw new VenueError('VENUE.UNAVAILABLE', 'scripted', 'timed out');
    };
    const err = await venue.placeOrder({ side: 'buy', price: '0.5', amount: '100', postOnly: true }).catch((e: unknown) => e);
    expect(isVenueError(err, 'VENUE.UNAVAILABLE')).toBe(true);
    expect(venue.tracker.get('mm-2')?.status).toBe('pending');
    const r = await venue.reconcile();
    expect(r.open).toBe(1);
    expect(venue.tracker.get('mm-2')).toMatchObject({ status: 'open', venueOrderId: 'v-2' });
  });

  it('declares an unsettled order lost after three "not found" answers in a row', async () => {
    const { adapter, venue } = setup();
    adapter.onSubmit = async () => {
      throw new VenueError('VENUE.UNAVAILABLE', 'scripted', 'connection reset');
    };
    await venue.placeOrder({ side: 'sell', price: '0.6', amount: '10', postOnly: true }).catch(() => undefined);
    await venue.reconcile();
    await venue.reconcile();
    expect(venue.tracker.get('mm-1')).toMatchObject({ status: 'pending', notFound: 2 });
    const r = await venue.reconcile();
    expect(r.lost).toBe(1);
    expect(venue.tracker.get('mm-1')?.status).toBe('lost');
  });

  it('de-duplicates fills by trade id and never double counts a venue report and a fill', async () => {
    const { adapter, venue } = setup();
    await venue.placeOrder({ side: 'buy', price: '0.5', amount: '100', postOnly: true });
    const fill = (tradeId: string, amount: string, timestamp: number): Fill => ({
      tradeId, venueOrderId: 'v-1', clientOrderId: 'mm-1', side: 'buy', price: '0.5', amount, fee: '0.04', feeAsset: 'BLST', liquidity: 'maker', timestamp,
    });
    adapter.trades = [fill('t1', '40', 10)];
    adapter.orders.set('mm-1', { ...adapter.orders.get('mm-1')!, filled: '40', status: 'partially_filled' });
    await venue.reconcile();
    expect(venue.tracker.get('mm-1')).toMatchObject({ filled: '40', status: 'partially_filled' });
    // The same trade reported again, plus a new one.
    adapter.trades = [fill('t1', '40', 10), fill('t2', '60', 11)];
    const fresh = await venue.syncFills();
    expect(fresh.map((f) => f.tradeId)).toEqual(['t2']);
    expect(venue.tracker.fills().map((f) => f.tradeId)).toEqual(['t1', 't2']);
    expect(venue.tracker.get('mm-1')).toMatchObject({ filled: '100', status: 'filled' });
  });

  it('cancels, and treats "not found" on cancel as already gone', async () => {
    const { adapter, venue } = setup();
    await venue.placeOrder({ side: 'buy', price: '0.5', amount: '100', postOnly: true });
    expect((await venue.cancelOrder('mm-1'))?.status).toBe('canceled');
    expect(adapter.cancelCalls).toBe(1);
    expect((await venue.cancelOrder('mm-1'))?.status).toBe('canceled'); // terminal: nothing sent
    expect(adapter.cancelCalls).toBe(1);
    await venue.placeOrder({ side: 'buy', price: '0.5', amount: '100', postOnly: true });
    adapter.orders.set('mm-2', { ...adapter.orders.get('mm-2')!, filled: '100', status: 'filled' });
    expect((await venue.cancelOrder('mm-2'))?.status).toBe('filled');
    await expect(venue.cancelOrder('nope')).rejects.toMatchObject({ code: 'VENUE.ORDER_NOT_FOUND' });
  });

  it('says plainly when the venue cannot do something', async () => {
    const { adapter, venue } = setup();
    await expect(venue.withdraw({ asset: 'BLST', amount: '1', address: '0x0', network: 'evm', idempotencyKey: 'k' })).rejects.toMatchObject({ code: 'VENUE.NOT_SUPPORTED' });
    expect(adapter.submitted).toHaveLength(0);
  });
});
