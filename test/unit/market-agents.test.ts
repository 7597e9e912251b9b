import { InformedTrader } from '../../sim/market/informed-trader';
import { MomentumTrader } from '../../sim/market/momentum-trader';
import { NoiseTrader, type NoiseTraderParams } from '../../sim/market/noise-trader';
import { PanicSeller } from '../../sim/market/panic-seller';
import { WhaleSeller } from '../../sim/market/whale-seller';
import { staticView } from '../../sim/market/static-view';
import type { LimitAction } from '../../sim/market/agent.types';
import { mulberry32 } from '../../domain/rng';

/** An rng that returns the given draws in order (then fails the test if asked for more). */
function draws(...values: number[]): () => number {
  let i = 0;
  return () => {
    if (i >= values.length) throw new Error(`rng asked for draw #${i + 1}, only ${values.length} given`);
    return values[i++]!;
  };
}

const rich = { base: 1e9, quote: 1e9 };

describe('NoiseTrader', () => {
  const params: NoiseTraderParams = {
    venues: ['alpha', 'pool'],
    ratePerMinute: 6,
    sizeQuote: { median: 500, sigma: 0 },
    marketableProb: 0.4,
    buyProb: 0.5,
    maxSlippagePct: 1,
    passiveOffsetPct: 2,
    passiveTtlMs: 60_000,
  };
  const view = (holdings = rich) =>
    staticView({
      venues: [
        { id: 'alpha', bid: 0.49, ask: 0.51 },
        { id: 'pool', kind: 'amm', bid: 0.4985, ask: 0.5015 },
      ],
      holdings: { alpha: holdings, pool: holdings },
    });

  // Draw order: venue, side, gaussian (2 draws), marketable?, passive offset.
  it('sends a marketable buy capped at the ask plus the slippage, sized at the median notional', () => {
    const [a] = new NoiseTrader('n', params).decide(view(), draws(0.1, 0.2, 0.5, 0.5, 0.3)) as LimitAction[];
    expect(a).toEqual({ type: 'limit', venue: 'alpha', side: 'buy', price: 0.51 * 1.01, amount: 500 / 0.51, tif: 'IOC' });
  });

  it('rests a passive sell above the mid, post-only, with its TTL', () => {
    const [a] = new NoiseTrader('n', params).decide(view(), draws(0.1, 0.7, 0.5, 0.5, 0.9, 0.25)) as LimitAction[];
    expect(a).toEqual({ type: 'limit', venue: 'alpha', side: 'sell', price: 0.5 * (1 + 0.005), amount: 1000, tif: 'GTC', ttlMs: 60_000, postOnly: true });
  });

  it('always takes liquidity on a pool (no resting orders there)', () => {
    const [a] = new NoiseTrader('n', params).decide(view(), draws(0.9, 0.7, 0.5, 0.5)) as LimitAction[];
    expect(a).toMatchObject({ venue: 'pool', side: 'sell', tif: 'IOC', price: 0.4985 * 0.99 });
  });

  it('never spends more than it holds', () => {
    const [buy] = new NoiseTrader('n', params).decide(view({ base: 0, quote: 100 }), draws(0.1, 0.2, 0.5, 0.5, 0.3)) as LimitAction[];
    expect(buy!.amount * buy!.price).toBeLessThanOrEqual(100);
    expect(buy!.amount).toBeCloseTo((100 / (0.51 * 1.01)) * 0.999, 9);
    expect(new NoiseTrader('n', params).decide(view({ base: 0, quote: 100 }), draws(0.1, 0.7, 0.5, 0.5, 0.3))).toEqual([]);
  });

  it('does nothing on a venue without a two-sided book', () => {
    const v = staticView({ venues: [{ id: 'alpha', bid: 0.49 }], holdings: { alpha: rich } });
    expect(new NoiseTrader('n', { ...params, venues: ['alpha'] }).decide(v, draws(0.1, 0.2, 0.5, 0.5, 0.3))).toEqual([]);
  });

  it('acts at Poisson times with the configured rate', () => {
    const t = new NoiseTrader('n', params);
    const rng = mulberry32(9);
    const n = 20_000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += t.nextDelayMs(0, rng);
    // Exponential with mean 10 s: the sample mean's standard error is 10 s / √n.
    expect(Math.abs(sum / n - 10_000)).toBeLessThan((4 * 10_000) / Math.sqrt(n));
  });
});

