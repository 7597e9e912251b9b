import { DomainError } from '../../domain/errors';
import {
  bandsFor,
  computeBookMetrics,
  evaluateCompliance,
  type BookMetrics,
  type VenueRequirements,
} from '../../domain/compliance';
import type { BookLevel } from '../../domain/order-book';

const lv = (price: string, amount: string): BookLevel => ({ price, amount });

// The reference book. best bid 0.99, best ask 1.01.
//   mid        = (0.99 + 1.01) / 2 = 1
//   spreadAbs  = 1.01 - 0.99 = 0.02
//   spreadPct  = 0.02 / 1 * 100 = 2
const BIDS = [lv('0.99', '100'), lv('0.985', '200'), lv('0.97', '1000'), lv('0.94', '5000')];
const ASKS = [lv('1.01', '100'), lv('1.02', '300'), lv('1.04', '1000'), lv('1.06', '4000')];

function okMetrics(m: BookMetrics): Extract<BookMetrics, { ok: true }> {
  if (!m.ok) throw new Error(`expected ok metrics, got ${m.reason}`);
  return m;
}

describe('computeBookMetrics', () => {
  it('computes mid, spread and ±1/2/5 % depth of a hand-built book', () => {
    const m = okMetrics(computeBookMetrics({ bids: BIDS, asks: ASKS }));
    expect(m.bestBid).toBe('0.99');
    expect(m.bestAsk).toBe('1.01');
    expect(m.mid).toBe('1');
    expect(m.spreadAbs).toBe('0.02');
    expect(m.spreadPct).toBe('2');
    expect(m.depth.map((b) => b.pct)).toEqual(['1', '2', '5']);

    // ±1 %: bids with price >= 0.99, asks with price <= 1.01.
    //   bids: 0.99×100            → base 100, quote 99
    //   asks: 1.01×100            → base 100, quote 101
    //   thinner side: 99
    expect(m.depth[0]).toEqual({ pct: '1', bidBase: '100', askBase: '100', bidQuote: '99', askQuote: '101', minSideQuote: '99' });

    // ±2 %: bids >= 0.98, asks <= 1.02.
    //   bids: 0.99×100 + 0.985×200 = 99 + 197 = 296; base 100 + 200 = 300
    //   asks: 1.01×100 + 1.02×300  = 101 + 306 = 407; base 100 + 300 = 400
    //   thinner side: 296
    expect(m.depth[1]).toEqual({ pct: '2', bidBase: '300', askBase: '400', bidQuote: '296', askQuote: '407', minSideQuote: '296' });

    // ±5 %: bids >= 0.95 (0.94 is out), asks <= 1.05 (1.06 is out).
    //   bids: 296 + 0.97×1000 = 296 + 970 = 1266; base 300 + 1000 = 1300
    //   asks: 407 + 1.04×1000 = 407 + 1040 = 1447; base 400 + 1000 = 1400
    //   thinner side: 1266
    expect(m.depth[2]).toEqual({ pct: '5', bidBase: '1300', askBase: '1400', bidQuote: '1266', askQuote: '1447', minSideQuote: '1266' });
  });

  it('measures only the requested bands, in the order given', () => {
    // ±10 %: bids >= 0.9 (all four), asks <= 1.1 (all four).
    //   bids quote: 1266 + 0.94×5000 = 1266 + 4700 = 5966; base 1300 + 5000 = 6300
    //   asks quote: 1447 + 1.06×4000 = 1447 + 4240 = 5687; base 1400 + 4000 = 5400
    const m = okMetrics(computeBookMetrics({ bids: BIDS, asks: ASKS }, ['10', '1']));
    expect(m.depth).toEqual([
      { pct: '10', bidBase: '6300', askBase: '5400', bidQuote: '5966', askQuote: '5687', minSideQuote: '5687' },
      { pct: '1', bidBase: '100', askBase: '100', bidQuote: '99', askQuote: '101', minSideQuote: '99' },
    ]);
  });

  it('sorts unsorted input before measuring', () => {
    const shuffledBids = [BIDS[2]!, BIDS[0]!, BIDS[3]!, BIDS[1]!];
    const shuffledAsks = [ASKS[3]!, ASKS[1]!, ASKS[0]!, ASKS[2]!];
    const m = okMetrics(computeBookMetrics({ bids: shuffledBids, asks: shuffledAsks }));
    // Same book as above, so the same hand-computed numbers.
    expect(m.bestBid).toBe('0.99');
    expect(m.bestAsk).toBe('1.01');
    expect(m.mid).toBe('1');
    expect(m.spreadPct).toBe('2');
    expect(m.depth.map((b) => [b.bidQuote, b.askQuote])).toEqual([
      ['99', '101'],
      ['296', '407'],
      ['1266', '1447'],
    ]);
  });

  it('includes levels exactly on the band edge and excludes levels just outside it', () => {
    // mid = (0.99 + 1.01)/2 = 1; ±1 % band = [0.99, 1.01].
    // 0.98999999 and 1.01000001 are just outside the band.
    const m = okMetrics(
      computeBookMetrics(
        { bids: [lv('0.98999999', '1000'), lv('0.99', '1')], asks: [lv('1.01000001', '1000'), lv('1.01', '1')] },
        ['1'],
      ),
    );
    expect(m.mid).toBe('1');
    // bids: 0.99×1 = 0.99 ; asks: 1.01×1 = 1.01
    expect(m.depth[0]).toEqual({ pct: '1', bidBase: '1', askBase: '1', bidQuote: '0.99', askQuote: '1.01', minSideQuote: '0.99' });
  });

  it('reports an empty bid side (with the best ask if any)', () => {
    expect(computeBookMetrics({ bids: [], asks: ASKS })).toEqual({ ok: false, reason: 'EMPTY_BIDS', bestAsk: '1.01' });
    expect(computeBookMetrics({ bids: [], asks: [] })).toEqual({ ok: false, reason: 'EMPTY_BIDS' });
  });

  it('reports an empty ask side with the best bid', () => {
    expect(computeBookMetrics({ bids: BIDS, asks: [] })).toEqual({ ok: false, reason: 'EMPTY_ASKS', bestBid: '0.99' });
  });

  it('reports a crossed book (bid > ask)', () => {
    expect(computeBookMetrics({ bids: [lv('1.02', '1')], asks: [lv('1.01', '1')] })).toEqual({
      ok: false,
      reason: 'CROSSED',
      bestBid: '1.02',
      bestAsk: '1.01',
    });
  });

  it('reports a locked book (bid == ask) as crossed', () => {
    // "1.0" and "1" are the same price; the reported prices are canonical.
    expect(computeBookMetrics({ bids: [lv('1.0', '1'), lv('0.9', '1')], asks: [lv('1', '1')] })).toEqual({
      ok: false,
      reason: 'CROSSED',
      bestBid: '1',
      bestAsk: '1',
    });
  });

  it('a one-tick spread is not crossed', () => {
    const m = computeBookMetrics({ bids: [lv('0.9999', '1')], asks: [lv('1', '1')] });
    expect(m.ok).toBe(true);
  });

  it('is decimal-exact (no binary float artefacts)', () => {
    // bids: three levels at 0.1 of 0.1 base each; ask 0.2×0.1.
    //   mid = (0.1 + 0.2)/2 = 0.15; spreadAbs = 0.2 - 0.1 = 0.1 (floats would give 0.1 too but see sums below)
    //   spreadPct = 0.1 / 0.15 × 100 = 66.666…, rounded half-even to 10 dp = 66.6666666667
    //   ±50 % band = [0.075, 0.225]: everything is inside.
    //   bidBase = 0.1 + 0.1 + 0.1 = 0.3 (floats: 0.30000000000000004)
    //   bidQuote = 3 × (0.1 × 0.1) = 0.03; askQuote = 0.2 × 0.1 = 0.02
    const m = okMetrics(
      computeBookMetrics({ bids: [lv('0.1', '0.1'), lv('0.1', '0.1'), lv('0.1', '0.1')], asks: [lv('0.2', '0.1')] }, ['50']),
    );
    expect(m.mid).toBe('0.15');
    expect(m.spreadAbs).toBe('0.1');
    expect(m.spreadPct).toBe('66.6666666667');
    expect(m.depth[0]).toEqual({ pct: '50', bidBase: '0.3', askBase: '0.1', bidQuote: '0.03', askQuote: '0.02', minSideQuote: '0.02' });
  });

  it('keeps spreadAbs exact for prices whose float difference is inexact', () => {
    // 0.3 - 0.1 in floats is 0.19999999999999998; in decimals 0.2. mid = 0.2, spreadPct = 0.2/0.2×100 = 100.
    const m = okMetrics(computeBookMetrics({ bids: [lv('0.1', '1')], asks: [lv('0.3', '1')] }, []));
    expect(m.spreadAbs).toBe('0.2');
    expect(m.mid).toBe('0.2');
    expect(m.spreadPct).toBe('100');
    expect(m.depth).toEqual([]);
  });
});

