// The AMM venue against the real Uniswap V2 contracts (npm builds) on a local Hardhat node.
// One chain for the file; tests run in order and each states the pool state it starts from.
import Decimal from 'decimal.js';
import { Contract, JsonRpcProvider, Wallet } from 'ethers';
import { fromUnits } from '../../domain/token-units';
import { UniswapV2Pool, getAmountOut, optimalLiquidityAmounts } from '../../domain/uniswap-v2-math';
import { deployUniswapV2, localProvider, type UniswapV2Deployment } from '../../sim/evm/deploy-uniswap-v2';
import { hardhatAccountKey, startLocalChain, type LocalChain } from '../../sim/evm/local-chain';
import { AmmVenue } from '../../venues/amm/amm-venue';
import { ERC20_ABI, ROUTER_ABI } from '../../venues/amm/amm-abis';
import { isVenueError } from '../../venues/venue-errors';

jest.setTimeout(180_000);

const ACCOUNT_1 = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const ACCOUNT_2 = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
const ACCOUNT_3 = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';

let chain: LocalChain;
let d: UniswapV2Deployment;
let provider: JsonRpcProvider;
/** Signs locally with account #1's key, as a live venue would. */
let venue: AmmVenue;
/** Another trader (account #2, signed by the node) who moves the price under the venue's feet. */
let other: AmmVenue;

function venueFor(wallet: { privateKey: string } | { account: number }, id: string): AmmVenue {
  return new AmmVenue({ id, rpcUrl: chain.rpcUrl, chainId: 31337, router: d.router, pair: d.pair, base: d.base.address, quote: d.quote.address, wallet });
}

async function expectVenueError(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const e: unknown = await p.then(
    () => new Error('expected a VenueError, but the call succeeded'),
    (err: unknown) => err,
  );
  expect(isVenueError(e) ? { code: e.code, message: e.message } : e).toEqual({ code, message: expect.stringMatching(message) });
}

async function tokenBalance(token: string, who: string): Promise<bigint> {
  return (await new Contract(token, ERC20_ABI, provider).getFunction('balanceOf').staticCall(who)) as bigint;
}

beforeAll(async () => {
  chain = await startLocalChain();
  d = await deployUniswapV2({
    rpcUrl: chain.rpcUrl,
    reserves: { base: '4000000', quote: '2000000' },
    fund: [
      { address: ACCOUNT_1, base: '1000000', quote: '1000000' },
      { address: ACCOUNT_2, base: '1000000', quote: '1000000' },
    ],
  });
  provider = localProvider(chain.rpcUrl);
  venue = venueFor({ privateKey: hardhatAccountKey(1) }, 'uniswap');
  other = venueFor({ account: 2 }, 'uniswap-other');
});

afterAll(async () => {
  await venue?.close();
  await other?.close();
  provider?.destroy();
  await chain?.stop();
});

