// The quoting worker's metrics read from the real parts: a QuotingEngine quoting a SimExchange in
// virtual time, a taker filling it, an inventory breach tripping the kill switch. The scraped text is
// checked against the figures the engine holds (computeBookMetrics of the same book, QuoterStats,
// the tracker's fills). Then each process role's /metrics endpoint answers over HTTP.
import { Registry } from 'prom-client';
import { computeBookMetrics } from '../../domain/compliance';
import { mulberry32 } from '../../domain/rng';
import { VirtualClock } from '../../hotpath/clocks';
import { ImbalanceMonitor } from '../../hotpath/imbalance-monitor';
import { StaticModeSource } from '../../hotpath/mode-source';
import { QuotingEngine } from '../../hotpath/quoting-engine';
import type { VenueQuoterConfig } from '../../hotpath/venue-quoter';
import { BallastMetrics } from '../../observability/metrics';
import { countingLedger } from '../../observability/ledger-metrics';
import { serveMetrics } from '../../observability/metrics-server';
import { observePoolLiquidity, observeQuotingEngine } from '../../observability/quoting-metrics';
import { v2Depth } from '../../domain/amm';
import { impliedOrderBook } from '../../domain/uniswap-v2-math';
import { PoolBookWatcher } from '../../hotpath/pool-book-watcher';
import { SimPoolLiquidity } from '../../sim/backtest/pool-liquidity';
import type { AmmVenue } from '../../sim/market/amm-venue';
import { loadScenario } from '../../sim/market/scenario-loader';
import { ScenarioRunner } from '../../sim/market/scenario-runner';
import { presetExchangeConfig } from '../../sim/exchange/exchange-presets';
import { SimExchange } from '../../sim/exchange/sim-exchange';
import { TransferNetwork } from '../../sim/exchange/transfer-network';
import { ManagedVenue } from '../../venues/managed-venue';
import { SimVenue } from '../../venues/sim/sim-venue';
import { MemoryLedgerStore } from '../../activities/ledger/memory-ledger';
import { temporalWorkerMetrics } from '../../workers/temporal.worker';
import { quotingWorkerMetrics } from '../../workers/quoting.worker';
import { buildApi } from '../../api/server';
import { loadConfig } from '../../config/load';
import pino from 'pino';

const REQ = { maxSpreadPct: '3', minDepthQuote: '2000', depthBandPct: '2', minVolume24hQuote: '0' };

const quoterConfig = (): VenueQuoterConfig => ({
  model: { model: 'pure-mm', bidSpreadPct: '0.4', askSpreadPct: '0.4', orderAmount: '20', orderLevels: 3, levelSpacingPct: '0.3' },
  depth: { quote: '2000', bandPct: '2', levels: 5, stepPct: '0.3' },
  refresh: { pricePct: '0.5', amountPct: '10' },
  sizeJitterPct: '5',
  targetInventory: '10000',
  maxInventory: '20000',
  tickMs: 1_000,
  tickJitterPct: 20,
  reconcileEveryMs: 5_000,
  balanceEveryMs: 5_000,
  maxDataAgeMs: 60_000,
  volHalfLifeSec: 60,
  seedVolatility: 0.0005,
  killSwitch: { maxInventoryBase: '22000', maxDataAgeMs: 120_000 },
});

