// Ballast's pool liquidity on the real Uniswap contracts (npm builds) on a local Hardhat node, through
// venues/amm: V2 liquidity added until the pool's own reserves meet the ±2 % depth requirement;
// a V3 range minted around the price, pushed out of its band by a swap, re-centred once and not
// again within the cooldown. The provider's Clock is virtual (its cooldown); the chain is real.
import { Contract, type JsonRpcProvider } from 'ethers';
import { DEFAULT_POOL_LIQUIDITY_PARAMS, rawPrice, v2Depth } from '../../domain/amm';
import { VirtualClock } from '../../hotpath/clocks';
import { PoolLiquidityProvider, ammVenueV2Port } from '../../hotpath/pool-liquidity';
import { RangeLiquidityProvider, ammV3Port } from '../../hotpath/pool-range-liquidity';
import { localProvider } from '../../sim/evm/deploy-uniswap-v2';
import { V3_ABIS, deployUniswapV3, type UniswapV3Deployment } from '../../sim/evm/deploy-uniswap-v3';
import { startLocalAmm, type LocalAmm } from '../../sim/evm/local-amm';
import { hardhatAccountKey } from '../../sim/evm/local-chain';
import { ERC20_ABI } from '../../venues/amm/amm-abis';
import { AmmV3Positions } from '../../venues/amm/amm-v3-positions';
import { AmmVenue } from '../../venues/amm/amm-venue';

jest.setTimeout(240_000);

const DEPLOYER = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const BALLAST = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'; // account #1, signed with its key as live
const TRADER = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'; // account #2, moves the V3 price
const MIN = 60_000;
const E6 = 10n ** 6n;

let amm: LocalAmm;
let v3: UniswapV3Deployment;
let provider: JsonRpcProvider;

beforeAll(async () => {
  amm = await startLocalAmm({
    reserves: { base: '4000000', quote: '2000000' },
    fund: [
      { address: DEPLOYER, base: '1000000', quote: '1000000' },
      { address: BALLAST, base: '3000000', quote: '1500000' },
      { address: TRADER, base: '500000', quote: '500000' },
    ],
  });
  const d = amm.deployment;
  // A thin full-range V3 pool at 0.5 (40,000 BLST / 20,000 USDC): its own ±2 % depth is ≈ 200.
  v3 = await deployUniswapV3({ rpcUrl: amm.chain.rpcUrl, weth: d.weth, base: d.base, quote: d.quote, reserves: { base: '40000', quote: '20000' } });
  provider = localProvider(amm.chain.rpcUrl);
});

afterAll(async () => {
  provider?.destroy();
  await amm?.stop();
});

