// The V3 range planner at the demo's requirement (25,000 quote within ±2 %, +10 % margin → 27,500),
// price 0.5, range half-width 2 % × 1.5 = 3 %, fee 0.3 %. Reference numbers from Python (math, floats):
//   range [0.485, 0.515]; inner band [0.485/0.98, 0.515/1.02] = [0.4948979591836735, 0.5049019607843137]
//   per unit L at the inner low end: bid √p·(1 − √0.98) = 0.0070704291, ask √p·(√1.02 − 1)/0.997 = 0.0070211348 (binds)
//   L = 27500/0.0070211348 = 3,916,745.7934
//   at 0.5 the position holds base L·(1/√0.5 − 1/√0.515) = 81,262.8157, quote L·(√0.5 − √0.485) = 41,859.7010
//   capital 81,262.8157·0.5 + 41,859.7010 = 82,491.1089; its own depth at 0.5: bid 27,835.455, ask 27,641.389
//   V2 (full range) on its own for the same depth at 0.5: L = 3,896,711.16, capital 2·L·√0.5 = 5,510,781.77
import {
  DEFAULT_POOL_LIQUIDITY_PARAMS,
  planV3Range,
  rangeCentre,
  rangeToTicks,
  sizeV3Range,
  sqrtPriceX96ToPrice,
  ticksToRange,
  unitsUp,
  v2CapitalForDepth,
  v3Amounts,
  type V3Market,
} from '../../domain/amm';

const REQ = { requirementQuote: 25_000, band: 0.02, fee: 0.003 };
const P = DEFAULT_POOL_LIQUIDITY_PARAMS; // margin 0.1, range factor 1.5, cooldown 5 min

describe('sizeV3Range', () => {
  const s = sizeV3Range(0.5, 0.5, REQ, P);

  it('spans ±3 % and re-centres outside [0.49490, 0.50490]', () => {
    expect(s.lower).toBeCloseTo(0.485, 12);
    expect(s.upper).toBeCloseTo(0.515, 12);
    expect(s.innerLow).toBeCloseTo(0.4948979591836735, 12);
    expect(s.innerHigh).toBeCloseTo(0.5049019607843137, 12);
  });

  it('sizes L for the target at the worst price of the inner band', () => {
    expect(s.liquidity).toBeCloseTo(3_916_745.7934, 3);
    expect(s.base).toBeCloseTo(81_262.8157, 3);
    expect(s.quote).toBeCloseTo(41_859.701, 3);
    expect(s.capitalQuote).toBeCloseTo(82_491.1089, 3);
    expect(s.bidDepth).toBeCloseTo(27_835.455, 2);
    expect(s.askDepth).toBeCloseTo(27_641.389, 2);
  });

  it('needs about 1/67 of the capital of a full-range (V2) position with the same depth', () => {
    const v2 = v2CapitalForDepth(0.5, REQ, P.targetMargin);
    expect(v2.liquidity).toBeCloseTo(3_896_711.16, 1);
    expect(v2.capitalQuote).toBeCloseTo(5_510_781.77, 1);
    expect(v2.capitalQuote / s.capitalQuote).toBeCloseTo(66.8, 1);
  });

  it('holds one token only outside its range', () => {
    expect(v3Amounts(1000, 0.6, 0.485, 0.515).base).toBe(0);
    expect(v3Amounts(1000, 0.4, 0.485, 0.515).quote).toBe(0);
  });
});

describe('planV3Range', () => {
  const base = { req: REQ, params: P };
  const pos = { lower: 0.485, upper: 0.515, centre: 0.5, liquidity: 3_916_745.79, openedAt: 0 };

  it('mints a range when there is none', () => {
    expect(planV3Range({ ...base, price: 0.5, now: 0 })).toMatchObject({ kind: 'mint', sizing: { centre: 0.5 } });
  });

  it('holds while the price stays in the inner band', () => {
    expect(planV3Range({ ...base, price: 0.504, now: 10_000_000, position: pos, lastActionAt: 0 })).toMatchObject({ kind: 'hold', reason: 'in-band' });
  });

  it('re-centres on the new price once it leaves the band, but not within the cooldown', () => {
    expect(planV3Range({ ...base, price: 0.49, now: 100_000, position: pos, lastActionAt: 0 })).toMatchObject({ kind: 'hold', reason: 'cooldown' });
    const d = planV3Range({ ...base, price: 0.49, now: 300_000, position: pos, lastActionAt: 0 });
    expect(d).toMatchObject({ kind: 'recentre', reason: 'price-left-band' });
    if (d.kind === 'recentre') expect(d.sizing.centre).toBe(0.49);
  });

  it('centres on fair value when the pool is near it, else on the pool', () => {
    expect(rangeCentre(0.502, 0.5, REQ, P)).toBe(0.5);
    expect(rangeCentre(0.51, 0.5, REQ, P)).toBe(0.51);
    expect(rangeCentre(0.51, undefined, REQ, P)).toBe(0.51);
  });
});

describe('V3 ticks (BLST 18 decimals, USDC 6, tick spacing 60)', () => {
  // Python: log(0.485e-12)/log(1.0001) = −283560.45, log(0.515e-12)/log(1.0001) = −282960.24 → [−283620, −282960]
  // with BLST as token1 the raw price inverts: log(1/0.515e-12) = 282960.24, log(1/0.485e-12) = 283560.45 → [282960, 283620]
  const m0: V3Market = { baseDecimals: 18, quoteDecimals: 6, baseIsToken0: true, tickSpacing: 60 };
  const m1: V3Market = { ...m0, baseIsToken0: false };

  it('widens a price range outwards to the spacing, for either token order', () => {
    expect(rangeToTicks(0.485, 0.515, m0)).toEqual({ tickLower: -283_620, tickUpper: -282_960 });
    expect(rangeToTicks(0.485, 0.515, m1)).toEqual({ tickLower: 282_960, tickUpper: 283_620 });
    const r = ticksToRange(-283_620, -282_960, m0);
    expect(r.lower).toBeCloseTo(0.4821206531, 9); // 1.0001^−283620 · 1e12
    expect(r.upper).toBeCloseTo(0.5150124631, 9);
  });

  it('reads a human price from sqrtPriceX96', () => {
    // floor(sqrt(0.5e-12) · 2^96) = 56022770974786139918731 (Python decimal) → price 0.5 when BLST is token0.
    expect(sqrtPriceX96ToPrice(56_022_770_974_786_139_918_731n, m0)).toBeCloseTo(0.5, 9);
  });

  it('turns float amounts into token units rounded up', () => {
    expect(unitsUp(41_859.70102226374, 6)).toBe(41_859_701_023n);
    expect(unitsUp(1.5, 18)).toBe(1_500_000_000_000_000_000n);
    expect(unitsUp(0, 6)).toBe(0n);
  });
});