describe('InformedTrader', () => {
  const params = { venues: ['alpha', 'bravo'], ratePerMinute: 1, leadMs: 300_000, noisePct: 0, thresholdPct: 1, maxQuote: 3000 };
  const fundamental = (ahead: number) => (ahead === 300_000 ? 0.5 : 0.45); // only the 5-minute-ahead value is 0.5

  it('buys where the ask is furthest below what it sees ahead, net of the taker fee', () => {
    const v = staticView({
      fundamental,
      venues: [
        { id: 'alpha', bid: 0.485, ask: 0.49, takerFee: 0.001 },
        { id: 'bravo', bid: 0.49, ask: 0.495, takerFee: 0.001 },
      ],
      holdings: { alpha: rich, bravo: rich },
    });
    const [a] = new InformedTrader('i', params).decide(v, draws(0.5, 0.5)) as LimitAction[];
    const edge = 0.5 / (0.49 * 1.001) - 1;
    expect(a).toMatchObject({ type: 'limit', venue: 'alpha', side: 'buy', tif: 'IOC' });
    expect(a!.price).toBeCloseTo(0.5 * 0.995, 12); // stops when half the threshold is left
    expect(a!.amount).toBeCloseTo((3000 * Math.min(1, edge / 0.03)) / 0.49, 9);
  });

  it('sells where the bid is above fair value by more than the threshold', () => {
    const v = staticView({ fundamental, venues: [{ id: 'alpha', bid: 0.51, ask: 0.512, takerFee: 0.001 }], holdings: { alpha: rich } });
    const [a] = new InformedTrader('i', { ...params, venues: ['alpha'] }).decide(v, draws(0.5, 0.5)) as LimitAction[];
    expect(a).toMatchObject({ venue: 'alpha', side: 'sell' });
    expect(a!.price).toBeCloseTo(0.5 * 1.005, 12);
  });

  it('stays out when the deviation is within threshold + fee', () => {
    const v = staticView({ fundamental, venues: [{ id: 'alpha', bid: 0.4955, ask: 0.4965, takerFee: 0.002 }], holdings: { alpha: rich } });
    // 0.5 / (0.4965 × 1.002) − 1 = 0.50 % < 1 %
    expect(new InformedTrader('i', { ...params, venues: ['alpha'] }).decide(v, draws(0.5, 0.5))).toEqual([]);
  });
});

describe('MomentumTrader', () => {
  const params = { venues: ['alpha'], ratePerMinute: 1, lookbackMs: 600_000, thresholdPct: 1, sizeQuote: 500, maxSlippagePct: 0.5 };
  const view = (history: number[], bid: number, ask: number) => staticView({ historyEveryMs: 60_000, venues: [{ id: 'alpha', bid, ask, history }], holdings: { alpha: rich } });
  const past = (first: number) => [first, ...Array<number>(9).fill(0.5)]; // 10 samples: the first is 10 minutes ago

  it('buys after a rise beyond the threshold, sized by the move (capped at 3×)', () => {
    const [a] = new MomentumTrader('m', params).decide(view(past(0.49), 0.4995, 0.5005), draws(0)) as LimitAction[];
    const r = Math.log(0.5 / 0.49);
    expect(a).toMatchObject({ side: 'buy', tif: 'IOC' });
    expect(a!.price).toBeCloseTo(0.5005 * 1.005, 12);
    expect(a!.amount).toBeCloseTo((500 * (r / 0.01)) / 0.5005, 9);
  });

  it('sells after a fall, and does nothing on a small move or without history', () => {
    expect(new MomentumTrader('m', params).decide(view(past(0.52), 0.4995, 0.5005), draws(0))[0]).toMatchObject({ side: 'sell' });
    expect(new MomentumTrader('m', params).decide(view(past(0.497), 0.4995, 0.5005), draws(0))).toEqual([]);
    expect(new MomentumTrader('m', params).decide(view([0.4, 0.5], 0.4995, 0.5005), draws(0))).toEqual([]);
  });
});

