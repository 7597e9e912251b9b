// The backtest's stand-in for `fundTransfer` / `withdrawal` (workflows/fund-transfer.workflow.ts): one
// transfer from a simulated exchange to another exchange's deposit address or to a whitelisted wallet,
// through the same steps and the same domain checks as live —
//   destination (the venue's current deposit address must be whitelisted) → USD price → transfer
//   policy (whitelist, per-transfer cap, daily cap: domain/treasury/transfer-policy.ts) → reservation
//   in a ledger (same entry kinds as activities/ledger-store.ts, same usedUsdOnDay) → approval above the
//   threshold → one idempotent withdrawal on the SimExchange → landed (credited at the destination
//   venue, or confirmed for a wallet) → ledger.
// Venue calls go through the SimExchange API (latency, faults, rate limits on Ballast's own account)
// and are retried like the activities (1 s, ×2, max 10 s, 8 attempts; refusals are final). The
// withdrawal then moves with the exchange's real processing delay, the network's delay and the
// confirmations; its fee is the exchange's.
// Deviation from live: a transfer that needs approval is approved after `approvalDelayMs` (no second
// person in a backtest); waiting ends after `waitTimeoutMs` (live retries for about as long) → suspense.
import { D, fmt } from '../../domain/money';
import type { Clock } from '../../domain/clock';
import type { BallastConfig } from '../../domain/config.schema';
import { DomainError } from '../../domain/errors';
import { usedUsdOnDay, type TransferLedgerLine } from '../../domain/treasury/rebalance-inputs';
import { checkTransferPolicy, dailyWindow } from '../../domain/treasury/transfer-policy';
import type { SimExchange } from '../exchange/sim-exchange';

const STABLES = new Set(['USD', 'USDT', 'USDC', 'DAI']);

export interface SimTransferRequest {
  /** Business key, like the child workflow id (`<decision>:t0`, `<decision>:evacuate:1`). */
  id: string;
  decisionId: string;
  asset: string;
  amount: string;
  from: string;
  to: { venue: string } | { wallet: string };
  requester: string;
}

export interface SimTransfer {
  id: string;
  decisionId: string;
  asset: string;
  amount: string;
  from: string;
  /** `venue:<id>` or `wallet:<label>`, as the live ledger writes it. */
  to: string;
  status: 'running' | 'completed' | 'failed' | 'suspense';
  requestedAt: number;
  amountUsd?: string;
  needsApproval?: boolean;
  /** The withdrawal fee the exchange charged on top of `amount`. */
  fee?: string;
  /** Accepted by the exchange. */
  withdrawnAt?: number;
  txHash?: string;
  /** Credited at the destination venue / confirmed to the wallet. */
  landedAt?: number;
  error?: string;
}

export interface RetryPolicy {
  initialMs: number;
  coefficient: number;
  maxMs: number;
  attempts: number;
  /** Give up once this long has passed since the first attempt (Temporal's scheduleToClose). */
  totalMs?: number;
}
/** The treasury activities' retry policy (workflows/*.workflow.ts `proxyActivities`). */
export const ACTIVITY_RETRY: RetryPolicy = { initialMs: 1_000, coefficient: 2, maxMs: 10_000, attempts: 8 };
/** venueRisk's steps on the venue itself (workflows/venue-risk.workflow.ts VENUE_STEP_RETRY). */
export const VENUE_STEP_RETRY: RetryPolicy = { initialMs: 5_000, coefficient: 2, maxMs: 60_000, attempts: Number.POSITIVE_INFINITY, totalMs: 6 * 3_600_000 };

export const sleep = (clock: Clock, ms: number) => new Promise<void>((r) => clock.schedule(ms, r));

/** Runs `fn` until it succeeds, a refusal (non-retryable DomainError) or the last attempt; waits on the clock. */
export async function retrying<T>(clock: Clock, fn: () => Promise<T>, p: RetryPolicy = ACTIVITY_RETRY): Promise<T> {
  let delay = p.initialMs;
  const until = p.totalMs === undefined ? Number.POSITIVE_INFINITY : clock.now() + p.totalMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if ((e instanceof DomainError && e.nonRetryable) || attempt >= p.attempts || clock.now() + delay >= until) throw e;
      await sleep(clock, delay);
      delay = Math.min(p.maxMs, delay * p.coefficient);
    }
  }
}

