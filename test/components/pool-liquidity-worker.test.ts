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
import { startPoolLiquidity } from '../../workers/pool-liquidity';

jest.setTimeout(180_000);

let amm: LocalAmm;
let server: Server;
let port: number;

beforeAll(async () => {
  amm = await startLocalAmm({ reserves: { base: '4000000', quote: '2000000' } });
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