/** `name{labels} value` lines of the exposition text, by name + sorted labels. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m) out.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return out;
}

async function quotingWorld() {
  const clock = new VirtualClock(1_700_000_000_000);
  const network = new TransferNetwork({ delayMs: { min: 200, max: 400 } }, { clock, rng: mulberry32(7) });
  const ex = new SimExchange(presetExchangeConfig('alpha', { latencyMs: { min: 5, max: 20 } }), { clock, rng: mulberry32(8), network });
  ex.fund('ballast', 'BLST', '10000');
  ex.fund('ballast', 'USDT', '25000');
  ex.fund('bg', 'BLST', '100000');
  ex.fund('bg', 'USDT', '100000');
  for (const [side, price] of [['buy', '2.4'], ['buy', '2.35'], ['sell', '2.6'], ['sell', '2.65']] as const) {
    ex.engine.placeOrder({ account: 'bg', side, type: 'limit', price, amount: '500', postOnly: true });
  }
  const venue = new ManagedVenue(new SimVenue(ex, 'ballast', { streamDepth: 50 }), { now: () => clock.now(), clientIdPrefix: 'bq' });
  const modes = new StaticModeSource();
  const engine = new QuotingEngine({ venues: [{ venue, config: quoterConfig() }], clock, seed: 3, modes });
  await clock.resolve(engine.start());
  const monitor = new ImbalanceMonitor(engine.market, async () => undefined, { venues: [{ venueId: 'alpha', targetInventory: '10000', requirements: REQ }] });
  const metrics = new BallastMetrics(new Registry());
  observeQuotingEngine(metrics, engine, { clock, requirements: { alpha: REQ }, monitor });
  return { clock, ex, engine, monitor, metrics, modes, quoter: engine.quoters[0]! };
}

describe('quoting metrics from the real engine', () => {
  it('depth, spread, orders, fills, fees, inventory, PnL, mode, kill switch, compliance and feed age equal the engine’s own figures', async () => {
    const w = await quotingWorld();
    w.ex.fund('taker', 'BLST', '10000');
    w.ex.fund('taker', 'USDT', '100000');
    const rng = mulberry32(11);
    const take = () => {
      w.ex.engine.placeOrder({ account: 'taker', side: rng() < 0.5 ? 'buy' : 'sell', type: 'market', amount: '30' });
      w.clock.schedule(2_000 + Math.floor(rng() * 3_000), take);
    };
    w.clock.schedule(3_000, take);
    await w.clock.runForAsync(40_000);
    await w.monitor.tick(w.clock.now());

    const s = parse(await w.metrics.text());
    const q = w.quoter.stats;
    const market = w.engine.market.venue('alpha')!;
    // Depth and spread: computeBookMetrics of the very book the engine holds, for the requirement's bands.
    const bm = computeBookMetrics(market.book!, ['1', '2', '5']);
    if (!bm.ok) throw new Error('book not measurable');
    for (const b of bm.depth) {
      expect(s.get(`ballast_depth_quote{venue="alpha",side="bid",band="${b.pct}"}`)).toBeCloseTo(Number(b.bidQuote), 6);
      expect(s.get(`ballast_depth_quote{venue="alpha",side="ask",band="${b.pct}"}`)).toBeCloseTo(Number(b.askQuote), 6);
    }
    expect(s.get('ballast_depth_quote{venue="alpha",side="bid",band="2"}')).toBeGreaterThanOrEqual(2000);
    expect(s.get('ballast_depth_required_quote{venue="alpha",band="2"}')).toBe(2000);
    // Our own depth: our resting orders (what MarketState holds) within ±band of the BOOK's mid, summed here independently.
    expect(market.own.length).toBeGreaterThan(0);
    for (const b of bm.depth) {
      const lo = Number(bm.mid) * (1 - Number(b.pct) / 100);
      const hi = Number(bm.mid) * (1 + Number(b.pct) / 100);
      const ours = (side: 'buy' | 'sell') => market.own.filter((o) => o.side === side && Number(o.price) >= lo && Number(o.price) <= hi).reduce((a, o) => a + Number(o.price) * Number(o.amount), 0);
      expect(s.get(`ballast_own_depth_quote{venue="alpha",side="bid",band="${b.pct}"}`)).toBeCloseTo(ours('buy'), 4);
      expect(s.get(`ballast_own_depth_quote{venue="alpha",side="ask",band="${b.pct}"}`)).toBeCloseTo(ours('sell'), 4);
      expect(s.get(`ballast_own_depth_quote{venue="alpha",side="bid",band="${b.pct}"}`)!).toBeLessThanOrEqual(Number(b.bidQuote) + 1e-6);
    }
    expect(s.get('ballast_own_depth_quote{venue="alpha",side="bid",band="5"}')).toBeGreaterThan(0);
    expect(s.get('ballast_mid_quote{venue="alpha"}')).toBeCloseTo(Number(bm.mid), 9);
    expect(s.get('ballast_fair_value_quote')).toBe(w.quoter.lastFairValue);
    expect(s.get('ballast_fair_value_quote')).toBeGreaterThan(2.3);
    expect(s.get('ballast_inventory_quote{venue="alpha"}')).toBeCloseTo(Number(w.quoter.quoteBalance), 6);
    expect(s.get('ballast_spread_ratio{venue="alpha"}')).toBeCloseTo(Number(bm.spreadPct) / 100, 9);
    expect(s.get('ballast_spread_max_ratio{venue="alpha"}')).toBeCloseTo(0.03, 9);
    // Orders and fills: QuoterStats and the tracker's de-duplicated fills.
    expect(q.placed).toBeGreaterThan(0);
    expect(s.get('ballast_orders_placed_total{venue="alpha"}')).toBe(q.placed);
    expect(s.get('ballast_orders_cancelled_total{venue="alpha"}') ?? 0).toBe(q.canceled);
    expect(s.get('ballast_orders_rejected_total{venue="alpha"}') ?? 0).toBe(q.rejected);
    const fills = w.ex.engine.myTrades('ballast');
    expect(q.fills).toBeGreaterThan(0);
    expect(q.fills).toBeLessThanOrEqual(fills.length);
    expect(s.get('ballast_fills_total{venue="alpha"}')).toBe(q.fills);
    expect(s.get('ballast_filled_base_total{venue="alpha"}')).toBeCloseTo(Number(q.filledBase), 9);
    expect(Number(q.feesQuote)).toBeGreaterThan(0);
    expect(s.get('ballast_fees_quote_total{venue="alpha"}') ?? 0).toBeCloseTo(Number(q.feesQuote), 9);
    expect(s.get('ballast_realized_pnl_quote{venue="alpha"}')).toBeCloseTo(Number(q.realizedPnlQuote), 9);
    // Inventory and mark-to-market PnL: the kill switch's observation.
    expect(s.get('ballast_inventory_base{venue="alpha"}')).toBe(Number(market.observation!.inventoryBase));
    expect(s.get('ballast_pnl_quote{venue="alpha"}')).toBeCloseTo(Number(market.observation!.pnlQuote), 9);
    // Mode, kill switch, compliance, feed age.
    expect(s.get('ballast_quoting_mode{venue="alpha",mode="normal"}')).toBe(1);
    expect(s.get('ballast_quoting_mode{venue="alpha",mode="paused"}')).toBe(0);
    expect(s.get('ballast_quoting_modes_known')).toBe(1);
    expect(s.get('ballast_kill_switch_tripped{venue="alpha"}')).toBe(0);
    expect(s.get('ballast_compliance_ok{venue="alpha"}')).toBe(w.monitor.lastObservations.find((o) => o.kind === 'COMPLIANCE_BREACH')!.value === 0 ? 1 : 0);
    expect(s.get('ballast_feed_age_seconds{venue="alpha"}')).toBeCloseTo((w.clock.now() - market.bookAt!) / 1000, 6);

    // A pause and an inventory breach: mode and the latched trip show on the next scrape.
    w.modes.set('alpha', 'paused');
    w.ex.fund('ballast', 'BLST', '15000');
    await w.clock.runForAsync(8_000);
    const t = parse(await w.metrics.text());
    expect(t.get('ballast_quoting_mode{venue="alpha",mode="paused"}')).toBe(1);
    expect(t.get('ballast_quoting_mode{venue="alpha",mode="normal"}')).toBe(0);
    expect(w.engine.market.killSwitch.trips).toEqual([expect.objectContaining({ venueId: 'alpha', reason: 'inventory-breach' })]);
    expect(t.get('ballast_kill_switch_tripped{venue="alpha"}')).toBe(1);
    expect(t.get('ballast_kill_switch_trips_total{venue="alpha",reason="inventory-breach"}')).toBe(1);
    expect(t.get('ballast_orders_cancelled_total{venue="alpha"}')).toBe(w.quoter.stats.canceled);
    expect(w.quoter.stats.canceled).toBeGreaterThan(0);
    await w.engine.stop();
  });
});

describe('pool depth from the real provider', () => {
  it('reports the pool provider\'s measured depth and Ballast\'s share of it, with the requirement', async () => {
    const config = loadConfig('config/demo.yaml');
    const scenario = loadScenario('demo');
    const clock = new VirtualClock(Date.parse(scenario.startTime));
    const runner = new ScenarioRunner({ ...scenario, duration: 10 * 60_000 }, { clock });
    const lp = new SimPoolLiquidity({ clock, runner, account: 'ballast', config, params: { checkEveryMs: 60_000 } });
    runner.start();
    await lp.start();
    await clock.runUntilAsync(runner.endMs);
    runner.stop();
    const amm = config.venues.find((v) => v.kind === 'amm')!;
    const m = new BallastMetrics(new Registry());
    observePoolLiquidity(m, lp.provider, amm.requirements);
    const s = parse(await m.text());
    const stats = lp.provider.stats();
    const band = amm.requirements.depthBandPct;
    expect(stats.checks).toBeGreaterThan(0);
    expect(s.get(`ballast_pool_depth_quote{venue="${amm.id}",band="${band}"}`)).toBe(stats.poolDepthQuote);
    expect(s.get(`ballast_pool_own_depth_quote{venue="${amm.id}",band="${band}"}`)).toBe(stats.ballastDepthQuote);
    expect(s.get(`ballast_depth_required_quote{venue="${amm.id}",band="${band}"}`)).toBe(Number(amm.requirements.minDepthQuote));
    expect(s.get(`ballast_pool_fees_quote{venue="${amm.id}"}`)).toBe(stats.feesQuote);
    expect(s.get(`ballast_pool_impermanent_loss_quote{venue="${amm.id}"}`)).toBe(stats.impermanentLossQuote);
    expect(s.get(`ballast_pool_position_quote{venue="${amm.id}"}`)).toBe(stats.capitalQuote);
    expect(stats.capitalQuote).toBeGreaterThan(0);

    // With the pool's book watcher: its implied book (impliedOrderBook, what AmmVenue.fetchOrderBook
    // serves the compliance check) measured per band and side like an exchange's, and our LP share of it.
    const simPool = runner.venues[amm.id] as AmmVenue;
    const source = {
      id: amm.id,
      fetchOrderBook: async (levels = 50) => {
        const b = impliedOrderBook(simPool.poolState(), { decimals: { base: simPool.config.baseDecimals, quote: simPool.config.quoteDecimals }, stepPct: '0.1', levels });
        return { venue: amm.id, market: amm.market, timestamp: clock.now(), bids: b.bids.map((l) => ({ price: l.price, amount: l.amount })), asks: b.asks.map((l) => ({ price: l.price, amount: l.amount })) };
      },
    };
    const watcher = new PoolBookWatcher({ clock, venue: source });
    await watcher.poll();
    const m2 = new BallastMetrics(new Registry());
    observePoolLiquidity(m2, lp.provider, amm.requirements, { book: watcher, clock });
    const p = parse(await m2.text());
    const pb = computeBookMetrics(watcher.book!, ['1', '2', '5']);
    if (!pb.ok) throw new Error('pool book not measurable');
    for (const d of pb.depth) {
      expect(p.get(`ballast_depth_quote{venue="${amm.id}",side="bid",band="${d.pct}"}`)).toBeCloseTo(Number(d.bidQuote), 6);
      expect(p.get(`ballast_depth_quote{venue="${amm.id}",side="ask",band="${d.pct}"}`)).toBeCloseTo(Number(d.askQuote), 6);
      expect(p.get(`ballast_own_depth_quote{venue="${amm.id}",side="bid",band="${d.pct}"}`)).toBeCloseTo((Number(d.bidQuote) * stats.lpSharePct) / 100, 6);
    }
    expect(stats.lpSharePct).toBeGreaterThan(0);
    expect(p.get(`ballast_mid_quote{venue="${amm.id}"}`)).toBeCloseTo(Number(pb.mid), 9);
    expect(Math.abs(p.get(`ballast_mid_quote{venue="${amm.id}"}`)! / simPool.spot() - 1)).toBeLessThan(1e-4);
    expect(p.get(`ballast_spread_ratio{venue="${amm.id}"}`)).toBeCloseTo(Number(pb.spreadPct) / 100, 9);
    expect(p.get(`ballast_spread_max_ratio{venue="${amm.id}"}`)).toBeCloseTo(Number(amm.requirements.maxSpreadPct) / 100, 9);
    expect(p.get(`ballast_venue_healthy{venue="${amm.id}"}`)).toBe(1);
    expect(p.get(`ballast_feed_age_seconds{venue="${amm.id}"}`)).toBe(0);
    // The provider's figure is the pool's own ±band depth (binding side) at its last check, in quote.
    const pool = runner.venues[amm.id] as AmmVenue;
    expect(stats.poolDepthQuote).toBeCloseTo(pool.toQuoteFloat(v2Depth(pool.poolState(), band).minQuote), -1);
    expect(stats.poolDepthQuote).toBeGreaterThanOrEqual(Number(amm.requirements.minDepthQuote));
  });
});

describe('ledger-booked events', () => {
  it('counts a transfer and a buyback once each, however often the activity retries its append', async () => {
    const m = new BallastMetrics(new Registry());
    const ledger = countingLedger(new MemoryLedgerStore(), m);
    const base = { at: 1, day: '2026-01-01', asset: 'BLST', amountUsd: '10' };
    for (let i = 0; i < 2; i++) {
      await ledger.append({ ...base, id: 'fund-transfer:r1:transfer', workflowId: 'fund-transfer:r1', kind: 'transfer', amount: '100' });
      await ledger.append({ ...base, id: 'buyback:BLST:r2:execution', workflowId: 'coordinator:BLST:d1', kind: 'execution', amount: '42.5', note: JSON.stringify({ kind: 'buyback', status: 'done' }) });
    }
    await ledger.append({ ...base, id: 'fund-transfer:r3:suspense', workflowId: 'fund-transfer:r3', kind: 'suspense', amount: '5' });
    const s = parse(await m.text());
    expect(s.get('ballast_transfers_total{outcome="completed"}')).toBe(1);
    expect(s.get('ballast_transfers_total{outcome="suspense"}')).toBe(1);
    expect(s.get('ballast_price_action_executions_total{kind="buyback"}')).toBe(1);
    expect(s.get('ballast_price_action_filled_base_total{kind="buyback"}')).toBe(42.5);
    expect((await ledger.entries()).length).toBe(3);
  });
});

describe('every process role answers /metrics', () => {
  const get = async (url: string) => {
    const r = await fetch(url);
    return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
  };

  it('the Temporal worker and the quoting worker serve their registries on 127.0.0.1 (port 0), the API its own', async () => {
    const config = loadConfig('config/demo.yaml');
    const w = await quotingWorld();
    const roles = { worker: temporalWorkerMetrics(), quoting: quotingWorkerMetrics(config, w.engine, w.clock) };
    for (const [role, metrics] of Object.entries(roles)) {
      const server = await serveMetrics(metrics, { host: '127.0.0.1', port: 0 });
      try {
        expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
        const r = await get(server.url);
        expect(r.status).toBe(200);
        expect(r.type).toContain('text/plain');
        expect(r.text).toContain(`ballast_${role}_process_cpu_seconds_total`);
        expect(r.text).toContain('# TYPE ballast_orders_placed_total counter');
        expect((await fetch(server.url.replace('/metrics', '/other'))).status).toBe(404);
      } finally {
        await server.close();
      }
    }
    expect(parse(await roles.quoting.text()).get('ballast_orders_placed_total{venue="alpha"}')).toBe(w.quoter.stats.placed);
    await w.engine.stop();

    const api = buildApi({ config: { ...config, temporal: { ...config.temporal, address: '127.0.0.1:1' } }, logger: pino({ level: 'silent' }) });
    try {
      const r = await api.inject({ method: 'GET', url: '/metrics' });
      expect(r.statusCode).toBe(200);
      expect(r.body).toContain('ballast_temporal_up 0');
    } finally {
      await api.close();
    }
  });
});
