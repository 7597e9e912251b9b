import { DomainError } from '../../domain/errors';
import { marketGrid, type GridOrder, type MarketGrid } from '../../domain/grid';
import { mulberry32 } from '../../domain/rng';
import { applyPriceBand } from '../../domain/quoting/bands';
import { gridSnapshot, quoteOnGrid, quoteWith, toDesiredQuotes } from '../../domain/quoting/index';
import { floorLots, type GridSnapshot, type MarketSnapshot, type PureMmParams, type QuoteParams } from '../../domain/quoting/quote.types';

const NOW = 1_700_000_000_000;
const CENT = marketGrid({ tickSize: '0.01', lotSize: '0.001', minNotional: '0' });

function gs(over: Partial<GridSnapshot> = {}): GridSnapshot {
  // inventory 10, target 10, max 1000 on a 0.01 / 0.001 grid
  return { mid: 100, volatility: 2, inventoryLots: 10_000, targetLots: 10_000, maxLots: 1_000_000, minLots: 0, now: NOW, grid: CENT, ...over };
}

const order = (side: 'buy' | 'sell', ticks: number, lots: number, level: number): GridOrder => ({ side, ticks, lots, level });
const side = (os: GridOrder[], s: 'buy' | 'sell') => os.filter((o) => o.side === s);
const ticksOf = (os: GridOrder[]) => os.map((o) => o.ticks);
const lotsOf = (os: GridOrder[]) => os.map((o) => o.lots);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof DomainError ? `${e.code} ${e.message}` : String(e);
  }
  return undefined;
}

