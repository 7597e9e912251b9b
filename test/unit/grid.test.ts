import { D } from '../../domain/money';
import { marketGrid } from '../../domain/grid';
import { mulberry32 } from '../../domain/rng';

const g = marketGrid({ tickSize: '0.0001', lotSize: '0.5', minNotional: '5' });

describe('marketGrid', () => {
  it('converts decimal prices and amounts to ticks and lots exactly, in the asked direction', () => {
    expect(g.ticks('2.4986', 'floor')).toBe(24986);
    expect(g.ticks('2.4986', 'ceil')).toBe(24986);
    expect(g.ticks('2.49865', 'floor')).toBe(24986);
    expect(g.ticks('2.49865', 'ceil')).toBe(24987);
    expect(g.ticks('-0.00015', 'floor')).toBe(-2);
    expect(g.ticks('-0.00015', 'ceil')).toBe(-1);
    expect(g.lots('10.75', 'floor')).toBe(21);
    expect(g.lots('10.75', 'ceil')).toBe(22);
    expect(g.lots('0', 'ceil')).toBe(0);
  });

  it('counts notionals in tick·lot units and rounds the min notional up', () => {
    // unit = 0.0001 × 0.5 = 0.00005; 5 / 0.00005 = 100000.
    expect(g.minNotionalUnits).toBe(100000);
    expect(g.units('5.00001', 'ceil')).toBe(100001);
    expect(g.units('5.00001', 'floor')).toBe(100000);
    expect(g.notional(24986, 3)).toBe(74958);
    expect(g.quoteStr(74958)).toBe('3.7479');
  });

  it('formats counts back to canonical decimal strings', () => {
    expect(g.priceStr(24986)).toBe('2.4986');
    expect(g.priceStr(25000)).toBe('2.5');
    expect(g.priceStr(3)).toBe('0.0003');
    expect(g.priceStr(0)).toBe('0');
    expect(g.amountStr(21)).toBe('10.5');
    expect(g.amountStr(-3)).toBe('-1.5');
    const coarse = marketGrid({ tickSize: '5', lotSize: '100', minNotional: '0' });
    expect(coarse.priceStr(7)).toBe('35');
    expect(coarse.ticks('36', 'floor')).toBe(7);
    expect(coarse.amountStr(12)).toBe('1200');
  });

  it('snaps float noise within 1e-9 tick and otherwise rounds the float in the asked direction', () => {
    expect(g.ticksFromFloat(2.5 * (1 - 0.004), 'floor')).toBe(24900); // 2.4899999999999998
    expect(g.ticksFromFloat(0.1 + 0.2, 'ceil')).toBe(3000); // 0.30000000000000004
    expect(g.ticksFromFloat(2.49865, 'floor')).toBe(24986);
    expect(g.ticksFromFloat(2.49865, 'ceil')).toBe(24987);
    expect(g.priceFloat(24986)).toBe(2.4986);
  });

  it('agrees with decimal.js on random values, both directions', () => {
    const rng = mulberry32(7);
    for (let i = 0; i < 2000; i++) {
      const v = (rng() * 1000).toFixed(Math.floor(rng() * 9));
      for (const r of ['floor', 'ceil'] as const) {
        const q = new D(v).div('0.0001');
        expect(g.ticks(v, r)).toBe((r === 'floor' ? q.floor() : q.ceil()).toNumber());
        const l = new D(v).div('0.5');
        expect(g.lots(v, r)).toBe((r === 'floor' ? l.floor() : l.ceil()).toNumber());
      }
    }
  });

  it('refuses what would not fit 2^53 instead of rounding it, and rejects bad rules', () => {
    expect(() => g.ticks('9999999999999', 'floor')).toThrow(/GRID|2\^53/);
    expect(() => g.notional(2 ** 40, 2 ** 20)).toThrow(/2\^53/);
    expect(() => marketGrid({ tickSize: '0', lotSize: '1', minNotional: '0' })).toThrow(/tickSize/);
    // More than 15 significant digits goes through decimal.js, still exact.
    expect(g.ticks('2.49860000000000000001', 'ceil')).toBe(24987);
  });
});

describe('marketGrid float snapping', () => {
  it('snaps only float noise, not a genuinely off-grid price at large tick counts', () => {
    const fine = marketGrid({ tickSize: '0.00001', lotSize: '1', minNotional: '0' });
    // 75.13120995 is half a tenth of a tick below 75.13121: a buy floors, it must not snap up.
    expect(fine.ticksFromFloat(75.13120995, 'floor')).toBe(7513120);
    expect(fine.ticksFromFloat(95.53648005, 'ceil')).toBe(9553649);
    expect(fine.ticksFromFloat(0.7 + 0.1, 'floor')).toBe(80000); // 0.7999999999999999
  });
});
