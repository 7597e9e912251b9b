// Price action in a backtest: the coordinator's `buyback` / `liquidation` decisions carried out with the
// shared executor (domain/price-action/executor.ts) against the simulated exchanges and the AMM pool,
// step for step as the live workflow does:
//   snapshot → startExecution (limit = arrival fair × (1 + limit %), buyback quantity = budget / fair)
//   → loop: wait until nextSliceAt (or a stop) → snapshot → planSlice → place the child orders → let the
//     passive ones rest 80 % of the slice interval → cancel the rest, collect the fills → applySlice
//     (skipSlice on a wait) → until a stop
//   → report filledBase and the budget used (movedUsd) to the coordinator → when it filled, the fair
//     value at the stop and +30 / +60 min later (impactReversion), recorded as it comes.
// The snapshot (MarketView):
//   books      each exchange's public book (API, with its latency and faults) minus Ballast's own open
//              orders (API openOrders on the same account, fetched at the same time); a venue whose
//              calls fail is left out of that step;
//   own quotes ownBestBid / ownBestAsk = the quoting engine's open orders (not `pa-` ones);
//   trades     the engines' trade feed and the pool's swaps: the last trade and the volume where neither
//              side is Ballast;
//   fair       the quoting engine's own cross-venue fair value (MarketState.fairValue, same inputs and
//              maxDataAgeMs as the quoters); if it has none, the depth-weighted mid of the independent
//              books; σ from that fair value sampled every 10 s over the last 30 min;
//   pool       reserves of the scenario's AMM pool, when Ballast's wallet there can pay for the side.
// Child orders: IOC / post-only GTC limit orders on the SimExchange under Ballast's account with the
// executor's client ids (`pa-…`), or a swap from Ballast's pool wallet (exact-out buy / exact-in sell
// with the executor's worst price as the slippage limit). Checks kept for the report: self-trades
// (maker and taker both Ballast), resting Ballast orders the exchanges' self-trade prevention expired
// (a `pa-` order, or a quote expired at the instant a `pa-` order arrived on that venue).
import type { Clock } from '../../domain/clock';
import { D, fmt } from '../../domain/money';
import type { BudgetLimits } from '../../domain/price-action/budget';
import { followingPrice } from '../../domain/price-action/execution-schedule';
import {
  ExecutionParamsSchema,
  PRICE_ACTION_ORDER_PREFIX,
  applySlice,
  executionReport,
  idHash,
  impactReversion,
  nextSliceAt,
  planSlice,
  skipSlice,
  startExecution,
  stopExecution,
  type ChildOrder,
  type ExecutionParams,
  type ExecutionParamsInput,
  type ExecutionReport,
  type ExecutionState,
  type MarketView,
  type PriceActionKind,
  type SliceFill,
  type VenueView,
} from '../../domain/price-action/executor';
import type { MarketState } from '../../domain/quoting/market-state';
import type { PriceActionPolicy } from '../../domain/treasury/coordinator-policy';
import { fromUnits, toUnits } from '../../domain/token-units';
import type { AmmVenue } from '../market/amm-venue';
import type { SimExchange } from '../exchange/sim-exchange';
import type { EngineOrder } from '../engine/engine.types';
import { sleep } from './sim-executor-transfers';

/** Execution knobs the backtest sets beside the policy's (quantity and limit come from the decision). */
export type SimExecutionParams = Omit<Partial<ExecutionParamsInput>, 'quantity' | 'limitPrice' | 'durationMs' | 'participationPct' | 'maxFairMovePct'>;

export interface SimPriceActionOptions {
  clock: Clock;
  exchanges: Record<string, SimExchange>;
  account: string;
  policy: PriceActionPolicy;
  /** The price-action budget over any 24 h (config priceAction.dailyUsd). */
  dailyUsd: string;
  /** The quoting engine's MarketState: its fair value is the executor's. */
  market?: MarketState;
  /** The fair value's data age limit (the quoters' maxDataAgeMs). Default 60 s. */
  fairMaxAgeMs?: number;
  /** The scenario's AMM pool, where Ballast's wallet may swap. */
  pool?: AmmVenue;
  execution?: SimExecutionParams;
  /** Reversion measured this long after the stop (ms). Default 30 and 60 min. */
  reversionAfterMs?: readonly number[];
}

