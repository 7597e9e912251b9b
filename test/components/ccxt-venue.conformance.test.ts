// CcxtVenue — the real ccxt client, REST and ccxt.pro websockets — against the Binance spot emulator
// backed by a SimExchange + MatchingEngine, passes the shared venue conformance suite.
import { mulberry32 } from '../../domain/rng';
import { RealClock } from '../../hotpath/clocks';
import { BinanceEmulator } from '../../sim/emulator/binance-emulator';
import { presetExchangeConfig } from '../../sim/exchange/exchange-presets';
import { SimExchange } from '../../sim/exchange/sim-exchange';
import { TransferNetwork } from '../../sim/exchange/transfer-network';
import { CcxtVenue } from '../../venues/ccxt/ccxt-venue';
import { describeVenueConformance } from '../conformance/venue-conformance';

jest.setTimeout(60_000);

const MM = { account: 'mm', apiKey: 'confMmKey', secret: 'conf-mm-secret' };
const TAKER = { account: 'taker', apiKey: 'confTakerKey', secret: 'conf-taker-secret' };
const BG = { account: 'bg', apiKey: 'confBgKey', secret: 'conf-bg-secret' };

describeVenueConformance('CcxtVenue (real ccxt) on the Binance emulator', async () => {
  const clock = new RealClock();
  const network = new TransferNetwork({ delayMs: { min: 20, max: 20 } }, { clock, rng: mulberry32(21) });
  const sim = new SimExchange(
    presetExchangeConfig('emu', {
      latencyMs: { min: 1, max: 2 },
      rateLimit: { capacity: 1000, refillPerSec: 1000 },
      withdrawals: { fees: { BLST: '2', USDT: '1' }, minConfirmations: 2, blockTimeMs: 30, processingDelayMs: 30 },
    }),
    { clock, rng: mulberry32(22), network },
  );
  for (const [account, asset, amount] of [
    ['mm', 'USDT', '10000'],
    ['mm', 'BLST', '1000'],
    ['taker', 'USDT', '100000'],
    ['bg', 'USDT', '10000'],
    ['bg', 'BLST', '10000'],
  ] as const) sim.fund(account, asset, amount);
  const emu = new BinanceEmulator({ backend: sim, accounts: [MM, TAKER, BG], requiredConfirmations: 2 });
  const urls = await emu.start();
  const make = (creds: { apiKey: string; secret: string }, id: string) =>
    new CcxtVenue({ id, exchangeId: 'binance', symbol: 'BLST/USDT', credentials: creds, ...urls, timeoutMs: 3000, reconnectMs: { min: 50, max: 200 } });
  const mm = make(MM, 'emu-binance');
  const taker = make(TAKER, 'emu-binance-taker');
  const bg = make(BG, 'emu-binance-bg');
  // Another account's resting liquidity on both sides, with a spread of many ticks.
  await bg.submitOrder({ clientOrderId: 'bg-bid', side: 'buy', price: '2.4', amount: '100', postOnly: true, timeInForce: 'GTC' });
  await bg.submitOrder({ clientOrderId: 'bg-ask', side: 'sell', price: '2.6', amount: '100', postOnly: true, timeInForce: 'GTC' });
  let n = 0;
  return {
    adapter: mm,
    // Wall-clock backend: give the depth stream (100 ms cadence) and transfers time to land.
    settle: () => new Promise((r) => setTimeout(r, 300)),
    takeLiquidity: async (side, price, amount) => {
      await taker.submitOrder({ clientOrderId: `take-${(n += 1)}`, side, price, amount, postOnly: false, timeInForce: 'IOC' });
    },
    withdrawTo: { address: '0x00000000000000000000000000000000c01dc01d', asset: 'USDT', amount: '100', network: 'ERC20' },
    teardown: async () => {
      for (const v of [mm, taker, bg]) await v.close();
      await emu.stop();
      clock.stop();
    },
  };
});
