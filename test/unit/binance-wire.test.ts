// The emulator's Binance wire format, error mapping, fault helpers and weight limit.
import { VirtualClock } from '../../hotpath/clocks';
import type { EngineFill, EngineOrder } from '../../sim/engine/engine.types';
import { IdMap, binanceDateTime, myTradeJson, newOrderJson, orderJson, toBinanceError, wireDecimals, withdrawalJson, type WireContext } from '../../sim/emulator/binance-wire';
import { FaultInjector, malformed } from '../../sim/emulator/emulator-faults';
import { WeightLimiter } from '../../sim/emulator/weight-limiter';
import { VenueError } from '../../venues/venue-errors';

const market = { symbol: 'BLST/USDT', base: 'BLST', quote: 'USDT', tickSize: '0.01', lotSize: '0.1', minNotional: '5', makerFee: '0.001', takerFee: '0.002' };
const ctx = (): WireContext => ({ market, dp: wireDecimals(market), orderIds: new IdMap(), tradeIds: new IdMap() });
const engineOrder = (o: Partial<EngineOrder> = {}): EngineOrder => ({
  orderId: 'ord-a',
  clientOrderId: 'my-1',
  account: 'mm',
  side: 'buy',
  type: 'limit',
  price: '1.5',
  amount: '10',
  filled: '4',
  filledQuote: '6',
  status: 'partially_filled',
  postOnly: true,
  timeInForce: 'GTC',
  timestamp: 1000,
  updatedAt: 2000,
  ...o,
});

describe('Binance wire format', () => {
  it('prints decimals with 8 places, or more when the market needs them', () => {
    expect(wireDecimals(market)).toBe(8);
    expect(wireDecimals({ ...market, tickSize: '0.0000000001' })).toBe(10);
  });

  it('gives engine ids Binance integer ids, both ways, keeping integer ids as they are', () => {
    const ids = new IdMap();
    expect(ids.wire('abc')).toBe(1);
    expect(ids.wire('def')).toBe(2);
    expect(ids.wire('abc')).toBe(1);
    expect(ids.engine('2')).toBe('def');
    expect(ids.wire('77')).toBe(77);
    expect(ids.engine('77')).toBe('77');
    expect(ids.engine('x1')).toBeUndefined();
  });

  it('writes an order the way GET /api/v3/order does', () => {
    const c = ctx();
    expect(orderJson(c, engineOrder())).toEqual({
      symbol: 'BLSTUSDT',
      orderId: 1,
      orderListId: -1,
      clientOrderId: 'my-1',
      price: '1.50000000',
      origQty: '10.00000000',
      executedQty: '4.00000000',
      cummulativeQuoteQty: '6.00000000',
      status: 'PARTIALLY_FILLED',
      timeInForce: 'GTC',
      type: 'LIMIT_MAKER',
      side: 'BUY',
      stopPrice: '0.00000000',
      icebergQty: '0.00000000',
      time: 1000,
      updateTime: 2000,
      isWorking: true,
      workingTime: 1000,
      origQuoteOrderQty: '0.00000000',
      selfTradePreventionMode: 'EXPIRE_MAKER',
    });
    expect(orderJson(c, engineOrder({ postOnly: false, timeInForce: 'IOC', status: 'expired' }))).toMatchObject({ type: 'LIMIT', timeInForce: 'IOC', status: 'EXPIRED' });
  });

  it('answers a new order as ACK, RESULT or FULL (with fills)', () => {
    const c = ctx();
    const fill: EngineFill = { tradeId: 't-9', orderId: 'ord-a', account: 'mm', side: 'buy', price: '1.5', amount: '4', fee: '0.004', feeAsset: 'BLST', liquidity: 'maker', timestamp: 2000 };
    expect(newOrderJson(c, engineOrder(), [fill], 'ACK')).toEqual({ symbol: 'BLSTUSDT', orderId: 1, orderListId: -1, clientOrderId: 'my-1', transactTime: 2000 });
    expect(newOrderJson(c, engineOrder(), [fill], 'RESULT')).not.toHaveProperty('fills');
    expect(newOrderJson(c, engineOrder(), [fill], 'FULL').fills).toEqual([{ price: '1.50000000', qty: '4.00000000', commission: '0.00400000', commissionAsset: 'BLST', tradeId: 1 }]);
    expect(myTradeJson(c, fill)).toMatchObject({ id: 1, orderId: 1, quoteQty: '6.00000000', isBuyer: true, isMaker: true, commission: '0.00400000' });
  });

  it('writes a withdrawal like the history endpoint, with Binance network ids and its UTC applyTime', () => {
    const w = { dp: 8, requiredConfirmations: 3, isGeneratedKey: (k: string) => k.startsWith('emu-') };
    const rec = { id: 'x-w-1', type: 'withdrawal' as const, asset: 'USDT', amount: '25.5', fee: '1', address: '0xabc', network: 'ERC20', confirmations: 1, status: 'confirming' as const, idempotencyKey: 'k-1', timestamp: Date.UTC(2024, 0, 2, 3, 4, 5) };
    expect(binanceDateTime(rec.timestamp)).toBe('2024-01-02 03:04:05');
    expect(withdrawalJson(w, rec)).toMatchObject({ id: 'x-w-1', amount: '25.50000000', transactionFee: '1.00000000', status: 4, network: 'ETH', withdrawOrderId: 'k-1', confirmNo: 1, applyTime: '2024-01-02 03:04:05' });
    expect(withdrawalJson(w, { ...rec, idempotencyKey: 'emu-nokey-1', status: 'ok' })).not.toHaveProperty('withdrawOrderId');
    expect(withdrawalJson(w, { ...rec, status: 'ok' }).status).toBe(6);
  });

  it('maps the simulated exchange failures to Binance errors', () => {
    const v = (code: VenueError['code'], msg = 'x', retry?: number) => toBinanceError(new VenueError(code, 'sim', msg, retry), 6000);
    expect(v('VENUE.RATE_LIMITED', 'slow down', 2500)).toMatchObject({ status: 429, code: -1003, headers: { 'Retry-After': '3' } });
    expect(v('VENUE.UNAVAILABLE')).toMatchObject({ status: 503 });
    expect(v('VENUE.INSUFFICIENT_FUNDS').message).toBe('Account has insufficient balance for requested action.');
    expect(v('VENUE.POST_ONLY_WOULD_CROSS').message).toBe('Order would immediately match and take.');
    expect(v('VENUE.ORDER_NOT_FOUND')).toMatchObject({ status: 400, code: -2011 });
    expect(v('VENUE.INVALID_ORDER', 'DUPLICATE_CLIENT_ORDER_ID: my-1 is taken')).toMatchObject({ code: -2010, message: 'Duplicate order sent.' });
    expect(toBinanceError(new Error('boom'), 6000)).toMatchObject({ status: 500, code: -1001 });
  });
});

