// VenueQuoter: one venue's hot loop. On every book/trade event and on a jittered timer it
//   1. folds housekeeping in (balance refresh, ManagedVenue.reconcile) when due;
//   2. checks the kill switch and the operating mode — halted, paused, withdraw-only or modes not known
//      (ModeSource.blocked) ⇒ cancel all. These checks run even when step 1 failed (a book call
//      that fails must not keep the loop from pulling quotes); a cycle whose step 1 failed places nothing;
//   3. reads the cross-venue fair value (MarketState, our own orders taken out) and the EWMA volatility,
//      and asks its QuotePlanner (quote-planner.ts) for the order actions: model → depth ladder →
//      size jitter → caps → diff against the live orders with the refresh tolerance;
//   4. executes the actions in order, post-only, through ManagedVenue — unless the plan would cross
//      our own orders.
// One cycle at a time per venue (events during a cycle coalesce into one more), and a venue that
// answers VENUE.RATE_LIMITED is left alone until its retryAfterMs has passed.
import Decimal from 'decimal.js';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock';
import type { GridLiveOrder } from '../domain/grid';
import { D, fmt } from '../domain/money';
import type { Rng } from '../domain/rng';
import { jitterAroundMs } from '../domain/quoting/jitter';
import { findSelfCrossOnGrid } from '../domain/quoting/order-diff';
import { evaluateKillSwitch, haltedBy, resetKillSwitch, type KillDecision, type KillSwitchLimits } from '../domain/quoting/kill-switch';
import { initialEwmaVol, updateEwmaVol, type EwmaVolState } from '../domain/signals/volatility';
import type { ManagedVenue } from '../venues/managed-venue';
import { isVenueError } from '../venues/venue-errors';
import type { Fill, MarketRules, PublicTrade, Unsubscribe } from '../venues/venue.port';
import type { MarketState, OwnOrder } from '../domain/quoting/market-state';
import type { ModeSource, OperatingMode } from './mode-source';
import { QuotePlanner, type Plan, type PlannerConfig } from '../domain/quoting/quote-planner';

/** Quote notional each side must show within ±bandPct % of mid, and the ladder used when the model's sizes fall short. */
export type DepthRequirement = PlannerConfig['depth'];

/** The planner's configuration (model, depth, refresh, jitter, inventory, sequencing, spread cap) and the loop's own. */
export interface VenueQuoterConfig extends PlannerConfig {
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
  /** Every trip as it happens (a latch can later be cleared by a resume; the record stays). */
  onTrip?: (d: KillDecision) => void;
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
  /** Latched kill-switch trips cleared by a resume (paused/withdraw-only → quoting). */
  killSwitchResets: number;
  /** Cycles that pulled every quote because the mode source could not say what the modes are. */
  modesBlocked: number;
  /** This run's fills (the tracker's, de-duplicated by trade id), their base amount and fees in quote. */
  fills: number;
  filledBase: string;
  /** Fees paid in the quote asset, plus fees paid in base valued at the fill price (other fee assets are not counted). */
  feesQuote: string;
  /**
   * Spread captured: Σ (fair − price) × amount on buys, (price − fair) × amount on sells, minus fees,
   * with the fair value in force when the fill was read (the fill price when there was none yet).
   */
  realizedPnlQuote: string;
  lastError?: string;
}

/** What a cancel-all did: every order it tried, and the ones still live (with why) afterwards. */
export interface CancelAllReport {
  venueId: string;
  canceled: string[];
  left: { clientOrderId: string; error: string }[];
}

const RESTING = new Set(['pending', 'open', 'partially_filled']);
const TERMINAL = new Set(['filled', 'canceled', 'rejected', 'lost']);

interface ParsedOrder {
  price: string;
  amount: string;
  filled: string;
  grid: GridLiveOrder;
  own: OwnOrder;
}

