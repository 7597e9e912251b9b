// Events and sequence numbers, bounded histories, deterministic ids, the numeric fast path, and the
// integer helpers underneath. Market: tick 0.01, lot 0.1, min notional 1, maker 0.1 %, taker 0.2 %.
import { ORDER_FLAGS, type EngineListener } from '../../sim/engine/engine.types';
import { ceilDiv, feeUnits, formatScaled, parseScaled } from '../../sim/engine/units';
import { limit, setup } from './matching-engine-helpers';

function pair(over: Parameters<typeof setup>[0] = {}) {
  const f = setup(over);
  f.e.credit('s', 'BLST', '10');
  f.e.credit('b', 'USDT', '100');
  return f;
}

function logger(log: string[]): EngineListener {
  return {
    onTrade: (t) => log.push(`trade ${t.makerAccount}->${t.takerAccount} ${t.amount}@${t.price} ${t.takerSide}`),
    onFill: (f) => log.push(`fill ${f.account} ${f.liquidity} ${f.amount}`),
    onOrderUpdate: (o) => log.push(`order ${o.account} ${o.status} ${o.filled}`),
    onBookChange: (s) => log.push(`book ${s}`),
  };
}

describe('events', () => {
  it('fire after each operation, in order, with a book sequence that increments on each visible change', () => {
    const { e } = pair();
    const log: string[] = [];
    const unsubscribe = e.subscribe(logger(log));

    const ask = limit(e, 's', 'sell', '10', '1').order;
    expect(log.splice(0)).toEqual(['order s open 0', 'book 1']);

    limit(e, 'b', 'buy', '10', '0.4');
    expect(log.splice(0)).toEqual([
      'trade s->b 0.4@10 buy',
      'fill s maker 0.4',
      'fill b taker 0.4',
      'order s partially_filled 0.4',
      'order b filled 0.4',
      'book 2',
    ]);

    expect(e.placeOrder({ account: 'b', side: 'buy', type: 'limit', price: 'x', amount: '1' }).ok).toBe(false);
    expect(log).toEqual([]);

    e.cancelOrder('s', { orderId: ask.orderId });
    expect(log.splice(0)).toEqual(['order s canceled 0.4', 'book 3']);
    expect(e.book(1).sequence).toBe(3);
    expect(e.bookSequence).toBe(3);

    unsubscribe();
    limit(e, 's', 'sell', '10', '1');
    expect(log).toEqual([]);
    expect(e.book(1).sequence).toBe(4); // still counted without listeners
  });

  it('lets a listener call the engine: its events follow, sequences keep increasing', () => {
    const { e } = pair();
    e.credit('b', 'BLST', '5');
    const seqs: number[] = [];
    let reacted = false;
    e.subscribe({
      onTrade: () => {
        if (reacted) return;
        reacted = true;
        limit(e, 'b', 'sell', '12', '1'); // a reaction placed from inside the callback
      },
      onBookChange: (s) => seqs.push(s),
    });
    limit(e, 's', 'sell', '10', '1');
    limit(e, 'b', 'buy', '10', '1');
    expect(seqs).toEqual([1, 2, 3]);
    expect(e.book(5).asks).toEqual([{ price: '12', amount: '1' }]);
  });

  it('delivers to every listener even if one throws, then rethrows the first error; state stands', () => {
    const { e } = pair();
    const seen: number[] = [];
    e.subscribe({
      onBookChange: () => {
        throw new Error('listener bug');
      },
    });
    e.subscribe({ onBookChange: (s) => seen.push(s) });
    expect(() => limit(e, 's', 'sell', '10', '1')).toThrow('listener bug');
    expect(seen).toEqual([1]);
    expect(e.openOrders('s')).toHaveLength(1);
  });
});

