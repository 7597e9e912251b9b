import { StrategySchema } from '../../domain/config.schema';
import { DomainError } from '../../domain/errors';
import { D } from '../../domain/money';
import { mulberry32 } from '../../domain/rng';
import { asReservationPrice, asTimeToHorizon, asTotalSpread, avellanedaStoikovQuotes } from '../../domain/quoting/avellaneda-stoikov';
import { applyPriceBand } from '../../domain/quoting/bands';
import { fixedSpreadQuotes } from '../../domain/quoting/fixed-spread';
import { glftCoefficients, glftDepths, glftQuotes } from '../../domain/quoting/glft';
import { QUOTING_MODELS, quoteWith } from '../../domain/quoting/index';
import { inventorySkewFactors, pureMmQuotes, totalOrderSize } from '../../domain/quoting/pure-mm';
import type { AvellanedaStoikovParams, DesiredQuote, GlftParams, MarketSnapshot, PureMmParams, QuoteParams } from '../../domain/quoting/quote.types';

const NOW = 1_700_000_000_000;

function snap(over: Partial<MarketSnapshot> = {}): MarketSnapshot {
  return { mid: '100', volatility: 2, inventory: '10', targetInventory: '10', maxInventory: '1000', now: NOW, tickSize: '0.01', lotSize: '0.001', ...over };
}

const AS: AvellanedaStoikovParams = { model: 'avellaneda-stoikov', gamma: 0.1, k: 1.5, horizon: { kind: 'rolling', seconds: 0.5 }, orderAmount: '1' };
const GLFT: GlftParams = { model: 'glft', gamma: 1, xi: 1, k: 1, A: 2, delta: 1, orderAmount: '1' };

const bids = (qs: DesiredQuote[]) => qs.filter((q) => q.side === 'buy');
const asks = (qs: DesiredQuote[]) => qs.filter((q) => q.side === 'sell');
const prices = (qs: DesiredQuote[]) => qs.map((q) => q.price);
const amounts = (qs: DesiredQuote[]) => qs.map((q) => q.amount);
const best = (qs: DesiredQuote[]) => ({ bid: Number(bids(qs)[0]?.price), ask: Number(asks(qs)[0]?.price) });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof DomainError ? `${e.code} ${e.message}` : String(e);
  }
  return undefined;
}

