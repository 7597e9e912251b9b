// The TransferNetwork's ChainBridge on a local EVM: an exchange's withdrawal becomes a real ERC-20
// `transfer` from the exchange's hot wallet (a funded Hardhat account with a local key) to the
// destination address, and the network's tx hash is the real one.
//
// Signing is synchronous (local key, nonce counted here, fixed gas), so `send` returns the real
// hash at once and the simulator's synchronous broadcast keeps its shape; the raw transactions go
// out in nonce order, one queue per hot wallet. One poll loop on the Clock (RealClock in `npm start`)
// reads receipts of sent transactions and the head block, reports inclusion and reverts, and the
// confirmation counts of the transactions somebody follows (head − block + 1, as ethers counts).
//
// If the node refuses a raw transaction (node down, the key used elsewhere), that transfer fails and
// so does every transfer of the same hot wallet signed after it and not yet sent (their nonces can
// never be mined); the wallet then signs again from the refused nonce. Each failure is reported, so
// the sending exchange refunds it.
import { ContractFactory, Interface, Transaction, Wallet, getAddress, type InterfaceAbi, type JsonRpcProvider, type SigningKey } from 'ethers';
import { z } from 'zod';
import { parseOrThrow } from '../../domain/errors';
import { TokenUnitsError, toUnits } from '../../domain/token-units';
import type { Clock } from '../../domain/clock';
import type { BridgeTxEvents, ChainBridge } from '../exchange/transfer-network';
import { compileMintableToken } from './compile-token';
import { localProvider } from './deploy-uniswap-v2';
import { LOCAL_CHAIN_ID, hardhatAccountKey } from './local-chain';

export const TOKEN_IFACE = new Interface([
  'function transfer(address to, uint256 amount) returns (bool)',
  'function mint(address to, uint256 amount)',
  'function balanceOf(address owner) view returns (uint256)',
  'event Transfer(address indexed from, address indexed to, uint256 value)',
]);

/** Hardhat accounts 10, 11, … are the exchanges' hot wallets (0 deploys, 0–3 are treasury wallets, 9 mirrors the pool). */
export const HOT_WALLET_FIRST_ACCOUNT = 10;
const HARDHAT_ACCOUNTS = 20;

/** exchangeId → private key of its hot wallet, Hardhat accounts from HOT_WALLET_FIRST_ACCOUNT in order. */
export function hardhatHotWalletKeys(exchangeIds: string[]): Record<string, string> {
  if (HOT_WALLET_FIRST_ACCOUNT + exchangeIds.length > HARDHAT_ACCOUNTS) {
    throw new RangeError(`${exchangeIds.length} hot wallets do not fit Hardhat's ${HARDHAT_ACCOUNTS} funded accounts from #${HOT_WALLET_FIRST_ACCOUNT}`);
  }
  return Object.fromEntries(exchangeIds.map((id, i) => [id, hardhatAccountKey(HOT_WALLET_FIRST_ACCOUNT + i)]));
}

const EVM_ADDRESS = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x-prefixed 20-byte hex address');
const TokenSchema = z.object({ address: EVM_ADDRESS, decimals: z.number().int().min(0).max(36) }).strict();
export type BridgeToken = z.infer<typeof TokenSchema>;