/** One child order as placed, with what the executor knew of the venue then (for the checks). */
export interface ChildRecord {
  k: number;
  atMs: number;
  venue: string;
  type: ChildOrder['type'];
  side: 'buy' | 'sell';
  price: string;
  amount: string;
  /** The never-lead price on that venue at the snapshot (followingPrice with the limit). */
  followingPrice?: number;
  ownBestBid?: number;
  ownBestAsk?: number;
  /** Ballast's quoting best ask / bid on the engine at the instant the order was sent. */
  ownBestAskAtSend?: number;
  ownBestBidAtSend?: number;
  status: 'filled' | 'partial' | 'unfilled' | 'rejected';
  filled: string;
  reject?: string;
}

export interface PriceActionRecord {
  kind: PriceActionKind;
  limitPrice: string;
  quantity: string;
  arrivalFair: number;
  endFair?: number;
  /** When the execution stopped trading and reported back (the reversion is measured from here). */
  stoppedAt?: number;
  /** Which fair value the executor used at arrival. */
  fairSource: 'quoting-engine' | 'book-mid';
  report: ExecutionReport;
  /** Share of the execution's impact reverted after each delay (null: no impact to revert); measured after the report, only when it filled. */
  reversion: { afterMs: number; fair: number; reverted: number | null }[];
  children: ChildRecord[];
  /** `pa-` orders expired by self-trade prevention, and quotes expired the instant a `pa-` order arrived. */
  stpExpired: { priceAction: number; quotes: number };
}

export interface PriceActionChecks {
  /** Trades with Ballast's account on both sides (any order, quoting or price action). */
  selfTrades: number;
  /** Resting Ballast orders expired by self-trade prevention: `pa-` ones, quotes hit by a `pa-` taker, any other. */
  stpExpired: { priceAction: number; quotesByPriceAction: number; otherQuotes: number };
}

interface Run {
  id: string;
  prefix: string;
  stop?: string;
  wake?: () => void;
  fills: SliceFill[];
  rec?: PriceActionRecord;
}

const SAMPLE_MS = 10_000;
const SIGMA_WINDOW_MS = 30 * 60_000;
const TRADE_KEEP_MS = 30 * 60_000;
const BOOK_DEPTH = 50;
const SEND_RETRY = { initialMs: 1_000, coefficient: 2, maxMs: 10_000, attempts: 4 };

export class SimPriceAction {
  private readonly runs = new Map<string, Run>();
  private readonly trades = new Map<string, { t: number; price: number; amount: number }[]>();
  private readonly fairs: { t: number; f: number }[] = [];
  private readonly checks: PriceActionChecks = { selfTrades: 0, stpExpired: { priceAction: 0, quotesByPriceAction: 0, otherQuotes: 0 } };
  /** Per venue: when a `pa-` order last reached the engine, and quotes STP-expired at a given instant. */
  private readonly paArrivedAt = new Map<string, number>();
  private readonly quoteExpiredAt = new Map<string, number[]>();
  private readonly lastStepAt = new Map<string, number>();
  private readonly unsubscribe: (() => void)[] = [];
  private cancelSampler?: () => void;

  constructor(private readonly o: SimPriceActionOptions) {
    for (const [id, ex] of Object.entries(o.exchanges)) {
      this.trades.set(id, []);
      this.unsubscribe.push(
        ex.engine.subscribe({
          onTrade: (t) => {
            const mine = (t.makerAccount === o.account ? 1 : 0) + (t.takerAccount === o.account ? 1 : 0);
            if (mine === 2) this.checks.selfTrades += 1;
            if (mine === 0) this.pushTrade(id, { t: t.timestamp, price: Number(t.price), amount: Number(t.amount) });
          },
          onFill: (f) => {
            if (f.account !== o.account || !f.clientOrderId?.startsWith(PRICE_ACTION_ORDER_PREFIX)) return;
            const run = [...this.runs.values()].find((r) => f.clientOrderId!.startsWith(r.prefix));
            if (!run) return;
            const price = new D(f.price);
            const quote = price.times(f.amount);
            // The fee is in the asset received: base for a buy (valued at the fill price), quote for a sell.
            const feeQuote = f.side === 'buy' ? new D(f.fee).times(price) : new D(f.fee);
            run.fills.push({ venue: id, base: f.amount, quote: fmt(quote), feeQuote: fmt(feeQuote) });
          },
          onOrderUpdate: (ord) => this.noteOrder(id, ord),
        }),
      );
    }
    const pool = o.pool;
    if (pool) {
      this.trades.set(pool.id, []);
      this.unsubscribe.push(
        pool.subscribe((x) => {
          if (x.account === o.account) return;
          const [b, q] = x.side === 'buy' ? [x.amountOut, x.amountIn] : [x.amountIn, x.amountOut];
          const base = Number(fromUnits(b, pool.config.baseDecimals));
          if (base > 0) this.pushTrade(pool.id, { t: x.timestamp, price: Number(fromUnits(q, pool.config.quoteDecimals)) / base, amount: base });
        }),
      );
    }
    this.sample();
  }