describe('Avellaneda–Stoikov', () => {
  it('reservation price and spread match the formulas computed by hand', () => {
    // s = 100, q = 2, γ = 0.1, σ = 2, T − t = 0.5, k = 1.5
    // r = 100 − 2·0.1·2²·0.5 = 100 − 0.4 = 99.6
    expect(asReservationPrice(100, 2, 0.1, 2, 0.5)).toBeCloseTo(99.6, 12);
    // spread = 0.1·4·0.5 + (2/0.1)·ln(1 + 0.1/1.5) = 0.2 + 20·ln(16/15) = 0.2 + 20·0.0645385211 = 1.4907704228
    expect(asTotalSpread(0.1, 2, 0.5, 1.5)).toBeCloseTo(1.4907704228, 9);
    // γ → 0: (2/γ)·ln(1 + γ/k) → 2/k (log1p keeps it accurate)
    expect(asTotalSpread(1e-12, 2, 0, 1.5)).toBeCloseTo(2 / 1.5, 9);
  });

  it('quotes r ∓ spread/2 on the tick grid (bids rounded down, asks up)', () => {
    // inventory 12 vs target 10 with orderAmount 1 → q = 2; half-spread 0.7453852114
    // bid = 99.6 − 0.7453852114 = 98.8546147886 → 98.85; ask = 99.6 + 0.7453852114 = 100.3453852114 → 100.35
    const qs = avellanedaStoikovQuotes(snap({ inventory: '12' }), AS);
    expect(qs).toEqual([
      { side: 'buy', price: '98.85', amount: '1', level: 0, postOnly: true },
      { side: 'sell', price: '100.35', amount: '1', level: 0, postOnly: true },
    ]);
  });

  it('long inventory lowers both quotes, short raises them', () => {
    // q = 0: 100 ∓ 0.7453852 → 99.25 / 100.75; q = −2: r = 100.4 → 99.6546 → 99.65 / 101.1454 → 101.15
    expect(prices(avellanedaStoikovQuotes(snap(), AS))).toEqual(['99.25', '100.75']);
    expect(prices(avellanedaStoikovQuotes(snap({ inventory: '8' }), AS))).toEqual(['99.65', '101.15']);
  });

  it('the size shape factor shrinks the side that would grow the position', () => {
    // q = 2, η = 0.5: bid size = e^(−1) = 0.367879 → 0.367 (lot 0.001); ask size 1
    const long = avellanedaStoikovQuotes(snap({ inventory: '12' }), { ...AS, sizeShape: 0.5 });
    expect(amounts(long)).toEqual(['0.367', '1']);
    const short = avellanedaStoikovQuotes(snap({ inventory: '8' }), { ...AS, sizeShape: 0.5 });
    expect(amounts(short)).toEqual(['1', '0.367']);
  });

  it('horizons: fixed counts down to zero, rolling is constant, cycle restarts', () => {
    expect(asTimeToHorizon(NOW, { kind: 'fixed', endMs: NOW + 500 })).toBe(0.5);
    expect(asTimeToHorizon(NOW + 900, { kind: 'fixed', endMs: NOW + 500 })).toBe(0);
    expect(asTimeToHorizon(NOW, { kind: 'rolling', seconds: 60 })).toBe(60);
    expect(asTimeToHorizon(1500, { kind: 'cycle', seconds: 2 })).toBe(0.5);
    expect(asTimeToHorizon(2000, { kind: 'cycle', seconds: 2 })).toBe(2);
    expect(asTimeToHorizon(1100, { kind: 'cycle', seconds: 2, anchorMs: 1000 })).toBe(1.9);
    // a fixed horizon ending now gives the same quotes as T − t = 0.5 when 0.5 s remain
    const fixed = avellanedaStoikovQuotes(snap({ inventory: '12' }), { ...AS, horizon: { kind: 'fixed', endMs: NOW + 500 } });
    expect(prices(fixed)).toEqual(['98.85', '100.35']);
    // past the end: r = s and spread = 20·ln(16/15) = 1.2907704 → 100 ∓ 0.6453852 → 99.35 / 100.65 regardless of q
    const ended = avellanedaStoikovQuotes(snap({ inventory: '12' }), { ...AS, horizon: { kind: 'fixed', endMs: NOW - 1 } });
    expect(prices(ended)).toEqual(['99.35', '100.65']);
  });

  it('rejects bad parameters naming the field', () => {
    expect(codeOf(() => avellanedaStoikovQuotes(snap(), { ...AS, gamma: 0 }))).toMatch(/^QUOTING.INVALID_PARAMS gamma:/);
    expect(codeOf(() => avellanedaStoikovQuotes(snap({ volatility: Number.NaN }), AS))).toMatch(/^QUOTING.INVALID_PARAMS volatility:/);
    expect(codeOf(() => avellanedaStoikovQuotes(snap(), { ...AS, orderAmount: 'lots' }))).toMatch(/^QUOTING.INVALID_PARAMS orderAmount:/);
    expect(codeOf(() => avellanedaStoikovQuotes(snap(), { ...AS, orderLevels: 3 }))).toMatch(/^QUOTING.INVALID_PARAMS levelSpacingPct:/);
  });
});