describe('histories and lookups', () => {
  it('keeps the last historyLimit trades, fills and finished orders', () => {
    const { e, clock } = pair({ historyLimit: 3 });
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) {
      clock.t = 1_000 + i;
      ids.push(limit(e, 's', 'sell', '10', '0.1').order.orderId);
      limit(e, 'b', 'buy', '10', '0.1');
    }
    expect(e.recentTrades(10).map((t) => t.tradeId)).toEqual(['BLSTUSDT-t-3', 'BLSTUSDT-t-4', 'BLSTUSDT-t-5']);
    expect(e.recentTrades(1).map((t) => t.tradeId)).toEqual(['BLSTUSDT-t-5']);
    expect(e.myTrades('b').map((f) => f.timestamp)).toEqual([1_003, 1_004, 1_005]);
    expect(e.myTrades('b', 1_004).map((f) => f.tradeId)).toEqual(['BLSTUSDT-t-4', 'BLSTUSDT-t-5']);
    // 10 orders finished; the last 3 are still found.
    expect(e.getOrder('s', { orderId: ids[4]! })?.status).toBe('filled');
    expect(e.getOrder('s', { orderId: ids[0]! })).toBeUndefined();
  });

  it('finds orders by client order id, only for their own account', () => {
    const { e } = pair();
    limit(e, 's', 'sell', '10', '1', { clientOrderId: 'mm-1' });
    expect(e.getOrder('s', { clientOrderId: 'mm-1' })?.status).toBe('open');
    expect(e.getOrder('b', { clientOrderId: 'mm-1' })).toBeUndefined();
    expect(e.cancelOrder('b', { clientOrderId: 'mm-1' })).toBeUndefined();
    limit(e, 'b', 'buy', '10', '1');
    expect(e.getOrder('s', { clientOrderId: 'mm-1' })).toMatchObject({ status: 'filled', clientOrderId: 'mm-1' });
    expect(e.myTrades('s')[0]?.clientOrderId).toBe('mm-1');
    expect(e.cancelOrder('s', { clientOrderId: 'mm-1' })).toBeUndefined(); // finished orders cannot be canceled
    expect(e.getOrder('s', { orderId: 'garbage' })).toBeUndefined();
  });

  it('gives deterministic ids: the same operations give the same results', () => {
    const run = () => {
      const { e } = pair();
      return [limit(e, 's', 'sell', '10', '1'), limit(e, 'b', 'buy', '10.5', '2'), e.cancelAll('b'), e.recentTrades(5)];
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(JSON.stringify(first)).toContain('"orderId":"BLSTUSDT-o-2"');
    expect(JSON.stringify(first)).toContain('"tradeId":"BLSTUSDT-t-1"');
  });
});

