// Venue rules (tick, lot, min notional, duplicate client ids, funds), garbage input, and every
// self-trade-prevention mode. Market: tick 0.01, lot 0.1, min notional 1.
import type { PlaceOrderInput } from '../../sim/engine/engine.types';
import { MatchingEngine } from '../../sim/engine/matching-engine';
import { bal, limit, MARKET, setup, statusOf, TestClock } from './matching-engine-helpers';

function funded() {
  const f = setup();
  f.e.credit('a', 'USDT', '1000');
  f.e.credit('a', 'BLST', '100');
  return f;
}

/** A valid limit buy with some fields overridden, garbage allowed (as an untyped caller would send). */
function order(over: Record<string, unknown>): PlaceOrderInput {
  const input: Record<string, unknown> = { account: 'a', side: 'buy', type: 'limit', price: '10', amount: '1', ...over };
  return input as unknown as PlaceOrderInput;
}

describe('venue rules', () => {
  it.each([
    ['not a multiple of the tick', '10.005'],
    ['zero', '0'],
    ['negative', '-1'],
    ['letters', 'abc'],
    ['exponent notation', '1e5'],
    ['empty', ''],
    ['leading space', ' 10'],
    ['trailing point', '10.'],
    ['no integer part', '.5'],
    ['hex', '0x10'],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['too many digits to be exact', '9'.repeat(30)],
    ['a number instead of a string', 10],
    ['missing', undefined],
    ['null', null],
  ])('rejects a limit price that is %s with INVALID_PRICE', (_what, price) => {
    const { e } = funded();
    const r = e.placeOrder(order({ price }));
    expect(r).toMatchObject({ ok: false, reason: 'INVALID_PRICE' });
    if (!r.ok) expect(r.message).toContain('price');
    expect(e.book(5)).toMatchObject({ bids: [], asks: [], sequence: 0 });
  });

  it.each([
    ['not a multiple of the lot', '0.15'],
    ['zero', '0'],
    ['negative', '-1'],
    ['letters', 'abc'],
    ['exponent notation', '1e5'],
    ['empty', ''],
    ['an object', { amount: 1 }],
    ['missing', undefined],
  ])('rejects an amount that is %s with INVALID_AMOUNT', (_what, amount) => {
    const { e } = funded();
    const r = e.placeOrder(order({ amount }));
    expect(r).toMatchObject({ ok: false, reason: 'INVALID_AMOUNT' });
    if (!r.ok) expect(r.message).toContain('amount');
  });

  it('accepts trailing zeros beyond the tick and lot', () => {
    const { e } = funded();
    expect(limit(e, 'a', 'buy', '10.000', '1.00').order).toMatchObject({ price: '10', amount: '1' });
  });

  it('enforces min notional at exactly the boundary', () => {
    const { e } = funded();
    // 0.1 × 9.99 = 0.999 < 1
    expect(e.placeOrder(order({ price: '9.99', amount: '0.1' }))).toMatchObject({ ok: false, reason: 'MIN_NOTIONAL' });
    // 0.1 × 10 = 1
    expect(limit(e, 'a', 'buy', '10', '0.1').order.status).toBe('open');
  });

  it('values a market order at the best opposite price for min notional', () => {
    const { e } = funded();
    e.credit('s', 'BLST', '1');
    limit(e, 's', 'sell', '5', '1');
    // 0.1 × 5 = 0.5 < 1
    expect(e.placeOrder({ account: 'a', side: 'buy', type: 'market', amount: '0.1' })).toMatchObject({ ok: false, reason: 'MIN_NOTIONAL' });
    expect(e.placeOrder({ account: 'a', side: 'buy', type: 'market', amount: '0.2' })).toMatchObject({ ok: true });
  });

  it('refuses a client order id already used by one of the account\'s open orders', () => {
    const { e } = funded();
    e.credit('other', 'USDT', '100');
    limit(e, 'a', 'buy', '10', '1', { clientOrderId: 'q-1' });
    expect(e.placeOrder(order({ clientOrderId: 'q-1', price: '9' }))).toMatchObject({ ok: false, reason: 'DUPLICATE_CLIENT_ORDER_ID' });
    // Another account may use it; after a cancel the account may reuse it.
    expect(limit(e, 'other', 'buy', '10', '1', { clientOrderId: 'q-1' }).order.clientOrderId).toBe('q-1');
    expect(e.cancelOrder('a', { clientOrderId: 'q-1' })?.status).toBe('canceled');
    expect(limit(e, 'a', 'buy', '9', '1', { clientOrderId: 'q-1' }).order.status).toBe('open');
  });

  it('rejects orders the account cannot pay for, and orders of accounts with no balance', () => {
    const { e } = funded();
    expect(e.placeOrder(order({ price: '10', amount: '100.1' }))).toMatchObject({ ok: false, reason: 'INSUFFICIENT_FUNDS' }); // 1001 USDT
    expect(limit(e, 'a', 'buy', '10', '100').order.status).toBe('open'); // exactly 1000
    expect(e.placeOrder(order({ side: 'sell', price: '20', amount: '100.1' }))).toMatchObject({ ok: false, reason: 'INSUFFICIENT_FUNDS' });
    expect(e.placeOrder(order({ account: 'nobody' }))).toMatchObject({ ok: false, reason: 'INSUFFICIENT_FUNDS' });
    expect(e.balances('nobody')).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ['a null input', null, 'UNKNOWN_ACCOUNT'],
    ['a string input', 'buy 1', 'UNKNOWN_ACCOUNT'],
    ['an empty account', order({ account: '' }), 'UNKNOWN_ACCOUNT'],
    ['a numeric account', order({ account: 7 }), 'UNKNOWN_ACCOUNT'],
    ['an unknown side', order({ side: 'long' }), 'INVALID_AMOUNT'],
    ['an unknown type', order({ type: 'stop' }), 'INVALID_AMOUNT'],
    ['an unknown time in force', order({ timeInForce: 'GTD' }), 'INVALID_AMOUNT'],
    ['a non-boolean postOnly', order({ postOnly: 'yes' }), 'INVALID_AMOUNT'],
    ['a non-string client order id', order({ clientOrderId: 42 }), 'INVALID_AMOUNT'],
  ])('returns a rejection (never throws) for %s', (_what, input, reason) => {
    const { e } = funded();
    const r = e.placeOrder(input as PlaceOrderInput);
    expect(r).toMatchObject({ ok: false, reason });
    if (!r.ok) expect(r.message.length).toBeGreaterThan(5);
  });

  it('refuses an invalid market config, naming the field', () => {
    const clock = new TestClock();
    expect(() => new MatchingEngine({ ...MARKET, tickSize: 'abc' }, { clock })).toThrow(/tickSize/);
    expect(() => new MatchingEngine({ ...MARKET, takerFee: '1.5' }, { clock })).toThrow(/takerFee/);
    expect(() => new MatchingEngine({ ...MARKET, quote: 'BLST' }, { clock })).toThrow(/quote/);
    expect(() => new MatchingEngine({ ...MARKET, quoteDecimals: 2 }, { clock })).toThrow(/quoteDecimals/);
  });
});

