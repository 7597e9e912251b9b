// SimExchange: one simulated centralized exchange — a MatchingEngine for its market, accounts,
// deposits/withdrawals over a TransferNetwork, and the realism that makes clients robust.
//
// Realism knobs (all driven by the injected Clock and seeded Rng, so a run replays exactly):
// - latencyMs {min,max}: one-way network delay, sampled uniformly per leg. A request reaches the
//   engine one sample after it is sent (that is when it executes — orders from two clients race
//   like on a real venue) and its answer arrives one more sample later. Stream pushes take one leg.
// - rateLimit {capacity, refillPerSec}: token bucket per account; each call has a weight
//   (REQUEST_WEIGHTS). Over the limit → VENUE.RATE_LIMITED with retryAfterMs until enough refills.
// - requestTimeoutMs: the caller's timeout; an answer later than this is a VENUE.UNAVAILABLE "timed out".
// - faults (FaultInjector, on/off at run time or scheduled for a window): outage, http5xx (a
//   fraction of requests), timeouts (optionally still executed: "was my order placed?"), staleBook
//   (book frozen while matching continues), withdrawalsSuspended. See fault-injector.ts.
// - withdrawals {fees, minConfirmations, blockTimeMs, processingDelayMs}: flat fee per asset; a
//   withdrawal is held, processed after the delay, broadcast with a tx hash and confirmed block by
//   block; deposits are credited after minConfirmations blocks. See transfer-desk.ts.
import { z } from 'zod';
import { DomainError, ValidationError, parseOrThrow } from '../../domain/errors';
import { D, fmt, zDecimal, zNonNegativeDecimal, zPositiveDecimal } from '../../domain/money';
import type { Rng } from '../../domain/rng';
import type { TransferRecord, WithdrawRequest } from '../../venues/venue.port';
import { VenueError } from '../../venues/venue-errors';
import type { Clock } from '../../domain/clock';
import type { BookView, EngineBalance, EngineFill, EngineMarketConfig, EngineOrder, EngineTrade, PlaceOrderInput, RejectReason } from '../engine/engine.types';
import { MatchingEngine } from '../engine/matching-engine';
import { FaultInjector } from './fault-injector';
import { MarketStreams, type Unsubscribe } from './market-stream';
import { RateLimitSchema, TokenBucketLimiter } from './rate-limiter';
import { TransferDesk, WithdrawalsConfigSchema } from './transfer-desk';
import type { TransferNetwork } from './transfer-network';

export const EngineMarketConfigSchema = z
  .object({
    symbol: z.string().regex(/^[A-Z0-9]{2,12}\/[A-Z0-9]{2,12}$/, 'expected a market like "BLST/USDT"'),
    base: z.string().min(1),
    quote: z.string().min(1),
    tickSize: zPositiveDecimal,
    lotSize: zPositiveDecimal,
    minNotional: zNonNegativeDecimal,
    makerFee: zDecimal,
    takerFee: zDecimal,
    selfTradePrevention: z.enum(['expire_taker', 'expire_maker', 'expire_both']).optional(),
  })
  .strict()
  .refine((m) => m.symbol === `${m.base}/${m.quote}`, { message: 'must be "<base>/<quote>"', path: ['symbol'] });

const LatencySchema = z
  .object({ min: z.number().int().nonnegative(), max: z.number().int().nonnegative() })
  .strict()
  .refine((l) => l.min <= l.max, { message: 'min must not exceed max', path: ['min'] });

/** Weight of each call against the account's token bucket. */
export const REQUEST_WEIGHTS = {
  ping: 1,
  market: 1,
  book: 1,
  trades: 1,
  balances: 2,
  placeOrder: 1,
  cancelOrder: 1,
  getOrder: 1,
  openOrders: 3,
  myTrades: 5,
  depositAddress: 1,
  withdraw: 1,
  transfers: 2,
} as const;
const MAX_WEIGHT = Math.max(...Object.values(REQUEST_WEIGHTS));

