// A slow reference price for "how far has selling pushed the price": the median of the cross-venue
// fair value sampled over a trailing window that ends a little before now (the lag keeps a sell-off's
// own first minutes out of the reference it is measured against). Pure: time comes in with each call.

export interface PriceAnchorOptions {
  /** Length of the reference window (ms). */
  windowMs: number;
  /** The window ends this long before now (ms). */
  lagMs: number;
  /** At most one sample per this many ms. */
  sampleEveryMs: number;
  /** Fewer samples than this in the window: no anchor yet. */
  minSamples: number;
}

export const DEFAULT_PRICE_ANCHOR: PriceAnchorOptions = { windowMs: 60 * 60_000, lagMs: 5 * 60_000, sampleEveryMs: 30_000, minSamples: 20 };

export class PriceAnchor {
  private readonly samples: { t: number; price: number }[] = [];

  constructor(private readonly o: PriceAnchorOptions = DEFAULT_PRICE_ANCHOR) {}

  /** Records a fair value seen at `t` (ignored when not finite and positive, or too soon after the last). */
  sample(t: number, price: number): void {
    if (!Number.isFinite(price) || price <= 0) return;
    const last = this.samples[this.samples.length - 1];
    if (last && t - last.t < this.o.sampleEveryMs) return;
    this.samples.push({ t, price });
    const keepFrom = t - this.o.windowMs - this.o.lagMs;
    let drop = 0;
    while (drop < this.samples.length && this.samples[drop]!.t < keepFrom) drop++;
    if (drop > 0) this.samples.splice(0, drop);
  }

  /** The median fair value over [now − lag − window, now − lag], or undefined with too few samples. */
  anchor(now: number): number | undefined {
    const to = now - this.o.lagMs;
    const from = to - this.o.windowMs;
    const xs = this.samples.filter((s) => s.t >= from && s.t <= to).map((s) => s.price).sort((a, b) => a - b);
    if (xs.length < this.o.minSamples) return undefined;
    const mid = xs.length >> 1;
    return xs.length % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
  }
}

/**
 * How far (in %, ≥ 0) a price is below its anchor when selling dominates the flow (sell share of
 * taker volume at least `minSellShare`); 0 otherwise, or with no anchor yet.
 */
export function sellOffDislocationPct(o: { price: number | undefined; anchor: number | undefined; sellShare: number; minSellShare: number }): number {
  if (o.anchor === undefined || o.price === undefined || !(o.price > 0) || o.sellShare < o.minSellShare) return 0;
  return Math.max(0, ((o.anchor - o.price) / o.anchor) * 100);
}
