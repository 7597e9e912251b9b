// The AMM pool's implied order book, read every few seconds: what its market-quality metrics (depth
// per band and side, spread, mid, feed age) measure with computeBookMetrics, as the compliance check
// measures the pool through the same venue's fetchOrderBook. The pool liquidity provider acts only
// every checkEveryMs (30 s); this keeps the pool's figures as fresh as the exchanges'.
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock';
import type { OrderBookSnapshot } from '../domain/order-book';

export interface PoolBookSource {
  readonly id: string;
  fetchOrderBook(limit?: number): Promise<OrderBookSnapshot>;
}

export interface PoolBookWatcherOptions {
  clock: Clock;
  venue: PoolBookSource;
  everyMs?: number;
  /** Levels of the implied book (the compliance check reads 50). */
  levels?: number;
  logger?: Logger;
}

export class PoolBookWatcher {
  book?: OrderBookSnapshot;
  /** Epoch ms when the book was read. */
  bookAt?: number;
  /** False after a failed read, until the next success. */
  healthy = false;
  private cancel?: () => void;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly o: PoolBookWatcherOptions) {}

  get venueId(): string {
    return this.o.venue.id;
  }

  /** Reads once now, then every everyMs (chained: a slow read never overlaps the next). */
  async start(): Promise<void> {
    await this.poll();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.cancel?.();
    this.cancel = undefined;
    await this.inFlight;
  }

  async poll(): Promise<void> {
    const run = (async () => {
      try {
        const book = await this.o.venue.fetchOrderBook(this.o.levels ?? 50);
        this.book = book;
        this.bookAt = this.o.clock.now();
        this.healthy = true;
      } catch (e) {
        if (this.healthy) this.o.logger?.warn({ venue: this.o.venue.id, err: e }, 'pool book read failed');
        this.healthy = false;
      }
    })();
    this.inFlight = run;
    await run;
  }

  private schedule(): void {
    this.cancel = this.o.clock.schedule(this.o.everyMs ?? 2_000, () => {
      void this.poll().finally(() => {
        if (this.cancel) this.schedule();
      });
    });
  }
}
