// Runs a market scenario on any `Clock`: VirtualClock (as fast as the CPU allows, `runVirtual`) or
// RealClock (the demo, `run`) with the same code. It builds one matching engine per CEX venue and
// an in-process exact V2 pool per AMM venue, credits every agent's account, then drives the price
// process, the agents (each at its own random times, with its own seeded rng streams) and the
// background liquidity, recording an event log and a summary.
//
// Hooks for other components (Ballast's market maker runs as just another account):
//   runner.venues[id].engine (CEX) / runner.venues[id].pool (AMM), runner.addAccount(...),
//   runner.addAgent(...), runner.onStep(...), runner.fundamental(), runner.log.
import { D, fmt } from '../../domain/money';
import { mulberry32 } from '../../domain/rng';
import type { Clock } from '../../domain/clock';
import { VirtualClock } from '../../hotpath/clocks';
import { toUnits } from '../../domain/token-units';
import { ActionExecutor, type ActivityStats, type ArbitrageStats } from './action-executor';
import { deriveSeed } from './agent-helpers';
import { buildAgents, maxLookbackMs, type AgentSetup, type StartingBalances } from './agent-factory';
import type { VenueView } from './agent.types';
import { AmmVenue } from './amm-venue';
import { BackgroundLiquidity } from './background-liquidity';
import { CexVenue, type FastEngine } from './cex-venue';
import { EventLog } from './event-log';
import { LadderSync, type SyncCounts } from './ladder-sync';
import { LiveAgentView, venueView, type SimVenue } from './live-view';
import { MidHistory } from './mid-history';
import { PriceProcess } from './price-process';
import { agentSummary, summarizeArbitrage, venueSummary, type PriceSample, type RunSummary, type VenueStats } from './run-summary';
import type { Scenario } from './scenario.schema';

export interface RunnerOptions {
  clock: Clock;
  /** Keep at least the last N event-log records as text (tests, debugging). */
  keepEvents?: number;
  /** Overrides the scenario's seed. */
  seed?: number;
  /**
   * Existing engines to use for CEX venues, by venue id (e.g. `simExchange.engine`, so Ballast trades
   * through the exchange emulator while the agents trade on the same book directly).
   */
  engines?: Record<string, FastEngine>;
}

export interface StepInfo {
  now: number;
  offsetMs: number;
  fundamental: number;
  factor: number;
}

interface Background {
  lp: BackgroundLiquidity;
  sync: LadderSync;
  venue: CexVenue;
  counts: SyncCounts;
}

/** A clock that can be driven to a time (VirtualClock); others run on their own (RealClock). */
interface DrivableClock extends Clock {
  runUntil(t: number): number;
}

export class ScenarioRunner {
  readonly venues: Record<string, SimVenue> = {};
  readonly process: PriceProcess;
  readonly log: EventLog;
  readonly agents: AgentSetup[];
  readonly seed: number;
  readonly finished: Promise<RunSummary>;
  startMs: number;
  endMs: number;
  private readonly clock: Clock;
  private readonly venueMap = new Map<string, SimVenue>();
  private readonly views = new Map<string, VenueView>();
  private readonly histories = new Map<string, MidHistory>();
  private readonly view: LiveAgentView;
  private readonly executor: ActionExecutor;
  private readonly backgrounds: Background[] = [];
  private readonly activity = new Map<string, ActivityStats & { trades: number }>();
  private readonly arbStats = new Map<string, ArbitrageStats>();
  private readonly venueStats = new Map<string, VenueStats>();
  private readonly initial = new Map<string, Record<string, StartingBalances>>();
  private readonly stepListeners = new Set<(s: StepInfo) => void>();
  private readonly timers = new Set<() => void>();
  private readonly path: PriceSample[] = [];
  private readonly fRange = { min: Infinity, max: -Infinity };
  private resolveFinished!: (s: RunSummary) => void;
  private started = false;
  private stopped = false;
  private timerEvents = 0;
  private lastHistoryAt = -Infinity;
  private lastSampleAt = -Infinity;

