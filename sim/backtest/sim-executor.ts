// SimDurablePlane: the durable plane inside a backtest. Imbalance events from the hot path's
// ImbalanceMonitor go to the liquidityCoordinator's policy (domain/treasury/coordinator-policy.ts) exactly
// as the workflow feeds it (decideOnEvent on each event, decideOnTick when nextCheckAt's timer fires or a
// child reports back, noteChildFinished when a child ends); its decisions are carried out here with the
// simulated exchanges instead of child workflows — decide, then act; only the executor differs:
// - rebalance: the rebalance workflow's steps — a snapshot of balances, published fees and the ledger's
//   transfers in flight → rebalancePlanInput → planRebalance → one transfer per planned move
//   (sim-executor-transfers.ts: the fundTransfer steps, real withdrawals with the exchanges' delays and fees);
// - venueRisk: the venueRisk workflow's steps — mode `paused` in the engine's StaticModeSource, cancel
//   Ballast's open orders on the venue, planEvacuation (domain/treasury/evacuation-plan.ts) → cap-sized
//   withdrawals to the safe wallet, wait for the resume, mode `normal`, report;
// - buyback / liquidation (with price action enabled): the price-action workflow's steps with the shared
//   executor on the simulated exchanges and pool (sim-price-action.ts); the policy's `stop` reaches the
//   execution at its next step.
// Deviation from live: nobody signals `resume` in a backtest. The operator is modelled: the venue is
// resumed once it has been healthy (VENUE_UNHEALTHY cleared, not raised again) for `resumeAfterHealthyMs`
// and its evacuation has ended. If a venueRisk fails (e.g. its venue is down through every retry), live
// leaves the venue paused for an operator; here the same modelled operator resumes it.
// Time comes from the Clock only; the caller drives it (VirtualClock.runUntilAsync in a backtest).
import type { Clock } from '../../domain/clock';
import type { BallastConfig } from '../../domain/config.schema';
import { D, fmt, type Dec } from '../../domain/money';
import type { OperatingMode } from '../../domain/quoting/operating-mode';
import type { ImbalanceEvent } from '../../domain/quoting/imbalance';
import {
  PolicyParamsSchema,
  decideOnEvent,
  decideOnTick,
  initialPolicyState,
  nextCheckAt,
  noteChildFinished,
  type ChildOutcome,
  type Decision,
  type PolicyParams,
  type PolicyParamsInput,
  type PolicyResult,
  type PolicyState,
  type SkipCode,
  type Trigger,
} from '../../domain/treasury/coordinator-policy';
import { evacuable, planEvacuation, type EvacuationBalance } from '../../domain/treasury/evacuation-plan';
import { rebalancePlanInput, transfersInFlight } from '../../domain/treasury/rebalance-inputs';
import { planRebalance } from '../../domain/treasury/rebalance-planner';
import { isVenueError } from '../../venues/venue-errors';
import type { StaticModeSource } from '../../hotpath/mode-source';
import type { QuotingEngine } from '../../hotpath/quoting-engine';
import type { SimExchange } from '../exchange/sim-exchange';
import type { TransferNetwork } from '../exchange/transfer-network';
import type { AmmVenue } from '../market/amm-venue';
import { SimPriceAction, type PriceActionChecks, type SimExecutionParams } from './sim-price-action';
import { SimTransfers, VENUE_STEP_RETRY, retrying, type SimTransfer } from './sim-executor-transfers';
import { assignWhitelistedAddresses, decisionSummary, emptyStats, type DecisionRecord, type DurableStats, type SkipRecord } from './sim-executor-records';

export type { DecisionRecord, DurableStats, SkipRecord } from './sim-executor-records';

export interface SimDurablePlaneOptions {
  clock: Clock;
  exchanges: Record<string, SimExchange>;
  network: TransferNetwork;
  modes: StaticModeSource;
  /** When given, a venue whose mode changes quotes (or cancels) at once instead of on its next tick. */
  engine?: QuotingEngine;
  /** Ballast's account on every simulated exchange. */
  account: string;
  config: BallastConfig;
  /** The coordinator's policy parameters (the workflow input's `policy`); asset defaults to config.asset.symbol. */
  policy?: Partial<PolicyParamsInput>;
  /** The modelled operator's resume: healthy this long after a venueRisk. Default 10 min. */
  resumeAfterHealthyMs?: number;
  /** A transfer above the approval threshold waits this long for the (modelled) second person. Default 0. */
  approvalDelayMs?: number;
  /** How often a transfer in motion is looked at. Default 1 s. */
  pollMs?: number;
  /** A transfer not landed after this is booked to suspense. Default 45 min. */
  waitTimeoutMs?: number;
  /**
   * Assign each exchange's `<venue>-deposit` whitelist address as Ballast's deposit address, and name
   * the safe wallet on the network (what `npm start`'s market does). Default true.
   */
  assignAddresses?: boolean;
  /** Price action on: buybacks and liquidations executed (see enablePriceAction). */
  priceAction?: PriceActionSetup;
}

