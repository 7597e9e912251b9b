// SimDurablePlane in virtual time: the coordinator policy's decisions carried out on three simulated
// exchanges over a TransferNetwork — a drift → a rebalance whose withdrawals land with the exchanges'
// real processing delay, network delay, confirmations and fees; VENUE_UNHEALTHY → venueRisk: paused,
// orders cancelled, balances evacuated in cap-sized chunks, resumed once healthy.
// Round numbers so the figures can be checked by hand: latency 10 ms each way, network inclusion 1 s,
// processing 30 s, 3 confirmations of 12 s; fees 2 BLST / 1 USDT per withdrawal; BLST at 0.50.
import { loadConfig, parseConfig } from '../../config/load';
import { D } from '../../domain/money';
import { mulberry32 } from '../../domain/rng';
import type { ImbalanceEvent } from '../../domain/quoting/imbalance';
import { VirtualClock } from '../../hotpath/clocks';
import { StaticModeSource } from '../../hotpath/mode-source';
import { SimDurablePlane, type SimDurablePlaneOptions } from '../../sim/backtest/sim-executor';
import { presetExchangeConfig } from '../../sim/exchange/exchange-presets';
import { SimExchange } from '../../sim/exchange/sim-exchange';
import { TransferNetwork } from '../../sim/exchange/transfer-network';

const ACCOUNT = 'ballast';
const START = 1_764_000_000_000;
const WITHDRAWALS = { fees: { BLST: '2', USDT: '1' }, minConfirmations: 3, blockTimeMs: 12_000, processingDelayMs: 30_000 };
/** processing + network inclusion + 3 confirmations: a withdrawal's own time from acceptance to landing. */
const TRANSFER_MS = 30_000 + 1_000 + 3 * 12_000;

function world(funding: Record<string, { BLST?: string; USDT?: string }>, opts: Partial<SimDurablePlaneOptions> = {}, treasury?: Record<string, unknown>) {
  const clock = new VirtualClock(START);
  const network = new TransferNetwork({ delayMs: { min: 1_000, max: 1_000 } }, { clock, rng: mulberry32(1) });
  const exchanges: Record<string, SimExchange> = {};
  ['alpha', 'bravo', 'charlie'].forEach((id, i) => {
    const ex = new SimExchange(presetExchangeConfig(id, { latencyMs: { min: 10, max: 10 }, withdrawals: WITHDRAWALS }), { clock, rng: mulberry32(10 + i), network });
    for (const [asset, amount] of Object.entries(funding[id] ?? {})) ex.fund(ACCOUNT, asset, amount);
    // Someone else's ask at 0.50: the price the transfer policy values BLST at.
    ex.fund('bg', 'BLST', '1000');
    ex.engine.placeOrder({ account: 'bg', side: 'sell', type: 'limit', price: '0.5', amount: '1000', postOnly: true });
    exchanges[id] = ex;
  });
  const demo = loadConfig();
  const config = treasury ? parseConfig({ ...JSON.parse(JSON.stringify(demo)), treasury: { ...demo.treasury, ...treasury } }) : demo;
  const modes = new StaticModeSource();
  const plane = new SimDurablePlane({ clock, exchanges, network, modes, account: ACCOUNT, config, ...opts });
  const total = (id: string, asset: string) => {
    const b = exchanges[id]!.engine.balances(ACCOUNT).find((x) => x.asset === asset);
    return new D(b?.free ?? 0).plus(b?.locked ?? 0).toFixed();
  };
  const ev = (type: 'raised' | 'cleared', venueId: string, kind: ImbalanceEvent['kind'], value = 1): ImbalanceEvent => ({ type, venueId, kind, value, at: clock.now() });
  return { clock, network, exchanges, modes, plane, config, total, ev };
}