describe('quoteOnGrid: hand-computed cases', () => {
  it('pure-mm: levels in ticks and lots', () => {
    // tick 0.01, lot 0.1: bids 100·(1 − 1% − i·0.5%) = 99, 98.5, 98 → 9900, 9850, 9800 ticks;
    // asks 100·(1 + 2% + i·0.5%) = 102, 102.5, 103 → 10200, 10250, 10300; sizes 1, 1.5, 2 → 10, 15, 20 lots
    const grid = marketGrid({ tickSize: '0.01', lotSize: '0.1', minNotional: '0' });
    const p: PureMmParams = { model: 'pure-mm', bidSpreadPct: '1', askSpreadPct: '2', orderAmount: '1', orderLevels: 3, levelSpacingPct: '0.5', levelAmountIncrement: '0.5' };
    expect(quoteOnGrid(gs({ grid, inventoryLots: 200, targetLots: 200, maxLots: 10_000 }), p)).toEqual([
      order('buy', 9900, 10, 0),
      order('buy', 9850, 15, 1),
      order('buy', 9800, 20, 2),
      order('sell', 10200, 10, 0),
      order('sell', 10250, 15, 1),
      order('sell', 10300, 20, 2),
    ]);
    // long 24.5 vs target 20, range R = 9 (2·(3·1 + 3·0.5)) = 90 lots: bid factor 1 − 45/90 = 0.5, ask 1.5
    // bids 5, 7.5 → 7, 10 lots; asks 15, 22.5 → 22, 30 lots; prices unchanged
    const long = quoteOnGrid(gs({ grid, inventoryLots: 245, targetLots: 200, maxLots: 10_000 }), p);
    expect(lotsOf(side(long, 'buy'))).toEqual([5, 7, 10]);
    expect(lotsOf(side(long, 'sell'))).toEqual([15, 22, 30]);
    expect(ticksOf(long)).toEqual([9900, 9850, 9800, 10200, 10250, 10300]);
  });

  it('pure-mm: a skewed size landing exactly on a lot keeps that lot', () => {
    // R = 2·(5·1 + 10·0.25) = 15 = 15000 lots; inventory 10.12 below target 20, left limit 20 − 15 = 5:
    // ask factor = (10.12 − 5)/15 = 0.341333…; sizes 1, 1.25, 1.5, 1.75, 2 → 341.33, 426.67, 512 (exactly), 597.33, 682.67
    // (the former decimal path divided 5.12/15 to 40 digits, got 0.51199…, and floored it to 511 lots)
    const p: PureMmParams = { model: 'pure-mm', bidSpreadPct: '0.1', askSpreadPct: '0.3', orderAmount: '1', orderLevels: 5, levelSpacingPct: '0.02', levelAmountIncrement: '0.25' };
    const qs = quoteOnGrid(gs({ mid: 83.8858, inventoryLots: 10_120, targetLots: 20_000, maxLots: 30_000 }), p);
    expect(lotsOf(side(qs, 'sell'))).toEqual([341, 426, 512, 597, 682]);
  });

  it('A-S: q counted in orders from lots', () => {
    // inventory 12 vs target 10 = 2000 lots of 0.001, orderAmount 1 = 1000 lots → q = 2
    // r = 100 − 2·0.1·4·0.5 = 99.6; half-spread 0.7453852114 → bid 98.8546 ↓ 9885, ask 100.3454 ↑ 10035
    const p: QuoteParams = { model: 'avellaneda-stoikov', gamma: 0.1, k: 1.5, horizon: { kind: 'rolling', seconds: 0.5 }, orderAmount: '1', sizeShape: 0.5 };
    // size shape η = 0.5: bid size e^(−1) = 0.367879 → 367 lots; ask 1000 lots
    expect(quoteOnGrid(gs({ inventoryLots: 12_000 }), p)).toEqual([order('buy', 9885, 367, 0), order('sell', 10035, 1000, 0)]);
  });

  it('GLFT: depths from the round parameter set', () => {
    // γ = ξ = 1, k = 1, A = 2, Δ = 1 → c1 = ln 2, c2 = 1; σ = 0.5, q = 1:
    // δb = 0.6931472 + 0.25 + 0.5 = 1.4431472 → 98.5568528 ↓ 9855; δa = 0.4431472 → 100.4431472 ↑ 10045
    const p: QuoteParams = { model: 'glft', gamma: 1, xi: 1, k: 1, A: 2, delta: 1, orderAmount: '1' };
    expect(quoteOnGrid(gs({ inventoryLots: 11_000, volatility: 0.5 }), p)).toEqual([order('buy', 9855, 1000, 0), order('sell', 10045, 1000, 0)]);
  });

  it('fixed-spread: the minimum notional is compared in tick·lot units', () => {
    // tick 0.01 × lot 0.1 = 0.001 per unit; min notional 10 → 10000 units.
    // bid 99.5 × 0.1 = 9950 units < 10000 dropped; ask 100.5 × 0.1 = 10050 units kept
    const grid = marketGrid({ tickSize: '0.01', lotSize: '0.1', minNotional: '10' });
    expect(grid.minNotionalUnits).toBe(10_000);
    const qs = quoteOnGrid(gs({ grid, inventoryLots: 100, targetLots: 100, maxLots: 1000 }), { model: 'fixed-spread', spreadPct: '1', orderAmount: '0.1' });
    expect(qs).toEqual([order('sell', 10050, 1, 0)]);
  });

  it('a model that touches is re-centred one tick wide', () => {
    // spread 0 around 100: raw bid = raw ask = 100 → 10000 / 10001
    expect(ticksOf(quoteOnGrid(gs(), { model: 'fixed-spread', spreadPct: '0', orderAmount: '1' }))).toEqual([10000, 10001]);
    // around 100.005 the rounding alone separates them: 10000.5 ↓ 10000, ↑ 10001
    expect(ticksOf(quoteOnGrid(gs({ mid: 100.005 }), { model: 'fixed-spread', spreadPct: '0', orderAmount: '1' }))).toEqual([10000, 10001]);
  });

  it('caps by inventory limits cumulatively per side, in exact lots', () => {
    // lot 0.1: inventory 9.5 = 95 lots, max 10 = 100 lots → 5 lots of bids; min 8 = 80 lots → 15 lots of asks
    const grid = marketGrid({ tickSize: '0.01', lotSize: '0.1', minNotional: '0' });
    const p: PureMmParams = { model: 'pure-mm', bidSpreadPct: '1', askSpreadPct: '1', orderAmount: '1', orderLevels: 3, levelSpacingPct: '1', inventorySkew: false };
    const qs = quoteOnGrid(gs({ grid, inventoryLots: 95, targetLots: 50, maxLots: 100, minLots: 80 }), p);
    expect(lotsOf(side(qs, 'buy'))).toEqual([5]);
    expect(lotsOf(side(qs, 'sell'))).toEqual([10, 5]);
    // over the maximum: no bids at all (room clamped at 0, not negative)
    expect(side(quoteOnGrid(gs({ grid, inventoryLots: 120, targetLots: 50, maxLots: 100 }), p), 'buy')).toEqual([]);
  });

  describe('price band in ticks', () => {
    // tick 0.1, lot 1, mid 101, no skew: bids 101, 100.495, 99.99 → 1010, 1004, 999 ticks, 1/2/3 lots;
    // asks 102.01, 102.515, 103.02 → 1021, 1026, 1031 ticks
    const grid = marketGrid({ tickSize: '0.1', lotSize: '1', minNotional: '0' });
    const base: PureMmParams = { model: 'pure-mm', bidSpreadPct: '0', askSpreadPct: '1', orderAmount: '1', orderLevels: 3, levelSpacingPct: '0.5', levelAmountIncrement: '1', inventorySkew: false };
    const at = (p: PureMmParams, g: MarketGrid = grid) => quoteOnGrid(gs({ grid: g, mid: 101, inventoryLots: 100, targetLots: 100, maxLots: 1000 }), p);

    it('without a band', () => {
      expect(ticksOf(at(base))).toEqual([1010, 1004, 999, 1021, 1026, 1031]);
    });

    it('ceiling 100.37 ↓ 1003: the best bid above moves onto it, the other bids above are dropped', () => {
      expect(at({ ...base, band: { ceiling: '100.37' } })).toEqual([
        order('buy', 1003, 1, 0),
        order('buy', 999, 3, 1),
        order('sell', 1021, 1, 0),
        order('sell', 1026, 2, 1),
        order('sell', 1031, 3, 2),
      ]);
    });

    it('floor 102.55 ↑ 1026: an ask already rests there, so the ask below is dropped, not stacked', () => {
      expect(at({ ...base, band: { floor: '102.55' } }).filter((o) => o.side === 'sell')).toEqual([order('sell', 1026, 2, 0), order('sell', 1031, 3, 1)]);
      // floor 102.3 ↑ 1023: the best ask below (1021, 1 lot) is raised onto it
      expect(at({ ...base, band: { floor: '102.3' } }).filter((o) => o.side === 'sell')).toEqual([order('sell', 1023, 1, 0), order('sell', 1026, 2, 1), order('sell', 1031, 3, 2)]);
    });

    it('re-checks the minimum notional after lowering a bid, and renumbers', () => {
      // min notional 100.5 / (0.1 × 1) = 1005 units: 1010×1 passes before the band, 1003×1 fails after it
      const g = marketGrid({ tickSize: '0.1', lotSize: '1', minNotional: '100.5' });
      expect(at({ ...base, band: { ceiling: '100.37' } }, g).filter((o) => o.side === 'buy')).toEqual([order('buy', 999, 3, 0)]);
    });
  });
});