describe('emulator fault helpers', () => {
  it('drops or sets fields at a path, inside arrays too, without touching the original', () => {
    const body = { balances: [{ asset: 'A', free: '1' }, { asset: 'B', free: '2' }] };
    const drop = malformed.dropField('balances[].free');
    const set = malformed.setField('[].price', 'NaN');
    if (drop.kind !== 'mutate' || set.kind !== 'mutate') throw new Error('expected mutate faults');
    expect(drop.mutate(body)).toEqual({ balances: [{ asset: 'A' }, { asset: 'B' }] });
    expect(body.balances[0]).toEqual({ asset: 'A', free: '1' });
    expect(set.mutate([{ price: '1' }, { price: '2' }])).toEqual([{ price: 'NaN' }, { price: 'NaN' }]);
  });

  it('applies a fault to matching requests, `times` times, the latest rule first', () => {
    const f = new FaultInjector();
    f.inject({ kind: 'stall' }, { path: '/a' });
    f.inject({ kind: 'malformed-json' }, { path: /^\/a/, method: 'GET', times: 1 });
    expect(f.take('GET', '/a')?.kind).toBe('malformed-json');
    expect(f.take('GET', '/a')?.kind).toBe('stall');
    expect(f.take('POST', '/b')).toBeUndefined();
    f.clear();
    expect(f.take('GET', '/a')).toBeUndefined();
  });
});

describe('request weight limit', () => {
  it('counts weight per client per wall-clock minute and says when the window resets', () => {
    const clock = new VirtualClock(120_000 + 45_000);
    const l = new WeightLimiter(clock, 10);
    expect(l.take('k', 6)).toEqual({ ok: true });
    expect(l.take('other', 10)).toEqual({ ok: true });
    expect(l.take('k', 5)).toEqual({ ok: false, retryAfterMs: 15_000 });
    clock.runFor(15_000);
    expect(l.take('k', 10)).toEqual({ ok: true });
  });
});
