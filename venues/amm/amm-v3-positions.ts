// Concentrated-liquidity positions on a Uniswap V3 pool through the NonfungiblePositionManager, via
// ethers v6: read the pool (slot0, tick spacing, token order), mint a position in a tick range, and
// close one (decreaseLiquidity of all of it, collect principal and fees, burn the NFT). Amounts are
// exact token units; what came back as principal (DecreaseLiquidity) and as fees (Collect − principal)
// is reported separately so the LP ledger can set impermanent loss against fees.
import { Contract, FetchRequest, JsonRpcProvider, Wallet, getAddress, type Signer, type TransactionReceipt } from 'ethers';
import { z } from 'zod';
import { parseOrThrow } from '../../domain/errors';
import { VenueError } from '../venue-errors';
import { ERC20_ABI } from './amm-abis';
import { rpcAddress, rpcDecimals, rpcUint, toVenueError } from './evm-errors';
import { EvmTxSender } from './evm-tx-sender';

export const V3_POSITION_MANAGER_ABI = [
  'function mint((address token0, address token1, uint24 fee, int24 tickLower, int24 tickUpper, uint256 amount0Desired, uint256 amount1Desired, uint256 amount0Min, uint256 amount1Min, address recipient, uint256 deadline) params) payable returns (uint256 tokenId, uint128 liquidity, uint256 amount0, uint256 amount1)',
  'function decreaseLiquidity((uint256 tokenId, uint128 liquidity, uint256 amount0Min, uint256 amount1Min, uint256 deadline) params) payable returns (uint256 amount0, uint256 amount1)',
  'function collect((uint256 tokenId, address recipient, uint128 amount0Max, uint128 amount1Max) params) payable returns (uint256 amount0, uint256 amount1)',
  'function burn(uint256 tokenId) payable',
  'function positions(uint256 tokenId) view returns (uint96 nonce, address operator, address token0, address token1, uint24 fee, int24 tickLower, int24 tickUpper, uint128 liquidity, uint256 feeGrowthInside0LastX128, uint256 feeGrowthInside1LastX128, uint128 tokensOwed0, uint128 tokensOwed1)',
  'event IncreaseLiquidity(uint256 indexed tokenId, uint128 liquidity, uint256 amount0, uint256 amount1)',
  'event DecreaseLiquidity(uint256 indexed tokenId, uint128 liquidity, uint256 amount0, uint256 amount1)',
  'event Collect(uint256 indexed tokenId, address recipient, uint256 amount0, uint256 amount1)',
] as const;

export const V3_POOL_ABI = [
  'function slot0() view returns (uint160 sqrtPriceX96, int24 tick, uint16 observationIndex, uint16 observationCardinality, uint16 observationCardinalityNext, uint8 feeProtocol, bool unlocked)',
  'function liquidity() view returns (uint128)',
  'function tickSpacing() view returns (int24)',
  'function fee() view returns (uint24)',
  'function token0() view returns (address)',
  'function token1() view returns (address)',
] as const;

const zAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected an EVM address (0x + 40 hex digits)');

