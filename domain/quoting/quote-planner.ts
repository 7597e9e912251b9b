// QuotePlanner: one venue's decision, from the current inputs to the order actions — the part of the
// quoting loop the latency goal is about (p99 < 200 µs per book update, bench/quoting-decision).
//   1. the model's quotes around the fair value (domain/quoting quoteOnGrid);
//   2. per side, the model's levels if they already meet the listing's depth requirement within
//      ±band % of the fair value, else the least-capital depth ladder starting at the model's best price;
//   3. sizes jittered (re-drawn only when the plain ladder changes: a fresh draw every cycle would
//      make every resting order look out of tolerance and churn the book for nothing);
//   4. caps: inventory limits and the balance on hand;
//   5. the diff against our live orders with the refresh tolerance (redone with exact amounts when
//      orders kept within the amount tolerance would leave a side short of its depth).
// Everything runs on the market's integer grid (domain/grid.ts): prices in ticks, amounts in lots,
// notionals in tick·lot units — exact, and without decimal.js on the hot path. The only floats are
// the fair value, σ and the model math, as in the models themselves.
// Same inputs ⇒ same plan: the last plan is returned as is when nothing it depends on changed.
import { marketGrid, type GridLiveOrder, type GridOrder, type MarketGrid } from '../grid';
import { D } from '../money';
import type { Rng } from '../rng';
import { quoteOnGrid, type QuoteParams } from './index';
import { buildLadderOnGrid, type GridLadderLevel } from './ladder';
import { jitterOnGrid } from './jitter';
import { diffOnGrid, type GridAction, type GridTolerance } from './order-diff';
import type { MarketRules } from '../market.types';
import type { OperatingMode } from './operating-mode';

export interface PlannerConfig {
  model: QuoteParams;
  depth: { quote: string; bandPct?: string; levels: number; stepPct: string };
  refresh: GridTolerance;
  sizeJitterPct: string;
  targetInventory: string;
  maxInventory: string;
  minInventory?: string;
  /**
   * Order of a refresh's cancels and placements (order-diff.ts). 'place-first' keeps the book from
   * thinning while a side is re-priced (a listing's depth obligation holds through the refresh) at
   * the cost of locking both sets of funds for a moment. Default 'cancel-first'.
   */
  sequencing?: 'cancel-first' | 'place-first';
  /**
   * The listing's spread requirement, percent of mid: each side's best quote is kept within 45 % of
   * it from the fair value (a model's wide or skewed quote moved inward, its spacing kept), so our own
   * quotes meet it. Absent ⇒ the model's quotes as they are.
   */
  maxSpreadPct?: string;
  /**
   * What the model's inventory skew reads. 'venue' (the default, and the baselines, as one bot per
   * venue would): this venue's inventory against its target. 'portfolio' (Ballast): the portfolio's
   * deviation in orders (PlanInputs.portfolioOrders), the same on every venue so the skew opens no
   * price gap between venues for arbitrageurs, plus this venue's own deviation only where it goes
   * beyond ±venueDeadZonePct % of its target (a venue running dry lets the market move inventory
   * in before a transfer can).
   */
  inventorySkew?: { scope: 'venue' } | { scope: 'portfolio'; venueDeadZonePct: string };
}

/** What the plan depends on besides the configuration. Balances are exact grid counts (see setBalances). */
export interface PlanInputs {
  mode: OperatingMode;
  /** Cross-venue fair value (float), > 0. */
  fair: number;
  /** Absolute σ per √s. */
  sigma: number;
  now: number;
  /** Our resting orders on this venue. */
  live: readonly GridLiveOrder[];
  /**
   * The venue's own best bid / ask without our orders (floats). When the venue trades through the
   * fair value, a side's ladder is moved just passive of the touch instead of being refused as
   * post-only-would-cross on every cycle (which left that side with no depth at all).
   */
  touch?: { bid?: number; ask?: number };
  /** The portfolio's inventory deviation in orders (MarketState.portfolioOrders); read with inventorySkew 'portfolio'. */
  portfolioOrders?: number;
}