describe('GLFT', () => {
  it('coefficients for a parameter set chosen to come out round', () => {
    // γ = ξ = 1, Δ = 1, k = 1, A = 2:
    // c1 = 1/(1·1)·ln(1 + 1/1) = ln 2 = 0.6931471806
    // c2 = sqrt( 1/(2·2·1·1) · (1 + 1)^(1/1 + 1) ) = sqrt(0.25 · 4) = 1
    const c = glftCoefficients({ gamma: 1, xi: 1, k: 1, A: 2, delta: 1 });
    expect(c.c1).toBeCloseTo(Math.LN2, 12);
    expect(c.c2).toBeCloseTo(1, 12);
    // σ = 0.5: half-spread = c1 + Δ/2·σ·c2 = 0.6931472 + 0.25 = 0.9431472; skew = σ·c2 = 0.5 per order
    // q = 1: δb = 0.9431472 + 0.5 = 1.4431472, δa = 0.9431472 − 0.5 = 0.4431472
    const d = glftDepths(c, 0.5, 1, 1);
    expect(d.bid).toBeCloseTo(1.4431471806, 9);
    expect(d.ask).toBeCloseTo(0.4431471806, 9);
  });

  it('coefficients for the A-S paper parameters, by hand', () => {
    // γ = ξ = 0.1, Δ = 1, k = 1.5, A = 140, σ = 2:
    // ξΔ/k = 0.1/1.5 = 0.0666667; ln(1.0666667) = 0.0645385211
    // c1 = (1/0.1)·0.0645385211 = 0.645385211
    // exponent k/(ξΔ) + 1 = 15 + 1 = 16; 1.0666667^16 = e^(16·0.0645385211) = e^1.0326163 = 2.8084040
    // γ/(2AΔk) = 0.1/(2·140·1·1.5) = 0.1/420 = 0.000238095; × 2.8084040 = 0.000668668
    // c2 = sqrt(0.000668668) = 0.0258586
    const c = glftCoefficients({ gamma: 0.1, xi: 0.1, k: 1.5, A: 140, delta: 1 });
    expect(c.c1).toBeCloseTo(0.645385211, 8);
    expect(c.c2).toBeCloseTo(0.0258586, 7);
    // half = 0.645385 + 0.5·2·0.0258586 = 0.6712438; skew = 2·0.0258586 = 0.0517172
    // q = 3: δb = 0.6712438 + 0.1551516 = 0.8263955 → bid 99.1736045 → 99.173 (tick 0.001)
    //        δa = 0.6712438 − 0.1551516 = 0.5160922 → ask 100.5160922 → 100.517
    const qs = glftQuotes(snap({ inventory: '13', tickSize: '0.001' }), { ...GLFT, gamma: 0.1, xi: 0.1, k: 1.5, A: 140 });
    expect(prices(qs)).toEqual(['99.173', '100.517']);
  });

  it('ξ → 0 uses the exact limits c1 = 1/k and growth factor e', () => {
    // c2 = sqrt(0.1/420 · e) = sqrt(0.000647209) = 0.0254403
    const c = glftCoefficients({ gamma: 0.1, xi: 0, k: 1.5, A: 140, delta: 1 });
    expect(c.c1).toBeCloseTo(1 / 1.5, 12);
    expect(c.c2).toBeCloseTo(0.0254403, 7);
    const tiny = glftCoefficients({ gamma: 0.1, xi: 1e-7, k: 1.5, A: 140, delta: 1 });
    expect(tiny.c1).toBeCloseTo(1 / 1.5, 6);
    expect(tiny.c2).toBeCloseTo(0.0254403, 6);
  });

  it('long inventory lowers both quotes, short raises them (σ = 0.5, round parameters)', () => {
    const at = (inventory: string) => prices(glftQuotes(snap({ inventory, volatility: 0.5 }), GLFT));
    // q = 0: 100 ∓ 0.9431472 → 99.05 / 100.95
    expect(at('10')).toEqual(['99.05', '100.95']);
    // q = 1: 100 − 1.4431472 = 98.5568528 → 98.55; 100 + 0.4431472 = 100.4431472 → 100.45
    expect(at('11')).toEqual(['98.55', '100.45']);
    // q = −1: 100 − 0.4431472 → 99.55; 100 + 1.4431472 → 101.45
    expect(at('9')).toEqual(['99.55', '101.45']);
  });

  it('the size shape factor applies as in A-S', () => {
    // q = 1, η = 1: bid size e^(−1) = 0.367879 → 0.367
    expect(amounts(glftQuotes(snap({ inventory: '11', volatility: 0.5 }), { ...GLFT, sizeShape: 1 }))).toEqual(['0.367', '1']);
  });
});

