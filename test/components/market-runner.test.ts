// The scenario runner on the real matching engine and the exact V2 pool: determinism, activity on
// every venue, the same code on a RealClock, and the hooks a market maker uses.
import { RealClock, VirtualClock } from '../../hotpath/clocks';
import { loadScenario, parseScenario } from '../../sim/market/scenario-loader';
import { ScenarioRunner } from '../../sim/market/scenario-runner';
import type { CexVenue } from '../../sim/market/cex-venue';
import type { AmmVenue } from '../../sim/market/amm-venue';
import { MatchingEngine } from '../../sim/engine/matching-engine';

const demo = loadScenario('demo');
const stress = loadScenario('stress-24h');
const MIN = 60_000;

describe('ScenarioRunner', () => {
  it('same seed ⇒ identical event log; another seed ⇒ a different one', () => {
    const short = { ...demo, duration: 20 * MIN };
    const a = ScenarioRunner.virtual(short).runVirtual();
    const b = ScenarioRunner.virtual(short).runVirtual();
    const c = ScenarioRunner.virtual(short, { seed: demo.seed + 1 }).runVirtual();
    expect(a.events).toBeGreaterThan(1000);
    expect(b.eventHash).toBe(a.eventHash);
    expect(b.events).toBe(a.events);
    expect(b).toEqual(a);
    expect(c.eventHash).not.toBe(a.eventHash);
  });

  it('moves prices and trades on all four venues in a short virtual run', () => {
    const runner = ScenarioRunner.virtual({ ...stress, duration: 30 * MIN });
    const s = runner.runVirtual();
    expect(s.simulatedMs).toBe(30 * MIN);
    for (const id of ['alpha', 'bravo', 'charlie', 'uniswap']) {
      expect(s.venues[id]!.trades).toBeGreaterThan(20);
      expect(Number(s.venues[id]!.volumeQuote)).toBeGreaterThan(1000);
      const mids = s.pricePath.map((p) => p.mids[id]).filter((m): m is number => m !== null);
      expect(mids).toHaveLength(31); // one sample per minute and the end
      expect(Math.max(...mids) - Math.min(...mids)).toBeGreaterThan(0.001); // the venue's price moved
      // … and stayed near the fundamental (informed traders, arbitrageurs, background reversion).
      expect(Math.abs(s.venues[id]!.finalMid! / s.fundamental.final - 1)).toBeLessThan(0.03);
    }
    expect(s.fundamental.max).toBeGreaterThan(s.fundamental.min);
    expect(s.pricePath[0]!.t).toBe(0);
    // Every kind acted; the pool's trades are swaps by agents.
    for (const kind of ['noise', 'informed', 'momentum', 'arbitrage']) {
      expect(s.agents.filter((a) => a.kind === kind).reduce((n, a) => n + a.trades, 0)).toBeGreaterThan(0);
    }
    expect(s.background.every((b) => b.placed > 0)).toBe(true);
    // Budgets hold: no account went negative anywhere.
    for (const a of runner.agents) {
      for (const id of Object.keys(a.balances)) {
        const v = runner.venues[id]!;
        if (v.kind === 'cex') for (const b of v.engine.balances(a.account)) expect(Number(b.free)).toBeGreaterThanOrEqual(0);
        else expect(v.balances(a.account).base >= 0n && v.balances(a.account).quote >= 0n).toBe(true);
      }
    }
  });

  it('runs the same code on a RealClock', async () => {
    const tiny = parseScenario({
      name: 'tiny',
      seed: 3,
      duration: '400ms',
      timeStep: '50ms',
      fundamental: { initial: 0.5, volatility: 0.5, factor: { volatility: 0.3 } },
      venues: [
        {
          id: 'alpha',
          kind: 'cex',
          market: 'BLST/USDT',
          rules: { tickSize: '0.0001', lotSize: '1', minNotional: '1' },
          fees: { maker: '0', taker: '0.001' },
          backgroundLiquidity: { halfSpreadPct: 0.1, levels: 5, stepPct: 0.1, levelQuote: '500', refreshEvery: '100ms', balances: { base: '100000', quote: '50000' } },
        },
      ],
      agents: [{ kind: 'noise', id: 'noise', venues: ['alpha'], balances: { base: '10000', quote: '5000' }, ratePerMinute: 3000, sizeQuote: { median: 50, sigma: 0 }, marketableProb: 1 }],
    });
    const clock = new RealClock();
    try {
      const s = await new ScenarioRunner(tiny, { clock }).run();
      expect(s.simulatedMs).toBeGreaterThanOrEqual(400);
      expect(s.events).toBeGreaterThan(5); // price steps, ladder refreshes, orders
      expect(s.agents[0]!.orders).toBeGreaterThan(0);
      expect(s.venues.alpha!.trades).toBeGreaterThan(0);
    } finally {
      clock.stop();
    }
  });

  it('lets another account (a market maker) trade on the same engines and follow each step', () => {
    const clock = new VirtualClock(Date.parse(demo.startTime));
    const runner = new ScenarioRunner({ ...demo, duration: 10 * MIN }, { clock });
    runner.addAccount('ballast-mm', { alpha: { base: '50000', quote: '25000' } });
    const alpha = runner.venues.alpha as CexVenue;
    const seen: number[] = [];
    runner.onStep((s) => {
      seen.push(s.fundamental);
      if (seen.length % 60 !== 1) return; // quote once a minute, inside the background spread
      alpha.engine.cancelAll('ballast-mm');
      const bid = alpha.tick.floor(s.fundamental * 0.9995);
      const ask = alpha.tick.ceil(s.fundamental * 1.0005);
      alpha.engine.placeOrder({ account: 'ballast-mm', side: 'buy', type: 'limit', price: alpha.tick.format(bid), amount: '2000', postOnly: true });
      alpha.engine.placeOrder({ account: 'ballast-mm', side: 'sell', type: 'limit', price: alpha.tick.format(ask), amount: '2000', postOnly: true });
    });
    runner.runVirtual();
    expect(seen).toHaveLength(600); // one call per 1 s step
    expect(seen[599]).toBe(runner.fundamental());
    expect(alpha.engine.myTrades('ballast-mm').length).toBeGreaterThan(0);
    expect((runner.venues.uniswap as AmmVenue).pool.reserves.base).not.toBe(4_000_000n * 10n ** 18n);
  });

  it('adopts an existing engine for a venue (e.g. a SimExchange’s) and refuses one with other rules', () => {
    const clock = new VirtualClock(Date.parse(demo.startTime));
    const market = { symbol: 'BLST/USDT', base: 'BLST', quote: 'USDT', tickSize: '0.0001', lotSize: '1', minNotional: '5', makerFee: '0.0010', takerFee: '0.0020' };
    const engine = new MatchingEngine(market, { clock });
    const runner = new ScenarioRunner({ ...demo, duration: 5 * MIN }, { clock, engines: { alpha: engine } });
    expect((runner.venues.alpha as CexVenue).engine).toBe(engine);
    const s = runner.runVirtual();
    expect(engine.recentTrades(1_000).length).toBe(s.venues.alpha!.trades);
    expect(s.venues.alpha!.trades).toBeGreaterThan(0);
    const other = new MatchingEngine({ ...market, tickSize: '0.001' }, { clock });
    expect(() => new ScenarioRunner(demo, { clock, engines: { alpha: other } })).toThrow(/alpha: the engine's tickSize is 0.001/);
  });
});
