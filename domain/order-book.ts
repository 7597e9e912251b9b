import { z } from 'zod';
import { zPositiveDecimal } from './money';

/** One price level; price and amount (base units) as decimal strings. */
export const BookLevelSchema = z.object({ price: zPositiveDecimal, amount: zPositiveDecimal });
export type BookLevel = z.output<typeof BookLevelSchema>;

/** An order book snapshot as it crosses a boundary: bids best-first (descending), asks best-first (ascending). */
export const OrderBookSnapshotSchema = z.object({
  venue: z.string().min(1),
  market: z.string().min(1),
  /** Venue time of the snapshot, epoch milliseconds. */
  timestamp: z.number().int().nonnegative(),
  bids: z.array(BookLevelSchema),
  asks: z.array(BookLevelSchema),
});
export type OrderBookSnapshot = z.output<typeof OrderBookSnapshotSchema>;
