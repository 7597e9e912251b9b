// The price-action executor (issue 10) on small hand-built markets: the arrival schedule, a slice's
// child orders (never lead, never meet our own quotes, participation, budget, quantization), its
// stops, the booking of fills and the report, against hand-computed figures; then seeded random
// markets for the rules that must hold on every plan.
import { D } from '../../domain/money';
import { mulberry32 } from '../../domain/rng';
import {
  ExecutionParamsSchema,
  applySlice,
  childOrderId,
  executionReport,
  impactReversion,
  nextSliceAt,
  planSlice,
  skipSlice,
  startExecution,
  stopExecution,
  type ChildOrder,
  type ExecutionParams,
  type ExecutionParamsInput,
  type ExecutionState,
  type MarketView,
  type PriceActionKind,
  type SlicePlan,
  type VenueView,
} from '../../domain/price-action/executor';
import type { BudgetLimits } from '../../domain/price-action/budget';

const T0 = 1_700_000_000_000;
const WF = 'buyback:BLST:req-1';
const LIMITS: BudgetLimits = { dailyUsd: '1000000', episodeUsd: '1000000' };

const alpha = (o: Partial<VenueView> = {}): VenueView => ({
  venue: 'alpha',
  kind: 'cex',
  tickSize: '0.0001',
  lotSize: '1',
  minNotional: '5',
  takerFee: 0.001,
  bids: [
    { price: 0.499, amount: 3000 },
    { price: 0.498, amount: 5000 },
  ],
  asks: [
    { price: 0.501, amount: 2000 },
    { price: 0.502, amount: 4000 },
  ],
  lastIndependentTrade: 0.5,
  independentVolume: 6000,
  stepVolume: 600,
  ...o,
});
const bravo = (o: Partial<VenueView> = {}): VenueView => ({
  venue: 'bravo',
  kind: 'cex',
  tickSize: '0.001',
  lotSize: '10',
  minNotional: '10',
  takerFee: 0.002,
  bids: [{ price: 0.499, amount: 2000 }],
  asks: [{ price: 0.501, amount: 3000 }],
  lastIndependentTrade: 0.5,
  independentVolume: 3000,
  stepVolume: 100,
  ...o,
});
const uni = (reserveQuote = 49_000): VenueView => ({
  venue: 'uni',
  kind: 'pool',
  tickSize: '0.00000001',
  lotSize: '0.000001',
  minNotional: '1',
  takerFee: 0.003,
  bids: [],
  asks: [],
  independentVolume: 0,
  pool: { reserveBase: 100_000, reserveQuote, fee: 0.003 },
});
const view = (o: Partial<MarketView> = {}): MarketView => ({ nowMs: T0, fair: 0.5, sigmaPerSqrtSec: 0.0001, venues: [alpha(), bravo()], ...o });
const params = (o: Partial<ExecutionParamsInput> = {}): ExecutionParams => ExecutionParamsSchema.parse({ quantity: '10000', limitPrice: '0.5', ...o });
const start = (kind: PriceActionKind = 'buyback', o: Partial<ExecutionParamsInput> = {}, v = view(), workflowId = WF) => startExecution({ kind, workflowId, params: params(o), view: v });
/** The state with the next slice's cumulative target set by hand (the jittered one is not round). */
const target = (s: ExecutionState, cumulative: number): ExecutionState => ({ ...s, schedule: s.schedule.map((x, k) => (k === s.next ? { ...x, cumulative } : x)) });
const orders = (p: SlicePlan): ChildOrder[] => {
  if (p.kind !== 'orders') throw new Error(`expected orders, got ${p.kind}: ${p.note}`);
  return p.orders;
};
const brief = (os: ChildOrder[]) => os.map((o) => [o.venue, o.type, o.side, o.price, o.amount]);

