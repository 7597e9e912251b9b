// One exchange's deposits and withdrawals: deposit addresses per account and asset, deposits
// confirmed block by block before they are credited, withdrawals held → processed → broadcast on
// the TransferNetwork → confirmed. Balances themselves live in the matching engine (hold / consume /
// credit), so a pending withdrawal shows as `locked` and cannot be traded away.
// When the network has a ChainBridge, the hot wallet is a real account on the local EVM, a
// withdrawal is a real token transfer and confirmations (withdrawals and deposits alike) are counted
// on the real chain instead of every `blockTimeMs` of the Clock.
import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { D, fmt, zNonNegativeDecimal } from '../../domain/money';
import type { TransferRecord, WithdrawRequest } from '../../venues/venue.port';
import { VenueError } from '../../venues/venue-errors';
import type { Clock } from '../../domain/clock';
import type { MatchingEngineApi } from '../engine/engine.types';
import type { FaultInjector } from './fault-injector';
import { evmAddress, txHash } from './hex-ids';
import { isEvmAddress, type ChainTransfer, type DepositSink, type TransferNetwork } from './transfer-network';

export const WithdrawalsConfigSchema = z
  .object({
    /** Flat fee per withdrawal, per asset; an asset without a fee cannot be withdrawn. */
    fees: z.record(z.string().min(1), zNonNegativeDecimal),
    /** Blocks before a deposit is credited / a withdrawal is reported 'ok'. */
    minConfirmations: z.number().int().nonnegative(),
    blockTimeMs: z.number().int().positive(),
    /** The exchange's own review/batching delay before a withdrawal is broadcast. */
    processingDelayMs: z.number().int().nonnegative(),
  })
  .strict();
export type WithdrawalsConfig = z.input<typeof WithdrawalsConfigSchema>;

interface Owned {
  account: string;
  record: TransferRecord;
}

export interface TransferDeskDeps {
  exchangeId: string;
  engine: MatchingEngineApi;
  clock: Clock;
  network: TransferNetwork;
  faults: FaultInjector;
  /** Seeded salt: addresses and tx hashes depend on it and on the object's identity only. */
  salt: number;
  /** Engine account that keeps fees (trading fees already land there). */
  feeAccount: string;
}

const copy = (r: TransferRecord): TransferRecord => ({ ...r });

export class TransferDesk implements DepositSink {
  readonly id: string;
  readonly hotWallet: string;
  private readonly cfg: z.output<typeof WithdrawalsConfigSchema>;
  private readonly addresses = new Map<string, string>(); // `${account}\u0000${asset}` → address
  private readonly addressOwner = new Map<string, string>(); // lower-case address → account
  private readonly fixedAddress = new Map<string, string>(); // account → its one deposit address
  private readonly memos = new Map<string, string>(); // account → the memo its deposits must carry
  private readonly deposits: Owned[] = [];
  private readonly withdrawals: Owned[] = [];
  private readonly byIdempotencyKey = new Map<string, Owned>();
  /** Accepted withdrawals that came due while withdrawals were suspended. */
  private stalled: Owned[] = [];

  constructor(
    cfg: z.output<typeof WithdrawalsConfigSchema>,
    private readonly deps: TransferDeskDeps,
  ) {
    this.cfg = cfg;
    this.id = deps.exchangeId;
    this.hotWallet = deps.network.hotWallet(deps.exchangeId) ?? evmAddress(deps.salt, deps.exchangeId, 'hot-wallet');
    deps.faults.onChange((kind, active) => {
      if (kind !== 'withdrawalsSuspended' || active) return;
      // The queue resumes when the suspension lifts, oldest first.
      const queue = this.stalled;
      this.stalled = [];
      for (const w of queue) deps.clock.schedule(0, () => this.process(w));
    });
  }

  get network(): string {
    return this.deps.network.name;
  }

  /**
   * One deposit address for every asset of an account (as real exchanges do on an EVM network), e.g.
   * the address a treasury whitelists for this venue. Must come before the account's first deposit address.
   */
  assignDepositAddress(account: string, address: string, memo?: string): void {
    if ([...this.addresses.keys()].some((k) => k.startsWith(`${account}\u0000`))) {
      throw new DomainError('TRANSFER.ADDRESS_TAKEN', `${this.id}/${account} already has deposit addresses`);
    }
    this.deps.network.registerDepositAddress(address, this, account);
    this.fixedAddress.set(account, address);
    this.addressOwner.set(address.toLowerCase(), account);
    if (memo !== undefined) this.memos.set(account, memo);
  }

