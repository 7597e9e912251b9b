// Background liquidity: a simple passive account per CEX venue so that books are not empty when
// Ballast's own market maker is not running. It is NOT Ballast's market maker (that is the quoting
// worker, a separate account with its own models); it stands for "the rest of the market's resting
// orders": a post-only ladder around a reference price that
//   - follows the tape (moves part of the way to the last trade price after trades), so takers
//     (whales, panic sellers, informed traders) move the venue's price, and
//   - slowly reverts toward the fundamental (the wider market's information), at `reversionPerHour`.
// Levels sit on a fixed price grid, so a small move of the reference only re-quotes the inner
// levels; the ladder is limited by the account's balances.
import type { AgentView } from './agent.types';
import type { Grid } from './grid';
import type { Side } from '../engine/engine.types';

export interface BackgroundLiquidityParams {
  halfSpreadPct: number;
  levels: number;
  stepPct: number;
  /** Notional per level, quote. */
  levelQuote: number;
  refreshMs: number;
  /** Fraction of the way to the last trade price the reference moves after new trades (0..1). */
  followTape: number;
  reversionPerHour: number;
}

export interface LadderLevel {
  side: Side;
  ticks: number;
  lots: number;
}

/** Uses at most this share of the account's holdings per side, leaving room for rounding. */
const BUDGET_SHARE = 0.95;

export class BackgroundLiquidity {
  readonly kind = 'background' as const;
  ref: number | undefined;
  private lastTradeSeen: number | undefined;
  private lastUpdate: number | undefined;
  /** Grid spacing in ticks, fixed from the first reference so levels stay put between refreshes. */
  private gridTicks: number | undefined;

  constructor(
    readonly id: string,
    readonly venue: string,
    readonly params: BackgroundLiquidityParams,
    private readonly tick: Grid,
    private readonly lot: Grid,
    private readonly minNotional: number,
  ) {}

  /** Moves the reference price: toward new trades, then toward the fundamental. Returns it. */
  updateReference(view: AgentView): number {
    const v = view.venue(this.venue);
    const fair = view.fundamental();
    if (this.ref === undefined || this.lastUpdate === undefined) {
      this.ref = fair;
      this.lastTradeSeen = v?.lastTradeAt;
      this.lastUpdate = view.now;
      return this.ref;
    }
    if (v?.last !== undefined && v.lastTradeAt !== undefined && v.lastTradeAt !== this.lastTradeSeen) {
      this.ref += this.params.followTape * (v.last - this.ref);
      this.lastTradeSeen = v.lastTradeAt;
    }
    const hours = (view.now - this.lastUpdate) / 3_600_000;
    this.ref += (1 - Math.exp(-this.params.reversionPerHour * hours)) * (fair - this.ref);
    this.lastUpdate = view.now;
    return this.ref;
  }

  /**
   * The ladder for a reference price and the account's total (free + locked) holdings: bids below
   * ref·(1 − halfSpread), asks above ref·(1 + halfSpread), on a grid of stepPct, inside out until
   * the budget of that side is used.
   */
  targetLadder(ref: number, totalBase: number, totalQuote: number): LadderLevel[] {
    const p = this.params;
    const tick = this.tick.step;
    this.gridTicks ??= Math.max(1, Math.round((ref * p.stepPct) / 100 / tick));
    const g = this.gridTicks;
    const out: LadderLevel[] = [];
    let quoteLeft = totalQuote * BUDGET_SHARE;
    let baseLeft = totalBase * BUDGET_SHARE;
    // The small slack keeps float noise (0.501 / 0.001 = 501.00000000000006) from skipping a grid point.
    const bidTop = Math.floor((ref * (1 - p.halfSpreadPct / 100)) / (g * tick) + 1e-9) * g;
    const askBottom = Math.ceil((ref * (1 + p.halfSpreadPct / 100)) / (g * tick) - 1e-9) * g;
    for (let k = 0; k < p.levels; k++) {
      const bt = bidTop - k * g;
      if (bt > 0) {
        const price = bt * tick;
        const lots = this.lot.floor(Math.min(p.levelQuote, quoteLeft) / price);
        const notional = lots * this.lot.step * price;
        if (lots > 0 && notional >= this.minNotional) {
          out.push({ side: 'buy', ticks: bt, lots });
          quoteLeft -= notional;
        }
      }
      const at = askBottom + k * g;
      const price = at * tick;
      const lots = this.lot.floor(Math.min(p.levelQuote / price, baseLeft));
      if (lots > 0 && lots * this.lot.step * price >= this.minNotional) {
        out.push({ side: 'sell', ticks: at, lots });
        baseLeft -= lots * this.lot.step;
      }
    }
    return out;
  }
}
