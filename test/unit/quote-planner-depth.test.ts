// The planner keeps the listing's ±2 % depth where the venue measures it: found on stress-24h in the
// closed-loop backtest (a venue trading through the fair value refused every post-only ask; a wide,
// skewed model quote put a whole side outside the band; cancel-first refreshes left a side empty).
import { mulberry32 } from '../../domain/rng';
import { QuotePlanner, type PlannerConfig } from '../../domain/quoting/quote-planner';
import type { GridOrder } from '../../domain/grid';

const RULES = { symbol: 'BLST/USDT', base: 'BLST', quote: 'USDT', tickSize: '0.001', lotSize: '10', minNotional: '1', makerFee: '0.002', takerFee: '0.002' };
const DEPTH = 10_000;

const config = (over: Partial<PlannerConfig> = {}): PlannerConfig => ({
  model: { model: 'pure-mm', bidSpreadPct: '0.4', askSpreadPct: '0.4', orderAmount: '2000', orderLevels: 3, levelSpacingPct: '0.3' },
  depth: { quote: String(DEPTH), bandPct: '2', levels: 5, stepPct: '0.2' },
  refresh: { pricePct: '0.05', amountPct: '10' },
  sizeJitterPct: '0',
  targetInventory: '500000',
  maxInventory: '750000',
  ...over,
});

function planner(over: Partial<PlannerConfig> = {}): QuotePlanner {
  const p = new QuotePlanner(config(over), RULES, mulberry32(1));
  p.setBalances('500000', '250000');
  return p;
}

const price = (p: QuotePlanner, o: GridOrder) => p.grid.priceFloat(o.ticks);
/** Quote notional per side within ±2 % of `mid`. */
function depthAround(p: QuotePlanner, orders: GridOrder[], mid: number) {
  const out = { buy: 0, sell: 0 };
  for (const o of orders) {
    const px = price(p, o);
    if (Math.abs(px / mid - 1) <= 0.02) out[o.side] += px * Number(p.grid.amountStr(o.lots));
  }
  return out;
}

describe('QuotePlanner: depth where the venue measures it', () => {
  it("a venue bidding above our asks: the ask ladder moves one tick above the venue's bid, spacing kept", () => {
    const p = planner();
    const inp = { mode: 'normal' as const, fair: 0.495, sigma: 0.0001, now: 0, live: [] };
    const plain = p.desired(inp).filter((o) => o.side === 'sell');
    const moved = p.desired({ ...inp, touch: { bid: 0.504, ask: 0.506 } }).filter((o) => o.side === 'sell');
    expect(Math.min(...plain.map((o) => price(p, o)))).toBeLessThan(0.504);
    expect(Math.min(...moved.map((o) => price(p, o)))).toBeCloseTo(0.505, 9);
    // Same shape: every level moved by the same number of ticks.
    const shifts = moved.map((o, i) => o.ticks - plain[i]!.ticks);
    expect(new Set(shifts).size).toBe(1);
    // Bids stay below the venue's ask and below every ask.
    const bids = p.desired({ ...inp, touch: { bid: 0.504, ask: 0.506 } }).filter((o) => o.side === 'buy');
    expect(Math.max(...bids.map((o) => o.ticks))).toBeLessThan(Math.min(...moved.map((o) => o.ticks)));
  });

  it("a model quote beyond the band still leaves the requirement's depth within ±2 % of the venue's mid", () => {
    // 2.5 % half-spread: the model's best bid and ask are both outside ±2 %.
    const p = planner({ model: { model: 'pure-mm', bidSpreadPct: '2.5', askSpreadPct: '2.5', orderAmount: '2000', orderLevels: 3, levelSpacingPct: '0.3' } });
    const orders = p.desired({ mode: 'normal', fair: 0.5, sigma: 0.0001, now: 0, live: [], touch: { bid: 0.499, ask: 0.501 } });
    const d = depthAround(p, orders, 0.5);
    expect(d.buy).toBeGreaterThanOrEqual(DEPTH);
    expect(d.sell).toBeGreaterThanOrEqual(DEPTH);
  });

  it("the venue's mid off our fair value: the ladder stays inside the band around the venue's mid too", () => {
    const p = planner();
    // Fair 0.500, the venue's own book around 0.508 (our best quotes 0.498 / 0.502 rest inside it).
    const orders = p.desired({ mode: 'normal', fair: 0.5, sigma: 0.0001, now: 0, live: [], touch: { bid: 0.497, ask: 0.519 } });
    const bestBid = Math.max(...orders.filter((o) => o.side === 'buy').map((o) => price(p, o)));
    const bestAsk = Math.min(...orders.filter((o) => o.side === 'sell').map((o) => price(p, o)));
    const venueMid = (Math.max(0.497, bestBid) + Math.min(0.519, bestAsk)) / 2;
    const d = depthAround(p, orders, venueMid);
    expect(d.buy).toBeGreaterThanOrEqual(DEPTH);
    expect(d.sell).toBeGreaterThanOrEqual(DEPTH);
  });

  it("place-first sequencing: a re-priced side's new levels go out before the old ones are cancelled", () => {
    const p = planner({ sequencing: 'place-first' });
    const first = p.decide({ mode: 'normal', fair: 0.5, sigma: 0.0001, now: 0, live: [] });
    const live = first.actions.flatMap((a, i) => (a.type === 'place' ? [{ clientOrderId: `o${i}`, side: a.side, ticks: a.ticks, lots: a.lots }] : []));
    // The fair value moves 0.2 %: every order is out of the 0.05 % tolerance, none would cross a new one.
    const next = p.decide({ mode: 'normal', fair: 0.501, sigma: 0.0001, now: 1000, live });
    expect(next.actions.filter((a) => a.type === 'cancel').length).toBeGreaterThan(0);
    const kinds = next.actions.map((a) => a.type);
    expect(kinds.indexOf('cancel')).toBeGreaterThan(kinds.lastIndexOf('place'));
    const cancelFirst = planner().decide({ mode: 'normal', fair: 0.501, sigma: 0.0001, now: 1000, live });
    expect(cancelFirst.actions[0]!.type).toBe('cancel');
  });

  it("the listing's spread requirement caps our best quotes whatever the model's width, spacing kept", () => {
    const wide = { model: 'pure-mm' as const, bidSpreadPct: '1.5', askSpreadPct: '1.5', orderAmount: '30000', orderLevels: 3, levelSpacingPct: '0.4' };
    const inp = { mode: 'normal' as const, fair: 0.5, sigma: 0.0001, now: 0, live: [] };
    const best = (p: QuotePlanner, side: 'buy' | 'sell') => {
      const xs = p.desired(inp).filter((o) => o.side === side).map((o) => price(p, o));
      return side === 'buy' ? Math.max(...xs) : Math.min(...xs);
    };
    const free = planner({ model: wide });
    const capped = planner({ model: wide, maxSpreadPct: '1.0' });
    expect((best(free, 'sell') - best(free, 'buy')) / 0.5).toBeGreaterThan(0.02);
    // 45 % of 1 % either side of 0.5: bid ≥ 0.49775 → 0.498, ask ≤ 0.50225 → 0.502.
    expect([best(capped, 'buy'), best(capped, 'sell')]).toEqual([0.498, 0.502]);
  });
});