export const AmmV3PositionsOptionsSchema = z
  .object({
    id: z.string().min(1),
    rpcUrl: z.url(),
    chainId: z.number().int().positive(),
    positionManager: zAddress,
    pool: zAddress,
    base: zAddress,
    quote: zAddress,
    wallet: z.union([z.object({ privateKey: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected 0x + 64 hex digits') }).strict(), z.object({ account: z.number().int().min(0) }).strict()]),
    rpcTimeoutMs: z.number().int().positive().default(10_000),
    confirmTimeoutMs: z.number().int().positive().default(30_000),
    deadlineSec: z.number().int().positive().max(86_400).default(120),
  })
  .strict();
export type AmmV3PositionsOptions = z.input<typeof AmmV3PositionsOptionsSchema>;

export interface V3PoolInfo {
  baseDecimals: number;
  quoteDecimals: number;
  baseIsToken0: boolean;
  tickSpacing: number;
  /** Fee tier in hundredths of a bip (3000 = 0.3 %). */
  fee: number;
}

export interface V3Slot0 {
  sqrtPriceX96: bigint;
  tick: number;
  /** In-range liquidity of the whole pool. */
  liquidity: bigint;
  blockNumber: number;
}

export interface V3MintResult {
  tokenId: bigint;
  liquidity: bigint;
  base: bigint;
  quote: bigint;
  txHash: string;
}

export interface V3CloseResult {
  principal: { base: bigint; quote: bigint };
  fees: { base: bigint; quote: bigint };
  txHashes: string[];
}

interface Ready {
  info: V3PoolInfo;
  wallet: string;
  tx: EvmTxSender;
  npm: Contract;
  pool: Contract;
  base: string;
  quote: string;
}

const MAX_UINT128 = (1n << 128n) - 1n;

export class AmmV3Positions {
  readonly id: string;
  private readonly o: z.output<typeof AmmV3PositionsOptionsSchema>;
  private readonly provider: JsonRpcProvider;
  private readyP?: Promise<Ready>;

  constructor(options: AmmV3PositionsOptions) {
    this.o = parseOrThrow(AmmV3PositionsOptionsSchema, options, 'AMM V3 positions options');
    this.id = this.o.id;
    const req = new FetchRequest(this.o.rpcUrl);
    req.timeout = this.o.rpcTimeoutMs;
    this.provider = new JsonRpcProvider(req, this.o.chainId, { staticNetwork: true, pollingInterval: 200, cacheTimeout: -1 });
  }

  async info(): Promise<V3PoolInfo> {
    return (await this.ready()).info;
  }

  async walletAddress(): Promise<string> {
    return (await this.ready()).wallet;
  }

  async slot0(): Promise<V3Slot0> {
    const r = await this.ready();
    return this.guard('read slot0', async () => {
      const blockNumber = await this.provider.getBlockNumber();
      const at = { blockTag: blockNumber };
      const [s, l] = await Promise.all<unknown>([r.pool.getFunction('slot0').staticCall(at), r.pool.getFunction('liquidity').staticCall(at)]);
      const slot = s as [unknown, unknown];
      return { sqrtPriceX96: rpcUint(slot[0], 160, this.id, 'slot0.sqrtPriceX96'), tick: Number(slot[1]), liquidity: rpcUint(l, 128, this.id, 'pool.liquidity'), blockNumber };
    });
  }

  /** Wallet balances, token units. */
  async walletUnits(): Promise<{ base: bigint; quote: bigint }> {
    const r = await this.ready();
    return this.guard('fetch balances', async () => {
      const bal = (t: string): Promise<unknown> => new Contract(t, ERC20_ABI, this.provider).getFunction('balanceOf').staticCall(r.wallet);
      const [b, q] = await Promise.all<unknown>([bal(r.base), bal(r.quote)]);
      return { base: rpcUint(b, 256, this.id, 'base.balanceOf'), quote: rpcUint(q, 256, this.id, 'quote.balanceOf') };
    });
  }

  /** Mints a position in [tickLower, tickUpper] from at most `desired`; the contract takes what its liquidity needs. */
  async mint(req: { tickLower: number; tickUpper: number; base: bigint; quote: bigint }): Promise<V3MintResult> {
    const r = await this.ready();
    if (!(req.tickLower < req.tickUpper) || req.tickLower % r.info.tickSpacing !== 0 || req.tickUpper % r.info.tickSpacing !== 0) {
      throw new VenueError('VENUE.INVALID_ORDER', this.id, `mint: ticks [${req.tickLower}, ${req.tickUpper}] must be ordered multiples of ${r.info.tickSpacing}`);
    }
    return r.tx.serial(() =>
      this.guard('mint position', async () => {
        await this.approve(r, r.base, req.base);
        await this.approve(r, r.quote, req.quote);
        const [t0, t1, a0, a1] = r.info.baseIsToken0 ? [r.base, r.quote, req.base, req.quote] : [r.quote, r.base, req.quote, req.base];
        const params = { token0: t0, token1: t1, fee: r.info.fee, tickLower: req.tickLower, tickUpper: req.tickUpper, amount0Desired: a0, amount1Desired: a1, amount0Min: 0n, amount1Min: 0n, recipient: r.wallet, deadline: await this.deadline() };
        const fn = r.npm.connect(r.tx.signer).getFunction('mint');
        await fn.staticCall(params); // a revert (e.g. a balance short) surfaces here with its reason
        const receipt = await r.tx.sendAndConfirm(await fn.populateTransaction(params), 'mint position');
        const ev = this.event(r, receipt, 'IncreaseLiquidity');
        const [b, q] = this.toBaseQuote(r, ev.args[2], ev.args[3]);
        return { tokenId: rpcUint(ev.args[0], 256, this.id, 'tokenId'), liquidity: rpcUint(ev.args[1], 128, this.id, 'liquidity'), base: b, quote: q, txHash: receipt.hash };
      }),
    );
  }

  /** Position liquidity and range. */
  async position(tokenId: bigint): Promise<{ liquidity: bigint; tickLower: number; tickUpper: number }> {
    const r = await this.ready();
    return this.guard('read position', async () => {
      const p = (await r.npm.getFunction('positions').staticCall(tokenId)) as unknown as unknown[];
      return { liquidity: rpcUint(p[7], 128, this.id, 'position.liquidity'), tickLower: Number(p[5]), tickUpper: Number(p[6]) };
    });
  }

  /** decreaseLiquidity (all of it) + collect (everything owed) + burn: principal and fees back in the wallet. */
  async closePosition(tokenId: bigint): Promise<V3CloseResult> {
    const r = await this.ready();
    const pos = await this.position(tokenId);
    return r.tx.serial(() =>
      this.guard('close position', async () => {
        const npm = r.npm.connect(r.tx.signer);
        const hashes: string[] = [];
        let principal: [bigint, bigint] = [0n, 0n];
        if (pos.liquidity > 0n) {
          const dec = { tokenId, liquidity: pos.liquidity, amount0Min: 0n, amount1Min: 0n, deadline: await this.deadline() };
          const receipt = await r.tx.sendAndConfirm(await npm.getFunction('decreaseLiquidity').populateTransaction(dec), 'decrease liquidity');
          hashes.push(receipt.hash);
          const ev = this.event(r, receipt, 'DecreaseLiquidity');
          principal = this.toBaseQuote(r, ev.args[2], ev.args[3]);
        }
        const col = { tokenId, recipient: r.wallet, amount0Max: MAX_UINT128, amount1Max: MAX_UINT128 };
        const cr = await r.tx.sendAndConfirm(await npm.getFunction('collect').populateTransaction(col), 'collect');
        hashes.push(cr.hash);
        const ce = this.event(r, cr, 'Collect');
        const collected = this.toBaseQuote(r, ce.args[2], ce.args[3]);
        const br = await r.tx.sendAndConfirm(await npm.getFunction('burn').populateTransaction(tokenId), 'burn position');
        hashes.push(br.hash);
        const sub = (a: bigint, b: bigint) => (a > b ? a - b : 0n);
        return { principal: { base: principal[0], quote: principal[1] }, fees: { base: sub(collected[0], principal[0]), quote: sub(collected[1], principal[1]) }, txHashes: hashes };
      }),
    );
  }

  /** Releases the RPC connection. */
  async close(): Promise<void> {
    this.provider.destroy();
  }

  // ---- internals ----

  private ready(): Promise<Ready> {
    this.readyP ??= this.init().catch((e: unknown) => {
      this.readyP = undefined;
      throw toVenueError(e, this.id, 'connect');
    });
    return this.readyP;
  }

  private async init(): Promise<Ready> {
    const signer: Signer = 'privateKey' in this.o.wallet ? new Wallet(this.o.wallet.privateKey, this.provider) : await this.provider.getSigner(this.o.wallet.account);
    const wallet = getAddress(await signer.getAddress());
    const pool = new Contract(this.o.pool, V3_POOL_ABI, this.provider);
    const [t0, t1, spacing, fee] = await Promise.all(['token0', 'token1', 'tickSpacing', 'fee'].map((m): Promise<unknown> => pool.getFunction(m).staticCall()));
    const token0 = rpcAddress(t0, this.id, 'pool.token0');
    const token1 = rpcAddress(t1, this.id, 'pool.token1');
    const [base, quote] = [getAddress(this.o.base), getAddress(this.o.quote)];
    if (!((token0 === base && token1 === quote) || (token0 === quote && token1 === base))) {
      throw new VenueError('VENUE.BAD_RESPONSE', this.id, `V3 pool ${this.o.pool} holds ${token0}/${token1}, not ${base}/${quote}`);
    }
    const dec = async (t: string, label: string) => rpcDecimals(await new Contract(t, ERC20_ABI, this.provider).getFunction('decimals').staticCall(), this.id, label);
    const info: V3PoolInfo = {
      baseDecimals: await dec(base, 'base.decimals'),
      quoteDecimals: await dec(quote, 'quote.decimals'),
      baseIsToken0: token0 === base,
      tickSpacing: Number(rpcUint(spacing, 24, this.id, 'pool.tickSpacing')),
      fee: Number(rpcUint(fee, 24, this.id, 'pool.fee')),
    };
    const tx = new EvmTxSender(this.id, this.provider, signer, this.o.confirmTimeoutMs);
    return { info, wallet, tx, npm: new Contract(this.o.positionManager, V3_POSITION_MANAGER_ABI, this.provider), pool, base, quote };
  }

  /** Approves exactly what the mint may pull (no standing unlimited allowance on a treasury wallet). */
  private async approve(r: Ready, token: string, need: bigint): Promise<void> {
    if (need <= 0n) return;
    const c = new Contract(token, ERC20_ABI, this.provider);
    const current = rpcUint(await c.getFunction('allowance').staticCall(r.wallet, this.o.positionManager), 256, this.id, 'allowance');
    if (current >= need) return;
    const fn = c.connect(r.tx.signer).getFunction('approve');
    await r.tx.sendAndConfirm(await fn.populateTransaction(this.o.positionManager, need), 'approve');
  }

  private async deadline(): Promise<bigint> {
    const block = await this.provider.getBlock('latest');
    return rpcUint(block?.timestamp, 64, this.id, 'block.timestamp') + BigInt(this.o.deadlineSec);
  }

  private event(r: Ready, receipt: TransactionReceipt, name: 'IncreaseLiquidity' | 'DecreaseLiquidity' | 'Collect') {
    const npm = getAddress(this.o.positionManager);
    for (const log of receipt.logs) {
      if (getAddress(log.address) !== npm) continue;
      const parsed = r.npm.interface.parseLog(log);
      if (parsed?.name === name) return parsed;
    }
    throw new VenueError('VENUE.BAD_RESPONSE', this.id, `no ${name} event in ${receipt.hash}`);
  }

  private toBaseQuote(r: Ready, a0: unknown, a1: unknown): [bigint, bigint] {
    const x0 = rpcUint(a0, 256, this.id, 'amount0');
    const x1 = rpcUint(a1, 256, this.id, 'amount1');
    return r.info.baseIsToken0 ? [x0, x1] : [x1, x0];
  }

  private async guard<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toVenueError(e, this.id, action);
    }
  }
}
