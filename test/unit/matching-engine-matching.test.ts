// Matching: price-time priority, partial fills, IOC / FOK / market orders, post-only, the book view.
// Market: tick 0.01, lot 0.1, min notional 1, maker 0.1 %, taker 0.2 % (matching-engine-helpers.ts).
import { bal, limit, market, setup, statusOf } from './matching-engine-helpers';

function funded() {
  const f = setup();
  for (const s of ['s1', 's2', 's3']) f.e.credit(s, 'BLST', '10');
  f.e.credit('b', 'USDT', '100');
  return f;
}

describe('price-time priority', () => {
  it('fills the better price first, then the earlier order within a level', () => {
    const { e, clock } = funded();
    const o1 = limit(e, 's1', 'sell', '10.00', '1').order;
    clock.t++;
    const o2 = limit(e, 's2', 'sell', '10.00', '1').order;
    clock.t++;
    limit(e, 's3', 'sell', '9.99', '1');
    clock.t++;

    const r = limit(e, 'b', 'buy', '10.00', '2.5');

    expect(r.fills.map((f) => `${f.amount}@${f.price}`)).toEqual(['1@9.99', '1@10', '0.5@10']);
    expect(e.recentTrades(10).map((t) => t.makerAccount)).toEqual(['s3', 's1', 's2']);
    expect(statusOf(r.order)).toBe('filled 2.5/2.5');
    expect(r.order.filledQuote).toBe('24.99'); // 9.99 + 10 + 5
    expect(statusOf(e.getOrder('s1', { orderId: o1.orderId })!)).toBe('filled 1/1');
    expect(statusOf(e.getOrder('s2', { orderId: o2.orderId })!)).toBe('partially_filled 0.5/1');
    expect(e.book(10).asks).toEqual([{ price: '10', amount: '0.5' }]);
    // Paid 24.99 (not the 25 the limit allowed); received 2.5 − 0.2 % = 2.495 BLST.
    expect(bal(e, 'b', 'USDT')).toEqual({ free: '75.01', locked: '0' });
    expect(bal(e, 'b', 'BLST')).toEqual({ free: '2.495', locked: '0' });
  });

  it('a later order at the same price waits behind an earlier one even when larger', () => {
    const { e } = funded();
    e.credit('b2', 'USDT', '100');
    limit(e, 'b', 'buy', '9.00', '0.5');
    limit(e, 'b2', 'buy', '9.00', '3');
    const r = limit(e, 's1', 'sell', '9.00', '1');
    expect(r.fills.map((f) => f.amount)).toEqual(['0.5', '0.5']);
    expect(e.myTrades('b').map((f) => f.amount)).toEqual(['0.5']);
    expect(e.myTrades('b2').map((f) => f.amount)).toEqual(['0.5']);
    expect(e.book(5).bids).toEqual([{ price: '9', amount: '2.5' }]);
  });
});