describe('startExecution', () => {
  it('impact from the books (hand-computed) and a schedule that ends exactly at the quantity', () => {
    const s = start();
    // 9 000 base of asks within +2 % of 0.5, 9 000 base traded in 300 s: slope 0.01/9 000, refill 300 s.
    expect(s.impact.eta).toBeCloseTo(((0.01 / 9000) * 300) / 2, 15);
    expect(s.impact.gamma).toBeCloseTo(0.1 * (0.01 / 9000), 18);
    // λ = 0: the straight line, x₁/X = 119/120.
    expect(s.impact.kappaPerSec).toBeCloseTo(-Math.log(119 / 120) / 60, 12);
    expect(s.schedule).toHaveLength(120);
    expect(s.schedule[119]!.cumulative).toBe(10_000);
    for (let k = 1; k < 120; k++) {
      expect(s.schedule[k]!.cumulative).toBeGreaterThan(s.schedule[k - 1]!.cumulative);
      expect(s.schedule[k]!.atMs).toBeGreaterThan(s.schedule[k - 1]!.atMs);
    }
    expect(s).toMatchObject({ kind: 'buyback', episode: WF, startedAt: T0, deadline: T0 + 7_200_000, arrivalFair: 0.5, next: 0, filledBase: '0', status: 'running', limitPrice: '0.5', quantity: '10000' });
  });

  it('seeded by the workflow id: the same id gives the same schedule, another id another', () => {
    expect(start().schedule).toEqual(start().schedule);
    expect(start('buyback', {}, view(), 'buyback:BLST:req-2').schedule).not.toEqual(start().schedule);
  });

  it('λ = 0 without jitter is exactly linear; with the default ±25 % it stays within the jitter', () => {
    const flat = start('buyback', { jitter: { sizePct: 0, timePct: 0 } });
    flat.schedule.forEach((x, k) => {
      expect(x.cumulative).toBeCloseTo(((k + 1) * 10_000) / 120, 6);
      expect(x.atMs).toBe(T0 + k * 60_000);
    });
    const s = start();
    let prev = 0;
    s.schedule.forEach((x, k) => {
      const slice = x.cumulative - prev;
      prev = x.cumulative;
      // Each size × (1 ± 25 %), rescaled by a sum itself within ±25 %.
      expect(slice / (10_000 / 120)).toBeGreaterThanOrEqual(0.75 / 1.25 - 1e-9);
      expect(slice / (10_000 / 120)).toBeLessThanOrEqual(1.25 / 0.75 + 1e-9);
      expect(Math.abs(x.atMs - (T0 + k * 60_000))).toBeLessThanOrEqual(15_000);
    });
  });

  it('λ > 0 trades sooner: decreasing slices, the first above the straight line, the same total', () => {
    const s = start('buyback', { lambda: 1, jitter: { sizePct: 0, timePct: 0 } });
    const slices = s.schedule.map((x, k) => x.cumulative - (k ? s.schedule[k - 1]!.cumulative : 0));
    expect(slices[0]!).toBeGreaterThan(10_000 / 120);
    for (let k = 1; k < slices.length; k++) expect(slices[k]!).toBeLessThan(slices[k - 1]! + 1e-9);
    expect(s.schedule[119]!.cumulative).toBe(10_000);
  });
});

