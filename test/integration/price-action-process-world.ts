// The price-action world for crash tests: two SimExchanges (alpha, bravo) with a two-sided
// independent book around 0.5, each behind a Binance-spot emulator on a free 127.0.0.1 port, a config
// file naming those ports (a `simulation` section, a `priceAction` section) and the Ballast worker
// role as a child process (treasury-process-world.ts's spawnWorkerProcess) that trades through ccxt
// and books in its ledger file — so the worker can be SIGKILLed and started again while the market
// lives on here. No chain: price action never withdraws.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from '@temporalio/client';
import type { BallastConfig } from '../../domain/config.schema';
import { mulberry32 } from '../../domain/rng';
import { RealClock } from '../../hotpath/clocks';
import { BinanceEmulator } from '../../sim/emulator/binance-emulator';
import type { EngineFill, EngineOrder } from '../../sim/engine/engine.types';
import { PRESET_MARKET, presetExchangeConfig } from '../../sim/exchange/exchange-presets';
import { SimExchange } from '../../sim/exchange/sim-exchange';
import { TransferNetwork } from '../../sim/exchange/transfer-network';
import type { PgLedgerStore } from '../../activities/ledger/pg-ledger';
import { testConfig } from './helpers';
import { openTestLedger } from './ledger-db';
import { deleteWorkerSchedules, spawnWorkerProcess, type WorkerChild } from './treasury-process-world';

export const ACCOUNT = 'ballast';
export const VENUES = ['alpha', 'bravo'] as const;
export type VenueId = (typeof VENUES)[number];

/** What the exchanges saw of Ballast's account: every order it ever had (any status) and every fill. */
export interface Tape {
  orders: Map<string, EngineOrder>;
  fills: EngineFill[];
}

export interface PriceActionProcessWorld {
  sims: Record<VenueId, SimExchange>;
  emulators: Record<VenueId, BinanceEmulator>;
  /** Ballast's orders and fills per venue, recorded from the engines' events (the ground truth). */
  tapes: Record<VenueId, Tape>;
  config: BallastConfig;
  configFile: string;
  /** The child workers' ledger: its own PostgreSQL database (BALLAST_LEDGER_URL of each child). */
  ledger: PgLedgerStore & { url: string };
  /** Starts `workers/main.ts worker` and resolves once the server sees it polling the task queue. */
  spawnWorker(connection: Connection): Promise<WorkerChild>;
  /** Independent bids and asks around 0.5 on every venue (`tag` keeps client ids unique). */
  seedBooks(tag: string): void;
  /** Sells `amount` at `price` IOC as an independent seller (straight into the engine: no latency). */
  sell(venue: VenueId, price: string, amount: string, tag: string): void;
  stop(): Promise<void>;
}

