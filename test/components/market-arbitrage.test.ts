// Arbitrageurs on the real matching engine and the exact V2 pool: an artificial price gap closes
// below their cost threshold within a few checks, and no arbitrage loses money at decision time.
import { D } from '../../domain/money';
import { Arbitrageur } from '../../sim/market/arbitrageur';
import { planAmmToCex } from '../../sim/market/arb-planner';
import { CexVenue } from '../../sim/market/cex-venue';
import { ScenarioRunner } from '../../sim/market/scenario-runner';
import { parseScenario } from '../../sim/market/scenario-loader';
import type { AmmVenue } from '../../sim/market/amm-venue';

const cexVenue = (id: string, taker: string, lotSize = '1') => ({
  id,
  kind: 'cex',
  market: 'BLST/USDT',
  rules: { tickSize: '0.001', lotSize, minNotional: '1' },
  fees: { maker: '0', taker },
});

function scenario(venues: unknown[], arbVenues: string[], extra: Record<string, unknown> = {}) {
  return parseScenario({
    name: 'gap',
    seed: 5,
    duration: '30m',
    fundamental: { initial: 0.5, volatility: 0, factor: { volatility: 0 } },
    venues,
    agents: [
      {
        kind: 'arbitrage',
        id: 'arb',
        venues: arbVenues,
        balances: { base: '100000', quote: '100000' },
        ratePerMinute: 2,
        minProfitQuote: '0.5',
        maxTradeQuote: 10000,
        maxTradesPerCheck: 3,
        ...extra,
      },
    ],
  });
}

/** A resting order by the "maker" account (stands for the other side of the gap). */
function rest(v: CexVenue, side: 'buy' | 'sell', price: string, amount: string): void {
  const r = v.engine.placeOrder({ account: 'maker', side, type: 'limit', price, amount, timeInForce: 'GTC' });
  expect(r.ok).toBe(true);
}

describe('cross-venue arbitrage on real engines', () => {
  it('closes a CEX↔CEX gap below the fee threshold and makes exactly the planned profit', () => {
    const runner = ScenarioRunner.virtual(scenario([cexVenue('alpha', '0.001'), cexVenue('bravo', '0.001')], ['alpha', 'bravo']), { keepEvents: 10_000 });
    runner.addAccount('maker', { alpha: { base: '1000000', quote: '0' }, bravo: { base: '0', quote: '1000000' } });
    const alpha = runner.venues.alpha as CexVenue;
    const bravo = runner.venues.bravo as CexVenue;
    rest(alpha, 'sell', '0.5', '2000');
    rest(alpha, 'sell', '0.502', '2000');
    rest(alpha, 'sell', '0.506', '50000');
    rest(bravo, 'buy', '0.515', '1000');
    rest(bravo, 'buy', '0.51', '1000');
    rest(bravo, 'buy', '0.504', '50000');
    const costGap = () => bravo.bid()! * (1 - 0.001) - alpha.ask()! * (1 + 0.001);
    expect(costGap()).toBeGreaterThan(0.01);

    const s = runner.runVirtual();
    expect(costGap()).toBeLessThan(0); // 0.504 × 0.999 < 0.506 × 1.001: nothing profitable is left
    // Buy 2000 @ 0.5 + 2000 @ 0.502 = 2004; sell 1000 @ 0.515 + 1000 @ 0.51 + 2000 @ 0.504 = 2033, less 0.1 %.
    expect(s.arbitrage.executed).toBe(1);
    expect(s.arbitrage.expectedProfitQuote).toBe('24.959'); // 2030.967 − 2004 − 4 BLST fee × 0.502
    expect(s.arbitrage.realizedProfitQuote).toBe('24.959');
    const bal = (v: CexVenue) => Object.fromEntries(v.engine.balances('arb').map((b) => [b.asset, new D(b.free).plus(b.locked).toFixed()]));
    expect(bal(alpha)).toEqual({ BLST: '103996', USDT: '97996' });
    expect(bal(bravo)).toEqual({ BLST: '96000', USDT: '102030.967' });
    expect(runner.log.recent.filter((l) => l.startsWith('T|'))).toHaveLength(5);
  });

  it('closes a CEX↔AMM gap within a few checks, limited per plan by maxTradeQuote, never losing', () => {
    const runner = ScenarioRunner.virtual(
      scenario([cexVenue('bravo', '0.001', '0.1'), { id: 'pool', kind: 'amm', market: 'BLST/USDC', reserves: { base: '4000000', quote: '2000000' } }], ['bravo', 'pool'], { gasQuote: '1.5' }),
    );
    runner.addAccount('maker', { bravo: { base: '0', quote: '1000000' } });
    const bravo = runner.venues.bravo as CexVenue;
    const pool = runner.venues.pool as AmmVenue;
    rest(bravo, 'buy', '0.52', '200000');
    const gap = () => (bravo.bid()! * 0.999) / (pool.spot() / 0.997) - 1;
    expect(gap()).toBeGreaterThan(0.03);

    const s = runner.runVirtual();
    expect(s.arbitrage.executed).toBeGreaterThanOrEqual(4); // ≈ 70k BLST (35k USDC) to move the pool 3.6 %, ≤ 10k per plan
    expect(gap()).toBeGreaterThan(-0.0005);
    expect(gap()).toBeLessThan(0.0005); // pool ask ≈ CEX bid after fees: only gas-sized crumbs are left
    const arb = runner.agents[0]!.agent as Arbitrageur;
    const view = runner.agentView('arb');
    expect(planAmmToCex(view.exact('pool', 5) as never, view.exact('bravo', 25) as never, arb.params)).toBeUndefined();
    expect(new D(s.arbitrage.worstRealizedQuote!).gte('0.5')).toBe(true);
    expect(new D(s.arbitrage.realizedProfitQuote).minus(s.arbitrage.expectedProfitQuote).abs().lt('0.00001')).toBe(true);
    // Base stays neutral: every BLST sold on bravo was bought back from the pool (getAmountIn rounds
    // the input up by one USDC unit, so the pool pays out ~2e-6 BLST more per plan, never less).
    const onBravo = bravo.engine.balances('arb').find((b) => b.asset === 'BLST')!;
    const total = new D(onBravo.free).plus(new D(pool.balances('arb').base.toString()).div(1e18));
    expect(total.gte(200000) && total.lt('200000.0001')).toBe(true);
  });

  it('never takes a losing trade in a busy market (every arbitrage of a stress hour)', () => {
    // Realized profit of each arbitrage is measured from the balances before and after its legs.
    const { loadScenario } = jest.requireActual('../../sim/market/scenario-loader');
    const stress = loadScenario('stress-24h');
    const s = ScenarioRunner.virtual({ ...stress, duration: 3_600_000 }).runVirtual();
    expect(s.arbitrage.executed).toBeGreaterThan(20);
    expect(new D(s.arbitrage.worstRealizedQuote!).gte('0.5')).toBe(true); // minProfitQuote
    expect(s.arbitrage.mismatches).toBe(0);
    expect(new D(s.arbitrage.realizedProfitQuote).gte(s.arbitrage.expectedProfitQuote)).toBe(true);
  });
});