describe('AmmVenue on Uniswap V2 (local Hardhat node)', () => {
  it('deploys a pair the router reaches, and describes the market from the tokens', async () => {
    expect(d.initCodeHash).toBe('0x96e8ac4277198ff8b6f785478aa9a39f403cb768dd02cbee326c3e7da348845f');
    expect(await venue.loadMarket()).toEqual({
      symbol: 'BLST/USDC',
      base: 'BLST',
      quote: 'USDC',
      tickSize: '0.000001',
      lotSize: '0.000000000000000001',
      minNotional: '0',
      makerFee: '0.003',
      takerFee: '0.003',
    });
    expect(venue.capabilities).toEqual({ limitOrders: false, swaps: true, transfers: true, streams: false });
    expect(await venue.reserves()).toMatchObject({ base: '4000000', quote: '2000000' });
    expect((await venue.health()).ok).toBe(true);
    expect(await venue.fetchDepositAddress('USDC')).toEqual({ asset: 'USDC', address: ACCOUNT_1, network: 'evm-local' });
    expect(await venue.fetchBalances()).toEqual([
      { asset: 'BLST', free: '1000000', locked: '0', total: '1000000' },
      { asset: 'USDC', free: '1000000', locked: '0', total: '1000000' },
    ]);
  });

  // Fresh pool x = 4e6 BLST, y = 2e6 USDC, fee γ = 0.997. Pushing the price to p0·(1+r) by buying Δy
  // quote solves γΔy² + (1+γ)yΔy − r·y² = 0; selling Δx base down to p0·(1−r) solves
  // γΔx² + (1+γ)xΔx + x²(1 − 1/(1−r)) = 0, receiving γΔx·y/(x+γΔx). With r = 2 % (Python decimal):
  //   ask: Δy = 19930.884219991652 USDC      bid: quote received 20071.119130692199 USDC
  // Integer units round these down by at most one unit (1e-6 USDC): tolerance 1e-5 USDC.
  it('implied depth within ±2 % matches the hand-derived figures for the fresh pool', async () => {
    const depth = await venue.impliedDepth('2');
    expect(depth.mid).toBe('0.5');
    expect(new Decimal(depth.askQuote).minus('19930.884219991652').abs().lte('0.00001')).toBe(true);
    expect(new Decimal(depth.bidQuote).minus('20071.119130692199').abs().lte('0.00001')).toBe(true);
    const book = await venue.fetchOrderBook(50);
    expect(book.market).toBe('BLST/USDC');
    expect(book.asks).toHaveLength(50);
    expect(book.bids).toHaveLength(50);
    // 20 levels of 0.1 % reach +2 %: their notional is the depth figure, up to the price rounding (12 dp).
    const askNotional = book.asks.slice(0, 20).reduce((a, l) => a.plus(new Decimal(l.price).times(l.amount)), new Decimal(0));
    expect(askNotional.minus(depth.askQuote).abs().lte('0.001')).toBe(true);
    expect(new Decimal(book.asks[0]!.price).gt('0.5') && new Decimal(book.bids[0]!.price).lt('0.5')).toBe(true);
  });

  it('quote equals Router02.getAmountsOut exactly for 60 sizes from dust to 30 % of the reserves', async () => {
    const router = new Contract(d.router, ROUTER_ABI, provider);
    const reserves = await venue.reserves();
    let compared = 0;
    for (const side of ['buy', 'sell'] as const) {
      const [tin, tout, reserveIn] = side === 'buy' ? [d.quote, d.base, reserves.quoteRaw] : [d.base, d.quote, reserves.baseRaw];
      const max = new Decimal(reserveIn.toString()).times('0.3');
      for (let k = 0; k < 30; k++) {
        // Log-spaced: 1 unit, …, 30 % of the input reserve.
        const units = BigInt(max.pow(k / 29).floor().toFixed());
        const q = await venue.quote({ side, amountIn: fromUnits(units, tin.decimals) });
        const amounts = (await router.getFunction('getAmountsOut').staticCall(units, [tin.address, tout.address])) as bigint[];
        expect({ side, units, out: q.amountOutRaw }).toEqual({ side, units, out: amounts[1] });
        expect(q.amountInRaw).toBe(units);
        compared++;
      }
    }
    expect(compared).toBe(60);
  });

  it('a swap receives exactly the prior quote, and the reserves end where the math says', async () => {
    for (const [side, amountIn] of [
      ['buy', '2500.123456'],
      ['sell', '7777.000000000000000001'],
    ] as const) {
      const before = await venue.poolState();
      const model = new UniswapV2Pool(before);
      const q = await venue.quote({ side, amountIn });
      const walletBefore = await tokenBalance(side === 'buy' ? d.base.address : d.quote.address, ACCOUNT_1);
      const res = await venue.swap({ side, amountIn, maxSlippageBps: 30, deadlineSec: 60 });
      expect(res.amountOutRaw).toBe(q.amountOutRaw);
      expect(res.amountOutRaw).toBe(model.swapExactIn(side, q.amountInRaw));
      expect(res.txHash).toMatch(/^0x[0-9a-f]{64}$/);
      const after = await venue.poolState();
      expect({ base: after.base, quote: after.quote, totalSupply: after.totalSupply }).toEqual(model.snapshot());
      expect(await tokenBalance(side === 'buy' ? d.base.address : d.quote.address, ACCOUNT_1)).toBe(walletBefore + res.amountOutRaw);
    }
  });

  it('a swap past its slippage limit reverts into VENUE.INVALID_ORDER and moves nothing', async () => {
    const q = await venue.quote({ side: 'buy', amountIn: '10000' });
    // Someone else buys first: the same 10 000 USDC now buys less than the quote promised.
    await other.swap({ side: 'buy', amountIn: '50000', maxSlippageBps: 100 });
    const balances = await venue.fetchBalances();
    const nonce = await provider.getTransactionCount(ACCOUNT_1);
    await expectVenueError(venue.swap({ side: 'buy', amountIn: '10000', minAmountOut: q.amountOut }), 'VENUE.INVALID_ORDER', /slippage limit exceeded.*INSUFFICIENT_OUTPUT_AMOUNT/);
    // One unit above the fresh quote is refused; 0 bps of slippage (exactly the quote) passes.
    const fresh = await venue.quote({ side: 'sell', amountIn: '100' });
    await expectVenueError(
      venue.swap({ side: 'sell', amountIn: '100', minAmountOut: fromUnits(fresh.amountOutRaw + 1n, 6) }),
      'VENUE.INVALID_ORDER',
      /slippage limit exceeded/,
    );
    expect(await venue.fetchBalances()).toEqual(balances);
    expect(await provider.getTransactionCount(ACCOUNT_1)).toBe(nonce);
    const ok = await venue.swap({ side: 'sell', amountIn: '100', maxSlippageBps: 0 });
    expect(ok.amountOutRaw).toBe(fresh.amountOutRaw);
  });

  it('a swap that passes its simulation but is front-run in its block reverts on chain into VENUE.INVALID_ORDER', async () => {
    const q = await venue.quote({ side: 'buy', amountIn: '10000' });
    const front = await provider.getSigner(2);
    await (await new Contract(d.quote.address, ERC20_ABI, front).getFunction('approve').send(d.router, 50_000n * 10n ** 6n)).wait();
    // The venue's allowance is already there, so its swap is its only transaction.
    const own = new Wallet(hardhatAccountKey(1), provider);
    await (await new Contract(d.quote.address, ERC20_ABI, own).getFunction('approve').send(d.router, 10_000n * 10n ** 6n)).wait();
    const nonce1 = await provider.getTransactionCount(ACCOUNT_1);
    await provider.send('evm_setAutomine', [false]);
    try {
      // The venue's swap simulates fine against the current state and waits in the mempool ...
      const victim = venue.swap({ side: 'buy', amountIn: '10000', minAmountOut: q.amountOut }).then(
        () => 'succeeded',
        (e: unknown) => e,
      );
      while ((await provider.getTransactionCount(ACCOUNT_1, 'pending')) < nonce1 + 1) await new Promise((r) => setTimeout(r, 50));
      // ... then a buyer with a higher tip goes first in the same block (mempool ordered by tip).
      const router = new Contract(d.router, ROUTER_ABI, front);
      await router
        .getFunction('swapExactTokensForTokens')
        .send(50_000n * 10n ** 6n, 0n, [d.quote.address, d.base.address], ACCOUNT_2, 4_000_000_000n, { gasLimit: 300_000n, maxPriorityFeePerGas: 50_000_000_000n, maxFeePerGas: 100_000_000_000n });
      await provider.send('evm_mine', []);
      const e = await victim;
      expect(isVenueError(e) ? { code: e.code, message: e.message } : e).toEqual({
        code: 'VENUE.INVALID_ORDER',
        message: expect.stringMatching(/slippage limit exceeded.*INSUFFICIENT_OUTPUT_AMOUNT.*reverted on chain/),
      });
    } finally {
      await provider.send('evm_setAutomine', [true]);
    }
    // Both landed in one block: the front-runner's swap succeeded, the venue's reverted (nonce used, nothing bought).
    expect(await provider.getTransactionCount(ACCOUNT_1)).toBe(nonce1 + 1);
  });

  it('an expired deadline reverts into VENUE.INVALID_ORDER', async () => {
    const latest = await provider.getBlock('latest');
    await expectVenueError(venue.swap({ side: 'buy', amountIn: '10', maxSlippageBps: 50, deadline: latest!.timestamp - 1 }), 'VENUE.INVALID_ORDER', /deadline expired.*EXPIRED/);
  });

  it('insufficient balance and bad amounts are refused before sending', async () => {
    await expectVenueError(venue.swap({ side: 'buy', amountIn: '5000000', maxSlippageBps: 50 }), 'VENUE.INSUFFICIENT_FUNDS', /need 5000000 USDC, wallet has/);
    await expectVenueError(venue.quote({ side: 'buy', amountIn: '0.0000001' }), 'VENUE.INVALID_ORDER', /more than 6 decimal places/);
    await expectVenueError(venue.swap({ side: 'buy', amountIn: '1' } as never), 'VENUE.INVALID_ORDER', /maxSlippageBps: give exactly one/);
  });

  it('add and remove liquidity move the reserves by the router amounts the math predicts', async () => {
    const before = await venue.poolState();
    const model = new UniswapV2Pool(before);
    const desired = { base: 1000n * 10n ** 18n, quote: 600n * 10n ** 6n };
    const deposit = optimalLiquidityAmounts(before, desired);
    const minted = model.mint(deposit);
    const added = await venue.addLiquidity({ base: '1000', quote: '600', maxSlippageBps: 5000 });
    expect({ base: added.baseRaw, quote: added.quoteRaw, lp: added.liquidityRaw }).toEqual({ base: deposit.base, quote: deposit.quote, lp: minted });
    let after = await venue.poolState();
    expect({ base: after.base, quote: after.quote, totalSupply: after.totalSupply }).toEqual(model.snapshot());
    expect((await venue.lpBalance()).liquidityRaw).toBe(minted);

    const paid = model.burn(minted);
    const removed = await venue.removeLiquidity({ liquidity: added.liquidity });
    expect({ base: removed.baseRaw, quote: removed.quoteRaw }).toEqual(paid);
    after = await venue.poolState();
    expect({ base: after.base, quote: after.quote, totalSupply: after.totalSupply }).toEqual(model.snapshot());
    expect((await venue.lpBalance()).liquidityRaw).toBe(0n);
  });

  it('adding liquidity off the pool ratio beyond the limit is refused; removing more LP than held too', async () => {
    // The pool trades near 0.5 USDC/BLST: 1000 BLST with 600 USDC is 20 % off the ratio, above 0.5 %.
    await expectVenueError(venue.addLiquidity({ base: '1000', quote: '600' }), 'VENUE.INVALID_ORDER', /slippage limit exceeded.*INSUFFICIENT_B_AMOUNT/);
    await expectVenueError(venue.removeLiquidity({ liquidity: '1' }), 'VENUE.INSUFFICIENT_FUNDS', /LP balance 0 < 1/);
  });

  it('withdraw with one idempotency key sends one transfer, however often it is called', async () => {
    const recipientBefore = await tokenBalance(d.quote.address, ACCOUNT_3);
    const nonce = await provider.getTransactionCount(ACCOUNT_1);
    const req = { asset: 'USDC', amount: '123.456789', address: ACCOUNT_3, network: 'evm-local', idempotencyKey: 'transfer:t-1:withdraw' };
    const [a, b] = await Promise.all([venue.withdraw(req), venue.withdraw(req)]);
    const c = await venue.withdraw(req);
    expect(a.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect([b.txHash, c.txHash]).toEqual([a.txHash, a.txHash]);
    expect(a).toMatchObject({ type: 'withdrawal', asset: 'USDC', amount: '123.456789', address: ACCOUNT_3, status: 'ok', idempotencyKey: req.idempotencyKey });
    expect(await tokenBalance(d.quote.address, ACCOUNT_3)).toBe(recipientBefore + 123_456_789n);
    expect(await provider.getTransactionCount(ACCOUNT_1)).toBe(nonce + 1);
    const listed = await venue.fetchWithdrawals('USDC');
    expect(listed.filter((r) => r.idempotencyKey === req.idempotencyKey).map((r) => r.txHash)).toEqual([a.txHash]);
    // Each later block adds a confirmation.
    await venue.swap({ side: 'sell', amountIn: '1', maxSlippageBps: 100 });
    const again = (await venue.fetchWithdrawals('USDC', a.timestamp)).find((r) => r.txHash === a.txHash);
    expect(again?.confirmations).toBeGreaterThan(a.confirmations);
    // The same key for another withdrawal is a mistake, not a retry.
    await expectVenueError(venue.withdraw({ ...req, amount: '1' }), 'VENUE.INVALID_ORDER', /already used for a different withdrawal/);
  });

  it('a withdrawal the wallet cannot fund is refused, and its key stays free', async () => {
    const req = { asset: 'BLST', amount: '99999999', address: ACCOUNT_3, network: 'evm-local', idempotencyKey: 'transfer:t-2:withdraw' };
    await expectVenueError(venue.withdraw(req), 'VENUE.INSUFFICIENT_FUNDS', /need 99999999 BLST/);
    const ok = await venue.withdraw({ ...req, amount: '1' });
    expect(ok.status).toBe('ok');
    await expectVenueError(venue.withdraw({ ...req, asset: 'DOGE' }), 'VENUE.NOT_SUPPORTED', /DOGE is not traded here/);
  });

  it('a node that does not answer is VENUE.UNAVAILABLE, and health says so', async () => {
    const dead = new AmmVenue({
      id: 'dead',
      rpcUrl: 'http://127.0.0.1:9',
      chainId: 31337,
      router: d.router,
      pair: d.pair,
      base: d.base.address,
      quote: d.quote.address,
      wallet: { account: 0 },
      rpcTimeoutMs: 2000,
    });
    try {
      const h = await dead.health();
      expect(h.ok).toBe(false);
      expect(h.reason).toMatch(/unreachable/);
      await expectVenueError(dead.fetchBalances(), 'VENUE.UNAVAILABLE', /ECONNREFUSED/);
      await expectVenueError(dead.fetchOrderBook(), 'VENUE.UNAVAILABLE', /ECONNREFUSED/);
    } finally {
      await dead.close();
    }
  });

  it('refuses a pair that does not hold the configured tokens', async () => {
    const wrong = new AmmVenue({ id: 'wrong', rpcUrl: chain.rpcUrl, chainId: 31337, router: d.router, pair: d.pair, base: d.base.address, quote: d.weth, wallet: { account: 0 } });
    try {
      await expectVenueError(wrong.loadMarket(), 'VENUE.BAD_RESPONSE', /holds .* not /);
    } finally {
      await wrong.close();
    }
  });

  it('the math module reproduces every swap the chain made (cross-check of getAmountOut with the pair)', async () => {
    // Independent of the venue: the router's own answer for a size picked at random equals ours.
    const r = await venue.reserves();
    const units = 123_456_789_012n;
    const router = new Contract(d.router, ROUTER_ABI, provider);
    const amounts = (await router.getFunction('getAmountsOut').staticCall(units, [d.quote.address, d.base.address])) as bigint[];
    expect(amounts[1]).toBe(getAmountOut(units, r.quoteRaw, r.baseRaw));
  });
});