  private pushTrade(venue: string, t: { t: number; price: number; amount: number }): void {
    const xs = this.trades.get(venue)!;
    xs.push(t);
    if (xs.length > 4096 && xs[0]!.t < t.t - TRADE_KEEP_MS) xs.splice(0, xs.findIndex((x) => x.t >= t.t - TRADE_KEEP_MS));
  }

  /** Independent volume on a venue over (from, now]. */
  private volume(venue: string, from: number, now: number): number {
    return (this.trades.get(venue) ?? []).reduce((a, t) => (t.t > from && t.t <= now ? a + t.amount : a), 0);
  }

  /** The checks over the whole run so far. */
  stats(): PriceActionChecks {
    return JSON.parse(JSON.stringify(this.checks)) as PriceActionChecks;
  }

  stop(): void {
    this.cancelSampler?.();
    for (const u of this.unsubscribe) u();
  }

  /** The coordinator asks a running execution to stop (its imbalance cleared): it stops at its next step. */
  requestStop(id: string, reason: string): void {
    const run = this.runs.get(id);
    if (!run || run.stop !== undefined) return;
    run.stop = reason;
    run.wake?.();
  }

  /**
   * Runs one decision to its end (reversion measured), filling `onRecord` as it goes.
   * Returns what the child reports: filled base and the budget used (USD at the fair value of each slice).
   */
  async execute(d: { id: string; kind: PriceActionKind; maxUsd: string; quantityBase?: string }, onRecord: (r: PriceActionRecord) => void): Promise<{ filledBase: string; movedUsd: string; stopReason?: string; message: string }> {
    const { clock, policy } = this.o;
    const run: Run = { id: d.id, prefix: `${PRICE_ACTION_ORDER_PREFIX}${idHash(d.id)}-`, fills: [] };
    this.runs.set(d.id, run);
    try {
      const arrival = await this.snapshot(undefined);
      if (!(arrival.view.fair > 0)) throw new Error('no fair value at arrival');
      const fair = arrival.view.fair;
      const pct = d.kind === 'buyback' ? policy.buybackLimitPct : policy.liquidationPremiumPct;
      const limitPrice = fmt(new D(fair).times(1 + pct / 100).toSignificantDigits(10));
      const quantity = d.kind === 'buyback' ? fmt(new D(d.maxUsd).div(fair).toDecimalPlaces(8, D.ROUND_DOWN)) : (d.quantityBase ?? '0');
      const params: ExecutionParams = ExecutionParamsSchema.parse({
        ...(this.o.execution ?? {}),
        quantity,
        limitPrice,
        durationMs: policy.durationMs,
        participationPct: policy.participationPct,
        maxFairMovePct: policy.maxFairMovePct,
      });
      // A liquidation's decision carries no USD budget: its quantity bounds it (the budget never binds).
      const episodeUsd = d.kind === 'buyback' ? d.maxUsd : fmt(new D(quantity).times(fair).times(100));
      const limits: BudgetLimits = { dailyUsd: d.kind === 'buyback' ? this.o.dailyUsd : episodeUsd, episodeUsd };
      let s = startExecution({ kind: d.kind, workflowId: d.id, episode: d.id, params, view: arrival.view });
      const rec: PriceActionRecord = { kind: d.kind, limitPrice, quantity, arrivalFair: fair, fairSource: arrival.source, report: executionReport(s), reversion: [], children: [], stpExpired: { priceAction: 0, quotes: 0 } };
      run.rec = rec;
      onRecord(rec);
      s = await this.loop(run, s, params, limits);
      rec.report = executionReport(s);
      rec.stoppedAt = clock.now();
      onRecord(rec);
      // As the workflow: report to the coordinator first, then measure the reversion (when it bought or sold).
      if (new D(s.filledBase).gt(0)) void this.measureReversion(d.kind, rec, onRecord);
      const r = rec.report;
      return { filledBase: r.filledBase, movedUsd: r.budgetUsedUsd, ...(r.stopReason ? { stopReason: r.stopReason } : {}), message: `${r.stopReason ?? 'stopped'}: ${r.filledBase} of ${r.quantity} at ${r.averagePrice ?? '—'} (arrival ${r.arrivalPrice}, shortfall ${r.shortfallBps ?? '—'} bp), ${r.budgetUsedUsd} USD` };
    } finally {
      this.runs.delete(d.id);
    }
  }

