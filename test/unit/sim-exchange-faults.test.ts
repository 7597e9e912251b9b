import { mulberry32 } from '../../domain/rng';
import { isVenueError } from '../../venues/venue-errors';
import { VirtualClock } from '../../hotpath/clocks';
import { FaultInjector, type FaultKind } from '../../sim/exchange/fault-injector';
import { presetExchangeConfig } from '../../sim/exchange/exchange-presets';
import { SimExchange, type SimExchangeConfig } from '../../sim/exchange/sim-exchange';
import { TransferNetwork } from '../../sim/exchange/transfer-network';
import { evmAddress } from '../../sim/exchange/hex-ids';

describe('FaultInjector', () => {
  it('switches faults on and off and tells listeners once per change', () => {
    const clock = new VirtualClock();
    const f = new FaultInjector(clock, mulberry32(1));
    const log: string[] = [];
    f.onChange((k, on) => log.push(`${k}:${on}`));
    f.enable({ kind: 'outage' });
    f.enable({ kind: 'outage' });
    expect(f.isActive('outage')).toBe(true);
    f.disable('outage');
    f.disable('outage');
    expect(f.isActive('outage')).toBe(false);
    expect(log).toEqual(['outage:true', 'outage:false']);
  });

  it('expires a fault after its duration; re-enabling replaces the old expiry', () => {
    const clock = new VirtualClock();
    const f = new FaultInjector(clock, mulberry32(1));
    f.enable({ kind: 'staleBook' }, { durationMs: 100 });
    clock.runUntil(50);
    f.enable({ kind: 'staleBook' }, { durationMs: 100 }); // now until t=150
    clock.runUntil(149);
    expect(f.isActive('staleBook')).toBe(true);
    clock.runUntil(150);
    expect(f.isActive('staleBook')).toBe(false);
  });

  it('schedules a window of (virtual) time; the plan can be cancelled before it starts', () => {
    const clock = new VirtualClock();
    const f = new FaultInjector(clock, mulberry32(1));
    const trace: [number, FaultKind[]][] = [];
    f.onChange(() => trace.push([clock.now(), f.activeKinds()]));
    f.schedule({ kind: 'withdrawalsSuspended' }, { startInMs: 1000, durationMs: 500 });
    const cancel = f.schedule({ kind: 'outage' }, { startInMs: 2000, durationMs: 10 });
    cancel();
    clock.runAll();
    expect(trace).toEqual([
      [1000, ['withdrawalsSuspended']],
      [1500, []],
    ]);
  });

  it('http5xx fails exactly the draws below the fraction (same seed ⇒ same requests fail)', () => {
    const clock = new VirtualClock();
    const f = new FaultInjector(clock, mulberry32(42));
    f.enable({ kind: 'http5xx', fraction: 0.3 });
    const fates = Array.from({ length: 1000 }, () => f.decide().kind);
    const mirror = mulberry32(42);
    const expected = Array.from({ length: 1000 }, () => (mirror() < 0.3 ? 'fail' : 'ok'));
    expect(fates).toEqual(expected);
    const failures = fates.filter((k) => k === 'fail').length;
    expect(failures).toBeGreaterThan(200);
    expect(failures).toBeLessThan(400);
  });

  it('an outage beats timeouts beats http5xx; no fault means ok', () => {
    const clock = new VirtualClock();
    const f = new FaultInjector(clock, mulberry32(1));
    expect(f.decide()).toEqual({ kind: 'ok' });
    f.enable({ kind: 'http5xx', fraction: 1 });
    expect(f.decide().kind).toBe('fail');
    f.enable({ kind: 'timeouts' });
    expect(f.decide()).toEqual({ kind: 'timeout', executes: false });
    f.enable({ kind: 'outage' });
    expect(f.decide()).toEqual({ kind: 'fail', message: 'service unavailable (outage)' });
  });

  it('refuses malformed faults, naming the field', () => {
    const f = new FaultInjector(new VirtualClock(), mulberry32(1));
    expect(() => f.enable({ kind: 'http5xx', fraction: 1.5 })).toThrow(/fraction/);
    expect(() => f.enable({ kind: 'earthquake' } as never)).toThrow(/kind/);
  });
});

