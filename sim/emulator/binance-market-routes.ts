// Public market-data endpoints of Binance spot: ping, time, exchangeInfo, depth, trades, tickers.
import { D } from '../../domain/money';
import { fixed, symbolId } from './binance-wire';
import type { EngineTrade } from '../engine/engine.types';
import { checkSymbol, intParam, PUBLIC_ACCOUNT, type Route, type RouteDeps } from './binance-routes.types';

/** Binance's depth weight by limit. */
function depthWeight(params: URLSearchParams): number {
  const limit = Number(params.get('limit') ?? '100');
  if (limit <= 100) return 5;
  if (limit <= 500) return 25;
  if (limit <= 1000) return 50;
  return 250;
}

export function exchangeInfo(deps: RouteDeps): Record<string, unknown> {
  const m = deps.wire.market;
  const dp = deps.wire.dp;
  return {
    timezone: 'UTC',
    serverTime: deps.backend.clock.now(),
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: deps.weightLimit },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
    ],
    exchangeFilters: [],
    symbols: [
      {
        symbol: symbolId(m),
        status: 'TRADING',
        baseAsset: m.base,
        baseAssetPrecision: dp,
        quoteAsset: m.quote,
        quotePrecision: dp,
        quoteAssetPrecision: dp,
        baseCommissionPrecision: dp,
        quoteCommissionPrecision: dp,
        orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET'],
        icebergAllowed: false,
        ocoAllowed: false,
        otoAllowed: false,
        quoteOrderQtyMarketAllowed: false,
        allowTrailingStop: false,
        cancelReplaceAllowed: false,
        isSpotTradingAllowed: true,
        isMarginTradingAllowed: false,
        filters: [
          { filterType: 'PRICE_FILTER', minPrice: fixed(m.tickSize, dp), maxPrice: fixed('1000000', dp), tickSize: fixed(m.tickSize, dp) },
          { filterType: 'LOT_SIZE', minQty: fixed(m.lotSize, dp), maxQty: fixed('9000000000', dp), stepSize: fixed(m.lotSize, dp) },
          {
            filterType: 'NOTIONAL',
            minNotional: fixed(m.minNotional, dp),
            applyMinToMarket: true,
            maxNotional: fixed('9000000000', dp),
            applyMaxToMarket: false,
            avgPriceMins: 5,
          },
        ],
        permissions: [],
        permissionSets: [['SPOT']],
        defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
        allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
      },
    ],
  };
}

export function marketRoutes(deps: RouteDeps): Route[] {
  const { backend } = deps;
  const dp = deps.wire.dp;
  const level = (l: { price: string; amount: string }): [string, string] => [fixed(l.price, dp), fixed(l.amount, dp)];
  const pub = PUBLIC_ACCOUNT;
  const oldestFirst = (ts: EngineTrade[]): EngineTrade[] => [...ts].sort((a, b) => a.timestamp - b.timestamp);
  return [
    { method: 'GET', path: '/api/v3/ping', security: 'NONE', weight: 1, handle: async () => (await backend.ping(pub), {}) },
    { method: 'GET', path: '/api/v3/time', security: 'NONE', weight: 1, handle: async () => ({ serverTime: await backend.ping(pub) }) },
    {
      method: 'GET',
      path: '/sapi/v1/system/status',
      security: 'NONE',
      weight: 1,
      handle: async () => (await backend.ping(pub), { status: 0, msg: 'normal' }),
    },
    { method: 'GET', path: '/api/v3/exchangeInfo', security: 'NONE', weight: 20, handle: async () => (await backend.ping(pub), exchangeInfo(deps)) },
    {
      method: 'GET',
      path: '/api/v3/depth',
      security: 'NONE',
      weight: depthWeight,
      handle: async (p) => {
        checkSymbol(deps, p);
        const limit = Math.min(Math.max(intParam(p, 'limit') ?? 100, 1), 5000);
        const view = await backend.fetchBook(pub, limit);
        return { lastUpdateId: view.sequence, bids: view.bids.map(level), asks: view.asks.map(level) };
      },
    },
    {
      method: 'GET',
      path: '/api/v3/trades',
      security: 'NONE',
      weight: 25,
      handle: async (p) => {
        checkSymbol(deps, p);
        const limit = Math.min(intParam(p, 'limit') ?? 500, 1000);
        return oldestFirst(await backend.fetchRecentTrades(pub, limit)).map((t) => ({
          id: deps.wire.tradeIds.wire(t.tradeId),
          price: fixed(t.price, dp),
          qty: fixed(t.amount, dp),
          quoteQty: fixed(new D(t.price).times(t.amount).toString(), dp),
          time: t.timestamp,
          isBuyerMaker: t.takerSide === 'sell',
          isBestMatch: true,
        }));
      },
    },
    {
      method: 'GET',
      path: '/api/v3/aggTrades',
      security: 'NONE',
      weight: 4,
      handle: async (p) => {
        checkSymbol(deps, p);
        const limit = Math.min(intParam(p, 'limit') ?? 500, 1000);
        return oldestFirst(await backend.fetchRecentTrades(pub, limit)).map((t) => {
          const id = deps.wire.tradeIds.wire(t.tradeId);
          return { a: id, p: fixed(t.price, dp), q: fixed(t.amount, dp), f: id, l: id, T: t.timestamp, m: t.takerSide === 'sell', M: true };
        });
      },
    },
    {
      method: 'GET',
      path: '/api/v3/ticker/bookTicker',
      security: 'NONE',
      weight: 2,
      handle: async (p) => {
        checkSymbol(deps, p);
        const v = await backend.fetchBook(pub, 1);
        return {
          symbol: symbolId(deps.wire.market),
          bidPrice: fixed(v.bids[0]?.price, dp),
          bidQty: fixed(v.bids[0]?.amount, dp),
          askPrice: fixed(v.asks[0]?.price, dp),
          askQty: fixed(v.asks[0]?.amount, dp),
        };
      },
    },
    { method: 'GET', path: '/api/v3/ticker/24hr', security: 'NONE', weight: 2, handle: (p) => ticker24h(deps, p) },
  ];
}

