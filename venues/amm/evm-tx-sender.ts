// Sends the AMM venue's transactions one operation at a time and waits for their receipts.
// With a local key (Wallet) the transaction is signed here first, so its hash is known before it is
// broadcast: a withdrawal can record the hash, and a retry after a lost broadcast re-sends the same
// signed bytes (same nonce: it can land at most once). With a node-held account (JsonRpcSigner, the
// local chain's unlocked accounts) the node signs, and the hash is known only when the send returns.
import { Transaction, Wallet, type JsonRpcProvider, type Signer, type TransactionReceipt, type TransactionRequest } from 'ethers';
import { VenueError } from '../venue-errors';
import { toVenueError } from './evm-errors';

const RECEIPT_POLL_MS = 100;

export interface SentTx {
  hash: string;
  /** Undefined when no receipt arrived within the confirmation timeout. */
  receipt?: TransactionReceipt;
}

export class EvmTxSender {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly venue: string,
    private readonly provider: JsonRpcProvider,
    readonly signer: Signer,
    private readonly confirmTimeoutMs: number,
  ) {}

  /**
   * Runs `op` after every earlier operation finished. Multi-transaction operations (approve, then
   * swap) must see their own earlier transactions mined, and a nonce must not be taken twice.
   */
  serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.tail.then(op, op);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Signs (when the key is local), reports the hash through `onSigned` before broadcasting, sends,
   * and waits for the receipt. A revert found while estimating gas throws before anything is sent.
   */
  async send(tx: TransactionRequest, action: string, onSigned?: (hash: string, raw: string) => void): Promise<SentTx> {
    let hash: string;
    if (this.signer instanceof Wallet) {
      let raw: string;
      try {
        const populated = await this.signer.populateTransaction(tx);
        raw = await this.signer.signTransaction(populated);
      } catch (e) {
        throw toVenueError(e, this.venue, action);
      }
      hash = Transaction.from(raw).hash ?? '';
      onSigned?.(hash, raw);
      await this.broadcast(raw, action);
    } else {
      try {
        hash = (await this.signer.sendTransaction(tx)).hash;
      } catch (e) {
        throw toVenueError(e, this.venue, action);
      }
      onSigned?.(hash, '');
    }
    return { hash, receipt: await this.waitReceipt(hash, action) };
  }

  /** (Re)broadcast signed bytes; "already known" / "nonce too low" mean an earlier broadcast landed. */
  async broadcast(raw: string, action: string): Promise<void> {
    try {
      await this.provider.broadcastTransaction(raw);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (/already known|known transaction|nonce too low|nonce has already been used/i.test(msg)) return;
      throw toVenueError(e, this.venue, action);
    }
  }

  /**
   * Polls for the receipt (a receipt = one confirmation). Not provider.waitForTransaction: it compares
   * with a cached block number and then waits for a next block, which an automining node with no
   * further transactions never produces.
   */
  async waitReceipt(hash: string, action: string): Promise<TransactionReceipt | undefined> {
    const deadline = performance.now() + this.confirmTimeoutMs;
    for (;;) {
      try {
        const receipt = await this.provider.getTransactionReceipt(hash);
        if (receipt) return receipt;
      } catch (e) {
        const err = toVenueError(e, this.venue, action);
        if (err.code !== 'VENUE.UNAVAILABLE') throw err;
      }
      // Not mined in time: the caller decides (a withdrawal stays pending; a swap reports it).
      if (performance.now() > deadline) return undefined;
      await new Promise((r) => setTimeout(r, RECEIPT_POLL_MS));
    }
  }

  /** Sends, then insists on a successful receipt (for approvals, swaps, liquidity). */
  async sendAndConfirm(tx: TransactionRequest, action: string): Promise<TransactionReceipt> {
    const sent = await this.send(tx, action);
    if (!sent.receipt) throw new VenueError('VENUE.UNAVAILABLE', this.venue, `${action}: transaction ${sent.hash} was not mined within ${this.confirmTimeoutMs} ms`);
    if (sent.receipt.status !== 1) throw await this.revertedOnChain(tx, sent.receipt, action);
    return sent.receipt;
  }

  /**
   * A transaction that passed its simulation and reverted when mined (the pool moved while it was
   * pending, or its deadline passed). Receipts carry no reason: replaying the call on the state of
   * the block that mined it usually recovers it (slippage); otherwise the error says what is known.
   */
  private async revertedOnChain(tx: TransactionRequest, receipt: TransactionReceipt, action: string): Promise<VenueError> {
    const what = `transaction ${receipt.hash} reverted on chain in block ${receipt.blockNumber}`;
    const replayed = await this.provider.call({ ...tx, from: receipt.from, blockTag: receipt.blockNumber }).then(
      () => undefined,
      (e: unknown) => toVenueError(e, this.venue, action),
    );
    if (replayed && replayed.code !== 'VENUE.UNAVAILABLE') return new VenueError(replayed.code, this.venue, `${replayed.message.replace(/^[^:]*: /, '')}; ${what}`);
    return new VenueError('VENUE.INVALID_ORDER', this.venue, `${action}: ${what} (slippage limit or deadline exceeded while pending)`);
  }
}
