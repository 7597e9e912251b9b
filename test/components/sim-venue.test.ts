// SimVenue end to end over a real SimExchange + MatchingEngine, under a VirtualClock.
import { OrderBookSnapshotSchema, type OrderBookSnapshot } from '../../domain/order-book';
import { mulberry32 } from '../../domain/rng';
import { RealClock, VirtualClock } from '../../hotpath/clocks';
import { presetExchangeConfig } from '../../sim/exchange/exchange-presets';
import { evmAddress } from '../../sim/exchange/hex-ids';
import { SimExchange } from '../../sim/exchange/sim-exchange';
import { TransferNetwork } from '../../sim/exchange/transfer-network';
import { SimVenue } from '../../venues/sim/sim-venue';
import type { PublicTrade, SubmitOrder } from '../../venues/venue.port';
import { isVenueError } from '../../venues/venue-errors';

// Preset market: tick 0.01, lot 0.1, min notional 5, maker fee 0.1 %, taker fee 0.2 %.
function setup() {
  const clock = new VirtualClock(1_700_000_000_000);
  const network = new TransferNetwork({ delayMs: { min: 500, max: 500 } }, { clock, rng: mulberry32(1) });
  const ex = new SimExchange(presetExchangeConfig('alpha', { latencyMs: { min: 10, max: 10 } }), { clock, rng: mulberry32(2), network });
  ex.fund('mm', 'BLST', '1000');
  ex.fund('mm', 'USDT', '10000');
  ex.fund('taker', 'USDT', '5000');
  const mm = new SimVenue(ex, 'mm');
  const taker = new SimVenue(ex, 'taker');
  const run = <T>(p: Promise<T>): Promise<T> => clock.resolve(p);
  return { clock, network, ex, mm, taker, run };
}

const order = (o: Partial<SubmitOrder>): SubmitOrder => ({ clientOrderId: 'c', side: 'buy', price: '1', amount: '10', postOnly: true, timeInForce: 'GTC', ...o });
const failure = (p: Promise<unknown>): Promise<string> => p.then(() => 'accepted', (e: unknown) => (isVenueError(e) ? e.code : `crash: ${String(e)}`));