describe('SimDurablePlane', () => {
  it('a sustained drift → after the hysteresis, a rebalance whose transfers land with their real delay and fee', async () => {
    const w = world({ alpha: { BLST: '90000' }, bravo: { BLST: '30000' }, charlie: { BLST: '30000' } });
    w.plane.onImbalance(w.ev('raised', 'alpha', 'INVENTORY_DRIFT', 80));
    // Default hysteresis: 30 s. Nothing is decided before it.
    await w.clock.runUntilAsync(START + 29_999);
    expect(w.plane.timeline()).toEqual([]);
    expect(w.plane.skipped().map((s) => s.code)).toEqual(['HYSTERESIS']);
    await w.clock.runUntilAsync(START + 30_000);
    const [started] = w.plane.timeline();
    expect(started).toMatchObject({ kind: 'rebalance', startedAt: START + 30_000, status: 'running', triggers: [{ venueId: 'alpha', kind: 'INVENTORY_DRIFT', value: 80, raisedAt: START }] });
    expect(started!.decidedOn).toBeUndefined(); // the policy's timer decided, not an event

    // Another venue drifts while the rebalance runs: it waits for the rebalance's end (no timer while
    // it runs), then the cooldown holds it.
    await w.clock.runUntilAsync(START + 40_000);
    w.plane.onImbalance(w.ev('raised', 'bravo', 'INVENTORY_DRIFT', 30));
    await w.clock.runUntilAsync(START + 10 * 60_000);
    const [rb] = w.plane.timeline();
    expect(rb!.status).toBe('completed');
    // 150 000 BLST over three venues in equal shares (0.333333, 0.333333, 0.333334): alpha sends its surplus.
    expect(rb!.transfers.map((t) => [t.from, t.to, t.amount, t.fee, t.status]).sort()).toEqual([
      ['alpha', 'venue:bravo', '19999.95', '2', 'completed'],
      ['alpha', 'venue:charlie', '20000.1', '2', 'completed'],
    ]);
    for (const t of rb!.transfers) {
      // From acceptance to credit: the exchange's processing, the network, three confirmations, and
      // the poll (every 1 s) that notices the credit — nothing shorter, never much longer.
      const took = t.landedAt! - t.withdrawnAt!;
      expect(took).toBeGreaterThanOrEqual(TRANSFER_MS);
      expect(took).toBeLessThanOrEqual(TRANSFER_MS + 1_100);
      expect(t.amountUsd).toBe(new D(t.amount).times('0.5').toFixed());
    }
    expect([w.total('alpha', 'BLST'), w.total('bravo', 'BLST'), w.total('charlie', 'BLST')]).toEqual(['49995.95', '49999.95', '50000.1']);
    expect(w.exchanges.alpha!.feesCollected('BLST')).toBe('4');
    expect(w.plane.stats()).toMatchObject({ decisions: { rebalance: 1, venueRisk: 0 }, transfers: { made: 2, completed: 2, failed: 0, moved: { BLST: '40000.05' } }, feesPaid: { BLST: '4' }, feesPaidUsd: '2' });
    expect(w.plane.skipped().map((s) => [s.code, s.venueId, s.at - START])).toEqual([
      ['HYSTERESIS', 'alpha', 0],
      ['HYSTERESIS', 'bravo', 40_000],
      ['COOLDOWN', 'bravo', rb!.finishedAt! - START],
    ]);
    // The policy saw the child end; bravo's drift waits for the cooldown on a timer, not in a busy loop.
    expect(w.plane.policyState().actions.map((a) => [a.kind, a.status, a.movedUsd])).toEqual([['rebalance', 'completed', '20000.025']]);
    expect(rb!.movedUsd).toBe('20000.025');
    expect(w.clock.pending()).toBeLessThan(5);

    w.plane.onImbalance(w.ev('cleared', 'alpha', 'INVENTORY_DRIFT', 5));
    expect(w.plane.timeline()[0]!.clearedAt).toBe(w.clock.now());
    expect(w.plane.timeline()[0]!.summary).toMatch(/^rebalance: .*fees 4; completed after \d+ s$/);
  });

  it('VENUE_UNHEALTHY → paused at once, orders cancelled, balances evacuated in cap-sized chunks, resumed once healthy', async () => {
    // Per-transfer cap 6 000 USD: 12 000 BLST or 6 000 USDT a chunk; above 5 000 USD a chunk needs approval.
    const w = world({ charlie: { BLST: '30000', USDT: '10000' } }, { policy: { perKind: { VENUE_UNHEALTHY: { minRaisedMs: 0 } } }, resumeAfterHealthyMs: 5 * 60_000 }, { caps: { perTransferUsd: '6000', dailyUsd: '1000000' }, approvalThresholdUsd: '5000' });
    const charlie = w.exchanges.charlie!;
    for (const price of ['0.4', '0.45']) charlie.engine.placeOrder({ account: ACCOUNT, side: 'buy', type: 'limit', price, amount: '1000', postOnly: true });
    expect(charlie.engine.openOrders(ACCOUNT)).toHaveLength(2);

    w.plane.onImbalance(w.ev('raised', 'charlie', 'VENUE_UNHEALTHY'));
    expect(w.modes.current('charlie')).toBe('paused');
    expect(w.modes.current('alpha')).toBe('normal');
    await w.clock.runUntilAsync(START + 5 * 60_000);
    const [risk] = w.plane.timeline();
    expect(risk).toMatchObject({ kind: 'venueRisk', venue: 'charlie', status: 'running', phase: 'awaiting-resume', canceledOrders: 2, blocked: [] });
    expect(charlie.engine.openOrders(ACCOUNT)).toEqual([]);
    // The fee comes on top of each chunk: 30 000 BLST = 12 000 + 2 + 12 000 + 2 + 5 994 + 2.
    expect(risk!.transfers.map((t) => [t.asset, t.amount, t.to, t.status])).toEqual([
      ['BLST', '12000', 'wallet:cold-wallet', 'completed'],
      ['BLST', '12000', 'wallet:cold-wallet', 'completed'],
      ['BLST', '5994', 'wallet:cold-wallet', 'completed'],
      ['USDT', '6000', 'wallet:cold-wallet', 'completed'],
      ['USDT', '3998', 'wallet:cold-wallet', 'completed'],
    ]);
    expect(risk!.transfers.map((t) => t.needsApproval)).toEqual([true, true, false, true, false]);
    const safe = w.config.treasury.safeWallet;
    expect([w.network.externalBalance(safe, 'BLST'), w.network.externalBalance(safe, 'USDT')]).toEqual(['29994', '9998']);
    expect([w.total('charlie', 'BLST'), w.total('charlie', 'USDT')]).toEqual(['0', '0']);

    // Still unhealthy: no resume. Healthy again at T: resumed at T + 5 min, and only then reported.
    await w.clock.runUntilAsync(START + 20 * 60_000);
    expect(w.modes.current('charlie')).toBe('paused');
    w.plane.onImbalance(w.ev('cleared', 'charlie', 'VENUE_UNHEALTHY', 0));
    const healthyAt = w.clock.now();
    await w.clock.runUntilAsync(healthyAt + 5 * 60_000 - 1);
    expect(w.modes.current('charlie')).toBe('paused');
    await w.clock.runUntilAsync(healthyAt + 5 * 60_000);
    expect(w.modes.current('charlie')).toBe('normal');
    const [done] = w.plane.timeline();
    expect(done).toMatchObject({ status: 'completed', phase: 'resumed', resumedAt: healthyAt + 5 * 60_000, finishedAt: healthyAt + 5 * 60_000, clearedAt: healthyAt });
    expect(w.plane.modeChanges().map((m) => [m.venue, m.mode])).toEqual([
      ['charlie', 'paused'],
      ['charlie', 'normal'],
    ]);
    expect(w.plane.stats()).toMatchObject({ decisions: { venueRisk: 1 }, finished: { completed: 1 }, transfers: { made: 5, completed: 5 }, feesPaid: { BLST: '6', USDT: '2' } });
  });

  it('a withdrawal the exchange refuses (withdrawals suspended) fails the evacuation chunk, moves nothing, and the venue is still resumed', async () => {
    const w = world({ bravo: { USDT: '1000' } }, { policy: { perKind: { VENUE_UNHEALTHY: { minRaisedMs: 0 } } }, resumeAfterHealthyMs: 60_000 });
    w.exchanges.bravo!.faults.enable({ kind: 'withdrawalsSuspended' });
    w.plane.onImbalance(w.ev('raised', 'bravo', 'VENUE_UNHEALTHY'));
    await w.clock.runUntilAsync(START + 60_000);
    w.plane.onImbalance(w.ev('cleared', 'bravo', 'VENUE_UNHEALTHY', 0));
    await w.clock.runUntilAsync(START + 3 * 60_000);
    const [risk] = w.plane.timeline();
    expect(risk!.transfers.map((t) => [t.asset, t.amount, t.status])).toEqual([['USDT', '999', 'failed']]);
    expect(risk!.transfers[0]!.error).toMatch(/suspended/);
    expect(w.total('bravo', 'USDT')).toBe('1000');
    expect(risk).toMatchObject({ status: 'completed', phase: 'resumed' });
    expect(w.modes.current('bravo')).toBe('normal');
    expect(w.plane.stats().transfers).toMatchObject({ made: 0, failed: 1 });
  });

  it('a venue down through the first minutes: venueRisk keeps trying (as live, up to 6 h), then cancels and evacuates once it answers', async () => {
    const w = world({ alpha: { USDT: '5000' } }, { policy: { perKind: { VENUE_UNHEALTHY: { minRaisedMs: 0 } } }, resumeAfterHealthyMs: 60_000 });
    const alpha = w.exchanges.alpha!;
    alpha.engine.placeOrder({ account: ACCOUNT, side: 'buy', type: 'limit', price: '0.4', amount: '100', postOnly: true });
    alpha.faults.enable({ kind: 'outage' }, { durationMs: 5 * 60_000 });
    w.plane.onImbalance(w.ev('raised', 'alpha', 'VENUE_UNHEALTHY'));
    await w.clock.runUntilAsync(START + 4 * 60_000);
    // The usual 8 attempts (~45 s) would have failed it by now; it is still cancelling.
    expect(w.plane.timeline()[0]).toMatchObject({ status: 'running', phase: 'canceling' });
    expect(alpha.engine.openOrders(ACCOUNT)).toHaveLength(1);
    w.plane.onImbalance(w.ev('cleared', 'alpha', 'VENUE_UNHEALTHY', 0));
    await w.clock.runUntilAsync(START + 15 * 60_000);
    const [risk] = w.plane.timeline();
    expect(risk).toMatchObject({ status: 'completed', phase: 'resumed', canceledOrders: 1 });
    expect(risk!.transfers.map((t) => [t.asset, t.amount, t.status])).toEqual([['USDT', '4999', 'completed']]);
    expect(w.modes.current('alpha')).toBe('normal');
  });
});