describe('pure market making (Hummingbot-style)', () => {
  const PMM: PureMmParams = {
    model: 'pure-mm',
    bidSpreadPct: '1',
    askSpreadPct: '2',
    orderAmount: '1',
    orderLevels: 3,
    levelSpacingPct: '0.5',
    levelAmountIncrement: '0.5',
  };
  const s = (inventory: string) => snap({ inventory, targetInventory: '20', lotSize: '0.1' });

  it('levels: fixed % spreads, level spacing and size increments, exact', () => {
    // bids 100·(1 − 1% − i·0.5%) = 99, 98.5, 98; asks 100·(1 + 2% + i·0.5%) = 102, 102.5, 103; sizes 1, 1.5, 2
    const qs = pureMmQuotes(s('20'), PMM);
    expect(prices(bids(qs))).toEqual(['99', '98.5', '98']);
    expect(prices(asks(qs))).toEqual(['102', '102.5', '103']);
    expect(amounts(bids(qs))).toEqual(['1', '1.5', '2']);
    expect(amounts(asks(qs))).toEqual(['1', '1.5', '2']);
    expect(bids(qs).map((q) => q.level)).toEqual([0, 1, 2]);
  });

  it("inventory skew: Hummingbot's ratio factors in [0, 2]", () => {
    // total ladder size = 2·(3·1 + 3·2/2·0.5) = 2·4.5 = 9 → range R = 9 (multiplier 1)
    expect(totalOrderSize('1', '0.5', 3).toString()).toBe('9');
    const f = (inv: string, target = '20', range = '9') => {
      const r = inventorySkewFactors(inv, target, range);
      return [r.bid.toString(), r.ask.toString()];
    };
    expect(f('20')).toEqual(['1', '1']);
    expect(f('24.5')).toEqual(['0.5', '1.5']); // 1 − 4.5/9
    expect(f('29')).toEqual(['0', '2']);
    expect(f('35')).toEqual(['0', '2']); // clamped
    expect(f('15.5')).toEqual(['1.5', '0.5']); // left limit max(20 − 9, 0) = 11: 2 − (15.5 − 11)/(20 − 11)
    expect(f('11')).toEqual(['2', '0']);
    expect(f('2.5', '5')).toEqual(['1.5', '0.5']); // left limit max(5 − 9, 0) = 0: 2 − 2.5/5
    expect(f('20', '20', '0')).toEqual(['0', '0']); // no range: Hummingbot quotes nothing
  });

  it('long inventory shrinks bids and grows asks; prices do not move', () => {
    const flat = pureMmQuotes(s('20'), PMM);
    const long = pureMmQuotes(s('24.5'), PMM);
    // × 0.5: 0.5, 0.75 → 0.7 (lot 0.1, floor), 1; × 1.5: 1.5, 2.25 → 2.2, 3
    expect(amounts(bids(long))).toEqual(['0.5', '0.7', '1']);
    expect(amounts(asks(long))).toEqual(['1.5', '2.2', '3']);
    expect(prices(long)).toEqual(prices(flat));
    const short = pureMmQuotes(s('15.5'), PMM);
    expect(amounts(bids(short))).toEqual(['1.5', '2.2', '3']);
    expect(amounts(asks(short))).toEqual(['0.5', '0.7', '1']);
    // at or beyond target + R no bids at all
    expect(bids(pureMmQuotes(s('29'), PMM))).toEqual([]);
    // skew off: sizes as configured
    expect(amounts(pureMmQuotes(s('24.5'), { ...PMM, inventorySkew: false }))).toEqual(amounts(flat));
  });
});

describe('fixed-spread baseline', () => {
  it('one level each side, symmetric, no skew', () => {
    // 100·(1 ∓ 1%/2) = 99.5 / 100.5
    const p = { model: 'fixed-spread' as const, spreadPct: '1', orderAmount: '2' };
    const flat = fixedSpreadQuotes(snap(), p);
    expect(flat).toEqual([
      { side: 'buy', price: '99.5', amount: '2', level: 0, postOnly: true },
      { side: 'sell', price: '100.5', amount: '2', level: 0, postOnly: true },
    ]);
    expect(fixedSpreadQuotes(snap({ inventory: '500' }), p)).toEqual(flat);
    expect(fixedSpreadQuotes(snap({ inventory: '3' }), p)).toEqual(flat);
  });
});