export class VenueQuoter {
  readonly stats: QuoterStats = { cycles: 0, ticks: 0, placed: 0, canceled: 0, rejected: 0, rateLimited: 0, errors: 0, selfCrossBlocked: 0, killSwitchResets: 0, modesBlocked: 0, fills: 0, filledBase: '0', feesQuote: '0', realizedPnlQuote: '0' };
  private rules?: MarketRules;
  private planner?: QuotePlanner;
  private vol: EwmaVolState;
  private base = new D(0);
  private quote = new D(0);
  private initialEquity?: Decimal;
  private currentFair?: number;
  private baseStr = '0';
  /** Base bought − sold since start, from the tracker's de-duplicated fills (read up to fillsSeen). */
  private traded = new D(0);
  private filled = { base: new D(0), fees: new D(0), realized: new D(0) };
  private fillsSeen = 0;
  private startedAt = 0;
  private parsed = new Map<string, ParsedOrder>();
  private liveCache?: { version: number; grid: GridLiveOrder[]; own: OwnOrder[] };
  private running = false;
  private lastMode?: OperatingMode;
  private dirty = false;
  private stopped = true;
  private blockedUntil = 0;
  private nextReconcileAt = 0;
  private nextBalanceAt = 0;

  /** The fair value this quoter's last cycle used (undefined while it has none): what /metrics shows. */
  get lastFairValue(): number | undefined {
    return this.currentFair;
  }

  /** The venue's quote balance at the last balance read (decimal string). */
  get quoteBalance(): string {
    return fmt(this.quote);
  }
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
    this.planner = new QuotePlanner(this.cfg, this.rules, this.deps.rng);
    market.register(this.venueId, 'cex', this.rules.makerFee);
    await this.refreshBalances();
    this.startedAt = clock.now();
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

  /**
   * Cancels every live order of this venue now (a halt, a pause, the engine's global trip, shutdown).
   * A failed cancel does not stop the others: the report names what is still live and why.
   */
  async cancelAll(): Promise<CancelAllReport> {
    const report: CancelAllReport = { venueId: this.venueId, canceled: [], left: [] };
    for (const o of this.deps.venue.openOrders()) {
      try {
        const after = await this.deps.venue.cancelOrder(o.clientOrderId);
        if (after !== undefined && !TERMINAL.has(after.status)) {
          report.left.push({ clientOrderId: o.clientOrderId, error: `still ${after.status} after the cancel` });
          continue;
        }
        report.canceled.push(o.clientOrderId);
        this.stats.canceled += 1;
      } catch (e) {
        report.left.push({ clientOrderId: o.clientOrderId, error: e instanceof Error ? e.message : String(e) });
        this.stats.errors += 1;
        this.stats.lastError = report.left.at(-1)!.error;
      }
    }
    if (report.left.length > 0) this.deps.logger?.warn({ venue: this.venueId, left: report.left }, 'cancel-all left orders live');
    return report;
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
    // Housekeeping (book poll, reconcile, balances) may fail; the safety checks below run anyway.
    const fresh = await this.housekeeping();
    await this.guard(async () => {
      const now = this.deps.clock.now();
      const mode = this.deps.modes.current(this.venueId);
      const blocked = this.deps.modes.blocked?.(now);
      if (blocked !== undefined) {
        this.stats.modesBlocked += 1;
        if (this.deps.venue.openOrders().length > 0) this.deps.logger?.warn({ venue: this.venueId, reason: blocked }, 'pulling quotes: operating modes unknown');
      } else this.onModeChange(mode);
      const halted = this.checkKillSwitch();
      if (halted || blocked !== undefined || mode === 'paused' || mode === 'withdraw-only') {
        await this.cancelAll();
        return;
      }
      if (!fresh) return;
      const plan = this.decide(mode);
      if (plan) await this.execute(plan);
    });
  }

