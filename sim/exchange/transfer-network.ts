// The simulated chain between exchanges: a registry of addresses → (exchange, account) plus external
// wallets. A withdrawal broadcast by one SimExchange is included on chain after the network delay
// and handed to the exchange owning the destination address, which confirms and credits it; an
// unknown destination lands in the external ledger (a cold wallet, an OTC desk, a typo).
// Conservation: per asset, exchanges + in flight + external + fees collected never changes.
//
// With a ChainBridge (sim/evm/chain-bridge.ts; `npm start` runs one on the local EVM) an exchange's
// withdrawal of an asset that has a token on that chain is a real ERC-20 transfer from the
// exchange's hot wallet: the record's txHash is the real hash, arrival follows the real receipt (the
// network delay is not applied) and confirmations are counted on the real chain. Without a bridge,
// or for an asset / sender it cannot handle, everything stays simulated on the Clock, as before.
import { z } from 'zod';
import { DomainError, parseOrThrow } from '../../domain/errors';
import { D, fmt, zPositiveDecimal } from '../../domain/money';
import type { Rng } from '../../domain/rng';
import type { Clock } from '../../domain/clock';
import { EVM_ADDRESS_RE, txHash } from './hex-ids';

export const TransferNetworkConfigSchema = z
  .object({
    /** Network name as venues report it ("ERC20"). */
    name: z.string().min(1).default('ERC20'),
    /** Time from broadcast until the tx is included in a block (mempool + propagation), sampled uniformly. */
    delayMs: z
      .object({ min: z.number().int().nonnegative(), max: z.number().int().nonnegative() })
      .strict()
      .refine((d) => d.min <= d.max, { message: 'min must not exceed max', path: ['min'] }),
    /** Salt for ids of transfers sent from external wallets. */
    seed: z.number().int().nonnegative().default(1),
  })
  .strict();
export type TransferNetworkConfig = z.input<typeof TransferNetworkConfigSchema>;

/** One on-chain transfer. */
export interface ChainTransfer {
  txHash: string;
  network: string;
  asset: string;
  amount: string;
  from: string;
  to: string;
  sentAt: number;
  /** The memo / tag the sender attached (the receiving exchange credits by it where it assigned one). */
  memo?: string;
}

/** An exchange that owns deposit addresses on this network. */
export interface DepositSink {
  readonly id: string;
  /** The tx to one of this sink's addresses is in a block. Call `credited()` once the account has the funds. */
  onChainArrival(transfer: ChainTransfer, credited: () => void): void;
}

/** What a ChainBridge reports about one transaction it sent. Never called synchronously from `send`. */
export interface BridgeTxEvents {
  /** Mined with success at `blockNumber`. */
  mined(blockNumber: number): void;
  /** Reverted when mined, or refused by the node: the tokens did not move. */
  failed(reason: string): void;
}

/** A real chain behind the network: the port sim/evm/chain-bridge.ts implements with ethers. */
export interface ChainBridge {
  /** On-chain address of the exchange's hot wallet; undefined: that exchange's withdrawals stay simulated. */
  hotWallet(exchangeId: string): string | undefined;
  /** Whether a transfer of `asset` from `from` goes on chain (the bridge holds `from`'s key and `asset` has a token). */
  sends(from: string, asset: string): boolean;
  /** Why `amount` cannot be expressed in `asset`'s token units (too many decimals); undefined: it can. */
  amountProblem(asset: string, amount: string): string | undefined;
  /** Signs the token transfer now and broadcasts it in nonce order; returns the real tx hash at once. */
  send(t: { from: string; to: string; asset: string; amount: string }, events: BridgeTxEvents): string;
  /**
   * Calls `onCount` with the tx's confirmation count (>= 1, once mined) each time it grows, never
   * synchronously; returns a cancel function. Stops by itself when the tx fails.
   */
  followConfirmations(hash: string, onCount: (confirmations: number) => void): () => void;
}

export type AddressOwner = { kind: 'exchange'; exchangeId: string; account: string } | { kind: 'external'; label?: string };

export interface NetworkTransfer extends ChainTransfer {
  /** 'failed': only on a real chain (reverted or refused); the sender gets the funds back. */
  status: 'in_flight' | 'arrived' | 'credited' | 'failed';
  destination: AddressOwner;
  /** True when the transfer is a real transaction on the bridge's chain. */
  onChain: boolean;
  arrivedAt?: number;
  creditedAt?: number;
  failure?: string;
}