  constructor(
    readonly scenario: Scenario,
    opts: RunnerOptions,
  ) {
    this.clock = opts.clock;
    this.seed = opts.seed ?? scenario.seed;
    this.log = new EventLog(opts.keepEvents ?? 0);
    this.startMs = this.clock.now();
    this.endMs = this.startMs + scenario.duration;
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    const f = scenario.fundamental;
    this.process = new PriceProcess(
      {
        initial: f.initial,
        drift: f.drift,
        volatility: f.volatility,
        jumps: f.jumps,
        scheduledJumps: f.scheduledJumps.map((j) => ({ atMs: j.at, logSize: j.logSize })),
        factor: f.factor,
        correlation: f.correlation,
        stepMs: scenario.timeStep,
      },
      mulberry32(deriveSeed(this.seed, 'fundamental')),
    );
    const capacity = Math.ceil(Math.max(maxLookbackMs(scenario.agents), 3_600_000) / scenario.historyEvery) + 2;
    for (const cfg of scenario.venues) {
      const v: SimVenue =
        cfg.kind === 'cex'
          ? new CexVenue(cfg, this.clock, opts.engines?.[cfg.id])
          : new AmmVenue(
              {
                id: cfg.id,
                market: cfg.market,
                reserveBase: toUnits(cfg.reserves.base, cfg.decimals.base, `venues.${cfg.id}.reserves.base`),
                reserveQuote: toUnits(cfg.reserves.quote, cfg.decimals.quote, `venues.${cfg.id}.reserves.quote`),
                baseDecimals: cfg.decimals.base,
                quoteDecimals: cfg.decimals.quote,
              },
              this.clock,
            );
      this.venues[cfg.id] = v;
      this.venueMap.set(cfg.id, v);
      const history = new MidHistory(scenario.historyEvery, capacity);
      this.histories.set(cfg.id, history);
      this.views.set(cfg.id, venueView(v, history));
      this.venueStats.set(cfg.id, { trades: 0, base: 0n, quote: 0n });
      this.watch(v);
      if (cfg.kind === 'cex' && cfg.backgroundLiquidity && v.kind === 'cex') {
        const bl = cfg.backgroundLiquidity;
        const account = `bg-${cfg.id}`;
        this.addAccount(account, { [cfg.id]: bl.balances });
        const lp = new BackgroundLiquidity(account, cfg.id, { ...bl, levelQuote: Number(bl.levelQuote), refreshMs: bl.refreshEvery }, v.tick, v.lot, v.minNotional);
        this.backgrounds.push({ lp, sync: new LadderSync(v, account), venue: v, counts: { placed: 0, cancelled: 0, rejected: 0 } });
      }
    }
    this.view = new LiveAgentView(this.venueMap, this.views, this.process, this.clock);
    this.executor = new ActionExecutor(this.venueMap, this.clock, this.log, this.arbStats);
    this.agents = [];
    for (const s of buildAgents(scenario.agents)) this.addAgent(s);
  }

  /** A runner on a fresh VirtualClock starting at the scenario's `startTime`. */
  static virtual(scenario: Scenario, opts: Omit<RunnerOptions, 'clock'> = {}): ScenarioRunner {
    return new ScenarioRunner(scenario, { ...opts, clock: new VirtualClock(Date.parse(scenario.startTime)) });
  }

  /** Credits an account on venues (an external participant such as a market maker, or an agent). */
  addAccount(account: string, balances: Record<string, StartingBalances>): void {
    const prev = this.initial.get(account) ?? {};
    for (const [venueId, b] of Object.entries(balances)) {
      const v = this.venueMap.get(venueId);
      if (!v) throw new RangeError(`addAccount(${account}): unknown venue "${venueId}"`);
      if (v.kind === 'cex') {
        if (new D(b.base).gt(0)) v.engine.credit(account, v.base, b.base);
        if (new D(b.quote).gt(0)) v.engine.credit(account, v.quote, b.quote);
      } else {
        v.credit(account, 'base', toUnits(b.base, v.config.baseDecimals));
        v.credit(account, 'quote', toUnits(b.quote, v.config.quoteDecimals));
      }
      const p = prev[venueId];
      prev[venueId] = p ? { base: fmt(new D(p.base).plus(b.base)), quote: fmt(new D(p.quote).plus(b.quote)) } : { ...b };
    }
    this.initial.set(account, prev);
  }

