// The scorecard's metrics on small paths computed by hand (the arithmetic is in the comments).
import { timeFraction } from '../../sim/backtest/metrics';
import {
  addUptime,
  arbitrageLeakage,
  bookSample,
  costPerMillionDepthDay,
  depthMillionDays,
  economics,
  excessVolatility,
  healthyMs,
  hodlPnl,
  isHealthy,
  maxDeviation,
  onGrid,
  ownDepth,
  pooledVol,
  requirementUptime,
  uptimePct,
  volumeScore,
  volVsFundamental,
  type BookSample,
} from '../../sim/backtest/scorecard';
import { drawdownWindows, episodeDrawdown, sellOffEpisodes } from '../../sim/backtest/sell-off-episodes';
import { loadScenario } from '../../sim/market/scenario-loader';
import { D } from '../../domain/money';
import { computeBookMetrics } from '../../domain/compliance';

const S = 1000;
const M = 60_000;
const H = 3_600_000;

describe('healthy time', () => {
  it('subtracts the union of outage windows', () => {
    // [10,20) ∪ [15,30) = [10,30): 100 − 20 = 80; a window's end is healthy again.
    const out = [
      { startMs: 10, endMs: 20 },
      { startMs: 15, endMs: 30 },
    ];
    expect(healthyMs(0, 100, out)).toBe(80);
    expect(healthyMs(12, 25, out)).toBe(0);
    expect(isHealthy(10, out)).toBe(false);
    expect(isHealthy(30, out)).toBe(true);
  });
});

describe('requirement uptime', () => {
  // Requirement: spread ≤ 1 %, ≥ 100 quote per side. Samples hold until the next (the last until 45).
  //   t   holds  spread  bid  ask   spread ok  bid ok  ask ok  both
  //   0   10     1.5     150   50    ✗          ✓       ✗       ✗
  //   10  10     0.9     150  150    ✓          ✓       ✓       ✓
  //   20  10     null      0    0    (in the outage [20,30): left out of both sides of the ratio)
  //   30  15     null     50  120    ✗          ✗       ✓       ✗
  // healthy = 10 + 10 + 15 = 35: spread 10/35, bid 20/35, ask 25/35, both 10/35.
  const samples: BookSample[] = [
    { t: 0, spreadPct: 1.5, bidDepthQuote: 150, askDepthQuote: 50 },
    { t: 10, spreadPct: 0.9, bidDepthQuote: 150, askDepthQuote: 150 },
    { t: 20, spreadPct: null, bidDepthQuote: 0, askDepthQuote: 0 },
    { t: 30, spreadPct: null, bidDepthQuote: 50, askDepthQuote: 120 },
  ];
  const req = { maxSpreadPct: '1.0', minDepthQuote: '100' };

  it('counts each side and both, in healthy time only', () => {
    const u = requirementUptime(samples, req, 45, [{ startMs: 20, endMs: 30 }]);
    expect(u).toEqual({ healthyMs: 35, spreadOkMs: 10, bidOkMs: 20, askOkMs: 25, bothOkMs: 10 });
    expect(uptimePct(u, 'spreadOkMs')).toBeCloseTo((100 * 10) / 35, 10);
    expect(uptimePct(u, 'bidOkMs')).toBeCloseTo((100 * 20) / 35, 10);
    expect(uptimePct(u, 'askOkMs')).toBeCloseTo((100 * 25) / 35, 10);
    expect(uptimePct(u, 'bothOkMs')).toBeCloseTo((100 * 10) / 35, 10);
  });

  it('takes its samples from the compliance measure of a book', () => {
    // mid (0.99 + 1.01) / 2 = 1, spread 0.02 / 1 = 2 %; within ±2 %: bid .99 × 100 (not .97), ask 1.01 × 50.
    const m = computeBookMetrics({ bids: [{ price: '0.99', amount: '100' }, { price: '0.97', amount: '100' }], asks: [{ price: '1.01', amount: '50' }] }, ['2']);
    expect(bookSample(7, m, '2')).toEqual({ t: 7, spreadPct: 2, bidDepthQuote: 99, askDepthQuote: 50.5 });
    expect(bookSample(7, computeBookMetrics({ bids: [], asks: [{ price: '1', amount: '1' }] }, ['2']))).toEqual({ t: 7, spreadPct: null, bidDepthQuote: 0, askDepthQuote: 0 });
  });

  it('without outages, "both" is the recorder’s depthOk time fraction', () => {
    const u = requirementUptime(samples, req, 45, []);
    const both = samples.map((s) => ({ t: s.t, ok: s.bidDepthQuote >= 100 && s.askDepthQuote >= 100 }));
    expect(u.healthyMs).toBe(45);
    expect(u.bothOkMs / u.healthyMs).toBeCloseTo(timeFraction(both, 45)!, 12);
  });

  it('pools venues by time: a venue down part of the run weighs less', () => {
    const a = requirementUptime(samples, req, 45, [{ startMs: 20, endMs: 30 }]); // spread ok 10 of 35
    const b = requirementUptime([{ t: 0, spreadPct: 0.1, bidDepthQuote: 500, askDepthQuote: 500 }], req, 45, []); // 45 of 45
    expect(uptimePct(addUptime([a, b]), 'spreadOkMs')).toBeCloseTo((100 * (10 + 45)) / (35 + 45), 10);
    expect(uptimePct(requirementUptime(samples, req, 45, [{ startMs: 0, endMs: 45 }]), 'spreadOkMs')).toBeNull();
  });
});