describe('partial fills and time in force', () => {
  it('GTC: the unfilled remainder rests at the limit price and keeps its hold', () => {
    const { e } = funded();
    limit(e, 's1', 'sell', '10', '1');
    const r = limit(e, 'b', 'buy', '10', '3');
    expect(statusOf(r.order)).toBe('partially_filled 1/3');
    expect(r.order.timeInForce).toBe('GTC');
    expect(e.book(5)).toMatchObject({ bids: [{ price: '10', amount: '2' }], asks: [] });
    expect(bal(e, 'b', 'USDT')).toEqual({ free: '70', locked: '20' }); // 100 − 10 paid − 20 held
    expect(e.openOrders('b').map((o) => o.orderId)).toEqual([r.order.orderId]);
  });

  it('IOC: the remainder expires instead of resting', () => {
    const { e } = funded();
    limit(e, 's1', 'sell', '10', '1');
    const r = limit(e, 'b', 'buy', '10', '3', { timeInForce: 'IOC' });
    expect(statusOf(r.order)).toBe('expired 1/3');
    expect(r.order.timeInForce).toBe('IOC');
    expect(e.book(5).bids).toEqual([]);
    expect(bal(e, 'b', 'USDT')).toEqual({ free: '90', locked: '0' });
    expect(e.openOrders('b')).toEqual([]);
  });

  it('IOC that crosses nothing expires unfilled and leaves the book (and its sequence) alone', () => {
    const { e } = funded();
    limit(e, 's1', 'sell', '10', '1');
    const seq = e.book(1).sequence;
    const r = limit(e, 'b', 'buy', '9.99', '1', { timeInForce: 'IOC' });
    expect(statusOf(r.order)).toBe('expired 0/1');
    expect(e.book(1).sequence).toBe(seq);
  });

  it('FOK: rejected with no side effect when the book cannot fill it all within the limit', () => {
    const { e } = funded();
    limit(e, 's1', 'sell', '10', '1');
    limit(e, 's2', 'sell', '10.01', '1');
    const before = { book: e.book(5), bal: e.balances('b') };
    const r = e.placeOrder({ account: 'b', side: 'buy', type: 'limit', price: '10', amount: '2', timeInForce: 'FOK' });
    expect(r).toMatchObject({ ok: false, reason: 'NO_LIQUIDITY' });
    expect(e.book(5)).toEqual(before.book);
    expect(e.balances('b')).toEqual(before.bal);
    expect(e.recentTrades(10)).toEqual([]);
  });

  it('FOK: fills completely when the book allows it', () => {
    const { e } = funded();
    limit(e, 's1', 'sell', '10', '1');
    limit(e, 's2', 'sell', '10.01', '1');
    const r = limit(e, 'b', 'buy', '10.01', '2', { timeInForce: 'FOK' });
    expect(statusOf(r.order)).toBe('filled 2/2');
    expect(r.order.filledQuote).toBe('20.01');
    expect(r.order.timeInForce).toBe('FOK');
    expect(e.book(5).asks).toEqual([]);
  });

  it('FOK sell against too few bids is rejected', () => {
    const { e } = funded();
    limit(e, 'b', 'buy', '10', '1');
    expect(e.placeOrder({ account: 's1', side: 'sell', type: 'limit', price: '9', amount: '1.1', timeInForce: 'FOK' })).toMatchObject({ ok: false, reason: 'NO_LIQUIDITY' });
    expect(bal(e, 's1', 'BLST')).toEqual({ free: '10', locked: '0' });
  });
});

describe('market orders', () => {
  it('a market buy walks several ask levels', () => {
    const { e } = funded();
    limit(e, 's1', 'sell', '10', '1');
    limit(e, 's1', 'sell', '10.5', '2');
    limit(e, 's1', 'sell', '11', '3');
    const r = market(e, 'b', 'buy', '4');
    expect(r.fills.map((f) => `${f.amount}@${f.price}`)).toEqual(['1@10', '2@10.5', '1@11']);
    expect(r.order).toMatchObject({ type: 'market', status: 'filled', filled: '4', filledQuote: '42', timeInForce: 'IOC' });
    expect(r.order.price).toBeUndefined();
    expect(e.book(5).asks).toEqual([{ price: '11', amount: '2' }]);
    expect(bal(e, 'b', 'USDT')).toEqual({ free: '58', locked: '0' });
    expect(bal(e, 'b', 'BLST')).toEqual({ free: '3.992', locked: '0' }); // 4 − 0.2 %
  });

  it('a market sell walks the bids; the seller receives quote minus the taker fee', () => {
    const { e } = funded();
    limit(e, 'b', 'buy', '10', '1');
    limit(e, 'b', 'buy', '9.5', '1');
    const r = market(e, 's1', 'sell', '1.5');
    expect(r.fills.map((f) => `${f.amount}@${f.price}`)).toEqual(['1@10', '0.5@9.5']);
    expect(r.order.filledQuote).toBe('14.75');
    // 14.75 − 0.2 % (0.0295)
    expect(bal(e, 's1', 'USDT')).toEqual({ free: '14.7205', locked: '0' });
    expect(bal(e, 's1', 'BLST')).toEqual({ free: '8.5', locked: '0' });
  });

  it('a market order larger than the book fills what is there and expires the rest', () => {
    const { e } = funded();
    limit(e, 's1', 'sell', '10', '1');
    const r = market(e, 'b', 'buy', '3');
    expect(statusOf(r.order)).toBe('expired 1/3');
    expect(e.book(5).asks).toEqual([]);
  });

  it('a market order on an empty side is rejected with NO_LIQUIDITY', () => {
    const { e } = funded();
    expect(e.placeOrder({ account: 's1', side: 'sell', type: 'market', amount: '1' })).toMatchObject({ ok: false, reason: 'NO_LIQUIDITY' });
  });

  it('a market buy never overspends free quote: it buys the whole lots it can afford', () => {
    const { e } = setup();
    e.credit('s1', 'BLST', '10');
    e.credit('b', 'USDT', '25');
    limit(e, 's1', 'sell', '10', '1');
    limit(e, 's1', 'sell', '10.5', '2');
    const r = market(e, 'b', 'buy', '3');
    // 1 @ 10 costs 10; 15 left buys 14 lots (1.4) @ 10.5 = 14.7; 0.3 left is less than one lot (1.05).
    expect(statusOf(r.order)).toBe('expired 2.4/3');
    expect(bal(e, 'b', 'USDT')).toEqual({ free: '0.3', locked: '0' });
    expect(bal(e, 'b', 'BLST')).toEqual({ free: '2.3952', locked: '0' }); // 2.4 − 0.0048
    expect(e.book(5).asks).toEqual([{ price: '10.5', amount: '0.6' }]);
  });

  it('a market buy that cannot afford one lot at the best ask is rejected', () => {
    const { e } = setup();
    e.credit('s1', 'BLST', '10');
    e.credit('b', 'USDT', '0.5');
    limit(e, 's1', 'sell', '10', '1');
    expect(e.placeOrder({ account: 'b', side: 'buy', type: 'market', amount: '1' })).toMatchObject({ ok: false, reason: 'INSUFFICIENT_FUNDS' });
  });

  it('a FOK market buy the account cannot pay for entirely is rejected with no fill', () => {
    const { e } = setup();
    e.credit('s1', 'BLST', '10');
    e.credit('b', 'USDT', '15');
    limit(e, 's1', 'sell', '10', '1');
    limit(e, 's1', 'sell', '10.5', '1');
    expect(e.placeOrder({ account: 'b', side: 'buy', type: 'market', amount: '2', timeInForce: 'FOK' })).toMatchObject({ ok: false, reason: 'INSUFFICIENT_FUNDS' });
    expect(e.recentTrades(5)).toEqual([]);
  });
});

