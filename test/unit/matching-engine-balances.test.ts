// Fees, holds and transfers. Market: tick 0.01, lot 0.1, min notional 1, maker 0.1 %, taker 0.2 %.
import { DomainError } from '../../domain/errors';
import { bal, limit, setup } from './matching-engine-helpers';

function pair(over: Parameters<typeof setup>[0] = {}) {
  const f = setup(over);
  f.e.credit('s', 'BLST', '10');
  f.e.credit('b', 'USDT', '100');
  return f;
}

describe('fees (maker 0.1 %, taker 0.2 %) in the asset received', () => {
  it('taker buyer pays 0.2 % in base, maker seller 0.1 % in quote; the fee account collects both', () => {
    const { e } = pair();
    limit(e, 's', 'sell', '10', '2');
    const r = limit(e, 'b', 'buy', '10', '2');
    // Trade: 2 BLST for 20 USDT. Buyer fee 2 × 0.002 = 0.004 BLST; seller fee 20 × 0.001 = 0.02 USDT.
    expect(r.fills).toEqual([expect.objectContaining({ account: 'b', side: 'buy', fee: '0.004', feeAsset: 'BLST', liquidity: 'taker' })]);
    expect(e.myTrades('s')).toEqual([expect.objectContaining({ account: 's', side: 'sell', fee: '0.02', feeAsset: 'USDT', liquidity: 'maker' })]);
    expect(bal(e, 'b', 'BLST')).toEqual({ free: '1.996', locked: '0' });
    expect(bal(e, 'b', 'USDT')).toEqual({ free: '80', locked: '0' });
    expect(bal(e, 's', 'USDT')).toEqual({ free: '19.98', locked: '0' });
    expect(bal(e, 's', 'BLST')).toEqual({ free: '8', locked: '0' });
    expect(e.feeAccount).toBe('__fees__');
    expect(bal(e, '__fees__', 'BLST')).toEqual({ free: '0.004', locked: '0' });
    expect(bal(e, '__fees__', 'USDT')).toEqual({ free: '0.02', locked: '0' });
  });

  it('maker buyer pays 0.1 % in base, taker seller 0.2 % in quote', () => {
    const { e } = pair();
    limit(e, 'b', 'buy', '10', '2');
    const r = limit(e, 's', 'sell', '10', '2');
    expect(r.fills).toEqual([expect.objectContaining({ fee: '0.04', feeAsset: 'USDT', liquidity: 'taker' })]);
    expect(e.myTrades('b')).toEqual([expect.objectContaining({ fee: '0.002', feeAsset: 'BLST', liquidity: 'maker' })]);
    expect(bal(e, 'b', 'BLST').free).toBe('1.998');
    expect(bal(e, 's', 'USDT').free).toBe('19.96');
  });

  it('rounds each fee up to the asset\'s smallest unit, so the venue never loses dust', () => {
    // 3 decimals per asset; maker 0.15 %.
    const { e } = pair({ baseDecimals: 3, quoteDecimals: 3, makerFee: '0.0015' });
    limit(e, 's', 'sell', '10', '0.1');
    limit(e, 'b', 'buy', '10', '0.1');
    // Buyer: 0.1 × 0.002 = 0.0002 → 0.001. Seller: 1 × 0.0015 = 0.0015 → 0.002.
    expect(e.myTrades('b')[0]).toMatchObject({ fee: '0.001', feeAsset: 'BLST' });
    expect(e.myTrades('s')[0]).toMatchObject({ fee: '0.002', feeAsset: 'USDT' });
    expect(bal(e, 'b', 'BLST').free).toBe('0.099');
    expect(bal(e, 's', 'USDT').free).toBe('0.998');
  });

  it('works with a zero maker fee', () => {
    const { e } = pair({ makerFee: '0' });
    limit(e, 's', 'sell', '10', '2');
    limit(e, 'b', 'buy', '10', '2');
    expect(e.myTrades('s')[0]).toMatchObject({ fee: '0', feeAsset: 'USDT', liquidity: 'maker' });
    expect(bal(e, 's', 'USDT').free).toBe('20');
    expect(bal(e, '__fees__', 'USDT').free).toBe('0');
  });

  it('pays a negative maker fee (rebate) out of the fee account, conserving totals', () => {
    const { e } = pair({ makerFee: '-0.0005' });
    limit(e, 's', 'sell', '10', '2');
    limit(e, 'b', 'buy', '10', '2');
    expect(e.myTrades('s')[0]).toMatchObject({ fee: '-0.01', feeAsset: 'USDT' });
    expect(bal(e, 's', 'USDT').free).toBe('20.01');
    expect(bal(e, '__fees__', 'USDT').free).toBe('-0.01');
    expect(bal(e, 'b', 'USDT').free).toBe('80'); // 80 + 20.01 − 0.01 = 100 USDT in total
  });

  it('sends fees to a configured fee account', () => {
    const { e } = pair({ feeAccount: 'venue' });
    limit(e, 's', 'sell', '10', '2');
    limit(e, 'b', 'buy', '10', '2');
    expect(bal(e, 'venue', 'BLST').free).toBe('0.004');
    expect(e.balances('__fees__')).toEqual([]);
  });
});

