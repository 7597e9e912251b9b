// One imbalance sequence, two executors, the same decisions: the real liquidityCoordinator on the dev
// server and the backtest's SimDurablePlane (sim/backtest/sim-executor.ts) on simulated exchanges.
// The workflow keeps workflow time and the plane a VirtualClock; the script is played on both at the
// same offsets (real time for the workflow, virtual for the plane), with every hysteresis window and
// every gap at least 2 s wide, so scheduling noise on a busy machine cannot move a decision.
// The workflow's children are started but never run an activity (this worker registers none): what
// the plane's children report when they end is mirrored to the workflow as their `policyChildFinished`
// signal — the decisions are compared, not the executors.
import type { Worker } from '@temporalio/worker';
import { D } from '../../domain/money';
import { mulberry32 } from '../../domain/rng';
import type { ImbalanceEvent } from '../../domain/quoting/imbalance';
import type { PolicyState } from '../../domain/treasury/coordinator-policy';
import { VirtualClock } from '../../hotpath/clocks';
import { StaticModeSource } from '../../hotpath/mode-source';
import { SimDurablePlane } from '../../sim/backtest/sim-executor';
import { presetExchangeConfig } from '../../sim/exchange/exchange-presets';
import { SimExchange } from '../../sim/exchange/sim-exchange';
import { TransferNetwork } from '../../sim/exchange/transfer-network';
import { coordinatorWorkflowId, imbalanceSignal, liquidityCoordinator, modesQuery, policyChildFinishedSignal, stateQuery } from '../../workflows/liquidity-coordinator.workflow';
import { createTestWorker, maybeExportHistory, openTestEnv, testConfig, uniqueId, type TestEnv } from './helpers';

jest.setTimeout(180_000);

let env: TestEnv;
beforeAll(async () => {
  env = await openTestEnv();
});
afterAll(async () => env?.close());

// Hysteresis 4 s (VENUE_UNHEALTHY acts at once), cooldowns far beyond the script.
// Price action off: this script compares the rebalance / venueRisk decisions (price action has its own tests).
const POLICY = { minRaisedMs: 4_000, perKind: { VENUE_UNHEALTHY: { minRaisedMs: 0 } }, cooldownMs: { rebalance: 600_000, venueRisk: 600_000 }, priceAction: { enabled: false } };
const RESUME_AFTER_HEALTHY_MS = 2_000;

type Step = { at: number; type: ImbalanceEvent['type']; venueId: string; kind: ImbalanceEvent['kind']; value: number };
const SCRIPT: Step[] = [
  { at: 0, type: 'raised', venueId: 'alpha', kind: 'INVENTORY_DRIFT', value: 30 }, // HYSTERESIS…
  { at: 1_000, type: 'cleared', venueId: 'alpha', kind: 'INVENTORY_DRIFT', value: 5 }, // …and gone: a flap never acts
  { at: 2_000, type: 'raised', venueId: 'bravo', kind: 'ONE_SIDED_SELLING', value: 0.9 }, // ready at 6 s, but…
  { at: 3_000, type: 'raised', venueId: 'charlie', kind: 'VENUE_UNHEALTHY', value: 1 }, // …venueRisk charlie starts at once
  { at: 8_000, type: 'cleared', venueId: 'charlie', kind: 'VENUE_UNHEALTHY', value: 0 }, // resumed at 10 s → the rebalance starts
  { at: 15_000, type: 'raised', venueId: 'alpha', kind: 'INVENTORY_DRIFT', value: 40 }, // held by the rebalance's cooldown (no timer before it ends)…
  { at: 20_000, type: 'raised', venueId: 'bravo', kind: 'VENUE_UNHEALTHY', value: 1 }, // venueRisk bravo (…and the drift: VENUE_RISK_RUNNING)
  { at: 21_000, type: 'raised', venueId: 'charlie', kind: 'VENUE_UNHEALTHY', value: 1 }, // venueRisk charlie: COOLDOWN
];
const END_AT = 23_000;

