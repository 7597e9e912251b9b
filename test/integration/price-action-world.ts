// A small market for the price-action workflow tests, all real parts: SimExchanges alpha and bravo for
// a token `symbol`/USDT behind the Binance emulator, reached by the real ccxt client (CcxtVenue) as
// Ballast; independent makers, a seller and a buyer to drive the flow; the ledger database; the
// price-action activities' dependencies. A fresh symbol per world keeps coordinator ids apart on the
// shared dev server.
import type { PgLedgerStore } from '../../activities/ledger/pg-ledger';
import { openTestLedger } from './ledger-db';
import type { PriceActionDeps } from '../../activities/price-action.activities';
import type { BallastConfig } from '../../domain/config.schema';
import { mulberry32 } from '../../domain/rng';
import { RealClock } from '../../hotpath/clocks';
import { BinanceEmulator } from '../../sim/emulator/binance-emulator';
import { PRESET_MARKET, presetExchangeConfig } from '../../sim/exchange/exchange-presets';
import { SimExchange } from '../../sim/exchange/sim-exchange';
import { TransferNetwork } from '../../sim/exchange/transfer-network';
import { CcxtVenue } from '../../venues/ccxt/ccxt-venue';
import { SimVenue } from '../../venues/sim/sim-venue';
import { testConfig } from './helpers';

const BALLAST = { account: 'ballast', apiKey: 'ballastKey01', secret: 'ballast-secret-01' };
const VENUES = ['alpha', 'bravo'] as const;

export interface PriceActionWorld {
  symbol: string;
  config: BallastConfig;
  sims: Map<string, SimExchange>;
  ccxt: Map<string, CcxtVenue>;
  ledger: PgLedgerStore & { url: string };
  deps(): Omit<PriceActionDeps, 'config' | 'logger'>;
  /** Independent two-sided ladders around 0.5 (bids from 0.499 down, asks from 0.502 up), 400 each level. */
  seedBooks(tag: string): Promise<void>;
  /** An independent taker hitting one side on every venue every 250 ms until stopFlow(). */
  startFlow(side: 'buy' | 'sell', price: string): Promise<void>;
  stopFlow(): void;
  stop(): Promise<void>;
}

export async function startPriceActionWorld(o: { symbol?: string; priceAction?: Record<string, string> } = {}): Promise<PriceActionWorld> {
  const symbol = o.symbol ?? 'BLST';
  const clock = new RealClock();
  const network = new TransferNetwork({ delayMs: { min: 10, max: 10 } }, { clock, rng: mulberry32(3) });
  const sims = new Map<string, SimExchange>();
  const ccxt = new Map<string, CcxtVenue>();
  const emus: BinanceEmulator[] = [];
  for (const [i, id] of VENUES.entries()) {
    const market = { ...PRESET_MARKET, symbol: `${symbol}/USDT`, base: symbol, tickSize: '0.0001', lotSize: '1', minNotional: '1' };
    const sim = new SimExchange(presetExchangeConfig(id, { market, latencyMs: { min: 1, max: 2 }, rateLimit: { capacity: 5000, refillPerSec: 5000 } }), { clock, rng: mulberry32(10 + i), network });
    for (const [acct, base, quote] of [['ballast', '5000', '5000'], ['maker', '100000', '100000'], ['seller', '100000', '0'], ['buyer', '0', '100000']] as const) {
      if (base !== '0') sim.fund(acct, symbol, base);
      if (quote !== '0') sim.fund(acct, 'USDT', quote);
    }
    const emu = new BinanceEmulator({ backend: sim, accounts: [BALLAST] });
    const { restUrl, wsUrl } = await emu.start();
    emus.push(emu);
    sims.set(id, sim);
    ccxt.set(id, new CcxtVenue({ id, exchangeId: 'binance', symbol: `${symbol}/USDT`, credentials: BALLAST, restUrl, wsUrl, timeoutMs: 5000 }));
  }
  const config = testConfig((raw) => {
    raw.asset.symbol = symbol;
    raw.venues = raw.venues
      .filter((v: { id: string }) => (VENUES as readonly string[]).includes(v.id))
      .map((v: { market: string }) => ({ ...v, market: `${symbol}/${v.market.split('/')[1]}` }));
    raw.priceAction = o.priceAction ?? { dailyUsd: '2000', episodeUsd: '1000', approvalThresholdUsd: '600' };
  });
  const ledger = await openTestLedger('price_action');
  let flow: ReturnType<typeof setInterval> | undefined;
  return {
    symbol,
    config,
    sims,
    ccxt,
    ledger,
    deps: () => ({ tradeVenue: (id) => ccxt.get(id)!, ledger, now: Date.now }),
    async seedBooks(tag) {
      for (const [id, sim] of sims) {
        const maker = new SimVenue(sim, 'maker');
        await maker.loadMarket();
        for (let i = 0; i < 10; i++) {
          await maker.submitOrder({ clientOrderId: `${id}-${tag}b${i}`, side: 'buy', price: (0.499 - i * 0.001).toFixed(3), amount: '400', postOnly: true, timeInForce: 'GTC' });
          await maker.submitOrder({ clientOrderId: `${id}-${tag}a${i}`, side: 'sell', price: (0.502 + i * 0.001).toFixed(3), amount: '400', postOnly: true, timeInForce: 'GTC' });
        }
      }
    },
    async startFlow(side, price) {
      const takers = [...sims].map(([id, sim]) => ({ id, v: new SimVenue(sim, side === 'sell' ? 'seller' : 'buyer') }));
      for (const t of takers) await t.v.loadMarket();
      let n = 0;
      flow = setInterval(() => {
        for (const t of takers) void t.v.submitOrder({ clientOrderId: `${side}-${t.id}-${n++}`, side, price, amount: '40', postOnly: false, timeInForce: 'IOC' }).catch(() => undefined);
      }, 250);
      await new Promise((r) => setTimeout(r, 1500));
    },
    stopFlow() {
      if (flow) clearInterval(flow);
      flow = undefined;
    },
    async stop() {
      if (flow) clearInterval(flow);
      await ledger.close();
      for (const v of ccxt.values()) await v.close();
      for (const e of emus) await e.stop();
      clock.stop();
    },
  };
}
