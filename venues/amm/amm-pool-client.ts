// The AMM venue's chain access once the pool is known: consistent reads of the pair (reserves and
// LP supply at one block, uncached), wallet balances and allowances, deadlines from chain time, and
// the pre-send checks that turn a doomed transaction into a VenueError before it costs gas.
import { Contract, type JsonRpcProvider, type TransactionReceipt } from 'ethers';
import { fromUnits } from '../../domain/token-units';
import type { PoolReserves, PoolSnapshot } from '../../domain/uniswap-v2-math';
import { VenueError } from '../venue-errors';
import { ERC20_ABI, PAIR_ABI, ROUTER_ABI } from './amm-abis';
import type { AmmLiquidityResult, AmmPoolInfo, AmmReserves, AmmToken } from './amm-venue.types';
import { rpcUint, toVenueError } from './evm-errors';
import type { EvmTxSender } from './evm-tx-sender';

/** A 0x-hex quantity from a raw JSON-RPC answer as a bigint; anything else is passed on to fail validation. */
export function hexQuantity(v: unknown): unknown {
  return typeof v === 'string' && /^0x[0-9a-fA-F]{1,64}$/.test(v) ? BigInt(v) : v;
}

export class AmmPoolClient {
  readonly pair: Contract;
  readonly router: Contract;

  constructor(
    private readonly venue: string,
    private readonly provider: JsonRpcProvider,
    readonly addresses: { pair: string; router: string },
    readonly info: AmmPoolInfo,
    readonly wallet: string,
    readonly tx: EvmTxSender,
  ) {
    this.pair = new Contract(addresses.pair, PAIR_ABI, provider);
    this.router = new Contract(addresses.router, ROUTER_ABI, provider);
  }

  get lpToken(): AmmToken {
    return { address: this.addresses.pair, symbol: 'LP', decimals: this.info.lpDecimals };
  }

  /** eth_blockNumber uncached, so a read right after a write sees the write. */
  async blockNumber(): Promise<number> {
    return Number(rpcUint(hexQuantity(await this.provider.send('eth_blockNumber', [])), 64, this.venue, 'eth_blockNumber'));
  }

  async reserves(): Promise<AmmReserves> {
    const blockNumber = await this.blockNumber();
    const r = this.mapReserves(await this.pair.getFunction('getReserves').staticCall({ blockTag: blockNumber }));
    const { base, quote } = this.info;
    return { base: fromUnits(r.base, base.decimals), quote: fromUnits(r.quote, quote.decimals), baseRaw: r.base, quoteRaw: r.quote, blockNumber };
  }

  /** Reserves and LP supply read at one block: the state the math module mirrors. */
  async poolState(): Promise<PoolSnapshot & { blockNumber: number }> {
    const blockNumber = await this.blockNumber();
    const at = { blockTag: blockNumber };
    const [res, supply] = await Promise.all<unknown>([this.pair.getFunction('getReserves').staticCall(at), this.pair.getFunction('totalSupply').staticCall(at)]);
    return { ...this.mapReserves(res), totalSupply: rpcUint(supply, 256, this.venue, 'pair.totalSupply'), blockNumber };
  }

  async balanceOf(t: AmmToken, who = this.wallet): Promise<bigint> {
    const c = new Contract(t.address, ERC20_ABI, this.provider);
    return rpcUint(await c.getFunction('balanceOf').staticCall(who), 256, this.venue, `${t.symbol}.balanceOf`);
  }

  async requireBalance(t: AmmToken, need: bigint, action: string): Promise<void> {
    const have = await this.balanceOf(t);
    if (have < need) throw new VenueError('VENUE.INSUFFICIENT_FUNDS', this.venue, `${action}: need ${fromUnits(need, t.decimals)} ${t.symbol}, wallet has ${fromUnits(have, t.decimals)}`);
  }

  /** Approves exactly what the next call spends: no standing unlimited allowance on a treasury wallet. */
  async ensureAllowance(t: AmmToken, need: bigint): Promise<void> {
    const c = new Contract(t.address, ERC20_ABI, this.provider);
    const current = rpcUint(await c.getFunction('allowance').staticCall(this.wallet, this.addresses.router), 256, this.venue, `${t.symbol}.allowance`);
    if (current >= need) return;
    const approve = c.connect(this.tx.signer).getFunction('approve');
    await this.tx.sendAndConfirm(await approve.populateTransaction(this.addresses.router, need), `approve ${t.symbol}`);
  }

  /** Chain time + deadlineSec (chain time, not wall time: a test chain may be ahead), or an absolute deadline. */
  async deadline(d: { deadline?: number; deadlineSec?: number }, defaultSec: number): Promise<bigint> {
    if (d.deadline !== undefined) return BigInt(d.deadline);
    const block = await this.provider.getBlock('latest');
    return rpcUint(block?.timestamp, 64, this.venue, 'block.timestamp') + BigInt(d.deadlineSec ?? defaultSec);
  }

  /**
   * Simulates a router call. The router checks deadline and minimums before it pulls tokens, so a
   * missing allowance (approved next) is the one revert that does not abort.
   */
  async preflight(action: string, call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (e) {
      const err = toVenueError(e, this.venue, action);
      if (err.code === 'VENUE.INSUFFICIENT_FUNDS' && /TRANSFER_FROM_FAILED|allowance|ds-math-sub-underflow/.test(err.message)) return;
      throw err;
    }
  }

  /** The router function, connected to the venue's signer. */
  routerFn(name: 'swapExactTokensForTokens' | 'addLiquidity' | 'removeLiquidity') {
    return this.router.connect(this.tx.signer).getFunction(name);
  }

  /** token0/token1 amounts → base/quote. */
  toBaseQuote(a0: unknown, a1: unknown, what: string): PoolReserves {
    const x0 = rpcUint(a0, 256, this.venue, `${what}0`);
    const x1 = rpcUint(a1, 256, this.venue, `${what}1`);
    return this.info.baseIsToken0 ? { base: x0, quote: x1 } : { base: x1, quote: x0 };
  }

  liquidityResult(receipt: TransactionReceipt, amounts: PoolReserves, liquidityRaw: bigint): AmmLiquidityResult {
    const { base, quote, lpDecimals } = this.info;
    return {
      txHash: receipt.hash,
      base: fromUnits(amounts.base, base.decimals),
      quote: fromUnits(amounts.quote, quote.decimals),
      liquidity: fromUnits(liquidityRaw, lpDecimals),
      baseRaw: amounts.base,
      quoteRaw: amounts.quote,
      liquidityRaw,
      blockNumber: receipt.blockNumber,
    };
  }

  private mapReserves(res: unknown): PoolReserves {
    const arr = Array.isArray(res) || (typeof res === 'object' && res !== null) ? (res as unknown[]) : [];
    const r0 = rpcUint(arr[0], 112, this.venue, 'getReserves.reserve0');
    const r1 = rpcUint(arr[1], 112, this.venue, 'getReserves.reserve1');
    return this.info.baseIsToken0 ? { base: r0, quote: r1 } : { base: r1, quote: r0 };
  }
}