describe('quantization, inventory limits and never crossing', () => {
  it('a zero spread on the grid is widened to one tick', () => {
    // raw bid = raw ask = 100 → centre 100 → bid 100, ask 100.01
    expect(prices(fixedSpreadQuotes(snap(), { model: 'fixed-spread', spreadPct: '0', orderAmount: '1' }))).toEqual(['100', '100.01']);
  });

  it('rounding widens a sub-tick spread instead of crossing it', () => {
    // 100 ∓ 0.001 → 99.999 ↓ 99.99, 100.001 ↑ 100.01
    expect(prices(fixedSpreadQuotes(snap(), { model: 'fixed-spread', spreadPct: '0.002', orderAmount: '1' }))).toEqual(['99.99', '100.01']);
  });

  it('levels closer than a tick are pushed a tick apart', () => {
    // spacing 0.001 % of 100 = 0.001 < tick 0.01: 99, 98.999 → 98.99, 98.998 → 98.98
    const qs = pureMmQuotes(snap({ targetInventory: '10' }), { model: 'pure-mm', bidSpreadPct: '1', askSpreadPct: '1', orderAmount: '1', orderLevels: 3, levelSpacingPct: '0.001' });
    expect(prices(bids(qs))).toEqual(['99', '98.99', '98.98']);
    expect(prices(asks(qs))).toEqual(['101', '101.01', '101.02']);
  });

  it('bids never take inventory past the maximum, asks never below the minimum', () => {
    // room to buy: 10 − 9.5 = 0.5 → level 0 gets 0.5 of its 1, deeper levels nothing
    const p: PureMmParams = { model: 'pure-mm', bidSpreadPct: '1', askSpreadPct: '1', orderAmount: '1', orderLevels: 3, levelSpacingPct: '1', inventorySkew: false };
    const qs = pureMmQuotes(snap({ inventory: '9.5', targetInventory: '5', maxInventory: '10' }), p);
    expect(amounts(bids(qs))).toEqual(['0.5']);
    // room to sell: 9.5 − 8 = 1.5 → 1, then 0.5, then nothing
    const qs2 = pureMmQuotes(snap({ inventory: '9.5', targetInventory: '5', maxInventory: '10', minInventory: '8' }), p);
    expect(amounts(asks(qs2))).toEqual(['1', '0.5']);
    // spot default: nothing to sell from zero inventory
    expect(asks(fixedSpreadQuotes(snap({ inventory: '0' }), { model: 'fixed-spread', spreadPct: '1', orderAmount: '1' }))).toEqual([]);
  });

  it('drops quotes below the minimum notional and renumbers levels', () => {
    // level 0 bid 99 × 1 = 99 < 100 dropped; level 1: 98 × 1.5 = 147 kept as level 0
    const qs = pureMmQuotes(snap({ minNotional: '100' }), {
      model: 'pure-mm',
      bidSpreadPct: '1',
      askSpreadPct: '1',
      orderAmount: '1',
      orderLevels: 2,
      levelSpacingPct: '1',
      levelAmountIncrement: '0.5',
      inventorySkew: false,
    });
    expect(bids(qs)).toEqual([{ side: 'buy', price: '98', amount: '1.5', level: 0, postOnly: true }]);
    expect(asks(qs).map((q) => [q.price, q.level])).toEqual([
      ['101', 0],
      ['102', 1],
    ]);
  });

  it('every model, random states: on the grid, monotone, never crossed, within limits', () => {
    const rng = mulberry32(42);
    const models: QuoteParams[] = [
      { ...AS, orderLevels: 4, levelSpacingPct: '0.05', sizeShape: 0.3 },
      { ...AS, gamma: 5, k: 0.2, horizon: { kind: 'fixed', endMs: NOW + 30_000 } },
      { ...GLFT, gamma: 0.05, xi: 0.05, k: 3, A: 5, orderLevels: 3, levelSpacingPct: '0.01' },
      { model: 'pure-mm', bidSpreadPct: '0.1', askSpreadPct: '0.3', orderAmount: '1', orderLevels: 5, levelSpacingPct: '0.02', levelAmountIncrement: '0.25' },
      { model: 'fixed-spread', spreadPct: '0.01', orderAmount: '1' },
    ];
    let checked = 0;
    for (let n = 0; n < 400; n++) {
      const tick = ['0.01', '0.1', '1', '0.0001'][n % 4]!;
      const inventory = (rng() * 40).toFixed(3);
      const s = snap({ tickSize: tick, lotSize: '0.01', inventory, targetInventory: '20', maxInventory: '30', volatility: rng() * 3, mid: (50 + rng() * 100).toFixed(4) });
      for (const p of models) {
        const qs = quoteWith(s, p);
        const b = bids(qs).map((q) => new D(q.price));
        const a = asks(qs).map((q) => new D(q.price));
        for (const q of qs) {
          expect(new D(q.price).div(tick).isInteger()).toBe(true);
          expect(new D(q.amount).div('0.01').isInteger()).toBe(true);
          expect(new D(q.price).gt(0) && new D(q.amount).gt(0)).toBe(true);
          expect(q.postOnly).toBe(true);
        }
        b.slice(1).forEach((x, i) => expect(x.lt(b[i]!)).toBe(true));
        a.slice(1).forEach((x, i) => expect(x.gt(a[i]!)).toBe(true));
        if (b[0] && a[0]) expect(b[0].lt(a[0])).toBe(true);
        const sum = (xs: DesiredQuote[]) => xs.reduce((acc, q) => acc.plus(q.amount), new D(0));
        expect(sum(bids(qs)).lte(D.max(0, new D(30).minus(inventory)))).toBe(true);
        expect(sum(asks(qs)).lte(inventory)).toBe(true);
        checked += qs.length;
      }
    }
    expect(checked).toBeGreaterThan(2000);
  });
});

