// Price-action activities: the I/O behind `buyback` and `liquidation` (workflows/price-action.workflow.ts).
// - priceActionView: what the executor sees of each CEX venue — the public book with Ballast's own
//   open orders taken out (independent levels), Ballast's own best bid/ask, the last trade that was
//   not ours, independent volume over the participation window — and the cross-venue fair value
//   (domain/signals/fair-value.ts, robust to a thin or stale venue) with σ from the venues' tapes.
// - placeChildOrders: the budget is checked AGAIN here, from the worker's own config (rolling 24 h over
//   every execution, from the ledger) and a fresh fair value — whatever the workflow asked. Each order
//   is looked up by its client id first, so a retry after a crash never places it twice.
// - settleChildOrders: cancel what is left, read each order's fills, book them in the ledger keyed
//   `<workflowId>:s<k>` (a retry books nothing twice).
// Pool swaps are planned by the executor but not sent live yet: the legs are refused here (never
// silently dropped), and the planner is given CEX venues only (see priceActionView).
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { BallastConfig } from '../domain/config.schema';
import { D, fmt } from '../domain/money';
import { PRICE_ACTION_ORDER_PREFIX, type ChildOrder, type MarketView, type SliceFill, type VenueView } from '../domain/price-action/executor';
import { computeFairValue } from '../domain/signals/fair-value';
import type { VenueAdapter, VenueOrder } from '../venues/venue.port';
import { isVenueError } from '../venues/venue-errors';
import type { LedgerStore } from './ledger-store';

export interface PriceActionDeps {
  config: BallastConfig;
  /** A limit-order adapter for a venue id (ccxt; for sim venues the emulator), kept for the worker's life. */
  tradeVenue(venueId: string): VenueAdapter & { publicTrades?(sinceMs: number): Promise<{ id: string; price: number; amount: number; timestamp: number }[]> };
  ledger: LedgerStore;
  now(): number;
  logger: Logger;
}

const DAY_MS = 86_400_000;

function fail(code: string, message: string): never {
  throw ApplicationFailure.nonRetryable(message, code);
}

const ChildOrderSchema = z
  .object({
    venue: z.string().min(1),
    clientOrderId: z.string().startsWith(PRICE_ACTION_ORDER_PREFIX),
    side: z.enum(['buy', 'sell']),
    type: z.enum(['ioc', 'passive', 'swap']),
    price: z.string(),
    amount: z.string(),
    worstPrice: z.string().optional(),
    deadlineSec: z.number().optional(),
  })
  .strict();