export interface Plan {
  actions: GridAction[];
  live: readonly GridLiveOrder[];
}

type Side = 'buy' | 'sell';

/** floor(units / ticks) exactly, for safe integers. */
function lotsAffordable(units: number, ticks: number): number {
  if (units <= 0 || ticks <= 0) return 0;
  return (units - (units % ticks)) / ticks;
}

export class QuotePlanner {
  readonly grid: MarketGrid;
  private readonly paramsByMode = new Map<OperatingMode, QuoteParams>();
  private readonly depthUnits: { normal: number; deepen: number };
  private readonly bandFraction: number;
  private readonly jitterOn: boolean;
  private readonly targetLots: number;
  private readonly maxLots: number;
  private readonly minLots: number;
  /** inventorySkew 'portfolio': lots of one model order, and the venue's dead zone in lots (else undefined). */
  private readonly portfolioSkew?: { orderLots: number; deadZoneLots: number };
  private inventoryLots = 0;
  private buyRoomLots = 0;
  private sellRoomLots = 0;
  private quoteUnits = 0;
  private balanceKey = '';
  private readonly jitterCache: Partial<Record<Side, { key: string; levels: GridLadderLevel[] }>> = {};
  private last?: { key: string; actions: GridAction[] };

  constructor(
    private readonly cfg: PlannerConfig,
    rules: MarketRules,
    private readonly rng: Rng,
  ) {
    this.grid = marketGrid(rules);
    const depth = new D(cfg.depth.quote);
    this.depthUnits = { normal: this.grid.units(depth, 'ceil'), deepen: this.grid.units(depth.times(2), 'ceil') };
    this.bandFraction = Number(cfg.depth.bandPct ?? '2') / 100;
    this.jitterOn = new D(cfg.sizeJitterPct).gt(0);
    // Model inputs only (the models' own cumulative caps): rounded so they never widen a limit.
    this.targetLots = this.grid.lots(cfg.targetInventory, 'floor');
    this.maxLots = this.grid.lots(cfg.maxInventory, 'floor');
    this.minLots = this.grid.lots(cfg.minInventory ?? '0', 'ceil');
    const skew = cfg.inventorySkew;
    if (skew?.scope === 'portfolio') {
      const orderLots = Math.max(1, this.grid.lots(cfg.model.orderAmount, 'floor'));
      const deadZoneLots = this.grid.lots(new D(cfg.targetInventory).times(skew.venueDeadZonePct).div(100), 'floor');
      this.portfolioSkew = { orderLots, deadZoneLots };
    }
  }

  /**
   * The inventory the model skews by, in lots. 'venue': this venue's. 'portfolio': the target plus
   * the portfolio's deviation at this venue's order size (the same reservation-price shift on every
   * venue for the same γ, σ and horizon), plus this venue's deviation beyond its dead zone.
   */
  modelInventoryLots(portfolioOrders: number | undefined): number {
    const p = this.portfolioSkew;
    if (!p) return this.inventoryLots;
    const dev = this.inventoryLots - this.targetLots;
    const beyond = Math.sign(dev) * Math.max(0, Math.abs(dev) - p.deadZoneLots);
    return this.targetLots + Math.round((portfolioOrders ?? 0) * p.orderLots) + beyond;
  }

  /**
   * Balances change on refresh, not per book event: the exact rooms are computed here, once, with
   * decimals — buy room ⌊(max − inventory)/lot⌋, sell room ⌊(inventory − min)/lot⌋, quote ⌊quote/unit⌋.
   */
  setBalances(base: string, quote: string): void {
    const inv = new D(base);
    this.inventoryLots = this.grid.lots(inv, 'floor');
    this.buyRoomLots = Math.max(0, this.grid.lots(new D(this.cfg.maxInventory).minus(inv), 'floor'));
    this.sellRoomLots = Math.max(0, this.grid.lots(inv.minus(this.cfg.minInventory ?? '0'), 'floor'));
    this.quoteUnits = Math.max(0, this.grid.units(quote, 'floor'));
    this.balanceKey = `${base}|${quote}`;
  }

