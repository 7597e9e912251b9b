// One call for `npm start` and tests: a local Hardhat node with the BLST/USDC Uniswap V2 pool
// deployed and seeded, plus the options an AmmVenue needs to trade on it.
// `npx tsx sim/evm/local-amm.ts` boots one, prints the addresses and timings as JSON, and stops it.
import { deployUniswapV2, type DeployUniswapV2Options, type UniswapV2Deployment } from './deploy-uniswap-v2';
import { startLocalChain, type LocalChain, type LocalChainOptions } from './local-chain';

export interface LocalAmm {
  chain: LocalChain;
  deployment: UniswapV2Deployment;
  /** What AmmVenueOptions needs besides id and wallet. */
  venueOptions: { rpcUrl: string; chainId: number; router: string; pair: string; base: string; quote: string };
  timings: { chainStartMs: number; compileMs: number; deployMs: number; totalMs: number };
  stop(): Promise<void>;
}

export async function startLocalAmm(o: LocalChainOptions & Omit<DeployUniswapV2Options, 'rpcUrl'>): Promise<LocalAmm> {
  const t0 = performance.now();
  const chain = await startLocalChain(o);
  try {
    const deployment = await deployUniswapV2({ ...o, rpcUrl: chain.rpcUrl });
    return {
      chain,
      deployment,
      venueOptions: {
        rpcUrl: chain.rpcUrl,
        chainId: deployment.chainId,
        router: deployment.router,
        pair: deployment.pair,
        base: deployment.base.address,
        quote: deployment.quote.address,
      },
      timings: { chainStartMs: chain.startMs, compileMs: deployment.timings.compileMs, deployMs: deployment.timings.deployMs, totalMs: performance.now() - t0 },
      stop: () => chain.stop(),
    };
  } catch (e) {
    await chain.stop();
    throw e;
  }
}

if (require.main === module) {
  void (async () => {
    const amm = await startLocalAmm({ reserves: { base: '4000000', quote: '2000000' } });
    try {
      const round = (ms: number) => Math.round(ms);
      const t = amm.timings;
      const out = { ...amm.venueOptions, timingsMs: { chainStart: round(t.chainStartMs), compile: round(t.compileMs), compiled: amm.deployment.timings.compiled, deploy: round(t.deployMs), total: round(t.totalMs) } };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } finally {
      await amm.stop();
    }
  })().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}
