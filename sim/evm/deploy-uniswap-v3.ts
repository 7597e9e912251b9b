// Deploys Uniswap V3 from the published npm builds (UniswapV3Factory, NonfungiblePositionManager,
// SwapRouter, QuoterV2) next to an existing BLST/USDC token pair (e.g. from deploy-uniswap-v2.ts),
// creates and initializes the pool at the given price and mints one full-range position.
// The periphery finds pools with POOL_INIT_CODE_HASH; the npm builds agree (checked below).
import { Contract, ContractFactory, keccak256, type InterfaceAbi, type Signer } from 'ethers';
import { toUnits } from '../../domain/token-units';
import { sqrt } from '../../domain/uniswap-v2-math';
import { localProvider, type TokenInfo } from './deploy-uniswap-v2';

interface Artifact {
  abi: InterfaceAbi;
  bytecode: string;
}
/* eslint-disable @typescript-eslint/no-require-imports -- the npm builds are plain JSON files */
const V3_FACTORY = require('@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json') as Artifact;
const V3_POOL = require('@uniswap/v3-core/artifacts/contracts/UniswapV3Pool.sol/UniswapV3Pool.json') as Artifact;
const NPM = require('@uniswap/v3-periphery/artifacts/contracts/NonfungiblePositionManager.sol/NonfungiblePositionManager.json') as Artifact;
const SWAP_ROUTER = require('@uniswap/v3-periphery/artifacts/contracts/SwapRouter.sol/SwapRouter.json') as Artifact;
const QUOTER_V2 = require('@uniswap/v3-periphery/artifacts/contracts/lens/QuoterV2.sol/QuoterV2.json') as Artifact;
/* eslint-enable @typescript-eslint/no-require-imports */

export const V3_POOL_INIT_CODE_HASH = keccak256(V3_POOL.bytecode);
export const V3_ABIS = { factory: V3_FACTORY.abi, pool: V3_POOL.abi, positionManager: NPM.abi, swapRouter: SWAP_ROUTER.abi, quoter: QUOTER_V2.abi };

/** 0.3 % fee tier; its tick spacing is 60, so full range is ±887220 (MAX_TICK 887272 rounded to 60). */
export const V3_FEE = 3000;
const FULL_RANGE_TICK = 887_220;

export interface UniswapV3Deployment {
  factory: string;
  positionManager: string;
  swapRouter: string;
  quoter: string;
  pool: string;
  fee: number;
  /** The full-range position minted to the deployer. */
  positionId: bigint;
  liquidity: bigint;
  deployMs: number;
}

export interface DeployUniswapV3Options {
  rpcUrl: string;
  weth: string;
  base: TokenInfo;
  quote: TokenInfo;
  /** Amounts deposited into the full-range position (decimal strings); they also set the initial price. */
  reserves: { base: string; quote: string };
  /** The unlocked node account that deploys and owns enough of both tokens (default 0). */
  deployerIndex?: number;
}

/** sqrtPriceX96 = floor(sqrt(amount1 / amount0) · 2^96), in raw token units. */
export function sqrtPriceX96(amount0: bigint, amount1: bigint): bigint {
  return sqrt((amount1 << 192n) / amount0);
}

async function deploy(signer: Signer, a: Artifact, args: unknown[]): Promise<string> {
  const c = await new ContractFactory(a.abi, a.bytecode, signer).deploy(...args);
  await c.waitForDeployment();
  return c.getAddress();
}

async function send(c: Contract, method: string, args: unknown[]): Promise<void> {
  const tx = (await c.getFunction(method).send(...args)) as { wait(): Promise<{ status: number | null } | null> };
  if ((await tx.wait())?.status !== 1) throw new Error(`${method} failed on chain`);
}

export async function deployUniswapV3(o: DeployUniswapV3Options): Promise<UniswapV3Deployment> {
  const t0 = performance.now();
  for (const a of [NPM, SWAP_ROUTER, QUOTER_V2]) {
    if (!a.bytecode.toLowerCase().includes(V3_POOL_INIT_CODE_HASH.slice(2))) throw new Error(`a V3 periphery build lacks the pool init code hash ${V3_POOL_INIT_CODE_HASH}`);
  }
  const provider = localProvider(o.rpcUrl);
  try {
    const signer = await provider.getSigner(o.deployerIndex ?? 0);
    const me = await signer.getAddress();
    const factory = await deploy(signer, V3_FACTORY, []);
    // The token descriptor only renders NFT metadata (tokenURI): not needed here.
    const positionManager = await deploy(signer, NPM, [factory, o.weth, '0x0000000000000000000000000000000000000000']);
    const swapRouter = await deploy(signer, SWAP_ROUTER, [factory, o.weth]);
    const quoter = await deploy(signer, QUOTER_V2, [factory, o.weth]);

    const baseIs0 = o.base.address.toLowerCase() < o.quote.address.toLowerCase();
    const [t0Info, t1Info] = baseIs0 ? [o.base, o.quote] : [o.quote, o.base];
    const baseAmt = toUnits(o.reserves.base, o.base.decimals, 'reserves.base');
    const quoteAmt = toUnits(o.reserves.quote, o.quote.decimals, 'reserves.quote');
    const [amount0, amount1] = baseIs0 ? [baseAmt, quoteAmt] : [quoteAmt, baseAmt];

    const npm = new Contract(positionManager, NPM.abi, signer);
    await send(npm, 'createAndInitializePoolIfNecessary', [t0Info.address, t1Info.address, V3_FEE, sqrtPriceX96(amount0, amount1)]);
    const pool = String(await new Contract(factory, V3_FACTORY.abi, provider).getFunction('getPool').staticCall(t0Info.address, t1Info.address, V3_FEE));

    const erc20 = ['function approve(address spender, uint256 amount) returns (bool)'];
    await send(new Contract(t0Info.address, erc20, signer), 'approve', [positionManager, amount0]);
    await send(new Contract(t1Info.address, erc20, signer), 'approve', [positionManager, amount1]);
    const latest = await provider.getBlock('latest');
    const params = {
      token0: t0Info.address,
      token1: t1Info.address,
      fee: V3_FEE,
      tickLower: -FULL_RANGE_TICK,
      tickUpper: FULL_RANGE_TICK,
      amount0Desired: amount0,
      amount1Desired: amount1,
      amount0Min: 0n,
      amount1Min: 0n,
      recipient: me,
      deadline: BigInt((latest?.timestamp ?? 0) + 600),
    };
    const minted = (await npm.getFunction('mint').staticCall(params)) as unknown as [bigint, bigint, bigint, bigint];
    await send(npm, 'mint', [params]);
    return { factory, positionManager, swapRouter, quoter, pool, fee: V3_FEE, positionId: minted[0], liquidity: minted[1], deployMs: performance.now() - t0 };
  } finally {
    provider.destroy();
  }
}