describe('quoteOnGrid: validation', () => {
  const AS: QuoteParams = { model: 'avellaneda-stoikov', gamma: 0.1, k: 1.5, horizon: { kind: 'rolling', seconds: 0.5 }, orderAmount: '1' };

  it('names the bad field, and a params object that failed is not cached as valid', () => {
    const bad = { ...AS, orderAmount: 'lots' };
    expect(codeOf(() => quoteOnGrid(gs(), bad))).toMatch(/^QUOTING.INVALID_PARAMS orderAmount:/);
    expect(codeOf(() => quoteOnGrid(gs(), bad))).toMatch(/^QUOTING.INVALID_PARAMS orderAmount:/);
    expect(codeOf(() => quoteOnGrid(gs(), { ...AS, horizon: { kind: 'rolling', seconds: -1 } }))).toMatch(/^QUOTING.INVALID_PARAMS horizon.seconds:/);
    expect(codeOf(() => quoteOnGrid(gs(), { model: 'pure-mm', bidSpreadPct: 'x', askSpreadPct: '1', orderAmount: '1' }))).toMatch(/^QUOTING.INVALID_PARAMS bidSpreadPct:/);
    expect(codeOf(() => quoteOnGrid(gs(), { model: 'fixed-spread', spreadPct: '1', orderAmount: '1', band: { floor: '2', ceiling: '1' } }))).toMatch(
      /^QUOTING.INVALID_PARAMS band:/,
    );
    expect(codeOf(() => quoteOnGrid(gs(), { model: 'magic' } as unknown as QuoteParams))).toMatch(/^QUOTING.INVALID_PARAMS model:/);
  });

  it('checks the per-call inputs every call, even with cached params', () => {
    expect(quoteOnGrid(gs(), AS)).toHaveLength(2);
    expect(codeOf(() => quoteOnGrid(gs({ volatility: Number.NaN }), AS))).toMatch(/^QUOTING.INVALID_PARAMS volatility:/);
    expect(codeOf(() => quoteOnGrid(gs({ mid: 0 }), AS))).toMatch(/^QUOTING.INVALID_PARAMS mid:/);
    expect(codeOf(() => quoteOnGrid(gs({ mid: Number.NaN }), AS))).toMatch(/^QUOTING.INVALID_PARAMS mid:/);
    expect(codeOf(() => quoteOnGrid(gs({ inventoryLots: 1.5 }), AS))).toMatch(/^QUOTING.INVALID_PARAMS inventoryLots:/);
    // γσ²τ overflows to ∞: the model output is not finite
    expect(codeOf(() => quoteOnGrid(gs(), { ...AS, gamma: 1e308 }))).toMatch(/^QUOTING.NON_FINITE bid/);
  });
});

