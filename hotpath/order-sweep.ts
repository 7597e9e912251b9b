// The quoting worker's start-up sweep: orders an earlier run left resting (a crash, a kill -9, a
// shutdown whose cancels failed) are found on the venue by the quoter's client-id prefix and
// cancelled before the new run quotes. Only the quoter's own ids: price-action child orders (`pa-`,
// owned by running buyback / liquidation workflows) and anything else in the account stay.
import type { Logger } from 'pino';
import { PRICE_ACTION_ORDER_PREFIX } from '../domain/price-action/executor';
import { isVenueError } from '../venues/venue-errors';
import type { VenueAdapter } from '../venues/venue.port';

/** Every client order id the quoting worker sends starts with this (then the run id and the venue). */
export const QUOTER_ORDER_PREFIX = 'bq';

/** Client-id prefix of one quoting run on one venue: `bq<runId><venue[0..3]>`. */
export const quoterClientIdPrefix = (runId: string, venueId: string) => `${QUOTER_ORDER_PREFIX}${runId}${venueId.slice(0, 3)}`;

/** True for an order id the quoting worker made (of any run). */
export const isQuoterOrderId = (clientOrderId: string | undefined): clientOrderId is string =>
  clientOrderId !== undefined && clientOrderId.startsWith(QUOTER_ORDER_PREFIX) && !clientOrderId.startsWith(PRICE_ACTION_ORDER_PREFIX);

export interface SweepReport {
  venueId: string;
  /** The quoter's orders found resting at the start. */
  found: string[];
  canceled: string[];
  /** Still resting after the sweep (the cancel failed, or the venue still lists it), with why. */
  left: { clientOrderId: string; error: string }[];
  /** Resting orders of the account that are not the quoter's (price action, manual): left alone. */
  untouched: number;
}

/**
 * Cancels the quoter's resting orders on one venue, going on past failures; then lists the open
 * orders again so `left` is what the venue still shows, not what we hoped.
 */
export async function sweepQuoterOrders(adapter: VenueAdapter, opts: { logger?: Logger; /** Narrower than the quoter's (one run's): default every run's. */ prefix?: string } = {}): Promise<SweepReport> {
  if (!adapter.fetchOpenOrders || !adapter.cancelOrder) return { venueId: adapter.id, found: [], canceled: [], left: [], untouched: 0 };
  const open = await adapter.fetchOpenOrders();
  const ours = open.filter((o) => isQuoterOrderId(o.clientOrderId) && o.clientOrderId.startsWith(opts.prefix ?? QUOTER_ORDER_PREFIX));
  const report: SweepReport = { venueId: adapter.id, found: ours.map((o) => o.clientOrderId!), canceled: [], left: [], untouched: open.length - ours.length };
  const failed = new Map<string, string>();
  for (const o of ours) {
    try {
      await adapter.cancelOrder({ clientOrderId: o.clientOrderId!, venueOrderId: o.venueOrderId });
    } catch (e) {
      // Gone meanwhile (filled or cancelled): nothing to do.
      if (!isVenueError(e, 'VENUE.ORDER_NOT_FOUND')) failed.set(o.clientOrderId!, e instanceof Error ? e.message : String(e));
    }
  }
  if (ours.length > 0) {
    const still = new Set((await adapter.fetchOpenOrders()).map((o) => o.clientOrderId));
    for (const id of report.found) {
      if (still.has(id)) report.left.push({ clientOrderId: id, error: failed.get(id) ?? 'still listed open after the cancel' });
      else report.canceled.push(id);
    }
  }
  if (report.found.length > 0) opts.logger?.warn({ venue: adapter.id, found: report.found.length, canceled: report.canceled.length, left: report.left }, 'order sweep: cancelled resting quoter orders');
  return report;
}