/** What a backtest turns price action on with: the policy's knobs (enabled implied) and where it trades. */
export interface PriceActionSetup {
  /** Coordinator policy overrides; `priceAction.enabled` is set. */
  policy?: Partial<PolicyParamsInput>;
  /** The scenario's AMM pool, where Ballast's wallet may swap (absent: CEX only). */
  pool?: AmmVenue;
  execution?: SimExecutionParams;
}

export class SimDurablePlane {
  private readonly clock: Clock;
  private params: PolicyParams;
  private priceAction?: SimPriceAction;
  private state: PolicyState = initialPolicyState();
  private cancelWake: (() => void) | undefined;
  private readonly records: DecisionRecord[] = [];
  private readonly skips: SkipRecord[] = [];
  private readonly skipCounts: Partial<Record<SkipCode, number>> = {};
  private readonly transfers: SimTransfers;
  /** Per venue: healthy since (ms), or undefined while VENUE_UNHEALTHY is raised. */
  private readonly healthySince = new Map<string, number | undefined>();
  private readonly resumeWaiters: { venue: string; resolve: () => void }[] = [];
  private readonly modeLog: { at: number; venue: string; mode: OperatingMode; reason: string }[] = [];
  private readonly resumeAfterHealthyMs: number;
  private events = 0;

  constructor(private readonly o: SimDurablePlaneOptions) {
    this.clock = o.clock;
    this.params = PolicyParamsSchema.parse({ ...(o.policy ?? {}), asset: o.policy?.asset ?? o.config.asset.symbol });
    this.resumeAfterHealthyMs = o.resumeAfterHealthyMs ?? 10 * 60_000;
    this.transfers = new SimTransfers({
      clock: o.clock,
      exchanges: o.exchanges,
      account: o.account,
      config: o.config,
      approvalDelayMs: o.approvalDelayMs ?? 0,
      pollMs: o.pollMs ?? 1_000,
      waitTimeoutMs: o.waitTimeoutMs ?? 45 * 60_000,
    });
    if (o.assignAddresses ?? true) assignWhitelistedAddresses(o.exchanges, o.network, o.account, o.config);
    if (o.priceAction) this.enablePriceAction(o.priceAction);
  }

  /** Turns price action on (before the first event): the policy maps selling to buybacks, and they run here. */
  enablePriceAction(x: PriceActionSetup): void {
    if (this.events > 0) throw new Error('enablePriceAction: call it before the first imbalance event');
    const base = { ...(this.o.policy ?? {}), ...(x.policy ?? {}) };
    this.params = PolicyParamsSchema.parse({ ...base, asset: base.asset ?? this.o.config.asset.symbol, priceAction: { ...(base.priceAction ?? {}), enabled: true } });
    this.priceAction?.stop();
    this.priceAction = new SimPriceAction({
      clock: this.clock,
      exchanges: this.o.exchanges,
      account: this.o.account,
      policy: this.params.priceAction,
      dailyUsd: this.o.config.priceAction.dailyUsd,
      ...(this.o.engine ? { market: this.o.engine.market } : {}),
      ...(x.pool ? { pool: x.pool } : {}),
      ...(x.execution ? { execution: x.execution } : {}),
    });
  }

  /** Self-trades and self-trade-prevention expiries over the run (undefined without price action). */
  priceActionChecks(): PriceActionChecks | undefined {
    return this.priceAction?.stats();
  }

