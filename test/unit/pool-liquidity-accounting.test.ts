// Impermanent loss against fees, checked by hand:
// 100 BLST + 50 USDC deposited at 0.5 into a constant-product position (L = √5000 = 70.7107).
// At 0.605 (×1.21) the position holds x = L/√0.605 = 90.9091, y = L·√0.605 = 55: value 110.
// Holding would be worth 100·0.605 + 50 = 110.5, so IL = −0.5 (the textbook 2√r/(1+r) − 1 = −0.4525 %).
import Decimal from 'decimal.js';
import { EMPTY_LP_LEDGER, lpDeposit, lpMark, lpWithdraw, v2EntryGrowth, v2Growth, v2Split, feeShareOfSwap } from '../../domain/amm';

const close = (a: string, b: string, eps = '1e-9') => expect(new Decimal(a).minus(b).abs().lte(eps)).toBe(true);
const L = new Decimal(5000).sqrt();
const x = L.div(new Decimal('0.605').sqrt()).toString();
const y = L.times(new Decimal('0.605').sqrt()).toString();

describe('LP ledger', () => {
  it('marks IL against holding the deposit, and no fees', () => {
    const s = lpDeposit(EMPTY_LP_LEDGER, { base: '100', quote: '50' });
    const m = lpMark(s, { principal: { base: x, quote: y }, fees: { base: '0', quote: '0' } }, '0.605');
    close(m.ilQuote, '-0.5', '1e-6');
    close(m.positionValueQuote, '110', '1e-6');
    close(m.holdValueQuote, '110.5');
    close(m.netQuote, '-0.5', '1e-6');
  });

  it('a half withdrawal realizes half the IL and keeps half the hold portfolio', () => {
    let s = lpDeposit(EMPTY_LP_LEDGER, { base: '100', quote: '50' });
    const half = { base: new Decimal(x).div(2).toString(), quote: new Decimal(y).div(2).toString() };
    s = lpWithdraw(s, { fraction: '0.5', principal: half, fees: { base: '1', quote: '0.5' }, price: '0.605' });
    expect(s).toMatchObject({ heldBase: '50', heldQuote: '25', feesBase: '1', feesQuote: '0.5', adds: 1, removes: 1 });
    close(s.realizedIlQuote, '-0.25', '1e-9');
    // The other half still open: total IL −0.5; fees 1·0.605 + 0.5 = 1.105.
    const m = lpMark(s, { principal: half, fees: { base: '0', quote: '0' } }, '0.605');
    close(m.ilQuote, '-0.5', '1e-6');
    close(m.feesQuote, '1.105');
  });
});

describe('V2 fees inside the reserves', () => {
  // Pool 1000 / 500 with S = √500000; fees then grow it to 1020 / 510 at the same S: √k/S = √1.0404 = 1.02.
  const S = new Decimal(500_000).sqrt().toString();
  const grown = { base: '1020', quote: '510', totalSupply: S };

  it('√k per LP token grows only by fees', () => {
    close(v2Growth({ base: '1000', quote: '500', totalSupply: S }), '1');
    close(v2Growth(grown), '1.02');
  });

  it('a 10 % position splits into principal (÷1.02) and fees', () => {
    const lp = new Decimal(S).div(10).toString();
    const { principal, fees } = v2Split(lp, grown, '1');
    close(principal.base, '100');
    close(principal.quote, '50');
    close(fees.base, '2');
    close(fees.quote, '1');
  });

  it('entry growth is the LP-weighted average over adds', () => {
    close(v2EntryGrowth('0', '0', '10', '1'), '1');
    close(v2EntryGrowth('10', '1', '30', '1.04'), '1.03');
  });

  it('one swap pays an LP its share of the 0.3 % fee', () => {
    expect(feeShareOfSwap('1000', '0.25', '0.003')).toBe('0.75');
  });
});
