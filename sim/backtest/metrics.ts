// What a backtest measures. Pure aggregation functions (unit-tested by hand) plus a recorder that
// samples a running scenario: book metrics per venue (domain/compliance, the same code the live
// compliance check uses), the market maker's holdings and fills, the fundamental.
//
// Time weighting is sample-and-hold: a sample's value holds until the next sample (the last one
// until the end of the run). PnL decomposition (exact decimals):
//   total     = Δquote + base_end × F_end − base_0 × F_0              (F = the fundamental)
//   realized  = Σ fills sign × amount × (F_at_fill − price) − fees     (spread captured vs fair value)
//   inventory = total − realized = Σ base × ΔF                          (carrying inventory as F moves)
import { computeBookMetrics, bandsFor, type VenueRequirements } from '../../domain/compliance';
import { constantProductImpliedBook } from '../../domain/amm-depth';
import type Decimal from 'decimal.js';
import { D, fmt, type Dec } from '../../domain/money';
import { annualizeVol, realizedVolatility, type PricePoint } from '../../domain/signals/volatility';
import type { ScenarioRunner } from '../market/scenario-runner';

export interface TimedValue {
  t: number;
  v: number | null;
}

/** Mean of `v` weighted by how long each sample holds (until the next, the last until `endT`); nulls are left out. */
export function timeWeightedMean(xs: readonly TimedValue[], endT: number): number | null {
  let sum = 0;
  let weight = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const w = (i + 1 < xs.length ? xs[i + 1]!.t : endT) - x.t;
    if (x.v === null || w <= 0) continue;
    sum += x.v * w;
    weight += w;
  }
  return weight > 0 ? sum / weight : null;
}

/** Fraction of [first sample, endT] during which `ok` held (sample-and-hold). */
export function timeFraction(xs: readonly { t: number; ok: boolean }[], endT: number): number | null {
  if (xs.length === 0) return null;
  const total = endT - xs[0]!.t;
  if (total <= 0) return xs[0]!.ok ? 1 : 0;
  let good = 0;
  for (let i = 0; i < xs.length; i++) {
    const w = (i + 1 < xs.length ? xs[i + 1]!.t : endT) - xs[i]!.t;
    if (xs[i]!.ok && w > 0) good += w;
  }
  return good / total;
}

/** Annualized realized volatility of a price path (Σ r² / elapsed, 24/7 year); null with < 2 points. */
export function realizedVolAnnual(points: readonly PricePoint[]): number | null {
  if (points.length < 2) return null;
  const r = realizedVolatility(points, Infinity, points[points.length - 1]!.t);
  return r ? annualizeVol(r.volPerSec) : null;
}

/** One fill of the market maker, exact decimals; `mark` is the fundamental when it happened. */
export interface MmFill {
  t: number;
  side: 'buy' | 'sell';
  price: string;
  amount: string;
  /** Fee in quote currency (a base fee is valued at the fill price). */
  feeQuote: string;
  mark: string;
}

export interface PnlInput {
  base0: Decimal.Value;
  quote0: Decimal.Value;
  base1: Decimal.Value;
  quote1: Decimal.Value;
  mark0: Decimal.Value;
  mark1: Decimal.Value;
  fills: readonly MmFill[];
}

export interface PnlDecomposition {
  total: Dec;
  realized: Dec;
  inventory: Dec;
  fees: Dec;
  volumeQuote: Dec;
}

export function decomposePnl(p: PnlInput): PnlDecomposition {
  const total = new D(p.quote1).minus(p.quote0).plus(new D(p.base1).times(p.mark1)).minus(new D(p.base0).times(p.mark0));
  let realized = new D(0);
  let fees = new D(0);
  let volumeQuote = new D(0);
  for (const f of p.fills) {
    const edge = f.side === 'buy' ? new D(f.mark).minus(f.price) : new D(f.price).minus(f.mark);
    realized = realized.plus(edge.times(f.amount)).minus(f.feeQuote);
    fees = fees.plus(f.feeQuote);
    volumeQuote = volumeQuote.plus(new D(f.price).times(f.amount));
  }
  return { total, realized, inventory: total.minus(realized), fees, volumeQuote };
}

/** One sample of one venue. */
export interface VenueSample {
  t: number;
  /** Null when the book is one-sided or crossed. */
  spreadPct: number | null;
  /** The thinner side's quote notional within ±depthBandPct (the requirement's band, else ±2 %). */
  depthQuote: number;
  spreadOk: boolean;
  depthOk: boolean;
  /** The market maker's total (free + locked) base and quote on the venue; "0" without a market maker. */
  mmBase: string;
  mmQuote: string;
}

export interface Recording {
  startMs: number;
  fundamental: TimedValue[];
  venues: Record<string, VenueSample[]>;
  fills: Record<string, MmFill[]>;
}

const BOOK_DEPTH = 200;
// Fine steps, so the implied best bid/ask sit close to the pool's marginal price ± fee.
const AMM_LEVELS = 40;