export function createPriceActionActivities(deps: PriceActionDeps) {
  const cfg = deps.config;
  const cexVenues = () => cfg.venues.filter((v) => v.kind !== 'amm').map((v) => v.id);

  function limits() {
    return { dailyUsd: cfg.priceAction.dailyUsd, episodeUsd: cfg.priceAction.episodeUsd, approvalThresholdUsd: cfg.priceAction.approvalThresholdUsd };
  }

  /** USD booked by every price-action execution over the rolling 24 h (from the ledger). */
  async function spentLastDay(now: number): Promise<InstanceType<typeof D>> {
    return new D(await deps.ledger.sumUsd('trade', now - DAY_MS));
  }

  async function view(input: { asset: string; venues?: string[]; windowMs: number; stepSinceMs?: number }): Promise<MarketView> {
    const now = deps.now();
    const ids = cexVenues().filter((id) => !input.venues || input.venues.includes(id));
    const out: VenueView[] = [];
    const prices: Parameters<typeof computeFairValue>[0][number][] = [];
    const tapes: { t: number; p: number }[] = [];
    for (const id of ids) {
      const a = deps.tradeVenue(id);
      try {
        const rules = await a.loadMarket();
        const [book, open, mine] = await Promise.all([a.fetchOrderBook(50), a.fetchOpenOrders ? a.fetchOpenOrders() : Promise.resolve([] as VenueOrder[]), a.fetchMyTrades ? a.fetchMyTrades(now - input.windowMs) : Promise.resolve([])]);
        const ours = new Map<string, number>();
        let ownBestBid: number | undefined;
        let ownBestAsk: number | undefined;
        for (const o of open) {
          const left = Number(o.amount) - Number(o.filled);
          const key = `${o.side}|${new D(o.price).toString()}`;
          ours.set(key, (ours.get(key) ?? 0) + left);
          const p = Number(o.price);
          // Own quotes (not this service's own resting orders) are what a slice must never meet.
          if (o.clientOrderId?.startsWith(PRICE_ACTION_ORDER_PREFIX)) continue;
          if (o.side === 'buy') ownBestBid = ownBestBid === undefined ? p : Math.max(ownBestBid, p);
          else ownBestAsk = ownBestAsk === undefined ? p : Math.min(ownBestAsk, p);
        }
        const independent = (side: 'buy' | 'sell', levels: { price: string; amount: string }[]) =>
          levels.map((l) => ({ price: Number(l.price), amount: Number(l.amount) - (ours.get(`${side}|${new D(l.price).toString()}`) ?? 0) })).filter((l) => l.amount > 1e-12);
        const bids = independent('buy', book.bids);
        const asks = independent('sell', book.asks);
        const mineIds = new Set(mine.map((f) => f.tradeId));
        const trades = a.publicTrades ? (await a.publicTrades(now - input.windowMs)).filter((t) => !mineIds.has(t.id)) : [];
        const volume = trades.reduce((s, t) => s + t.amount, 0);
        const step = input.stepSinceMs !== undefined ? trades.filter((t) => t.timestamp > input.stepSinceMs!).reduce((s, t) => s + t.amount, 0) : 0;
        const last = trades.length ? trades.reduce((x, y) => (y.timestamp >= x.timestamp ? y : x)) : undefined;
        for (const t of trades) tapes.push({ t: t.timestamp, p: t.price });
        out.push({
          venue: id,
          kind: 'cex',
          tickSize: rules.tickSize,
          lotSize: rules.lotSize,
          minNotional: rules.minNotional,
          takerFee: Number(rules.takerFee),
          bids,
          asks,
          ...(ownBestBid !== undefined ? { ownBestBid } : {}),
          ...(ownBestAsk !== undefined ? { ownBestAsk } : {}),
          ...(last ? { lastIndependentTrade: last.price } : {}),
          independentVolume: volume,
          stepVolume: step,
        });
        const bb = book.bids[0]?.price;
        const ba = book.asks[0]?.price;
        if (bb !== undefined && ba !== undefined) prices.push({ venueId: id, kind: 'cex', bestBid: bb, bestAsk: ba, volume: volume * Number(bb), lastUpdate: now, healthy: true, fee: rules.takerFee });
      } catch (e) {
        // A venue that cannot be read this step is left out of this step (never guessed at).
        deps.logger.warn({ venue: id, err: e instanceof Error ? e.message : String(e) }, 'price action: venue left out of this step');
      }
    }
    const fv = computeFairValue(prices, { now, maxAgeMs: 60_000 });
    const fair = fv.ok ? fv.fairValue : 0;
    // σ (price per √s) from the independent tapes: RMS of log changes between consecutive trades, per second.
    tapes.sort((x, y) => x.t - y.t);
    let ss = 0;
    let dt = 0;
    for (let i = 1; i < tapes.length; i++) {
      const r = Math.log(tapes[i]!.p / tapes[i - 1]!.p);
      ss += r * r;
      dt += Math.max(0, tapes[i]!.t - tapes[i - 1]!.t) / 1000;
    }
    const sigma = dt > 0 ? fair * Math.sqrt(ss / dt) : 0;
    return { nowMs: now, fair, sigmaPerSqrtSec: Number.isFinite(sigma) ? sigma : 0, venues: out };
  }

  return {
    /** The worker's own limits for price action (recorded in history: the workflow plans with them). */
    async priceActionLimits(): Promise<{ dailyUsd: string; episodeUsd: string; approvalThresholdUsd: string; spentLastDayUsd: string }> {
      return { ...limits(), spentLastDayUsd: fmt(await spentLastDay(deps.now())) };
    },

    async priceActionView(input: { asset: string; venues?: string[]; windowMs: number; stepSinceMs?: number }): Promise<MarketView> {
      if (input.asset !== cfg.asset.symbol) fail('PRICE_ACTION.UNKNOWN_ASSET', `asset "${input.asset}" is not this deployment's token (${cfg.asset.symbol})`);
      const v = await view(input);
      if (!(v.fair > 0)) throw new Error('no cross-venue fair value now (no venue with a two-sided book)');
      return v;
    },

    /**
     * Places a slice's child orders, each idempotent by client id. Refuses the whole slice when its
     * notional at a fresh fair value would take the 24 h spend over the worker's daily limit, or the
     * execution over the episode limit.
     */
    async placeChildOrders(input: { workflowId: string; asset: string; k: number; orders: ChildOrder[]; episodeSpentUsd: string }): Promise<{ placed: { clientOrderId: string; venueOrderId?: string; status: string }[] }> {
      const orders = z.array(ChildOrderSchema).parse(input.orders);
      const swaps = orders.filter((o) => o.type === 'swap');
      if (swaps.length) fail('PRICE_ACTION.SWAP_NOT_SUPPORTED', `pool swaps are not sent by the live worker yet (${swaps.map((s) => s.venue).join(', ')})`);
      const fresh = await view({ asset: input.asset, windowMs: 60_000 });
      if (!(fresh.fair > 0)) throw new Error('no fair value to check the budget against');
      const notional = orders.reduce((a, o) => a.plus(new D(o.amount).times(new D(fresh.fair).toSignificantDigits(12))), new D(0));
      const now = deps.now();
      const already = await deps.ledger.get(`${input.workflowId}:s${input.k}`);
      if (!already) {
        const day = (await spentLastDay(now)).plus(notional);
        if (day.gt(cfg.priceAction.dailyUsd)) fail('PRICE_ACTION.DAILY_BUDGET', `slice ${input.k}: ${fmt(notional, 2)} USD at fair value would take the last 24 h to ${fmt(day, 2)} USD, over priceAction.dailyUsd ${cfg.priceAction.dailyUsd}`);
        const ep = new D(input.episodeSpentUsd).plus(notional);
        if (ep.gt(cfg.priceAction.episodeUsd)) fail('PRICE_ACTION.EPISODE_BUDGET', `slice ${input.k}: ${fmt(ep, 2)} USD would exceed priceAction.episodeUsd ${cfg.priceAction.episodeUsd}`);
      }
      const placed: { clientOrderId: string; venueOrderId?: string; status: string }[] = [];
      for (const o of orders) {
        const a = deps.tradeVenue(o.venue);
        if (!a.submitOrder || !a.fetchOrder) fail('PRICE_ACTION.NOT_SUPPORTED', `venue "${o.venue}" takes no limit orders`);
        const seen = await a.fetchOrder({ clientOrderId: o.clientOrderId });
        if (seen) {
          placed.push({ clientOrderId: o.clientOrderId, venueOrderId: seen.venueOrderId, status: seen.status });
          continue;
        }
        try {
          const v = await a.submitOrder({ clientOrderId: o.clientOrderId, side: o.side, price: o.price, amount: o.amount, postOnly: o.type === 'passive', timeInForce: o.type === 'ioc' ? 'IOC' : 'GTC' });
          placed.push({ clientOrderId: o.clientOrderId, venueOrderId: v.venueOrderId, status: v.status });
        } catch (e) {
          // A post-only order that would cross, or one below the venue's minimums: this leg is skipped.
          if (isVenueError(e) && ['VENUE.POST_ONLY_WOULD_CROSS', 'VENUE.INVALID_ORDER', 'VENUE.INSUFFICIENT_FUNDS'].includes(e.code)) {
            placed.push({ clientOrderId: o.clientOrderId, status: `rejected: ${e.code}` });
            continue;
          }
          throw e;
        }
      }
      Context.current().heartbeat();
      return { placed };
    },

    /** Cancels what is left of a slice's orders, reads their fills and books them (once) in the ledger. */
    async settleChildOrders(input: { workflowId: string; asset: string; k: number; orders: ChildOrder[]; fair: number }): Promise<{ fills: SliceFill[] }> {
      const orders = z.array(ChildOrderSchema).parse(input.orders);
      const id = `${input.workflowId}:s${input.k}`;
      const booked = await deps.ledger.get(id);
      if (booked?.note) return { fills: (JSON.parse(booked.note) as { fills: SliceFill[] }).fills };
      const fills: SliceFill[] = [];
      for (const o of orders) {
        const a = deps.tradeVenue(o.venue);
        let ord = await a.fetchOrder!({ clientOrderId: o.clientOrderId });
        if (ord && (ord.status === 'open' || ord.status === 'partially_filled')) {
          try {
            await a.cancelOrder!({ clientOrderId: o.clientOrderId, venueOrderId: ord.venueOrderId });
          } catch (e) {
            if (!isVenueError(e, 'VENUE.ORDER_NOT_FOUND')) throw e;
          }
          ord = await a.fetchOrder!({ clientOrderId: o.clientOrderId });
        }
        if (!ord || new D(ord.filled).lte(0)) continue;
        // Fill prices and fees from the venue's trade list for this order (the order's limit otherwise).
        const mine = a.fetchMyTrades ? (await a.fetchMyTrades(deps.now() - 2 * 3_600_000)).filter((f) => f.venueOrderId === ord.venueOrderId) : [];
        const rules = await a.loadMarket();
        let quote = new D(0);
        let fee = new D(0);
        let base = new D(0);
        for (const f of mine) {
          base = base.plus(f.amount);
          quote = quote.plus(new D(f.amount).times(f.price));
          fee = fee.plus(f.feeAsset === rules.base ? new D(f.fee).times(f.price) : f.fee);
        }
        if (base.lt(ord.filled)) {
          const rest = new D(ord.filled).minus(base);
          quote = quote.plus(rest.times(ord.price));
          fee = fee.plus(rest.times(ord.price).times(o.type === 'passive' ? rules.makerFee : rules.takerFee));
          base = new D(ord.filled);
        }
        fills.push({ venue: o.venue, base: fmt(base), quote: fmt(quote), feeQuote: fmt(fee) });
      }
      const filled = fills.reduce((a, f) => a.plus(f.base), new D(0));
      const usd = filled.times(new D(input.fair).toSignificantDigits(12));
      const now = deps.now();
      await deps.ledger.append({
        id,
        at: now,
        day: new Date(now).toISOString().slice(0, 10),
        workflowId: input.workflowId,
        kind: 'trade',
        asset: input.asset,
        amount: fmt(filled),
        amountUsd: fmt(usd, 6),
        note: JSON.stringify({ fills }),
      });
      return { fills };
    },

    /** The execution's final report in the ledger (once per workflow). */
    async recordExecution(input: { workflowId: string; asset: string; filledBase: string; budgetUsedUsd: string; report: unknown }): Promise<void> {
      const now = deps.now();
      await deps.ledger.append({
        id: `${input.workflowId}:execution`,
        at: now,
        day: new Date(now).toISOString().slice(0, 10),
        workflowId: input.workflowId,
        kind: 'execution',
        asset: input.asset,
        amount: input.filledBase,
        amountUsd: input.budgetUsedUsd,
        note: JSON.stringify(input.report).slice(0, 4000),
      });
    },
  };
}

export type PriceActionActivities = ReturnType<typeof createPriceActionActivities>;