/** 24h rolling statistics from the engine's recent trades. */
async function ticker24h(deps: RouteDeps, p: URLSearchParams): Promise<Record<string, unknown>> {
  checkSymbol(deps, p);
  const { backend } = deps;
  const dp = deps.wire.dp;
  const trades = (await backend.fetchRecentTrades(PUBLIC_ACCOUNT, 10_000)).sort((a, b) => a.timestamp - b.timestamp);
  const book = await backend.fetchBook(PUBLIC_ACCOUNT, 1);
  const now = backend.clock.now();
  const dayAgo = now - 86_400_000;
  const recent = trades.filter((t) => t.timestamp > dayAgo);
  const first = recent[0];
  const last = recent[recent.length - 1];
  let high = new D(0);
  let low = new D(0);
  let volume = new D(0);
  let quoteVolume = new D(0);
  recent.forEach((t, i) => {
    const px = new D(t.price);
    high = i === 0 || px.gt(high) ? px : high;
    low = i === 0 || px.lt(low) ? px : low;
    volume = volume.plus(t.amount);
    quoteVolume = quoteVolume.plus(px.times(t.amount));
  });
  const open = new D(first?.price ?? '0');
  const lastPx = new D(last?.price ?? '0');
  const change = lastPx.minus(open);
  return {
    symbol: symbolId(deps.wire.market),
    priceChange: change.toFixed(dp),
    priceChangePercent: open.isZero() ? '0.000' : change.div(open).times(100).toFixed(3),
    weightedAvgPrice: volume.isZero() ? fixed('0', dp) : quoteVolume.div(volume).toFixed(dp),
    prevClosePrice: open.toFixed(dp),
    lastPrice: lastPx.toFixed(dp),
    lastQty: fixed(last?.amount, dp),
    bidPrice: fixed(book.bids[0]?.price, dp),
    bidQty: fixed(book.bids[0]?.amount, dp),
    askPrice: fixed(book.asks[0]?.price, dp),
    askQty: fixed(book.asks[0]?.amount, dp),
    openPrice: open.toFixed(dp),
    highPrice: high.toFixed(dp),
    lowPrice: low.toFixed(dp),
    volume: volume.toFixed(dp),
    quoteVolume: quoteVolume.toFixed(dp),
    openTime: first?.timestamp ?? dayAgo,
    closeTime: now,
    firstId: first ? deps.wire.tradeIds.wire(first.tradeId) : -1,
    lastId: last ? deps.wire.tradeIds.wire(last.tradeId) : -1,
    count: recent.length,
  };
}