  /** One event from the ImbalanceMonitor (its `signal` callback). Decides at once; acts asynchronously. */
  onImbalance(e: ImbalanceEvent): void {
    this.events += 1;
    const now = this.clock.now();
    if (e.kind === 'VENUE_UNHEALTHY') this.noteHealth(e, now);
    if (e.type === 'cleared') {
      for (const r of this.records) {
        const t = r.triggers.find((x) => x.venueId === e.venueId && x.kind === e.kind && x.clearedAt === undefined);
        if (!t) continue;
        t.clearedAt = now;
        if (r.clearedAt === undefined && r.triggers.every((x) => x.clearedAt !== undefined)) r.clearedAt = now;
      }
    }
    this.apply(decideOnEvent(this.state, e, now, this.params), [e]);
  }

  /** Every decision with its triggers, what it did, and when it and its imbalances ended (oldest first). */
  timeline(): DecisionRecord[] {
    return this.records.map((r) => JSON.parse(JSON.stringify({ ...r, transfers: this.transfersOf(r.id) })) as DecisionRecord);
  }

  /** Why raised imbalances did not act (the last 1000), oldest first. */
  skipped(): SkipRecord[] {
    return this.skips.map((s) => ({ ...s }));
  }

  /** The policy's own state, as the workflow's `state` query shows it (`policy`). */
  policyState(): PolicyState {
    return JSON.parse(JSON.stringify(this.state)) as PolicyState;
  }

  modeChanges(): { at: number; venue: string; mode: OperatingMode; reason: string }[] {
    return this.modeLog.map((m) => ({ ...m }));
  }

  stats(): DurableStats {
    const s = emptyStats();
    s.events = this.events;
    s.skipped = { ...this.skipCounts };
    for (const r of this.records) {
      s.decisions[r.kind] += 1;
      if (r.status !== 'running') s.finished[r.status] += 1;
    }
    const fees = new Map<string, Dec>();
    let feesUsd = new D(0);
    for (const t of this.transfers.all) {
      if (t.withdrawnAt !== undefined) s.transfers.made += 1;
      if (t.status === 'completed') s.transfers.completed += 1;
      if (t.status === 'failed' || t.status === 'suspense') s.transfers.failed += 1;
      if (t.status === 'completed') s.transfers.moved[t.asset] = fmt(new D(s.transfers.moved[t.asset] ?? 0).plus(t.amount));
      // A withdrawal the exchange failed and refunded carries fee 0; one stuck in suspense has paid it.
      if (t.fee !== undefined) fees.set(t.asset, (fees.get(t.asset) ?? new D(0)).plus(t.fee));
    }
    for (const e of this.transfers.ledger) if (e.kind === 'fee') feesUsd = feesUsd.plus(e.amountUsd ?? 0);
    s.feesPaid = Object.fromEntries([...fees].map(([a, x]) => [a, fmt(x)]));
    s.feesPaidUsd = fmt(feesUsd);
    s.modeChanges = this.modeLog.length;
    return s;
  }

  // ---- policy loop (what liquidityCoordinator does with its signals and timer) -----------------

  private apply(r: PolicyResult, events: ImbalanceEvent[]): void {
    this.state = r.state;
    const now = this.clock.now();
    for (const s of r.skipped) {
      this.skipCounts[s.code] = (this.skipCounts[s.code] ?? 0) + 1;
      this.skips.push({ at: now, ...s });
    }
    if (this.skips.length > 1000) this.skips.splice(0, this.skips.length - 1000);
    for (const d of r.start) this.start(d, events);
    for (const x of r.stop ?? []) {
      const rec = this.records.find((q) => q.id === x.id);
      if (rec && rec.stopRequestedAt === undefined) Object.assign(rec, { stopRequestedAt: now, stopRequest: x.reason });
      this.priceAction?.requestStop(x.id, x.reason);
    }
    this.rearm();
  }

  /** The workflow's timer: sleep until nextCheckAt, then decideOnTick. */
  private rearm(): void {
    this.cancelWake?.();
    this.cancelWake = undefined;
    const now = this.clock.now();
    const at = nextCheckAt(this.state, now, this.params, { waitForBlocks: true });
    if (at === undefined) return;
    this.cancelWake = this.clock.schedule(Math.max(1, at - now), () => {
      this.cancelWake = undefined;
      this.apply(decideOnTick(this.state, this.clock.now(), this.params), []);
    });
  }