export interface ExternalLedgerEntry {
  txHash: string;
  address: string;
  label?: string;
  asset: string;
  /** Positive: received; negative: sent from the wallet. */
  amount: string;
  at: number;
}

export function isEvmAddress(address: string): boolean {
  return EVM_ADDRESS_RE.test(address);
}

const key = (address: string): string => address.toLowerCase();

export class TransferNetwork {
  readonly name: string;
  private readonly cfg: z.output<typeof TransferNetworkConfigSchema>;
  private readonly sinks = new Map<string, { sink: DepositSink; account: string }>();
  private readonly externalLabels = new Map<string, string>();
  private readonly externalBalances = new Map<string, Map<string, string>>();
  private readonly ledger: ExternalLedgerEntry[] = [];
  private readonly all: NetworkTransfer[] = [];
  private externalSends = 0;

  constructor(
    cfg: TransferNetworkConfig,
    private readonly deps: { clock: Clock; rng: Rng; bridge?: ChainBridge },
  ) {
    this.cfg = parseOrThrow(TransferNetworkConfigSchema, cfg, 'transfer network config');
    this.name = this.cfg.name;
  }

  /** The exchange's hot wallet on the bridge's chain, if there is one. */
  hotWallet(exchangeId: string): string | undefined {
    return this.deps.bridge?.hotWallet(exchangeId);
  }

  /** Why `amount` of `asset` sent from `from` could not be broadcast; undefined: it can. */
  amountProblem(from: string, asset: string, amount: string): string | undefined {
    const bridge = this.deps.bridge;
    return bridge?.sends(from, asset) ? bridge.amountProblem(asset, amount) : undefined;
  }

  /**
   * Follows a transfer's confirmations on the real chain (see ChainBridge.followConfirmations);
   * undefined when the transfer is simulated, whose confirmations the caller counts on its Clock.
   */
  followConfirmations(hash: string, onCount: (confirmations: number) => void): (() => void) | undefined {
    const record = this.all.find((x) => x.txHash === hash);
    if (!record?.onChain || !this.deps.bridge) return undefined;
    return this.deps.bridge.followConfirmations(hash, onCount);
  }

  /** An exchange announces a deposit address of one of its accounts. */
  registerDepositAddress(address: string, sink: DepositSink, account: string): void {
    this.checkAddress(address);
    const existing = this.sinks.get(key(address));
    if (existing && (existing.sink !== sink || existing.account !== account)) {
      throw new DomainError('TRANSFER.ADDRESS_TAKEN', `${address} already belongs to ${existing.sink.id}/${existing.account}`);
    }
    if (this.externalLabels.has(key(address))) throw new DomainError('TRANSFER.ADDRESS_TAKEN', `${address} is an external wallet`);
    this.sinks.set(key(address), { sink, account });
  }

  /** Names an external wallet (a cold wallet, say); unnamed unknown addresses are external too. */
  registerExternalWallet(address: string, label: string): void {
    this.checkAddress(address);
    if (this.sinks.has(key(address))) throw new DomainError('TRANSFER.ADDRESS_TAKEN', `${address} is an exchange deposit address`);
    this.externalLabels.set(key(address), label);
  }

  owner(address: string): AddressOwner {
    const s = this.sinks.get(key(address));
    if (s) return { kind: 'exchange', exchangeId: s.sink.id, account: s.account };
    const label = this.externalLabels.get(key(address));
    return label === undefined ? { kind: 'external' } : { kind: 'external', label };
  }

  /** Genesis: gives an external wallet funds (counts as new supply in conservation checks). */
  mintExternal(address: string, asset: string, amount: string): void {
    this.checkAddress(address);
    const amt = parseOrThrow(zPositiveDecimal, amount, 'amount');
    this.addExternal(address, asset, amt);
  }

