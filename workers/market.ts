// The simulated market of the embedded default: one SimExchange per simulated CEX (latency, rate
// limits, faults, transfers) whose engines the scenario's external traders trade on, in real time;
// the scenario's Uniswap V2 pool runs in-process with the exact V2 math AND is mirrored swap for swap
// onto real Uniswap V2 contracts on a local Hardhat node. A small HTTP endpoint serves books, trades,
// the run's state to the Ballast API, and takes injected faults (POST /venues/<id>/faults).
// With the local chain up, fund movements between the simulated exchanges are real too: each
// exchange's hot wallet is a Hardhat account holding tokens for its customers' balances (minted at
// start), a withdrawal is an ERC-20 transfer whose tx hash the venue reports, and deposits are
// credited after confirmations counted on the chain (interval mining keeps blocks coming). GET /chain
// tells the Treasury worker where the chain and its tokens are.
import Fastify from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { toFieldIssues } from '../domain/errors';
import { D, fmt } from '../domain/money';
import { mulberry32 } from '../domain/rng';
import { fromUnits } from '../domain/token-units';
import { RealClock } from '../hotpath/clocks';
import { FaultSpecSchema } from '../sim/exchange/fault-injector';
import { SimExchange } from '../sim/exchange/sim-exchange';
import { PRESET_WITHDRAWALS, scenarioExchangeConfig } from '../sim/exchange/exchange-presets';
import { TransferNetwork } from '../sim/exchange/transfer-network';
import type { AmmSwap, AmmVenue as MarketPool } from '../sim/market/amm-venue';
import { loadScenario } from '../sim/market/scenario-loader';
import { ScenarioRunner } from '../sim/market/scenario-runner';
import { startLocalAmm, type LocalAmm } from '../sim/evm/local-amm';
import { EvmChainBridge, deployTokens, hardhatHotWalletKeys, mintTokens, type BridgeToken } from '../sim/evm/chain-bridge';
import { AmmVenue } from '../venues/amm/amm-venue';
import type { VenueConfig } from '../domain/config.schema';
import { BinanceEmulator } from '../sim/emulator/binance-emulator';
import { followChainLiquidity } from './pool-lp-follow';

export interface MarketOptions {
  scenario: string;
  host: string;
  bindHost?: string;
  port: number;
  chainPort: number;
  /** The local chain mines a block at least this often (ms), so confirmations accumulate; default 1000. */
  chainBlockMs?: number;
  /** Balances of Ballast's own account on every simulated exchange (base, quote). */
  ballast: { account: string; base: string; quote: string };
  /**
   * Ballast's deposit address per simulated exchange (all assets), e.g. the treasury whitelist's
   * `<venue>-deposit` entries, so transfers between venues pass the whitelist in the demo.
   */
  depositAddresses?: Record<string, string>;
  /** Ballast's configured venues: `sim` venues with an `emulatorPort` get a Binance-spot emulator. */
  venues: VenueConfig[];
  env: Record<string, string | undefined>;
  log: Logger;
}

export interface SimulatedMarket {
  exchanges: Record<string, SimExchange>;
  runner: ScenarioRunner;
  amm?: LocalAmm;
  /** Real on-chain withdrawals between the exchanges (only with the local chain). */
  bridge?: EvmChainBridge;
  url: string;
  stop(): Promise<void>;
}

interface MirroredSwap extends Omit<AmmSwap, 'amountIn' | 'amountOut'> {
  amountIn: string;
  amountOut: string;
  txHash?: string;
  mirrorError?: string;
}

// A Hardhat test account (#9, its well-known public address) that replays the pool's swaps on chain.
const MIRROR_ACCOUNT = 9;
const MIRROR_ADDRESS = '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720';

// Decimals of tokens deployed for exchange assets the AMM did not deploy (others: 18).
const TOKEN_DECIMALS: Record<string, number> = { USDT: 6, USDC: 6 };

/** Tokens for every exchange asset (the AMM's BLST/USDC, plus new ones such as USDT) and the bridge. */
async function startBridge(amm: LocalAmm, assets: string[], exchangeIds: string[], clock: RealClock, log: Logger): Promise<EvmChainBridge> {
  const { base, quote } = amm.deployment;
  const tokens: Record<string, BridgeToken> = { [base.symbol]: { address: base.address, decimals: base.decimals }, [quote.symbol]: { address: quote.address, decimals: quote.decimals } };
  const missing = assets.filter((a) => tokens[a] === undefined);
  Object.assign(tokens, await deployTokens(amm.chain.rpcUrl, missing.map((symbol) => ({ symbol, name: symbol, decimals: TOKEN_DECIMALS[symbol] ?? 18 }))));
  return EvmChainBridge.start(
    { rpcUrl: amm.chain.rpcUrl, chainId: amm.chain.chainId, tokens, hotWallets: hardhatHotWalletKeys(exchangeIds) },
    { clock, onError: (err, ctx) => log.warn({ err, ...ctx }, 'chain bridge') },
  );
}