describe('self-trade prevention', () => {
  /** a rests an ask first, then b; then a buys 2 @ 10, which reaches its own ask first. */
  function scenario(mode: 'expire_maker' | 'expire_taker' | 'expire_both' | undefined, makers: ['a' | 'b', 'a' | 'b'] = ['a', 'b']) {
    const { e } = setup(mode === undefined ? {} : { selfTradePrevention: mode });
    e.credit('a', 'BLST', '5');
    e.credit('a', 'USDT', '100');
    e.credit('b', 'BLST', '5');
    const asks = makers.map((m) => limit(e, m, 'sell', '10', '1').order);
    const taker = limit(e, 'a', 'buy', '10', '2');
    const trades = e.recentTrades(100);
    for (const t of trades) expect(t.makerAccount).not.toBe(t.takerAccount);
    return { e, asks, taker, trades };
  }

  it('defaults to expire_maker: the own resting order expires, matching continues with others', () => {
    const { e, asks, taker, trades } = scenario(undefined);
    expect(e.getOrder('a', { orderId: asks[0]!.orderId })?.status).toBe('expired');
    expect(trades.map((t) => `${t.makerAccount}->${t.takerAccount} ${t.amount}`)).toEqual(['b->a 1']);
    expect(statusOf(taker.order)).toBe('partially_filled 1/2');
    expect(e.book(5)).toMatchObject({ bids: [{ price: '10', amount: '1' }], asks: [] });
    // The expired ask's hold went back: 5 BLST + 1 bought − 0.002 fee.
    expect(bal(e, 'a', 'BLST')).toEqual({ free: '5.998', locked: '0' });
  });

  it('expire_taker: the incoming order expires at its own resting order; that order stays', () => {
    const { e, asks, taker, trades } = scenario('expire_taker');
    expect(trades).toEqual([]);
    expect(statusOf(taker.order)).toBe('expired 0/2');
    expect(e.getOrder('a', { orderId: asks[0]!.orderId })?.status).toBe('open');
    expect(e.book(5)).toMatchObject({ bids: [], asks: [{ price: '10', amount: '2' }] });
    expect(bal(e, 'a', 'USDT')).toEqual({ free: '100', locked: '0' });
  });

  it('expire_taker keeps the fills made before reaching the own order', () => {
    const { e, taker, trades } = scenario('expire_taker', ['b', 'a']);
    expect(trades.map((t) => `${t.makerAccount}->${t.takerAccount}`)).toEqual(['b->a']);
    expect(statusOf(taker.order)).toBe('expired 1/2');
    expect(e.book(5)).toMatchObject({ bids: [], asks: [{ price: '10', amount: '1' }] });
  });

  it('expire_both: both the resting and the incoming order expire', () => {
    const { e, asks, taker, trades } = scenario('expire_both');
    expect(trades).toEqual([]);
    expect(statusOf(taker.order)).toBe('expired 0/2');
    expect(e.getOrder('a', { orderId: asks[0]!.orderId })?.status).toBe('expired');
    expect(e.book(5)).toMatchObject({ bids: [], asks: [{ price: '10', amount: '1' }] });
    expect(bal(e, 'a', 'BLST')).toEqual({ free: '5', locked: '0' });
  });

  it('FOK counts only liquidity it may take: under expire_taker an own order in the way rejects it', () => {
    const { e } = setup({ selfTradePrevention: 'expire_taker' });
    e.credit('a', 'BLST', '5');
    e.credit('a', 'USDT', '100');
    e.credit('b', 'BLST', '5');
    limit(e, 'a', 'sell', '10', '1');
    limit(e, 'b', 'sell', '10', '1');
    expect(e.placeOrder({ account: 'a', side: 'buy', type: 'limit', price: '10', amount: '1', timeInForce: 'FOK' })).toMatchObject({ ok: false, reason: 'NO_LIQUIDITY' });
    expect(e.book(5).asks).toEqual([{ price: '10', amount: '2' }]);
  });

  it('FOK under expire_maker skips own orders when counting, and expires them when it fills', () => {
    const { e } = setup();
    e.credit('a', 'BLST', '5');
    e.credit('a', 'USDT', '100');
    e.credit('b', 'BLST', '5');
    limit(e, 'a', 'sell', '10', '1');
    limit(e, 'b', 'sell', '10', '1');
    expect(e.placeOrder({ account: 'a', side: 'buy', type: 'limit', price: '10', amount: '2', timeInForce: 'FOK' })).toMatchObject({ ok: false, reason: 'NO_LIQUIDITY' });
    expect(statusOf(limit(e, 'a', 'buy', '10', '1', { timeInForce: 'FOK' }).order)).toBe('filled 1/1');
    expect(e.book(5).asks).toEqual([]);
  });
});