  /** The plan for these inputs; the previous plan object when no input changed. */
  decide(inp: PlanInputs): Plan {
    const key = this.key(inp);
    if (key === this.last?.key) return { actions: this.last.actions, live: inp.live };
    const desired = this.desired(inp);
    const options = { sequencing: this.cfg.sequencing ?? 'cancel-first' };
    let diff = diffOnGrid(desired, inp.live, this.grid, this.cfg.refresh, options);
    // Orders kept within the amount tolerance (partly filled ones above all) can leave a side just
    // under its depth requirement; then the plan is redone with exact amounts.
    if (this.shortOfDepth(diff, inp)) diff = diffOnGrid(desired, inp.live, this.grid, { ...this.cfg.refresh, amountPct: '0' }, options);
    this.last = { key, actions: diff.actions };
    return { actions: diff.actions, live: inp.live };
  }

  private key(inp: PlanInputs): string {
    const m = this.cfg.model.model;
    // σ and time only matter to A-S and GLFT: σ to 3 significant digits, time to the second.
    const timeDep = m === 'avellaneda-stoikov' || m === 'glft' ? `|${inp.sigma.toPrecision(3)}|${Math.floor(inp.now / 1000)}` : '';
    let live = '';
    for (const o of inp.live) live += `${o.clientOrderId}:${o.lots},`;
    const skew = this.portfolioSkew ? `|${this.modelInventoryLots(inp.portfolioOrders)}` : '';
    return `${inp.mode}|${inp.fair}|${inp.touch?.bid}|${inp.touch?.ask}|${this.balanceKey}|${live}${timeDep}${skew}`;
  }

  private params(mode: OperatingMode): QuoteParams {
    const cached = this.paramsByMode.get(mode);
    if (cached) return cached;
    const p = this.cfg.model;
    const half = (s: string) => new D(s).div(2).toFixed();
    let out: QuoteParams = p;
    if (mode === 'tighten') {
      // 'tighten' halves the spread parameters; for A-S / GLFT the spread's liquidity term is ≈ 2/k, so k doubles.
      if (p.model === 'pure-mm') out = { ...p, bidSpreadPct: half(p.bidSpreadPct), askSpreadPct: half(p.askSpreadPct) };
      else if (p.model === 'fixed-spread') out = { ...p, spreadPct: half(p.spreadPct) };
      else out = { ...p, k: p.k * 2 };
    }
    this.paramsByMode.set(mode, out);
    return out;
  }

  /** The desired orders on the grid: model → depth ladder → jitter → caps. */
  desired(inp: PlanInputs): GridOrder[] {
    const model = quoteOnGrid(
      { mid: inp.fair, volatility: inp.sigma, inventoryLots: this.modelInventoryLots(inp.portfolioOrders), targetLots: this.targetLots, maxLots: this.maxLots, minLots: this.minLots, now: inp.now, grid: this.grid },
      this.params(inp.mode),
    );
    // The mid the venue will show once our best quotes rest (its band is measured around it): the
    // inner of its own touch and ours on each side; the fair value without a two-sided book.
    const g = this.grid;
    let bid = inp.touch?.bid;
    let ask = inp.touch?.ask;
    for (const q of model) {
      if (q.level !== 0) continue;
      const p = g.priceFloat(q.ticks);
      if (q.side === 'buy') bid = bid === undefined ? p : Math.max(bid, p);
      else ask = ask === undefined ? p : Math.min(ask, p);
    }
    const venueMid = bid !== undefined && ask !== undefined && bid < ask ? (bid + ask) / 2 : inp.fair;
    const buys = this.side('buy', model, inp, venueMid);
    // Asks always above our own best bid (a ladder moved toward the venue's mid could otherwise meet it).
    let maxBuy = 0;
    for (const b of buys) maxBuy = Math.max(maxBuy, b.ticks);
    return [...buys, ...this.side('sell', model, inp, venueMid, maxBuy + 1)];
  }

