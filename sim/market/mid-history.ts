// A fixed-size ring of a venue's mid sampled at a fixed spacing: what momentum traders (lookback
// returns) and panic sellers (drawdown from a recent peak) look back on.
export class MidHistory {
  private readonly buf: Float64Array;
  private count = 0;
  private next = 0;

  constructor(
    readonly everyMs: number,
    capacity: number,
  ) {
    this.buf = new Float64Array(Math.max(2, capacity));
  }

  /** Appends a sample; an unknown mid (one side of the book empty) is stored as NaN. */
  push(mid: number | undefined): void {
    this.buf[this.next] = mid ?? NaN;
    this.next = (this.next + 1) % this.buf.length;
    if (this.count < this.buf.length) this.count++;
  }

  get size(): number {
    return this.count;
  }

  /** The sample `k` samples before the newest (k = 0: the newest). */
  private at(k: number): number {
    return this.buf[(this.next - 1 - k + this.buf.length * 2) % this.buf.length]!;
  }

  /** The sample closest to `ms` ago (counting the newest as now); undefined if history is shorter. */
  ago(ms: number): number | undefined {
    const k = Math.round(ms / this.everyMs);
    if (k >= this.count) return undefined;
    const v = this.at(k);
    return Number.isNaN(v) ? undefined : v;
  }

  /** The highest sample within the last `ms` (and `current`, if given). */
  peakWithin(ms: number, current?: number): number | undefined {
    const n = Math.min(this.count, Math.floor(ms / this.everyMs) + 1);
    let peak = current !== undefined && !Number.isNaN(current) ? current : -Infinity;
    for (let k = 0; k < n; k++) {
      const v = this.at(k);
      if (v > peak) peak = v;
    }
    return peak === -Infinity ? undefined : peak;
  }
}
