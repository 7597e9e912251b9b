// VenueQuoter: one venue's hot loop. On every book/trade event and on a jittered timer it
//   1. folds housekeeping in (balance refresh, ManagedVenue.reconcile) when due;
//   2. checks the kill switch and the operating mode — halted, paused or withdraw-only ⇒ cancel all;
//   3. builds a MarketSnapshot (cross-venue fair value from MarketState, EWMA volatility, inventory
//      from balances), asks the configured model for quotes, re-sizes a side with the depth ladder
//      when the model's sizes fall short of the venue's ±band requirement, jitters the sizes;
//   4. diffs against the live orders with the refresh tolerance and executes the actions in order,
//      post-only, through ManagedVenue — unless the plan would cross our own orders.
// One cycle at a time per venue (events during a cycle coalesce into one more), and a venue that
// answers VENUE.RATE_LIMITED is left alone until its retryAfterMs has passed.
import Decimal from 'decimal.js';
import type { Logger } from 'pino';
import type { Clock } from '../../sim/clock';
import { D, fmt } from '../../domain/money';
import type { Rng } from '../../domain/rng';
import { quoteWith, type DesiredQuote, type MarketSnapshot, type QuoteParams } from '../../domain/quoting';
import { buildLadder, type LadderLevel } from '../../domain/quoting/ladder';
import { jitterAroundMs, jitterLadderSizes } from '../../domain/quoting/jitter';
import { diffOrders, findSelfCross, type LiveOrder, type OrderAction, type RefreshTolerance } from '../../domain/quoting/order-diff';
import { evaluateKillSwitch, haltedBy, type KillDecision, type KillSwitchLimits } from '../../domain/quoting/kill-switch';
import { initialEwmaVol, updateEwmaVol, type EwmaVolState } from '../../domain/signals/volatility';
import type { ManagedVenue } from '../../venues/managed-venue';
import { isVenueError } from '../../venues/venue-errors';
import type { MarketRules, PublicTrade, Unsubscribe } from '../../venues/venue.port';
import type { MarketState } from './market-state';
import type { ModeSource, OperatingMode } from './mode-source';

export interface DepthRequirement {
  /** Quote notional each side must show within ±bandPct % of mid. */
  quote: string;
  bandPct?: string;
  /** Ladder used when the model's sizes fall short. */
  levels: number;
  stepPct: string;
}

export interface VenueQuoterConfig {
  model: QuoteParams;
  depth: DepthRequirement;
  refresh: RefreshTolerance;
  /** Half-width of size jitter, percent (0 = none). */
  sizeJitterPct: string;
  targetInventory: string;
  maxInventory: string;
  minInventory?: string;
  tickMs: number;
  /** Timer jitter, percent of tickMs. */
  tickJitterPct: number;
  reconcileEveryMs: number;
  balanceEveryMs: number;
  /** Fair-value inputs older than this are ignored. */
  maxDataAgeMs: number;
  /**
   * A stream only pushes on change: with no book for this long the loop fetches one, so a quiet
   * market is not mistaken for stale data. Default maxDataAgeMs / 3.
   */
  bookPollMs?: number;
  /** Levels per side to fetch when polling (deep enough to see past our own ladder). Default 50. */
  bookDepth?: number;
  volHalfLifeSec: number;
  /** Relative σ per √s used until the EWMA has data. */
  seedVolatility: number;
  killSwitch: KillSwitchLimits;
}

export interface VenueQuoterDeps {
  venue: ManagedVenue;
  market: MarketState;
  modes: ModeSource;
  clock: Clock;
  rng: Rng;
  logger?: Logger;
  /** A trip of scope 'all': the engine cancels every venue. */
  onKill?: (d: KillDecision) => void;
}

export interface QuoterStats {
  cycles: number;
  ticks: number;
  placed: number;
  canceled: number;
  rejected: number;
  rateLimited: number;
  errors: number;
  selfCrossBlocked: number;
  lastError?: string;
}

const RESTING = new Set(['pending', 'open', 'partially_filled']);