  /** The fair value at the stop and +30 / +60 min later: how much of the execution's impact reverted. */
  private async measureReversion(kind: PriceActionKind, rec: PriceActionRecord, onRecord: (r: PriceActionRecord) => void): Promise<void> {
    const end = await this.fairNow();
    rec.endFair = end;
    let waited = 0;
    for (const after of this.o.reversionAfterMs ?? [30 * 60_000, 60 * 60_000]) {
      await sleep(this.o.clock, after - waited);
      waited = after;
      const later = await this.fairNow();
      rec.reversion.push({ afterMs: after, fair: later, reverted: impactReversion(kind, { arrival: rec.arrivalFair, end, later }) });
      onRecord(rec);
    }
  }

  private async loop(run: Run, start: ExecutionState, params: ExecutionParams, limits: BudgetLimits): Promise<ExecutionState> {
    const { clock } = this.o;
    let s = start;
    let waitUntil = nextSliceAt(s);
    while (s.status === 'running' && waitUntil !== undefined) {
      await this.sleepOrStop(run, waitUntil - clock.now());
      if (run.stop !== undefined) {
        s = stopExecution(s, 'IMBALANCE_CLEARED', run.stop);
        break;
      }
      const snap = await this.snapshot(run);
      const plan = planSlice(s, params, snap.view, limits);
      if (plan.kind === 'stop') {
        s = stopExecution(s, plan.reason, plan.note);
        break;
      }
      if (plan.kind === 'wait') {
        // As the workflow: at least 1 s, until the plan's time or the deadline, whichever is first.
        s = skipSlice(s, snap.view.nowMs);
        waitUntil = clock.now() + Math.max(1_000, Math.min(plan.untilMs, s.deadline) - clock.now());
        continue;
      }
      await this.slice(run, plan.k, plan.orders, snap.view, params);
      const fills = run.fills.splice(0);
      s = applySlice(s, { k: plan.k, fills, view: snap.view, limits, planned: plan.planned, orders: plan.orders.length, note: plan.note });
      run.rec!.report = executionReport(s);
      waitUntil = nextSliceAt(s);
    }
    // Fills that arrived after the last slice was booked (a late cancel) still count.
    if (run.fills.length > 0) {
      const view = (await this.snapshot(run)).view;
      s = applySlice({ ...s, status: 'running' }, { k: s.next, fills: run.fills.splice(0), view, limits, planned: '0', orders: 0, note: 'late fills' });
      s = { ...s, status: 'stopped' };
    }
    if (s.status === 'running') s = stopExecution(s, 'DEADLINE', 'schedule ran out');
    return s;
  }

