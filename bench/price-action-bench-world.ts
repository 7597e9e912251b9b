// The market for bench/buyback-throughput.bench.ts, built the way test/integration/price-action-world.ts
// builds its own (copied, benches do not import from test/): SimExchanges alpha and bravo for
// `symbol`/USDT behind the Binance emulator, reached by the real ccxt client (CcxtVenue) as Ballast;
// makers' ladders on both sides; the ledger (an embedded PostgreSQL, bench/bench-ledger.ts). What differs is the flow, which must last minutes at
// a steady price rather than seconds: an independent seller hits the bids at the top level only (IOC at
// 0.499) every 250 ms, and a top-of-book maker re-posts a small 0.499 bid after each hit, so the book
// never drains, the fair value stays put and every hit trades some independent volume (the
// buybacks' participation room) before it reaches the buybacks' own resting bids behind it.
// A recorder on each engine notes every order Ballast's account places and every fill it gets.
import type { PgLedgerStore } from '../activities/ledger/pg-ledger';
import type { PriceActionDeps } from '../activities/price-action.activities';
import { D } from '../domain/money';
import { startBenchLedger } from './bench-ledger';
import { mulberry32 } from '../domain/rng';
import { RealClock } from '../hotpath/clocks';
import { BinanceEmulator } from '../sim/emulator/binance-emulator';
import { PRESET_MARKET, presetExchangeConfig } from '../sim/exchange/exchange-presets';
import { SimExchange } from '../sim/exchange/sim-exchange';
import { TransferNetwork } from '../sim/exchange/transfer-network';
import { CcxtVenue } from '../venues/ccxt/ccxt-venue';
import { SimVenue } from '../venues/sim/sim-venue';

const BALLAST = { account: 'ballast', apiKey: 'ballastKey01', secret: 'ballast-secret-01' };
export const BENCH_VENUES = ['alpha', 'bravo'] as const;
const TOP_BID = '0.499';
/** Binance spot request weights of the endpoints ccxt calls here, as the emulator charges them (sim/emulator/*-routes.ts; depth at limit ≤ 100). */
const WEIGHTS: readonly (readonly [string, string, number])[] = [
  ['GET', '/api/v3/depth', 5],
  ['GET', '/api/v3/aggTrades', 4],
  ['GET', '/api/v3/trades', 25],
  ['GET', '/api/v3/openOrders', 6],
  ['GET', '/api/v3/myTrades', 20],
  ['GET', '/api/v3/order', 4],
  ['POST', '/api/v3/order', 1],
  ['DELETE', '/api/v3/order', 1],
  ['GET', '/api/v3/exchangeInfo', 20],
  ['GET', '/api/v3/account', 20],
  ['GET', '/sapi/v1/asset/tradeFee', 1],
];

/** What Ballast's account did on one exchange, seen from the engine (not through the API). */
export interface AccountRecord {
  /** client order id → the engine order ids that carried it (more than one = a client id used twice). */
  ordersByClientId: Map<string, Set<string>>;
  /** client order id → base filled. */
  filledByClientId: Map<string, InstanceType<typeof D>>;
}

export interface PriceActionBenchWorld {
  symbol: string;
  sims: Map<string, SimExchange>;
  ccxt: Map<string, CcxtVenue>;
  ledger: PgLedgerStore;
  /** Where the ledger is (for the report). */
  ledgerDescribe: string;
  records: Map<string, AccountRecord>;
  deps(): Omit<PriceActionDeps, 'config' | 'logger'>;
  /** Starts the seller and the top-of-book maker; resolves after `warmMs` of flow (independent volume to follow). */
  startFlow(warmMs: number): Promise<void>;
  /** Independent base the seller traded with the makers so far, every venue. */
  independentBase(): string;
  /** Ballast's REST requests so far, both emulators summed: per "METHOD /path", with its weight. */
  apiRequests(): { endpoint: string; count: number; weight: number }[];
  stop(): Promise<void>;
}