  private start(d: Decision, events: ImbalanceEvent[]): void {
    const now = this.clock.now();
    const raisedAt = (t: Trigger) => this.state.raised[`${t.venueId}|${t.kind}`]?.sinceMs ?? now;
    const rec: DecisionRecord = {
      id: d.id,
      kind: d.kind,
      ...(d.kind === 'venueRisk' ? { venue: d.venue } : { maxUsd: d.maxUsd }),
      reason: d.reason,
      triggers: d.triggers.map((t) => ({ ...t, raisedAt: raisedAt(t) })),
      ...(events.length > 0 ? { decidedOn: events.map((e) => ({ ...e })) } : {}),
      startedAt: now,
      status: 'running',
      phase: 'starting',
      transfers: [],
    };
    this.records.push(rec);
    const work =
      d.kind === 'rebalance'
        ? this.rebalance(d, rec)
        : d.kind === 'venueRisk'
          ? this.venueRisk(d, rec)
          : this.priceAction
            ? this.runPriceAction(d, rec)
            : Promise.resolve<ChildOutcome>({ status: 'failed', message: `${d.kind} without price action enabled` });
    work.then(
      (outcome) => this.finish(d, rec, outcome),
      (e: unknown) => this.finish(d, rec, { status: 'failed', message: e instanceof Error ? e.message : String(e) }),
    );
  }

  /** The child's report back (policyChildFinished), then a re-decision for imbalances that waited on it. */
  private finish(d: Decision, rec: DecisionRecord, outcome: ChildOutcome): void {
    const now = this.clock.now();
    rec.status = outcome.status === 'completed' ? 'completed' : 'failed';
    rec.finishedAt = now;
    if (outcome.message !== undefined) rec.message = outcome.message;
    rec.summary = decisionSummary(rec, this.transfersOf(rec.id));
    this.state = noteChildFinished(this.state, d, outcome, now);
    this.apply(decideOnTick(this.state, now, this.params), []);
  }

  // ---- rebalance (workflows/rebalance.workflow.ts) ----------------------------------------------

  private async rebalance(d: Extract<Decision, { kind: 'rebalance' }>, rec: DecisionRecord): Promise<ChildOutcome> {
    const { account, config, clock } = this.o;
    rec.phase = 'planning';
    // The snapshot activity's venues: the configured transfer-capable ones (here: those simulated).
    const venues = config.venues.filter((v) => v.kind !== 'amm' && this.o.exchanges[v.id]).map((v) => v.id);
    const balances: { venue: string; amount: string }[] = [];
    const fees: Record<string, string> = {};
    for (const id of venues) {
      const ex = this.transfers.exchange(id);
      const b = (await retrying(clock, () => ex.fetchBalances(account))).find((x) => x.asset === d.asset);
      balances.push({ venue: id, amount: b ? fmt(new D(b.free).plus(b.locked)) : '0' });
      fees[id] = ex.withdrawalFee(d.asset) ?? '0';
    }
    const plan = planRebalance(rebalancePlanInput(d.asset, { balances, inFlight: transfersInFlight(this.transfers.ledger, d.asset), venues, fees }));
    rec.plan = { before: plan.before, targetAmounts: plan.targetAmounts, after: plan.after, totalFee: plan.totalFee, unmet: plan.unmet.length };
    rec.phase = 'transferring';
    const done = await Promise.all(
      plan.transfers.map((t, i) =>
        this.transfers.run({ id: `${d.id}:t${i}`, decisionId: d.id, asset: d.asset, amount: t.amount, from: t.from, to: { venue: t.to }, requester: 'rebalance:liquidityCoordinator' }),
      ),
    );
    rec.phase = 'done';
    const moved = done.filter((t) => t.status === 'completed');
    const movedUsd = fmt(moved.reduce((sum, t) => sum.plus(t.amountUsd ?? '0'), new D(0)));
    rec.movedUsd = movedUsd;
    return { status: moved.length === done.length ? 'completed' : 'failed', message: `${moved.length}/${done.length} transfers completed`, movedUsd };
  }

  // ---- buyback / liquidation (workflows/price-action.workflow.ts) --------------------------------

  private async runPriceAction(d: Extract<Decision, { kind: 'buyback' | 'liquidation' }>, rec: DecisionRecord): Promise<ChildOutcome> {
    rec.phase = 'executing';
    const r = await this.priceAction!.execute(d, (x) => {
      rec.priceAction = x;
    });
    rec.phase = 'done';
    rec.movedUsd = r.movedUsd;
    rec.filledBase = r.filledBase;
    return { status: 'completed', message: r.message, movedUsd: r.movedUsd, filledBase: r.filledBase };
  }

  // ---- venueRisk (workflows/venue-risk.workflow.ts) ---------------------------------------------