  /** Places the slice's child orders, lets the passive ones rest, cancels what is left. */
  private async slice(run: Run, k: number, orders: ChildOrder[], view: MarketView, params: ExecutionParams): Promise<void> {
    const { clock, account } = this.o;
    const rec = run.rec!;
    const resting: { ex: SimExchange; cid: string; child: ChildRecord }[] = [];
    await Promise.all(
      orders.map(async (o) => {
        const v = view.venues.find((x) => x.venue === o.venue)!;
        const child: ChildRecord = { k, atMs: clock.now(), venue: o.venue, type: o.type, side: o.side, price: o.price, amount: o.amount, status: 'unfilled', filled: '0', ...this.venueRefs(v, o.side, rec.limitPrice) };
        rec.children.push(child);
        if (o.type === 'swap') return this.swap(run, o, child);
        const ex = this.o.exchanges[o.venue]!;
        const atSend = ownTouch(ex.engine.openOrders(account));
        if (atSend.ask !== undefined) child.ownBestAskAtSend = atSend.ask;
        if (atSend.bid !== undefined) child.ownBestBidAtSend = atSend.bid;
        try {
          const placed = await this.send(() =>
            ex.placeOrder(account, { clientOrderId: o.clientOrderId, side: o.side, type: 'limit', price: o.price, amount: o.amount, ...(o.type === 'ioc' ? { timeInForce: 'IOC' as const } : { postOnly: true }) }),
          );
          settle(child, placed.order);
          if (o.type === 'passive' && (placed.order.status === 'open' || placed.order.status === 'partially_filled')) resting.push({ ex, cid: o.clientOrderId, child });
        } catch (e) {
          child.status = 'rejected';
          child.reject = e instanceof Error ? e.message.slice(0, 200) : String(e);
          // A timed-out send may still have placed it: cancelled with the others by its client id.
          if (o.type === 'passive') resting.push({ ex, cid: o.clientOrderId, child });
        }
      }),
    );
    if (resting.length === 0) return;
    await this.sleepOrStop(run, Math.round(0.8 * params.sliceIntervalMs));
    await Promise.all(
      resting.map(async (r) => {
        try {
          settle(r.child, await this.send(() => r.ex.cancelOrder(account, { clientOrderId: r.cid })));
        } catch {
          // Filled meanwhile, or the venue kept failing: what it holds now is what it did.
          const o = r.ex.engine.getOrder(account, { clientOrderId: r.cid });
          if (o) settle(r.child, o);
        }
      }),
    );
  }

  /** A pool swap from Ballast's wallet: exact-out for a buy, exact-in for a sell, the worst price as the limit. */
  private swap(run: Run, o: ChildOrder, child: ChildRecord): void {
    const pool = this.o.pool!;
    const { baseDecimals: bd, quoteDecimals: qd } = pool.config;
    const worst = new D(o.worstPrice ?? o.price);
    const r =
      o.side === 'buy'
        ? pool.swapExactOut(this.o.account, 'buy', toUnits(o.amount, bd), toUnits(fmt(worst.times(o.amount).toDecimalPlaces(qd, D.ROUND_DOWN)), qd))
        : pool.swapExactIn(this.o.account, 'sell', toUnits(o.amount, bd), toUnits(fmt(worst.times(o.amount).toDecimalPlaces(qd, D.ROUND_UP)), qd));
    if (!r.ok) {
      child.status = 'rejected';
      child.reject = r.reason;
      return;
    }
    const base = fromUnits(o.side === 'buy' ? r.swap.amountOut : r.swap.amountIn, bd);
    const quote = fromUnits(o.side === 'buy' ? r.swap.amountIn : r.swap.amountOut, qd);
    child.status = 'filled';
    child.filled = base;
    // The pool's 0.3 % is in the price: no separate fee.
    run.fills.push({ venue: o.venue, base, quote, feeQuote: '0' });
  }

  private venueRefs(v: VenueView, side: 'buy' | 'sell', limit: string): Partial<ChildRecord> {
    const f = followingPrice(side, {
      limit: Number(limit),
      ...(v.lastIndependentTrade !== undefined ? { lastIndependentTrade: v.lastIndependentTrade } : {}),
      ...(v.bids[0] ? { bestIndependentBid: v.bids[0].price } : {}),
      ...(v.asks[0] ? { bestIndependentAsk: v.asks[0].price } : {}),
    });
    return { ...(f !== undefined ? { followingPrice: f } : {}), ...(v.ownBestAsk !== undefined ? { ownBestAsk: v.ownBestAsk } : {}), ...(v.ownBestBid !== undefined ? { ownBestBid: v.ownBestBid } : {}) };
  }