  private side(side: Side, model: readonly GridOrder[], inp: PlanInputs, venueMid: number, minSellTicks = 0): GridOrder[] {
    const g = this.grid;
    const depthUnits = inp.mode === 'deepen' ? this.depthUnits.deepen : this.depthUnits.normal;
    const mine = this.withinMaxSpread(side, model.filter((q) => q.side === side), inp.fair);
    // A model may leave a side empty (inventory skew at its limit); the listing's depth obligation
    // still holds, so that side gets a ladder at the other side's distance from the fair value.
    const other = model.find((q) => q.side !== side && q.level === 0);
    const rounding = side === 'buy' ? 'floor' : 'ceil';
    const first = mine[0]?.ticks ?? (other ? g.ticksFromFloat(2 * inp.fair - g.priceFloat(other.ticks), rounding) : undefined);
    if (first === undefined || first <= 0) return [];
    // Counted depth stays a tenth of the band inside its edge (as the ladder does). The venue measures
    // the band around its own mid, which can sit off our fair value: the band's inner edge of the two
    // (the higher bid edge, the lower ask edge) is the one both agree on.
    const limit = this.bandFraction * 0.9;
    const ladderMid = side === 'buy' ? Math.max(inp.fair, venueMid) : Math.min(inp.fair, venueMid);
    const lo = g.ticksFromFloat(ladderMid * (1 - limit), 'ceil');
    const hi = g.ticksFromFloat(ladderMid * (1 + limit), 'floor');
    const inBand = (t: number) => (side === 'buy' ? t >= lo : t <= hi);
    let levels: GridLadderLevel[] = mine.map((q) => ({ level: q.level, side, ticks: q.ticks, lots: q.lots, insideBand: inBand(q.ticks) }));
    let have = 0;
    for (const l of levels) if (l.insideBand) have += g.notional(l.ticks, l.lots);
    let trimExcess = false;
    if (have < depthUnits) {
      const stepPct = inp.mode === 'tighten' ? new D(this.cfg.depth.stepPct).div(2).toFixed() : this.cfg.depth.stepPct;
      const params = { side, mid: ladderMid, grid: g, depthUnits, bandPct: this.cfg.depth.bandPct ?? '2', levels: this.cfg.depth.levels, stepPct };
      let ladder = buildLadderOnGrid({ ...params, firstTicks: first });
      // The model's best price is already beyond the band (a wide, skewed quote): the obligation still
      // holds, so the ladder starts halfway to the band's edge instead of leaving the side without depth.
      if (!ladder.ok) ladder = buildLadderOnGrid({ ...params, firstTicks: g.ticksFromFloat(ladderMid * (side === 'buy' ? 1 - limit / 2 : 1 + limit / 2), rounding) });
      if (ladder.ok) {
        levels = ladder.levels;
        trimExcess = true;
      }
    }
    if (this.jitterOn) {
      let key = `${depthUnits}`;
      for (const l of levels) key += `|${l.ticks}:${l.lots}`;
      const cached = this.jitterCache[side];
      if (cached?.key === key) levels = cached.levels;
      else {
        levels = jitterOnGrid(levels, { pct: this.cfg.sizeJitterPct, grid: g, depthUnits, trimExcess }, this.rng);
        this.jitterCache[side] = { key, levels };
      }
    }
    levels = this.passiveOfTouch(side, levels, inp.touch, minSellTicks);
    // Caps: inventory limits (cumulative, as the models do) and the quote balance for bids.
    let room = side === 'buy' ? this.buyRoomLots : this.sellRoomLots;
    let quoteLeft = this.quoteUnits;
    const out: GridOrder[] = [];
    for (const l of levels) {
      let lots = Math.min(l.lots, room);
      if (side === 'buy') lots = Math.min(lots, lotsAffordable(quoteLeft, l.ticks));
      if (lots <= 0 || g.notional(l.ticks, lots) < g.minNotionalUnits) continue;
      room -= lots;
      if (side === 'buy') quoteLeft -= g.notional(l.ticks, lots);
      out.push({ side, ticks: l.ticks, lots, level: out.length });
    }
    return out;
  }