  /** Adds an agent (before `start`); its account is credited with its balances. */
  addAgent(setup: AgentSetup): void {
    if (this.started) throw new Error('addAgent: the run has started');
    this.agents.push(setup);
    this.addAccount(setup.account, setup.balances);
    this.activity.set(setup.account, { orders: 0, rejects: 0, skipped: 0, swaps: 0, trades: 0 });
  }

  /** Called after every price step (a market maker can re-quote here). */
  onStep(fn: (s: StepInfo) => void): () => void {
    this.stepListeners.add(fn);
    return () => this.stepListeners.delete(fn);
  }

  /** A view of the market as the agents see it, for `account` (a fresh object; reads live state). */
  agentView(account: string): LiveAgentView {
    const v = new LiveAgentView(this.venueMap, this.views, this.process, this.clock);
    v.account = account;
    return v;
  }

  fundamental(): number {
    return this.process.current().price;
  }

  /** Schedules everything from now on; the run ends by itself after the scenario's duration. */
  start(): void {
    if (this.started) throw new Error('start: already started');
    this.started = true;
    this.startMs = this.clock.now();
    this.endMs = this.startMs + this.scenario.duration;
    this.trackFundamental(this.process.current().price);
    this.every(this.scenario.timeStep, () => this.priceStep());
    for (const b of this.backgrounds) {
      this.refreshBackground(b); // books are populated before anyone trades
      this.every(b.lp.params.refreshMs, () => this.refreshBackground(b));
    }
    this.sample(this.startMs);
    this.agents.forEach((s, i) => this.scheduleAgent(s, i));
    // The end runs after everything else due at the end time (a zero delay queues behind them).
    const end = this.clock.schedule(this.scenario.duration, () => {
      this.timers.delete(end);
      this.timers.add(this.clock.schedule(0, () => this.stop()));
    });
    this.timers.add(end);
  }

  /** Ends the run (at the scenario's end, or early): cancels timers and resolves `finished`. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const cancel of this.timers) cancel();
    this.timers.clear();
    this.executor.stop();
    this.endMs = Math.min(this.endMs, this.clock.now());
    if (this.lastSampleAt !== this.clock.now()) this.sample(this.clock.now());
    this.resolveFinished(this.summary());
  }

  /** Runs to the end: drives a VirtualClock as fast as possible; waits for wall time on others. */
  async run(): Promise<RunSummary> {
    if (!this.started) this.start();
    const c = this.clock as Partial<DrivableClock>;
    if (typeof c.runUntil === 'function') c.runUntil.call(this.clock, this.endMs);
    return this.finished;
  }

  /** Synchronous run on a VirtualClock. */
  runVirtual(): RunSummary {
    const c = this.clock as Partial<DrivableClock>;
    if (typeof c.runUntil !== 'function') throw new Error('runVirtual needs a VirtualClock');
    if (!this.started) this.start();
    c.runUntil.call(this.clock, this.endMs);
    if (!this.stopped) this.stop();
    return this.summary();
  }

  private every(ms: number, fn: () => void): void {
    const tick = (): void => {
      this.timers.delete(cancel);
      if (this.stopped) return;
      this.timerEvents++;
      fn();
      cancel = this.clock.schedule(ms, tick);
      this.timers.add(cancel);
    };
    let cancel = this.clock.schedule(ms, tick);
    this.timers.add(cancel);
  }

  private watch(v: SimVenue): void {
    const stats = this.venueStats.get(v.id)!;
    if (v.kind === 'amm') {
      v.subscribe((s) => {
        stats.trades++;
        stats.base += s.side === 'buy' ? s.amountOut : s.amountIn;
        stats.quote += s.side === 'buy' ? s.amountIn : s.amountOut;
        const a = this.activity.get(s.account);
        if (a) a.trades++;
      });
      return;
    }
    v.engine.subscribe({
      onTrade: (t) => {
        v.lastPrice = Number(t.price);
        v.lastTradeAt = t.timestamp;
        const ticks = v.engine.priceToTicks(t.price) ?? 0;
        const lots = v.engine.amountToLots(t.amount) ?? 0;
        stats.trades++;
        stats.base += BigInt(lots);
        stats.quote += BigInt(ticks * lots);
        const m = this.activity.get(t.makerAccount);
        if (m) m.trades++;
        const k = this.activity.get(t.takerAccount);
        if (k) k.trades++;
        this.log.add('T', t.timestamp, v.id, t.tradeId, t.price, t.amount, t.takerSide, t.makerAccount, t.takerAccount);
      },
    });
  }