export async function startPriceActionProcessWorld(o: { priceAction?: { dailyUsd: string; episodeUsd: string; approvalThresholdUsd: string } } = {}): Promise<PriceActionProcessWorld> {
  const clock = new RealClock();
  const network = new TransferNetwork({ delayMs: { min: 10, max: 10 } }, { clock, rng: mulberry32(3) });
  const apiKey = randomBytes(16).toString('hex');
  const secret = randomBytes(32).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'ballast-pa-crash-'));
  const started: BinanceEmulator[] = [];
  const children = new Set<WorkerChild>();
  const unsubscribe: (() => void)[] = [];
  let spawned = 0;
  /** The connection the children were spawned with: stop() deletes the schedules they registered. */
  let connected: Connection | undefined;
  let n = 0;
  try {
    const sims = {} as Record<VenueId, SimExchange>;
    const emulators = {} as Record<VenueId, BinanceEmulator>;
    const tapes = {} as Record<VenueId, Tape>;
    const ports: Record<string, number> = {};
    for (const [i, id] of VENUES.entries()) {
      const market = { ...PRESET_MARKET, tickSize: '0.0001', lotSize: '1', minNotional: '1' };
      const sim = new SimExchange(presetExchangeConfig(id, { market, latencyMs: { min: 1, max: 2 }, rateLimit: { capacity: 5000, refillPerSec: 5000 } }), { clock, rng: mulberry32(10 + i), network });
      sim.fund(ACCOUNT, 'USDT', '5000');
      sim.fund(ACCOUNT, 'BLST', '5000');
      sim.fund('maker', 'USDT', '100000');
      sim.fund('maker', 'BLST', '100000');
      sim.fund('seller', 'BLST', '100000');
      const tape: Tape = { orders: new Map(), fills: [] };
      unsubscribe.push(
        sim.engine.subscribe({
          onOrderUpdate: (order) => {
            if (order.account === ACCOUNT) tape.orders.set(order.orderId, order);
          },
          onFill: (fill) => {
            if (fill.account === ACCOUNT) tape.fills.push(fill);
          },
        }),
      );
      const emu = new BinanceEmulator({ backend: sim, accounts: [{ account: ACCOUNT, apiKey, secret }], host: '127.0.0.1', port: 0 });
      ports[id] = (await emu.start()).port;
      started.push(emu);
      sims[id] = sim;
      emulators[id] = emu;
      tapes[id] = tape;
    }
    const config = testConfig((raw) => {
      raw.venues = (raw.venues as Record<string, any>[]).filter((v) => v.id in ports).map((v) => ({ ...v, emulatorPort: ports[v.id] }));
      // The worker role reaches the emulators only; the market HTTP port and the chain are never called.
      raw.simulation = { scenario: 'demo', host: '127.0.0.1', port: 1, chainPort: 1, ballast: { account: ACCOUNT, base: '0', quote: '0' } };
      raw.priceAction = o.priceAction ?? { dailyUsd: '2000', episodeUsd: '1000', approvalThresholdUsd: '600' };
    });
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    const ledger = await openTestLedger('process_world');
    const place = (venue: VenueId, input: Parameters<SimExchange['engine']['placeOrder']>[0]) => {
      const r = sims[venue].engine.placeOrder(input);
      if (!r.ok) throw new Error(`${venue}: ${input.account} ${input.side} ${input.amount} @ ${input.price ?? 'market'} refused: ${r.message}`);
    };

    return {
      sims,
      emulators,
      tapes,
      config,
      configFile,
      ledger,
      async spawnWorker(connection) {
        spawned += 1;
        connected = connection;
        const env = { BALLAST_SIM_API_KEY: apiKey, BALLAST_SIM_API_SECRET: secret, BALLAST_LEDGER_URL: ledger.url };
        const w = await spawnWorkerProcess(connection, { config, configFile, env, logFile: join(dir, `worker-${spawned}.log`) });
        children.add(w);
        void w.exited.then(() => children.delete(w));
        return w;
      },
      seedBooks(tag) {
        for (const id of VENUES) {
          for (let i = 0; i < 10; i++) {
            place(id, { account: 'maker', clientOrderId: `${id}-${tag}b${i}`, side: 'buy', type: 'limit', price: (0.499 - i * 0.001).toFixed(3), amount: '400', postOnly: true });
            place(id, { account: 'maker', clientOrderId: `${id}-${tag}a${i}`, side: 'sell', type: 'limit', price: (0.502 + i * 0.001).toFixed(3), amount: '400', postOnly: true });
          }
        }
      },
      sell(venue, price, amount, tag) {
        place(venue, { account: 'seller', clientOrderId: `sell-${tag}-${n++}`, side: 'sell', type: 'limit', price, amount, timeInForce: 'IOC' });
      },
      async stop() {
        for (const w of [...children]) {
          w.child.kill('SIGKILL');
          await w.exited;
        }
        if (connected) await deleteWorkerSchedules(connected, config);
        for (const u of unsubscribe) u();
        for (const emu of started) await emu.stop();
        await ledger.close();
        clock.stop();
        if (!process.env.BALLAST_KEEP_TEST_FILES) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    for (const emu of started) await emu.stop();
    clock.stop();
    throw e;
  }
}
