// Found by `npm run chaos` (run 22 of seed 11: kill -9, then a malformed answer on alpha's
// /api/v3/exchangeInfo while the new worker loaded its markets): ccxt 4.5.84 keeps a REJECTED
// loadMarkets promise (`exchange.marketsLoading`) forever, so CcxtVenue.ready() — which resets its own
// marketPromise on failure — gets the same rejection back on every later call without asking the
// venue again. One bad exchangeInfo answer poisons the venue for the worker process's life: every
// withdraw / withdrawalsByKey fails until the worker restarts (chaos: 6 of 6 transfers stuck, 3 runs).
// A timed-out exchangeInfo does the same (seed 11 run 41: kill -9, then one stalled request on bravo:
// the new worker's awaitCredited on bravo failed 56 times with the cached "request timed out"; three
// transfers whose BLST had already arrived at bravo never completed).
// Fixed in venues/ccxt/ccxt-venue.ts (ready()'s catch also clears `exchange.marketsLoading`).
import { mulberry32 } from '../../domain/rng';
import { RealClock } from '../../hotpath/clocks';
import { BinanceEmulator } from '../../sim/emulator/binance-emulator';
import { presetExchangeConfig } from '../../sim/exchange/exchange-presets';
import { SimExchange } from '../../sim/exchange/sim-exchange';
import { TransferNetwork } from '../../sim/exchange/transfer-network';
import { CcxtVenue } from '../../venues/ccxt/ccxt-venue';

const MM = { account: 'mm', apiKey: 'mmKey0001', secret: 'mm-secret-0001' };
let clock: RealClock;
let emu: BinanceEmulator;
let venue: CcxtVenue;

beforeAll(async () => {
  clock = new RealClock();
  const network = new TransferNetwork({ delayMs: { min: 20, max: 20 } }, { clock, rng: mulberry32(11) });
  const sim = new SimExchange(presetExchangeConfig('emu', { latencyMs: { min: 1, max: 2 } }), { clock, rng: mulberry32(12), network });
  emu = new BinanceEmulator({ backend: sim, accounts: [MM] });
  const urls = await emu.start();
  venue = new CcxtVenue({ id: 'emu', exchangeId: 'binance', symbol: 'BLST/USDT', credentials: MM, ...urls, timeoutMs: 3000, reconnectMs: { min: 50, max: 200 } });
});

afterAll(async () => {
  await venue.close();
  await emu.stop();
  clock.stop();
});

it('a venue call after one malformed exchangeInfo answer asks again and succeeds (ccxt\'s cached rejection is cleared)', async () => {
  emu.faults.inject({ kind: 'malformed-json' }, { path: '/api/v3/exchangeInfo', times: 1 });
  await expect(venue.loadMarket()).rejects.toThrow(/not valid JSON/);
  // The fault is used up: the next call must reach the venue and load the market.
  await expect(venue.loadMarket()).resolves.toMatchObject({});
  expect(emu.requestCount('GET', '/api/v3/exchangeInfo')).toBe(2);
});