export const SimExchangeConfigSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]{1,31}$/, 'expected an exchange id: lowercase letters, digits, "-"'),
    market: EngineMarketConfigSchema,
    latencyMs: LatencySchema,
    rateLimit: RateLimitSchema,
    requestTimeoutMs: z.number().int().positive().default(10_000),
    withdrawals: WithdrawalsConfigSchema,
  })
  .strict()
  .refine((c) => c.rateLimit.capacity >= MAX_WEIGHT, {
    message: `must be at least ${MAX_WEIGHT}, the heaviest request's weight`,
    path: ['rateLimit', 'capacity'],
  });
export type SimExchangeConfig = z.input<typeof SimExchangeConfigSchema>;

export interface SimExchangeDeps {
  clock: Clock;
  rng: Rng;
  network: TransferNetwork;
}


export type OrderInput = Omit<PlaceOrderInput, 'account'>;

/** Levels a side captured when the book goes stale (more than any client asks for). */
const FROZEN_DEPTH = 1000;

export class SimExchange {
  readonly id: string;
  readonly market: EngineMarketConfig;
  /** The engine itself: agents may trade on it directly (no latency, no faults), and tests inspect it. */
  readonly engine: MatchingEngine;
  readonly faults: FaultInjector;
  readonly streams: MarketStreams;
  readonly clock: Clock;
  private readonly cfg: z.output<typeof SimExchangeConfigSchema>;
  private readonly rng: Rng;
  private readonly limiter: TokenBucketLimiter;
  private readonly desk: TransferDesk;
  private frozenBook?: BookView;

  constructor(config: SimExchangeConfig, deps: SimExchangeDeps) {
    this.cfg = parseOrThrow(SimExchangeConfigSchema, config, 'sim exchange config');
    this.id = this.cfg.id;
    this.market = this.cfg.market;
    this.clock = deps.clock;
    this.rng = deps.rng;
    this.engine = new MatchingEngine(this.market, { clock: deps.clock });
    this.faults = new FaultInjector(deps.clock, deps.rng);
    this.limiter = new TokenBucketLimiter(deps.clock, this.cfg.rateLimit);
    // One draw at construction: every address and tx hash of this exchange derives from it.
    const salt = Math.floor(deps.rng() * 2 ** 32);
    const shared = { exchangeId: this.id, engine: this.engine, clock: deps.clock, faults: this.faults };
    this.desk = new TransferDesk(this.cfg.withdrawals, { ...shared, network: deps.network, salt, feeAccount: this.engine.feeAccount });
    this.streams = new MarketStreams({ ...shared, latency: () => this.latency() });
    this.faults.onChange((kind, active) => {
      if (kind === 'staleBook') this.frozenBook = active ? this.engine.book(FROZEN_DEPTH) : undefined;
    });
  }

  get network(): string {
    return this.desk.network;
  }

  get hotWallet(): string {
    return this.desk.hotWallet;
  }

  /**
   * Every API call: latency out → fault check → rate limit → `fn` runs on the exchange → latency back.
   * Failed (faulted) requests do not consume rate-limit tokens.
   */
  request<T>(account: string, weight: number, fn: () => T): Promise<T> {
    if (!Number.isInteger(weight) || weight < 0 || weight > this.cfg.rateLimit.capacity) {
      return Promise.reject(new RangeError(`request weight must be an integer in [0, ${this.cfg.rateLimit.capacity}], got ${weight}`));
    }
    return new Promise<T>((resolve, reject) => {
      const timeoutMs = this.cfg.requestTimeoutMs;
      const out = this.latency();
      const timedOut = (): VenueError => new VenueError('VENUE.UNAVAILABLE', this.id, `request timed out after ${timeoutMs} ms`);
      this.clock.schedule(out, () => {
        const fate = this.faults.decide();
        if (fate.kind === 'timeout') {
          if (fate.executes && this.limiter.tryTake(account, weight).ok) this.attempt(fn); // it happened; the answer is lost
          this.clock.schedule(Math.max(0, timeoutMs - out), () => reject(timedOut()));
          return;
        }
        let answer: { ok: true; value: T } | { ok: false; error: VenueError };
        if (fate.kind === 'fail') {
          answer = { ok: false, error: new VenueError('VENUE.UNAVAILABLE', this.id, fate.message) };
        } else {
          const taken = this.limiter.tryTake(account, weight);
          answer = taken.ok
            ? this.attempt(fn)
            : { ok: false, error: new VenueError('VENUE.RATE_LIMITED', this.id, `rate limit exceeded, retry after ${taken.retryAfterMs} ms`, taken.retryAfterMs) };
        }
        const back = this.latency();
        if (out + back > timeoutMs) {
          this.clock.schedule(Math.max(0, timeoutMs - out), () => reject(timedOut()));
          return;
        }
        this.clock.schedule(back, () => (answer.ok ? resolve(answer.value) : reject(answer.error)));
      });
    });
  }