  /** A side's model quotes moved toward the fair value (spacing kept) so the best one is inside the spread cap. */
  private withinMaxSpread(side: Side, mine: GridOrder[], fair: number): GridOrder[] {
    if (this.cfg.maxSpreadPct === undefined || mine.length === 0) return mine;
    const g = this.grid;
    const h = (Number(this.cfg.maxSpreadPct) / 100) * 0.45;
    if (side === 'buy') {
      const best = Math.max(...mine.map((q) => q.ticks));
      const shift = g.ticksFromFloat(fair * (1 - h), 'ceil') - best;
      return shift > 0 ? mine.map((q) => ({ ...q, ticks: q.ticks + shift })) : mine;
    }
    const best = Math.min(...mine.map((q) => q.ticks));
    const shift = best - g.ticksFromFloat(fair * (1 + h), 'floor');
    return shift > 0 ? mine.map((q) => ({ ...q, ticks: q.ticks - shift })) : mine;
  }

  /** The side's ladder moved (spacing kept) so that its best level rests one tick passive of the venue's touch (asks: and above `minSellTicks`). */
  private passiveOfTouch(side: Side, levels: GridLadderLevel[], touch: PlanInputs['touch'], minSellTicks: number): GridLadderLevel[] {
    const g = this.grid;
    if (levels.length === 0) return levels;
    if (side === 'sell') {
      const lowest = Math.min(...levels.map((l) => l.ticks));
      const floor = Math.max(minSellTicks, touch?.bid !== undefined ? g.ticksFromFloat(touch.bid, 'floor') + 1 : 0);
      const shift = floor - lowest;
      if (shift > 0) return levels.map((l) => ({ ...l, ticks: l.ticks + shift }));
    }
    if (side === 'buy' && touch?.ask !== undefined) {
      const highest = Math.max(...levels.map((l) => l.ticks));
      const shift = highest - (g.ticksFromFloat(touch.ask, 'ceil') - 1);
      if (shift > 0) return levels.map((l) => ({ ...l, ticks: l.ticks - shift })).filter((l) => l.ticks > 0);
    }
    return levels;
  }

  /** A side whose kept + placed orders inside the band fall short of the requirement (but are not empty). */
  private shortOfDepth(diff: { actions: readonly GridAction[]; kept: readonly { clientOrderId: string }[] }, inp: PlanInputs): boolean {
    const g = this.grid;
    const lo = g.ticksFromFloat(inp.fair * (1 - this.bandFraction), 'ceil');
    const hi = g.ticksFromFloat(inp.fair * (1 + this.bandFraction), 'floor');
    const total = { buy: 0, sell: 0 };
    const add = (side: Side, ticks: number, lots: number) => {
      if (ticks >= lo && ticks <= hi) total[side] += g.notional(ticks, lots);
    };
    const byId = new Map(inp.live.map((o) => [o.clientOrderId, o]));
    for (const k of diff.kept) {
      const o = byId.get(k.clientOrderId);
      if (o) add(o.side, o.ticks, o.lots);
    }
    for (const a of diff.actions) if (a.type === 'place') add(a.side, a.ticks, a.lots);
    const need = inp.mode === 'deepen' ? this.depthUnits.deepen : this.depthUnits.normal;
    // Only a shortfall the desired quotes themselves would fix counts (inventory caps can cut a side).
    return total.buy < need && total.buy > 0 ? true : total.sell < need && total.sell > 0;
  }
}