  private async venueRisk(d: Extract<Decision, { kind: 'venueRisk' }>, rec: DecisionRecord): Promise<ChildOutcome> {
    const { account, config, clock } = this.o;
    const ex = this.transfers.exchange(d.venue);
    this.setMode(d.venue, 'paused', `venueRisk: ${d.reason}`);
    try {
      rec.phase = 'canceling';
      rec.canceledOrders = await retrying(clock, async () => {
        let canceled = 0;
        for (const o of await ex.openOrders(account)) {
          try {
            await ex.cancelOrder(account, { orderId: o.orderId });
            canceled += 1;
          } catch (e) {
            // Already gone (filled or cancelled meanwhile) is the outcome we want.
            if (!isVenueError(e, 'VENUE.ORDER_NOT_FOUND')) throw e;
          }
        }
        return canceled;
      }, VENUE_STEP_RETRY);
      rec.phase = 'evacuating';
      const safe = config.treasury.whitelist.find((w) => w.address.toLowerCase() === config.treasury.safeWallet.toLowerCase());
      if (!safe) throw new Error(`treasury.safeWallet ${config.treasury.safeWallet} is not on the whitelist`);
      const rows: EvacuationBalance[] = [];
      for (const b of await retrying(clock, () => ex.fetchBalances(account), VENUE_STEP_RETRY)) {
        const row: EvacuationBalance = { asset: b.asset, free: b.free, fee: ex.withdrawalFee(b.asset) ?? '0' };
        if (evacuable(row)) row.priceUsd = await this.transfers.priceUsd(b.asset, d.venue);
        rows.push(row);
      }
      const plan = planEvacuation(rows, config.treasury.caps, this.transfers.usedTodayUsd());
      rec.blocked = plan.blocked;
      await Promise.all(
        plan.chunks.map((c, i) =>
          this.transfers.run({ id: `${d.id}:evacuate:${i}`, decisionId: d.id, asset: c.asset, amount: c.amount, from: d.venue, to: { wallet: safe.label }, requester: 'venueRisk:liquidityCoordinator' }),
        ),
      );
      rec.phase = 'awaiting-resume';
      await this.resumed(d.venue);
      this.setMode(d.venue, 'normal', 'venueRisk resumed');
      rec.resumedAt = clock.now();
      rec.phase = 'resumed';
      return { status: 'completed', message: `resumed after ${this.resumeAfterHealthyMs} ms healthy` };
    } catch (e) {
      rec.phase = 'failed';
      // Reported as failed now (as live); the modelled operator still resumes the venue later.
      void this.resumed(d.venue).then(() => {
        this.setMode(d.venue, 'normal', 'operator resume after a failed venueRisk');
        rec.resumedAt = this.clock.now();
      });
      throw e;
    }
  }

  private transfersOf(decisionId: string): SimTransfer[] {
    return this.transfers.all.filter((t) => t.decisionId === decisionId);
  }

  private setMode(venue: string, mode: OperatingMode, reason: string): void {
    this.o.modes.set(venue, mode);
    this.modeLog.push({ at: this.clock.now(), venue, mode, reason });
    this.o.engine?.quoter(venue)?.requestCycle();
  }

  // ---- the modelled operator's resume ------------------------------------------------------------

  private noteHealth(e: ImbalanceEvent, now: number): void {
    if (e.type === 'raised') {
      this.healthySince.set(e.venueId, undefined);
      return;
    }
    this.healthySince.set(e.venueId, now);
    this.clock.schedule(this.resumeAfterHealthyMs, () => this.checkResumes());
  }

  /** Resolves once the venue has been healthy for resumeAfterHealthyMs. */
  private resumed(venue: string): Promise<void> {
    return new Promise((resolve) => {
      this.resumeWaiters.push({ venue, resolve });
      this.checkResumes();
    });
  }

  private checkResumes(): void {
    const now = this.clock.now();
    for (const w of [...this.resumeWaiters]) {
      const since = this.healthySince.has(w.venue) ? this.healthySince.get(w.venue) : Number.NEGATIVE_INFINITY;
      if (since === undefined) continue;
      if (now - since >= this.resumeAfterHealthyMs) {
        this.resumeWaiters.splice(this.resumeWaiters.indexOf(w), 1);
        w.resolve();
      } else {
        this.clock.schedule(since + this.resumeAfterHealthyMs - now, () => this.checkResumes());
      }
    }
  }
}