  // ---- admin (no latency, no faults): scenario set-up and inspection --------------------------

  /** Genesis credit to an account (counts as new supply in conservation checks). */
  /** Gives an account one deposit address for every asset (see TransferDesk.assignDepositAddress), and optionally the memo it credits by. */
  assignDepositAddress(account: string, address: string, memo?: string): void {
    this.desk.assignDepositAddress(account, address, memo);
  }

  /** The flat withdrawal fee for an asset (what the venue publishes), or undefined if it cannot be withdrawn. */
  withdrawalFee(asset: string): string | undefined {
    return this.cfg.withdrawals.fees[asset];
  }

  fund(account: string, asset: string, amount: string): void {
    this.engine.credit(account, asset, parseOrThrow(zPositiveDecimal, amount, 'amount'));
  }

  /** Trading and withdrawal fees the exchange has kept (net of maker rebates), per asset. */
  feesCollected(asset: string): string {
    const b = this.engine.balances(this.engine.feeAccount).find((x) => x.asset === asset);
    return b ? fmt(new D(b.free).plus(b.locked)) : '0';
  }

  /** Free + locked of `asset` over every account (fees excluded: see feesCollected). */
  holdings(asset: string): string {
    let total = new D(0);
    for (const a of this.engine.accountNames()) {
      if (a === this.engine.feeAccount) continue;
      const b = this.engine.balances(a).find((x) => x.asset === asset);
      if (b) total = total.plus(b.free).plus(b.locked);
    }
    return fmt(total);
  }

  /** Deposits / withdrawals of an account as the exchange holds them now (no request, no latency). */
  depositRecords(account: string, asset?: string): TransferRecord[] {
    return this.desk.listDeposits(account, asset);
  }

  withdrawalRecords(account: string, asset?: string): TransferRecord[] {
    return this.desk.listWithdrawals(account, asset);
  }

  /** The book now, ignoring faults (what the engine really holds). */
  trueBook(depth: number): BookView {
    return this.engine.book(depth);
  }

  // ---- API (each through `request`) -----------------------------------------------------------

  ping(account: string): Promise<number> {
    return this.request(account, REQUEST_WEIGHTS.ping, () => this.clock.now());
  }

  fetchBook(account: string, depth: number): Promise<BookView> {
    return this.request(account, REQUEST_WEIGHTS.book, () => this.bookView(depth));
  }

  fetchRecentTrades(account: string, limit: number): Promise<EngineTrade[]> {
    return this.request(account, REQUEST_WEIGHTS.trades, () => this.engine.recentTrades(limit));
  }

  fetchBalances(account: string): Promise<EngineBalance[]> {
    return this.request(account, REQUEST_WEIGHTS.balances, () => this.engine.balances(account));
  }

  placeOrder(account: string, input: OrderInput): Promise<{ order: EngineOrder; fills: EngineFill[] }> {
    return this.request(account, REQUEST_WEIGHTS.placeOrder, () => {
      // The engine validates every field of any input (garbage included) and answers with a
      // rejection naming the field; a second schema here would only double the hot path's cost.
      const r = this.engine.placeOrder({ ...input, account });
      if (!r.ok) throw this.rejection(r.reason, r.message);
      return { order: r.order, fills: r.fills };
    });
  }

  cancelOrder(account: string, ref: { orderId?: string; clientOrderId?: string }): Promise<EngineOrder> {
    return this.request(account, REQUEST_WEIGHTS.cancelOrder, () => {
      const o = this.engine.cancelOrder(account, ref);
      if (!o) throw new VenueError('VENUE.ORDER_NOT_FOUND', this.id, `no open order ${ref.orderId ?? ref.clientOrderId ?? '(no id)'}`);
      return o;
    });
  }

