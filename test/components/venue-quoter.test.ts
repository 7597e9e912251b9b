// One VenueQuoter on a SimVenue, in virtual time: background liquidity from another account, Ballast
// quoting with the pure-mm model plus the depth ladder. Checked at every step of the clock: our own
// orders never cross; then depth, pause, kill switch and a tiny rate limit.
import { computeBookMetrics } from '../../domain/compliance';
import { D } from '../../domain/money';
import { mulberry32 } from '../../domain/rng';
import { VirtualClock } from '../../hotpath/clocks';
import { presetExchangeConfig } from '../../sim/exchange/exchange-presets';
import { SimExchange, type SimExchangeConfig } from '../../sim/exchange/sim-exchange';
import { TransferNetwork } from '../../sim/exchange/transfer-network';
import { ManagedVenue } from '../../venues/managed-venue';
import { SimVenue } from '../../venues/sim/sim-venue';
import { MarketState } from '../../domain/quoting/market-state';
import { StaticModeSource } from '../../hotpath/mode-source';
import { QuotingEngine } from '../../hotpath/quoting-engine';
import { VenueQuoter, type VenueQuoterConfig } from '../../hotpath/venue-quoter';

const DEPTH = '2000';
const TICK_MS = 1_000;

const config = (over: Partial<VenueQuoterConfig> = {}): VenueQuoterConfig => ({
  model: { model: 'pure-mm', bidSpreadPct: '0.4', askSpreadPct: '0.4', orderAmount: '20', orderLevels: 3, levelSpacingPct: '0.3' },
  depth: { quote: DEPTH, bandPct: '2', levels: 5, stepPct: '0.3' },
  refresh: { pricePct: '0.5', amountPct: '10' },
  sizeJitterPct: '5',
  targetInventory: '10000',
  maxInventory: '20000',
  tickMs: TICK_MS,
  tickJitterPct: 20,
  reconcileEveryMs: 10_000,
  balanceEveryMs: 5_000,
  maxDataAgeMs: 60_000,
  volHalfLifeSec: 60,
  seedVolatility: 0.0005,
  killSwitch: { maxInventoryBase: '22000', maxDataAgeMs: 120_000 },
  ...over,
});

async function setup(opts: { exchange?: Partial<Omit<SimExchangeConfig, 'id'>>; quoter?: Partial<VenueQuoterConfig> } = {}) {
  const clock = new VirtualClock(1_700_000_000_000);
  const network = new TransferNetwork({ delayMs: { min: 200, max: 400 } }, { clock, rng: mulberry32(7) });
  const ex = new SimExchange(presetExchangeConfig('alpha', { latencyMs: { min: 5, max: 20 }, ...opts.exchange }), { clock, rng: mulberry32(8), network });
  ex.fund('ballast', 'BLST', '10000');
  ex.fund('ballast', 'USDT', '25000');
  ex.fund('bg', 'BLST', '100000');
  ex.fund('bg', 'USDT', '100000');
  // Hand-placed background book around 2.50 (fair value), outside Ballast's quotes.
  for (const [side, price] of [
    ['buy', '2.4'],
    ['buy', '2.35'],
    ['sell', '2.6'],
    ['sell', '2.65'],
  ] as const) {
    ex.engine.placeOrder({ account: 'bg', side, type: 'limit', price, amount: '500', postOnly: true });
  }
  const venue = new ManagedVenue(new SimVenue(ex, 'ballast', { streamDepth: 50 }), { now: () => clock.now(), clientIdPrefix: 'bq' });
  const market = new MarketState();
  const modes = new StaticModeSource();
  const quoter = new VenueQuoter('alpha', config(opts.quoter), { venue, market, modes, clock, rng: mulberry32(3) });
  await clock.resolve(quoter.start());
  const own = () => ex.engine.openOrders('ballast');
  const crossings: string[] = [];
  /** Runs the clock in small steps, checking after each that our own orders do not cross. */
  const run = async (ms: number, stepMs = 50) => {
    for (let t = 0; t < ms; t += stepMs) {
      await clock.runForAsync(stepMs);
      const orders = own();
      const bids = orders.filter((o) => o.side === 'buy').map((o) => new D(o.price!));
      const asks = orders.filter((o) => o.side === 'sell').map((o) => new D(o.price!));
      if (bids.length > 0 && asks.length > 0 && D.max(...bids).gte(D.min(...asks))) crossings.push(`${clock.now()}: ${D.max(...bids).toFixed()} ≥ ${D.min(...asks).toFixed()}`);
    }
  };
  return { clock, ex, venue, market, modes, quoter, own, run, crossings };
}