describe('post-only', () => {
  it('is rejected when it would cross and rests when it would not; nothing ever trades', () => {
    const { e } = funded();
    limit(e, 's1', 'sell', '10', '1');
    for (const price of ['10', '10.5']) {
      expect(e.placeOrder({ account: 'b', side: 'buy', type: 'limit', price, amount: '1', postOnly: true })).toMatchObject({ ok: false, reason: 'POST_ONLY_WOULD_CROSS' });
    }
    const r = limit(e, 'b', 'buy', '9.99', '1', { postOnly: true });
    expect(r.order).toMatchObject({ status: 'open', postOnly: true });
    expect(e.placeOrder({ account: 's2', side: 'sell', type: 'limit', price: '9.99', amount: '1', postOnly: true })).toMatchObject({ ok: false, reason: 'POST_ONLY_WOULD_CROSS' });
    expect(limit(e, 's2', 'sell', '10', '1', { postOnly: true }).order.status).toBe('open');
    expect(e.placeOrder({ account: 'b', side: 'buy', type: 'market', amount: '1', postOnly: true })).toMatchObject({ ok: false, reason: 'POST_ONLY_WOULD_CROSS' });
    expect(e.recentTrades(10)).toEqual([]);
    expect(e.book(5)).toMatchObject({ bids: [{ price: '9.99', amount: '1' }], asks: [{ price: '10', amount: '2' }] });
  });
});

describe('book view', () => {
  it('aggregates by price, bids descending, asks ascending, limited to depth', () => {
    const { e } = funded();
    limit(e, 'b', 'buy', '9.98', '1');
    limit(e, 'b', 'buy', '9.99', '1');
    limit(e, 'b', 'buy', '9.99', '0.5');
    limit(e, 's1', 'sell', '10.02', '1');
    limit(e, 's2', 'sell', '10.01', '2');
    limit(e, 's3', 'sell', '10.01', '0.3');
    const v = e.book(10);
    expect(v.bids).toEqual([
      { price: '9.99', amount: '1.5' },
      { price: '9.98', amount: '1' },
    ]);
    expect(v.asks).toEqual([
      { price: '10.01', amount: '2.3' },
      { price: '10.02', amount: '1' },
    ]);
    expect(e.book(1)).toMatchObject({ bids: [{ price: '9.99', amount: '1.5' }], asks: [{ price: '10.01', amount: '2.3' }] });
    expect(e.book(0)).toMatchObject({ bids: [], asks: [] });
    expect(e.bestBid()).toBe('9.99');
    expect(e.bestAsk()).toBe('10.01');
    expect(v.sequence).toBe(6);
    expect(v.timestamp).toBe(1_000);
  });

  it('has no best prices when empty', () => {
    const { e } = setup();
    expect([e.bestBid(), e.bestAsk()]).toEqual([undefined, undefined]);
  });
});