  /** The memo an account's deposits must carry to be credited (as on a shared-address network), if any. */
  depositMemo(account: string): string | undefined {
    return this.memos.get(account);
  }

  depositAddress(account: string, asset: string): string {
    const k = `${account}\u0000${asset}`;
    let address = this.addresses.get(k);
    const fixed = this.fixedAddress.get(account);
    if (!address && fixed) {
      this.addresses.set(k, fixed);
      address = fixed;
    }
    if (!address) {
      address = evmAddress(this.deps.salt, this.id, account, asset);
      this.deps.network.registerDepositAddress(address, this, account);
      this.addresses.set(k, address);
      this.addressOwner.set(address.toLowerCase(), account);
    }
    return address;
  }

  withdraw(account: string, req: WithdrawRequest): TransferRecord {
    // A retry with the same key returns what the first call did, whatever changed since.
    const known = this.byIdempotencyKey.get(`${account}\u0000${req.idempotencyKey}`);
    if (known) return copy(known.record);
    const bad = (message: string): VenueError => new VenueError('VENUE.INVALID_ORDER', this.id, message);
    if (!req.idempotencyKey) throw bad('withdraw: idempotencyKey is required');
    if (req.network !== this.network) throw new VenueError('VENUE.NOT_SUPPORTED', this.id, `withdraw: network "${req.network}" (this venue supports ${this.network})`);
    if (!isEvmAddress(req.address)) throw bad(`withdraw: address "${req.address}" is not a 0x-prefixed 20-byte hex address`);
    const fee = this.cfg.fees[req.asset];
    if (fee === undefined) throw bad(`withdraw: asset "${req.asset}" cannot be withdrawn here`);
    const parsed = zNonNegativeDecimal.safeParse(req.amount);
    if (!parsed.success || new D(parsed.data).lte(0)) throw bad(`withdraw: amount must be a positive decimal, got "${req.amount}"`);
    if (this.deps.faults.isActive('withdrawalsSuspended')) {
      throw new VenueError('VENUE.WITHDRAWALS_SUSPENDED', this.id, `withdrawals of ${req.asset} are suspended`);
    }
    const amount = parsed.data;
    const unsendable = this.deps.network.amountProblem(this.hotWallet, req.asset, amount);
    if (unsendable !== undefined) throw bad(`withdraw: ${unsendable}`);
    const total = fmt(new D(amount).plus(fee));
    const free = this.deps.engine.balances(account).find((b) => b.asset === req.asset)?.free ?? '0';
    if (new D(free).lt(total)) {
      throw new VenueError('VENUE.INSUFFICIENT_FUNDS', this.id, `withdraw: ${total} ${req.asset} needed (amount ${amount} + fee ${fee}), ${free} free`);
    }
    this.deps.engine.hold(account, req.asset, total);
    const record: TransferRecord = {
      id: `${this.id}-w-${this.withdrawals.length + 1}`,
      type: 'withdrawal',
      asset: req.asset,
      amount,
      fee,
      address: req.address,
      network: this.network,
      ...(req.memo !== undefined ? { memo: req.memo } : {}),
      confirmations: 0,
      status: 'pending',
      idempotencyKey: req.idempotencyKey,
      timestamp: this.deps.clock.now(),
    };
    const owned = { account, record };
    this.withdrawals.push(owned);
    this.byIdempotencyKey.set(`${account}\u0000${req.idempotencyKey}`, owned);
    this.deps.clock.schedule(this.cfg.processingDelayMs, () => this.process(owned));
    return copy(record);
  }

  listDeposits(account: string, asset?: string, sinceMs?: number): TransferRecord[] {
    return this.list(this.deposits, account, asset, sinceMs);
  }

  listWithdrawals(account: string, asset?: string, sinceMs?: number): TransferRecord[] {
    return this.list(this.withdrawals, account, asset, sinceMs);
  }