export const ChainBridgeOptionsSchema = z
  .object({
    rpcUrl: z.string().url(),
    chainId: z.number().int().positive().default(LOCAL_CHAIN_ID),
    /** Asset symbol as the exchanges name it → its token on this chain. */
    tokens: z.record(z.string().regex(/^[A-Z0-9]{2,12}$/, 'expected an asset symbol like "BLST"'), TokenSchema),
    /** exchangeId → private key of its hot wallet (holds the exchange's tokens and gas). */
    hotWallets: z.record(z.string().min(1), z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected a 0x-prefixed 32-byte hex private key')),
    /** How often receipts and the head block are read while something is in flight or followed. */
    pollMs: z.number().int().positive().default(200),
    /** Fixed gas: an ERC-20 transfer of MintableToken needs ~52k; nothing is estimated, so signing stays synchronous. */
    gasLimit: z.number().int().min(21_000).default(100_000),
    maxFeePerGasGwei: z.number().int().positive().default(100),
    maxPriorityFeePerGasGwei: z.number().int().nonnegative().default(1),
  })
  .strict();
export type ChainBridgeOptions = z.input<typeof ChainBridgeOptionsSchema>;

export interface ChainBridgeDeps {
  clock: Clock;
  /** A failure the bridge recovered from (poll error, a callback that threw): log it. */
  onError?: (err: Error, context: Record<string, unknown>) => void;
}

interface HotWallet {
  exchangeId: string;
  address: string;
  key: SigningKey;
  nonce: number;
  /** Bumped when the node refuses a transaction: transactions signed in an older epoch are not sent. */
  epoch: number;
  tail: Promise<void>;
}

interface SentTx {
  hash: string;
  wallet: HotWallet;
  nonce: number;
  epoch: number;
  state: 'queued' | 'sent' | 'mined' | 'failed';
  blockNumber?: number;
  events: BridgeTxEvents;
  /** Follower → last count reported to it. */
  followers: Map<(confirmations: number) => void, number>;
}

const GWEI = 1_000_000_000n;
const messageOf = (e: unknown): string => (e instanceof Error ? ((e as { shortMessage?: string }).shortMessage ?? e.message) : String(e));

export class EvmChainBridge implements ChainBridge {
  readonly rpcUrl: string;
  readonly chainId: number;
  private readonly cfg: z.output<typeof ChainBridgeOptionsSchema>;
  private readonly byExchange = new Map<string, HotWallet>();
  private readonly byAddress = new Map<string, HotWallet>();
  private readonly txs = new Map<string, SentTx>();
  /** Sent-but-unmined transactions and mined ones somebody follows: what the poll loop reads. */
  private readonly active = new Set<SentTx>();
  private cancelPoll: (() => void) | undefined;
  private polling = false;
  private stopped = false;

  private constructor(
    cfg: z.output<typeof ChainBridgeOptionsSchema>,
    wallets: HotWallet[],
    private readonly provider: JsonRpcProvider,
    private readonly deps: ChainBridgeDeps,
  ) {
    this.cfg = cfg;
    this.rpcUrl = cfg.rpcUrl;
    this.chainId = cfg.chainId;
    for (const w of wallets) {
      this.byExchange.set(w.exchangeId, w);
      this.byAddress.set(w.address.toLowerCase(), w);
    }
  }

  /** Checks the tokens are contracts on the chain and reads each hot wallet's next nonce. */
  static async start(options: ChainBridgeOptions, deps: ChainBridgeDeps): Promise<EvmChainBridge> {
    const cfg = parseOrThrow(ChainBridgeOptionsSchema, options, 'chain bridge options');
    const provider = localProvider(cfg.rpcUrl, cfg.chainId);
    try {
      const chainId = Number((await provider.send('eth_chainId', [])) as string);
      if (chainId !== cfg.chainId) throw new Error(`chain bridge: ${cfg.rpcUrl} is chain ${chainId}, expected ${cfg.chainId}`);
      for (const [asset, t] of Object.entries(cfg.tokens)) {
        if ((await provider.getCode(t.address)) === '0x') throw new Error(`chain bridge: tokens.${asset}: no contract at ${t.address} on ${cfg.rpcUrl}`);
      }
      const wallets: HotWallet[] = [];
      for (const [exchangeId, key] of Object.entries(cfg.hotWallets)) {
        const wallet = new Wallet(key);
        const nonce = await provider.getTransactionCount(wallet.address, 'pending');
        wallets.push({ exchangeId, address: wallet.address, key: wallet.signingKey, nonce, epoch: 0, tail: Promise.resolve() });
      }
      const seen = new Set(wallets.map((w) => w.address));
      if (seen.size !== wallets.length) throw new Error('chain bridge: two exchanges share one hot wallet key');
      return new EvmChainBridge(cfg, wallets, provider, deps);
    } catch (e) {
      provider.destroy();
      throw e;
    }
  }

  hotWallet(exchangeId: string): string | undefined {
    return this.byExchange.get(exchangeId)?.address;
  }

  hotWallets(): Record<string, string> {
    return Object.fromEntries([...this.byExchange].map(([id, w]) => [id, w.address]));
  }

  tokens(): Record<string, BridgeToken> {
    return Object.fromEntries(Object.entries(this.cfg.tokens).map(([a, t]) => [a, { ...t }]));
  }

  sends(from: string, asset: string): boolean {
    return this.byAddress.has(from.toLowerCase()) && this.cfg.tokens[asset] !== undefined;
  }

  amountProblem(asset: string, amount: string): string | undefined {
    const token = this.cfg.tokens[asset];
    if (!token) return `asset ${asset} has no token on chain ${this.chainId}`;
    try {
      if (toUnits(amount, token.decimals) <= 0n) return `amount ${amount} is not positive`;
      return undefined;
    } catch (e) {
      if (e instanceof TokenUnitsError) return `${asset} on chain has ${token.decimals} decimals: ${e.message}`;
      throw e;
    }
  }

  send(t: { from: string; to: string; asset: string; amount: string }, events: BridgeTxEvents): string {
    if (this.stopped) throw new Error('chain bridge: stopped');
    const wallet = this.byAddress.get(t.from.toLowerCase());
    if (!wallet) throw new Error(`chain bridge: no key for ${t.from}`);
    const token = this.cfg.tokens[t.asset];
    if (!token) throw new Error(`chain bridge: asset ${t.asset} has no token on chain ${this.chainId}`);
    const units = toUnits(t.amount, token.decimals, 'amount');
    const tx = Transaction.from({
      type: 2,
      chainId: this.chainId,
      nonce: wallet.nonce,
      to: token.address,
      data: TOKEN_IFACE.encodeFunctionData('transfer', [getAddress(t.to.toLowerCase()), units]),
      gasLimit: BigInt(this.cfg.gasLimit),
      maxFeePerGas: BigInt(this.cfg.maxFeePerGasGwei) * GWEI,
      maxPriorityFeePerGas: BigInt(this.cfg.maxPriorityFeePerGasGwei) * GWEI,
      value: 0n,
    });
    tx.signature = wallet.key.sign(tx.unsignedHash);
    const hash = tx.hash;
    if (hash === null) throw new Error('chain bridge: signed transaction has no hash');
    const raw = tx.serialized;
    const sent: SentTx = { hash: hash.toLowerCase(), wallet, nonce: wallet.nonce, epoch: wallet.epoch, state: 'queued', events, followers: new Map() };
    wallet.nonce++;
    this.txs.set(sent.hash, sent);
    wallet.tail = wallet.tail.then(() => this.push(sent, raw));
    return sent.hash;
  }

  followConfirmations(hash: string, onCount: (confirmations: number) => void): () => void {
    const sent = this.txs.get(hash.toLowerCase());
    if (!sent) throw new Error(`chain bridge: transaction ${hash} was not sent by this bridge`);
    if (sent.state === 'failed') return () => undefined;
    sent.followers.set(onCount, 0);
    this.active.add(sent);
    this.schedulePoll();
    return () => {
      sent.followers.delete(onCount);
    };
  }

  /** Stops polling and waits for queued broadcasts to finish (those not yet sent fail). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelPoll?.();
    this.cancelPoll = undefined;
    await Promise.all([...this.byExchange.values()].map((w) => w.tail));
    this.provider.destroy();
  }

  private async push(sent: SentTx, raw: string): Promise<void> {
    if (this.stopped) {
      this.fail(sent, 'the chain bridge stopped before the transaction was broadcast');
      return;
    }
    if (sent.epoch !== sent.wallet.epoch) {
      this.fail(sent, `not broadcast: an earlier transaction of hot wallet ${sent.wallet.address} was refused, so nonce ${sent.nonce} cannot be mined`);
      return;
    }
    try {
      const got: unknown = await this.provider.send('eth_sendRawTransaction', [raw]);
      if (typeof got === 'string' && got.toLowerCase() !== sent.hash) this.report(new Error(`node answered hash ${got} for ${sent.hash}`), { hash: sent.hash });
    } catch (e) {
      const message = messageOf(e);
      // Hardhat's automine executes a raw tx at once and answers a revert with an error although the
      // tx was mined (its nonce is used): whatever the node says, a tx it knows was accepted.
      if (!/already known|known transaction/i.test(message) && !(await this.nodeKnows(sent.hash))) {
        // Nonces after this one can never be mined: start over from it.
        sent.wallet.epoch++;
        sent.wallet.nonce = sent.nonce;
        this.fail(sent, `the node refused the transaction: ${message}`);
        return;
      }
    }
    sent.state = 'sent';
    this.active.add(sent);
    this.schedulePoll();
  }

  private async nodeKnows(hash: string): Promise<boolean> {
    try {
      return (await this.provider.send('eth_getTransactionByHash', [hash])) !== null;
    } catch {
      return false;
    }
  }

  private fail(sent: SentTx, reason: string): void {
    if (sent.state === 'failed') return;
    sent.state = 'failed';
    sent.followers.clear();
    this.active.delete(sent);
    this.call(() => sent.events.failed(reason), { hash: sent.hash, event: 'failed' });
  }

  private schedulePoll(): void {
    if (this.stopped || this.polling || this.cancelPoll || this.active.size === 0) return;
    this.cancelPoll = this.deps.clock.schedule(this.cfg.pollMs, () => {
      this.cancelPoll = undefined;
      void this.poll();
    });
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      for (const sent of [...this.active]) {
        if (sent.state !== 'sent') continue;
        const receipt = await this.provider.getTransactionReceipt(sent.hash);
        if (!receipt || this.stopped) continue;
        if (receipt.status === 1) {
          sent.state = 'mined';
          sent.blockNumber = receipt.blockNumber;
          this.call(() => sent.events.mined(receipt.blockNumber), { hash: sent.hash, event: 'mined' });
        } else {
          this.fail(sent, `reverted on chain in block ${receipt.blockNumber}`);
        }
      }
      const followed = [...this.active].filter((s) => s.state === 'mined' && s.followers.size > 0);
      if (followed.length > 0) {
        const head = await this.provider.getBlockNumber();
        for (const sent of followed) this.reportCounts(sent, head);
      }
      for (const sent of [...this.active]) {
        if (sent.state === 'failed' || (sent.state === 'mined' && sent.followers.size === 0)) this.active.delete(sent);
      }
    } catch (e) {
      this.report(e instanceof Error ? e : new Error(String(e)), { during: 'poll' });
    } finally {
      this.polling = false;
      this.schedulePoll();
    }
  }

  private reportCounts(sent: SentTx, head: number): void {
    const n = Math.max(1, head - (sent.blockNumber ?? head) + 1);
    for (const [follower, last] of [...sent.followers]) {
      if (n <= last || !sent.followers.has(follower)) continue;
      sent.followers.set(follower, n);
      this.call(() => follower(n), { hash: sent.hash, event: 'confirmations', confirmations: n });
    }
  }

  private call(fn: () => void, context: Record<string, unknown>): void {
    try {
      fn();
    } catch (e) {
      this.report(e instanceof Error ? e : new Error(String(e)), context);
    }
  }

  private report(err: Error, context: Record<string, unknown>): void {
    this.deps.onError?.(err, context);
  }
}

// ---- set-up helpers: tokens the AMM did not deploy, and the hot wallets' float ------------------

export interface TokenSpec {
  symbol: string;
  name: string;
  decimals: number;
}

/** Deploys a MintableToken per spec from unlocked account `ownerIndex` (who alone may mint). */
export async function deployTokens(rpcUrl: string, specs: TokenSpec[], o: { ownerIndex?: number; artifactDir?: string } = {}): Promise<Record<string, BridgeToken>> {
  const artifact = compileMintableToken({ artifactDir: o.artifactDir });
  const provider = localProvider(rpcUrl);
  try {
    const signer = await provider.getSigner(o.ownerIndex ?? 0);
    const out: Record<string, BridgeToken> = {};
    for (const s of specs) {
      const c = await new ContractFactory(artifact.abi as InterfaceAbi, artifact.bytecode, signer).deploy(s.name, s.symbol, s.decimals);
      await c.waitForDeployment();
      out[s.symbol] = { address: await c.getAddress(), decimals: s.decimals };
    }
    return out;
  } finally {
    provider.destroy();
  }
}

/** Mints exact amounts (decimal strings) from the tokens' owner, one mined transaction each. */
export async function mintTokens(rpcUrl: string, tokens: Record<string, BridgeToken>, grants: { to: string; asset: string; amount: string }[], ownerIndex = 0): Promise<void> {
  const provider = localProvider(rpcUrl);
  try {
    const signer = await provider.getSigner(ownerIndex);
    for (const [i, g] of grants.entries()) {
      const token = tokens[g.asset];
      if (!token) throw new Error(`mint: grants[${i}].asset: no token for ${g.asset}`);
      const units = toUnits(g.amount, token.decimals, `grants[${i}].amount`);
      if (units === 0n) continue;
      const tx = await signer.sendTransaction({ to: token.address, data: TOKEN_IFACE.encodeFunctionData('mint', [getAddress(g.to.toLowerCase()), units]) });
      const receipt = await tx.wait();
      if (receipt?.status !== 1) throw new Error(`mint: grants[${i}]: ${g.amount} ${g.asset} to ${g.to} reverted`);
    }
  } finally {
    provider.destroy();
  }
}

/** balanceOf in token units. */
export async function tokenBalance(rpcUrl: string, token: string, holder: string): Promise<bigint> {
  const provider = localProvider(rpcUrl);
  try {
    const out = await provider.call({ to: token, data: TOKEN_IFACE.encodeFunctionData('balanceOf', [getAddress(holder.toLowerCase())]) });
    const [balance] = TOKEN_IFACE.decodeFunctionResult('balanceOf', out);
    if (typeof balance !== 'bigint') throw new Error(`balanceOf(${holder}) on ${token}: not a uint256`);
    return balance;
  } finally {
    provider.destroy();
  }
}
