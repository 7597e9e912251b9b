// CcxtVenue's translation layer on its own: ccxt's unified results (as any exchange returns them,
// without Binance's raw strings) → port types, ccxt exceptions → VenueError codes, URL rewriting.
import ccxt from 'ccxt';
import { translateCcxtError } from '../../venues/ccxt/ccxt-errors';
import { marketRules } from '../../venues/ccxt/ccxt-market';
import { RAW_FIELDS, numberToDecimal, toBook, toFill, toTransfer, toVenueOrder } from '../../venues/ccxt/ccxt-parse';
import { rewriteApiUrls } from '../../venues/ccxt/ccxt-urls';
import { VenueError } from '../../venues/venue-errors';


const p = { priceDp: 2, amountDp: 1, assetDp: 8 };
const ctx = { venue: 'kraken-1', what: 'fetchOrder', p, now: 5 };
const unifiedOrder = { id: '42', clientOrderId: 'c-1', side: 'buy', price: 1.5, amount: 10, filled: 0, status: 'open', timestamp: 1000, info: {} };
const failure = (fn: () => unknown): VenueError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof VenueError) return e;
    throw e;
  }
  throw new Error('expected a VenueError');
};

describe('ccxt results → port types', () => {
  it('turns floats into exact decimals, rounding away float artefacts to the market precision', () => {
    expect(numberToDecimal(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(numberToDecimal(0.1 + 0.2, 2)).toBe('0.3');
    expect(numberToDecimal(1e-8)).toBe('0.00000001');
    expect(toVenueOrder({ ...unifiedOrder, price: 0.1 + 0.2, amount: 0.7 + 0.1 }, ctx)).toMatchObject({ price: '0.3', amount: '0.8' });
  });

  it('maps order states, filling partially-filled and expired in', () => {
    expect(toVenueOrder(unifiedOrder, ctx)).toEqual({ venueOrderId: '42', clientOrderId: 'c-1', side: 'buy', price: '1.5', amount: '10', filled: '0', status: 'open', timestamp: 1000 });
    expect(toVenueOrder({ ...unifiedOrder, filled: 4 }, ctx).status).toBe('partially_filled');
    expect(toVenueOrder({ ...unifiedOrder, filled: 10, status: 'closed' }, ctx).status).toBe('filled');
    expect(toVenueOrder({ ...unifiedOrder, filled: 3, status: 'expired' }, ctx)).toMatchObject({ status: 'canceled', filled: '3' });
    expect(toVenueOrder({ ...unifiedOrder, timestamp: undefined }, ctx).timestamp).toBe(5);
  });

  it('prefers the exchange raw strings where it knows them (Binance)', () => {
    const info = { price: '1.50000000', origQty: '10.00000000', executedQty: '0.30000000' };
    expect(toVenueOrder({ ...unifiedOrder, filled: 0.30000000000000004, info }, { ...ctx, raw: RAW_FIELDS.binance })).toMatchObject({ price: '1.5', amount: '10', filled: '0.3' });
  });

  it('names the missing or broken field instead of passing undefined or NaN on', () => {
    expect(failure(() => toVenueOrder({ ...unifiedOrder, amount: NaN }, ctx)).message).toBe('kraken-1: fetchOrder: malformed answer from the exchange: amount: expected a finite number, got NaN');
    expect(failure(() => toVenueOrder({ ...unifiedOrder, id: undefined }, ctx)).message).toContain('id: missing');
    expect(failure(() => toVenueOrder({ ...unifiedOrder, status: 'weird' }, ctx)).code).toBe('VENUE.BAD_RESPONSE');
    const trade = { id: 't1', order: '42', side: 'sell', price: 2, amount: 1, takerOrMaker: 'maker', fee: { cost: 0.002, currency: 'USDT' }, timestamp: 9, info: {} };
    expect(toFill(trade, { venue: 'v', p, clientIds: new Map([['42', 'c-1']]) })).toEqual({
      tradeId: 't1',
      venueOrderId: '42',
      clientOrderId: 'c-1',
      side: 'sell',
      price: '2',
      amount: '1',
      fee: '0.002',
      feeAsset: 'USDT',
      liquidity: 'maker',
      timestamp: 9,
    });
    expect(failure(() => toFill({ ...trade, fee: undefined }, { venue: 'v', p, clientIds: new Map() })).message).toContain('fee: missing');
    expect(failure(() => toBook({ bids: [[1, NaN]], asks: [] }, { venue: 'v', what: 'fetchOrderBook', p })).message).toContain('bids[0][1]: expected a finite number, got NaN');
  });

  it('reports a withdrawal with a tx hash but not yet final as confirming', () => {
    const t = { id: 'w1', txid: '0xabc', timestamp: 7, network: 'ERC20', address: '0x1', type: 'withdrawal', amount: 25.5, currency: 'USDT', status: 'pending', fee: { cost: 1 }, info: { confirmNo: 1, withdrawOrderId: 'k' } };
    expect(toTransfer(t, { venue: 'v', what: 'fetchWithdrawals', assetDp: 8, raw: RAW_FIELDS.binance })).toEqual({
      id: 'w1',
      type: 'withdrawal',
      asset: 'USDT',
      amount: '25.5',
      fee: '1',
      address: '0x1',
      network: 'ERC20',
      txHash: '0xabc',
      confirmations: 1,
      status: 'confirming',
      idempotencyKey: 'k',
      timestamp: 7,
    });
  });

  it('reads market rules in both precision modes', () => {
    const market = { symbol: 'BLST/USD', base: 'BLST', quote: 'USD', precision: { price: 2, amount: 1 }, limits: { cost: { min: 5 } }, maker: 0.0016, taker: 0.0026, info: {} };
    expect(marketRules(market as any, { venue: 'k', exchangeId: 'kraken', precisionMode: ccxt.DECIMAL_PLACES }).rules).toMatchObject({ tickSize: '0.01', lotSize: '0.1', minNotional: '5', makerFee: '0.0016', takerFee: '0.0026' });
    const ticks = { ...market, precision: { price: 0.005, amount: 0.5 } };
    expect(marketRules(ticks as any, { venue: 'k', exchangeId: 'x', precisionMode: ccxt.TICK_SIZE }).p).toEqual({ priceDp: 3, amountDp: 1, assetDp: 8 });
    expect(failure(() => marketRules({ ...market, precision: { price: undefined, amount: 1 } } as any, { venue: 'k', exchangeId: 'x', precisionMode: ccxt.TICK_SIZE })).message).toContain('precision.price: missing');
  });
});

describe('ccxt exceptions → VenueError codes', () => {
  const t = (e: unknown, op = 'submitOrder') => translateCcxtError(e, { venue: 'v', op, secrets: ['sup3r-secret-key'] });

  it('maps the ccxt classes', () => {
    expect(t(new ccxt.OrderImmediatelyFillable('x')).code).toBe('VENUE.POST_ONLY_WOULD_CROSS');
    expect(t(new ccxt.InsufficientFunds('x')).code).toBe('VENUE.INSUFFICIENT_FUNDS');
    expect(t(new ccxt.OrderNotFound('x')).code).toBe('VENUE.ORDER_NOT_FOUND');
    expect(t(new ccxt.InvalidOrder('x')).code).toBe('VENUE.INVALID_ORDER');
    expect(t(new ccxt.InvalidOrder('binance {"code":-2010,"msg":"Order would immediately match and take."}')).code).toBe('VENUE.POST_ONLY_WOULD_CROSS');
    expect(t(new ccxt.AuthenticationError('x')).code).toBe('VENUE.AUTHENTICATION');
    expect(t(new ccxt.PermissionDenied('x')).code).toBe('VENUE.AUTHENTICATION');
    expect(t(new ccxt.DDoSProtection('x')).code).toBe('VENUE.RATE_LIMITED');
    expect(t(new ccxt.RateLimitExceeded('x')).code).toBe('VENUE.RATE_LIMITED');
    expect(t(new ccxt.RequestTimeout('x')).code).toBe('VENUE.UNAVAILABLE');
    expect(t(new ccxt.ExchangeNotAvailable('x')).code).toBe('VENUE.UNAVAILABLE');
    expect(t(new ccxt.OnMaintenance('x')).code).toBe('VENUE.UNAVAILABLE');
    expect(t(new ccxt.NetworkError('x')).code).toBe('VENUE.UNAVAILABLE');
    expect(t(new ccxt.BadResponse('x')).code).toBe('VENUE.BAD_RESPONSE');
    expect(t(new ccxt.NullResponse('x')).code).toBe('VENUE.BAD_RESPONSE');
    expect(t(new TypeError("Cannot read properties of undefined (reading 'price')")).code).toBe('VENUE.BAD_RESPONSE');
  });

  it('uses Binance codes where ccxt only has a generic class (api.binance.com maps them differently)', () => {
    expect(t(new ccxt.OperationRejected('binance {"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}')).code).toBe('VENUE.AUTHENTICATION');
    expect(t(new ccxt.OperationRejected('binance {"code":-2011,"msg":"Unknown order sent."}')).code).toBe('VENUE.ORDER_NOT_FOUND');
    expect(t(new ccxt.ExchangeError('binance {"code":-1008,"msg":"Service Unavailable."}')).code).toBe('VENUE.UNAVAILABLE');
    expect(t(new ccxt.BadRequest('binance {"code":-1013,"msg":"Filter failure: NOTIONAL"}')).code).toBe('VENUE.INVALID_ORDER');
  });

  it('never repeats a secret or a request signature', () => {
    const e = t(new ccxt.ExchangeNotAvailable('binance GET http://h/api/v3/account?timestamp=1&signature=0badc0ffee sup3r-secret-key'), 'fetchBalance');
    expect(e.message).toBe('v: fetchBalance: binance GET http://h/api/v3/account?timestamp=1&signature=[REDACTED] [REDACTED]');
  });
});

describe('URL rewriting', () => {
  it('moves every REST base to the new origin and every websocket URL to the stream endpoint', () => {
    const ex = new ccxt.pro.binance();
    rewriteApiUrls(ex.urls, 'http://127.0.0.1:9/', 'ws://127.0.0.1:9/stream');
    const api = ex.urls.api as any;
    expect(api.public).toBe('http://127.0.0.1:9/api/v3');
    expect(api.sapi).toBe('http://127.0.0.1:9/sapi/v1');
    expect(api.ws.spot).toBe('ws://127.0.0.1:9/stream');
    expect(api.ws['ws-api'].spot).toBe('ws://127.0.0.1:9/stream');
  });
});
