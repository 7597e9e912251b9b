// Idempotent ERC-20 withdrawals of the AMM venue: idempotencyKey → the first transfer's record.
// A retried call with the same key returns (and refreshes) that record instead of sending again;
// the same key with a different request is refused. Kept in memory: a restarted process forgets its
// keys, so the durable guarantee comes from the workflow's own idempotency check before it calls.
import { getAddress, type JsonRpcProvider, type TransactionReceipt } from 'ethers';
import type { TransferRecord, TransferStatus } from '../venue.port';
import { VenueError } from '../venue-errors';
import { toVenueError } from './evm-errors';
import type { EvmTxSender } from './evm-tx-sender';

interface Entry {
  fingerprint: string;
  record: TransferRecord;
  /** Signed bytes (local key only), re-broadcast if the node never saw them. */
  raw?: string;
}

export interface WithdrawalOrder {
  key: string;
  asset: string;
  amount: string;
  amountRaw: bigint;
  token: string;
  to: string;
  network: string;
  /** ABI-encoded transfer(to, amount). */
  data: string;
}

const FINAL: ReadonlySet<TransferStatus> = new Set(['ok', 'failed', 'canceled']);

export class WithdrawalLedger {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly venue: string,
    private readonly provider: JsonRpcProvider,
    private readonly now: () => number,
  ) {}

  /** Call inside the sender's serial section, so two calls with one key cannot both send. */
  async withdraw(o: WithdrawalOrder, tx: EvmTxSender, checkFunds: () => Promise<void>): Promise<TransferRecord> {
    const fingerprint = [o.asset, o.amountRaw.toString(), getAddress(o.to), o.network].join('|');
    const existing = this.entries.get(o.key);
    if (existing) {
      if (existing.fingerprint !== fingerprint) {
        throw new VenueError('VENUE.INVALID_ORDER', this.venue, `withdraw: idempotency key ${o.key} was already used for a different withdrawal`);
      }
      return this.refresh(existing, tx);
    }
    await checkFunds();
    const entry: Entry = {
      fingerprint,
      record: {
        id: '',
        type: 'withdrawal',
        asset: o.asset,
        amount: o.amount,
        // Gas is paid in the native coin, not in the asset withdrawn.
        fee: '0',
        address: getAddress(o.to),
        network: o.network,
        confirmations: 0,
        status: 'pending',
        idempotencyKey: o.key,
        timestamp: this.now(),
      },
    };
    // The entry exists from the moment a hash does: from then on a retry must not send again.
    const sent = await tx.send({ to: o.token, data: o.data }, 'withdraw', (hash, raw) => {
      entry.record = { ...entry.record, id: hash, txHash: hash };
      if (raw) entry.raw = raw;
      this.entries.set(o.key, entry);
    });
    await this.applyReceipt(entry, sent.receipt);
    return { ...entry.record };
  }

  async list(tx: EvmTxSender, asset?: string, sinceMs?: number): Promise<TransferRecord[]> {
    const out: TransferRecord[] = [];
    for (const e of this.entries.values()) {
      if (asset !== undefined && e.record.asset !== asset) continue;
      if (sinceMs !== undefined && e.record.timestamp < sinceMs) continue;
      out.push(await this.refresh(e, tx));
    }
    return out.sort((a, b) => a.timestamp - b.timestamp);
  }

  private async refresh(e: Entry, tx: EvmTxSender): Promise<TransferRecord> {
    const hash = e.record.txHash;
    // Final failures stay as they are; an 'ok' one is re-read for its confirmation count.
    if (hash === undefined || (FINAL.has(e.record.status) && e.record.status !== 'ok')) return { ...e.record };
    try {
      let receipt = (await this.provider.getTransactionReceipt(hash)) ?? undefined;
      if (!receipt && e.raw && !(await this.provider.getTransaction(hash))) {
        // The node never saw it (lost broadcast): send the same signed bytes again.
        await tx.broadcast(e.raw, 'withdraw');
        receipt = await tx.waitReceipt(hash, 'withdraw');
      }
      await this.applyReceipt(e, receipt);
    } catch (err) {
      throw toVenueError(err, this.venue, 'refresh withdrawal');
    }
    return { ...e.record };
  }

  private async applyReceipt(e: Entry, receipt: TransactionReceipt | undefined): Promise<void> {
    if (!receipt) return;
    const confirmations = await receipt.confirmations();
    e.record = { ...e.record, confirmations, status: receipt.status === 1 ? 'ok' : 'failed' };
  }
}