export interface SimTransfersOptions {
  clock: Clock;
  exchanges: Record<string, SimExchange>;
  account: string;
  config: BallastConfig;
  approvalDelayMs: number;
  pollMs: number;
  waitTimeoutMs: number;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class SimTransfers {
  /** The executor's ledger: the same kinds of entry as the live one. */
  readonly ledger: (TransferLedgerLine & { at: number })[] = [];
  readonly all: SimTransfer[] = [];

  constructor(private readonly o: SimTransfersOptions) {}

  usedTodayUsd(): string {
    return usedUsdOnDay(this.ledger, dailyWindow(this.o.clock.now()));
  }

  /** USD per unit: stablecoins 1; the token at the source's best ask (caps bind sooner, never later). */
  async priceUsd(asset: string, venue: string): Promise<string> {
    if (STABLES.has(asset.toUpperCase())) return '1';
    const book = await retrying(this.o.clock, () => this.exchange(venue).fetchBook(this.o.account, 5));
    const price = book.asks[0]?.price ?? book.bids[0]?.price;
    if (price === undefined) throw new Error(`no price for ${asset} on ${venue}: empty book`);
    return fmt(price);
  }

  exchange(id: string): SimExchange {
    const ex = this.o.exchanges[id];
    if (!ex) throw new DomainError('TRANSFER.UNKNOWN_VENUE', `unknown venue "${id}"`);
    return ex;
  }

  /** Runs one transfer to its end; never throws (the outcome is in the returned record). */
  async run(req: SimTransferRequest): Promise<SimTransfer> {
    const to = 'wallet' in req.to ? `wallet:${req.to.wallet}` : `venue:${req.to.venue}`;
    const t: SimTransfer = { id: req.id, decisionId: req.decisionId, asset: req.asset, amount: req.amount, from: req.from, to, status: 'running', requestedAt: this.o.clock.now() };
    this.all.push(t);
    try {
      await this.transfer(req, t);
    } catch (e) {
      t.status = t.status === 'running' ? 'failed' : t.status;
      t.error = message(e);
    }
    return t;
  }

  private async transfer(req: SimTransferRequest, t: SimTransfer): Promise<void> {
    const { clock, account, config } = this.o;
    const treasury = config.treasury;
    const policy = { whitelist: treasury.whitelist, caps: treasury.caps, approvalThresholdUsd: treasury.approvalThresholdUsd };
    const source = this.exchange(req.from);
    let address: string;
    let label: string;
    if ('wallet' in req.to) {
      const wallet = req.to.wallet;
      const w = treasury.whitelist.find((x) => x.label === wallet);
      if (!w) throw new DomainError('TRANSFER.NOT_WHITELISTED', `to.wallet: "${wallet}" is not a whitelisted wallet label`);
      [address, label] = [w.address, w.label];
    } else {
      const dest = this.exchange(req.to.venue);
      const dep = await retrying(clock, () => dest.depositAddress(account, req.asset));
      const w = treasury.whitelist.find((x) => x.address.toLowerCase() === dep.toLowerCase());
      if (!w) throw new DomainError('TRANSFER.NOT_WHITELISTED', `to.venue: ${req.to.venue}'s deposit address ${dep} for ${req.asset} is not whitelisted`);
      [address, label] = [dep, w.label];
    }
    const priceUsd = await this.priceUsd(req.asset, req.from);
    const day = dailyWindow(clock.now());
    const check = checkTransferPolicy({ asset: req.asset, amount: req.amount, priceUsd, destinationAddress: address, destinationLabel: label, requester: req.requester }, policy, this.usedTodayUsd());
    if (!check.ok) throw new DomainError(check.code, check.message);
    t.amountUsd = check.amountUsd;
    t.needsApproval = check.needsApproval;
    const base = { workflowId: req.id, day, asset: req.asset, amount: req.amount, amountUsd: check.amountUsd, from: req.from, to: t.to };
    this.book({ ...base, kind: 'reservation' });
    if (check.needsApproval && this.o.approvalDelayMs > 0) await sleep(clock, this.o.approvalDelayMs);

    const key = `${req.id}:withdraw`;
    let record;
    try {
      record = await retrying(clock, () => source.withdraw(account, { asset: req.asset, amount: req.amount, address, network: source.network, idempotencyKey: key }));
    } catch (e) {
      // Gave up: ask the exchange by key before concluding nothing moved (a timed-out call may have executed).
      record = source.withdrawalRecords(account, req.asset).find((w) => w.idempotencyKey === key);
      if (!record) {
        this.book({ ...base, kind: 'release' });
        throw e;
      }
    }
    t.withdrawnAt = clock.now();
    t.fee = record.fee;
    const done = await this.landed(req, record.id);
    if (done.status === 'failed') {
      // The exchange refunded amount and fee: nothing moved, the reservation is released.
      this.book({ ...base, kind: 'reversal', amount: '0', amountUsd: '0' });
      this.book({ ...base, kind: 'release' });
      t.fee = '0';
      throw new DomainError('TRANSFER.WITHDRAWAL_FAILED', `withdrawal ${record.id} failed at ${req.from} and was refunded`);
    }
    if (done.status === 'timeout') {
      this.book({ ...base, kind: 'suspense' });
      t.status = 'suspense';
      throw new DomainError('TRANSFER.SUSPENSE', `transfer ${req.id} not landed after ${this.o.waitTimeoutMs} ms; booked to suspense`);
    }
    if (done.txHash) t.txHash = done.txHash;
    t.landedAt = clock.now();
    this.book({ ...base, kind: 'transfer' });
    if (new D(record.fee).gt(0)) this.book({ ...base, kind: 'fee', amount: record.fee, amountUsd: fmt(new D(record.fee).times(priceUsd)) });
    t.status = 'completed';
  }

  /** Polls the exchanges' own records (no request, no rate limit) until the transfer landed or failed. */
  private async landed(req: SimTransferRequest, withdrawalId: string): Promise<{ status: 'ok' | 'failed' | 'timeout'; txHash?: string }> {
    const { clock, account } = this.o;
    const until = clock.now() + this.o.waitTimeoutMs;
    for (;;) {
      const w = this.exchange(req.from).withdrawalRecords(account, req.asset).find((x) => x.id === withdrawalId);
      if (w && (w.status === 'failed' || w.status === 'canceled')) return { status: 'failed' };
      const hash = w?.txHash;
      if (hash !== undefined) {
        if ('wallet' in req.to) {
          if (w?.status === 'ok') return { status: 'ok', txHash: hash };
        } else {
          const d = this.exchange(req.to.venue).depositRecords(account, req.asset).find((x) => x.txHash?.toLowerCase() === hash.toLowerCase());
          if (d?.status === 'ok') return { status: 'ok', txHash: hash };
        }
      }
      if (clock.now() >= until) return { status: 'timeout' };
      await sleep(clock, this.o.pollMs);
    }
  }

  private book(e: TransferLedgerLine): void {
    this.ledger.push({ ...e, at: this.o.clock.now() });
  }
}