describe('numeric fast path', () => {
  it('shares the core with the string API', () => {
    const { e } = pair();
    const ask = e.placeLimitTicks('s', 'sell', 1000, 10); // 1 BLST @ 10.00
    expect(ask).toBe(1);
    expect([e.bestAskTicks(), e.bestBidTicks(), e.openLots(ask)]).toEqual([1000, 0, 10]);
    expect(e.getOrder('s', { orderId: e.orderIdOf(ask) })).toMatchObject({ price: '10', amount: '1', status: 'open' });

    expect(e.rejectReason(e.placeLimitTicks('s', 'sell', 0, 10))).toBe('INVALID_PRICE');
    expect(e.rejectReason(e.placeLimitTicks('s', 'sell', 1000, 1.5))).toBe('INVALID_AMOUNT');
    expect(e.rejectReason(e.placeLimitTicks('s', 'sell', 1, 1))).toBe('MIN_NOTIONAL');
    expect(e.rejectReason(e.placeLimitTicks('nobody', 'buy', 900, 10))).toBe('INSUFFICIENT_FUNDS');
    expect(e.rejectReason(e.placeLimitTicks('b', 'buy', 1000, 1, ORDER_FLAGS.POST_ONLY))).toBe('POST_ONLY_WOULD_CROSS');
    expect(e.rejectReason(e.placeLimitTicks('b', 'buy', 1000, 20, ORDER_FLAGS.FOK))).toBe('NO_LIQUIDITY');
    expect(e.rejectReason(5)).toBeUndefined();

    const buy = e.placeLimitTicks('b', 'buy', 1000, 4);
    expect([e.openLots(buy), e.openLots(ask)]).toEqual([0, 6]);
    expect(e.getOrder('b', { orderId: e.orderIdOf(buy) })?.status).toBe('filled');
    expect(e.placeMarketLots('b', 'buy', 100)).toBeGreaterThan(0);
    expect(e.bestAskTicks()).toBe(0);
    expect(e.cancelById(ask)).toBe(false); // filled

    const bid = e.placeLimitTicks('b', 'buy', 900, 10);
    expect(e.cancelOrder('b', { orderId: e.orderIdOf(bid) })?.status).toBe('canceled');
    expect(e.cancelById(bid)).toBe(false);
    const bid2 = e.placeLimitTicks('b', 'buy', 900, 10, ORDER_FLAGS.IOC);
    expect(e.getOrder('b', { orderId: e.orderIdOf(bid2) })?.status).toBe('expired');
    const bid3 = e.placeLimitTicks('b', 'buy', 900, 10);
    expect(e.cancelById(bid3)).toBe(true);
    expect(e.openOrders('b')).toEqual([]);
    expect(e.accountNames()).toEqual(['__fees__', 's', 'b']);
  });

  it('converts between decimal strings and ticks/lots exactly', () => {
    const { e } = pair();
    expect([e.priceToTicks('10.01'), e.priceToTicks('10.001'), e.priceToTicks('0'), e.priceToTicks('abc')]).toEqual([1001, undefined, undefined, undefined]);
    expect([e.amountToLots('0.3'), e.amountToLots('0.35')]).toEqual([3, undefined]);
    expect([e.ticksToPrice(1001), e.lotsToAmount(3)]).toEqual(['10.01', '0.3']);
    expect([e.orderNoOf('BLSTUSDT-o-7'), e.orderNoOf('BLSTUSDT-o-07'), e.orderNoOf('x-o-7')]).toEqual([7, undefined, undefined]);
  });
});

describe('integer helpers', () => {
  it('parses decimal strings into scaled safe integers, or refuses', () => {
    expect(parseScaled('1.50', 2)).toBe(150);
    expect(parseScaled('1.500', 2)).toBe(150);
    expect(parseScaled('1.505', 2)).toBeUndefined();
    expect(parseScaled('0', 0)).toBe(0);
    expect(parseScaled('-1', 2)).toBeUndefined();
    expect(parseScaled('1e5', 0)).toBeUndefined();
    expect(parseScaled('9007199254740991', 0)).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseScaled('9007199254740992', 0)).toBeUndefined();
    expect(parseScaled(12, 0)).toBeUndefined();
  });

  it('formats scaled integers canonically', () => {
    expect([formatScaled(150, 2), formatScaled(5, 3), formatScaled(-5, 2), formatScaled(100, 2), formatScaled(0, 4), formatScaled(123, 0)]).toEqual([
      '1.5',
      '0.005',
      '-0.05',
      '1',
      '0',
      '123',
    ]);
  });

  it('rounds fees up to a whole unit, exactly, also beyond the safe-integer product', () => {
    expect([ceilDiv(7, 2), ceilDiv(6, 2), ceilDiv(-7, 2), ceilDiv(0, 5)]).toEqual([4, 3, -3, 0]);
    expect([feeUnits(1000, 2, 1000), feeUnits(1, 2, 1000), feeUnits(10_000, -5, 10_000), feeUnits(5, 0, 1)]).toEqual([2, 1, -5, 0]);
    const big = Number.MAX_SAFE_INTEGER;
    const exact = (BigInt(big) * 3n + 999n) / 1000n;
    expect(feeUnits(big, 3, 1000)).toBe(Number(exact));
  });
});