  getOrder(account: string, ref: { orderId?: string; clientOrderId?: string }): Promise<EngineOrder | undefined> {
    return this.request(account, REQUEST_WEIGHTS.getOrder, () => this.engine.getOrder(account, ref));
  }

  openOrders(account: string): Promise<EngineOrder[]> {
    return this.request(account, REQUEST_WEIGHTS.openOrders, () => this.engine.openOrders(account));
  }

  myTrades(account: string, sinceMs?: number): Promise<EngineFill[]> {
    return this.request(account, REQUEST_WEIGHTS.myTrades, () => this.engine.myTrades(account, sinceMs));
  }

  depositAddress(account: string, asset: string): Promise<string> {
    return this.request(account, REQUEST_WEIGHTS.depositAddress, () => this.desk.depositAddress(account, asset));
  }

  /** The memo deposits to this account must carry, if it was given one (no request of its own: part of the address answer). */
  depositMemo(account: string): Promise<string | undefined> {
    return Promise.resolve(this.desk.depositMemo(account));
  }

  withdraw(account: string, req: WithdrawRequest): Promise<TransferRecord> {
    return this.request(account, REQUEST_WEIGHTS.withdraw, () => this.desk.withdraw(account, req));
  }

  deposits(account: string, asset?: string, sinceMs?: number): Promise<TransferRecord[]> {
    return this.request(account, REQUEST_WEIGHTS.transfers, () => this.desk.listDeposits(account, asset, sinceMs));
  }

  withdrawals(account: string, asset?: string, sinceMs?: number): Promise<TransferRecord[]> {
    return this.request(account, REQUEST_WEIGHTS.transfers, () => this.desk.listWithdrawals(account, asset, sinceMs));
  }

  watchBook(depth: number, onBook: (b: BookView) => void, onError: (e: Error) => void): Unsubscribe {
    return this.streams.watchBook(depth, onBook, onError);
  }

  watchTrades(onTrades: (t: EngineTrade[]) => void, onError: (e: Error) => void): Unsubscribe {
    return this.streams.watchTrades(onTrades, onError);
  }

  // ---- internals ------------------------------------------------------------------------------

  private bookView(depth: number): BookView {
    if (!this.frozenBook) return this.engine.book(depth);
    const f = this.frozenBook;
    return { ...f, bids: f.bids.slice(0, depth), asks: f.asks.slice(0, depth) };
  }

  private latency(): number {
    const { min, max } = this.cfg.latencyMs;
    return min + Math.floor(this.rng() * (max - min + 1));
  }

  private attempt<T>(fn: () => T): { ok: true; value: T } | { ok: false; error: VenueError } {
    try {
      return { ok: true, value: fn() };
    } catch (e) {
      return { ok: false, error: this.toVenueError(e) };
    }
  }

  private toVenueError(e: unknown): VenueError {
    if (e instanceof VenueError) return e;
    if (e instanceof ValidationError) return new VenueError('VENUE.INVALID_ORDER', this.id, e.message);
    if (e instanceof DomainError) return new VenueError('VENUE.INVALID_ORDER', this.id, `${e.code}: ${e.message}`);
    // An unexpected throw is the exchange's own fault: a 500 the client may retry.
    return new VenueError('VENUE.BAD_RESPONSE', this.id, `internal error: ${e instanceof Error ? e.message : String(e)}`);
  }

  private rejection(reason: RejectReason, message: string): VenueError {
    switch (reason) {
      case 'POST_ONLY_WOULD_CROSS':
        return new VenueError('VENUE.POST_ONLY_WOULD_CROSS', this.id, message);
      case 'INSUFFICIENT_FUNDS':
        return new VenueError('VENUE.INSUFFICIENT_FUNDS', this.id, message);
      case 'UNKNOWN_ACCOUNT':
        return new VenueError('VENUE.AUTHENTICATION', this.id, message);
      default:
        return new VenueError('VENUE.INVALID_ORDER', this.id, `${reason}: ${message}`);
    }
  }
}