describe('24 h volume', () => {
  it('leaves out the volume traded during an outage and scales healthy time to a day', () => {
    // cumulative 0 → 100 → 300 → 700 at 0, 1 h, 2 h, 4 h; outage [1.5 h, 3 h).
    //   [0,1h): +100, all healthy → 100;  [1h,2h): +200, half healthy → 100;  [2h,4h): +400, 1 h of 2 healthy → 200
    // healthy volume 400 over 2.5 h → 400 × 24 / 2.5 = 3840 a day; against 1000 required: 3.84×.
    const cum = [
      { t: 0, v: 0 },
      { t: 1 * H, v: 100 },
      { t: 2 * H, v: 300 },
      { t: 4 * H, v: 700 },
    ];
    const v = volumeScore(cum, [{ startMs: 1.5 * H, endMs: 3 * H }], '1000');
    expect(v.healthyVolumeQuote).toBeCloseTo(400, 9);
    expect(v.healthyMs).toBe(2.5 * H);
    expect(v.per24hQuote).toBeCloseTo(3840, 6);
    expect(v.ratio).toBeCloseTo(3.84, 9);
    // No outage, a 4 h run: 700 × 6 = 4200 a day; a 0 requirement has no ratio.
    expect(volumeScore(cum, [], 0)).toMatchObject({ per24hQuote: 4200, requiredQuote: 0, ratio: null });
  });
});