  /** One API call, retried on a failure a few times (the activity's retry), rethrowing the last error. */
  private async send<T>(fn: () => Promise<T>): Promise<T> {
    let delay = SEND_RETRY.initialMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (attempt >= SEND_RETRY.attempts || (code !== 'VENUE.RATE_LIMITED' && code !== 'VENUE.UNAVAILABLE')) throw e;
        await sleep(this.o.clock, delay);
        delay = Math.min(SEND_RETRY.maxMs, delay * SEND_RETRY.coefficient);
      }
    }
  }

  private sleepOrStop(run: Run, ms: number): Promise<void> {
    if (run.stop !== undefined || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const cancel = this.o.clock.schedule(ms, () => {
        run.wake = undefined;
        resolve();
      });
      run.wake = () => {
        run.wake = undefined;
        cancel();
        resolve();
      };
    });
  }

  // ---- the snapshot ------------------------------------------------------------------------------

  private async snapshot(run: Run | undefined): Promise<{ view: MarketView; source: PriceActionRecord['fairSource'] }> {
    const { clock, account } = this.o;
    const windowMs = this.o.execution?.participationWindowMs ?? ExecutionParamsSchema.shape.participationWindowMs.parse(undefined);
    const venues: VenueView[] = [];
    await Promise.all(
      Object.entries(this.o.exchanges).map(async ([id, ex]) => {
        try {
          const [book, open] = await Promise.all([ex.fetchBook(account, BOOK_DEPTH), ex.openOrders(account)]);
          const now = clock.now();
          const m = ex.market;
          const touch = ownTouch(open);
          const trades = this.trades.get(id)!;
          const last = trades[trades.length - 1];
          const since = this.lastStepAt.get(id) ?? now;
          if (run) this.lastStepAt.set(id, now);
          venues.push({
            venue: id,
            kind: 'cex',
            tickSize: m.tickSize,
            lotSize: m.lotSize,
            minNotional: m.minNotional,
            takerFee: Number(m.takerFee),
            bids: independent(book.bids, open, 'buy'),
            asks: independent(book.asks, open, 'sell'),
            ...(touch.bid !== undefined ? { ownBestBid: touch.bid } : {}),
            ...(touch.ask !== undefined ? { ownBestAsk: touch.ask } : {}),
            ...(last ? { lastIndependentTrade: last.price } : {}),
            independentVolume: this.volume(id, now - windowMs, now),
            stepVolume: this.volume(id, since, now),
          });
        } catch {
          // The venue is failing: this step goes without it (the workflow's snapshot activity does the same).
        }
      }),
    );
    venues.sort((a, b) => a.venue.localeCompare(b.venue));
    const pool = this.poolView(windowMs, run !== undefined);
    if (pool) venues.push(pool);
    const engineFair = this.engineFair();
    const fair = engineFair ?? bookMid(venues);
    return { view: { nowMs: clock.now(), fair: fair ?? 0, sigmaPerSqrtSec: this.sigma(), venues }, source: engineFair !== undefined ? 'quoting-engine' : 'book-mid' };
  }

  private poolView(windowMs: number, step: boolean): VenueView | undefined {
    const pool = this.o.pool;
    if (!pool) return undefined;
    const now = this.o.clock.now();
    const since = this.lastStepAt.get(pool.id) ?? now;
    if (step) this.lastStepAt.set(pool.id, now);
    const w = pool.balances(this.o.account);
    const r = pool.reservesFloat();
    // Only when Ballast's wallet there can pay for something (the route would count on it otherwise).
    if (Number(fromUnits(w.quote, pool.config.quoteDecimals)) < 50 && Number(fromUnits(w.base, pool.config.baseDecimals)) < 100) return undefined;
    const last = this.trades.get(pool.id)!.at(-1);
    return {
      venue: pool.id,
      kind: 'pool',
      tickSize: '0.00000001',
      lotSize: '0.000001',
      minNotional: '1',
      takerFee: 0.003,
      bids: [],
      asks: [],
      ...(last ? { lastIndependentTrade: last.price } : {}),
      independentVolume: this.volume(pool.id, now - windowMs, now),
      stepVolume: this.volume(pool.id, since, now),
      pool: { reserveBase: r.base, reserveQuote: r.quote, fee: 0.003 },
    };
  }

  private engineFair(): number | undefined {
    const fv = this.o.market?.fairValue(this.o.clock.now(), { maxAgeMs: this.o.fairMaxAgeMs ?? 60_000 });
    return fv?.ok ? fv.fairValue : undefined;
  }

  private async fairNow(): Promise<number> {
    return this.engineFair() ?? (await this.snapshot(undefined)).view.fair;
  }

  /** σ of the fair value, price per √s, from the 10 s samples of the last 30 min. */
  private sigma(): number {
    let ss = 0;
    let dt = 0;
    for (let i = 1; i < this.fairs.length; i++) {
      const a = this.fairs[i - 1]!;
      const b = this.fairs[i]!;
      ss += (b.f - a.f) ** 2;
      dt += (b.t - a.t) / 1000;
    }
    return dt > 0 ? Math.sqrt(ss / dt) : 0;
  }

  private sample(): void {
    const f = this.engineFair();
    const now = this.o.clock.now();
    if (f !== undefined) this.fairs.push({ t: now, f });
    while (this.fairs.length && this.fairs[0]!.t < now - SIGMA_WINDOW_MS) this.fairs.shift();
    this.cancelSampler = this.o.clock.schedule(SAMPLE_MS, () => this.sample());
  }

  private noteOrder(venue: string, ord: EngineOrder): void {
    if (ord.account !== this.o.account) return;
    const pa = ord.clientOrderId?.startsWith(PRICE_ACTION_ORDER_PREFIX) ?? false;
    // A `pa-` order reaching the engine: quotes STP expired in that same operation were its doing (the
    // engine reports the expired maker before the taker).
    if (pa && ord.updatedAt === ord.timestamp) {
      this.paArrivedAt.set(venue, ord.timestamp);
      const xs = this.quoteExpiredAt.get(venue) ?? [];
      const n = xs.filter((t) => t === ord.timestamp).length;
      if (n > 0) {
        this.quoteExpiredAt.set(venue, xs.filter((t) => t !== ord.timestamp));
        this.checks.stpExpired.otherQuotes -= n;
        this.quotesByPa(n);
      }
    }
    // Only self-trade prevention expires a resting (GTC limit) order; an IOC's unfilled rest expires too.
    if (ord.status !== 'expired' || ord.timeInForce !== 'GTC' || ord.type !== 'limit') return;
    if (pa) {
      this.checks.stpExpired.priceAction += 1;
      for (const r of this.runs.values()) if (ord.clientOrderId!.startsWith(r.prefix) && r.rec) r.rec.stpExpired.priceAction += 1;
    } else if (this.paArrivedAt.get(venue) === ord.updatedAt) {
      this.quotesByPa(1);
    } else {
      this.checks.stpExpired.otherQuotes += 1;
      this.quoteExpiredAt.set(venue, [...(this.quoteExpiredAt.get(venue) ?? []), ord.updatedAt].slice(-20));
    }
  }

  private quotesByPa(n: number): void {
    this.checks.stpExpired.quotesByPriceAction += n;
    for (const r of this.runs.values()) if (r.rec) r.rec.stpExpired.quotes += n;
  }
}