describe('price band', () => {
  const q = (side: 'buy' | 'sell', price: string, level: number, amount = '1'): DesiredQuote => ({ side, price, amount, level, postOnly: true });

  it('lowers the best bid above the ceiling onto it and drops the other bids above', () => {
    const out = applyPriceBand([q('buy', '101', 0, '3'), q('buy', '100.5', 1), q('buy', '100', 2), q('buy', '99.5', 3), q('sell', '102', 0)], { ceiling: '100.37' }, '0.1');
    // ceiling on the grid, rounded down: 100.3
    expect(out).toEqual([q('buy', '100.3', 0, '3'), q('buy', '100', 1), q('buy', '99.5', 2), q('sell', '102', 0)]);
  });

  it('keeps a bid already on the ceiling instead of stacking another there', () => {
    const out = applyPriceBand([q('buy', '101', 0, '3'), q('buy', '100.3', 1, '2'), q('buy', '100', 2)], { ceiling: '100.3' }, '0.1');
    expect(out).toEqual([q('buy', '100.3', 0, '2'), q('buy', '100', 1)]);
  });

  it('raises the best ask below the floor onto it (rounded up) and drops the rest', () => {
    const out = applyPriceBand([q('buy', '97', 0), q('sell', '98', 0, '5'), q('sell', '98.5', 1), q('sell', '99.5', 2)], { floor: '99.01' }, '0.1');
    expect(out).toEqual([q('buy', '97', 0), q('sell', '99.1', 0, '5'), q('sell', '99.5', 1)]);
  });

  it('keeps bids below the floor and asks above the ceiling', () => {
    const qs = [q('buy', '90', 0), q('sell', '110', 0)];
    expect(applyPriceBand(qs, { floor: '95', ceiling: '105' }, '0.1')).toEqual(qs);
  });

  it('never makes quotes cross, even when the market is far outside the band', () => {
    // A-S around 120 with a ceiling of 100: bids lowered to 100, asks (above the ceiling) kept
    const qs = avellanedaStoikovQuotes(snap({ mid: '120' }), { ...AS, orderLevels: 3, levelSpacingPct: '0.1', band: { floor: '90', ceiling: '100' } });
    expect(prices(bids(qs))).toEqual(['100']);
    expect(best(qs).ask).toBeGreaterThan(100);
    // ... and around 80 with a floor of 90: asks raised to 90, bids kept
    const low = avellanedaStoikovQuotes(snap({ mid: '80' }), { ...AS, orderLevels: 3, levelSpacingPct: '0.1', band: { floor: '90', ceiling: '100' } });
    expect(prices(asks(low))).toEqual(['90']);
    expect(bids(low)).toHaveLength(3);
    expect(best(low).bid).toBeLessThan(90);
  });

  it('rejects a floor above the ceiling', () => {
    expect(codeOf(() => applyPriceBand([], { floor: '101', ceiling: '100' }, '0.1'))).toMatch(/^QUOTING.INVALID_PARAMS band:/);
    expect(codeOf(() => applyPriceBand([], { floor: '-1' }, '0.1'))).toMatch(/^QUOTING.INVALID_PARAMS band.floor:/);
  });
});

describe('registry', () => {
  it('has exactly the models the config schema accepts', () => {
    const config = StrategySchema.shape.model.options;
    expect(Object.keys(QUOTING_MODELS).sort()).toEqual([...config].sort());
    for (const [name, m] of Object.entries(QUOTING_MODELS)) expect(m.name).toBe(name);
  });

  it('quoteWith dispatches on params.model', () => {
    const s = snap({ inventory: '12' });
    expect(quoteWith(s, AS)).toEqual(avellanedaStoikovQuotes(s, AS));
    expect(quoteWith(s, GLFT)).toEqual(glftQuotes(s, GLFT));
    expect(codeOf(() => quoteWith(s, { model: 'magic' } as unknown as QuoteParams))).toMatch(/^QUOTING.INVALID_PARAMS model:/);
  });
});
