// Snapshot assembly from parsed /metrics samples (a real BallastMetrics registry's text, parsed by
// the dashboard's parser), the coordinator's state, visibility and ledger rows; and the issuer view.
import { Registry } from 'prom-client';
import { assembleSnapshot, workflowUiUrl, type DashboardInputs } from '../../api/dashboard/assemble';
import { issuerView, IssuerSnapshotSchema, MarketVenueSchema, OperatorSnapshotSchema, SOURCE_NAMES, type SourceStatus } from '../../api/dashboard/model';
import { parsePromText } from '../../api/dashboard/prom-text';
import { loadConfig } from '../../config/load';
import { BallastMetrics, type Sample, type SnapshotName } from '../../observability/metrics';
import { initialCoordinatorState } from '../../workflows/liquidity-coordinator.workflow';

const config = loadConfig('config/demo.yaml');
const ctx = { config, temporalUiUrl: 'http://127.0.0.1:8233' };
const NOW = Date.parse('2026-12-03T10:00:00Z');

const ok: SourceStatus = { ok: true, configured: true, lastOkAt: new Date(NOW).toISOString() };
const sources = Object.fromEntries(SOURCE_NAMES.map((n) => [n, ok])) as DashboardInputs['sources'];

async function quotingText(): Promise<string> {
  const m = new BallastMetrics(new Registry());
  const f = (name: SnapshotName, samples: Sample[]) => m.feed(name, () => samples);
  f('ballast_fair_value_quote', [[{}, 0.5]]);
  f('ballast_mid_quote', [[{ venue: 'alpha' }, 0.501], [{ venue: 'bravo' }, 0.499], [{ venue: 'uniswap' }, 0.5025]]);
  f('ballast_depth_quote', [
    [{ venue: 'alpha', side: 'bid', band: '2' }, 30_000],
    [{ venue: 'alpha', side: 'ask', band: '2' }, 10_000],
    [{ venue: 'alpha', side: 'bid', band: '1' }, 12_000],
    [{ venue: 'uniswap', side: 'bid', band: '2' }, 40_000],
    [{ venue: 'uniswap', side: 'ask', band: '2' }, 40_000],
  ]);
  f('ballast_own_depth_quote', [
    [{ venue: 'alpha', side: 'bid', band: '2' }, 6_000],
    [{ venue: 'alpha', side: 'ask', band: '2' }, 4_000],
    [{ venue: 'uniswap', side: 'bid', band: '2' }, 10_000],
    [{ venue: 'uniswap', side: 'ask', band: '2' }, 10_000],
  ]);
  f('ballast_depth_required_quote', [[{ venue: 'alpha', band: '2' }, 20_000]]);
  f('ballast_spread_ratio', [[{ venue: 'alpha' }, 0.004]]);
  f('ballast_spread_max_ratio', [[{ venue: 'alpha' }, 0.01]]);
  f('ballast_feed_age_seconds', [[{ venue: 'alpha' }, 0.4], [{ venue: 'bravo' }, 31]]);
  f('ballast_venue_healthy', [[{ venue: 'alpha' }, 1], [{ venue: 'bravo' }, 0]]);
  f('ballast_compliance_ok', [[{ venue: 'alpha' }, 1], [{ venue: 'bravo' }, 0]]);
  f('ballast_quoting_mode', [[{ venue: 'alpha', mode: 'normal' }, 1], [{ venue: 'alpha', mode: 'paused' }, 0], [{ venue: 'bravo', mode: 'paused' }, 1]]);
  f('ballast_quoting_modes_known', [[{}, 1]]);
  f('ballast_kill_switch_tripped', [[{ venue: 'alpha' }, 0], [{ venue: 'bravo' }, 1]]);
  f('ballast_kill_switch_trips_total', [[{ venue: 'bravo', reason: 'stale-data' }, 2]]);
  f('ballast_inventory_base', [[{ venue: 'alpha' }, 1000], [{ venue: 'bravo' }, 2000]]);
  f('ballast_inventory_quote', [[{ venue: 'alpha' }, 500], [{ venue: 'bravo' }, 100]]);
  f('ballast_pool_position_quote', [[{ venue: 'uniswap' }, 25_000]]);
  f('ballast_realized_pnl_quote', [[{ venue: 'alpha' }, 12], [{ venue: 'bravo' }, -2]]);
  f('ballast_fees_quote_total', [[{ venue: 'alpha' }, 3], [{ venue: 'bravo' }, 1]]);
  f('ballast_pnl_quote', [[{ venue: 'alpha' }, 20], [{ venue: 'bravo' }, -5]]);
  f('ballast_pool_impermanent_loss_quote', [[{ venue: 'uniswap' }, -7.5]]);
  f('ballast_pool_fees_quote', [[{ venue: 'uniswap' }, 4.25]]);
  f('ballast_fills_total', [[{ venue: 'alpha' }, 9]]);
  return m.text();
}

