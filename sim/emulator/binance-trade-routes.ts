// SIGNED spot trading endpoints: account, order (new / cancel / query), open orders, my trades,
// trade fees. Orders go straight to the matching engine; its rejections become Binance errors.
import { D } from '../../domain/money';
import type { EngineMarketConfig, EngineOrder, PlaceOrderInput } from '../engine/engine.types';
import { BinanceError, errors, fixed, myTradeJson, newOrderJson, orderJson, symbolId } from './binance-wire';
import { accountOf, checkSymbol, decimalParam, intParam, required, type Route, type RouteDeps } from './binance-routes.types';

/** Reads orderId / origClientOrderId the way Binance does (one of them is mandatory). */
function orderRef(deps: RouteDeps, p: URLSearchParams): { orderId?: string; clientOrderId?: string } {
  const id = p.get('orderId');
  const cid = p.get('origClientOrderId');
  if (id !== null && id !== '') {
    const engineId = deps.wire.orderIds.engine(id);
    if (engineId === undefined) throw errors.badParam('orderId', id);
    return { orderId: engineId };
  }
  if (cid !== null && cid !== '') return { clientOrderId: cid };
  throw new BinanceError(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
}

/** Binance checks symbol filters before the order reaches the matching engine. */
function checkFilters(m: EngineMarketConfig, input: Omit<PlaceOrderInput, 'account'>): void {
  const qty = new D(input.amount);
  if (qty.lt(m.lotSize) || !qty.mod(m.lotSize).isZero()) throw errors.filter('LOT_SIZE');
  if (input.price === undefined) return;
  const px = new D(input.price);
  if (px.lt(m.tickSize) || !px.mod(m.tickSize).isZero()) throw errors.filter('PRICE_FILTER');
  if (px.times(qty).lt(m.minNotional)) throw errors.filter('NOTIONAL');
}

function newOrderInput(deps: RouteDeps, p: URLSearchParams): Omit<PlaceOrderInput, 'account'> {
  checkSymbol(deps, p);
  const side = required(p, 'side');
  if (side !== 'BUY' && side !== 'SELL') throw errors.badParam('side', side);
  const type = required(p, 'type');
  const quantity = decimalParam(p, 'quantity');
  const cid = p.get('newClientOrderId') ?? undefined;
  const common = { side: side === 'BUY' ? ('buy' as const) : ('sell' as const), amount: quantity, ...(cid ? { clientOrderId: cid } : {}) };
  switch (type) {
    case 'LIMIT': {
      const tif = required(p, 'timeInForce');
      if (tif !== 'GTC' && tif !== 'IOC' && tif !== 'FOK') throw errors.badParam('timeInForce', tif);
      return { ...common, type: 'limit', price: decimalParam(p, 'price'), timeInForce: tif, postOnly: false };
    }
    case 'LIMIT_MAKER':
      return { ...common, type: 'limit', price: decimalParam(p, 'price'), timeInForce: 'GTC', postOnly: true };
    case 'MARKET':
      return { ...common, type: 'market', timeInForce: 'IOC', postOnly: false };
    default:
      throw errors.badParam('type', type);
  }
}

export function tradeRoutes(deps: RouteDeps): Route[] {
  const { backend } = deps;
  const { wire } = deps;
  const market = wire.market;
  const cancelJson = (o: EngineOrder, origCid: string | undefined): Record<string, unknown> => ({
    ...orderJson(wire, o),
    origClientOrderId: origCid ?? o.clientOrderId ?? `sim${o.orderId}`,
    transactTime: backend.clock.now(),
  });
  return [
    {
      method: 'GET',
      path: '/api/v3/account',
      security: 'SIGNED',
      weight: 20,
      handle: async (_p, acc) => {
        const balances = await backend.fetchBalances(accountOf(acc));
        const bp = (x: string): number => new D(x).times(10_000).round().toNumber();
        return {
          makerCommission: bp(market.makerFee),
          takerCommission: bp(market.takerFee),
          buyerCommission: 0,
          sellerCommission: 0,
          commissionRates: { maker: fixed(market.makerFee, 8), taker: fixed(market.takerFee, 8), buyer: fixed('0', 8), seller: fixed('0', 8) },
          canTrade: true,
          canWithdraw: true,
          canDeposit: true,
          brokered: false,
          requireSelfTradePrevention: false,
          preventSor: false,
          updateTime: backend.clock.now(),
          accountType: 'SPOT',
          balances: balances.map((b) => ({ asset: b.asset, free: fixed(b.free, wire.dp), locked: fixed(b.locked, wire.dp) })),
          permissions: ['SPOT'],
          uid: 0,
        };
      },
    },
    {
      method: 'POST',
      path: '/api/v3/order',
      security: 'SIGNED',
      weight: 1,
      handle: async (p, acc) => {
        const input = newOrderInput(deps, p);
        checkFilters(market, input);
        const r = await backend.placeOrder(accountOf(acc), input);
        return newOrderJson(wire, r.order, r.fills, p.get('newOrderRespType') ?? 'FULL');
      },
    },
    {
      method: 'DELETE',
      path: '/api/v3/order',
      security: 'SIGNED',
      weight: 1,
      handle: async (p, acc) => {
        checkSymbol(deps, p);
        const ref = orderRef(deps, p);
        return cancelJson(await backend.cancelOrder(accountOf(acc), ref), ref.clientOrderId);
      },
    },
    {
      method: 'DELETE',
      path: '/api/v3/openOrders',
      security: 'SIGNED',
      weight: 1,
      handle: async (p, acc) => {
        checkSymbol(deps, p);
        const account = accountOf(acc);
        const open = await backend.openOrders(account);
        const out: Record<string, unknown>[] = [];
        for (const o of open) out.push(cancelJson(await backend.cancelOrder(account, { orderId: o.orderId }), undefined));
        return out;
      },
    },
    {
      method: 'GET',
      path: '/api/v3/order',
      security: 'SIGNED',
      weight: 4,
      handle: async (p, acc) => {
        checkSymbol(deps, p);
        const o = await backend.getOrder(accountOf(acc), orderRef(deps, p));
        if (!o) throw errors.noSuchOrder();
        return orderJson(wire, o);
      },
    },
    {
      method: 'GET',
      path: '/api/v3/openOrders',
      security: 'SIGNED',
      weight: (p) => (p.get('symbol') ? 6 : 80),
      handle: async (p, acc) => {
        checkSymbol(deps, p, true);
        const open = await backend.openOrders(accountOf(acc));
        return open.sort((a, b) => a.timestamp - b.timestamp).map((o) => orderJson(wire, o));
      },
    },
    {
      method: 'GET',
      path: '/api/v3/myTrades',
      security: 'SIGNED',
      weight: 20,
      handle: async (p, acc) => {
        checkSymbol(deps, p);
        const start = intParam(p, 'startTime');
        const end = intParam(p, 'endTime');
        const limit = Math.min(intParam(p, 'limit') ?? 500, 1000);
        const orderId = p.get('orderId');
        const engineOrderId = orderId ? wire.orderIds.engine(orderId) : undefined;
        const fromId = intParam(p, 'fromId');
        const fills = await backend.myTrades(accountOf(acc), start);
        return fills
          .filter((f) => (start === undefined || f.timestamp >= start) && (end === undefined || f.timestamp <= end))
          .filter((f) => engineOrderId === undefined || f.orderId === engineOrderId)
          .map((f) => myTradeJson(wire, f))
          .filter((t) => fromId === undefined || (t.id as number) >= fromId)
          .sort((a, b) => (a.time as number) - (b.time as number) || (a.id as number) - (b.id as number))
          .slice(0, limit);
      },
    },
    {
      method: 'GET',
      path: '/sapi/v1/asset/tradeFee',
      security: 'SIGNED',
      weight: 1,
      handle: async (p, acc) => {
        checkSymbol(deps, p, true);
        await backend.ping(accountOf(acc));
        return [{ symbol: symbolId(market), makerCommission: new D(market.makerFee).toFixed(), takerCommission: new D(market.takerFee).toFixed() }];
      },
    },
  ];
}