describe('pool liquidity on the local chain', () => {
  it('V2: adds liquidity until the pool reserves meet 25,000 within ±2 %, then holds', async () => {
    const venue = new AmmVenue({ id: 'uniswap', ...amm.venueOptions, wallet: { privateKey: hardhatAccountKey(1) } });
    try {
      const clock = new VirtualClock(0);
      const lp = new PoolLiquidityProvider({ clock, port: ammVenueV2Port(venue), minDepthQuote: '25000', depthBandPct: '2', params: DEFAULT_POOL_LIQUIDITY_PARAMS });
      const before = await venue.reserves();
      expect(v2Depth({ base: before.baseRaw, quote: before.quoteRaw }, '2').minQuote).toBe(16_894_201_849n);
      expect(await lp.tick()).toMatchObject({ kind: 'add', urgent: true });
      // Measured on the pair's reserves as the chain holds them now.
      const after = await venue.reserves();
      const depth = v2Depth({ base: after.baseRaw, quote: after.quoteRaw }, '2').minQuote;
      expect(depth).toBeGreaterThanOrEqual(27_500n * E6);
      expect(depth - 27_500n * E6).toBeLessThan(5n * E6);
      expect((await venue.lpBalance()).liquidityRaw).toBeGreaterThan(0n);
      const added = after.quoteRaw - before.quoteRaw;
      expect(Number(added) / 1e6).toBeCloseTo(1_255_554.8, 0); // the unit test's top-up
      clock.runFor(MIN);
      expect(await lp.tick()).toMatchObject({ kind: 'hold', reason: 'within-band' });
      expect(lp.stats()).toMatchObject({ adds: 1, removes: 0, errors: 0, requirementMetPct: 100 });
      // A restarted provider adopts the LP tokens the wallet holds: no new add, measured from here on.
      const again = new PoolLiquidityProvider({ clock, port: ammVenueV2Port(venue), minDepthQuote: '25000', depthBandPct: '2', params: DEFAULT_POOL_LIQUIDITY_PARAMS });
      expect(await again.tick()).toMatchObject({ kind: 'hold', reason: 'within-band' });
      const st = again.stats();
      expect(st).toMatchObject({ adds: 0, removes: 0, feesQuote: 0, impermanentLossQuote: 0 });
      expect(st.capitalQuote).toBeCloseTo(st.depositedQuote, 0);
      expect(st.capitalQuote / 2_511_109.61).toBeCloseTo(1, 4);
    } finally {
      await venue.close();
    }
  });

  it('V3: mints a range around the price, re-centres once when a swap pushes the price out, not again within the cooldown', async () => {
    const d = amm.deployment;
    const positions = new AmmV3Positions({ id: 'uniswap-v3', rpcUrl: amm.chain.rpcUrl, chainId: 31337, positionManager: v3.positionManager, pool: v3.pool, base: d.base.address, quote: d.quote.address, wallet: { privateKey: hardhatAccountKey(1) } });
    const port = ammV3Port(positions);
    const clock = new VirtualClock(0);
    const params = { ...DEFAULT_POOL_LIQUIDITY_PARAMS, cooldownMs: 5 * MIN };
    const lp = new RangeLiquidityProvider({ clock, port, minDepthQuote: '25000', depthBandPct: '2', params });
    const sell = async (baseAmount: bigint): Promise<void> => {
      const signer = await provider.getSigner(2);
      await (await new Contract(d.base.address, ERC20_ABI, signer).getFunction('approve').send(v3.swapRouter, baseAmount)).wait();
      const latest = await provider.getBlock('latest');
      const params = { tokenIn: d.base.address, tokenOut: d.quote.address, fee: v3.fee, recipient: TRADER, deadline: BigInt(latest!.timestamp + 60), amountIn: baseAmount, amountOutMinimum: 0n, sqrtPriceLimitX96: 0n };
      expect((await (await new Contract(v3.swapRouter, V3_ABIS.swapRouter, signer).getFunction('exactInputSingle').send(params)).wait())?.status).toBe(1);
    };
    try {
      expect(await port.price()).toBeCloseTo(0.5, 9);
      const first = await lp.tick();
      expect(first).toMatchObject({ kind: 'mint' });
      const pos = lp.position!;
      // The range covers ±2 % around 0.5 with the buffer (±3 %, widened to the 60-tick spacing).
      expect(pos.lower).toBeLessThan(0.5 * 0.98);
      expect(pos.upper).toBeGreaterThan(0.5 * 1.02);
      expect(pos.lower).toBeGreaterThan(0.48);
      expect(pos.upper).toBeLessThan(0.52);
      // L on chain is the planned ≈ 3.92 M (human) — 1 % over for rounding.
      expect(pos.liquidity / 3_916_745.79).toBeGreaterThan(1);
      expect(pos.liquidity / 3_916_745.79).toBeLessThan(1.02);
      // Measured on chain with QuoterV2: selling BLST until the price is 2 % lower pays out ≥ 25,000 USDC.
      const m = await port.market();
      const limit = BigInt(Math.floor(Math.sqrt(rawPrice(0.5 * 0.98, m)) * 2 ** 96));
      const quoter = new Contract(v3.quoter, V3_ABIS.quoter, provider);
      const q = (await quoter
        .getFunction('quoteExactInputSingle')
        .staticCall({ tokenIn: d.base.address, tokenOut: d.quote.address, amountIn: 10n ** 30n, fee: v3.fee, sqrtPriceLimitX96: limit })) as unknown as [bigint];
      expect(Number(q[0]) / 1e6).toBeGreaterThan(25_000);
      expect(Number(q[0]) / 1e6).toBeLessThan(29_000);
      process.stdout.write(`V3 range: bid depth within 2 % measured by QuoterV2 = ${Number(q[0]) / 1e6} USDC\n`);
      const s0 = lp.stats();
      expect(s0.capitalQuote).toBeGreaterThan(75_000);
      expect(s0.capitalQuote).toBeLessThan(95_000); // 82.5 k for [0.485, 0.515]; the ticks widen it to [0.4821, 0.5150]
      expect(s0.v2CapitalQuote / s0.capitalQuote).toBeGreaterThan(50);

      // ≈ 60,000 BLST sold moves L ≈ 3.96 M from 0.5 to ≈ 0.49: below the inner band (0.4949).
      await sell(60_000n * 10n ** 18n);
      const moved = await port.price();
      expect(moved).toBeLessThan(pos.lower / 0.98);
      clock.runFor(MIN); // inside the cooldown: held back
      expect(await lp.tick()).toMatchObject({ kind: 'hold', reason: 'cooldown' });
      clock.runFor(5 * MIN); // past it: re-centred on the new price
      expect(await lp.tick()).toMatchObject({ kind: 'recentre', sizing: { centre: moved } });
      const pos2 = lp.position!;
      expect(pos2.tokenId).not.toBe(pos.tokenId);
      expect(pos2.lower).toBeLessThan(moved * 0.98);
      expect(pos2.upper).toBeGreaterThan(moved * 1.02);
      // The old NFT is burnt.
      await expect(positions.position(pos.tokenId)).rejects.toThrow();

      // Pushed out again at once: the cooldown holds it (re-centred once, not twice).
      await sell(70_000n * 10n ** 18n);
      expect(await port.price()).toBeLessThan(pos2.lower / 0.98);
      clock.runFor(MIN);
      expect(await lp.tick()).toMatchObject({ kind: 'hold', reason: 'cooldown' });
      const s = lp.stats();
      expect(s).toMatchObject({ mints: 1, recentres: 1, cooldownHolds: 2, errors: 0 });
      // The first range earned 0.3 % of the swap that crossed it and lost to the move (IL).
      expect(s.feesQuote).toBeGreaterThan(0);
      expect(s.impermanentLossQuote).toBeLessThan(0);
      process.stdout.write(`V3 range on chain: ${JSON.stringify(s)}\n`);
    } finally {
      await positions.close();
    }
  });
});
