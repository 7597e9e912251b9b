// What a backtest measures. Pure aggregation functions (unit-tested by hand) plus a recorder that
// samples a running closed-loop world: book metrics per venue (domain/compliance, the same code the
// live compliance check uses) with each side's depth, whether the venue is in an outage, Ballast's
// holdings, resting depth and fills, the pool's implied book, the fundamental.
//
// Time weighting is sample-and-hold: a sample's value holds until the next sample (the last one
// until the end of the run). PnL decomposition (exact decimals):
//   total     = Δquote + base_end × F_end − base_0 × F_0              (F = the fundamental)
//   realized  = Σ fills sign × amount × (F_at_fill − price) − fees     (spread captured vs fair value)
//   inventory = total − realized = Σ base × ΔF                          (carrying inventory as F moves)
import { computeBookMetrics, type VenueRequirements } from '../../domain/compliance';
import type Decimal from 'decimal.js';
import { D, fmt, type Dec } from '../../domain/money';
import { annualizeVol, realizedVolatility, type PricePoint } from '../../domain/signals/volatility';
import type { OrderBookSnapshot } from '../../domain/order-book';
import { withinBand } from '../../hotpath/book-band';
import type { SimExchange } from '../exchange/sim-exchange';
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

/**
 * Fraction of the counted time in [first sample, endT] during which `ok` held (sample-and-hold).
 * A sample with `counted: false` (its venue in an outage) leaves its time out of both the numerator
 * and the denominator; null when no time is counted.
 */
export function timeFraction(xs: readonly { t: number; ok: boolean; counted?: boolean }[], endT: number): number | null {
  if (xs.length === 0) return null;
  let total = 0;
  let good = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (x.counted === false) continue;
    const w = (i + 1 < xs.length ? xs[i + 1]!.t : endT) - x.t;
    if (w <= 0) continue;
    total += w;
    if (x.ok) good += w;
  }
  if (total > 0) return good / total;
  const first = xs.find((x) => x.counted !== false);
  return first ? (first.ok ? 1 : 0) : null;
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
  bidDepthQuote: number;
  askDepthQuote: number;
  spreadOk: boolean;
  /** Both sides meet the depth requirement. */
  depthOk: boolean;
  bidDepthOk: boolean;
  askDepthOk: boolean;
  /** The venue is in an outage (its own fault schedule): metrics count healthy time only. */
  outage: boolean;
  /** Everyone's traded quote volume on the venue since the start. */
  cumVolumeQuote: number;
  /** Ballast's own depth within the band, per side (quote): its resting orders; on a pool, its LP share of the pool's depth. */
  mmBidDepthQuote: number;
  mmAskDepthQuote: number;
  /** Ballast's total (free + locked) base and quote on the venue; "0" without Ballast. */
  mmBase: string;
  mmQuote: string;
}

export interface Recording {
  startMs: number;
  fundamental: TimedValue[];
  venues: Record<string, VenueSample[]>;
  fills: Record<string, MmFill[]>;
}

/** Where the recorder reads a closed-loop world (sim/backtest/closed-loop.ts). */
export interface RecorderSources {
  runner: ScenarioRunner;
  /** The simulated exchanges by venue id (for outages); venues not here are read from the runner. */
  exchanges: Record<string, SimExchange>;
  /** Ballast's account; undefined in the `none` run. */
  account?: string;
  requirements: Record<string, VenueRequirements>;
  everyMs: number;
  /** The pool's book when Ballast's pool liquidity implies one (e.g. a concentrated range); else from reserves. */
  poolBook?: (venueId: string) => Pick<OrderBookSnapshot, 'bids' | 'asks'> | undefined;
}

const BOOK_DEPTH = 200;
const V2_FEE = 0.003;

/**
 * The book a constant-product pool implies (domain/amm-depth.ts's construction, in floats: the
 * recorder samples it thousands of times and decimal square roots dominated the run): between
 * consecutive marginal prices p0·(1 ± i·step), the base that moves the price, priced with the fee.
 */
export function impliedPoolBook(reserveBase: number, reserveQuote: number, fee: number, levels: number, step: number): Pick<OrderBookSnapshot, 'bids' | 'asks'> {
  const k = reserveBase * reserveQuote;
  const p0 = reserveQuote / reserveBase;
  const s = (x: number) => x.toPrecision(12);
  const bids = [];
  const asks = [];
  let prevUp = reserveBase;
  let prevDown = reserveBase;
  for (let i = 1; i <= levels; i++) {
    const up = p0 * (1 + step * i);
    const xUp = Math.sqrt(k / up);
    asks.push({ price: s(up / (1 - fee)), amount: s(prevUp - xUp) });
    prevUp = xUp;
    const downFactor = 1 - step * i;
    if (downFactor <= 0) continue;
    const down = p0 * downFactor;
    const xDown = Math.sqrt(k / down);
    bids.push({ price: s(down * (1 - fee)), amount: s(xDown - prevDown) });
    prevDown = xDown;
  }
  return { bids, asks };
}
// Fine steps, so the implied best bid/ask sit close to the pool's marginal price ± fee.
const AMM_LEVELS = 40;

/** Samples a runner every `everyMs` of simulated time (on its price steps) and records Ballast's fills. */
export class BacktestRecorder {
  readonly recording: Recording;
  private lastAt = -Infinity;
  private readonly volume = new Map<string, number>();