describe('planSlice: prices', () => {
  it('a buy rests at the following price, split by each venue’s bid depth (hand-computed)', () => {
    const plan = planSlice(target(start(), 500), params(), view(), LIMITS);
    // max(last 0.5, bid 0.499) = 0.5 on both; no ask at or below it, so no taker leg; 8 000 : 2 000 bid depth.
    expect(brief(orders(plan))).toEqual([
      ['alpha', 'passive', 'buy', '0.5', '400'],
      ['bravo', 'passive', 'buy', '0.5', '100'],
    ]);
    expect(plan).toMatchObject({ kind: 'orders', k: 0, planned: '500' });
  });

  it('IOC legs only on independent asks at or below the following price; the rest rests below the best ask', () => {
    // alpha last 0.502 (above its 0.501 ask): following 0.502; bravo follows 0.5; limit 0.51.
    const v = view({ venues: [alpha({ lastIndependentTrade: 0.502 }), bravo()] });
    const plan = planSlice(target(start('buyback', { limitPrice: '0.51', participationPct: 50 }), 3000), params({ limitPrice: '0.51', participationPct: 50 }), v, LIMITS);
    // 0.501 × 1.001 ≤ 0.502 is taken (2 000); 0.502 × 1.001 is not. The other 1 000 rest:
    // alpha at min(0.502, 0.501 − tick) = 0.5009, bravo at 0.5.
    expect(brief(orders(plan))).toEqual([
      ['alpha', 'ioc', 'buy', '0.501', '2000'],
      ['alpha', 'passive', 'buy', '0.5009', '800'],
      ['bravo', 'passive', 'buy', '0.5', '200'],
    ]);
  });

  it('never above the limit, even when the independent price is', () => {
    const v = view({ venues: [alpha({ lastIndependentTrade: 0.502 }), bravo({ lastIndependentTrade: 0.51 })] });
    for (const o of orders(planSlice(target(start(), 500), params(), v, LIMITS))) expect(Number(o.price)).toBeLessThanOrEqual(0.5);
  });

  it('a sell mirrors it: at least min(last, best ask) and the limit; IOC only on bids at or above', () => {
    const v = view({ venues: [alpha({ lastIndependentTrade: 0.4985, bids: [{ price: 0.4995, amount: 300 }, { price: 0.498, amount: 5000 }] }), bravo()] });
    const s = target(start('liquidation', { limitPrice: '0.4', participationPct: 50 }), 1000);
    const plan = planSlice(s, params({ limitPrice: '0.4', participationPct: 50 }), v, LIMITS);
    // alpha follows min(0.4985, 0.501) = 0.4985, takes the 0.4995 bid (× 0.999 ≥ 0.4985); bravo follows 0.5.
    // The rest (700) rests at max(0.4985, 0.4995 + tick) = 0.4996 on alpha, 0.5 on bravo, by ask depth 6 000 : 3 000.
    expect(brief(orders(plan))).toEqual([
      ['alpha', 'ioc', 'sell', '0.4995', '300'],
      ['alpha', 'passive', 'sell', '0.4996', '466'],
      ['bravo', 'passive', 'sell', '0.5', '230'],
    ]);
  });

  it('never meets our own quotes: a buy stays strictly below our best ask, a sell strictly above our best bid', () => {
    // Our ask 0.5 sits below the following price (0.502 on alpha, 0.5 on bravo); someone else's 0.499 is below it.
    const v = view({ venues: [alpha({ lastIndependentTrade: 0.502, ownBestAsk: 0.5, asks: [{ price: 0.499, amount: 100 }, { price: 0.501, amount: 2000 }] }), bravo({ ownBestAsk: 0.5 })] });
    const buy = orders(planSlice(target(start('buyback', { limitPrice: '0.51', participationPct: 50 }), 3000), params({ limitPrice: '0.51', participationPct: 50 }), v, LIMITS));
    expect(brief(buy)).toEqual([
      // Taken: 0.499 × 1.001 ≤ 0.4999, one tick under our ask; the rest rests a tick under that ask.
      ['alpha', 'ioc', 'buy', '0.499', '100'],
      ['alpha', 'passive', 'buy', '0.4989', '2320'],
      ['bravo', 'passive', 'buy', '0.499', '580'],
    ]);
    for (const o of buy) expect(Number(o.price)).toBeLessThan(0.5);
    const w = view({ venues: [alpha({ ownBestBid: 0.5 }), bravo({ ownBestBid: 0.501 })] });
    const sell = orders(planSlice(target(start('liquidation', { limitPrice: '0.49' }), 500), params({ limitPrice: '0.49' }), w, LIMITS));
    expect(sell.length).toBeGreaterThan(0);
    for (const o of sell) expect(Number(o.price)).toBeGreaterThan(o.venue === 'alpha' ? 0.5 : 0.501);
  });

  it('waits when no venue has an independent price to follow', () => {
    const v = view({ venues: [alpha({ lastIndependentTrade: undefined, bids: [] }), bravo({ lastIndependentTrade: undefined, bids: [] })] });
    const plan = planSlice(target(start(), 500), params(), v, LIMITS);
    expect(plan).toMatchObject({ kind: 'wait', untilMs: T0 + 60_000 });
    expect(plan.note).toMatch(/no independent price to follow/);
  });

  it('a cheaper pool is taken up to the following price, with a slippage cap and a deadline', () => {
    const v = view({ venues: [alpha(), bravo(), uni()] });
    const plan = planSlice(target(start('buyback', {}, v), 500), params(), v, LIMITS);
    const [swap, ...rest] = orders(plan);
    expect(rest).toEqual([]);
    // 500 of 100 000 base against 49 000 quote, fee 0.3 %: 49 000·500 / (99 500·0.997) quote.
    const avg = (49_000 * 500) / (99_500 * 0.997) / 500;
    expect(swap).toMatchObject({ venue: 'uni', type: 'swap', amount: '500', deadlineSec: Math.floor(T0 / 1000) + 120 });
    expect(Number(swap!.price)).toBeCloseTo(avg, 10);
    expect(Number(swap!.worstPrice)).toBeCloseTo(Math.min(avg * 1.005, 0.5), 10);
  });
});