describe('SimVenue', () => {
  it('describes itself and its market rules', async () => {
    const { mm, run } = setup();
    expect(mm.id).toBe('alpha');
    expect(mm.capabilities).toEqual({ limitOrders: true, swaps: false, transfers: true, streams: true, withdrawalClientIds: true });
    expect(await run(mm.loadMarket())).toEqual({
      symbol: 'BLST/USDT',
      base: 'BLST',
      quote: 'USDT',
      tickSize: '0.01',
      lotSize: '0.1',
      minNotional: '5',
      makerFee: '0.001',
      takerFee: '0.002',
    });
  });

  it('post-only quote, crossed by another account: both see the fill with the right fee and balances', async () => {
    const { mm, taker, run } = setup();
    const placed = await run(mm.submitOrder(order({ clientOrderId: 'ask-1', side: 'sell', price: '2.5', amount: '100' })));
    expect(placed).toMatchObject({ clientOrderId: 'ask-1', side: 'sell', price: '2.5', amount: '100', filled: '0', status: 'open' });

    const book = await run(taker.fetchOrderBook(5));
    expect(OrderBookSnapshotSchema.parse(book)).toEqual(book);
    expect(book).toMatchObject({ venue: 'alpha', market: 'BLST/USDT', bids: [], asks: [{ price: '2.5', amount: '100' }] });

    const hit = await run(taker.submitOrder(order({ clientOrderId: 'buy-1', side: 'buy', price: '2.5', amount: '40', postOnly: false, timeInForce: 'IOC' })));
    expect(hit).toMatchObject({ status: 'filled', filled: '40' });

    // Maker sold 40 @ 2.5 = 100 USDT, fee 0.1 % of what it received = 0.1 USDT.
    const [makerFill, ...moreM] = await run(mm.fetchMyTrades());
    expect(moreM).toEqual([]);
    expect(makerFill).toMatchObject({ venueOrderId: placed.venueOrderId, clientOrderId: 'ask-1', side: 'sell', price: '2.5', amount: '40', fee: '0.1', feeAsset: 'USDT', liquidity: 'maker' });
    // Taker bought 40 BLST, fee 0.2 % of 40 BLST = 0.08 BLST.
    const [takerFill] = await run(taker.fetchMyTrades());
    expect(takerFill).toMatchObject({ clientOrderId: 'buy-1', side: 'buy', price: '2.5', amount: '40', fee: '0.08', feeAsset: 'BLST', liquidity: 'taker' });
    expect(takerFill!.tradeId).toBe(makerFill!.tradeId);

    const bal = Object.fromEntries((await run(mm.fetchBalances())).map((b) => [b.asset, b]));
    expect(bal.BLST).toEqual({ asset: 'BLST', free: '900', locked: '60', total: '960' });
    expect(bal.USDT).toEqual({ asset: 'USDT', free: '10099.9', locked: '0', total: '10099.9' });
    const tb = Object.fromEntries((await run(taker.fetchBalances())).map((b) => [b.asset, b.total]));
    expect(tb).toEqual({ BLST: '39.92', USDT: '4900' });

    expect(await run(mm.fetchOrder({ clientOrderId: 'ask-1' }))).toMatchObject({ status: 'partially_filled', filled: '40' });
    expect(await run(mm.fetchMyTrades(makerFill!.timestamp + 1))).toEqual([]);
  });

  it('a post-only order that would cross is rejected with the typed error and nothing rests', async () => {
    const { mm, taker, run } = setup();
    await run(mm.submitOrder(order({ clientOrderId: 'ask', side: 'sell', price: '2.5', amount: '100' })));
    expect(await failure(run(taker.submitOrder(order({ clientOrderId: 'x', side: 'buy', price: '2.5', amount: '10' }))))).toBe('VENUE.POST_ONLY_WOULD_CROSS');
    expect(await failure(run(taker.submitOrder(order({ clientOrderId: 'y', side: 'buy', price: '2.6', amount: '10' }))))).toBe('VENUE.POST_ONLY_WOULD_CROSS');
    expect(await run(taker.fetchOpenOrders())).toEqual([]);
    expect(await run(taker.fetchMyTrades())).toEqual([]);
  });

  it('bad orders get VENUE.INVALID_ORDER (or the funds error), never a crash', async () => {
    const { taker, run } = setup();
    const attempts: [string, Partial<SubmitOrder>][] = [
      ['wrong tick', { price: '2.505' }],
      ['wrong lot', { amount: '10.05' }],
      ['below min notional', { price: '1', amount: '1' }],
      ['negative price', { price: '-2' }],
      ['garbage amount', { amount: 'lots' }],
      ['amount with an exponent', { amount: '1e3' }],
      ['not a side', { side: 'short' as never }],
    ];
    const got = await Promise.all(attempts.map(async ([what, o]) => [what, await failure(run(taker.submitOrder(order(o))))]));
    expect(got).toEqual(attempts.map(([what]) => [what, 'VENUE.INVALID_ORDER']));
    expect(await failure(run(taker.submitOrder(order({ price: '100', amount: '100' }))))).toBe('VENUE.INSUFFICIENT_FUNDS');
    // The message says what was wrong.
    const err: unknown = await run(taker.submitOrder(order({ price: '2.505' }))).catch((e: unknown) => e);
    expect(String(err)).toMatch(/tick/i);
  });

  it('cancels, reports open orders, and says ORDER_NOT_FOUND for what is not open', async () => {
    const { mm, run } = setup();
    const a = await run(mm.submitOrder(order({ clientOrderId: 'b1', side: 'buy', price: '2', amount: '10' })));
    await run(mm.submitOrder(order({ clientOrderId: 'b2', side: 'buy', price: '1.9', amount: '10' })));
    expect((await run(mm.fetchOpenOrders())).map((o) => o.clientOrderId)).toEqual(['b1', 'b2']);
    await run(mm.cancelOrder({ venueOrderId: a.venueOrderId, clientOrderId: 'b1' }));
    await run(mm.cancelOrder({ clientOrderId: 'b2' }));
    expect(await run(mm.fetchOpenOrders())).toEqual([]);
    expect(await run(mm.fetchOrder({ clientOrderId: 'b1' }))).toMatchObject({ status: 'canceled', filled: '0' });
    expect(await failure(run(mm.cancelOrder({ clientOrderId: 'b1' })))).toBe('VENUE.ORDER_NOT_FOUND');
    expect(await run(mm.fetchOrder({ clientOrderId: 'never-sent' }))).toBeUndefined();
    const bal = (await run(mm.fetchBalances())).find((b) => b.asset === 'USDT');
    expect(bal).toMatchObject({ free: '10000', locked: '0' });
  });

  it('an IOC remainder comes back canceled with what it filled', async () => {
    const { mm, taker, run } = setup();
    await run(mm.submitOrder(order({ clientOrderId: 'ask', side: 'sell', price: '2.5', amount: '10' })));
    const ioc = await run(taker.submitOrder(order({ clientOrderId: 'ioc', side: 'buy', price: '2.5', amount: '30', postOnly: false, timeInForce: 'IOC' })));
    expect(ioc).toMatchObject({ status: 'canceled', filled: '10', amount: '30' });
  });

  it('streams books and trades with latency, in order', async () => {
    const { clock, mm, taker, run } = setup();
    const books: [number, OrderBookSnapshot][] = [];
    const trades: [number, PublicTrade[]][] = [];
    const errors: Error[] = [];
    const offBook = taker.watchOrderBook((b) => books.push([clock.now(), b]), (e) => errors.push(e));
    const offTrades = taker.watchTrades((t) => trades.push([clock.now(), t]), (e) => errors.push(e));
    const t0 = clock.now();
    await clock.runForAsync(10);
    expect(books.map(([t, b]) => [t - t0, b.asks])).toEqual([[10, []]]); // the snapshot on subscribe

    await run(mm.submitOrder(order({ clientOrderId: 'ask', side: 'sell', price: '2.5', amount: '100' }))); // rests at t0+20
    await run(taker.submitOrder(order({ clientOrderId: 'hit', side: 'buy', price: '2.5', amount: '40', postOnly: false })));
    await clock.runForAsync(100);
    expect(books.map(([t, b]) => [t - t0, b.asks])).toEqual([
      [10, []],
      [30, [{ price: '2.5', amount: '100' }]],
      [50, [{ price: '2.5', amount: '60' }]],
    ]);
    expect(trades.map(([t, ts]) => [t - t0, ts.map((x) => [x.price, x.amount, x.side])])).toEqual([[50, [['2.5', '40', 'buy']]]]);
    expect(errors).toEqual([]);

    offBook();
    offTrades();
    await run(mm.submitOrder(order({ clientOrderId: 'ask2', side: 'sell', price: '2.6', amount: '10' })));
    await clock.runForAsync(100);
    expect(books).toHaveLength(3);
  });

  it('health is false during an outage (and the stream says so), true again after', async () => {
    const { clock, ex, mm, run } = setup();
    expect(await run(mm.health())).toMatchObject({ ok: true, latencyMs: 20 });
    const errors: string[] = [];
    mm.watchOrderBook(
      () => undefined,
      (e) => errors.push(isVenueError(e) ? e.code : String(e)),
    );
    ex.faults.enable({ kind: 'outage' }, { durationMs: 30_000 });
    const down = await run(mm.health());
    expect(down.ok).toBe(false);
    expect(down.reason).toMatch(/outage/);
    expect(errors).toEqual(['VENUE.UNAVAILABLE']);
    await clock.runForAsync(30_000);
    expect((await run(mm.health())).ok).toBe(true);
    await mm.close();
  });

  it('deposit address, withdrawal and their records through the port', async () => {
    const { clock, network, mm, run } = setup();
    const dep = await run(mm.fetchDepositAddress('USDT'));
    expect(dep).toEqual({ asset: 'USDT', address: expect.stringMatching(/^0x[0-9a-f]{40}$/), network: 'ERC20' });
    expect(await failure(run(mm.fetchDepositAddress('USDT', 'TRC20')))).toBe('VENUE.NOT_SUPPORTED');

    const user = evmAddress('user');
    network.mintExternal(user, 'USDT', '250');
    network.sendFromExternal(user, dep.address, 'USDT', '250');
    const cold = evmAddress('cold');
    const w = await run(mm.withdraw({ asset: 'USDT', amount: '500', address: cold, network: 'ERC20', idempotencyKey: 'wd-1' }));
    expect(w).toMatchObject({ type: 'withdrawal', status: 'pending', amount: '500', fee: '1' });
    clock.runAll();
    const [deposit] = await run(mm.fetchDeposits('USDT'));
    expect(deposit).toMatchObject({ type: 'deposit', amount: '250', status: 'ok', confirmations: 3 });
    const [withdrawal] = await run(mm.fetchWithdrawals());
    expect(withdrawal).toMatchObject({ id: w.id, status: 'ok', confirmations: 3, txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    expect(network.externalBalance(cold, 'USDT')).toBe('500');
    const usdt = (await run(mm.fetchBalances())).find((b) => b.asset === 'USDT');
    expect(usdt?.total).toBe('9749'); // 10000 + 250 − 500 − 1
  });

  it('same seed ⇒ identical run', async () => {
    const trace = async (): Promise<string[]> => {
      const { clock, ex, mm, taker, run } = setup();
      ex.faults.enable({ kind: 'http5xx', fraction: 0.3 });
      const out: string[] = [];
      for (let i = 0; i < 20; i++) {
        const side = i % 2 === 0 ? 'sell' : 'buy';
        const who = i % 3 === 0 ? taker : mm;
        const r = await failure(run(who.submitOrder(order({ clientOrderId: `o${i}`, side, price: (2.4 + (i % 5) * 0.05).toFixed(2), amount: '10', postOnly: i % 4 !== 0 }))));
        out.push(`${clock.now()}:${r}`);
      }
      return out;
    };
    const a = await trace();
    expect(await trace()).toEqual(a);
    expect(a.some((x) => x.endsWith('VENUE.UNAVAILABLE'))).toBe(true);
  });

  it('runs the same code on wall time (RealClock)', async () => {
    const clock = new RealClock();
    try {
      const network = new TransferNetwork({ delayMs: { min: 1, max: 2 } }, { clock, rng: mulberry32(1) });
      const ex = new SimExchange(presetExchangeConfig('alpha', { latencyMs: { min: 1, max: 3 } }), { clock, rng: mulberry32(2), network });
      ex.fund('mm', 'BLST', '100');
      ex.fund('taker', 'USDT', '1000');
      const mm = new SimVenue(ex, 'mm');
      const taker = new SimVenue(ex, 'taker');
      const books: OrderBookSnapshot[] = [];
      const off = taker.watchOrderBook((b) => books.push(b), () => undefined);
      await mm.submitOrder(order({ clientOrderId: 'ask', side: 'sell', price: '3', amount: '10' }));
      const hit = await taker.submitOrder(order({ clientOrderId: 'hit', side: 'buy', price: '3', amount: '10', postOnly: false, timeInForce: 'IOC' }));
      expect(hit).toMatchObject({ status: 'filled', filled: '10' });
      const [fill] = await mm.fetchMyTrades();
      expect(fill).toMatchObject({ amount: '10', price: '3', fee: '0.03', feeAsset: 'USDT', liquidity: 'maker' });
      await new Promise((r) => setTimeout(r, 20));
      off();
      expect(books.at(-1)?.asks).toEqual([]);
      expect(books.some((b) => b.asks.length === 1)).toBe(true);
    } finally {
      clock.stop();
    }
  });
});