describe('volatility on a 1-minute grid', () => {
  // F: 0.5 from 0, 0.6 from 100 s. The mid sits at F × e^x with x on the grid = 0, .01, 0, .01, .03:
  //   mid samples: 0 s .5 | 60 s .5e^.01 | 90 s .5e^.05 (between grid points: replaced at 120 s)
  //                120 s .6 | 150 s .6e^.01 (held to the 180 s grid point) | 240 s .6e^.03
  // log(mid/F) changes: .01, −.01, .01, .02 → Σr² = 7e-4, n = 4, vol = √(7e-4 / 4) per minute.
  const f = [
    { t: 0, v: 0.5 },
    { t: 100 * S, v: 0.6 },
  ];
  const mids = [
    { t: 0, v: 0.5 },
    { t: 60 * S, v: 0.5 * Math.exp(0.01) },
    { t: 90 * S, v: 0.5 * Math.exp(0.05) },
    { t: 120 * S, v: 0.6 },
    { t: 150 * S, v: 0.6 * Math.exp(0.01) },
    { t: 240 * S, v: 0.6 * Math.exp(0.03) },
  ];

  it('samples and holds on the grid', () => {
    expect(onGrid(mids, 0, 240 * S).map((x) => x.v)).toEqual([0.5, 0.5 * Math.exp(0.01), 0.6, 0.6 * Math.exp(0.01), 0.6 * Math.exp(0.03)]);
    expect(onGrid(mids, -60 * S, 0)[0]!.v).toBeNull();
  });

  it('excess volatility is the vol of log(mid / F)', () => {
    const v = excessVolatility(mids, f, 0, 240 * S, []);
    expect(v.n).toBe(4);
    expect(v.perStep).toBeCloseTo(Math.sqrt((0.01 ** 2 + 0.01 ** 2 + 0.01 ** 2 + 0.02 ** 2) / 4), 12);
    expect(v.annualized).toBeCloseTo(v.perStep! * Math.sqrt(365 * 24 * 60), 9);
  });

  it('leaves out every minute that touches an outage', () => {
    // Outage [100 s, 130 s): the steps 60→120 and 120→180 are dropped; .01 and .02 remain.
    const v = excessVolatility(mids, f, 0, 240 * S, [{ startMs: 100 * S, endMs: 130 * S }]);
    expect(v.n).toBe(2);
    expect(v.perStep).toBeCloseTo(Math.sqrt((0.01 ** 2 + 0.02 ** 2) / 2), 12);
  });

  it('compares the mid’s own vol with the fundamental’s on the same minutes', () => {
    // log mid changes: .01, ln(.6/.5) − .01, .01, .02;  log F changes: 0, ln(.6/.5), 0, 0.
    const j = Math.log(0.6 / 0.5);
    const r = volVsFundamental(mids, f, 0, 240 * S, []);
    expect(r.mid.perStep).toBeCloseTo(Math.sqrt((0.01 ** 2 + (j - 0.01) ** 2 + 0.01 ** 2 + 0.02 ** 2) / 4), 12);
    expect(r.fundamental.perStep).toBeCloseTo(Math.sqrt(j ** 2 / 4), 12);
    expect(r.ratio).toBeCloseTo(r.mid.perStep! / r.fundamental.perStep!, 12);
    // Before the mid's first sample there is no mid: those minutes count for neither.
    const late = volVsFundamental(mids.slice(3), f, 0, 240 * S, []);
    expect(late.fundamental.n).toBe(late.mid.n);
    expect(late.mid.n).toBe(2);
  });

  it('pools venues by Σr² / Σn', () => {
    const a = excessVolatility(mids, f, 0, 240 * S, []); // 7e-4 over 4
    const b = excessVolatility([{ t: 0, v: 0.5 }], f, 0, 240 * S, []); // mid flat, F jumps at 100 s: changes 0, −j, 0, 0
    const j = Math.log(0.6 / 0.5);
    expect(pooledVol([a, b]).perStep).toBeCloseTo(Math.sqrt((7e-4 + j ** 2) / 8), 12);
  });
});