describe('planSlice: how much', () => {
  it('participation: ours ≤ 10 % of the window, i.e. room = 9 000 / 9 − 700 ours in the last 5 min = 300', () => {
    const s = { ...target(start(), 5000), recent: [{ atMs: T0 - 400_000, base: 5000 }, { atMs: T0 - 60_000, base: 700 }] };
    const plan = planSlice(s, params(), view(), LIMITS);
    expect(brief(orders(plan))).toEqual([
      ['alpha', 'passive', 'buy', '0.5', '240'],
      ['bravo', 'passive', 'buy', '0.5', '60'],
    ]);
    expect(plan).toMatchObject({ planned: '300' });
    // At the cap: nothing to do.
    expect(planSlice({ ...s, recent: [{ atMs: T0 - 1, base: 1000 }] }, params(), view(), LIMITS)).toMatchObject({ kind: 'wait' });
  });

  it('participation counts our fills over the whole window: applySlice keeps them an hour, a longer window is refused', () => {
    const p = params({ participationWindowMs: 3_600_000 });
    const s0 = target(start('buyback', { participationWindowMs: 3_600_000 }), 5000);
    const s1 = applySlice(s0, { k: 0, fills: [{ venue: 'alpha', base: '700', quote: '350', feeQuote: '0' }], view: view(), limits: LIMITS, planned: '700', orders: 1 });
    // 59 min later the 700 still count: room = 9 000 / 9 − 700 = 300.
    const later = T0 + 59 * 60_000;
    const s2 = applySlice(s1, { k: 1, fills: [], view: view({ nowMs: later }), limits: LIMITS, planned: '0', orders: 0 });
    expect(planSlice(target(s2, 5000), p, view({ nowMs: later }), LIMITS)).toMatchObject({ planned: '300' });
    const r = ExecutionParamsSchema.safeParse({ quantity: '1', limitPrice: '1', participationWindowMs: 2 * 3_600_000 });
    expect(r.success ? [] : r.error.issues.map((i) => i.path.join('.'))).toEqual(['participationWindowMs']);
  });

  it('budget: amount × fair ≤ what is left (100 USD at 0.5 ⇒ 200 base); spent ⇒ stop BUDGET', () => {
    const s = target(start(), 500);
    const plan = planSlice(s, params(), view(), { dailyUsd: '100', episodeUsd: '1000' });
    expect(plan).toMatchObject({ planned: '200' });
    expect(new D((plan as { planned: string }).planned).times(0.5).lte(100)).toBe(true);
    const spentEpisode = { ...s, budget: { spends: [{ sliceId: 'x', episode: WF, usd: '1000', atMs: T0 - 1000 }] } };
    expect(planSlice(spentEpisode, params(), view(), { dailyUsd: '5000', episodeUsd: '1000' })).toMatchObject({ kind: 'stop', reason: 'BUDGET' });
    // Another episode spent the day down to 0.5 USD, below the smallest minimum notional (5).
    const spentDay = { ...s, budget: { spends: [{ sliceId: 'y', episode: 'other', usd: '99.5', atMs: T0 - 1000 }] } };
    expect(planSlice(spentDay, params(), view(), { dailyUsd: '100', episodeUsd: '1000' })).toMatchObject({ kind: 'stop', reason: 'BUDGET', note: 'budget spent: 0.5 USD left' });
  });

  it('quantization: prices on the tick, amounts on the lot; a leg under the minimum notional is dropped', () => {
    // 50 base: alpha 40 at 0.5 (20 ≥ 5), bravo 10 at 0.5 (5 < 10): dropped.
    expect(brief(orders(planSlice(target(start(), 50), params(), view(), LIMITS)))).toEqual([['alpha', 'passive', 'buy', '0.5', '40']]);
    // 333 base: alpha 266.4 → 266, bravo 66.6 → 60 (lot 10).
    expect(brief(orders(planSlice(target(start(), 333), params(), view(), LIMITS))).map((o) => o[4])).toEqual(['266', '60']);
    // Every leg under its minimum: a wait, not an empty slice.
    expect(planSlice(target(start(), 8), params(), view(), LIMITS)).toMatchObject({ kind: 'wait' });
  });

  it('a pool swap under the pool’s minimum notional is dropped too', () => {
    const v = view({ venues: [alpha(), bravo(), uni()] });
    // 1.5 base for about 0.74 quote < 1.
    expect(planSlice(target(start('buyback', {}, v), 1.5), params(), v, LIMITS)).toMatchObject({ kind: 'wait' });
  });
});