/** Samples a runner every `everyMs` of simulated time (on its price steps) and records the MM's fills. */
export class BacktestRecorder {
  readonly recording: Recording;
  private lastAt = -Infinity;

  constructor(
    private readonly runner: ScenarioRunner,
    private readonly opts: { everyMs: number; mmAccount?: string; requirements: Record<string, VenueRequirements> },
  ) {
    this.recording = { startMs: runner.startMs, fundamental: [], venues: {}, fills: {} };
    for (const [id, v] of Object.entries(runner.venues)) {
      this.recording.venues[id] = [];
      this.recording.fills[id] = [];
      const account = opts.mmAccount;
      if (v.kind !== 'cex' || account === undefined) continue;
      const fills = this.recording.fills[id];
      v.engine.subscribe({
        onFill: (f) => {
          if (f.account !== account) return;
          const feeQuote = f.feeAsset === v.base ? new D(f.fee).times(f.price) : new D(f.fee);
          const mark = new D(runner.fundamental().toPrecision(12));
          fills.push({ t: f.timestamp - this.recording.startMs, side: f.side, price: f.price, amount: f.amount, feeQuote: fmt(feeQuote), mark: fmt(mark) });
        },
      });
    }
    runner.onStep((s) => {
      if (s.now - this.lastAt >= this.opts.everyMs) this.sample(s.now);
    });
  }

  /** Takes a sample now (called at the start and the end of the run, and every `everyMs`). */
  sample(now: number): void {
    this.lastAt = now;
    this.recording.startMs = this.runner.startMs;
    const t = now - this.runner.startMs;
    this.recording.fundamental.push({ t, v: this.runner.fundamental() });
    for (const [id, v] of Object.entries(this.runner.venues)) {
      const req = this.opts.requirements[id];
      const bands = req ? bandsFor(req) : ['2'];
      const bandPct = req?.depthBandPct ?? '2';
      let book;
      if (v.kind === 'cex') book = v.engine.book(BOOK_DEPTH);
      else {
        const r = v.reservesFloat();
        book = constantProductImpliedBook({
          reserveBase: r.base.toPrecision(12),
          reserveQuote: r.quote.toPrecision(12),
          fee: '0.003',
          levels: AMM_LEVELS,
          stepPct: new D(bandPct).div(AMM_LEVELS).toString(),
        });
      }
      const m = computeBookMetrics(book, bands);
      const band = m.ok ? m.depth.find((b) => new D(b.pct).eq(bandPct)) : undefined;
      const depthQuote = band ? Number(band.minSideQuote) : 0;
      const spreadPct = m.ok ? Number(m.spreadPct) : null;
      const mm = this.mmHoldings(id);
      this.recording.venues[id]!.push({
        t,
        spreadPct,
        depthQuote,
        spreadOk: req !== undefined && m.ok && new D(m.spreadPct).lte(req.maxSpreadPct),
        depthOk: req !== undefined && band !== undefined && new D(band.minSideQuote).gte(req.minDepthQuote),
        mmBase: mm.base,
        mmQuote: mm.quote,
      });
    }
  }

  private mmHoldings(id: string): { base: string; quote: string } {
    const v = this.runner.venues[id];
    const account = this.opts.mmAccount;
    if (!v || v.kind !== 'cex' || account === undefined) return { base: '0', quote: '0' };
    let base = new D(0);
    let quote = new D(0);
    for (const b of v.engine.balances(account)) {
      if (b.asset === v.base) base = base.plus(b.free).plus(b.locked);
      else if (b.asset === v.quote) quote = quote.plus(b.free).plus(b.locked);
    }
    return { base: fmt(base), quote: fmt(quote) };
  }
}

/** Cumulative PnL at each sample of a venue (for the report's chart). */
export function pnlSeries(samples: readonly VenueSample[], fills: readonly MmFill[], fundamental: readonly TimedValue[]): { t: number; total: number; realized: number }[] {
  const first = samples[0];
  const f0 = fundamental[0]?.v;
  if (!first || f0 === undefined || f0 === null) return [];
  const out: { t: number; total: number; realized: number }[] = [];
  let fi = 0;
  let realized = new D(0);
  samples.forEach((s, i) => {
    while (fi < fills.length && fills[fi]!.t <= s.t) {
      const f = fills[fi++]!;
      realized = realized.plus(decomposePnl({ base0: 0, quote0: 0, base1: 0, quote1: 0, mark0: 0, mark1: 0, fills: [f] }).realized);
    }
    const mark = fundamental[i]?.v ?? f0;
    const total = new D(s.mmQuote).minus(first.mmQuote).plus(new D(s.mmBase).times(mark.toPrecision(12))).minus(new D(first.mmBase).times(f0.toPrecision(12)));
    out.push({ t: s.t, total: total.toNumber(), realized: realized.toNumber() });
  });
  return out;
}