/** `binanceLimits`: ccxt's client-side throttle on and the emulators' 6000 weight a minute (Binance spot); off, neither binds. */
export async function startPriceActionBenchWorld(o: { symbol: string; binanceLimits: boolean; sellPerHit: string }): Promise<PriceActionBenchWorld> {
  const { symbol } = o;
  const clock = new RealClock();
  const network = new TransferNetwork({ delayMs: { min: 10, max: 10 } }, { clock, rng: mulberry32(3) });
  const sims = new Map<string, SimExchange>();
  const ccxt = new Map<string, CcxtVenue>();
  const records = new Map<string, AccountRecord>();
  const emus: BinanceEmulator[] = [];
  const unsubscribe: (() => void)[] = [];
  let independent = new D(0);
  for (const [i, id] of BENCH_VENUES.entries()) {
    const market = { ...PRESET_MARKET, symbol: `${symbol}/USDT`, base: symbol, tickSize: '0.0001', lotSize: '1', minNotional: '1' };
    const sim = new SimExchange(presetExchangeConfig(id, { market, latencyMs: { min: 1, max: 2 }, rateLimit: { capacity: 5000, refillPerSec: 5000 } }), { clock, rng: mulberry32(10 + i), network });
    sim.fund('ballast', 'USDT', '1000000');
    sim.fund('maker', symbol, '1000000');
    sim.fund('maker', 'USDT', '1000000');
    sim.fund('seller', symbol, '10000000');
    const rec: AccountRecord = { ordersByClientId: new Map(), filledByClientId: new Map() };
    records.set(id, rec);
    unsubscribe.push(
      sim.engine.subscribe({
        onOrderUpdate(order) {
          if (order.account !== BALLAST.account || !order.clientOrderId) return;
          const ids = rec.ordersByClientId.get(order.clientOrderId) ?? new Set<string>();
          ids.add(order.orderId);
          rec.ordersByClientId.set(order.clientOrderId, ids);
        },
        onFill(fill) {
          if (fill.account === BALLAST.account && fill.clientOrderId) rec.filledByClientId.set(fill.clientOrderId, (rec.filledByClientId.get(fill.clientOrderId) ?? new D(0)).plus(fill.amount));
        },
        onTrade(trade) {
          if (trade.makerAccount === 'maker' && trade.takerAccount === 'seller') independent = independent.plus(trade.amount);
        },
      }),
    );
    const emu = new BinanceEmulator({ backend: sim, accounts: [BALLAST], weightLimitPerMinute: o.binanceLimits ? 6000 : 1e12 });
    const { restUrl, wsUrl } = await emu.start();
    emus.push(emu);
    sims.set(id, sim);
    ccxt.set(id, new CcxtVenue({ id, exchangeId: 'binance', symbol: `${symbol}/USDT`, credentials: BALLAST, restUrl, wsUrl, timeoutMs: 5000, enableRateLimit: o.binanceLimits }));
    // Ladders: bids from one tick of 0.001 below the top bid down, asks from 0.502 up, 400 a level.
    const maker = new SimVenue(sim, 'maker');
    await maker.loadMarket();
    for (let l = 0; l < 10; l++) {
      await maker.submitOrder({ clientOrderId: `${id}-lb${l}`, side: 'buy', price: (Number(TOP_BID) - 0.001 * (l + 1)).toFixed(3), amount: '400', postOnly: true, timeInForce: 'GTC' });
      await maker.submitOrder({ clientOrderId: `${id}-la${l}`, side: 'sell', price: (0.502 + l * 0.001).toFixed(3), amount: '400', postOnly: true, timeInForce: 'GTC' });
    }
  }
  const ledgerDb = await startBenchLedger('pa');
  const ledger = ledgerDb.ledger;
  let flowing = false;
  let flowDone: Promise<void> = Promise.resolve();

  async function flow(): Promise<void> {
    const sides = [...sims].map(([id, sim]) => ({ id, seller: new SimVenue(sim, 'seller'), maker: new SimVenue(sim, 'maker') }));
    for (const s of sides) {
      await s.seller.loadMarket();
      await s.maker.loadMarket();
    }
    let n = 0;
    while (flowing) {
      const t0 = Date.now();
      n += 1;
      for (const s of sides) {
        await s.seller.submitOrder({ clientOrderId: `sell-${s.id}-${n}`, side: 'sell', price: TOP_BID, amount: o.sellPerHit, postOnly: false, timeInForce: 'IOC' }).catch(() => undefined);
        // The maker's small top bid goes back behind whatever the buybacks rest there now.
        const open = await s.maker.fetchOpenOrders();
        if (!open.some((x) => x.side === 'buy' && new D(x.price).eq(TOP_BID))) {
          await s.maker.submitOrder({ clientOrderId: `top-${s.id}-${n}`, side: 'buy', price: TOP_BID, amount: '20', postOnly: true, timeInForce: 'GTC' }).catch(() => undefined);
        }
      }
      await new Promise((r) => setTimeout(r, Math.max(0, 250 - (Date.now() - t0))));
    }
  }

  return {
    symbol,
    sims,
    ccxt,
    ledger,
    ledgerDescribe: ledgerDb.describe,
    records,
    deps: () => ({ tradeVenue: (id) => ccxt.get(id)!, ledger, now: Date.now }),
    async startFlow(warmMs) {
      flowing = true;
      flowDone = flow();
      await new Promise((r) => setTimeout(r, warmMs));
    },
    independentBase: () => independent.toString(),
    apiRequests: () => WEIGHTS.map(([method, path, weight]) => ({ endpoint: `${method} ${path}`, count: emus.reduce((a, e) => a + e.requestCount(method, path), 0), weight })),
    async stop() {
      flowing = false;
      await flowDone;
      for (const u of unsubscribe) u();
      for (const v of ccxt.values()) await v.close();
      for (const e of emus) await e.stop();
      await ledgerDb.stop();
      clock.stop();
    },
  };
}
