// The Venue port on a Uniswap V2 pool, through ethers v6: the implied book and quotes come from the
// pair's reserves with the exact contract math (sim/amm/uniswap-v2-math.ts), swaps and liquidity go
// through Router02 with a slippage limit and a deadline, withdrawals are ERC-20 transfers.
// Every value read over RPC is range-checked before it becomes money; every failure is a VenueError.
import { Contract, FetchRequest, JsonRpcProvider, Wallet, getAddress, type Signer } from 'ethers';
import type { z } from 'zod';
import { parseOrThrow } from '../../domain/errors';
import { fmt } from '../../domain/money';
import { OrderBookSnapshotSchema, type OrderBookSnapshot } from '../../domain/order-book';
import { fromUnits, toUnits, unitsPrice } from '../../domain/token-units';
import { getAmountOut, impliedDepth, impliedOrderBook, marginalPrice, optimalLiquidityAmounts, UniswapV2Pool, type PoolReserves, type PoolSnapshot } from '../../domain/uniswap-v2-math';
import type { Balance, DepositAddress, MarketRules, TransferRecord, VenueAdapter, VenueCapabilities, VenueHealth, WithdrawRequest } from '../venue.port';
import { VenueError } from '../venue-errors';
import { ERC20_ABI } from './amm-abis';
import { AmmPoolClient, hexQuantity } from './amm-pool-client';
import { discoverPool, lpMinted, pairEvent } from './amm-pool-discovery';
import * as S from './amm-venue.schema';
import type { AmmDepth, AmmLiquidityResult, AmmQuote, AmmReserves, AmmSwapResult, AmmToken } from './amm-venue.types';
import { WithdrawalLedger } from './amm-withdrawals';
import { rpcUint, toVenueError } from './evm-errors';
import { EvmTxSender } from './evm-tx-sender';

interface Ready {
  c: AmmPoolClient;
  base: AmmToken;
  quote: AmmToken;
  ledger: WithdrawalLedger;
}

export class AmmVenue implements VenueAdapter {
  readonly id: string;
  readonly capabilities: VenueCapabilities = { limitOrders: false, swaps: true, transfers: true, streams: false };
  private readonly o: S.AmmVenueSettings;
  private readonly provider: JsonRpcProvider;
  private readonly now: () => number;
  private readyP?: Promise<Ready>;

  constructor(options: S.AmmVenueOptions) {
    const { now, ...rest } = options;
    this.o = parseOrThrow(S.AmmVenueOptionsSchema, rest, 'AMM venue options');
    this.id = this.o.id;
    this.now = now ?? (() => Date.now());
    const req = new FetchRequest(this.o.rpcUrl);
    req.timeout = this.o.rpcTimeoutMs;
    // staticNetwork: no chain-id detection loop that retries forever when the node is down;
    // cacheTimeout -1: no cached block number, so confirmations and reads after a write are current.
    this.provider = new JsonRpcProvider(req, this.o.chainId, { staticNetwork: true, pollingInterval: 200, cacheTimeout: -1 });
  }

  // ---- port ----

  async loadMarket(): Promise<MarketRules> {
    const r = await this.ready();
    return {
      symbol: `${r.base.symbol}/${r.quote.symbol}`,
      base: r.base.symbol,
      quote: r.quote.symbol,
      tickSize: fromUnits(1n, r.quote.decimals),
      lotSize: fromUnits(1n, r.base.decimals),
      minNotional: '0',
      makerFee: this.o.fee,
      takerFee: this.o.fee,
    };
  }

