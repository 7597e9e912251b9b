// Push streams (book, public trades) of a simulated exchange, like its websocket feed: engine events
// are coalesced per instant, captured, and delivered after a one-way network latency through the
// clock, in order (a TCP stream never reorders). Faults: during an outage the stream reports one
// error and falls silent; with a stale book nothing new is pushed; a fresh snapshot follows either.
import { VenueError } from '../../venues/venue-errors';
import type { Clock } from '../../domain/clock';
import type { BookView, EngineTrade, MatchingEngineApi } from '../engine/engine.types';
import type { FaultInjector } from './fault-injector';

export type Unsubscribe = () => void;

export interface MarketStreamDeps {
  exchangeId: string;
  engine: MatchingEngineApi;
  clock: Clock;
  faults: FaultInjector;
  /** One-way latency sample, ms. */
  latency: () => number;
}

/** Delivers callbacks after a latency without overtaking earlier deliveries of the same stream. */
class OrderedChannel {
  private lastAt = -Infinity;
  private readonly cancels = new Set<() => void>();

  constructor(
    private readonly clock: Clock,
    private readonly latency: () => number,
  ) {}

  send(fn: () => void): void {
    const now = this.clock.now();
    const at = Math.max(now + this.latency(), this.lastAt);
    this.lastAt = at;
    const cancel = this.clock.schedule(at - now, () => {
      this.cancels.delete(cancel);
      fn();
    });
    this.cancels.add(cancel);
  }

  close(): void {
    for (const c of this.cancels) c();
    this.cancels.clear();
  }
}

export class MarketStreams {
  constructor(private readonly deps: MarketStreamDeps) {}

  /** Book snapshots (`depth` levels a side) after every change, and one on subscribe. */
  watchBook(depth: number, onBook: (book: BookView) => void, onError: (e: Error) => void): Unsubscribe {
    const { engine, clock, faults } = this.deps;
    const channel = new OrderedChannel(clock, this.deps.latency);
    let closed = false;
    let captureScheduled = false;
    const silent = (): boolean => closed || faults.isActive('outage') || faults.isActive('staleBook');
    const capture = (): void => {
      if (captureScheduled || silent()) return;
      captureScheduled = true;
      // Zero delay: every change at this instant is in the one snapshot taken after them.
      clock.schedule(0, () => {
        captureScheduled = false;
        if (silent()) return;
        const view = engine.book(depth);
        channel.send(() => {
          if (!closed && !faults.isActive('outage')) onBook(view);
        });
      });
    };
    const offEngine = engine.subscribe({ onBookChange: capture });
    const offFaults = faults.onChange((kind, active) => this.onFault(kind, active, channel, capture, onError, () => closed));
    capture();
    return () => {
      closed = true;
      offEngine();
      offFaults();
      channel.close();
    };
  }

  /** Public trades, batched per instant. */
  watchTrades(onTrades: (trades: EngineTrade[]) => void, onError: (e: Error) => void): Unsubscribe {
    const { engine, clock, faults } = this.deps;
    const channel = new OrderedChannel(clock, this.deps.latency);
    let closed = false;
    let batch: EngineTrade[] | undefined;
    const onTrade = (t: EngineTrade): void => {
      if (closed || faults.isActive('outage')) return; // trades during an outage are only in REST history
      if (batch) {
        batch.push(t);
        return;
      }
      batch = [t];
      clock.schedule(0, () => {
        const trades = batch ?? [];
        batch = undefined;
        channel.send(() => {
          if (!closed && !faults.isActive('outage')) onTrades(trades);
        });
      });
    };
    const offEngine = engine.subscribe({ onTrade });
    const offFaults = faults.onChange((kind, active) => this.onFault(kind, active, channel, () => undefined, onError, () => closed));
    return () => {
      closed = true;
      offEngine();
      offFaults();
      channel.close();
    };
  }

  private onFault(kind: string, active: boolean, channel: OrderedChannel, refresh: () => void, onError: (e: Error) => void, closed: () => boolean): void {
    if (closed()) return;
    if (kind === 'outage' && active) {
      channel.send(() => onError(new VenueError('VENUE.UNAVAILABLE', this.deps.exchangeId, 'stream disconnected (outage)')));
    }
    if ((kind === 'outage' || kind === 'staleBook') && !active) refresh();
  }
}