describe('sell-off episodes', () => {
  it('come from whale windows and scheduled negative jumps', () => {
    const stress = loadScenario('stress-24h'); // whale start 8–10 h for 2 h; −12 % jump at 14 h
    expect(sellOffEpisodes(stress, 0)).toEqual([
      { label: 'whale whale', startMs: 8 * H, endMs: 12 * H },
      { label: 'jump -11.3%', startMs: 14 * H, endMs: 15 * H },
    ]);
    // The drawn start narrows the whale's window; times are absolute from the run's start.
    expect(sellOffEpisodes(stress, 1000, { whaleStarts: { whale: 1000 + 9 * H }, jumpWindowMs: 30 * M })).toEqual([
      { label: 'whale whale', startMs: 1000 + 9 * H, endMs: 1000 + 11 * H },
      { label: 'jump -11.3%', startMs: 1000 + 14 * H, endMs: 1000 + 14.5 * H },
    ]);
    // A 10 h run sees only the part of the whale's window inside it.
    expect(sellOffEpisodes({ ...stress, duration: 10 * H }, 0)).toEqual([{ label: 'whale whale', startMs: 8 * H, endMs: 10 * H }]);
  });

  it('come from panics: the fundamental more than drawdownPct below its peak within the window', () => {
    // Window 10 m, 4 %. Minutes: 0 1.00 | 1 .99 | 2 .97 | 3 .95 (5 % below 1.00: on) | 4 .955 (4.5 %: on)
    // | 5–12 .99 | 13 .96 (3 % below .99: off) | 15 .95 (1 − .95/.99 = 4.04 %: on, after 4 + 10: a new one).
    const f = [1, 0.99, 0.97, 0.95, 0.955, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99, 0.96, 0.99, 0.95].map((v, i) => ({ t: i * M, v }));
    expect(drawdownWindows(f, 10 * M, 4)).toEqual([
      { startMs: 3 * M, endMs: 14 * M },
      { startMs: 15 * M, endMs: 25 * M },
    ]);
    // A peak older than the window no longer counts.
    const late = [
      { t: 0, v: 1 },
      { t: 11 * M, v: 0.95 },
    ];
    expect(drawdownWindows(late, 10 * M, 4)).toEqual([]);
    expect(drawdownWindows(late, 11 * M, 4)).toEqual([{ startMs: 11 * M, endMs: 22 * M }]);
    // In a scenario: one episode list per panic agent entry (stress-24h: window 1 h, 4 %).
    const stress = loadScenario('stress-24h');
    const path = [
      { t: 0, v: 0.5 },
      { t: 13.5 * H, v: 0.5 },
      { t: 14 * H, v: 0.5 * Math.exp(-0.12) },
    ];
    expect(sellOffEpisodes(stress, 0, { fundamental: path }).map((e) => e.label)).toEqual(['whale whale', 'jump -11.3%', 'panic panic']);
    expect(sellOffEpisodes(stress, 0, { fundamental: path })[2]).toEqual({ label: 'panic panic', startMs: 14 * H, endMs: 15 * H });
  });

  // F = 1 throughout. Mid each minute: 1.00, .99, .97, .96, .98, .996, .95 ; episode [1 m, 4 m].
  // Deepest in the episode: .96 at 3 m (the .95 at 6 m is after it) → log .96 = −4.08 %, i.e. −4 %.
  // Back within 0.5 %: .98 at 4 m is not (2 %), .996 at 5 m is (0.4 %) → 2 minutes after the low.
  const f = [{ t: 0, v: 1 }];
  const path = [1, 0.99, 0.97, 0.96, 0.98, 0.996, 0.95].map((v, i) => ({ t: i * M, v }));
  const ep = { label: 'whale', startMs: 1 * M, endMs: 4 * M };

  it('measure the deepest drawdown beyond the fundamental and the time to recover', () => {
    const d = episodeDrawdown(path, f, ep, []);
    expect(d.deepestLog).toBeCloseTo(Math.log(0.96), 12);
    expect(d.deepestPct).toBeCloseTo(-4, 9);
    expect(d.deepestAt).toBe(3 * M);
    expect(d.recoverMs).toBe(2 * M);
  });

  it('skip samples in an outage and count only healthy time to recover', () => {
    // Outage [2.5 m, 3.5 m): the .96 is not seen; the low is .97 at 2 m; recovered at 5 m, 3 m later
    // of which 1 m was the outage → 2 m of healthy time.
    const d = episodeDrawdown(path, f, ep, [{ startMs: 2.5 * M, endMs: 3.5 * M }]);
    expect(d.deepestLog).toBeCloseTo(Math.log(0.97), 12);
    expect(d.deepestAt).toBe(2 * M);
    expect(d.recoverMs).toBe(2 * M);
  });

  it('say never when the price does not come back, and 0 when it never went below', () => {
    expect(episodeDrawdown(path.slice(0, 5), f, ep, []).recoverMs).toBeNull();
    const above = episodeDrawdown(path.map((p) => ({ t: p.t, v: 1.02 })), f, ep, []);
    expect(above).toMatchObject({ deepestLog: 0, deepestPct: 0, recoverMs: 0 });
    expect(episodeDrawdown([], f, ep, [])).toMatchObject({ deepestLog: null, recoverMs: null });
  });
});

