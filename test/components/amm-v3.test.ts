// Uniswap V3 from the npm builds on a local Hardhat node: deploy, one full-range position, one swap.
import Decimal from 'decimal.js';
import { Contract, type JsonRpcProvider } from 'ethers';
import { startLocalAmm, type LocalAmm } from '../../sim/evm/local-amm';
import { localProvider } from '../../sim/evm/deploy-uniswap-v2';
import { V3_ABIS, V3_POOL_INIT_CODE_HASH, deployUniswapV3, sqrtPriceX96, type UniswapV3Deployment } from '../../sim/evm/deploy-uniswap-v3';
import { ERC20_ABI } from '../../venues/amm/amm-abis';

jest.setTimeout(180_000);

const DEPLOYER = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
let amm: LocalAmm;
let v3: UniswapV3Deployment;
let provider: JsonRpcProvider;

beforeAll(async () => {
  amm = await startLocalAmm({ reserves: { base: '4000000', quote: '2000000' }, fund: [{ address: DEPLOYER, base: '1000000', quote: '1000000' }] });
  const d = amm.deployment;
  v3 = await deployUniswapV3({ rpcUrl: amm.chain.rpcUrl, weth: d.weth, base: d.base, quote: d.quote, reserves: { base: '400000', quote: '200000' } });
  provider = localProvider(amm.chain.rpcUrl);
});

afterAll(async () => {
  provider?.destroy();
  await amm?.stop();
});

describe('Uniswap V3 on the local chain', () => {
  it('creates the pool at the price of the deposit, with the full-range liquidity in range', async () => {
    expect(V3_POOL_INIT_CODE_HASH).toBe('0xe34f199b19b2b4f47f68442619d555527d244f78a3297ea89325f843f87b8b54');
    const pool = new Contract(v3.pool, V3_ABIS.pool, provider);
    const slot0 = (await pool.getFunction('slot0').staticCall()) as unknown as [bigint];
    const d = amm.deployment;
    const baseIs0 = d.base.address.toLowerCase() < d.quote.address.toLowerCase();
    const [a0, a1] = baseIs0 ? [400_000n * 10n ** 18n, 200_000n * 10n ** 6n] : [200_000n * 10n ** 6n, 400_000n * 10n ** 18n];
    expect(slot0[0]).toBe(sqrtPriceX96(a0, a1));
    expect(await pool.getFunction('liquidity').staticCall()).toBe(v3.liquidity);
    // Full range L = sqrt(x·y) for a deposit at the pool price: sqrt(4e23 · 2e11) = sqrt(8e34) ≈ 2.828e17.
    expect(new Decimal(v3.liquidity.toString()).div('282842712474619009').minus(1).abs().lt('0.000001')).toBe(true);
  });

  it('a swap through SwapRouter pays what QuoterV2 quoted, close to the constant-product figure', async () => {
    const d = amm.deployment;
    const signer = await provider.getSigner(0);
    const amountIn = 1000n * 10n ** 6n; // 1000 USDC → BLST
    const quoter = new Contract(v3.quoter, V3_ABIS.quoter, provider);
    const quoted = (await quoter
      .getFunction('quoteExactInputSingle')
      .staticCall({ tokenIn: d.quote.address, tokenOut: d.base.address, amountIn, fee: v3.fee, sqrtPriceLimitX96: 0n })) as unknown as [bigint];
    const blst = new Contract(d.base.address, ERC20_ABI, provider);
    const before = (await blst.getFunction('balanceOf').staticCall(DEPLOYER)) as bigint;
    await (await new Contract(d.quote.address, ERC20_ABI, signer).getFunction('approve').send(v3.swapRouter, amountIn)).wait();
    const router = new Contract(v3.swapRouter, V3_ABIS.swapRouter, signer);
    const latest = await provider.getBlock('latest');
    const tx = await router.getFunction('exactInputSingle').send({
      tokenIn: d.quote.address,
      tokenOut: d.base.address,
      fee: v3.fee,
      recipient: DEPLOYER,
      deadline: BigInt(latest!.timestamp + 60),
      amountIn,
      amountOutMinimum: quoted[0],
      sqrtPriceLimitX96: 0n,
    });
    expect((await tx.wait())?.status).toBe(1);
    const received = ((await blst.getFunction('balanceOf').staticCall(DEPLOYER)) as bigint) - before;
    expect(received).toBe(quoted[0]);
    // Full range ≈ constant product on 400 000 BLST / 200 000 USDC with the fee taken from the input:
    // 997·400000/(200000 + 997) = 1984.10921556043… (Python). Tick math rounds in the last digits only.
    expect(new Decimal(received.toString()).div('1e18').minus('1984.10921556043').abs().lt('0.000001')).toBe(true);
  });
});