function ownDepth(orders: { side: string; price?: string; amount: string; filled: string }[]) {
  const level = (o: (typeof orders)[number]) => ({ price: o.price!, amount: new D(o.amount).minus(o.filled).toFixed() });
  const m = computeBookMetrics({ bids: orders.filter((o) => o.side === 'buy').map(level), asks: orders.filter((o) => o.side === 'sell').map(level) }, ['2']);
  if (!m.ok) throw new Error(`own book not measurable: ${m.reason}`);
  return m;
}

describe('VenueQuoter on a simulated exchange (virtual time)', () => {
  it('rests post-only bids and asks, never crosses itself, and meets the ±2 % depth requirement', async () => {
    const s = await setup();
    // A taker hits the book with small market orders every 2–6 s for 150 s: fills move Ballast's
    // inventory and force refreshes (partial fills, skew) while the self-cross check runs.
    s.ex.fund('taker', 'BLST', '10000');
    s.ex.fund('taker', 'USDT', '100000');
    const rng = mulberry32(11);
    const until = s.clock.now() + 150_000;
    const take = () => {
      s.ex.engine.placeOrder({ account: 'taker', side: rng() < 0.5 ? 'buy' : 'sell', type: 'market', amount: '30' });
      if (s.clock.now() < until) s.clock.schedule(2_000 + Math.floor(rng() * 4_000), take);
    };
    s.clock.schedule(5_000, take);
    await s.run(180_000);
    expect(s.ex.engine.myTrades('ballast').length).toBeGreaterThan(5);
    expect(s.crossings).toEqual([]);
    const orders = s.own();
    expect(orders.some((o) => o.side === 'buy')).toBe(true);
    expect(orders.some((o) => o.side === 'sell')).toBe(true);
    expect(orders.every((o) => o.postOnly)).toBe(true);
    const m = ownDepth(orders);
    const band = m.depth[0]!;
    // The requirement is met on both sides, with less than 5 % of extra capital (jitter trims excess).
    expect(new D(band.bidQuote).gte(DEPTH)).toBe(true);
    expect(new D(band.askQuote).gte(DEPTH)).toBe(true);
    expect(new D(band.bidQuote).lte(new D(DEPTH).times(1.05))).toBe(true);
    expect(new D(band.askQuote).lte(new D(DEPTH).times(1.05))).toBe(true);
    // Quotes sit inside the background book (2.40 / 2.60) around the 2.50 fair value.
    expect(new D(m.bestBid).gt('2.4') && new D(m.bestAsk).lt('2.6')).toBe(true);
    expect(s.quoter.stats.errors).toBe(0);
    s.quoter.stop();
  });

  it('same seed ⇒ identical run (orders, sizes and counters)', async () => {
    const runOnce = async () => {
      const s = await setup();
      await s.run(60_000, 500);
      s.quoter.stop();
      return { orders: s.own().map((o) => [o.clientOrderId, o.side, o.price, o.amount]), stats: s.quoter.stats };
    };
    const [a, b] = [await runOnce(), await runOnce()];
    expect(a.orders.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });

  it('paused mode cancels everything within one tick of the loop, and quotes again when normal', async () => {
    const s = await setup();
    await s.run(30_000);
    expect(s.own().length).toBeGreaterThan(0);
    s.modes.set('alpha', 'paused');
    // One tick (≤ 1.2 s with jitter) plus the cancels' round trips.
    await s.run(TICK_MS * 1.2 + 1_000);
    expect(s.own()).toEqual([]);
    await s.run(10_000);
    expect(s.own()).toEqual([]);
    s.modes.set('alpha', 'normal');
    await s.run(5_000);
    expect(s.own().length).toBeGreaterThan(0);
    expect(s.crossings).toEqual([]);
    s.quoter.stop();
  });

  it('deepen mode doubles the depth shown within ±2 %, tighten halves the spread', async () => {
    // 1.2 % a side around 2.50: bid 2.47, ask 2.53 (spread 0.06). Tightened to 0.6 %: 2.485 → 2.48
    // (bids round down), 2.515 → 2.52 (asks round up), spread 0.04.
    const s = await setup({ quoter: { model: { model: 'pure-mm', bidSpreadPct: '1.2', askSpreadPct: '1.2', orderAmount: '20', orderLevels: 3, levelSpacingPct: '0.3' } } });
    await s.run(20_000);
    const normal = ownDepth(s.own());
    expect([normal.bestBid, normal.bestAsk, normal.spreadAbs]).toEqual(['2.47', '2.53', '0.06']);
    s.modes.set('alpha', 'deepen');
    await s.run(10_000);
    const deep = ownDepth(s.own()).depth[0]!;
    expect(new D(deep.bidQuote).gte(new D(DEPTH).times(2))).toBe(true);
    expect(new D(deep.askQuote).gte(new D(DEPTH).times(2))).toBe(true);
    s.modes.set('alpha', 'tighten');
    await s.run(10_000);
    const tight = ownDepth(s.own());
    expect([tight.bestBid, tight.bestAsk, tight.spreadAbs]).toEqual(['2.48', '2.52', '0.04']);
    expect(s.crossings).toEqual([]);
    s.quoter.stop();
  });

  it('an inventory breach trips the kill switch and cancels all of the venue’s orders, latched', async () => {
    const s = await setup();
    await s.run(30_000);
    expect(s.own().length).toBeGreaterThan(0);
    expect(s.market.killSwitch.trips).toEqual([]);
    // 10 000 + 15 000 = 25 000 BLST > the 22 000 limit; seen at the next balance refresh (≤ 5 s).
    s.ex.fund('ballast', 'BLST', '15000');
    await s.run(5_000 + TICK_MS * 1.2 + 1_000);
    expect(s.market.killSwitch.trips).toEqual([expect.objectContaining({ scope: 'venue', venueId: 'alpha', reason: 'inventory-breach' })]);
    expect(s.own()).toEqual([]);
    await s.run(20_000);
    expect(s.own()).toEqual([]);
    s.quoter.stop();
  });

  it('a latched trip stays until a person resumes the venue (paused → normal), then quoting resumes', async () => {
    const s = await setup();
    await s.run(30_000);
    s.ex.fund('ballast', 'BLST', '15000');
    await s.run(5_000 + TICK_MS * 1.2 + 1_000);
    expect(s.market.killSwitch.trips).toHaveLength(1);
    // The excess leaves (to a wallet); the trip is still latched: data getting better is no resume.
    await s.clock.resolve(s.ex.withdraw('ballast', { asset: 'BLST', amount: '15000', address: '0x00000000000000000000000000000000000000aa', network: 'ERC20', idempotencyKey: 'out-1' }));
    await s.run(120_000); // the exchange's processing delay, then the next balance refresh
    expect(s.ex.withdrawalRecords('ballast', 'BLST')[0]?.status).toMatch(/confirming|ok/);
    expect(s.market.killSwitch.trips).toHaveLength(1);
    expect(s.own()).toEqual([]);
    // normal → normal changes nothing; an operator's pause then resume clears this venue's trip.
    s.modes.set('alpha', 'paused');
    await s.run(3_000);
    expect(s.market.killSwitch.trips).toHaveLength(1);
    s.modes.set('alpha', 'normal');
    await s.run(10_000);
    expect(s.market.killSwitch.trips).toEqual([]);
    expect(s.quoter.stats.killSwitchResets).toBe(1);
    expect(s.own().some((o) => o.side === 'buy') && s.own().some((o) => o.side === 'sell')).toBe(true);
    expect(s.crossings).toEqual([]);
    s.quoter.stop();
  });

  it('a tiny rate limit backs the loop off without crashing it, and it still quotes both sides', async () => {
    const s = await setup({ exchange: { rateLimit: { capacity: 6, refillPerSec: 2 } } });
    await s.run(180_000);
    expect(s.quoter.stats.rateLimited).toBeGreaterThan(0);
    const ticks = s.quoter.stats.ticks;
    await s.run(10_000);
    expect(s.quoter.stats.ticks).toBeGreaterThan(ticks);
    expect(s.own().some((o) => o.side === 'buy')).toBe(true);
    expect(s.own().some((o) => o.side === 'sell')).toBe(true);
    expect(s.crossings).toEqual([]);
    s.quoter.stop();
  });
});

describe('QuotingEngine over two simulated exchanges', () => {
  it('quotes both venues around the cross-venue fair value and a global drawdown cancels every venue', async () => {
    const clock = new VirtualClock(1_700_000_000_000);
    const network = new TransferNetwork({ delayMs: { min: 200, max: 400 } }, { clock, rng: mulberry32(7) });
    const exchanges = ['alpha', 'beta'].map((id, i) => {
      const ex = new SimExchange(presetExchangeConfig(id, { latencyMs: { min: 5, max: 20 } }), { clock, rng: mulberry32(20 + i), network });
      ex.fund('ballast', 'BLST', '10000');
      ex.fund('ballast', 'USDT', '25000');
      ex.fund('bg', 'BLST', '100000');
      ex.fund('bg', 'USDT', '100000');
      // alpha's external mid is 2.50, beta's 2.60: equal (zero) volumes ⇒ fair value 2.55 on both.
      const mid = i === 0 ? 2.5 : 2.6;
      ex.engine.placeOrder({ account: 'bg', side: 'buy', type: 'limit', price: (mid - 0.1).toFixed(2), amount: '500', postOnly: true });
      ex.engine.placeOrder({ account: 'bg', side: 'sell', type: 'limit', price: (mid + 0.1).toFixed(2), amount: '500', postOnly: true });
      return ex;
    });
    const engine = new QuotingEngine({
      clock,
      seed: 5,
      venues: exchanges.map((ex) => ({
        venue: new ManagedVenue(new SimVenue(ex, 'ballast'), { now: () => clock.now(), clientIdPrefix: `bq-${ex.id}` }),
        config: config({ killSwitch: { maxGlobalDrawdownQuote: '1000' } }),
      })),
    });
    await clock.resolve(engine.start());
    await clock.runForAsync(20_000);
    for (const ex of exchanges) {
      const m = ownDepth(ex.engine.openOrders('ballast'));
      // 0.4 % around 2.55: bid 2.5398 → 2.53, ask 2.5602 → 2.57.
      expect([ex.id, m.bestBid, m.bestAsk]).toEqual([ex.id, '2.53', '2.57']);
    }
    // The market drops: bg on alpha sells down to 2.30 and takes Ballast's bids on the way; both
    // venues' books move, the fair value falls to ≈ 2.25, and 20 000 BLST marked ≈ 0.3 lower is far beyond 1 000 USDT.
    for (const ex of exchanges) {
      ex.engine.cancelAll('bg');
      ex.engine.placeOrder({ account: 'bg', side: 'buy', type: 'limit', price: '2.2', amount: '500', postOnly: true });
      ex.engine.placeOrder({ account: 'bg', side: 'sell', type: 'limit', price: '2.3', amount: '5000' });
    }
    await clock.runForAsync(10_000);
    expect(engine.market.killSwitch.trips).toEqual([expect.objectContaining({ scope: 'all', reason: 'drawdown' })]);
    for (const ex of exchanges) expect([ex.id, ex.engine.openOrders('ballast')]).toEqual([ex.id, []]);
    // Latched: still nothing after a while; a reset lets both venues quote again (peaks restart).
    await clock.runForAsync(10_000);
    for (const ex of exchanges) expect(ex.engine.openOrders('ballast')).toEqual([]);
    engine.resetKillSwitch();
    await clock.runForAsync(10_000);
    expect(engine.market.killSwitch.trips).toEqual([]);
    for (const ex of exchanges) expect([ex.id, ex.engine.openOrders('ballast').length > 0]).toEqual([ex.id, true]);
    await clock.resolve(engine.stop({ cancel: true }));
    for (const ex of exchanges) expect(ex.engine.openOrders('ballast')).toEqual([]);
  });
  it('portfolio skew: Ballast buying on one venue moves both venues\' quotes down alike; per-venue skew moves only that venue', async () => {
    const centres = async (scope: 'portfolio' | 'venue') => {
      const clock = new VirtualClock(1_700_000_000_000);
      const network = new TransferNetwork({ delayMs: { min: 200, max: 400 } }, { clock, rng: mulberry32(7) });
      const exchanges = ['alpha', 'beta'].map((id, i) => {
        const ex = new SimExchange(presetExchangeConfig(id, { latencyMs: { min: 5, max: 20 } }), { clock, rng: mulberry32(20 + i), network });
        ex.fund('ballast', 'BLST', '10000');
        ex.fund('ballast', 'USDT', '25000');
        ex.fund('bg', 'BLST', '100000');
        ex.fund('bg', 'USDT', '100000');
        ex.engine.placeOrder({ account: 'bg', side: 'buy', type: 'limit', price: '2.4', amount: '500', postOnly: true });
        ex.engine.placeOrder({ account: 'bg', side: 'sell', type: 'limit', price: '2.6', amount: '500', postOnly: true });
        return ex;
      });
      // A-S, σ held at its seed (a very long half-life): γσ²τ = 2 × (0.0005 × 2.5)² × 3600 ≈ 0.011 per order.
      const model = { model: 'avellaneda-stoikov' as const, gamma: 2, k: 100, horizon: { kind: 'rolling' as const, seconds: 3600 }, orderAmount: '20', orderLevels: 3, levelSpacingPct: '0.3' };
      const skew = scope === 'portfolio' ? { inventorySkew: { scope: 'portfolio' as const, venueDeadZonePct: '40' } } : {};
      const engine = new QuotingEngine({
        clock,
        seed: 5,
        venues: exchanges.map((ex) => ({
          venue: new ManagedVenue(new SimVenue(ex, 'ballast'), { now: () => clock.now(), clientIdPrefix: `bq-${ex.id}` }),
          config: config({ model, volHalfLifeSec: 1e9, refresh: { pricePct: '0.05', amountPct: '10' }, ...skew }),
        })),
      });
      await clock.resolve(engine.start());
      await clock.runForAsync(20_000);
      const centre = () => exchanges.map((ex) => {
        const m = ownDepth(ex.engine.openOrders('ballast'));
        return (Number(m.bestBid) + Number(m.bestAsk)) / 2;
      });
      const before = centre();
      // A seller takes Ballast's bids on alpha only: Ballast is long on alpha and in the portfolio.
      exchanges[0]!.engine.placeOrder({ account: 'bg', side: 'sell', type: 'market', amount: '40' });
      await clock.runForAsync(30_000);
      const bought = exchanges[0]!.engine.myTrades('ballast').reduce((s, f) => s + (f.side === 'buy' ? Number(f.amount) : -Number(f.amount)), 0);
      const after = centre();
      const portfolioOrders = engine.market.portfolioOrders();
      await clock.resolve(engine.stop({ cancel: true }));
      return { before, after, bought, portfolioOrders };
    };
    const p = await centres('portfolio');
    expect(p.bought).toBeGreaterThan(0);
    // Σ traded / Σ order size: bought on alpha over the two venues' 20 + 20 BLST orders.
    expect(p.portfolioOrders).toBeCloseTo(p.bought / 40, 9);
    const moved = p.after.map((a, i) => a - p.before[i]!);
    expect(moved[0]).toBeLessThan(-0.005);
    expect(Math.abs(moved[1]! - moved[0]!)).toBeLessThanOrEqual(0.0100001); // the same shift, to a tick
    const v = await centres('venue');
    expect(v.after[0]! - v.before[0]!).toBeLessThan(-0.005);
    expect(Math.abs(v.after[1]! - v.before[1]!)).toBeLessThanOrEqual(0.0050001); // beta holds still
  });
});