describe('planSlice: stops', () => {
  const s = target(start(), 500);
  it('COMPLETED when done or less than one lot is left', () => {
    expect(planSlice({ ...s, filledBase: '10000' }, params(), view(), LIMITS)).toMatchObject({ kind: 'stop', reason: 'COMPLETED', note: '10000 of 10000 done' });
    expect(planSlice({ ...s, filledBase: '9999.5' }, params(), view(), LIMITS)).toMatchObject({ kind: 'stop', reason: 'COMPLETED' });
  });

  it('DEADLINE: nothing placed, the rest left undone', () => {
    const plan = planSlice({ ...s, filledBase: '2500' }, params(), view({ nowMs: s.deadline }), LIMITS);
    expect(plan).toEqual({ kind: 'stop', reason: 'DEADLINE', note: 'deadline passed with 7500 left undone (never dumped)' });
  });

  it('FAIR_VALUE_MOVED beyond maxFairMovePct from arrival, either way', () => {
    expect(planSlice(s, params(), view({ fair: 0.531 }), LIMITS)).toMatchObject({ kind: 'stop', reason: 'FAIR_VALUE_MOVED' });
    expect(planSlice(s, params(), view({ fair: 0.469 }), LIMITS)).toMatchObject({ kind: 'stop', reason: 'FAIR_VALUE_MOVED' });
    expect(planSlice(s, params(), view({ fair: 0.485 }), LIMITS).kind).toBe('orders');
  });

  it('PRICE_LIMIT only once the fair value is past both the limit and the arrival fair', () => {
    // Buy, limit = arrival 0.5: any rise stops it.
    expect(planSlice(s, params(), view({ fair: 0.505 }), LIMITS)).toMatchObject({ kind: 'stop', reason: 'PRICE_LIMIT' });
    // Buy, limit 0.49 below the arrival: a fair of 0.495 is past the limit but not the arrival — it goes on.
    const low = target(start('buyback', { limitPrice: '0.49' }), 500);
    expect(planSlice(low, params({ limitPrice: '0.49' }), view({ fair: 0.495 }), LIMITS).kind).not.toBe('stop');
    expect(planSlice(low, params({ limitPrice: '0.49' }), view({ fair: 0.501 }), LIMITS)).toMatchObject({ kind: 'stop', reason: 'PRICE_LIMIT' });
    // Sell with a 0.5 % premium (limit 0.5025): at the arrival it works, asks resting at the limit.
    const liq = target(start('liquidation', { limitPrice: '0.5025' }), 500);
    const at = orders(planSlice(liq, params({ limitPrice: '0.5025' }), view(), LIMITS));
    expect(at.map((o) => o.price)).toEqual(['0.5025', '0.503']);
    expect(planSlice(liq, params({ limitPrice: '0.5025' }), view({ fair: 0.499 }), LIMITS)).toMatchObject({ kind: 'stop', reason: 'PRICE_LIMIT' });
  });
});