/** A child's final state from the exchange's order record. */
function settle(child: ChildRecord, o: EngineOrder): void {
  child.filled = o.filled;
  const f = new D(o.filled);
  child.status = f.gte(o.amount) ? 'filled' : f.gt(0) ? 'partial' : 'unfilled';
}

/** Ballast's best resting buy and sell prices among `orders`. */
function ownTouch(orders: readonly EngineOrder[]): { bid?: number; ask?: number } {
  let bid: number | undefined;
  let ask: number | undefined;
  for (const o of orders) {
    if (o.price === undefined || o.clientOrderId?.startsWith(PRICE_ACTION_ORDER_PREFIX)) continue;
    const p = Number(o.price);
    if (o.side === 'buy') bid = bid === undefined ? p : Math.max(bid, p);
    else ask = ask === undefined ? p : Math.min(ask, p);
  }
  return { ...(bid !== undefined ? { bid } : {}), ...(ask !== undefined ? { ask } : {}) };
}

/** A side of the public book with Ballast's open orders on it taken out (by price level). */
function independent(levels: readonly { price: string; amount: string }[], own: readonly EngineOrder[], side: 'buy' | 'sell'): { price: number; amount: number }[] {
  const mine = new Map<number, number>();
  for (const o of own) {
    if (o.side !== side || o.price === undefined) continue;
    const p = Number(o.price);
    mine.set(p, (mine.get(p) ?? 0) + Number(o.amount) - Number(o.filled));
  }
  const out: { price: number; amount: number }[] = [];
  for (const l of levels) {
    const p = Number(l.price);
    const left = Number(l.amount) - (mine.get(p) ?? 0);
    if (left > 1e-12) out.push({ price: p, amount: left });
  }
  return out;
}

/** Depth-weighted mid of the independent books (top 5 levels each side), when the engine has no fair value. */
function bookMid(venues: readonly VenueView[]): number | undefined {
  let w = 0;
  let x = 0;
  for (const v of venues) {
    if (v.kind !== 'cex' || !v.bids[0] || !v.asks[0]) continue;
    const depth = [...v.bids.slice(0, 5), ...v.asks.slice(0, 5)].reduce((a, l) => a + l.amount, 0);
    x += depth * ((v.bids[0].price + v.asks[0].price) / 2);
    w += depth;
  }
  return w > 0 ? x / w : undefined;
}