async function inputs(): Promise<DashboardInputs> {
  const worker = new BallastMetrics(new Registry());
  worker.count('ballast_transfers_total', { outcome: 'completed' }, 3);
  worker.count('ballast_price_action_executions_total', { kind: 'buyback' });
  const coordinator = initialCoordinatorState();
  coordinator.modes.bravo = { mode: 'paused', reason: 'venue unhealthy', requestedBy: 'policy', seq: 4 };
  coordinator.policy = {
    seq: 3,
    nextActionId: 3,
    raised: { 'bravo|VENUE_UNHEALTHY': { venueId: 'bravo', kind: 'VENUE_UNHEALTHY', value: 31, sinceSeq: 2, sinceMs: NOW - 60_000, actedBy: 'd2' } },
    actions: [
      { id: 'd1', kind: 'rebalance', key: 'rebalance', startedAt: NOW - 3_600_000, reservedUsd: '1000', status: 'completed', finishedAt: NOW - 3_000_000, movedUsd: '900' },
      { id: 'd2', kind: 'venueRisk', key: 'venueRisk:bravo', startedAt: NOW - 50_000, reservedUsd: '0', status: 'running' },
    ],
    lastStartedAt: {},
    compliance: [],
    outcomes: [],
    counters: { events: 3, started: 2, skipped: 0, finished: 1, failed: 0 },
  };
  return {
    now: NOW,
    quoting: parsePromText(await quotingText()),
    worker: parsePromText(await worker.text()),
    volume24h: { alpha: 450_000, bravo: null },
    coordinator,
    workflows: [{ type: 'venueRisk', workflowId: 'coordinator:BLST:d2', runId: 'r-1', status: 'RUNNING', startTime: new Date(NOW - 50_000).toISOString(), uiUrl: workflowUiUrl(ctx.temporalUiUrl, 'default', 'coordinator:BLST:d2', 'r-1') }],
    wallets: { '0x70997970c51812dc3a010c7d01b50e0d17dc79c8': { base: '125000.5', quote: '3000' } },
    inFlight: [{ workflowId: 'fund-transfer:t1', asset: 'BLST', amount: '1000.5', amountUsd: '500.25', from: 'alpha', to: 'venue:bravo', at: NOW - 5_000 }],
    sources,
  };
}