/** Three fast simulated exchanges (a transfer lands in about a second); the asset only on alpha. */
function simWorld(asset: string, startMs: number, config: ReturnType<typeof testConfig>) {
  const clock = new VirtualClock(startMs);
  const network = new TransferNetwork({ delayMs: { min: 300, max: 300 } }, { clock, rng: mulberry32(3) });
  const withdrawals = { fees: { [asset]: '2', USDT: '1' }, minConfirmations: 1, blockTimeMs: 500, processingDelayMs: 200 };
  const exchanges: Record<string, SimExchange> = {};
  ['alpha', 'bravo', 'charlie'].forEach((id, i) => {
    exchanges[id] = new SimExchange(presetExchangeConfig(id, { latencyMs: { min: 10, max: 10 }, withdrawals }), { clock, rng: mulberry32(20 + i), network });
    exchanges[id].fund('bg', 'BLST', '1000');
    exchanges[id].engine.placeOrder({ account: 'bg', side: 'sell', type: 'limit', price: '0.5', amount: '1000', postOnly: true });
  });
  // The coordinator is per asset and its id must be new on a shared server: the asset is a fresh symbol,
  // held like BLST (priced at the book's 0.50 ask).
  exchanges.alpha!.fund('ballast', asset, '3000');
  const plane = new SimDurablePlane({ clock, exchanges, network, modes: new StaticModeSource(), account: 'ballast', config, policy: { ...POLICY, asset }, resumeAfterHealthyMs: RESUME_AFTER_HEALTHY_MS });
  return { clock, plane, exchanges };
}

/** The policy state without its clock readings (workflow time vs virtual time). */
const comparable = (p: PolicyState) => ({
  seq: p.seq,
  nextActionId: p.nextActionId,
  counters: p.counters,
  actions: p.actions.map((a) => ({ id: a.id, kind: a.kind, key: a.key, status: a.status, reservedUsd: a.reservedUsd, movedUsd: a.movedUsd ?? null })),
  raised: Object.fromEntries(Object.entries(p.raised).map(([k, r]) => [k, { venueId: r.venueId, kind: r.kind, value: r.value, sinceSeq: r.sinceSeq, actedBy: r.actedBy ?? null }])),
  outcomes: p.outcomes.map((o) => ({ id: o.id, status: o.status })),
});

