// The quoting worker's pool-liquidity start-up against a local chain: pool addresses from the
// simulated market's GET /chain (served here by a stub with the same shape), the simulation's pool
// wallet funded by the tokens' owner, and the demo pool brought up to its ±2 % depth requirement.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { v2Depth } from '../../domain/amm';
import { loadConfig } from '../../config/load';
import { RealClock } from '../../hotpath/clocks';
import { startLocalAmm, type LocalAmm } from '../../sim/evm/local-amm';
import { AmmVenue } from '../../venues/amm/amm-venue';
import { AmmVenue as MarketPool } from '../../sim/market/amm-venue';
import { hardhatAccountKey } from '../../sim/evm/local-chain';
import { startPoolLiquidity } from '../../workers/pool-liquidity';
import { CHAIN_LP, followChainLiquidity } from '../../workers/pool-lp-follow';

jest.setTimeout(180_000);

let amm: LocalAmm;
let server: Server;
let port: number;

beforeAll(async () => {
  amm = await startLocalAmm({ reserves: { base: '4000000', quote: '2000000' }, fund: [{ address: '0x90F79bf6EB2c4f870365E785982E1f101E93b906', base: '1000000', quote: '1000000' }] });
  const o = amm.venueOptions;
  const body = JSON.stringify({
    rpcUrl: o.rpcUrl,
    chainId: o.chainId,
    tokens: { BLST: o.base, USDC: o.quote },
    decimals: { BLST: 18, USDC: 6 },
    pool: { id: 'uniswap', router: o.router, pair: o.pair, base: o.base, quote: o.quote },
  });
  server = createServer((req, res) => {
    res.writeHead(req.url === '/chain' ? 200 : 404, { 'content-type': 'application/json' }).end(req.url === '/chain' ? body : '{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await amm?.stop();
});

it('funds the pool wallet in the simulation and tops the demo pool up to its requirement', async () => {
  const demo = loadConfig('config/demo.yaml');
  const config = {
    ...demo,
    simulation: { ...demo.simulation!, host: '127.0.0.1', port },
    venues: demo.venues.map((v) => (v.kind === 'amm' ? { ...v, chain: { rpcUrl: amm.chain.rpcUrl, chainId: 31337 } } : v)),
  };
  const clock = new RealClock();
  const handle = await startPoolLiquidity({ config, env: {}, logger: pino({ level: 'silent' }), clock });
  try {
    expect(handle).toBeDefined();
    expect(handle!.provider.stats()).toMatchObject({ adds: 1, errors: 0, requirementMetPct: 100 });
    const reader = new AmmVenue({ id: 'uniswap', ...amm.venueOptions, wallet: { account: 0 } });
    const r = await reader.reserves();
    await reader.close();
    expect(v2Depth({ base: r.baseRaw, quote: r.quoteRaw }, '2').minQuote).toBeGreaterThanOrEqual(27_500n * 10n ** 6n);
  } finally {
    await handle?.stop();
    clock.stop();
  }
});

/** Waits (on wall time, no assertion on how long) until `done()` holds. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !done(); i++) await new Promise((r) => setTimeout(r, 100));
}

it('liquidity added and removed on chain reaches the in-process pool, so both pools stay alike', async () => {
  const chain = new AmmVenue({ id: 'uniswap', ...amm.venueOptions, wallet: { privateKey: hardhatAccountKey(3) } });
  const clock = new RealClock();
  const st0 = await chain.poolState();
  // The in-process pool of the market process, at the chain's state (as the demo starts both).
  const pool = new MarketPool({ id: 'uniswap', market: 'BLST/USDC', reserveBase: st0.base, reserveQuote: st0.quote, baseDecimals: 18, quoteDecimals: 6 }, clock);
  const follow = followChainLiquidity(chain, pool, clock, pino({ level: 'silent' }), st0.blockNumber + 1, 100);
  try {
    const added = await chain.addLiquidity({ base: '200000', quote: '100000' });
    await until(() => follow.stats.mints === 1);
    const st1 = await chain.poolState();
    // Same reserves to the unit; LP supply within a unit (this chain's supply grew through earlier
    // adds, the in-process pool was started from its reserves alone).
    expect(pool.poolState()).toMatchObject({ base: st1.base, quote: st1.quote });
    expect(Number(pool.poolState().totalSupply - st1.totalSupply)).toBeLessThanOrEqual(1);
    expect(Number(pool.lpBalance(CHAIN_LP) - added.liquidityRaw)).toBeLessThanOrEqual(1);
    await chain.removeLiquidity({ liquidity: (Number(added.liquidity) / 2).toString() });
    await until(() => follow.stats.burns === 1);
    const st2 = await chain.poolState();
    const ps = pool.poolState();
    // Burnt in proportion to the chain's burn: equal to a few units of rounding.
    expect(Number(ps.base - st2.base)).toBeLessThan(1e6);
    expect(Number(ps.quote - st2.quote)).toBeLessThanOrEqual(1);
    expect(follow.stats.refused).toBe(0);
  } finally {
    follow.stop();
    clock.stop();
    await chain.close();
  }
});