  /**
   * Broadcast a transfer whose amount the sender has already debited. Called by SimExchange when a
   * withdrawal is sent; the tx is included after the network delay. Through a bridge the transfer
   * is a real transaction: the returned record carries its real hash (`t.txHash` is then unused),
   * and `onFailed` is called if it reverts or the node refuses it (the sender refunds).
   */
  broadcast(t: Omit<ChainTransfer, 'network' | 'sentAt'>, onFailed?: (reason: string) => void): NetworkTransfer {
    this.checkAddress(t.to);
    const amount = parseOrThrow(zPositiveDecimal, t.amount, 'amount');
    const record: NetworkTransfer = {
      ...t,
      amount,
      network: this.name,
      sentAt: this.deps.clock.now(),
      status: 'in_flight',
      destination: this.owner(t.to),
      onChain: false,
    };
    const bridge = this.deps.bridge;
    if (bridge?.sends(t.from, t.asset)) {
      // Throws (nothing sent, nothing recorded) when the amount does not fit the token's decimals.
      record.txHash = bridge.send(
        { from: t.from, to: t.to, asset: t.asset, amount },
        {
          mined: () => this.arrive(record),
          failed: (reason) => {
            if (record.status !== 'in_flight') return;
            record.status = 'failed';
            record.failure = reason;
            onFailed?.(reason);
          },
        },
      );
      record.onChain = true;
      this.all.push(record);
      return { ...record };
    }
    this.all.push(record);
    const { min, max } = this.cfg.delayMs;
    const delay = min + Math.floor(this.deps.rng() * (max - min + 1));
    this.deps.clock.schedule(delay, () => this.arrive(record));
    return { ...record };
  }

  /** Sends from an external wallet (e.g. a deposit from a user's or the treasury's own wallet). */
  sendFromExternal(from: string, to: string, asset: string, amount: string): NetworkTransfer {
    this.checkAddress(from);
    const amt = parseOrThrow(zPositiveDecimal, amount, 'amount');
    const have = this.externalBalance(from, asset);
    if (new D(have).lt(amt)) {
      throw new DomainError('TRANSFER.INSUFFICIENT_FUNDS', `external wallet ${from} has ${have} ${asset}, cannot send ${amt}`);
    }
    const hash = txHash(this.cfg.seed, this.name, 'external', this.externalSends++);
    this.addExternal(from, asset, fmt(new D(amt).neg()), hash);
    return this.broadcast({ txHash: hash, asset, amount: amt, from, to });
  }

  externalBalance(address: string, asset: string): string {
    return this.externalBalances.get(key(address))?.get(asset) ?? '0';
  }

  /** Every movement into or out of external wallets, in order. */
  externalLedger(): ExternalLedgerEntry[] {
    return this.ledger.map((e) => ({ ...e }));
  }

  transfers(): NetworkTransfer[] {
    return this.all.map((t) => ({ ...t }));
  }

  transfer(hash: string): NetworkTransfer | undefined {
    const t = this.all.find((x) => x.txHash === hash);
    return t && { ...t };
  }

  /** Sent but not yet credited at the destination. */
  inFlight(asset: string): string {
    return fmt(this.all.filter((t) => t.asset === asset && t.status !== 'credited' && t.status !== 'failed').reduce((acc, t) => acc.plus(t.amount), new D(0)));
  }

  /** Sum held by all external wallets. */
  externalTotal(asset: string): string {
    let total = new D(0);
    for (const balances of this.externalBalances.values()) total = total.plus(balances.get(asset) ?? '0');
    return fmt(total);
  }

  private arrive(record: NetworkTransfer): void {
    if (record.status !== 'in_flight') return;
    record.status = 'arrived';
    record.arrivedAt = this.deps.clock.now();
    // Ownership is looked up on arrival: an address registered while the tx was in flight still receives it.
    const sink = this.sinks.get(key(record.to));
    record.destination = this.owner(record.to);
    const done = (): void => {
      if (record.status === 'credited') return;
      record.status = 'credited';
      record.creditedAt = this.deps.clock.now();
    };
    if (sink) {
      const { txHash: hash, network, asset, amount, from, to, sentAt, memo } = record;
      sink.sink.onChainArrival({ txHash: hash, network, asset, amount, from, to, sentAt, ...(memo !== undefined ? { memo } : {}) }, done);
    } else {
      this.addExternal(record.to, record.asset, record.amount, record.txHash);
      done();
    }
  }

  private addExternal(address: string, asset: string, amount: string, hash?: string): void {
    const k = key(address);
    let balances = this.externalBalances.get(k);
    if (!balances) {
      balances = new Map();
      this.externalBalances.set(k, balances);
    }
    balances.set(asset, fmt(new D(balances.get(asset) ?? '0').plus(amount)));
    const label = this.externalLabels.get(k);
    this.ledger.push({ txHash: hash ?? 'genesis', address, ...(label === undefined ? {} : { label }), asset, amount: fmt(amount), at: this.deps.clock.now() });
  }

  private checkAddress(address: string): void {
    if (!isEvmAddress(address)) throw new DomainError('TRANSFER.INVALID_ADDRESS', `expected a 0x-prefixed 20-byte hex address, got "${address}"`);
  }
}