  /** Runs a step of the cycle; false if it failed (counted, logged; a rate limit blocks the venue for a while). */
  private async guard(step: () => Promise<void>): Promise<boolean> {
    try {
      await step();
      return true;
    } catch (e) {
      if (isVenueError(e, 'VENUE.RATE_LIMITED')) {
        this.stats.rateLimited += 1;
        this.blockedUntil = Math.max(this.blockedUntil, this.deps.clock.now() + (e.retryAfterMs ?? 1_000));
        this.dirty = true;
      } else {
        this.stats.errors += 1;
        this.stats.lastError = e instanceof Error ? e.message : String(e);
        this.deps.logger?.warn({ venue: this.venueId, err: this.stats.lastError }, 'quoting cycle failed');
      }
      return false;
    }
  }

  /**
   * A venue taken out of `paused` / `withdraw-only` back into quoting was resumed by a person (an
   * operator's mode change, or venueRisk's `resume` signal): that decision also clears this venue's
   * latched kill-switch trip, which otherwise keeps the venue dark for good after an outage.
   */
  private onModeChange(mode: OperatingMode): void {
    const was = this.lastMode;
    this.lastMode = mode;
    if (was === undefined || was === mode) return;
    const halting = (m: OperatingMode) => m === 'paused' || m === 'withdraw-only';
    if (!halting(was) || halting(mode)) return;
    const { market } = this.deps;
    if (haltedBy(market.killSwitch, this.venueId) === undefined) return;
    this.deps.logger?.warn({ venue: this.venueId, from: was, to: mode }, 'venue resumed: its kill-switch trip is cleared');
    market.killSwitch = resetKillSwitch(market.killSwitch, this.venueId);
    this.stats.killSwitchResets += 1;
  }

  private async refreshBalances(): Promise<void> {
    const r = this.rules!;
    const bal = await this.deps.venue.fetchBalances();
    this.base = new D(bal.find((b) => b.asset === r.base)?.total ?? '0');
    this.quote = new D(bal.find((b) => b.asset === r.quote)?.total ?? '0');
    this.baseStr = fmt(this.base);
    this.planner!.setBalances(this.baseStr, fmt(this.quote));
    this.nextBalanceAt = this.deps.clock.now() + this.cfg.balanceEveryMs;
  }

  /** Folds new fills into the traded base and tells MarketState (the portfolio skew's input). */
  private publishTraded(): void {
    const { fills, next } = this.deps.venue.tracker.fillsSince(this.fillsSeen);
    if (fills.length === 0 && this.fillsSeen > 0) return;
    for (const f of fills) {
      // A first sync can return the account's older trades: only this run's quoting counts.
      if (f.timestamp < this.startedAt) continue;
      this.traded = f.side === 'buy' ? this.traded.plus(f.amount) : this.traded.minus(f.amount);
      this.countFill(f);
    }
    this.fillsSeen = next;
    this.deps.market.setTraded(this.venueId, this.traded.toNumber(), Number(this.cfg.model.orderAmount));
  }

  /** The fill's share of the stats' fills, fees and realized PnL (decimal; the stats carry strings). */
  private countFill(f: Fill): void {
    const r = this.rules!;
    const feeQuote = f.feeAsset === r.quote ? new D(f.fee) : f.feeAsset === r.base ? new D(f.fee).times(f.price) : new D(0);
    const mark = this.currentFair !== undefined ? new D(this.currentFair.toPrecision(15)) : new D(f.price);
    const edge = f.side === 'buy' ? mark.minus(f.price) : new D(f.price).minus(mark);
    const c = this.filled;
    c.base = c.base.plus(f.amount);
    c.fees = c.fees.plus(feeQuote);
    c.realized = c.realized.plus(edge.times(f.amount)).minus(feeQuote);
    this.stats.fills += 1;
    this.stats.filledBase = fmt(c.base);
    this.stats.feesQuote = fmt(c.fees);
    this.stats.realizedPnlQuote = fmt(c.realized);
  }

  private async pollBook(): Promise<void> {
    const book = await this.deps.venue.fetchOrderBook(this.cfg.bookDepth ?? 50);
    this.deps.market.updateBook(this.venueId, book, this.deps.clock.now());
  }

