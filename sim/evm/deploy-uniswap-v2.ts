// Deploys the real Uniswap V2 contracts from their published npm builds (WETH9, UniswapV2Factory,
// UniswapV2Router02) plus two ERC-20s compiled from our own source (BLST 18 decimals, USDC 6), then
// creates the BLST/USDC pair and seeds it with liquidity through the router.
//
// The router finds pairs with a CREATE2 address computed from an init code hash hard-coded in
// UniswapV2Library. The npm builds agree (keccak256 of v2-core's UniswapV2Pair bytecode is
// 0x96e8ac42…845f, the hash inside v2-periphery's Router02 bytecode); `deployUniswapV2` checks it
// anyway, and checks the router's CREATE2 address against factory.getPair, so a mismatched build
// fails loudly at boot instead of swapping against an empty address.
import { Contract, ContractFactory, FetchRequest, JsonRpcProvider, getCreate2Address, keccak256, solidityPackedKeccak256, type InterfaceAbi, type Signer } from 'ethers';
import { toUnits } from '../../domain/token-units';
import { compileMintableToken } from './compile-token';
import { LOCAL_CHAIN_ID } from './local-chain';

interface BuildJson {
  abi: InterfaceAbi;
  bytecode: string;
}
/* eslint-disable @typescript-eslint/no-require-imports -- the npm builds are plain JSON files */
const WETH9 = require('@uniswap/v2-periphery/build/WETH9.json') as BuildJson;
const FACTORY = require('@uniswap/v2-core/build/UniswapV2Factory.json') as BuildJson;
const PAIR = require('@uniswap/v2-core/build/UniswapV2Pair.json') as BuildJson;
const ROUTER02 = require('@uniswap/v2-periphery/build/UniswapV2Router02.json') as BuildJson;
/* eslint-enable @typescript-eslint/no-require-imports */

const hex0x = (b: string) => (b.startsWith('0x') ? b : `0x${b}`);
/** keccak256 of the pair's creation code: what the factory's CREATE2 uses. */
export const PAIR_INIT_CODE_HASH = keccak256(hex0x(PAIR.bytecode));

export interface TokenInfo {
  address: string;
  symbol: string;
  decimals: number;
}

export interface UniswapV2Deployment {
  chainId: number;
  deployer: string;
  weth: string;
  factory: string;
  router: string;
  pair: string;
  base: TokenInfo;
  quote: TokenInfo;
  /** Initial reserves as decimal strings, echoing the request. */
  reserves: { base: string; quote: string };
  initCodeHash: string;
  timings: { compileMs: number; compiled: boolean; deployMs: number };
}

export interface DeployUniswapV2Options {
  rpcUrl: string;
  /** Initial pool reserves (decimal strings, human units). */
  reserves: { base: string; quote: string };
  /** Extra tokens minted to these accounts (traders, market makers). */
  fund?: { address: string; base: string; quote: string }[];
  /** Which unlocked node account deploys (and owns the tokens); default 0. */
  deployerIndex?: number;
  artifactDir?: string;
}

/** A provider for a local chain: fixed network (no detection retry loop) and fast receipt polling. */
export function localProvider(rpcUrl: string, chainId = LOCAL_CHAIN_ID, timeoutMs = 15_000): JsonRpcProvider {
  const req = new FetchRequest(rpcUrl);
  req.timeout = timeoutMs;
  const provider = new JsonRpcProvider(req, chainId, { staticNetwork: true, pollingInterval: 100, cacheTimeout: -1 });
  return provider;
}

async function deploy(signer: Signer, abi: InterfaceAbi, bytecode: string, args: unknown[]): Promise<string> {
  const c = await new ContractFactory(abi, hex0x(bytecode), signer).deploy(...args);
  await c.waitForDeployment();
  return c.getAddress();
}

async function send(c: Contract, method: string, args: unknown[]): Promise<void> {
  const fn = c.getFunction(method);
  const tx = (await fn.send(...args)) as { wait(): Promise<{ status: number | null } | null> };
  const receipt = await tx.wait();
  if (receipt?.status !== 1) throw new Error(`${method} failed on chain`);
}

