// The shared conformance suite every Venue adapter must pass (sim, ccxt against the exchange
// emulator, the AMM on the local EVM). Call `describeVenueConformance` from an adapter's test file
// with a harness that builds the adapter on its real backend. Capability flags decide which parts
// apply; nothing is skipped silently: a capability the adapter claims is tested.
import { D } from '../../domain/money';
import { OrderBookSnapshotSchema } from '../../domain/order-book';
import { ManagedVenue } from '../../venues/managed-venue';
import { isVenueError } from '../../venues/venue-errors';
import type { OrderBookSnapshot } from '../../domain/order-book';
import type { MarketRules, Side, VenueAdapter } from '../../venues/venue.port';

export interface ConformanceHarness {
  adapter: VenueAdapter;
  /** Let asynchronous effects land (advance a virtual clock, mine a block, wait for a stream). */
  settle(): Promise<void>;
  /** Another account takes liquidity at `price` (crossing our resting order). Required for limitOrders. */
  takeLiquidity?(side: Side, price: string, amount: string): Promise<void>;
  /** A valid withdrawal destination and asset. Required for transfers. */
  withdrawTo?: { address: string; asset: string; amount: string; network: string };
  teardown(): Promise<void>;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

function isMultiple(value: string, step: string): boolean {
  return new D(value).mod(step).isZero();
}

/** A post-only price safely away from the touch, on the tick grid, with notional ≥ min. */
function restingOrder(book: OrderBookSnapshot, rules: MarketRules, side: Side): { price: string; amount: string } {
  const bestBid = book.bids[0]?.price;
  const bestAsk = book.asks[0]?.price;
  const ref = new D(side === 'buy' ? (bestBid ?? bestAsk ?? '1') : (bestAsk ?? bestBid ?? '1'));
  const raw = side === 'buy' ? ref.times(0.9) : ref.times(1.1);
  const ticks = raw.div(rules.tickSize);
  const price = (side === 'buy' ? ticks.floor() : ticks.ceil()).times(rules.tickSize);
  const minAmount = D.max(new D(rules.minNotional).div(price).times(2), rules.lotSize);
  const amount = minAmount.div(rules.lotSize).ceil().times(rules.lotSize);
  return { price: price.toFixed(), amount: amount.toFixed() };
}

/** The best price on `side` that does not cross: one tick inside the spread (needs a spread > 1 tick). */
function bestNonCrossing(book: OrderBookSnapshot, rules: MarketRules, side: Side): string {
  const bid = book.bids[0]?.price;
  const ask = book.asks[0]?.price;
  if (!bid || !ask) return restingOrder(book, rules, side).price;
  const p = side === 'sell' ? new D(ask).minus(rules.tickSize) : new D(bid).plus(rules.tickSize);
  if (p.lte(bid) || p.gte(ask)) throw new Error(`conformance needs a spread wider than one tick (bid ${bid}, ask ${ask})`);
  return p.toFixed();
}

export function describeVenueConformance(name: string, makeHarness: () => Promise<ConformanceHarness>): void {
  describe(`Venue conformance: ${name}`, () => {
    let h: ConformanceHarness;
    let venue: ManagedVenue;
    let rules: MarketRules;
    let clock = 0;

    beforeAll(async () => {
      h = await makeHarness();
      venue = new ManagedVenue(h.adapter, { now: () => (clock += 1), clientIdPrefix: `conf${Date.now().toString(36)}` });
      rules = await venue.rules();
    });
    afterAll(async () => h?.teardown());

    it('describes its market with positive decimal rules', () => {
      expect(rules.symbol).toBe(`${rules.base}/${rules.quote}`);
      for (const k of ['tickSize', 'lotSize'] as const) {
        expect(rules[k]).toMatch(DECIMAL);
        expect(new D(rules[k]).gt(0)).toBe(true);
      }
      for (const k of ['minNotional', 'makerFee', 'takerFee'] as const) expect(rules[k]).toMatch(DECIMAL);
      expect(new D(rules.takerFee).gte(0)).toBe(true);
    });

    it('serves a valid, sorted, uncrossed order book', async () => {
      const book = OrderBookSnapshotSchema.parse(await venue.fetchOrderBook(20));
      for (let i = 1; i < book.bids.length; i++) expect(new D(book.bids[i]!.price).lt(book.bids[i - 1]!.price)).toBe(true);
      for (let i = 1; i < book.asks.length; i++) expect(new D(book.asks[i]!.price).gt(book.asks[i - 1]!.price)).toBe(true);
      if (book.bids[0] && book.asks[0]) expect(new D(book.bids[0].price).lt(book.asks[0].price)).toBe(true);
      expect(book.bids.length + book.asks.length).toBeGreaterThan(0);
    });

    it('reports balances as exact decimals with total = free + locked', async () => {
      const balances = await venue.fetchBalances();
      expect(balances.length).toBeGreaterThan(0);
      for (const b of balances) {
        for (const v of [b.free, b.locked, b.total]) expect(v).toMatch(DECIMAL);
        expect(new D(b.free).plus(b.locked).eq(b.total)).toBe(true);
      }
    });

    it('reports health', async () => {
      const health = await venue.health();
      expect(health.ok).toBe(true);
      expect(typeof health.checkedAt).toBe('number');
    });

    const limit = () => h.adapter.capabilities.limitOrders;

    it('rests a post-only order, lists it, and cancels it (limit-order venues)', async () => {
      if (!limit()) return expect(h.adapter.submitOrder).toBeUndefined();
      const book = await venue.fetchOrderBook(20);
      const o = restingOrder(book, rules, 'buy');
      const placed = await venue.placeOrder({ side: 'buy', ...o, postOnly: true });
      expect(placed.status).toBe('open');
      expect(isMultiple(placed.price, rules.tickSize) && isMultiple(placed.amount, rules.lotSize)).toBe(true);
      await h.settle();
      const open = await h.adapter.fetchOpenOrders!();
      expect(open.map((x) => x.clientOrderId)).toContain(placed.clientOrderId);
      const canceled = await venue.cancelOrder(placed.clientOrderId);
      expect(canceled?.status).toBe('canceled');
      await h.settle();
      expect((await h.adapter.fetchOpenOrders!()).map((x) => x.clientOrderId)).not.toContain(placed.clientOrderId);
    });

    it('rejects a post-only order that would cross, typed (limit-order venues)', async () => {
      if (!limit()) return;
      const book = await venue.fetchOrderBook(20);
      const ask = book.asks[0];
      if (!ask) throw new Error('conformance needs resting asks on the venue');
      const amount = restingOrder(book, rules, 'buy').amount;
      const err = await venue.placeOrder({ side: 'buy', price: ask.price, amount, postOnly: true }).catch((e: unknown) => e);
      expect(isVenueError(err, 'VENUE.POST_ONLY_WOULD_CROSS')).toBe(true);
    });

    it("returns the venue's own rejection for an order off its tick grid (limit-order venues)", async () => {
      if (!limit()) return;
      const book = await venue.fetchOrderBook(20);
      const o = restingOrder(book, rules, 'buy');
      const offGrid = new D(o.price).plus(new D(rules.tickSize).div(3)).toFixed();
      const err = await h.adapter.submitOrder!({ clientOrderId: venue.nextClientOrderId(), side: 'buy', price: offGrid, amount: o.amount, postOnly: true, timeInForce: 'GTC' }).catch((e: unknown) => e);
      expect(isVenueError(err, 'VENUE.INVALID_ORDER')).toBe(true);
    });

    it('rejects an order it cannot fund, typed (limit-order venues)', async () => {
      if (!limit()) return;
      const book = await venue.fetchOrderBook(20);
      const o = restingOrder(book, rules, 'buy');
      const quote = (await venue.fetchBalances()).find((b) => b.asset === rules.quote);
      // Twice what the free quote balance can pay for at this price.
      const amount = new D(quote?.free ?? '0').div(o.price).times(2).div(rules.lotSize).ceil().times(rules.lotSize);
      const err = await venue.placeOrder({ side: 'buy', price: o.price, amount: D.max(amount, o.amount).toFixed(), postOnly: true }).catch((e: unknown) => e);
      expect(isVenueError(err, 'VENUE.INSUFFICIENT_FUNDS')).toBe(true);
    });

    it('reports a maker fill once, with its fee (limit-order venues)', async () => {
      if (!limit()) return;
      if (!h.takeLiquidity) throw new Error('a limit-order harness must provide takeLiquidity');
      const book = await venue.fetchOrderBook(20);
      // Our ask must be the best, so the taker's buy at our price meets it first.
      const o = { ...restingOrder(book, rules, 'sell'), price: bestNonCrossing(book, rules, 'sell') };
      const placed = await venue.placeOrder({ side: 'sell', ...o, postOnly: true });
      await h.settle();
      await h.takeLiquidity('buy', placed.price, placed.amount);
      await h.settle();
      const fills = await venue.syncFills();
      const mine = fills.filter((f) => f.clientOrderId === placed.clientOrderId || f.venueOrderId === placed.venueOrderId);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.reduce((a, f) => a.plus(f.amount), new D(0)).eq(placed.amount)).toBe(true);
      for (const f of mine) {
        expect(f.liquidity).toBe('maker');
        expect(f.price).toBe(placed.price);
        expect([rules.base, rules.quote]).toContain(f.feeAsset);
        expect(f.fee).toMatch(DECIMAL);
      }
      expect(await venue.syncFills()).toEqual([]);
      await venue.reconcile();
      expect(venue.tracker.get(placed.clientOrderId)?.status).toBe('filled');
    });

    it('withdraws idempotently: the same key twice moves funds once (transfer venues)', async () => {
      if (!h.adapter.capabilities.transfers) return;
      const to = h.withdrawTo;
      if (!to) throw new Error('a transfer harness must provide withdrawTo');
      const addr = await venue.fetchDepositAddress(to.asset);
      expect(addr.address).toMatch(/^0x[0-9a-fA-F]{40}$/);
      const key = `conformance-${clock}-${Date.now()}`;
      const first = await venue.withdraw({ ...to, idempotencyKey: key });
      const second = await venue.withdraw({ ...to, idempotencyKey: key });
      expect(second.id).toBe(first.id);
      await h.settle();
      const all = await venue.fetchWithdrawals(to.asset);
      expect(all.filter((w) => w.id === first.id)).toHaveLength(1);
    });

    it('streams book updates (streaming venues)', async () => {
      if (!h.adapter.capabilities.streams || !h.adapter.watchOrderBook) return;
      const seen: OrderBookSnapshot[] = [];
      const errors: Error[] = [];
      const stop = h.adapter.watchOrderBook((b) => seen.push(b), (e) => errors.push(e));
      try {
        await h.settle();
        if (limit()) {
          const o = restingOrder(await venue.fetchOrderBook(20), rules, 'buy');
          const placed = await venue.placeOrder({ side: 'buy', ...o, postOnly: true });
          await h.settle();
          await venue.cancelOrder(placed.clientOrderId);
        }
        await h.settle();
        expect(errors).toEqual([]);
        expect(seen.length).toBeGreaterThan(0);
        OrderBookSnapshotSchema.parse(seen[seen.length - 1]);
      } finally {
        stop();
      }
    });
  });
}
