import { quantizeAmount, quantizeOrder, quantizePrice } from '../../domain/quantize';

describe('quantize', () => {
  it('rounds buys down and sells up to the tick, exactly', () => {
    expect(quantizePrice('0.123456', '0.0001', 'buy')).toBe('0.1234');
    expect(quantizePrice('0.123456', '0.0001', 'sell')).toBe('0.1235');
    expect(quantizePrice('0.1235', '0.0001', 'sell')).toBe('0.1235'); // already on the grid
    expect(quantizePrice('0.3', '0.1', 'buy')).toBe('0.3'); // no binary-float 0.30000000000000004
    expect(quantizePrice('101', '5', 'buy')).toBe('100');
  });

  it('floors amounts to the lot', () => {
    expect(quantizeAmount('10.99', '0.1')).toBe('10.9');
    expect(quantizeAmount('25', '10')).toBe('20');
  });

  it('refuses orders below one tick, one lot or the min notional, saying why', () => {
    expect(quantizeOrder({ side: 'buy', price: '0.00004', amount: '10', }, { tickSize: '0.0001', lotSize: '1', minNotional: '0' })).toMatchObject({ ok: false, reason: 'PRICE_NOT_POSITIVE' });
    expect(quantizeOrder({ side: 'sell', price: '1', amount: '0.5' }, { tickSize: '0.01', lotSize: '1', minNotional: '0' })).toMatchObject({ ok: false, reason: 'AMOUNT_BELOW_LOT' });
    const r = quantizeOrder({ side: 'buy', price: '0.4999', amount: '10.7' }, { tickSize: '0.001', lotSize: '1', minNotional: '5' });
    // 0.4999 → 0.499 (buy floors), 10.7 → 10, notional 4.99 < 5
    expect(r).toEqual({ ok: false, reason: 'BELOW_MIN_NOTIONAL', message: 'notional 4.99 is below the minimum 5' });
    expect(quantizeOrder({ side: 'buy', price: '0.4999', amount: '11' }, { tickSize: '0.001', lotSize: '1', minNotional: '5' })).toEqual({ ok: true, price: '0.499', amount: '11', notional: '5.489' });
  });
});