describe('bandsFor', () => {
  it('adds a non-standard band and sorts numerically', () => {
    expect(bandsFor({ depthBandPct: '3' })).toEqual(['1', '2', '3', '5']);
    expect(bandsFor({ depthBandPct: '0.5' })).toEqual(['0.5', '1', '2', '5']);
    // Numeric, not lexicographic ('10' < '2' as strings).
    expect(bandsFor({ depthBandPct: '10' })).toEqual(['1', '2', '5', '10']);
  });

  it('dedupes a standard band, also when written non-canonically', () => {
    expect(bandsFor({ depthBandPct: '2' })).toEqual(['1', '2', '5']);
    expect(bandsFor({ depthBandPct: '2.0' })).toEqual(['1', '2', '5']);
    expect(bandsFor({ depthBandPct: '5.000' })).toEqual(['1', '2', '5']);
  });
});

describe('evaluateCompliance', () => {
  // Reference book: spreadPct = 2; ±2 % depth = bid 296 / ask 407 → thinner side 296 (see above).
  const metrics = computeBookMetrics({ bids: BIDS, asks: ASKS });
  const req: VenueRequirements = { maxSpreadPct: '2', minDepthQuote: '296', depthBandPct: '2', minVolume24hQuote: '1000' };

  const check = (v: ReturnType<typeof evaluateCompliance>, name: string) => {
    const c = v.checks.find((x) => x.name === name);
    if (!c) throw new Error(`no ${name} check`);
    return c;
  };

  it('passes when every requirement is met exactly at its limit', () => {
    const v = evaluateCompliance(metrics, '1000', req);
    expect(v.compliant).toBe(true);
    expect(v.checks.map((c) => c.name)).toEqual(['spread', 'depth', 'volume24h']);
    expect(check(v, 'spread')).toEqual({ name: 'spread', required: '<= 2%', actual: '2%', ok: true });
    expect(check(v, 'depth')).toEqual({ name: 'depth', required: '>= 296 per side within ±2%', actual: '296', ok: true });
    expect(check(v, 'volume24h')).toEqual({ name: 'volume24h', required: '>= 1000', actual: '1000', ok: true });
  });

  it('fails the spread check when the spread exceeds the maximum', () => {
    // 2 > 1.99
    const v = evaluateCompliance(metrics, '1000', { ...req, maxSpreadPct: '1.99' });
    expect(v.compliant).toBe(false);
    expect(check(v, 'spread').ok).toBe(false);
    expect(check(v, 'depth').ok).toBe(true);
    expect(check(v, 'volume24h').ok).toBe(true);
  });

  it('measures depth on the thinner side', () => {
    // Requirement 300: the ask side (407) meets it, the bid side (296) does not → fail.
    const v = evaluateCompliance(metrics, '1000', { ...req, minDepthQuote: '300' });
    expect(v.compliant).toBe(false);
    expect(check(v, 'depth')).toMatchObject({ actual: '296', ok: false });
    // Just above the bid side: 296.01 > 296 → fail.
    expect(check(evaluateCompliance(metrics, '1000', { ...req, minDepthQuote: '296.01' }), 'depth').ok).toBe(false);
  });

  it('uses the band the venue requires', () => {
    // ±5 % thinner side = 1266 (bids) ≥ 1000 → pass; at ±2 % it would be 296 < 1000.
    const m5 = computeBookMetrics({ bids: BIDS, asks: ASKS }, bandsFor({ depthBandPct: '5' }));
    expect(check(evaluateCompliance(m5, '1000', { ...req, depthBandPct: '5', minDepthQuote: '1000' }), 'depth')).toMatchObject({
      actual: '1266',
      ok: true,
    });
    expect(check(evaluateCompliance(m5, '1000', { ...req, depthBandPct: '2', minDepthQuote: '1000' }), 'depth')).toMatchObject({
      actual: '296',
      ok: false,
    });
  });

  it('fails when 24 h volume is below the minimum', () => {
    // 999.99 < 1000
    const v = evaluateCompliance(metrics, '999.99', req);
    expect(v.compliant).toBe(false);
    expect(check(v, 'volume24h')).toEqual({ name: 'volume24h', required: '>= 1000', actual: '999.99', ok: false });
    expect(check(v, 'spread').ok).toBe(true);
    expect(check(v, 'depth').ok).toBe(true);
  });

  it('produces a failing book check for non-ok metrics', () => {
    const bad = computeBookMetrics({ bids: [], asks: ASKS });
    const v = evaluateCompliance(bad, '5000', req);
    expect(v.compliant).toBe(false);
    expect(v.checks.map((c) => c.name)).toEqual(['book', 'volume24h']);
    expect(check(v, 'book')).toEqual({ name: 'book', required: 'two-sided, uncrossed', actual: 'EMPTY_BIDS', ok: false });
    expect(check(v, 'volume24h').ok).toBe(true);

    const crossed = computeBookMetrics({ bids: [lv('1', '1')], asks: [lv('1', '1')] });
    expect(check(evaluateCompliance(crossed, '5000', req), 'book').actual).toBe('CROSSED');
  });

  it('throws COMPLIANCE.BAND_NOT_MEASURED when the required band is missing', () => {
    const only1and5 = computeBookMetrics({ bids: BIDS, asks: ASKS }, ['1', '5']);
    let err: unknown;
    try {
      evaluateCompliance(only1and5, '1000', req);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('COMPLIANCE.BAND_NOT_MEASURED');
    expect((err as DomainError).message).toContain('±2%');
  });

  it('matches the band numerically ("2.0" finds the "2" band)', () => {
    const v = evaluateCompliance(metrics, '1000', { ...req, depthBandPct: '2.0' });
    expect(check(v, 'depth').actual).toBe('296');
  });
});