/** Each hot wallet gets tokens for what its exchange owes its customers now (rounded up to the token's decimals). */
async function fundHotWallets(bridge: EvmChainBridge, exchanges: SimExchange[]): Promise<void> {
  const tokens = bridge.tokens();
  const grants = exchanges.flatMap((ex) =>
    [ex.market.base, ex.market.quote].flatMap((asset) => {
      const token = tokens[asset];
      if (!token) return [];
      return [{ to: ex.hotWallet, asset, amount: fmt(new D(ex.holdings(asset)).toDecimalPlaces(token.decimals, D.ROUND_UP)) }];
    }),
  );
  await mintTokens(bridge.rpcUrl, tokens, grants);
}

export async function startSimulatedMarket(o: MarketOptions): Promise<SimulatedMarket> {
  const scenario = loadScenario(o.scenario);
  const clock = new RealClock();
  const poolSpec = scenario.venues.find((v) => v.kind === 'amm');
  const cexes = scenario.venues.filter((v) => v.kind === 'cex');
  const chainBlockMs = o.chainBlockMs ?? 1000;
  // The chain comes first: the exchanges' hot wallets live on it.
  let amm: LocalAmm | undefined;
  let bridge: EvmChainBridge | undefined;
  if (poolSpec && poolSpec.kind === 'amm') {
    amm = await startLocalAmm({ port: o.chainPort, reserves: poolSpec.reserves, fund: [{ address: MIRROR_ADDRESS, base: '100000000', quote: '100000000' }], intervalMiningMs: chainBlockMs });
    o.log.info({ rpcUrl: amm.chain.rpcUrl, pair: amm.venueOptions.pair, ms: Math.round(amm.timings.totalMs) }, 'local EVM with Uniswap V2 is up');
    const assets = [...new Set(cexes.flatMap((v) => v.market.split('/')))];
    try {
      bridge = await startBridge(amm, assets, cexes.map((v) => v.id), clock, o.log);
    } catch (e) {
      await amm.stop();
      throw e;
    }
  }
  const network = new TransferNetwork({ delayMs: { min: 2_000, max: 8_000 } }, { clock, rng: mulberry32(scenario.seed + 1), ...(bridge ? { bridge } : {}) });
  const exchanges: Record<string, SimExchange> = {};
  for (const v of cexes) {
    const [base, quote] = v.market.split('/') as [string, string];
    const ex = new SimExchange(scenarioExchangeConfig(v), { clock, rng: mulberry32(scenario.seed + Object.keys(exchanges).length + 2), network });
    ex.fund(o.ballast.account, base, o.ballast.base);
    ex.fund(o.ballast.account, quote, o.ballast.quote);
    const deposit = o.depositAddresses?.[v.id];
    if (deposit) ex.assignDepositAddress(o.ballast.account, deposit);
    exchanges[v.id] = ex;
  }
  const runner = new ScenarioRunner(scenario, { clock, engines: Object.fromEntries(Object.entries(exchanges).map(([id, ex]) => [id, ex.engine])) });
  if (bridge) {
    await fundHotWallets(bridge, Object.values(exchanges));
    o.log.info({ hotWallets: bridge.hotWallets(), tokens: Object.fromEntries(Object.entries(bridge.tokens()).map(([a, t]) => [a, t.address])), blockMs: chainBlockMs }, 'withdrawals between exchanges are real token transfers');
  }

  // The on-chain replica of the scenario's pool.
  const swaps: MirroredSwap[] = [];
  let mirrorQueue: Promise<void> = Promise.resolve();
  let unsubscribePool: (() => void) | undefined;
  let lpFollow: { stop(): void } | undefined;
  let chainPool: AmmVenue | undefined;
  if (amm && poolSpec && poolSpec.kind === 'amm') {
    const mirror = new AmmVenue({ id: poolSpec.id, ...amm.venueOptions, wallet: { account: MIRROR_ACCOUNT } });
    chainPool = mirror;
    const pool = runner.venues[poolSpec.id] as MarketPool;
    const { base: baseDecimals, quote: quoteDecimals } = poolSpec.decimals;
    unsubscribePool = pool.subscribe((s) => {
      const record: MirroredSwap = {
        ...s,
        amountIn: fromUnits(s.amountIn, s.side === 'buy' ? quoteDecimals : baseDecimals),
        amountOut: fromUnits(s.amountOut, s.side === 'buy' ? baseDecimals : quoteDecimals),
      };
      swaps.push(record);
      if (swaps.length > 500) swaps.shift();
      // Same reserves, same exact math: the chain gives the in-process amount out — within 10 bps,
      // because liquidity Ballast adds on chain reaches the in-process pool a poll later (pool-lp-follow).
      const minOut = fromUnits((s.amountOut * 9_990n) / 10_000n, s.side === 'buy' ? baseDecimals : quoteDecimals);
      mirrorQueue = mirrorQueue.then(async () => {
        try {
          const r = await mirror.swap({ side: s.side, amountIn: record.amountIn, minAmountOut: minOut, deadlineSec: 60 });
          record.txHash = r.txHash;
        } catch (e) {
          record.mirrorError = (e as Error).message;
          o.log.warn({ swapId: s.swapId, err: e }, 'mirroring a pool swap on chain failed');
        }
      });
    });
  }

  if (chainPool && poolSpec) {
    lpFollow = followChainLiquidity(chainPool, runner.venues[poolSpec.id] as MarketPool, clock, o.log, (await chainPool.reserves()).blockNumber + 1);
  }

  // Ballast reaches the simulated exchanges as it would live ones: the real ccxt client against a
  // Binance-spot emulator per exchange, signed with this run's keys.
  const emulators: BinanceEmulator[] = [];
  for (const v of o.venues) {
    if (v.kind !== 'sim' || !v.emulatorPort) continue;
    const ex = exchanges[v.id];
    if (!ex) throw new Error(`venue ${v.id} has an emulatorPort but the scenario has no exchange "${v.id}"`);
    const apiKey = o.env[v.credentials.apiKeyEnv];
    const secret = o.env[v.credentials.secretEnv];
    if (!apiKey || !secret) throw new Error(`venue ${v.id}: set ${v.credentials.apiKeyEnv} and ${v.credentials.secretEnv}`);
    const emu = new BinanceEmulator({ backend: ex, accounts: [{ account: o.ballast.account, apiKey, secret }], host: o.bindHost ?? o.host, port: v.emulatorPort });
    const addr = await emu.start();
    emulators.push(emu);
    o.log.info({ venue: v.id, restUrl: addr.restUrl, wsUrl: addr.wsUrl }, 'Binance-spot emulator serving the simulated exchange');
  }

  runner.start();
  const app = Fastify({ logger: false });
  const Depth = z.object({ depth: z.coerce.number().int().min(1).max(500).default(20) });
  const Limit = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });
  const venueIds = scenario.venues.map((v) => v.id);

  app.get('/venues', async () => scenario.venues.map((v) => ({ id: v.id, kind: v.kind, market: v.market })));
  app.get('/venues/:id/book', async (req, reply) => {
    const { id } = req.params as { id: string };
    const q = Depth.safeParse(req.query);
    if (!q.success) return reply.code(400).send({ error: 'depth: expected an integer 1-500' });
    if (exchanges[id]) return { venue: id, ...exchanges[id].trueBook(q.data.depth) };
    // The AMM's book is implied by the on-chain pool's reserves.
    if (poolSpec?.id === id && chainPool) return chainPool.fetchOrderBook(q.data.depth);
    return reply.code(404).send({ error: `unknown venue "${id}"; venues: ${venueIds.join(', ')}` });
  });
  app.get('/venues/:id/trades', async (req, reply) => {
    const { id } = req.params as { id: string };
    const q = Limit.safeParse(req.query);
    if (!q.success) return reply.code(400).send({ error: 'limit: expected an integer 1-500' });
    if (exchanges[id]) return exchanges[id].engine.recentTrades(q.data.limit).map((t) => ({ tradeId: t.tradeId, price: t.price, amount: t.amount, takerSide: t.takerSide, timestamp: t.timestamp }));
    if (poolSpec?.id === id) return swaps.slice(-q.data.limit).reverse();
    return reply.code(404).send({ error: `unknown venue "${id}"; venues: ${venueIds.join(', ')}` });
  });
  // Quote volume over the last 24 h from the recent-trades buffer (a lower bound once the buffer,
  // 10,000 trades, no longer reaches back 24 h).
  app.get('/venues/:id/volume24h', async (req, reply) => {
    const { id } = req.params as { id: string };
    const since = clock.now() - 24 * 3_600_000;
    if (exchanges[id]) {
      const trades = exchanges[id].engine.recentTrades(10_000).filter((t) => t.timestamp >= since);
      return { venue: id, volume24hQuote: fmt(trades.reduce((a, t) => a.plus(new D(t.price).times(t.amount)), new D(0))), trades: trades.length };
    }
    if (poolSpec?.id === id) {
      const recent = swaps.filter((x) => x.timestamp >= since);
      const quote = recent.reduce((a, x) => a.plus(x.side === 'buy' ? x.amountIn : x.amountOut), new D(0));
      return { venue: id, volume24hQuote: fmt(quote), trades: recent.length };
    }
    return reply.code(404).send({ error: `unknown venue "${id}"; venues: ${venueIds.join(', ')}` });
  });
  // Fault injection on a simulated exchange (demos, browser tests): e.g. POST {"kind":"outage","durationMs":60000}
  // to /venues/bravo/faults; DELETE /venues/bravo/faults/outage ends it early. The simulator's faults only.
  const FaultBody = z.intersection(FaultSpecSchema, z.object({ durationMs: z.number().int().positive().max(86_400_000).optional() }));
  app.post('/venues/:id/faults', async (req, reply) => {
    const { id } = req.params as { id: string };
    const ex = exchanges[id];
    if (!ex) return reply.code(404).send({ error: `no simulated exchange "${id}"; exchanges: ${Object.keys(exchanges).join(', ')}` });
    const body = FaultBody.safeParse(req.body);
    if (!body.success) return reply.code(400).send({ error: 'invalid fault', issues: toFieldIssues(body.error) });
    const { durationMs, ...spec } = body.data;
    ex.faults.enable(spec, durationMs === undefined ? {} : { durationMs });
    o.log.warn({ venue: id, fault: spec, durationMs }, 'fault injected on a simulated exchange');
    return { venue: id, fault: spec, ...(durationMs === undefined ? {} : { durationMs }) };
  });
  app.delete('/venues/:id/faults/:kind', async (req, reply) => {
    const { id, kind } = req.params as { id: string; kind: string };
    const ex = exchanges[id];
    const k = FaultSpecSchema.options.map((x) => x.shape.kind.value).find((x) => x === kind);
    if (!ex || !k) return reply.code(404).send({ error: `expected /venues/<${Object.keys(exchanges).join('|')}>/faults/<fault kind>` });
    ex.faults.disable(k);
    o.log.warn({ venue: id, fault: k }, 'fault cleared on a simulated exchange');
    return { venue: id, cleared: k };
  });
  // Where the Treasury worker reads confirmations (venues/chain/evm-confirmations.ts) and which token is which.
  app.get('/chain', async (_req, reply) => {
    if (!amm || !bridge) return reply.code(404).send({ error: 'this scenario runs no local chain: withdrawals are simulated' });
    const tokens = bridge.tokens();
    return {
      rpcUrl: amm.chain.rpcUrl,
      chainId: amm.chain.chainId,
      blockTimeMs: chainBlockMs,
      tokens: Object.fromEntries(Object.entries(tokens).map(([a, t]) => [a, t.address])),
      decimals: Object.fromEntries(Object.entries(tokens).map(([a, t]) => [a, t.decimals])),
      hotWallets: bridge.hotWallets(),
      // The pool's contracts, for Ballast's pool-liquidity provider in the quoting worker.
      ...(poolSpec ? { pool: { id: poolSpec.id, router: amm.venueOptions.router, pair: amm.venueOptions.pair, base: amm.venueOptions.base, quote: amm.venueOptions.quote } } : {}),
      minConfirmations: PRESET_WITHDRAWALS.minConfirmations,
    };
  });
  app.get('/summary', async () => {
    const s = runner.summary();
    return { scenario: s.scenario, seed: s.seed, events: s.events, fundamental: fmt(runner.fundamental().toFixed(8)), venues: s.venues, arbitrage: s.arbitrage };
  });
  await app.listen({ host: o.bindHost ?? o.host, port: o.port });
  const url = `http://${o.host}:${o.port}`;
  o.log.info({ url, scenario: scenario.name, venues: venueIds }, 'simulated market running in real time');

  return {
    exchanges,
    runner,
    ...(amm ? { amm } : {}),
    url,
    stop: async () => {
      // What Ballast still had resting when the market went away (an ordered shutdown leaves nothing).
      const left = Object.fromEntries(Object.entries(exchanges).map(([id, ex]) => [id, ex.engine.openOrders(o.ballast.account).length]));
      const total = Object.values(left).reduce((a, n) => a + n, 0);
      o.log[total > 0 ? 'warn' : 'info']({ ballastOpenOrders: left }, total > 0 ? 'market stopping with Ballast orders resting' : 'market stopping; no Ballast order resting');
      unsubscribePool?.();
      lpFollow?.stop();
      runner.stop();
      clock.stop();
      await app.close();
      for (const emu of emulators) await emu.stop();
      await mirrorQueue.catch(() => undefined);
      await chainPool?.close();
      await bridge?.stop();
      await amm?.stop();
    },
  };
}