  private priceStep(): void {
    const p = this.process.advance();
    const now = this.clock.now();
    this.trackFundamental(p.price);
    this.log.add('P', now, p.price, p.factor);
    if (now - this.lastHistoryAt >= this.scenario.historyEvery) {
      this.lastHistoryAt = now;
      for (const [id, h] of this.histories) h.push(this.views.get(id)!.mid);
    }
    if (now - this.lastSampleAt >= this.scenario.sampleEvery) this.sample(now);
    if (this.stepListeners.size > 0) {
      const info: StepInfo = { now, offsetMs: p.offsetMs, fundamental: p.price, factor: p.factor };
      for (const fn of this.stepListeners) fn(info);
    }
  }

  private trackFundamental(x: number): void {
    if (x < this.fRange.min) this.fRange.min = x;
    if (x > this.fRange.max) this.fRange.max = x;
  }

  private sample(now: number): void {
    this.lastSampleAt = now;
    const p = this.process.current();
    const mids: Record<string, number | null> = {};
    for (const [id, v] of this.views) mids[id] = v.mid ?? null;
    this.path.push({ t: now - this.startMs, fundamental: p.price, factor: p.factor, mids });
  }

  private refreshBackground(b: Background): void {
    this.view.account = b.lp.id;
    const ref = b.lp.updateReference(this.view);
    const h = b.venue.holdings(b.lp.id);
    const c = b.sync.sync(b.lp.targetLadder(ref, h.totalBase, h.totalQuote));
    b.counts.placed += c.placed;
    b.counts.cancelled += c.cancelled;
    b.counts.rejected += c.rejected;
    this.log.add('L', this.clock.now(), b.venue.id, ref, c.placed, c.cancelled, c.rejected);
  }

  private scheduleAgent(s: AgentSetup, index: number): void {
    const timing = mulberry32(deriveSeed(this.seed, `${s.agent.id}/timing/${index}`));
    const decide = mulberry32(deriveSeed(this.seed, `${s.agent.id}/decide/${index}`));
    const stats = this.activity.get(s.account)!;
    const next = (): void => {
      const delay = s.agent.nextDelayMs(this.clock.now(), timing);
      if (delay === undefined || this.stopped) return;
      const cancel = this.clock.schedule(delay, () => {
        this.timers.delete(cancel);
        if (this.stopped) return;
        this.timerEvents++;
        this.view.account = s.account;
        const turns = s.agent.decisionsPerTurn ?? 1;
        for (let t = 0; t < turns; t++) {
          const actions = s.agent.decide(this.view, decide);
          if (actions.length === 0) break;
          this.executor.execute(s.account, actions, this.view, stats);
        }
        next();
      });
      this.timers.add(cancel);
    };
    next();
  }

  /** The summary so far (complete once `finished` resolves). */
  summary(): RunSummary {
    const fEnd = this.process.current().price;
    const mark = new D(fEnd.toPrecision(12));
    const agents = this.agents.map((s) =>
      agentSummary(s, this.activity.get(s.account)!, this.initial.get(s.account) ?? {}, this.executor.holdingsOf(s.account, Object.keys(s.balances)), mark),
    );
    const venues: RunSummary['venues'] = {};
    for (const [id, v] of this.venueMap) venues[id] = venueSummary(v, this.venueStats.get(id)!, this.views.get(id)!.mid);
    return {
      scenario: this.scenario.name,
      seed: this.seed,
      startMs: this.startMs,
      endMs: this.endMs,
      simulatedMs: this.endMs - this.startMs,
      events: this.log.count,
      timerEvents: this.timerEvents,
      eventHash: this.log.digest(),
      fundamental: { initial: this.scenario.fundamental.initial, final: fEnd, min: this.fRange.min, max: this.fRange.max },
      venues,
      pricePath: this.path,
      agents,
      arbitrage: summarizeArbitrage(this.arbStats.values()),
      background: this.backgrounds.map((b) => ({ venue: b.venue.id, account: b.lp.id, ...b.counts, reference: b.lp.ref ?? null })),
    };
  }
}