export async function deployUniswapV2(o: DeployUniswapV2Options): Promise<UniswapV2Deployment> {
  const artifact = compileMintableToken({ artifactDir: o.artifactDir });
  const t0 = performance.now();
  const provider = localProvider(o.rpcUrl);
  try {
    const signer = await provider.getSigner(o.deployerIndex ?? 0);
    const deployer = await signer.getAddress();
    const chainId = Number((await provider.getNetwork()).chainId);

    const weth = await deploy(signer, WETH9.abi, WETH9.bytecode, []);
    const factory = await deploy(signer, FACTORY.abi, FACTORY.bytecode, [deployer]);
    const router = await deploy(signer, ROUTER02.abi, ROUTER02.bytecode, [factory, weth]);
    const tokenAbi = artifact.abi as InterfaceAbi;
    const baseAddr = await deploy(signer, tokenAbi, artifact.bytecode, ['Ballast', 'BLST', 18]);
    const quoteAddr = await deploy(signer, tokenAbi, artifact.bytecode, ['USD Coin', 'USDC', 6]);
    const base: TokenInfo = { address: baseAddr, symbol: 'BLST', decimals: 18 };
    const quote: TokenInfo = { address: quoteAddr, symbol: 'USDC', decimals: 6 };

    const baseToken = new Contract(baseAddr, tokenAbi, signer);
    const quoteToken = new Contract(quoteAddr, tokenAbi, signer);
    const seedBase = toUnits(o.reserves.base, base.decimals, 'reserves.base');
    const seedQuote = toUnits(o.reserves.quote, quote.decimals, 'reserves.quote');
    await send(baseToken, 'mint', [deployer, seedBase]);
    await send(quoteToken, 'mint', [deployer, seedQuote]);
    for (const [i, f] of (o.fund ?? []).entries()) {
      await send(baseToken, 'mint', [f.address, toUnits(f.base, base.decimals, `fund[${i}].base`)]);
      await send(quoteToken, 'mint', [f.address, toUnits(f.quote, quote.decimals, `fund[${i}].quote`)]);
    }

    const factoryC = new Contract(factory, FACTORY.abi, signer);
    await send(factoryC, 'createPair', [baseAddr, quoteAddr]);
    const pair = String(await factoryC.getFunction('getPair').staticCall(baseAddr, quoteAddr));
    const [t0Addr, t1Addr] = baseAddr.toLowerCase() < quoteAddr.toLowerCase() ? [baseAddr, quoteAddr] : [quoteAddr, baseAddr];
    const predicted = getCreate2Address(factory, solidityPackedKeccak256(['address', 'address'], [t0Addr, t1Addr]), PAIR_INIT_CODE_HASH);
    if (predicted.toLowerCase() !== pair.toLowerCase()) {
      throw new Error(`pair init code hash mismatch: factory created ${pair}, CREATE2 with ${PAIR_INIT_CODE_HASH} gives ${predicted}`);
    }
    if (!ROUTER02.bytecode.toLowerCase().includes(PAIR_INIT_CODE_HASH.slice(2))) {
      throw new Error(`UniswapV2Router02 build does not contain the pair init code hash ${PAIR_INIT_CODE_HASH}: its pairFor would miss the factory's pairs`);
    }

    // Seed through the router: this also proves its pairFor reaches the factory's pair.
    if (seedBase > 0n && seedQuote > 0n) {
      await send(baseToken, 'approve', [router, seedBase]);
      await send(quoteToken, 'approve', [router, seedQuote]);
      const latest = await provider.getBlock('latest');
      const deadline = BigInt((latest?.timestamp ?? 0) + 600);
      const routerC = new Contract(router, ROUTER02.abi, signer);
      await send(routerC, 'addLiquidity', [baseAddr, quoteAddr, seedBase, seedQuote, seedBase, seedQuote, deployer, deadline]);
    }
    return {
      chainId,
      deployer,
      weth,
      factory,
      router,
      pair,
      base,
      quote,
      reserves: { ...o.reserves },
      initCodeHash: PAIR_INIT_CODE_HASH,
      timings: { compileMs: artifact.compileMs, compiled: artifact.compiled, deployMs: performance.now() - t0 },
    };
  } finally {
    provider.destroy();
  }
}
