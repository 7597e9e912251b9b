import { capPrice, DEFAULT_STABLECOINS, depthAroundMid, type CapPriceBook } from '../../domain/treasury/cap-price';
import type { OrderBookSnapshot } from '../../domain/order-book';
import { planEvacuation } from '../../domain/treasury/evacuation-plan';

const NOW = 1_760_000_000_000;
const setup = { token: 'BLST', quote: 'USDT', stablecoins: DEFAULT_STABLECOINS, maxAgeMs: 60_000 };

/** A book around `mid` with `levels` levels of `quote` USD a side, 0.2 % apart. */
function book(venue: string, mid: number, quote: number, opts: { levels?: number; ageMs?: number; halfSpreadPct?: number } = {}): OrderBookSnapshot {
  const levels = opts.levels ?? 5;
  const hs = (opts.halfSpreadPct ?? 0.1) / 100;
  const side = (sign: 1 | -1) =>
    Array.from({ length: levels }, (_, i) => {
      const p = mid * (1 + sign * (hs + i * 0.002));
      return { price: p.toFixed(6), amount: (quote / p).toFixed(2) };
    });
  return { venue, market: 'BLST/USDT', timestamp: NOW - (opts.ageMs ?? 1_000), bids: side(-1), asks: side(1) };
}
const at = (venueId: string, b: OrderBookSnapshot): CapPriceBook => ({ venueId, fee: '0.001', book: b });

describe('capPrice: the USD price transfer caps value an asset at', () => {
  it('values a configured stablecoin at exactly 1 and needs no book', () => {
    expect(capPrice('USDT', [], setup, NOW)).toMatchObject({ ok: true, priceUsd: '1', source: 'stablecoin' });
    expect(capPrice('usdc', [], setup, NOW)).toMatchObject({ ok: true, priceUsd: '1' });
  });

  it('refuses an asset with no price source instead of valuing it at the token price', () => {
    const r = capPrice('ETH', [at('alpha', book('alpha', 0.5, 5000))], setup, NOW);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('TRANSFER.NO_PRICE');
    expect(r.message).toMatch(/^asset: no USD price source for ETH/);
  });

  it('refuses the token when its quote currency is not a stablecoin', () => {
    const r = capPrice('BLST', [at('alpha', book('alpha', 0.5, 5000))], { ...setup, quote: 'ETH' }, NOW);
    expect(r).toMatchObject({ ok: false, code: 'TRANSFER.NO_PRICE' });
  });

  it('prices the token at the depth-weighted median over venues: a thin venue off the market cannot set it', () => {
    const books = [at('alpha', book('alpha', 0.5, 5000)), at('bravo', book('bravo', 0.501, 4000)), at('thin', book('thin', 0.2, 20, { levels: 1 }))];
    const r = capPrice('BLST', books, setup, NOW);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Number(r.priceUsd)).toBeGreaterThanOrEqual(0.5);
    expect(Number(r.priceUsd)).toBeLessThanOrEqual(0.501);
    expect(r.excluded.map((e) => e.venueId)).toContain('thin');
    // The source venue a requester names plays no part: the same price whichever books come first.
    const again = capPrice('BLST', [...books].reverse(), setup, NOW);
    expect(again).toMatchObject({ ok: true, priceUsd: r.priceUsd });
  });

  it('a thin venue inside the band is outvoted by the deep ones (weights from depth within ±2 %)', () => {
    const r = capPrice('BLST', [at('deep', book('deep', 0.5, 50_000)), at('thin', book('thin', 0.503, 10, { levels: 1 }))], setup, NOW);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const thin = r.venues.find((v) => v.venueId === 'thin');
    expect(Number(thin?.weight ?? 0)).toBeLessThan(0.01);
    expect(r.priceUsd).toBe('0.5');
  });

  it('leaves stale and unreadable books out, and refuses when nothing usable is left', () => {
    const r = capPrice('BLST', [at('alpha', book('alpha', 0.5, 5000)), at('stale', book('stale', 0.9, 90_000, { ageMs: 120_000 })), { venueId: 'down', fee: '0.001', error: 'ETIMEDOUT' }], setup, NOW);
    expect(r).toMatchObject({ ok: true, priceUsd: '0.5' });
    if (r.ok) expect(r.excluded).toEqual(expect.arrayContaining([{ venueId: 'stale', reason: 'stale' }, { venueId: 'down', reason: 'unreadable: ETIMEDOUT' }]));
    const none = capPrice('BLST', [at('stale', book('stale', 0.9, 90_000, { ageMs: 120_000 })), { venueId: 'down', fee: '0.001', error: 'ETIMEDOUT' }], setup, NOW);
    expect(none).toMatchObject({ ok: false, code: 'TRANSFER.NO_PRICE' });
    if (!none.ok) expect(none.message).toMatch(/stale: stale; down: unreadable: ETIMEDOUT|down: unreadable: ETIMEDOUT; stale: stale/);
  });

  it('rounds the model float up at 8 significant digits (caps bind sooner, never later)', () => {
    const r = capPrice('BLST', [at('alpha', { venue: 'alpha', market: 'BLST/USDT', timestamp: NOW, bids: [{ price: '0.123456781', amount: '1000' }], asks: [{ price: '0.123456784', amount: '1000' }] })], setup, NOW);
    expect(r).toMatchObject({ ok: true, priceUsd: '0.12345679' });
  });

  it('depthAroundMid counts both sides within the band only', () => {
    const b: OrderBookSnapshot = { venue: 'x', market: 'BLST/USDT', timestamp: NOW, bids: [{ price: '0.99', amount: '10' }, { price: '0.9', amount: '1000' }], asks: [{ price: '1.01', amount: '10' }, { price: '1.1', amount: '1000' }] };
    expect(depthAroundMid(b, 2)).toBeCloseTo(0.99 * 10 + 1.01 * 10, 9);
    expect(depthAroundMid({ ...b, asks: [] }, 2)).toBe(0);
  });
});

describe('planEvacuation with an asset the caps cannot price', () => {
  it('reports it as blocked and still plans the priced ones', () => {
    const plan = planEvacuation(
      [
        { asset: 'ETH', free: '3', fee: '0.01' },
        { asset: 'USDT', free: '1000', fee: '1', priceUsd: '1' },
      ],
      { perTransferUsd: '5000', dailyUsd: '10000' },
      '0',
    );
    expect(plan.blocked).toEqual([{ asset: 'ETH', amount: '3', reason: 'no USD price source for the caps' }]);
    expect(plan.chunks).toEqual([{ asset: 'USDT', amount: '999', amountUsd: '999' }]);
  });
});