  /**
   * Book poll (when the stream is quiet), reconcile and balance refresh, each when due. Each step runs
   * even when an earlier one failed (a failing book call must not hide a balance that breaches the
   * kill switch); true only if all of them succeeded.
   */
  private async housekeeping(): Promise<boolean> {
    const now = this.deps.clock.now();
    const bookAt = this.deps.market.venue(this.venueId)?.bookAt;
    let ok = true;
    if (bookAt === undefined || now - bookAt >= (this.cfg.bookPollMs ?? this.cfg.maxDataAgeMs / 3)) {
      // A failed poll leaves the last book (streamed or polled) in place; quoting goes on from it while
      // it is younger than maxDataAgeMs, the age past which the fair value ignores it anyway. Without
      // this, a failing REST book call in a quiet market froze the quotes as soon as the stream paused.
      const polled = await this.guard(() => this.pollBook());
      if (!polled && (bookAt === undefined || now - bookAt > this.cfg.maxDataAgeMs)) ok = false;
    }
    // Due times move before the call: a venue that keeps failing one of these (a reconcile heavier
    // than the rate limit's burst) must not starve quoting; it is retried at the next interval.
    if (now >= this.nextReconcileAt) {
      this.nextReconcileAt = now + this.cfg.reconcileEveryMs;
      ok =
        (await this.guard(async () => {
          const r = await this.deps.venue.reconcile();
          if (r.fills > 0) this.nextBalanceAt = this.deps.clock.now();
        })) && ok;
      this.publishTraded();
    }
    if (this.deps.clock.now() >= this.nextBalanceAt) {
      this.nextBalanceAt = this.deps.clock.now() + this.cfg.balanceEveryMs;
      ok = (await this.guard(() => this.refreshBalances())) && ok;
    }
    return ok;
  }

  /**
   * Our resting orders on the grid, and the same as strings for MarketState (which takes them out of
   * the book before the fair value). Remaining = ⌊amount⌋ − ⌈filled⌉ lots (exact: ManagedVenue only
   * sends grid amounts). A price off the grid (never sent by us) is rounded away from the spread
   * (buys down, sells up): compared with on-grid prices that is exact (⌊b⌋ ≥ s ⇔ b ≥ s for an integer s).
   */
  private live(): { grid: GridLiveOrder[]; own: OwnOrder[] } {
    // A cycle reads the live orders twice (kill switch, then plan) and most cycles change none of them.
    const version = this.deps.venue.tracker.version;
    if (this.liveCache?.version === version) return this.liveCache;
    const g = this.planner!.grid;
    const grid: GridLiveOrder[] = [];
    const own: OwnOrder[] = [];
    const seen = new Map<string, ParsedOrder>();
    for (const o of this.deps.venue.openOrders()) {
      if (!RESTING.has(o.status)) continue;
      // Parsed once per order state: a cycle reads the same orders twice (kill switch, then plan).
      let p = this.parsed.get(o.clientOrderId);
      if (p?.price !== o.price || p.amount !== o.amount || p.filled !== o.filled) {
        const lots = g.lots(o.amount, 'floor') - g.lots(o.filled, 'ceil');
        const ticks = g.ticks(o.price, o.side === 'buy' ? 'floor' : 'ceil');
        p = { price: o.price, amount: o.amount, filled: o.filled, grid: { clientOrderId: o.clientOrderId, side: o.side, ticks, lots }, own: { side: o.side, price: o.price, amount: g.amountStr(lots) } };
      }
      seen.set(o.clientOrderId, p);
      if (p.grid.lots <= 0) continue;
      grid.push(p.grid);
      own.push(p.own);
    }
    this.parsed = seen;
    this.liveCache = { version, grid, own };
    return this.liveCache;
  }

  private fair(): number | undefined {
    const now = this.deps.clock.now();
    const fv = this.deps.market.fairValue(now, { maxAgeMs: this.cfg.maxDataAgeMs });
    this.currentFair = fv.ok ? fv.fairValue : undefined;
    if (!fv.ok) return undefined;
    this.vol = updateEwmaVol(this.vol, { t: now, price: fv.fairValue }, { halfLifeSec: this.cfg.volHalfLifeSec });
    return fv.fairValue;
  }