describe('economics and cost of liquidity', () => {
  it('adds venues, the pool and transfer fees, and charges only what idle holding would not have', () => {
    // alpha: realized 10, inventory −30 (total −20), fees 4;  bravo: realized 5, inventory 15 (total 20), fees 1
    // pool PnL −8 (IL −12, fees earned 6); transfer fees 3 → mark-to-market −20 + 20 − 8 − 3 = −11.
    // Idle: 100 base from 0.50 to 0.49 → −1. Cost = −(−11 − (−1)) = 10.
    const e = economics({
      venues: [
        { realized: new D(10), inventory: new D(-30), fees: new D(4), total: new D(-20) },
        { realized: new D(5), inventory: new D(15), fees: new D(1), total: new D(20) },
      ],
      pool: { pnl: '-8', impermanentLoss: '-12', feesEarned: '6' },
      transferFeesQuote: '3',
      hodlPnl: hodlPnl('100', '0.50', '0.49'),
    });
    expect(Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v.toString()]))).toEqual({
      fees: '5',
      realized: '15',
      inventory: '-15',
      impermanentLoss: '-12',
      poolFeesEarned: '6',
      poolPnl: '-8',
      transferFees: '3',
      mtmPnl: '-11',
      hodlPnl: '-1',
      cost: '10',
    });
    // Depth: 50k + 50k for 12 h, then 100k + 0 for 12 h → 100k for a day = 0.1 $M·day → 10 / 0.1 = 100.
    const depth = depthMillionDays(
      [
        { t: 0, bidQuote: 50_000, askQuote: 50_000 },
        { t: 12 * H, bidQuote: 100_000, askQuote: 0 },
      ],
      24 * H,
    );
    expect(depth).toBeCloseTo(0.1, 12);
    expect(costPerMillionDepthDay(e.cost, depth)).toBeCloseTo(100, 9);
    expect(costPerMillionDepthDay(e.cost, 0)).toBeNull();
  });

  it('measures own depth within ±2 % of mid, per side', () => {
    // mid 1: bids .99×100 = 99 and .98×10 = 9.8 (on the band) count, .97 does not → 108.8; asks 1.01×100 = 101.
    const d = ownDepth(
      [
        { side: 'buy', price: 0.99, amount: 100 },
        { side: 'buy', price: 0.98, amount: 10 },
        { side: 'buy', price: 0.97, amount: 1000 },
        { side: 'sell', price: 1.01, amount: 100 },
        { side: 'sell', price: 1.03, amount: 5 },
      ],
      1,
    );
    expect(d.bidQuote).toBeCloseTo(108.8, 9);
    expect(d.askQuote).toBeCloseTo(101, 9);
  });

  it('inventory deviation and arbitrage leakage', () => {
    const base = [1000, 1200, 700, 900].map((v, i) => ({ t: i, v }));
    expect(maxDeviation(base)).toBe(300);
    expect(maxDeviation(base, 800)).toBe(400);
    const a = arbitrageLeakage('300', '1000');
    expect(a.quote.toString()).toBe('300');
    expect(a.ratio).toBeCloseTo(0.3, 12);
    expect(arbitrageLeakage('300').ratio).toBeNull();
  });
});
