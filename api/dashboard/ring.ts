// The last N events by increasing id, for SSE resumption: a client that reconnects with
// Last-Event-ID gets exactly the events after it, or (when they are no longer all here, or the id is
// not one of ours) nothing to replay, and the caller sends the latest state instead.

export class EventRing<T extends { seq: number }> {
  private readonly items: T[] = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  push(item: T): void {
    const last = this.items.at(-1);
    if (last && item.seq <= last.seq) throw new RangeError(`event ids must increase: ${item.seq} after ${last.seq}`);
    this.items.push(item);
    if (this.items.length > this.capacity) this.items.shift();
  }

  latest(): T | undefined {
    return this.items.at(-1);
  }

  /**
   * Events after `lastId`, oldest first: [] when the client is up to date; undefined when they cannot
   * all be replayed (some were dropped, or the id is ahead of ours: another server's life).
   */
  after(lastId: number): T[] | undefined {
    const latest = this.items.at(-1);
    if (!latest) return undefined;
    if (lastId === latest.seq) return [];
    if (lastId > latest.seq) return undefined;
    const first = this.items[0]!;
    // Events lastId+1 … are all here only if the oldest kept one is at most lastId+1.
    if (first.seq > lastId + 1) return undefined;
    return this.items.filter((e) => e.seq > lastId);
  }

  get size(): number {
    return this.items.length;
  }
}