  /** DepositSink: a tx to one of our addresses is in a block; confirm it, then credit the account. */
  onChainArrival(t: ChainTransfer, credited: () => void): void {
    const account = this.addressOwner.get(t.to.toLowerCase());
    if (account === undefined) throw new Error(`${this.id}: no account owns ${t.to}`); // the network only routes registered addresses
    const memo = this.memos.get(account);
    const record: TransferRecord = {
      id: `${this.id}-d-${this.deposits.length + 1}`,
      type: 'deposit',
      asset: t.asset,
      amount: t.amount,
      fee: '0',
      address: t.to,
      network: t.network,
      ...(t.memo !== undefined ? { memo: t.memo } : {}),
      txHash: t.txHash,
      confirmations: 0,
      status: 'pending',
      timestamp: this.deps.clock.now(),
    };
    this.deposits.push({ account, record });
    // Without the account's memo the exchange cannot tell whose deposit it is: it stays uncredited
    // (a support ticket on a real exchange), the funds in the hot wallet.
    if (memo !== undefined && t.memo !== memo) {
      record.status = 'failed';
      return;
    }
    this.confirm(record, () => {
      this.deps.engine.credit(account, t.asset, t.amount);
      credited();
    });
  }

  private process(w: Owned): void {
    const r = w.record;
    // A suspension stalls withdrawals already accepted: they wait in 'pending' until it lifts.
    if (this.deps.faults.isActive('withdrawalsSuspended')) {
      this.stalled.push(w);
      return;
    }
    this.deps.engine.consume(w.account, r.asset, fmt(new D(r.amount).plus(r.fee)));
    if (new D(r.fee).gt(0)) this.deps.engine.credit(this.deps.feeAccount, r.asset, r.fee);
    const simulatedHash = txHash(this.deps.salt, this.id, r.id);
    const sent = this.deps.network.broadcast({ txHash: simulatedHash, asset: r.asset, amount: r.amount, from: this.hotWallet, to: r.address, ...(r.memo !== undefined ? { memo: r.memo } : {}) }, (reason) =>
      this.refund(w, reason),
    );
    r.txHash = sent.txHash;
    r.status = 'confirming';
    this.confirm(r, () => undefined);
  }

  /** A real transaction reverted or was refused: nothing left the hot wallet, so amount and fee go back. */
  private refund(w: Owned, _reason: string): void {
    const r = w.record;
    r.status = 'failed';
    if (new D(r.fee).gt(0)) this.deps.engine.debit(this.deps.feeAccount, r.asset, r.fee);
    this.deps.engine.credit(w.account, r.asset, fmt(new D(r.amount).plus(r.fee)));
  }

  /**
   * Counts confirmations up until `minConfirmations`; then 'ok' and `done`. On a real chain the
   * count is the chain's; otherwise one per `blockTimeMs` of the Clock.
   */
  private confirm(r: TransferRecord, done: () => void): void {
    if (r.txHash !== undefined && this.confirmOnChain(r, r.txHash, done)) return;
    this.confirmOnClock(r, done);
  }

  private confirmOnChain(r: TransferRecord, hash: string, done: () => void): boolean {
    let finished = false;
    // The bridge never calls back synchronously, so `cancel` is assigned before the callback reads it.
    const cancel = this.deps.network.followConfirmations(hash, (n) => {
      if (finished || r.status === 'failed') return;
      r.confirmations = n;
      r.status = 'confirming';
      if (n < this.cfg.minConfirmations) return;
      finished = true;
      r.status = 'ok';
      cancel?.();
      done();
    });
    return cancel !== undefined;
  }

  private confirmOnClock(r: TransferRecord, done: () => void): void {
    if (r.confirmations >= this.cfg.minConfirmations) {
      r.status = 'ok';
      done();
      return;
    }
    this.deps.clock.schedule(this.cfg.blockTimeMs, () => {
      r.confirmations++;
      r.status = 'confirming';
      this.confirmOnClock(r, done);
    });
  }

  private list(from: Owned[], account: string, asset?: string, sinceMs?: number): TransferRecord[] {
    return from
      .filter((o) => o.account === account && (asset === undefined || o.record.asset === asset) && (sinceMs === undefined || o.record.timestamp >= sinceMs))
      .map((o) => copy(o.record));
  }
}