describe('the string API over the grid', () => {
  const snap = (over: Partial<MarketSnapshot> = {}): MarketSnapshot => ({
    mid: '100',
    volatility: 2,
    inventory: '10',
    targetInventory: '10',
    maxInventory: '1000',
    now: NOW,
    tickSize: '0.01',
    lotSize: '0.1',
    ...over,
  });

  it('gridSnapshot rounds inventories in the directions that keep the limits safe', () => {
    // inventory 9.95 (off the 0.1 grid) → 99 lots; max 10 → 100 lots, minus one because inventory was
    // rounded down (bid room floor(10) − ceil(9.95) = 100 − 100 = 0); min 8.01 ↑ 81; target 20.05 ↓ 200
    const g = gridSnapshot(snap({ mid: '100.5', inventory: '9.95', maxInventory: '10', minInventory: '8.01', targetInventory: '20.05' }));
    expect([g.mid, g.inventoryLots, g.maxLots, g.minLots, g.targetLots]).toEqual([100.5, 99, 99, 81, 200]);
    // on the grid, no adjustment; a maximum beyond 2^53 lots is clamped, not refused
    expect(gridSnapshot(snap({ inventory: '9.9', maxInventory: '10' })).maxLots).toBe(100);
    expect(gridSnapshot(snap({ maxInventory: '1e30' })).maxLots).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('an off-grid inventory never lets bids or asks pass the exact limits', () => {
    const p: QuoteParams = { model: 'fixed-spread', spreadPct: '1', orderAmount: '5' };
    // exact room to buy 10 − 9.95 = 0.05 < one lot: no bid (flooring inventory alone would allow 0.1)
    expect(quoteWith(snap({ inventory: '9.95', maxInventory: '10' }), p).filter((q) => q.side === 'buy')).toEqual([]);
    // exact room 10.08 − 9.85 = 0.23 holds two lots; floor(100.8) − ceil(98.5) = 1 lot is quoted (conservative)
    expect(quoteWith(snap({ inventory: '9.85', maxInventory: '10.08' }), p).find((q) => q.side === 'buy')?.amount).toBe('0.1');
    // asks: 0.25 held above min 0.01 → floor(2.5) − ceil(0.1) = 2 − 1 = 1 lot (exact room 0.24)
    expect(quoteWith(snap({ inventory: '0.25', minInventory: '0.01' }), p).find((q) => q.side === 'sell')?.amount).toBe('0.1');
  });

  it('formats grid orders as canonical decimal strings', () => {
    const grid = marketGrid({ tickSize: '0.01', lotSize: '0.1', minNotional: '0' });
    expect(toDesiredQuotes(grid, [order('buy', 9850, 15, 0), order('sell', 10200, 10, 0)])).toEqual([
      { side: 'buy', price: '98.5', amount: '1.5', level: 0, postOnly: true },
      { side: 'sell', price: '102', amount: '1', level: 0, postOnly: true },
    ]);
  });

  it('applyPriceBand keeps exact comparisons for prices off the tick grid', () => {
    const q = (s: 'buy' | 'sell', price: string, level: number) => ({ side: s, price, amount: '1', level, postOnly: true as const });
    // ceiling 100.3 on a 0.1 grid: 100.35 is above it (moved onto 100.3); 100.25 is below it (kept as is)
    expect(applyPriceBand([q('buy', '100.25', 1), q('buy', '100.35', 0)], { ceiling: '100.3' }, '0.1')).toEqual([q('buy', '100.3', 0), q('buy', '100.25', 1)]);
    // floor 100.3: 100.25 is below it (raised onto 100.3), 100.35 kept
    expect(applyPriceBand([q('sell', '100.25', 0), q('sell', '100.35', 1)], { floor: '100.3' }, '0.1')).toEqual([q('sell', '100.3', 0), q('sell', '100.35', 1)]);
  });

  it('floorLots snaps binary noise and floors the rest', () => {
    expect(floorLots(1.5 / 0.1)).toBe(15); // 15.000000000000002
    expect(floorLots(0.3 / 0.1)).toBe(3); // 2.9999999999999996
    expect(floorLots(7.5)).toBe(7);
    expect(floorLots(7.999999)).toBe(7);
  });
});

describe('quoteOnGrid: random states keep every invariant', () => {
  it('on the grid, monotone, never crossed, within limits and band, min notional met', () => {
    const rng = mulberry32(20261126);
    const grids = [
      marketGrid({ tickSize: '0.01', lotSize: '0.001', minNotional: '0' }),
      marketGrid({ tickSize: '0.0001', lotSize: '1', minNotional: '5' }),
      marketGrid({ tickSize: '0.5', lotSize: '0.01', minNotional: '10' }),
      marketGrid({ tickSize: '1', lotSize: '0.0001', minNotional: '1' }),
    ];
    const models = (mid: number): QuoteParams[] => [
      { model: 'avellaneda-stoikov', gamma: 0.1, k: 1.5, horizon: { kind: 'cycle', seconds: 60 }, orderAmount: '1', orderLevels: 4, levelSpacingPct: '0.05', sizeShape: 0.3 },
      { model: 'glft', gamma: 0.05, k: 3, A: 5, orderAmount: '0.7', orderLevels: 3, levelSpacingPct: '0.01', band: { ceiling: (mid * 0.9995).toFixed(4), floor: (mid * 0.98).toFixed(4) } },
      { model: 'pure-mm', bidSpreadPct: '0.1', askSpreadPct: '0.3', orderAmount: '1.3', orderLevels: 5, levelSpacingPct: '0.02', levelAmountIncrement: '0.25' },
      { model: 'pure-mm', bidSpreadPct: '0', askSpreadPct: '0', orderAmount: '2', orderLevels: 3, levelSpacingPct: '0.001', band: { floor: mid.toFixed(2) } },
      { model: 'fixed-spread', spreadPct: '0.01', orderAmount: '1' },
    ];
    let checked = 0;
    let banded = 0;
    for (let n = 0; n < 300; n++) {
      const grid = grids[n % grids.length]!;
      const perUnit = Number(grid.rules.lotSize);
      const lots = (base: number) => Math.floor(base / perUnit);
      const mid = 20 + rng() * 200;
      const inventoryLots = lots(rng() * 40);
      const s: GridSnapshot = { mid, volatility: rng() * 3, inventoryLots, targetLots: lots(20), maxLots: lots(30), minLots: lots(rng() * 5), now: NOW + n * 777, grid };
      for (const p of models(mid)) {
        const qs = quoteOnGrid(s, p);
        const bids = side(qs, 'buy');
        const asks = side(qs, 'sell');
        expect(qs).toEqual([...bids, ...asks]);
        for (const o of qs) {
          expect(Number.isSafeInteger(o.ticks) && Number.isSafeInteger(o.lots)).toBe(true);
          expect(o.ticks > 0 && o.lots > 0).toBe(true);
          expect(o.ticks * o.lots).toBeGreaterThanOrEqual(grid.minNotionalUnits);
        }
        expect(bids.map((o) => o.level)).toEqual(bids.map((_, i) => i));
        expect(asks.map((o) => o.level)).toEqual(asks.map((_, i) => i));
        bids.slice(1).forEach((o, i) => expect(o.ticks).toBeLessThan(bids[i]!.ticks));
        asks.slice(1).forEach((o, i) => expect(o.ticks).toBeGreaterThan(asks[i]!.ticks));
        if (bids[0] && asks[0]) expect(bids[0].ticks).toBeLessThan(asks[0].ticks);
        const sum = (os: GridOrder[]) => os.reduce((a, o) => a + o.lots, 0);
        expect(sum(bids)).toBeLessThanOrEqual(Math.max(0, s.maxLots - s.inventoryLots));
        expect(sum(asks)).toBeLessThanOrEqual(Math.max(0, s.inventoryLots - s.minLots));
        if ('band' in p && p.band) {
          if (p.band.ceiling !== undefined) for (const o of bids) expect(o.ticks).toBeLessThanOrEqual(grid.ticks(p.band.ceiling, 'floor'));
          if (p.band.floor !== undefined) for (const o of asks) expect(o.ticks).toBeGreaterThanOrEqual(grid.ticks(p.band.floor, 'ceil'));
          banded += qs.length;
        }
        if (p.model === 'fixed-spread' && bids[0] && asks[0] && bids[0].ticks + 1 !== asks[0].ticks) {
          // rounding never makes a quote more aggressive than the model's price (1e-9 tick of noise aside)
          const noise = 1e-9 * Number(grid.rules.tickSize);
          expect(grid.priceFloat(bids[0].ticks)).toBeLessThanOrEqual(mid * (1 - 0.00005) + noise);
          expect(grid.priceFloat(asks[0].ticks)).toBeGreaterThanOrEqual(mid * (1 + 0.00005) - noise);
        }
        checked += qs.length;
      }
    }
    expect(checked).toBeGreaterThan(3000);
    expect(banded).toBeGreaterThan(300);
  });

  it('quoteWith equals quoteOnGrid on the converted snapshot, formatted', () => {
    const rng = mulberry32(7);
    const p: QuoteParams = { model: 'pure-mm', bidSpreadPct: '0.2', askSpreadPct: '0.2', orderAmount: '1', orderLevels: 3, levelSpacingPct: '0.1', levelAmountIncrement: '0.5' };
    for (let n = 0; n < 100; n++) {
      const s: MarketSnapshot = {
        mid: (50 + rng() * 100).toFixed(4),
        volatility: 1,
        inventory: (rng() * 40).toFixed(3),
        targetInventory: '20',
        maxInventory: '30',
        now: NOW,
        tickSize: '0.01',
        lotSize: '0.01',
        minNotional: '1',
      };
      const g = gridSnapshot(s);
      expect(quoteWith(s, p)).toEqual(toDesiredQuotes(g.grid, quoteOnGrid(g, p)));
    }
  });
});