describe('PanicSeller', () => {
  const params = { venues: ['alpha', 'bravo'], ratePerMinute: 1, windowMs: 3_600_000, drawdownPct: 5, sellFraction: 0.4, maxSlippagePct: 3, cooldownMs: 600_000 };
  const view = (now: number, alphaBid: number, holdings = { base: 10_000, quote: 0 }) =>
    staticView({
      now,
      historyEveryMs: 60_000,
      venues: [
        { id: 'alpha', bid: alphaBid, ask: alphaBid + 0.002, history: [0.5, 0.52, 0.5] },
        { id: 'bravo', bid: 0.499, ask: 0.501, history: [0.5, 0.5] },
      ],
      holdings: { alpha: holdings, bravo: holdings },
    });

  it('dumps a fraction of its holdings on the venue that fell most from its peak, then cools down', () => {
    const p = new PanicSeller('p', params);
    const [a] = p.decide(view(1_000_000, 0.48), draws()) as LimitAction[]; // mid 0.481: 7.5 % below 0.52
    expect(a).toMatchObject({ venue: 'alpha', side: 'sell', tif: 'IOC' });
    expect(a!.amount).toBeCloseTo(4000, 9);
    expect(a!.price).toBeCloseTo(0.48 * 0.97, 12);
    expect(p.lastPanicAt).toBe(1_000_000);
    expect(p.decide(view(1_300_000, 0.47), draws())).toEqual([]); // in cooldown
    expect(p.decide(view(1_600_000, 0.47), draws())).toHaveLength(1);
  });

  it('holds on within the threshold, and cannot sell what it does not hold', () => {
    expect(new PanicSeller('p', params).decide(view(0, 0.5), draws())).toEqual([]); // 3.7 % below the peak
    expect(new PanicSeller('p', params).decide(view(0, 0.45, { base: 0, quote: 100 }), draws())).toEqual([]);
  });
});

describe('WhaleSeller', () => {
  const params = { venues: ['alpha', 'pool'], startFromMs: 3_600_000, startToMs: 7_200_000, durationMs: 600_000, totalBase: 100_000, slices: 4, maxSlippagePct: 1, jitter: 0 };

  it('draws its start in the window, then sells equal slices where the net bid is best', () => {
    const w = new WhaleSeller('w', params);
    expect(w.nextDelayMs(1_000, draws(0.25))).toBe(3_600_000 + 900_000);
    expect(w.startAt).toBe(1_000 + 4_500_000);
    const at = (now: number) =>
      staticView({
        now,
        venues: [
          { id: 'alpha', bid: 0.5, ask: 0.501, takerFee: 0.002 }, // net 0.499
          { id: 'pool', kind: 'amm', bid: 0.4995, ask: 0.5005, takerFee: 0 }, // net 0.4995: best
        ],
        holdings: { alpha: { base: 1e6, quote: 0 }, pool: { base: 1e6, quote: 0 } },
      });
    expect(w.decide(at(1_000), draws())).toEqual([]); // before the start
    const [a] = w.decide(at(w.startAt!), draws()) as LimitAction[];
    expect(a).toMatchObject({ venue: 'pool', side: 'sell', tif: 'IOC' });
    expect(a!.amount).toBeCloseTo(25_000, 9);
    expect(a!.price).toBeCloseTo(0.4995 * 0.99, 12);
    expect(w.nextDelayMs(w.startAt!, draws(0.5))).toBe(150_000); // duration / slices
    for (let i = 0; i < 3; i++) w.decide(at(w.startAt! + (i + 1) * 150_000), draws());
    expect(w.slicesDone).toBe(4);
    expect(w.nextDelayMs(w.startAt! + 600_000, draws(0.5))).toBeUndefined();
    expect(w.decide(at(w.startAt! + 700_000), draws())).toEqual([]);
  });

  it('sells only what it holds on the chosen venue', () => {
    const w = new WhaleSeller('w', { ...params, venues: ['alpha'] });
    w.nextDelayMs(0, draws(0));
    const v = staticView({ now: 3_600_000, venues: [{ id: 'alpha', bid: 0.5, ask: 0.501 }], holdings: { alpha: { base: 1_000, quote: 0 } } });
    expect((w.decide(v, draws())[0] as LimitAction).amount).toBe(1_000);
  });
});