  /** The last PnL computed, by its inputs (about half the cycles see the same fair value and balances). */
  private lastPnl?: { fair: string; base: Decimal; quote: Decimal; pnlQuote: string };

  /** Mark-to-market PnL since the first fair value (decimal string); "0" until there is one. */
  private pnlQuote(fv: number | undefined): string {
    if (fv === undefined) return '0';
    const fair = fv.toPrecision(15);
    const last = this.lastPnl;
    // Same inputs, same decimal result (initialEquity is set once, by the first of these computations).
    if (last !== undefined && last.fair === fair && last.base === this.base && last.quote === this.quote) return last.pnlQuote;
    const equity = this.quote.plus(this.base.times(fair));
    this.initialEquity ??= equity;
    const pnlQuote = fmt(equity.minus(this.initialEquity));
    this.lastPnl = { fair, base: this.base, quote: this.quote, pnlQuote };
    return pnlQuote;
  }

  /** Updates this venue's observation and the shared kill-switch state; true if this venue must not quote. */
  private checkKillSwitch(): boolean {
    const { market, clock } = this.deps;
    const now = clock.now();
    market.setOwnOrders(this.venueId, this.live().own);
    const pnlQuote = this.pnlQuote(this.fair());
    const v = market.venue(this.venueId);
    const healthy = v?.healthy ?? false;
    market.setObservation(
      this.venueId,
      // No book yet (the first polls failed): the data is as old as this run, stale once older than the limit.
      { venueId: this.venueId, pnlQuote, inventoryBase: this.baseStr, healthy, lastBookAt: v?.bookAt ?? this.startedAt },
    );
    const r = evaluateKillSwitch(market.killSwitch, market.observations(), this.cfg.killSwitch, now);
    market.killSwitch = r.state;
    for (const d of r.tripped) {
      this.deps.logger?.error({ venue: this.venueId, decision: d }, 'kill switch tripped');
      this.deps.onTrip?.(d);
      if (d.scope === 'all') this.deps.onKill?.(d);
    }
    return haltedBy(market.killSwitch, this.venueId) !== undefined;
  }

  /** Decision: the order actions for now (pure given the state; what the latency bench times). */
  decide(mode: OperatingMode): Plan | undefined {
    const fair = this.currentFair;
    if (fair === undefined) return undefined;
    const sigma = Math.sqrt(this.vol.variancePerSec ?? this.cfg.seedVolatility ** 2) * fair;
    const t = this.deps.market.externalTouch(this.venueId);
    const touch = { ...(t.bid !== undefined ? { bid: Number(t.bid) } : {}), ...(t.ask !== undefined ? { ask: Number(t.ask) } : {}) };
    const portfolioOrders = this.cfg.inventorySkew?.scope === 'portfolio' ? this.deps.market.portfolioOrders() : undefined;
    return this.planner!.decide({ mode, fair, sigma, now: this.deps.clock.now(), live: this.live().grid, touch, ...(portfolioOrders !== undefined ? { portfolioOrders } : {}) });
  }

  private async execute(plan: Plan): Promise<void> {
    const g = this.planner!.grid;
    if (findSelfCrossOnGrid(plan.live, plan.actions) !== null) {
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
        await this.deps.venue.placeOrder({ side: a.side, price: g.priceStr(a.ticks), amount: g.amountStr(a.lots), postOnly: true });
        this.stats.placed += 1;
      } catch (e) {
        // The book moved under a post-only quote, or funds are short: skip this level, next cycle retries.
        if (!isVenueError(e) || !['VENUE.POST_ONLY_WOULD_CROSS', 'VENUE.INSUFFICIENT_FUNDS', 'VENUE.INVALID_ORDER'].includes(e.code)) throw e;
        this.stats.rejected += 1;
      }
    }
  }
}