describe('assembleSnapshot', () => {
  it('per venue, the pool included: depth vs requirement, our share, spread vs max, volume vs min, health, feed age, gap to fair value', async () => {
    const s = OperatorSnapshotSchema.parse(assembleSnapshot(7, await inputs(), ctx));
    expect(s.seq).toBe(7);
    expect(s.at).toBe('2026-12-03T10:00:00.000Z');
    expect(s.venues.map((v) => [v.id, v.kind])).toEqual([['alpha', 'cex'], ['bravo', 'cex'], ['charlie', 'cex'], ['uniswap', 'amm']]);
    const alpha = s.venues[0]!;
    expect(alpha.depth.map((d) => d.band)).toEqual(['1', '2', '5']);
    expect(alpha.depth[1]).toEqual({ band: '2', bidQuote: 30_000, askQuote: 10_000, requiredQuote: 20_000, ownBidQuote: 6_000, ownAskQuote: 4_000, shareRatio: 0.25 });
    expect(alpha.depth[0]).toEqual({ band: '1', bidQuote: 12_000, askQuote: null, requiredQuote: null, ownBidQuote: null, ownAskQuote: null, shareRatio: null });
    expect(alpha.spread).toEqual({ ratio: 0.004, maxRatio: 0.01 });
    expect(alpha.volume24h).toEqual({ quote: 450_000, minQuote: 100_000 });
    expect(alpha.mid).toBe(0.501);
    expect(alpha.gapToFairRatio).toBeCloseTo(0.002, 12);
    expect(alpha).toMatchObject({ healthy: true, feedAgeSeconds: 0.4, mode: 'normal', killSwitch: { tripped: false, reasons: [] } });
    expect(alpha.compliance).toEqual({ ok: true, uptime24h: null, uptime7d: null, spreadUptime24h: null, depthUptime24h: null, breaches: null });
    expect(alpha.activity.fills).toBe(9);
    const bravo = s.venues[1]!;
    expect(bravo).toMatchObject({ healthy: false, feedAgeSeconds: 31, mode: 'paused', modeReason: 'venue unhealthy', killSwitch: { tripped: true, reasons: ['stale-data'] } });
    expect(bravo.compliance.ok).toBe(false);
    // charlie: nothing published; nulls, not zeros. Its max spread still comes from the config.
    const charlie = s.venues[2]!;
    expect(charlie).toMatchObject({ healthy: null, feedAgeSeconds: null, mid: null, gapToFairRatio: null, mode: null, spread: { ratio: null, maxRatio: 0.02 } });
    const pool = s.venues[3]!;
    expect(pool.depth[1]).toMatchObject({ bidQuote: 40_000, ownBidQuote: 10_000, shareRatio: 0.25 });
    expect(s.fairValue).toBe(0.5);
    expect(s.gaps).toContainEqual({ a: 'alpha', b: 'bravo', gapRatio: expect.closeTo(0.004, 12) as number });
    expect(s.gaps).toHaveLength(3);
  });

  it('inventory, PnL split, kill switch, modes, imbalances, decisions and workflows with Web UI links', async () => {
    const s = assembleSnapshot(1, await inputs(), ctx);
    expect(s.inventory.venues.find((v) => v.id === 'alpha')).toEqual({ id: 'alpha', base: 1000, quote: 500, valueQuote: 1000 });
    expect(s.inventory.venues.find((v) => v.id === 'uniswap')).toEqual({ id: 'uniswap', base: null, quote: null, valueQuote: 25_000 });
    expect(s.inventory.inFlight).toEqual([
      { workflowId: 'fund-transfer:t1', asset: 'BLST', amount: '1000.5', amountUsd: '500.25', from: 'alpha', to: 'venue:bravo', since: new Date(NOW - 5_000).toISOString(), uiUrl: 'http://127.0.0.1:8233/namespaces/default/workflows/fund-transfer%3At1' },
    ]);
    expect(s.inventory.wallets.map((w) => w.label)).toEqual(['cold-wallet', 'alpha-deposit', 'bravo-deposit', 'charlie-deposit']);
    // Balances by address whatever its case; a wallet not read stays null.
    expect(s.inventory.wallets[1]).toEqual({ label: 'alpha-deposit', chain: 'evm-local', address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', base: '125000.5', quote: '3000' });
    expect(s.inventory.wallets[0]).toMatchObject({ base: null, quote: null });
    expect(s.pnl).toEqual({ realizedQuote: 10, spreadCaptureQuote: 14, inventoryQuote: 5, feesQuote: 4, impermanentLossQuote: -7.5, markToMarketQuote: 15, poolFeesQuote: 4.25 });
    expect(s.killSwitch).toEqual({ anyTripped: true, trips: [{ venue: 'bravo', reason: 'stale-data', count: 2 }] });
    expect(s.modesKnown).toBe(true);
    expect(s.imbalances).toEqual([{ venueId: 'bravo', kind: 'VENUE_UNHEALTHY', value: 31, since: new Date(NOW - 60_000).toISOString(), actedBy: 'd2' }]);
    expect(s.decisions!.map((d) => [d.id, d.status, d.workflowId])).toEqual([['d2', 'running', 'coordinator:BLST:d2'], ['d1', 'completed', 'coordinator:BLST:d1']]);
    expect(s.decisions![0]!.uiUrl).toBe('http://127.0.0.1:8233/namespaces/default/workflows/coordinator%3ABLST%3Ad2');
    expect(s.workflows![0]!.uiUrl).toBe('http://127.0.0.1:8233/namespaces/default/workflows/coordinator%3ABLST%3Ad2/r-1/history');
    expect(s.counters).toEqual({ transfers: { completed: 3 }, priceActionExecutions: { buyback: 1 } });
    expect(s.coordinator).toEqual({ workflowId: 'coordinator:BLST', uiUrl: 'http://127.0.0.1:8233/namespaces/default/workflows/coordinator%3ABLST' });
  });

  it('a source that is down leaves nulls (and says so), never a made-up figure', () => {
    const down: SourceStatus = { ok: false, configured: true, lastOkAt: null, error: 'connect ECONNREFUSED' };
    const s = OperatorSnapshotSchema.parse(assembleSnapshot(1, { now: NOW, sources: { ...sources, quotingMetrics: down, coordinator: down, ledger: down, visibility: down } }, ctx));
    expect(s.fairValue).toBeNull();
    expect(s.venues.every((v) => v.mid === null && v.healthy === null && v.depth.every((d) => d.bidQuote === null && d.shareRatio === null))).toBe(true);
    expect(s.pnl).toEqual({ realizedQuote: null, spreadCaptureQuote: null, inventoryQuote: null, feesQuote: null, impermanentLossQuote: null, markToMarketQuote: null, poolFeesQuote: null });
    expect([s.imbalances, s.decisions, s.workflows, s.inventory.inFlight, s.modesKnown, s.killSwitch.anyTripped]).toEqual([null, null, null, null, null, null]);
    expect(s.sources.quotingMetrics).toEqual(down);
    // No coordinator yet (null state) is an answer: no imbalances, no decisions.
    const none = assembleSnapshot(2, { now: NOW, coordinator: null, sources }, ctx);
    expect([none.imbalances, none.decisions]).toEqual([[], []]);
  });
});

describe('issuerView', () => {
  it('keeps the market-quality figures and drops inventory, PnL, wallets, decisions, workflows, modes and kill switch', async () => {
    const op = assembleSnapshot(3, await inputs(), ctx);
    const is = IssuerSnapshotSchema.parse(issuerView(op));
    expect(Object.keys(is).sort()).toEqual(['asset', 'at', 'fairValue', 'gaps', 'seq', 'sources', 'venues', 'view']);
    expect(Object.keys(is.sources).sort()).toEqual(['compliance', 'market', 'quotingMetrics']);
    expect(is.view).toBe('issuer');
    expect(Object.keys(is.venues[0]!).sort()).toEqual(Object.keys(MarketVenueSchema.shape).sort());
    expect(is.venues).toEqual(op.venues.map((v) => ({ id: v.id, kind: v.kind, market: v.market, healthy: v.healthy, feedAgeSeconds: v.feedAgeSeconds, mid: v.mid, gapToFairRatio: v.gapToFairRatio, spread: v.spread, depth: v.depth, volume24h: v.volume24h, compliance: v.compliance })));
    const json = JSON.stringify(is);
    for (const word of ['inventory', 'wallet', 'pnl', 'decision', 'workflow', 'killSwitch', 'mode', 'coordinator', 'temporalUiUrl', 'inFlight', 'fund-transfer', '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266']) {
      expect(json).not.toContain(word);
    }
  });
});