export class VenueQuoter {
  readonly stats: QuoterStats = { cycles: 0, ticks: 0, placed: 0, canceled: 0, rejected: 0, rateLimited: 0, errors: 0, selfCrossBlocked: 0 };
  private rules?: MarketRules;
  private vol: EwmaVolState;
  private base = new D(0);
  private quote = new D(0);
  private initialEquity?: Decimal;
  private currentFair?: number;
  private lastDecision?: { key: string; actions: OrderAction[] };
  private readonly jitterCache: Partial<Record<'buy' | 'sell', { key: string; levels: LadderLevel[] }>> = {};
  private running = false;
  private dirty = false;
  private stopped = true;
  private blockedUntil = 0;
  private nextReconcileAt = 0;
  private nextBalanceAt = 0;
  private cancelTimer?: () => void;
  private cancelWake?: () => void;
  private readonly unsubs: Unsubscribe[] = [];

  constructor(
    readonly venueId: string,
    private readonly cfg: VenueQuoterConfig,
    private readonly deps: VenueQuoterDeps,
  ) {
    this.vol = initialEwmaVol(cfg.seedVolatility ** 2);
  }

  async start(): Promise<void> {
    const { venue, market, clock } = this.deps;
    this.rules = await venue.rules();
    market.register(this.venueId, 'cex', this.rules.makerFee);
    await this.refreshBalances();
    this.stopped = false;
    const a = venue.adapter;
    if (a.watchOrderBook) {
      this.unsubs.push(
        a.watchOrderBook(
          (book) => {
            market.updateBook(this.venueId, book, clock.now());
            market.setHealthy(this.venueId, true);
            this.requestCycle();
          },
          (e) => this.fail(e),
        ),
      );
    }
    const onTrades = (t: PublicTrade[]) => {
      market.addTrades(this.venueId, t);
      this.requestCycle();
    };
    if (a.watchTrades) this.unsubs.push(a.watchTrades(onTrades, (e) => this.fail(e)));
    if (!a.watchOrderBook) await this.pollBook();
    this.scheduleTick();
    this.requestCycle();
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelWake?.();
    for (const u of this.unsubs.splice(0)) u();
  }

  /** Cancels every live order of this venue now (used by the engine on a global trip, and on shutdown). */
  async cancelAll(): Promise<void> {
    for (const o of this.deps.venue.openOrders()) {
      await this.deps.venue.cancelOrder(o.clientOrderId);
      this.stats.canceled += 1;
    }
  }

  private fail(e: Error): void {
    this.deps.market.setHealthy(this.venueId, false);
    this.stats.errors += 1;
    this.stats.lastError = e.message;
  }

  private scheduleTick(): void {
    if (this.stopped) return;
    this.cancelTimer = this.deps.clock.schedule(jitterAroundMs(this.cfg.tickMs, this.cfg.tickJitterPct, this.deps.rng), () => {
      this.stats.ticks += 1;
      this.requestCycle();
      this.scheduleTick();
    });
  }