describe('order holds', () => {
  it('holds price × amount quote for a buy; a fill consumes it, a cancel releases the rest', () => {
    const { e } = pair();
    const buy = limit(e, 'b', 'buy', '10', '2').order;
    expect(bal(e, 'b', 'USDT')).toEqual({ free: '80', locked: '20' });
    limit(e, 's', 'sell', '10', '0.5'); // b is the maker: 5 of its 20 consumed
    expect(bal(e, 'b', 'USDT')).toEqual({ free: '80', locked: '15' });
    expect(bal(e, 'b', 'BLST')).toEqual({ free: '0.4995', locked: '0' }); // 0.5 − 0.1 %
    expect(e.cancelOrder('b', { orderId: buy.orderId })).toMatchObject({ status: 'canceled', filled: '0.5' });
    expect(bal(e, 'b', 'USDT')).toEqual({ free: '95', locked: '0' });
  });

  it('holds the base amount for a sell until cancel', () => {
    const { e } = pair();
    const sell = limit(e, 's', 'sell', '11', '2').order;
    expect(bal(e, 's', 'BLST')).toEqual({ free: '8', locked: '2' });
    e.cancelOrder('s', { orderId: sell.orderId });
    expect(bal(e, 's', 'BLST')).toEqual({ free: '10', locked: '0' });
  });

  it('a buy filled below its limit keeps the price improvement', () => {
    const { e } = pair();
    limit(e, 's', 'sell', '10', '2');
    limit(e, 'b', 'buy', '10.5', '2'); // limit allows 21, pays 20
    expect(bal(e, 'b', 'USDT')).toEqual({ free: '80', locked: '0' });
  });

  it('a partly filled buy holds only the remainder at its limit price', () => {
    const { e } = pair();
    limit(e, 's', 'sell', '10', '1');
    const r = limit(e, 'b', 'buy', '10.5', '2'); // pays 10 for 1, rests 1 @ 10.5
    expect(bal(e, 'b', 'USDT')).toEqual({ free: '79.5', locked: '10.5' });
    e.cancelAll('b');
    expect(bal(e, 'b', 'USDT')).toEqual({ free: '90', locked: '0' });
    expect(e.getOrder('b', { orderId: r.order.orderId })?.status).toBe('canceled');
  });
});

describe('transfers: credit, debit, hold, release, consume', () => {
  it('moves balances and throws when taking more than there is', () => {
    const { e } = setup();
    e.credit('a', 'USDT', '100');
    e.hold('a', 'USDT', '30');
    expect(bal(e, 'a', 'USDT')).toEqual({ free: '70', locked: '30' });
    e.release('a', 'USDT', '10');
    expect(bal(e, 'a', 'USDT')).toEqual({ free: '80', locked: '20' });
    e.consume('a', 'USDT', '20');
    expect(bal(e, 'a', 'USDT')).toEqual({ free: '80', locked: '0' });
    expect(() => e.release('a', 'USDT', '1')).toThrow(Error);
    expect(() => e.debit('a', 'USDT', '80.00000001')).toThrow(Error);
    e.debit('a', 'USDT', '80');
    expect(bal(e, 'a', 'USDT')).toEqual({ free: '0', locked: '0' });
    expect(() => e.hold('a', 'USDT', '0.00000001')).toThrow(Error);
  });

  it('release and consume never touch holds that belong to open orders', () => {
    const { e } = pair();
    limit(e, 'b', 'buy', '10', '2');
    let err: unknown;
    try {
      e.release('b', 'USDT', '20');
    } catch (x) {
      err = x;
    }
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('ENGINE.INSUFFICIENT_HOLD');
    expect(() => e.consume('b', 'USDT', '1')).toThrow(/holds less/);
    expect(bal(e, 'b', 'USDT')).toEqual({ free: '80', locked: '20' });
  });

  it.each(['abc', '-1', '1e5', '', '0.000000001'])('refuses the amount %j', (amount) => {
    const { e } = setup();
    expect(() => e.credit('a', 'USDT', amount)).toThrow(/USDT/);
  });

  it('refuses debits from unknown accounts', () => {
    const { e } = setup();
    expect(() => e.debit('ghost', 'USDT', '1')).toThrow(/unknown account/);
  });

  it('caps an asset\'s total in the engine below 2^53 smallest units', () => {
    const { e } = setup();
    e.credit('a', 'USDT', '90071992'); // 9007199200000000 units of 1e-8, just under 2^53
    expect(() => e.credit('b', 'USDT', '1')).toThrow(/2\^53/);
    expect(e.balances('b')).toEqual([]);
  });

  it('keeps other assets exactly, listed after base and quote', () => {
    const { e } = setup();
    e.credit('a', 'ETH', '1.5');
    e.hold('a', 'ETH', '0.5');
    expect(e.balances('a')).toEqual([
      { asset: 'BLST', free: '0', locked: '0' },
      { asset: 'USDT', free: '0', locked: '0' },
      { asset: 'ETH', free: '1', locked: '0.5' },
    ]);
    expect(e.assetDecimals('USDT')).toBe(8);
    expect(e.assetDecimals('ETH')).toBeUndefined();
  });
});
