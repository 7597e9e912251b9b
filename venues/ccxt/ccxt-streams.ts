// ccxt.pro streams as the port's push callbacks: one loop per subscription awaits the next update,
// converts and validates it, and on failure reports a VenueError and retries with backoff (ccxt
// reconnects the websocket on the next watch call).
import type { Exchange } from 'ccxt';
import type { OrderBookSnapshot } from '../../domain/order-book';
import type { VenueError } from '../venue-errors';
import type { PublicTrade, Unsubscribe } from '../venue.port';
import { toBook, toPublicTrade, type Precision } from './ccxt-parse';

export interface CcxtStreamsDeps {
  venue: string;
  exchange: Exchange;
  symbol: string;
  /** Markets loaded (and the ws agent ready) before the first watch. */
  ready: () => Promise<unknown>;
  translate: (e: unknown, op: string) => VenueError;
  now: () => number;
  /** Levels a side delivered. */
  depth: number;
  reconnectMs: { min: number; max: number };
}

export class CcxtStreams {
  private readonly stops = new Set<() => void>();

  constructor(private readonly d: CcxtStreamsDeps) {}

  watchOrderBook(precision: () => Promise<Precision>, onBook: (b: OrderBookSnapshot) => void, onError: (e: Error) => void): Unsubscribe {
    const { exchange, symbol, venue } = this.d;
    let first = true;
    return this.loop(
      'watchOrderBook',
      async () => {
        // A book ccxt already keeps (another subscriber, or an earlier one) is the current state:
        // hand it out at once instead of waiting for the next change.
        const kept = (exchange.orderbooks as Record<string, { nonce?: unknown } | undefined>)[symbol];
        if (first && kept?.nonce !== undefined) {
          first = false;
          return kept as Awaited<ReturnType<Exchange['watchOrderBook']>>;
        }
        first = false;
        return exchange.watchOrderBook(symbol);
      },
      (ob, p) => {
        const book = toBook(ob, { venue, what: 'watchOrderBook', p, limit: this.d.depth });
        return () => onBook({ venue, market: symbol, timestamp: book.timestamp ?? this.d.now(), bids: book.bids, asks: book.asks });
      },
      precision,
      onError,
    );
  }

  watchTrades(precision: () => Promise<Precision>, onTrades: (t: PublicTrade[]) => void, onError: (e: Error) => void): Unsubscribe {
    const { exchange, symbol, venue } = this.d;
    return this.loop(
      'watchTrades',
      () => exchange.watchTrades(symbol),
      (ts, p) => {
        // ccxt.pro hands out only the trades new since the previous call (newUpdates).
        const trades = ts.map((t) => toPublicTrade(t, { venue, p }));
        return () => onTrades(trades);
      },
      precision,
      onError,
    );
  }

  /**
   * `convert` validates an update and returns the delivery; a conversion failure is the venue's
   * (BAD_RESPONSE), an exception from the subscriber's own callback is passed on unchanged.
   */
  private loop<T>(
    op: string,
    watch: () => Promise<T>,
    convert: (v: T, p: Precision) => () => void,
    precision: () => Promise<Precision>,
    onError: (e: Error) => void,
  ): Unsubscribe {
    let stopped = false;
    let wake: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const pause = (ms: number): Promise<void> =>
      new Promise((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, ms);
        timer.unref();
      });
    const run = async (): Promise<void> => {
      let delay = this.d.reconnectMs.min;
      while (!stopped) {
        let deliver: (() => void) | undefined;
        try {
          await this.d.ready();
          const p = await precision();
          const update = await watch();
          if (stopped) return;
          deliver = convert(update, p);
          delay = this.d.reconnectMs.min;
        } catch (e) {
          if (stopped) return;
          onError(this.d.translate(e, op));
          await pause(delay);
          delay = Math.min(delay * 2, this.d.reconnectMs.max);
          continue;
        }
        try {
          deliver();
        } catch (e) {
          onError(e instanceof Error ? e : new Error(String(e)));
        }
      }
    };
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
      this.stops.delete(stop);
      // No unWatch*: ccxt's unsubscribe races a new watch of the same symbol (rejecting it) and can
      // send on a socket that is already closed (an unhandled rejection inside ccxt). The ccxt
      // subscription stays until close(); a later watch of the same symbol reuses it.
    };
    this.stops.add(stop);
    run().catch((e: unknown) => onError(this.d.translate(e, op)));
    return stop;
  }

  stopAll(): void {
    for (const stop of [...this.stops]) stop();
  }
}
