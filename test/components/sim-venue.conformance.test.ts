// SimVenue (SimExchange + MatchingEngine in-process) passes the shared venue conformance suite,
// in virtual time: every adapter call is driven to completion by advancing the VirtualClock.
import { mulberry32 } from '../../domain/rng';
import { VirtualClock } from '../../hotpath/clocks';
import { presetExchangeConfig } from '../../sim/exchange/exchange-presets';
import { SimExchange } from '../../sim/exchange/sim-exchange';
import { TransferNetwork } from '../../sim/exchange/transfer-network';
import { SimVenue } from '../../venues/sim/sim-venue';
import type { VenueAdapter } from '../../venues/venue.port';
import { describeVenueConformance } from '../conformance/venue-conformance';

/** Wraps an adapter so each call's promise is resolved by running the virtual clock. */
function drivenBy(clock: VirtualClock, adapter: VenueAdapter): VenueAdapter {
  return new Proxy(adapter, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || prop === 'watchOrderBook' || prop === 'watchTrades') return typeof v === 'function' ? v.bind(target) : v;
      return (...args: unknown[]) => {
        const r: unknown = (v as (...a: unknown[]) => unknown).apply(target, args);
        return r instanceof Promise ? clock.resolve(r) : r;
      };
    },
  });
}

describeVenueConformance('SimVenue (in-process simulated exchange)', async () => {
  const clock = new VirtualClock(1_700_000_000_000);
  const network = new TransferNetwork({ delayMs: { min: 200, max: 400 } }, { clock, rng: mulberry32(7) });
  const ex = new SimExchange(presetExchangeConfig('alpha', { latencyMs: { min: 5, max: 20 } }), { clock, rng: mulberry32(8), network });
  for (const [account, asset, amount] of [
    ['mm', 'BLST', '100000'],
    ['mm', 'USDT', '100000'],
    ['taker', 'USDT', '1000000'],
    ['maker', 'BLST', '100000'],
    ['maker', 'USDT', '100000'],
  ] as const) ex.fund(account, asset, amount);
  const maker = drivenBy(clock, new SimVenue(ex, 'maker'));
  const taker = drivenBy(clock, new SimVenue(ex, 'taker'));
  // Background liquidity from another account so the book has both sides.
  await maker.submitOrder!({ clientOrderId: 'bg-bid', side: 'buy', price: '2.4', amount: '500', postOnly: true, timeInForce: 'GTC' });
  await maker.submitOrder!({ clientOrderId: 'bg-ask', side: 'sell', price: '2.6', amount: '500', postOnly: true, timeInForce: 'GTC' });
  let n = 0;
  return {
    adapter: drivenBy(clock, new SimVenue(ex, 'mm')),
    settle: async () => {
      await clock.runForAsync(2_000);
    },
    takeLiquidity: async (side, price, amount) => {
      await taker.submitOrder!({ clientOrderId: `take-${(n += 1)}`, side, price, amount, postOnly: false, timeInForce: 'IOC' });
    },
    withdrawTo: { address: '0x' + 'ab'.repeat(20), asset: 'USDT', amount: '100', network: 'ERC20' },
    teardown: async () => undefined,
  };
});