  constructor(private readonly src: RecorderSources) {
    const { runner, account } = src;
    this.recording = { startMs: runner.startMs, fundamental: [], venues: {}, fills: {} };
    for (const [id, v] of Object.entries(runner.venues)) {
      this.recording.venues[id] = [];
      this.recording.fills[id] = [];
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
    for (const [id, v] of Object.entries(runner.venues)) {
      this.volume.set(id, 0);
      if (v.kind === 'cex') {
        v.engine.subscribe({ onTrade: (t) => this.volume.set(id, this.volume.get(id)! + Number(t.price) * Number(t.amount)) });
      } else {
        const scale = 10 ** v.config.quoteDecimals;
        v.subscribe((x) => this.volume.set(id, this.volume.get(id)! + Number(x.side === 'buy' ? x.amountIn : x.amountOut) / scale));
      }
    }
    runner.onStep((s) => {
      if (s.now - this.lastAt >= src.everyMs) this.sample(s.now);
    });
  }

  /** Takes a sample now (called at the start and the end of the run, and every `everyMs`). */
  sample(now: number): void {
    const { runner, requirements } = this.src;
    this.lastAt = now;
    this.recording.startMs = runner.startMs;
    const t = now - runner.startMs;
    this.recording.fundamental.push({ t, v: runner.fundamental() });
    for (const [id, v] of Object.entries(runner.venues)) {
      const req = requirements[id];
      const bandPct = req?.depthBandPct ?? '2';
      let book: Pick<OrderBookSnapshot, 'bids' | 'asks'>;
      if (v.kind === 'cex') book = withinBand(v.engine.book(BOOK_DEPTH), Number(bandPct) / 100);
      else {
        const r = v.reservesFloat();
        book = this.src.poolBook?.(id) ?? impliedPoolBook(r.base, r.quote, V2_FEE, AMM_LEVELS, Number(bandPct) / 100 / AMM_LEVELS);
      }
      // The live compliance check's own measure (domain/compliance), on the true book.
      const m = computeBookMetrics(book, [bandPct]);
      const band = m.ok ? m.depth[0] : undefined;
      const bid = band ? Number(band.bidQuote) : 0;
      const ask = band ? Number(band.askQuote) : 0;
      const need = req ? Number(req.minDepthQuote) : Infinity;
      const mm = v.kind === 'cex' ? this.mmState(id, m.ok ? Number(m.mid) : undefined, Number(bandPct) / 100) : this.poolShare(id, bid, ask);
      this.recording.venues[id]!.push({
        t,
        spreadPct: m.ok ? Number(m.spreadPct) : null,
        depthQuote: Math.min(bid, ask),
        bidDepthQuote: bid,
        askDepthQuote: ask,
        spreadOk: req !== undefined && m.ok && new D(m.spreadPct).lte(req.maxSpreadPct),
        depthOk: req !== undefined && band !== undefined && new D(band.minSideQuote).gte(req.minDepthQuote),
        bidDepthOk: bid >= need,
        askDepthOk: ask >= need,
        outage: this.src.exchanges[id]?.faults.isActive('outage') ?? false,
        cumVolumeQuote: this.volume.get(id) ?? 0,
        ...mm,
      });
    }
  }

  /** Ballast's LP share of a pool's depth (V2 depth is linear in the reserves); holdings stay "0" (the pool module reports them). */
  private poolShare(id: string, bid: number, ask: number): Pick<VenueSample, 'mmBase' | 'mmQuote' | 'mmBidDepthQuote' | 'mmAskDepthQuote'> {
    const v = this.src.runner.venues[id];
    const account = this.src.account;
    if (!v || v.kind !== 'amm' || account === undefined) return { mmBase: '0', mmQuote: '0', mmBidDepthQuote: 0, mmAskDepthQuote: 0 };
    const supply = v.poolState().totalSupply;
    const share = supply > 0n ? Number(v.lpBalance(account)) / Number(supply) : 0;
    return { mmBase: '0', mmQuote: '0', mmBidDepthQuote: bid * share, mmAskDepthQuote: ask * share };
  }

  /** Ballast's holdings on a CEX venue, and its resting depth within the band around `mid`. */
  private mmState(id: string, mid: number | undefined, band: number): Pick<VenueSample, 'mmBase' | 'mmQuote' | 'mmBidDepthQuote' | 'mmAskDepthQuote'> {
    const v = this.src.runner.venues[id];
    const account = this.src.account;
    const out = { mmBase: '0', mmQuote: '0', mmBidDepthQuote: 0, mmAskDepthQuote: 0 };
    if (!v || v.kind !== 'cex' || account === undefined) return out;
    let base = new D(0);
    let quote = new D(0);
    for (const b of v.engine.balances(account)) {
      if (b.asset === v.base) base = base.plus(b.free).plus(b.locked);
      else if (b.asset === v.quote) quote = quote.plus(b.free).plus(b.locked);
    }
    out.mmBase = fmt(base);
    out.mmQuote = fmt(quote);
    if (mid === undefined) return out;
    for (const o of v.engine.openOrders(account)) {
      const p = Number(o.price);
      const left = (Number(o.amount) - Number(o.filled)) * p;
      if (o.side === 'buy' && p >= mid * (1 - band)) out.mmBidDepthQuote += left;
      else if (o.side === 'sell' && p <= mid * (1 + band)) out.mmAskDepthQuote += left;
    }
    return out;
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