  requestCycle(): void {
    this.dirty = true;
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      while (this.dirty && !this.stopped) {
        const wait = this.blockedUntil - this.deps.clock.now();
        if (wait > 0) {
          // Rate limited: one wake-up when the venue lets us back in; events meanwhile only mark dirty.
          this.cancelWake?.();
          this.cancelWake = this.deps.clock.schedule(wait, () => this.requestCycle());
          return;
        }
        this.dirty = false;
        await this.cycle();
      }
    } finally {
      this.running = false;
    }
  }

  private async cycle(): Promise<void> {
    this.stats.cycles += 1;
    try {
      await this.housekeeping();
      const halted = this.checkKillSwitch();
      const mode = this.deps.modes.current(this.venueId);
      if (halted || mode === 'paused' || mode === 'withdraw-only') {
        await this.cancelAll();
        return;
      }
      const plan = this.decide(mode);
      if (plan) await this.execute(plan);
    } catch (e) {
      if (isVenueError(e, 'VENUE.RATE_LIMITED')) {
        this.stats.rateLimited += 1;
        this.blockedUntil = this.deps.clock.now() + (e.retryAfterMs ?? 1_000);
        this.dirty = true;
      } else {
        this.stats.errors += 1;
        this.stats.lastError = e instanceof Error ? e.message : String(e);
        this.deps.logger?.warn({ venue: this.venueId, err: this.stats.lastError }, 'quoting cycle failed');
      }
    }
  }

  private async refreshBalances(): Promise<void> {
    const r = this.rules!;
    const bal = await this.deps.venue.fetchBalances();
    this.base = new D(bal.find((b) => b.asset === r.base)?.total ?? '0');
    this.quote = new D(bal.find((b) => b.asset === r.quote)?.total ?? '0');
    this.nextBalanceAt = this.deps.clock.now() + this.cfg.balanceEveryMs;
  }

  private async pollBook(): Promise<void> {
    const book = await this.deps.venue.fetchOrderBook(this.cfg.bookDepth ?? 50);
    this.deps.market.updateBook(this.venueId, book, this.deps.clock.now());
  }

  private async housekeeping(): Promise<void> {
    const now = this.deps.clock.now();
    const bookAt = this.deps.market.venue(this.venueId)?.bookAt;
    if (bookAt === undefined || now - bookAt >= (this.cfg.bookPollMs ?? this.cfg.maxDataAgeMs / 3)) await this.pollBook();
    // Due times move before the call: a venue that keeps failing one of these (a reconcile heavier
    // than the rate limit's burst) must not starve quoting; it is retried at the next interval.
    if (now >= this.nextReconcileAt) {
      this.nextReconcileAt = now + this.cfg.reconcileEveryMs;
      const r = await this.deps.venue.reconcile();
      if (r.fills > 0) this.nextBalanceAt = this.deps.clock.now();
    }
    if (this.deps.clock.now() >= this.nextBalanceAt) {
      this.nextBalanceAt = this.deps.clock.now() + this.cfg.balanceEveryMs;
      await this.refreshBalances();
    }
  }

  private live(): LiveOrder[] {
    return this.deps.venue
      .openOrders()
      .map((o) => ({ clientOrderId: o.clientOrderId, side: o.side, price: o.price, amount: fmt(new D(o.amount).minus(o.filled)), status: o.status }))
      .filter((o) => RESTING.has(o.status) && new D(o.amount).gt(0));
  }

  private fair(): number | undefined {
    const now = this.deps.clock.now();
    const fv = this.deps.market.fairValue(now, { maxAgeMs: this.cfg.maxDataAgeMs });
    this.currentFair = fv.ok ? fv.fairValue : undefined;
    if (!fv.ok) return undefined;
    this.vol = updateEwmaVol(this.vol, { t: now, price: fv.fairValue }, { halfLifeSec: this.cfg.volHalfLifeSec });
    return fv.fairValue;
  }

  /** Updates this venue's observation and the shared kill-switch state; true if this venue must not quote. */
  private checkKillSwitch(): boolean {
    const { market, clock } = this.deps;
    const now = clock.now();
    market.setOwnOrders(this.venueId, this.live());
    const fv = this.fair();
    let pnl = new D(0);
    if (fv !== undefined) {
      const equity = this.quote.plus(this.base.times(fv.toPrecision(15)));
      this.initialEquity ??= equity;
      pnl = equity.minus(this.initialEquity);
    }
    const v = market.venue(this.venueId);
    market.setObservation(this.venueId, { venueId: this.venueId, pnlQuote: fmt(pnl), inventoryBase: fmt(this.base), healthy: v?.healthy ?? false, ...(v?.bookAt !== undefined ? { lastBookAt: v.bookAt } : {}) });
    const r = evaluateKillSwitch(market.killSwitch, market.observations(), this.cfg.killSwitch, now);
    market.killSwitch = r.state;
    for (const d of r.tripped) {
      this.deps.logger?.error({ venue: this.venueId, decision: d }, 'kill switch tripped');
      if (d.scope === 'all') this.deps.onKill?.(d);
    }
    return haltedBy(market.killSwitch, this.venueId) !== undefined;
  }

  /** Mode-adjusted model parameters: 'tighten' halves the spread parameters. */
  private params(mode: OperatingMode): QuoteParams {
    const p = this.cfg.model;
    if (mode !== 'tighten') return p;
    const half = (s: string) => fmt(new D(s).div(2));
    switch (p.model) {
      case 'pure-mm':
        return { ...p, bidSpreadPct: half(p.bidSpreadPct), askSpreadPct: half(p.askSpreadPct) };
      case 'fixed-spread':
        return { ...p, spreadPct: half(p.spreadPct) };
      default:
        // A-S / GLFT: the spread's liquidity term is ≈ 2/k; doubling k halves it.
        return { ...p, k: p.k * 2 };
    }
  }

  /** The desired quotes for now, or undefined when there is no usable fair value. */
  desiredQuotes(mode: OperatingMode): DesiredQuote[] | undefined {
    const r = this.rules!;
    const fair = this.currentFair;
    if (fair === undefined) return undefined;
    const mid = fmt(new D(fair.toPrecision(12)));
    const sigma = Math.sqrt(this.vol.variancePerSec ?? this.cfg.seedVolatility ** 2) * fair;
    const snap: MarketSnapshot = {
      mid,
      volatility: sigma,
      inventory: fmt(this.base),
      targetInventory: this.cfg.targetInventory,
      maxInventory: this.cfg.maxInventory,
      ...(this.cfg.minInventory !== undefined ? { minInventory: this.cfg.minInventory } : {}),
      now: this.deps.clock.now(),
      tickSize: r.tickSize,
      lotSize: r.lotSize,
      minNotional: r.minNotional,
    };
    const model = quoteWith(snap, this.params(mode));
    const depthQuote = fmt(new D(this.cfg.depth.quote).times(mode === 'deepen' ? 2 : 1));
    return [...this.sizeSide('buy', model, mid, depthQuote, mode), ...this.sizeSide('sell', model, mid, depthQuote, mode)];
  }

  /**
   * One side: the model's levels if they already meet the depth requirement, else a depth ladder
   * starting at the model's best price; sizes jittered; capped by inventory limits and balances.
   */
  private sizeSide(side: 'buy' | 'sell', model: DesiredQuote[], mid: string, depthQuote: string, mode: OperatingMode): DesiredQuote[] {
    const r = this.rules!;
    const mine = model.filter((q) => q.side === side);
    // A model may leave a side empty (inventory skew at its limit); the listing's depth obligation
    // still holds, so that side gets a ladder starting at the other side's distance from mid.
    const other = model.find((q) => q.side !== side && q.level === 0);
    const first = mine[0]?.price ?? (other ? fmt(new D(mid).times(2).minus(other.price)) : undefined);
    if (first === undefined || !new D(first).gt(0)) return [];
    const band = new D(this.cfg.depth.bandPct ?? '2');
    const limit = band.minus(band.div(10)).div(100);
    const inBand = (p: string) => (side === 'buy' ? new D(p).gte(new D(mid).times(new D(1).minus(limit))) : new D(p).lte(new D(mid).times(new D(1).plus(limit))));
    let levels: LadderLevel[] = mine.map((q) => ({ level: q.level, side, price: q.price, amount: q.amount, notional: fmt(new D(q.price).times(q.amount)), insideBand: inBand(q.price) }));
    const have = levels.filter((l) => l.insideBand).reduce((s, l) => s.plus(l.notional), new D(0));
    let trimExcess = false;
    if (have.lt(depthQuote)) {
      const stepPct = mode === 'tighten' ? fmt(new D(this.cfg.depth.stepPct).div(2)) : this.cfg.depth.stepPct;
      const ladder = buildLadder({ side, mid, rules: r, depthQuote, bandPct: fmt(band), levels: this.cfg.depth.levels, firstPrice: first, stepPct });
      if (ladder.ok) {
        levels = ladder.levels;
        trimExcess = true;
      }
    }
    if (new D(this.cfg.sizeJitterPct).gt(0)) {
      // Re-draw only when the plain ladder changed: a fresh draw every cycle would make every
      // resting order look out of tolerance and churn the book for nothing.
      const key = JSON.stringify([depthQuote, levels.map((l) => [l.price, l.amount])]);
      const cached = this.jitterCache[side];
      if (cached?.key === key) levels = cached.levels;
      else {
        levels = jitterLadderSizes(levels, { pct: this.cfg.sizeJitterPct, rules: r, depthQuote, trimExcess }, this.deps.rng);
        this.jitterCache[side] = { key, levels };
      }
    }
    // Caps: inventory limits (cumulative, as the models do) and what the account holds.
    const inv = this.base;
    let room = side === 'buy' ? new D(this.cfg.maxInventory).minus(inv) : inv.minus(this.cfg.minInventory ?? '0');
    let quoteLeft = this.quote;
    const out: DesiredQuote[] = [];
    for (const l of levels) {
      let amount = D.min(l.amount, D.max(room, 0));
      if (side === 'buy') amount = D.min(amount, quoteLeft.div(l.price));
      amount = amount.div(r.lotSize).floor().times(r.lotSize);
      if (amount.lte(0) || amount.times(l.price).lt(r.minNotional)) continue;
      room = room.minus(amount);
      if (side === 'buy') quoteLeft = quoteLeft.minus(amount.times(l.price));
      out.push({ side, price: l.price, amount: fmt(amount), level: out.length, postOnly: true });
    }
    return out;
  }

  /** Decision: desired quotes → order actions (pure given the state; what the latency bench times). */
  decide(mode: OperatingMode): { actions: OrderAction[]; live: LiveOrder[] } | undefined {
    const live = this.live();
    // Most book events (our own orders resting, others' orders far away) change none of the
    // inputs: same inputs ⇒ same plan, without the decimal-heavy model/ladder/diff work.
    const key = this.decisionKey(mode, live);
    if (key !== undefined && key === this.lastDecision?.key) return { actions: this.lastDecision.actions, live };
    const plan = this.plan(mode, live);
    this.lastDecision = key !== undefined && plan ? { key, actions: plan.actions } : undefined;
    return plan;
  }

  private decisionKey(mode: OperatingMode, live: LiveOrder[]): string | undefined {
    if (this.currentFair === undefined) return undefined;
    const m = this.cfg.model.model;
    // σ and time only matter to A-S and GLFT: σ to 3 significant digits, time to the second.
    const timeDep = m === 'avellaneda-stoikov' || m === 'glft' ? [Math.sqrt(this.vol.variancePerSec ?? 0).toPrecision(3), Math.floor(this.deps.clock.now() / 1000)] : [];
    return JSON.stringify([mode, this.currentFair, this.base.toFixed(), this.quote.toFixed(), live.map((o) => [o.clientOrderId, o.amount]), ...timeDep]);
  }

  private plan(mode: OperatingMode, live: LiveOrder[]): { actions: OrderAction[]; live: LiveOrder[] } | undefined {
    const desired = this.desiredQuotes(mode);
    if (!desired) return undefined;
    const diff = diffOrders(desired, live, this.rules!, this.cfg.refresh);
    // Orders kept within the amount tolerance (partly filled ones above all) can leave a side just
    // under its depth requirement; then that plan is redone with exact amounts.
    if (this.shortOfDepth(diff, live, mode)) return { actions: diffOrders(desired, live, this.rules!, { ...this.cfg.refresh, amountPct: '0' }).actions, live };
    return { actions: diff.actions, live };
  }

  private shortOfDepth(diff: { actions: OrderAction[]; kept: { clientOrderId: string }[] }, live: LiveOrder[], mode: OperatingMode): boolean {
    if (this.currentFair === undefined) return false;
    const mid = new D(this.currentFair.toPrecision(12));
    const band = new D(this.cfg.depth.bandPct ?? '2').div(100);
    const [lo, hi] = [mid.times(new D(1).minus(band)), mid.times(new D(1).plus(band))];
    const byId = new Map(live.map((o) => [o.clientOrderId, o]));
    const total = { buy: new D(0), sell: new D(0) };
    const add = (side: 'buy' | 'sell', price: string, amount: string) => {
      const p = new D(price);
      if (p.gte(lo) && p.lte(hi)) total[side] = total[side].plus(p.times(amount));
    };
    for (const k of diff.kept) {
      const o = byId.get(k.clientOrderId);
      if (o) add(o.side, o.price, o.amount);
    }
    for (const a of diff.actions) if (a.type === 'place') add(a.side, a.price, a.amount);
    const need = new D(this.cfg.depth.quote).times(mode === 'deepen' ? 2 : 1);
    // Only a shortfall the desired quotes themselves would fix counts (inventory caps can cut a side).
    return (['buy', 'sell'] as const).some((side) => total[side].lt(need) && total[side].gt(0));
  }

  private async execute(plan: { actions: OrderAction[]; live: LiveOrder[] }): Promise<void> {
    if (findSelfCross(plan.live, plan.actions) !== null) {
      this.stats.selfCrossBlocked += 1;
      return;
    }
    for (const a of plan.actions) {
      if (this.stopped) return;
      if (a.type === 'cancel') {
        // A failed cancel stops the plan: later placements may have been sequenced after it.
        await this.deps.venue.cancelOrder(a.clientOrderId);
        this.stats.canceled += 1;
        continue;
      }
      try {
        await this.deps.venue.placeOrder({ side: a.side, price: a.price, amount: a.amount, postOnly: true });
        this.stats.placed += 1;
      } catch (e) {
        // The book moved under a post-only quote, or funds are short: skip this level, next cycle retries.
        if (!isVenueError(e) || !['VENUE.POST_ONLY_WOULD_CROSS', 'VENUE.INSUFFICIENT_FUNDS', 'VENUE.INVALID_ORDER'].includes(e.code)) throw e;
        this.stats.rejected += 1;
      }
    }
  }
}
