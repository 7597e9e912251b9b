// The daily report's trading figures on the path npm start uses: our fills read back with the real
// ccxt client from the Binance emulator in front of a simulated exchange (the exchange is authoritative).
import { createLogger } from '../../config/logger';
import { MemoryLedgerStore } from '../../activities/ledger/memory-ledger';
import { createReportActivities } from '../../activities/report.activities';
import { MemoryReportStore } from '../../activities/report-store';
import { loadConfig, parseConfig } from '../../config/load';
import { mulberry32 } from '../../domain/rng';
import { RealClock } from '../../hotpath/clocks';
import { BinanceEmulator } from '../../sim/emulator/binance-emulator';
import { presetExchangeConfig } from '../../sim/exchange/exchange-presets';
import { SimExchange } from '../../sim/exchange/sim-exchange';
import { TransferNetwork } from '../../sim/exchange/transfer-network';
import { CcxtVenue } from '../../venues/ccxt/ccxt-venue';
import type { SubmitOrder } from '../../venues/venue.port';

const US = { account: 'ballast', apiKey: 'repKey0001', secret: 'rep-secret-0001' };
const MAKER = { account: 'maker', apiKey: 'makerKey0002', secret: 'maker-secret-0002' };

let clock: RealClock;
let emu: BinanceEmulator;
const venues: CcxtVenue[] = [];

const order = (o: Partial<SubmitOrder>): SubmitOrder => ({ clientOrderId: 'c', side: 'buy', price: '1', amount: '10', postOnly: true, timeInForce: 'GTC', ...o });

beforeAll(async () => {
  clock = new RealClock();
  const network = new TransferNetwork({ delayMs: { min: 20, max: 20 } }, { clock, rng: mulberry32(21) });
  const sim = new SimExchange(presetExchangeConfig('alpha', { latencyMs: { min: 1, max: 2 }, rateLimit: { capacity: 1000, refillPerSec: 1000 } }), { clock, rng: mulberry32(22), network });
  for (const a of ['ballast', 'maker']) {
    sim.fund(a, 'USDT', '10000');
    sim.fund(a, 'BLST', '10000');
  }
  emu = new BinanceEmulator({ backend: sim, accounts: [US, MAKER], requiredConfirmations: 2 });
  const urls = await emu.start();
  for (const creds of [US, MAKER]) venues.push(new CcxtVenue({ id: 'alpha', exchangeId: 'binance', symbol: 'BLST/USDT', credentials: creds, ...urls, timeoutMs: 3000, reconnectMs: { min: 50, max: 200 } }));
});

afterAll(async () => {
  for (const v of venues) await v.close();
  await emu.stop();
  clock.stop();
});

describe('reportTrading through ccxt and the emulator', () => {
  it('sums our fills of the window with their fees and realizes by average cost', async () => {
    const [us, maker] = venues as [CcxtVenue, CcxtVenue];
    const fromMs = Date.now() - 1;
    // Maker quotes; we take 20 @ 1.5 and 10 @ 1.6 (taker 0.2 %), then sell 15 into its bid at 1.4.
    await maker.submitOrder(order({ clientOrderId: 'm-ask1', side: 'sell', price: '1.5', amount: '20' }));
    await maker.submitOrder(order({ clientOrderId: 'm-ask2', side: 'sell', price: '1.6', amount: '10' }));
    await maker.submitOrder(order({ clientOrderId: 'm-bid', side: 'buy', price: '1.4', amount: '15' }));
    await us.submitOrder(order({ clientOrderId: 'u-buy', side: 'buy', price: '1.6', amount: '30', postOnly: false, timeInForce: 'IOC' }));
    await us.submitOrder(order({ clientOrderId: 'u-sell', side: 'sell', price: '1.4', amount: '15', postOnly: false, timeInForce: 'IOC' }));

    const config = parseConfig(JSON.parse(JSON.stringify(loadConfig())) as unknown, 'demo');
    const acts = createReportActivities({
      config,
      logger: createLogger({ level: 'warn' }),
      accountVenue: (id) => (id === 'alpha' ? us : undefined),
      venues: new Map(),
      ledger: new MemoryLedgerStore(),
      reports: new MemoryReportStore(),
      now: Date.now,
    });
    const r = await acts.reportTrading({ venue: 'alpha', fromMs, toMs: Date.now() + 1 });
    if (!r.available) throw new Error(r.reason);
    // Average cost (20 × 1.5 + 10 × 1.6) / 30 = 1.5333…; sold 15 at 1.4: −2 exactly.
    // Fees 0.2 % of each notional in quote terms: (30 + 16 + 21) × 0.002 = 0.134.
    expect(r.summary).toMatchObject({ trades: 3, buys: 2, sells: 1, boughtBase: '30', soldBase: '15', volumeQuote: '67', feesQuote: '0.134', realizedPnlQuote: '-2', realizedLossQuote: '2.134', positionBase: '15' });

    // The maker's side is not ours: the window before the trades holds nothing of ours either.
    const before = await acts.reportTrading({ venue: 'alpha', fromMs: fromMs - 60_000, toMs: fromMs });
    expect(before.available && before.summary.trades).toBe(0);
  });
});