describe('client order ids', () => {
  it('deterministic, short, [a-z0-9-], distinct across slices and legs and workflows', () => {
    expect(childOrderId(WF, 3, 1)).toBe(childOrderId(WF, 3, 1));
    const ids = new Set<string>();
    for (const k of [0, 1, 11, 604_799]) {
      for (const leg of [0, 1, 11]) {
        const id = childOrderId(WF, k, leg);
        expect(id).toMatch(/^[a-z0-9-]{1,36}$/);
        ids.add(id);
      }
    }
    expect(ids.size).toBe(12);
    expect(childOrderId('buyback:BLST:req-2', 0, 0)).not.toBe(childOrderId(WF, 0, 0));
    expect(childOrderId('Liquidation:BLST:X'.repeat(20), 0, 0)).toMatch(/^[a-z0-9-]{1,36}$/);
  });
});

describe('booking and reporting', () => {
  const fillsA = [
    { venue: 'alpha', base: '60', quote: '30.3', feeQuote: '0.06' },
    { venue: 'bravo', base: '40', quote: '20.7', feeQuote: '0.04' },
  ];

  it('applySlice books exact decimals, USD at the step’s fair value, once per slice id', () => {
    const s0 = start();
    const s1 = applySlice(s0, { k: 0, fills: fillsA, view: view({ fair: 0.1 + 0.2 }), limits: LIMITS, planned: '100', orders: 2 });
    expect(s1).toMatchObject({ next: 1, filledBase: '100', quote: '51', feesQuote: '0.1' });
    // 100 × 0.3 (the fair's float noise cut at 12 significant digits).
    expect(s1.slices[0]).toMatchObject({ k: 0, planned: '100', filledBase: '100', quote: '51', usd: '30', orders: 2 });
    expect(s1.budget.spends).toEqual([{ sliceId: `${WF}:s0`, episode: WF, usd: '30', atMs: T0 }]);
    expect(s1.recent).toEqual([{ atMs: T0, base: 100 }]);
    expect(s1.perVenue).toEqual({ alpha: { base: '60', quote: '30.3', independentVolume: 600 }, bravo: { base: '40', quote: '20.7', independentVolume: 100 } });
    // The same slice again (a retry, a replay) changes nothing, whatever it carries.
    expect(applySlice(s1, { k: 0, fills: [...fillsA, ...fillsA], view: view(), limits: LIMITS, planned: '200', orders: 4 })).toBe(s1);
  });

  it('executionReport for a buy: average 0.51, shortfall (0.51 − 0.5)·100 + 0.1 = 1.1 quote = 220 bps; participation per venue', () => {
    let s = applySlice(start(), { k: 0, fills: fillsA, view: view(), limits: LIMITS, planned: '100', orders: 2 });
    s = applySlice(s, { k: 1, fills: [], view: view({ nowMs: T0 + 60_000, venues: [alpha({ stepVolume: 540 }), bravo({ stepVolume: 60 })] }), limits: LIMITS, planned: '50', orders: 1 });
    const r = executionReport(stopExecution(s, 'OPERATOR', 'enough'));
    expect(r).toMatchObject({ kind: 'buyback', status: 'stopped', stopReason: 'OPERATOR', stopNote: 'enough', filledBase: '100', remainingBase: '9900', averagePrice: '0.51', arrivalPrice: '0.5', shortfallQuote: '1.1', shortfallBps: 220, budgetUsedUsd: '50', slices: 2 });
    // alpha 60 of 60 + 1 140 = 5 %; bravo 40 of 40 + 160 = 20 %.
    expect(r.participation).toEqual({ alpha: { base: '60', pct: 5 }, bravo: { base: '40', pct: 20 } });
  });

  it('executionReport for a sell: 200 sold for 101 (0.505), fees 0.2 ⇒ shortfall (0.5 − 0.505)·200 + 0.2 = −0.8 = −80 bps', () => {
    const s = applySlice(start('liquidation'), { k: 0, fills: [{ venue: 'alpha', base: '200', quote: '101', feeQuote: '0.2' }], view: view(), limits: LIMITS, planned: '200', orders: 1 });
    expect(executionReport(s)).toMatchObject({ kind: 'liquidation', status: 'running', averagePrice: '0.505', shortfallQuote: '-0.8', shortfallBps: -80 });
    expect(executionReport(start())).toMatchObject({ averagePrice: null, shortfallQuote: null, shortfallBps: null, remainingBase: '10000', budgetUsedUsd: '0' });
  });

  it('nextSliceAt, skipSlice and stopExecution', () => {
    const s = start();
    expect(nextSliceAt(s)).toBe(s.schedule[0]!.atMs);
    expect(skipSlice(s, s.schedule[0]!.atMs)).toBe(s);
    expect(skipSlice(s, s.schedule[3]!.atMs).next).toBe(3);
    expect(skipSlice(s, s.deadline + 1).next).toBe(119);
    expect(nextSliceAt({ ...s, next: 120 })).toBe(s.deadline);
    const stopped = stopExecution(s, 'IMBALANCE_CLEARED', 'selling cleared');
    expect(nextSliceAt(stopped)).toBeUndefined();
    expect(stopExecution(stopped, 'OPERATOR', 'later')).toBe(stopped);
  });
});