describe('SimExchange faults', () => {
  function setup(overrides: Partial<Omit<SimExchangeConfig, 'id'>> = {}) {
    const clock = new VirtualClock();
    const rng = mulberry32(5);
    const network = new TransferNetwork({ delayMs: { min: 1000, max: 1000 } }, { clock, rng });
    const ex = new SimExchange(presetExchangeConfig('alpha', { latencyMs: { min: 10, max: 10 }, requestTimeoutMs: 5000, ...overrides }), { clock, rng, network });
    ex.fund('mm', 'USDT', '10000');
    ex.fund('mm', 'BLST', '1000');
    ex.fund('taker', 'USDT', '10000');
    return { clock, ex };
  }
  const code = (e: unknown): string => (isVenueError(e) ? e.code : String(e));

  it('outage: every request fails VENUE.UNAVAILABLE (retryable) until the outage ends', async () => {
    const { clock, ex } = setup();
    ex.faults.enable({ kind: 'outage' }, { durationMs: 60_000 });
    const err = await clock.resolve(ex.ping('mm')).catch((e: unknown) => e);
    expect(code(err)).toBe('VENUE.UNAVAILABLE');
    expect((err as { nonRetryable: boolean }).nonRetryable).toBe(false);
    await expect(clock.resolve(ex.fetchBalances('mm'))).rejects.toThrow(/outage/);
    await clock.runUntilAsync(60_000);
    await expect(clock.resolve(ex.ping('mm'))).resolves.toBe(60_010);
  });

  it('http5xx: the given fraction of requests fails, the others work', async () => {
    const { clock, ex } = setup({ rateLimit: { capacity: 1000, refillPerSec: 1000 } });
    ex.faults.enable({ kind: 'http5xx', fraction: 0.5 });
    const results = await clock.resolve(Promise.allSettled(Array.from({ length: 200 }, () => ex.ping('mm'))));
    const failed = results.filter((r) => r.status === 'rejected');
    expect(failed.every((r) => code(r.reason) === 'VENUE.UNAVAILABLE')).toBe(true);
    expect(failed.length).toBeGreaterThan(60);
    expect(failed.length).toBeLessThan(140);
    ex.faults.disable('http5xx');
    await expect(clock.resolve(ex.ping('mm'))).resolves.toBeGreaterThan(0);
  });

  it('timeouts: no answer; the caller gets "timed out" after requestTimeoutMs, and nothing was placed', async () => {
    const { clock, ex } = setup();
    ex.faults.enable({ kind: 'timeouts' });
    const sentAt = clock.now();
    const err = await clock.resolve(ex.placeOrder('mm', { side: 'buy', type: 'limit', price: '2', amount: '10', postOnly: true })).catch((e: unknown) => e);
    expect(code(err)).toBe('VENUE.UNAVAILABLE');
    expect(String(err)).toMatch(/timed out after 5000 ms/);
    expect(clock.now() - sentAt).toBe(5000);
    expect(ex.engine.openOrders('mm')).toEqual([]);
  });

  it('timeouts with executedFraction 1: the order was placed although the caller saw a timeout', async () => {
    const { clock, ex } = setup();
    ex.faults.enable({ kind: 'timeouts', executedFraction: 1 });
    const err = await clock.resolve(ex.placeOrder('mm', { clientOrderId: 'c1', side: 'buy', type: 'limit', price: '2', amount: '10', postOnly: true })).catch((e: unknown) => e);
    expect(code(err)).toBe('VENUE.UNAVAILABLE');
    ex.faults.disable('timeouts');
    const open = await clock.resolve(ex.openOrders('mm'));
    expect(open.map((o) => [o.clientOrderId, o.price, o.amount])).toEqual([['c1', '2', '10']]);
  });

  it('a slow answer beyond the caller timeout is a timeout too', async () => {
    const { clock, ex } = setup({ latencyMs: { min: 3000, max: 3000 }, requestTimeoutMs: 5000 });
    await expect(clock.resolve(ex.ping('mm'))).rejects.toThrow(/timed out after 5000 ms/);
    expect(clock.now()).toBe(5000);
  });

  it('staleBook: the served book is frozen at the fault start while matching continues', async () => {
    const { clock, ex } = setup();
    await clock.resolve(ex.placeOrder('mm', { side: 'sell', type: 'limit', price: '2.5', amount: '100', postOnly: true }));
    const before = await clock.resolve(ex.fetchBook('mm', 10));
    expect(before.asks).toEqual([{ price: '2.5', amount: '100' }]);
    const pushed: string[][] = [];
    ex.watchBook(10, (b) => pushed.push(b.asks.map((l) => `${l.amount}@${l.price}`)), () => undefined);
    await clock.runForAsync(10);
    expect(pushed).toEqual([['100@2.5']]);
    const frozenAt = clock.now();
    ex.faults.enable({ kind: 'staleBook' });
    await clock.resolve(ex.placeOrder('mm', { side: 'sell', type: 'limit', price: '2.4', amount: '50', postOnly: true }));
    const stale = await clock.resolve(ex.fetchBook('mm', 10));
    // Same levels and sequence as before the fault, stamped with the moment it froze.
    expect(stale).toEqual({ ...before, timestamp: frozenAt });
    expect(frozenAt).toBeGreaterThan(before.timestamp);
    // Matching sees the real book: a taker buy at 2.45 fills against the 2.4 ask nobody can see.
    const { fills } = await clock.resolve(ex.placeOrder('taker', { side: 'buy', type: 'limit', price: '2.45', amount: '20', timeInForce: 'IOC' }));
    expect(fills.map((f) => [f.price, f.amount])).toEqual([['2.4', '20']]);
    expect(ex.trueBook(10).asks).toEqual([
      { price: '2.4', amount: '30' },
      { price: '2.5', amount: '100' },
    ]);
    expect(pushed).toEqual([['100@2.5']]); // the stream is frozen too
    ex.faults.disable('staleBook');
    await clock.runForAsync(10);
    expect(pushed).toEqual([['100@2.5'], ['30@2.4', '100@2.5']]); // a fresh snapshot once it lifts
    const fresh = await clock.resolve(ex.fetchBook('mm', 10));
    expect(fresh.asks).toEqual(ex.trueBook(10).asks);
    expect(fresh.timestamp).toBeGreaterThan(stale.timestamp);
  });

  it('withdrawalsSuspended: new withdrawals are refused; accepted ones wait in pending until it lifts', async () => {
    const { clock, ex } = setup();
    const to = evmAddress('cold');
    const first = await clock.resolve(ex.withdraw('mm', { asset: 'USDT', amount: '100', address: to, network: 'ERC20', idempotencyKey: 'w1' }));
    ex.faults.enable({ kind: 'withdrawalsSuspended' }, { durationMs: 120_000 });
    const err = await clock.resolve(ex.withdraw('mm', { asset: 'USDT', amount: '5', address: to, network: 'ERC20', idempotencyKey: 'w2' })).catch((e: unknown) => e);
    expect(code(err)).toBe('VENUE.WITHDRAWALS_SUSPENDED');
    expect((err as { nonRetryable: boolean }).nonRetryable).toBe(true);
    await clock.runForAsync(100_000);
    const [during] = await clock.resolve(ex.withdrawals('mm'));
    expect(during).toMatchObject({ id: first.id, status: 'pending', confirmations: 0 });
    expect(during!.txHash).toBeUndefined();
    await clock.runForAsync(200_000);
    const [after] = await clock.resolve(ex.withdrawals('mm'));
    expect(after).toMatchObject({ id: first.id, status: 'ok' });
    expect(after!.txHash).toMatch(/^0x[0-9a-f]{64}$/);
  });
});