  async fetchOrderBook(limit = 50): Promise<OrderBookSnapshot> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new VenueError('VENUE.INVALID_ORDER', this.id, `fetchOrderBook: limit must be an integer 1..1000, got ${limit}`);
    const r = await this.ready();
    const res = await this.reserves();
    const book = this.guardSync('implied book', () =>
      impliedOrderBook(raw(res), { decimals: decimalsOf(r), stepPct: this.o.bookStepPct, levels: limit, priceDp: this.o.priceDp }),
    );
    const snapshot = {
      venue: this.id,
      market: `${r.base.symbol}/${r.quote.symbol}`,
      timestamp: this.now(),
      bids: book.bids.map((l) => ({ price: l.price, amount: l.amount })),
      asks: book.asks.map((l) => ({ price: l.price, amount: l.amount })),
    };
    return this.guardSync('implied book', () => parseOrThrow(OrderBookSnapshotSchema, snapshot, `implied book of ${this.id}`), 'VENUE.BAD_RESPONSE');
  }

  async fetchBalances(): Promise<Balance[]> {
    const r = await this.ready();
    return this.guard('fetch balances', async () => {
      const out: Balance[] = [];
      for (const t of [r.base, r.quote]) {
        const total = fromUnits(await r.c.balanceOf(t), t.decimals);
        out.push({ asset: t.symbol, free: total, locked: '0', total });
      }
      return out;
    });
  }

  async health(): Promise<VenueHealth> {
    const t0 = performance.now();
    try {
      const [cid, bn] = await Promise.all<unknown>([this.provider.send('eth_chainId', []), this.provider.send('eth_blockNumber', [])]);
      const chainId = Number(rpcUint(hexQuantity(cid), 64, this.id, 'eth_chainId'));
      rpcUint(hexQuantity(bn), 64, this.id, 'eth_blockNumber');
      const latencyMs = performance.now() - t0;
      if (chainId !== this.o.chainId) return { ok: false, latencyMs, reason: `chain id ${chainId}, expected ${this.o.chainId}`, checkedAt: this.now() };
      return { ok: true, latencyMs, checkedAt: this.now() };
    } catch (e) {
      return { ok: false, reason: toVenueError(e, this.id, 'health').message, checkedAt: this.now() };
    }
  }

  async fetchDepositAddress(asset: string, network?: string): Promise<DepositAddress> {
    const r = await this.ready();
    this.tokenBySymbol(r, asset);
    if (network !== undefined && network !== this.o.network) throw new VenueError('VENUE.NOT_SUPPORTED', this.id, `no deposits on network ${network} (only ${this.o.network})`);
    return { asset, address: r.c.wallet, network: this.o.network };
  }

  async withdraw(req: WithdrawRequest): Promise<TransferRecord> {
    const w = this.parse(S.WithdrawRequestSchema, req, 'withdraw');
    const r = await this.ready();
    const t = this.tokenBySymbol(r, w.asset);
    if (w.network !== this.o.network) throw new VenueError('VENUE.INVALID_ORDER', this.id, `withdraw: network ${w.network} is not ${this.o.network}`);
    const amountRaw = this.guardSync('withdraw', () => toUnits(w.amount, t.decimals, 'amount'));
    const iface = new Contract(t.address, ERC20_ABI).interface;
    return r.c.tx.serial(async () =>
      r.ledger.withdraw(
        {
          key: w.idempotencyKey,
          asset: t.symbol,
          amount: w.amount,
          amountRaw,
          token: t.address,
          to: getAddress(w.address),
          network: w.network,
          data: iface.encodeFunctionData('transfer', [getAddress(w.address), amountRaw]),
        },
        r.c.tx,
        // Checked only when the key is new: a retry of a sent withdrawal must not fail on the balance it spent.
        () => r.c.requireBalance(t, amountRaw, 'withdraw'),
      ),
    );
  }

  async fetchWithdrawals(asset?: string, sinceMs?: number): Promise<TransferRecord[]> {
    const r = await this.ready();
    return r.ledger.list(r.c.tx, asset, sinceMs);
  }

  async close(): Promise<void> {
    this.provider.destroy();
  }

  // ---- AMM ----

  async walletAddress(): Promise<string> {
    return (await this.ready()).c.wallet;
  }

  /** The pool's tokens (base, quote) and the LP token's decimals, as discovered on chain. */
  async tokens(): Promise<{ base: AmmToken; quote: AmmToken; lpDecimals: number }> {
    const r = await this.ready();
    return { base: r.base, quote: r.quote, lpDecimals: r.c.info.lpDecimals };
  }

  /**
   * Liquidity added (Mint) and removed (Burn) on the pair in blocks [fromBlock, latest], by anyone,
   * in chain order, amounts in token units; `toBlock` is where the next call starts after.
   */
  async liquidityEvents(fromBlock: number): Promise<{ events: { kind: 'mint' | 'burn'; base: bigint; quote: bigint; blockNumber: number }[]; toBlock: number }> {
    const r = await this.ready();
    return this.guard('read liquidity events', async () => {
      const toBlock = await r.c.blockNumber();
      if (toBlock < fromBlock) return { events: [], toBlock: fromBlock - 1 };
      const [mints, burns] = await Promise.all([r.c.pair.queryFilter('Mint', fromBlock, toBlock), r.c.pair.queryFilter('Burn', fromBlock, toBlock)]);
      const events = [...mints.map((e) => ({ e, kind: 'mint' as const })), ...burns.map((e) => ({ e, kind: 'burn' as const }))]
        .sort((a, b) => a.e.blockNumber - b.e.blockNumber || a.e.index - b.e.index)
        .map(({ e, kind }) => {
          const args = 'args' in e ? (e.args as unknown as unknown[]) : [];
          return { kind, ...r.c.toBaseQuote(args[1], args[2], kind === 'mint' ? 'Mint.amount' : 'Burn.amount'), blockNumber: e.blockNumber };
        });
      return { events, toBlock };
    });
  }

  /** The wallet's base and quote balances in token units (what liquidity can be added from). */
  async walletUnits(): Promise<PoolReserves> {
    const r = await this.ready();
    return this.guard('fetch balances', async () => {
      const [base, quote] = await Promise.all([r.c.balanceOf(r.base), r.c.balanceOf(r.quote)]);
      return { base, quote };
    });
  }

  async reserves(): Promise<AmmReserves> {
    const r = await this.ready();
    return this.guard('read reserves', () => r.c.reserves());
  }

  /** Reserves and LP supply read at one block: the state the math module mirrors. */
  async poolState(): Promise<PoolSnapshot & { blockNumber: number }> {
    const r = await this.ready();
    return this.guard('read pool state', () => r.c.poolState());
  }

  async lpBalance(): Promise<{ liquidity: string; liquidityRaw: bigint }> {
    const r = await this.ready();
    return this.guard('read LP balance', async () => {
      const raw = await r.c.balanceOf(r.c.lpToken);
      return { liquidity: fromUnits(raw, r.c.info.lpDecimals), liquidityRaw: raw };
    });
  }

  /** The exact output of a swap at the current reserves (what Router02.getAmountsOut returns). */
  async quote(req: S.QuoteRequest): Promise<AmmQuote> {
    const q = this.parse(S.QuoteRequestSchema, req, 'quote');
    const r = await this.ready();
    const [tin, tout] = q.side === 'buy' ? [r.quote, r.base] : [r.base, r.quote];
    const amountInRaw = this.guardSync('quote', () => toUnits(q.amountIn, tin.decimals, 'amountIn'));
    const res = await this.reserves();
    const pool = raw(res);
    const [rin, rout] = q.side === 'buy' ? [pool.quote, pool.base] : [pool.base, pool.quote];
    const amountOutRaw = this.guardSync('quote', () => getAmountOut(amountInRaw, rin, rout));
    const [baseUnits, quoteUnits] = q.side === 'buy' ? [amountOutRaw, amountInRaw] : [amountInRaw, amountOutRaw];
    return {
      side: q.side,
      amountIn: fmt(q.amountIn),
      amountOut: fromUnits(amountOutRaw, tout.decimals),
      amountInRaw,
      amountOutRaw,
      averagePrice: baseUnits > 0n ? unitsPrice(quoteUnits, baseUnits, decimalsOf(r), this.o.priceDp, q.side === 'buy' ? 'up' : 'down') : '0',
      midBefore: marginalPrice(pool, decimalsOf(r), this.o.priceDp),
      blockNumber: res.blockNumber,
    };
  }

  /** swapExactTokensForTokens through Router02. Past the slippage limit or the deadline it reverts → VENUE.INVALID_ORDER. */
  async swap(req: S.SwapRequest): Promise<AmmSwapResult> {
    const s = this.parse(S.SwapRequestSchema, req, 'swap');
    const r = await this.ready();
    const [tin, tout] = s.side === 'buy' ? [r.quote, r.base] : [r.base, r.quote];
    const amountInRaw = this.guardSync('swap', () => toUnits(s.amountIn, tin.decimals, 'amountIn'));
    const fixedMin = s.minAmountOut;
    const minFixed = fixedMin === undefined ? undefined : this.guardSync('swap', () => toUnits(fixedMin, tout.decimals, 'minAmountOut'));
    return r.c.tx.serial(() =>
      this.guard('swap', async () => {
        const q = await this.quote({ side: s.side, amountIn: s.amountIn });
        const minOut = minFixed ?? (q.amountOutRaw * BigInt(10_000 - (s.maxSlippageBps ?? 0))) / 10_000n;
        await r.c.requireBalance(tin, amountInRaw, 'swap');
        const args = [amountInRaw, minOut, [tin.address, tout.address], r.c.wallet, await r.c.deadline(s, this.o.defaultDeadlineSec)];
        const fn = r.c.routerFn('swapExactTokensForTokens');
        await r.c.preflight('swap', () => fn.staticCall(...args));
        await r.c.ensureAllowance(tin, amountInRaw);
        const receipt = await r.c.tx.sendAndConfirm(await fn.populateTransaction(...args), 'swap');
        const ev = pairEvent(r.c.pair.interface, this.o.pair, receipt, this.id, 'Swap');
        const out = r.c.toBaseQuote(ev.args[3], ev.args[4], 'Swap.amountOut');
        const amountOutRaw = s.side === 'buy' ? out.base : out.quote;
        return {
          txHash: receipt.hash,
          side: s.side,
          amountIn: fmt(s.amountIn),
          amountOut: fromUnits(amountOutRaw, tout.decimals),
          amountInRaw,
          amountOutRaw,
          minAmountOutRaw: minOut,
          quotedOutRaw: q.amountOutRaw,
          blockNumber: receipt.blockNumber,
        };
      }),
    );
  }

  /** Quote notional on each side within ±pct % of the marginal price. */
  async impliedDepth(pct: string): Promise<AmmDepth> {
    const p = this.parse(S.DepthPctSchema, pct, 'impliedDepth');
    const r = await this.ready();
    const res = await this.reserves();
    const d = this.guardSync('implied depth', () => impliedDepth(raw(res), p));
    return {
      pct: p,
      mid: marginalPrice(raw(res), decimalsOf(r), this.o.priceDp),
      askQuote: fromUnits(d.askQuote, r.quote.decimals),
      askBase: fromUnits(d.askBase, r.base.decimals),
      bidQuote: fromUnits(d.bidQuote, r.quote.decimals),
      bidBase: fromUnits(d.bidBase, r.base.decimals),
      blockNumber: res.blockNumber,
    };
  }

  /** Router02.addLiquidity; at most maxSlippageBps less than desired of either token is accepted. */
  async addLiquidity(req: S.AddLiquidityRequest): Promise<AmmLiquidityResult> {
    const a = this.parse(S.AddLiquidityRequestSchema, req, 'addLiquidity');
    const r = await this.ready();
    const desired = this.guardSync('addLiquidity', () => ({ base: toUnits(a.base, r.base.decimals, 'base'), quote: toUnits(a.quote, r.quote.decimals, 'quote') }));
    const bps = BigInt(10_000 - a.maxSlippageBps);
    const min = { base: (desired.base * bps) / 10_000n, quote: (desired.quote * bps) / 10_000n };
    return r.c.tx.serial(() =>
      this.guard('addLiquidity', async () => {
        // Fail here, with the pool's numbers, rather than on chain.
        optimalLiquidityAmounts(raw(await r.c.reserves()), desired, min);
        await r.c.requireBalance(r.base, desired.base, 'addLiquidity');
        await r.c.requireBalance(r.quote, desired.quote, 'addLiquidity');
        const args = [r.base.address, r.quote.address, desired.base, desired.quote, min.base, min.quote, r.c.wallet, await r.c.deadline(a, this.o.defaultDeadlineSec)];
        await r.c.ensureAllowance(r.base, desired.base);
        await r.c.ensureAllowance(r.quote, desired.quote);
        const fn = r.c.routerFn('addLiquidity');
        await r.c.preflight('addLiquidity', () => fn.staticCall(...args));
        const receipt = await r.c.tx.sendAndConfirm(await fn.populateTransaction(...args), 'addLiquidity');
        const ev = pairEvent(r.c.pair.interface, this.o.pair, receipt, this.id, 'Mint');
        const minted = lpMinted(r.c.pair.interface, this.o.pair, receipt, r.c.wallet, this.id);
        return r.c.liquidityResult(receipt, r.c.toBaseQuote(ev.args[1], ev.args[2], 'Mint.amount'), minted);
      }),
    );
  }

  /** Router02.removeLiquidity of `liquidity` LP tokens; minimums are the pro-rata amounts less maxSlippageBps. */
  async removeLiquidity(req: S.RemoveLiquidityRequest): Promise<AmmLiquidityResult> {
    const a = this.parse(S.RemoveLiquidityRequestSchema, req, 'removeLiquidity');
    const r = await this.ready();
    const lp = r.c.lpToken;
    const liquidityRaw = this.guardSync('removeLiquidity', () => toUnits(a.liquidity, lp.decimals, 'liquidity'));
    return r.c.tx.serial(() =>
      this.guard('removeLiquidity', async () => {
        const have = await r.c.balanceOf(lp);
        if (have < liquidityRaw) throw new VenueError('VENUE.INSUFFICIENT_FUNDS', this.id, `removeLiquidity: LP balance ${fromUnits(have, lp.decimals)} < ${a.liquidity}`);
        const expected = new UniswapV2Pool(await r.c.poolState()).burn(liquidityRaw);
        const bps = BigInt(10_000 - a.maxSlippageBps);
        const args = [r.base.address, r.quote.address, liquidityRaw, (expected.base * bps) / 10_000n, (expected.quote * bps) / 10_000n, r.c.wallet, await r.c.deadline(a, this.o.defaultDeadlineSec)];
        await r.c.ensureAllowance(lp, liquidityRaw);
        const fn = r.c.routerFn('removeLiquidity');
        await r.c.preflight('removeLiquidity', () => fn.staticCall(...args));
        const receipt = await r.c.tx.sendAndConfirm(await fn.populateTransaction(...args), 'removeLiquidity');
        const ev = pairEvent(r.c.pair.interface, this.o.pair, receipt, this.id, 'Burn');
        return r.c.liquidityResult(receipt, r.c.toBaseQuote(ev.args[1], ev.args[2], 'Burn.amount'), liquidityRaw);
      }),
    );
  }

  // ---- internals ----

  private ready(): Promise<Ready> {
    this.readyP ??= this.init().catch((e: unknown) => {
      this.readyP = undefined; // a node that was down may be up on the next call
      throw toVenueError(e, this.id, 'connect');
    });
    return this.readyP;
  }

  private async init(): Promise<Ready> {
    const signer: Signer = 'privateKey' in this.o.wallet ? new Wallet(this.o.wallet.privateKey, this.provider) : await this.provider.getSigner(this.o.wallet.account);
    const wallet = getAddress(await signer.getAddress());
    const info = await discoverPool(this.provider, this.o, this.id);
    const tx = new EvmTxSender(this.id, this.provider, signer, this.o.confirmTimeoutMs);
    return {
      c: new AmmPoolClient(this.id, this.provider, { pair: this.o.pair, router: this.o.router }, info, wallet, tx),
      base: info.base,
      quote: info.quote,
      ledger: new WithdrawalLedger(this.id, this.provider, this.now),
    };
  }

  private tokenBySymbol(r: Ready, asset: string): AmmToken {
    const t = [r.base, r.quote].find((x) => x.symbol === asset);
    if (!t) throw new VenueError('VENUE.NOT_SUPPORTED', this.id, `asset ${asset} is not traded here (${r.base.symbol}, ${r.quote.symbol})`);
    return t;
  }

  private parse<T extends z.ZodType>(schema: T, value: unknown, action: string): z.output<T> {
    return this.guardSync(action, () => parseOrThrow(schema, value, `${action} request`));
  }

  private async guard<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toVenueError(e, this.id, action);
    }
  }

  private guardSync<T>(action: string, fn: () => T, code?: VenueError['code']): T {
    try {
      return fn();
    } catch (e) {
      const err = toVenueError(e, this.id, action);
      throw code && err.code !== code ? new VenueError(code, this.id, err.message) : err;
    }
  }
}

function raw(res: AmmReserves): PoolReserves {
  return { base: res.baseRaw, quote: res.quoteRaw };
}

function decimalsOf(r: Ready): { base: number; quote: number } {
  return { base: r.base.decimals, quote: r.quote.decimals };
}
