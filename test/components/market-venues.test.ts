// The venue wrappers the runner drives, on the real matching engine and the exact V2 math:
// quantization of float decisions, budgets, self-trade avoidance, pool wallets and limit swaps.
import { VirtualClock } from '../../hotpath/clocks';
import { ActionExecutor, type ActivityStats } from '../../sim/market/action-executor';
import { AmmVenue } from '../../sim/market/amm-venue';
import { CexVenue } from '../../sim/market/cex-venue';
import { EventLog } from '../../sim/market/event-log';
import { parseScenario } from '../../sim/market/scenario-loader';
import { ScenarioRunner } from '../../sim/market/scenario-runner';
import { getAmountOut } from '../../domain/uniswap-v2-math';
import type { CexScenarioVenue } from '../../sim/market/scenario.schema';

const E18 = 10n ** 18n;
const E6 = 10n ** 6n;
const cexConfig = parseScenario({
  name: 'v',
  seed: 1,
  duration: '1m',
  fundamental: { initial: 0.5, volatility: 0, factor: { volatility: 0 } },
  venues: [{ id: 'alpha', kind: 'cex', market: 'BLST/USDT', rules: { tickSize: '0.0001', lotSize: '10', minNotional: '5' }, fees: { maker: '0', taker: '0.002' } }],
}).venues[0] as CexScenarioVenue;

function setup() {
  const clock = new VirtualClock(0);
  const v = new CexVenue(cexConfig, clock);
  v.engine.credit('t', 'BLST', '100000');
  v.engine.credit('t', 'USDT', '100000');
  v.engine.credit('mm', 'BLST', '100000');
  v.engine.credit('mm', 'USDT', '100000');
  return { clock, v };
}

describe('CexVenue.placeFloat', () => {
  it('rounds prices against the agent and amounts down to the lot', () => {
    const { v } = setup();
    const buy = v.placeFloat('t', { type: 'limit', venue: 'alpha', side: 'buy', price: 0.49996, amount: 129.9, tif: 'GTC' }, 1e6);
    const sell = v.placeFloat('t', { type: 'limit', venue: 'alpha', side: 'sell', price: 0.50004, amount: 55, tif: 'GTC' }, 0);
    expect(buy).toMatchObject({ sent: true, ticks: 4999, lots: 12 });
    expect(sell).toMatchObject({ sent: true, ticks: 5001, lots: 5 });
    expect(v.engine.openOrders('t').map((o) => [o.side, o.price, o.amount])).toEqual([
      ['buy', '0.4999', '120'],
      ['sell', '0.5001', '50'],
    ]);
  });

  it('skips orders below min notional or beyond the budget instead of sending them', () => {
    const { v } = setup();
    expect(v.placeFloat('t', { type: 'limit', venue: 'alpha', side: 'buy', price: 0.4, amount: 10, tif: 'IOC' }, 1e6)).toEqual({ sent: false, why: 'MIN_NOTIONAL' });
    expect(v.placeFloat('t', { type: 'limit', venue: 'alpha', side: 'buy', price: 0.5, amount: 1000, tif: 'GTC' }, 4)).toEqual({ sent: false, why: 'BUDGET' }); // not one lot
    expect(v.placeFloat('t', { type: 'limit', venue: 'alpha', side: 'buy', price: 0.5, amount: 1000, tif: 'GTC' }, 26)).toMatchObject({ sent: true, lots: 5 });
  });

  it('cancels its own crossing resting order before taking liquidity, so it never trades with itself', () => {
    const { v } = setup();
    const trades: string[] = [];
    v.engine.subscribe({ onTrade: (t) => trades.push(`${t.makerAccount}>${t.takerAccount}@${t.price}`) });
    const own = v.placeFloat('t', { type: 'limit', venue: 'alpha', side: 'buy', price: 0.499, amount: 100, tif: 'GTC', postOnly: true }, 1e6);
    const far = v.placeFloat('t', { type: 'limit', venue: 'alpha', side: 'buy', price: 0.49, amount: 100, tif: 'GTC', postOnly: true }, 1e6);
    v.engine.placeOrder({ account: 'mm', side: 'buy', type: 'limit', price: '0.498', amount: '100' });
    const take = v.placeFloat('t', { type: 'limit', venue: 'alpha', side: 'sell', price: 0.495, amount: 100, tif: 'IOC' }, 0);
    expect(take).toMatchObject({ sent: true, selfCancelled: [(own as { orderNo: number }).orderNo] });
    expect(v.engine.openLots((far as { orderNo: number }).orderNo)).toBe(10); // out of reach: left alone
    expect(trades).toEqual(['mm>t@0.498']);
    const ownId = v.engine.orderIdOf((own as { orderNo: number }).orderNo);
    expect(v.engine.getOrder('t', { orderId: ownId })?.status).toBe('canceled'); // cancelled by the agent, not expired by STP
  });
});

