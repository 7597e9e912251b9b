import { mulberry32 } from '../../domain/rng';
import { isVenueError, type VenueError } from '../../venues/venue-errors';
import { VirtualClock } from '../../hotpath/clocks';
import { TokenBucketLimiter } from '../../sim/exchange/rate-limiter';
import { SimExchange } from '../../sim/exchange/sim-exchange';
import { TransferNetwork } from '../../sim/exchange/transfer-network';
import { PRESET_MARKET as MARKET, PRESET_WITHDRAWALS as WITHDRAWALS } from '../../sim/exchange/exchange-presets';

describe('TokenBucketLimiter', () => {
  it('allows a burst up to capacity, then says exactly when to retry', () => {
    const clock = new VirtualClock();
    const l = new TokenBucketLimiter(clock, { capacity: 5, refillPerSec: 2 });
    for (let i = 0; i < 5; i++) expect(l.tryTake('a', 1)).toEqual({ ok: true });
    // Empty bucket, 2 tokens/s: one token takes 500 ms.
    expect(l.tryTake('a', 1)).toEqual({ ok: false, retryAfterMs: 500 });
    expect(l.tryTake('a', 3)).toEqual({ ok: false, retryAfterMs: 1500 });
  });

  it('refills over virtual time, never above capacity', () => {
    const clock = new VirtualClock();
    const l = new TokenBucketLimiter(clock, { capacity: 4, refillPerSec: 10 });
    expect(l.tryTake('a', 4)).toEqual({ ok: true });
    clock.runFor(250); // 2.5 tokens
    expect(l.tokens('a')).toBe(2.5);
    expect(l.tryTake('a', 3)).toEqual({ ok: false, retryAfterMs: 50 });
    clock.runFor(49);
    expect(l.tryTake('a', 3)).toEqual({ ok: false, retryAfterMs: 1 });
    clock.runFor(1);
    expect(l.tryTake('a', 3)).toEqual({ ok: true });
    clock.runFor(60_000);
    expect(l.tokens('a')).toBe(4);
  });

  it('keeps one bucket per key', () => {
    const clock = new VirtualClock();
    const l = new TokenBucketLimiter(clock, { capacity: 1, refillPerSec: 1 });
    expect(l.tryTake('a', 1).ok).toBe(true);
    expect(l.tryTake('a', 1).ok).toBe(false);
    expect(l.tryTake('b', 1).ok).toBe(true);
  });

  it('refuses weights it could never serve and bad configs', () => {
    const clock = new VirtualClock();
    const l = new TokenBucketLimiter(clock, { capacity: 3, refillPerSec: 1 });
    expect(() => l.tryTake('a', 4)).toThrow(RangeError);
    expect(() => new TokenBucketLimiter(clock, { capacity: 0, refillPerSec: 1 })).toThrow(/capacity/);
  });
});

describe('SimExchange rate limiting', () => {
  function exchange(clock: VirtualClock): SimExchange {
    const rng = mulberry32(7);
    const network = new TransferNetwork({ delayMs: { min: 0, max: 0 } }, { clock, rng });
    return new SimExchange(
      { id: 'alpha', market: MARKET, latencyMs: { min: 10, max: 10 }, rateLimit: { capacity: 5, refillPerSec: 1 }, withdrawals: WITHDRAWALS },
      { clock, rng, network },
    );
  }

  it('a burst beyond capacity is rejected with retryAfterMs; after that long it passes', async () => {
    const clock = new VirtualClock();
    const ex = exchange(clock);
    // Six weight-1 pings at once: they reach the exchange together (t=10), the bucket holds 5.
    const results = await clock.resolve(Promise.allSettled([0, 1, 2, 3, 4, 5].map(() => ex.ping('mm'))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    const err = (results[5] as PromiseRejectedResult).reason as VenueError;
    expect(isVenueError(err, 'VENUE.RATE_LIMITED')).toBe(true);
    expect(err.retryAfterMs).toBe(1000);
    expect(err.nonRetryable).toBe(false);
    // Another account has its own bucket.
    await expect(clock.resolve(ex.ping('other'))).resolves.toBe(30); // executed at t=30, answered at 40
    // Still empty at t=50 (one token comes back only at t=1010).
    await expect(clock.resolve(ex.ping('mm'))).rejects.toThrow(/rate limit/);
    // Wait as told and retry: enough has refilled.
    await clock.runForAsync(err.retryAfterMs!);
    await expect(clock.resolve(ex.ping('mm'))).resolves.toBe(clock.now() + 10);
  });

  it('weights count: myTrades (5) empties the bucket, then balances (2) waits 2 s', async () => {
    const clock = new VirtualClock();
    const ex = exchange(clock);
    const [trades, bal] = await clock.resolve(Promise.allSettled([ex.myTrades('mm'), ex.fetchBalances('mm')]));
    expect(trades.status).toBe('fulfilled');
    expect(bal.status).toBe('rejected');
    expect(((bal as PromiseRejectedResult).reason as VenueError).retryAfterMs).toBe(2000);
  });

  it('refuses a bucket smaller than the heaviest request, naming the field', () => {
    const clock = new VirtualClock();
    const network = new TransferNetwork({ delayMs: { min: 0, max: 0 } }, { clock, rng: mulberry32(1) });
    const make = () =>
      new SimExchange(
        { id: 'alpha', market: MARKET, latencyMs: { min: 1, max: 1 }, rateLimit: { capacity: 4, refillPerSec: 1 }, withdrawals: WITHDRAWALS },
        { clock, rng: mulberry32(1), network },
      );
    expect(make).toThrow(/rateLimit\.capacity: must be at least 5/);
  });
});