describe('impactReversion', () => {
  it('hand-computed shares of the impact that came back', () => {
    expect(impactReversion('buyback', { arrival: 1, end: 1.02, later: 1.01 })).toBe(0.5);
    expect(impactReversion('buyback', { arrival: 1, end: 1.02, later: 1 })).toBe(1);
    expect(impactReversion('buyback', { arrival: 1, end: 1.02, later: 1.03 })).toBe(-0.5);
    expect(impactReversion('liquidation', { arrival: 1, end: 0.98, later: 0.99 })).toBe(0.5);
    expect(impactReversion('liquidation', { arrival: 1, end: 0.96, later: 0.97 })).toBe(0.25);
  });

  it('null when the execution moved the price the other way or by under 1 bp', () => {
    expect(impactReversion('buyback', { arrival: 1, end: 0.99, later: 1 })).toBeNull();
    expect(impactReversion('buyback', { arrival: 1, end: 1.00005, later: 1 })).toBeNull();
    expect(impactReversion('liquidation', { arrival: 1, end: 1.01, later: 1 })).toBeNull();
  });
});

// ---- seeded random markets -------------------------------------------------------------------------

describe('planSlice: seeded random markets', () => {
  const pick = <T>(rng: () => number, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const onTick = (x: number, tick: string) => Number(new D(x).div(tick).round().times(tick).toFixed());

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('seed %i: never lead, never meet our quotes, within limit, cap and budget, quantized', (seed) => {
    const rng = mulberry32(seed);
    let plans = 0;
    for (let i = 0; i < 150; i++) {
      const kind: PriceActionKind = rng() < 0.5 ? 'buyback' : 'liquidation';
      const buy = kind === 'buyback';
      const venues: VenueView[] = ['alpha', 'bravo'].map((venue) => {
        const tickSize = pick(rng, ['0.0001', '0.0005', '0.001']);
        const tick = Number(tickSize);
        const mid = 0.5 * (1 + (rng() - 0.5) * 0.02);
        const bids = [1, 2, 3, 4, 5].map((j) => ({ price: onTick(mid - j * tick * (1 + Math.floor(rng() * 3)), tickSize), amount: Math.round(rng() * 3000) + 1 }));
        const asks = [1, 2, 3, 4, 5].map((j) => ({ price: onTick(mid + j * tick * (1 + Math.floor(rng() * 3)), tickSize), amount: Math.round(rng() * 3000) + 1 }));
        bids.sort((a, b) => b.price - a.price);
        asks.sort((a, b) => a.price - b.price);
        return {
          venue,
          kind: 'cex',
          tickSize,
          lotSize: pick(rng, ['1', '0.1', '10']),
          minNotional: pick(rng, ['1', '5', '20']),
          takerFee: rng() * 0.002,
          bids: rng() < 0.1 ? [] : bids,
          asks: rng() < 0.1 ? [] : asks,
          ...(rng() < 0.8 ? { lastIndependentTrade: onTick(mid * (1 + (rng() - 0.5) * 0.01), tickSize) } : {}),
          ...(rng() < 0.5 ? { ownBestAsk: onTick(mid + (rng() - 0.6) * 0.004, tickSize) } : {}),
          ...(rng() < 0.5 ? { ownBestBid: onTick(mid + (rng() - 0.4) * 0.004, tickSize) } : {}),
          independentVolume: Math.round(rng() * 20_000),
        };
      });
      const v = view({ fair: 0.5 * (1 + (rng() - 0.5) * 0.01), venues });
      const p = params({ limitPrice: String(onTick(0.5 * (1 + (rng() - 0.5) * 0.03), '0.0001')), participationPct: 5 + Math.floor(rng() * 45) });
      const limits = { dailyUsd: String(Math.round(rng() * 3000)), episodeUsd: '2500' };
      const base = start(kind, { limitPrice: p.limitPrice, participationPct: p.participationPct }, view({ venues }));
      const s: ExecutionState = { ...target(base, Math.round(rng() * 6000)), filledBase: String(Math.round(rng() * 500)), recent: [{ atMs: T0 - 60_000, base: Math.round(rng() * 500) }] };
      const plan = planSlice(s, p, v, limits);
      if (plan.kind !== 'orders') continue;
      plans += 1;
      const limit = Number(p.limitPrice);
      const others = venues.reduce((a, x) => a + x.independentVolume, 0);
      const room = (p.participationPct / (100 - p.participationPct)) * others - s.recent[0]!.base;
      const planned = Number(plan.planned);
      expect(planned).toBeLessThanOrEqual(room + 1e-9);
      expect(planned).toBeLessThanOrEqual(s.schedule[0]!.cumulative - Number(s.filledBase) + 1e-9);
      expect(planned * v.fair).toBeLessThanOrEqual(Number(limits.dailyUsd) + 1e-9);
      expect(new Set(plan.orders.map((o) => o.clientOrderId)).size).toBe(plan.orders.length);
      for (const o of plan.orders) {
        const x = venues.find((y) => y.venue === o.venue)!;
        const price = Number(o.price);
        expect(o.side).toBe(buy ? 'buy' : 'sell');
        expect(o.clientOrderId).toMatch(/^pa-[0-9a-f]{16}-0-\d+$/);
        expect(new D(o.price).mod(x.tickSize).isZero()).toBe(true);
        expect(new D(o.amount).mod(x.lotSize).isZero()).toBe(true);
        expect(new D(o.amount).gt(0)).toBe(true);
        expect(new D(o.price).times(o.amount).gte(x.minNotional)).toBe(true);
        if (buy) {
          const follow = Math.max(...[x.lastIndependentTrade ?? 0, x.bids[0]?.price ?? 0]);
          expect(price).toBeLessThanOrEqual(Math.min(limit, follow) + 1e-12);
          if (x.ownBestAsk !== undefined) expect(price).toBeLessThan(x.ownBestAsk);
          if (o.type === 'ioc') expect(x.asks.some((l) => l.price === price)).toBe(true);
          if (o.type === 'passive' && x.asks[0]) expect(price).toBeLessThan(x.asks[0].price);
        } else {
          const follow = Math.min(...[x.lastIndependentTrade ?? Infinity, x.asks[0]?.price ?? Infinity]);
          expect(price).toBeGreaterThanOrEqual(Math.max(limit, follow) - 1e-12);
          if (x.ownBestBid !== undefined) expect(price).toBeGreaterThan(x.ownBestBid);
          if (o.type === 'ioc') expect(x.bids.some((l) => l.price === price)).toBe(true);
          if (o.type === 'passive' && x.bids[0]) expect(price).toBeGreaterThan(x.bids[0].price);
        }
      }
    }
    expect(plans).toBeGreaterThan(20); // not vacuous
  });
});