describe('AmmVenue and limit swaps', () => {
  const make = () => {
    const clock = new VirtualClock(0);
    const amm = new AmmVenue({ id: 'pool', market: 'BLST/USDC', reserveBase: 4_000_000n * E18, reserveQuote: 2_000_000n * E6, baseDecimals: 18, quoteDecimals: 6 }, clock);
    amm.credit('t', 'quote', 10_000n * E6);
    amm.credit('t', 'base', 10_000n * E18);
    return { clock, amm };
  };

  it('swaps exactly as the V2 pair does, from the wallet, and refuses what the wallet or slippage forbids', () => {
    const { amm } = make();
    const out = getAmountOut(1000n * E6, 2_000_000n * E6, 4_000_000n * E18);
    const r = amm.swapExactIn('t', 'buy', 1000n * E6, out);
    expect(r).toMatchObject({ ok: true, swap: { amountIn: 1000n * E6, amountOut: out } });
    expect(amm.balances('t')).toEqual({ base: 10_000n * E18 + out, quote: 9_000n * E6 });
    expect(amm.pool.reserves).toEqual({ base: 4_000_000n * E18 - out, quote: 2_001_000n * E6 });
    expect(amm.swapExactIn('t', 'buy', 9_001n * E6)).toEqual({ ok: false, reason: 'INSUFFICIENT_FUNDS' });
    const next = getAmountOut(100n * E6, 2_001_000n * E6, 4_000_000n * E18 - out);
    expect(amm.swapExactIn('t', 'buy', 100n * E6, next + 1n)).toEqual({ ok: false, reason: 'SLIPPAGE' });
    expect(amm.balances('t').quote).toBe(9_000n * E6); // refused swaps change nothing
  });

  it('an IOC limit on the pool trades until the marginal price reaches the limit', () => {
    const { clock, amm } = make();
    const log = new EventLog();
    const exec = new ActionExecutor(new Map([['pool', amm]]), clock, log, new Map());
    const stats: ActivityStats = { orders: 0, rejects: 0, skipped: 0, swaps: 0 };
    const view = { holdings: () => ({ base: 0, quote: 0 }) } as never;
    const before = amm.balances('t');
    exec.execute('t', [{ type: 'limit', venue: 'pool', side: 'buy', price: 0.5025, amount: 1e9, tif: 'IOC' }], view, stats);
    const after = amm.balances('t');
    const avg = Number(before.quote - after.quote) / 1e6 / (Number(after.base - before.base) / 1e18);
    expect(avg).toBeLessThan(0.5025);
    // The pool's ask after the swap is at the limit (the fee left in the pool moves it by ~1e-6).
    expect(Math.abs(amm.spot() / 0.997 / 0.5025 - 1)).toBeLessThan(1e-5);
    expect(stats.swaps).toBe(1);
    exec.execute('t', [{ type: 'limit', venue: 'pool', side: 'sell', price: 0.4975, amount: 1e9, tif: 'IOC' }], view, stats);
    expect(Math.abs((amm.spot() * 0.997) / 0.4975 - 1)).toBeLessThan(1e-5);
    expect(log.count).toBe(2);
  });
});

describe('no self-trades in a busy run', () => {
  it('a noise trader whose passive orders sit at the touch never meets them with its own marketable orders', () => {
    const scenario = parseScenario({
      name: 'self',
      seed: 9,
      duration: '20m',
      fundamental: { initial: 0.5, volatility: 0.5, factor: { volatility: 0.3 } },
      venues: [
        {
          id: 'alpha',
          kind: 'cex',
          market: 'BLST/USDT',
          rules: { tickSize: '0.0001', lotSize: '1', minNotional: '1' },
          fees: { maker: '0', taker: '0.001' },
          selfTradePrevention: 'expire_maker', // the engine's backstop: it would expire the resting order
          backgroundLiquidity: { halfSpreadPct: 0.4, levels: 10, stepPct: 0.2, levelQuote: '2000', balances: { base: '500000', quote: '250000' } },
        },
      ],
      agents: [
        // Passive orders within 0.2 % of the mid: inside the background spread, so at the touch.
        { kind: 'noise', id: 'noise', venues: ['alpha'], balances: { base: '50000', quote: '25000' }, ratePerMinute: 30, sizeQuote: { median: 100, sigma: 0.5 }, marketableProb: 0.5, passiveOffsetPct: 0.2, passiveTtl: '10m', maxSlippagePct: 1 },
      ],
    });
    const runner = ScenarioRunner.virtual(scenario, { keepEvents: 1_000_000 });
    // A resting order the engine's self-trade prevention expires would show as an expired GTC order.
    let stpExpired = 0;
    (runner.venues.alpha as CexVenue).engine.subscribe({ onOrderUpdate: (o) => void (o.timeInForce === 'GTC' && o.status === 'expired' && stpExpired++) });
    runner.runVirtual();
    expect(stpExpired).toBe(0);
    const trades = runner.log.recent.filter((l) => l.startsWith('T|')).map((l) => l.split('|'));
    expect(trades.length).toBeGreaterThan(200);
    expect(trades.filter((f) => f[7] === f[8])).toEqual([]);
    // Its own resting orders were cancelled before its marketable orders reached them.
    expect(runner.log.recent.filter((l) => l.startsWith('CS|')).length).toBeGreaterThan(10);
  });
});