describe('closed loop: the same imbalance sequence gives the same decisions', () => {
  let worker: Worker;
  it('live liquidityCoordinator and the backtest executor agree (starts, skips, triggers, order)', async () => {
    const config = testConfig();
    // No activities: the children start (that is the decision) but never act.
    worker = await createTestWorker(env, config, { activities: {} });
    const asset = `EQ${uniqueId('x').slice(2, 10).toUpperCase()}`;
    const wfId = coordinatorWorkflowId(asset);
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(liquidityCoordinator, { workflowId: wfId, taskQueue: config.temporal.taskQueue, args: [{ asset, policy: POLICY }] });
      const t0 = Date.now();
      const sim = simWorld(asset, t0, config);
      const mirrored = new Set<string>();
      const mirror = async () => {
        for (const r of sim.plane.timeline()) {
          if (r.status === 'running' || mirrored.has(r.id)) continue;
          mirrored.add(r.id);
          await handle.signal(policyChildFinishedSignal, { id: r.id, status: r.status, ...(r.message ? { message: r.message } : {}), ...(r.movedUsd ? { movedUsd: r.movedUsd } : {}) });
        }
      };
      let next = 0;
      for (;;) {
        const elapsed = Date.now() - t0;
        const step = SCRIPT[next];
        const target = Math.min(elapsed, step ? step.at : END_AT);
        if (t0 + target > sim.clock.now()) await sim.clock.runUntilAsync(t0 + target);
        await mirror();
        if (step && elapsed >= step.at) {
          const event: ImbalanceEvent = { type: step.type, venueId: step.venueId, kind: step.kind, value: step.value, at: t0 + step.at };
          await handle.signal(imbalanceSignal, event);
          sim.plane.onImbalance({ ...event, at: sim.clock.now() });
          next += 1;
          continue;
        }
        if (!step && elapsed >= END_AT) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      // Every signal was accepted before its `await` returned; let the workflow handle the last ones.
      let live = (await handle.query(stateQuery)).policy!;
      for (let i = 0; i < 100 && live.counters.events < SCRIPT.length; i++) {
        await new Promise((r) => setTimeout(r, 100));
        live = (await handle.query(stateQuery)).policy!;
      }
      const simState = sim.plane.policyState();

      // What both should have decided, spelled out (so two identical wrong answers fail too).
      expect(simState.actions.map((x) => [x.id, x.status])).toEqual([
        [`venueRisk:${asset}:charlie:1`, 'completed'],
        [`rebalance:${asset}:2`, 'completed'],
        [`venueRisk:${asset}:bravo:3`, 'running'],
      ]);
      const tl = sim.plane.timeline();
      expect(tl.map((r) => [r.kind, r.venue ?? '-', r.triggers.map((t) => `${t.kind}@${t.venueId}`).join(',')])).toEqual([
        ['venueRisk', 'charlie', 'VENUE_UNHEALTHY@charlie'],
        ['rebalance', '-', 'ONE_SIDED_SELLING@bravo'],
        ['venueRisk', 'bravo', 'VENUE_UNHEALTHY@bravo'],
      ]);
      // The rebalance really moved BLST from alpha to the two others.
      expect(tl[1]!.transfers.map((t) => [t.from, t.to, t.status]).sort()).toEqual([
        ['alpha', 'venue:bravo', 'completed'],
        ['alpha', 'venue:charlie', 'completed'],
      ]);
      expect(new D(tl[1]!.transfers[0]!.amount).gt(900)).toBe(true);
      expect(sim.plane.skipped().map((s) => [s.at - t0, `${s.code}:${s.imbalance}@${s.venueId}`])).toEqual([
        [0, 'HYSTERESIS:INVENTORY_DRIFT@alpha'],
        [2_000, 'HYSTERESIS:ONE_SIDED_SELLING@bravo'],
        [3_000, 'HYSTERESIS:ONE_SIDED_SELLING@bravo'],
        [8_000, 'VENUE_RISK_RUNNING:ONE_SIDED_SELLING@bravo'],
        [15_000, 'HYSTERESIS:INVENTORY_DRIFT@alpha'],
        [20_000, 'VENUE_RISK_RUNNING:INVENTORY_DRIFT@alpha'],
        [21_000, 'COOLDOWN:VENUE_UNHEALTHY@charlie'],
        [21_000, 'VENUE_RISK_RUNNING:INVENTORY_DRIFT@alpha'],
      ]);
      // The rebalance started when venueRisk charlie reported (resumed 2 s after the venue was healthy).
      expect([tl[0]!.finishedAt! - t0, tl[1]!.startedAt - t0]).toEqual([8_000 + RESUME_AFTER_HEALTHY_MS, 8_000 + RESUME_AFTER_HEALTHY_MS]);
      expect(simState.raised['charlie|VENUE_UNHEALTHY']?.actedBy).toBeUndefined();

      // The live workflow decided exactly the same, skips counted the same, raises marked the same.
      expect(comparable(live)).toEqual(comparable(simState));
      // Its venueRisk children paused their venues through the coordinator, as the plane did in its mode source.
      const modes = await handle.query(modesQuery);
      expect([modes.charlie?.mode, modes.bravo?.mode]).toEqual(['paused', 'paused']);

      for (const x of live.actions) await env.client.workflow.getHandle(`${wfId}:${x.id}`).terminate('test done').catch(() => undefined);
      await handle.terminate('test done');
      // With the re-armed timer and the re-decision on a child's report (patched 'policy-rearm').
      await maybeExportHistory(env.client, wfId, 'liquidityCoordinator-policy-rearm');
    });
  });
});
