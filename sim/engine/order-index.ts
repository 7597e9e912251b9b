// Order number → node, for sequential order numbers: chunks of 4096 slots indexed directly, which is
// several times cheaper than a Map on the hot path. A chunk is dropped once every order in it is gone,
// so memory follows the live orders (plus one pointer per 4096 orders ever placed).
import type { OrderNode } from './book-side';

const CHUNK = 4096;

export class OrderIndex {
  private readonly chunks: (OrderNode[] | undefined)[] = [];
  private readonly live: number[] = [];
  private size = 0;

  get count(): number {
    return this.size;
  }

  /** `id` must be greater than every id set before (order numbers come from a counter). */
  add(id: number, node: OrderNode): void {
    const c = Math.floor(id / CHUNK);
    let chunk = this.chunks[c];
    if (chunk === undefined) {
      while (this.chunks.length < c) {
        this.chunks.push(undefined);
        this.live.push(0);
      }
      chunk = new Array<OrderNode>(CHUNK);
      this.chunks[c] = chunk;
      this.live[c] = 0;
      // The previous chunk is now complete; if it already emptied, drop it.
      if (c > 0 && this.live[c - 1] === 0) this.chunks[c - 1] = undefined;
    }
    chunk[id - c * CHUNK] = node;
    this.live[c]!++;
    this.size++;
  }

  get(id: number): OrderNode | undefined {
    if (!(id >= 0)) return undefined;
    const c = Math.floor(id / CHUNK);
    const chunk = this.chunks[c];
    return chunk === undefined ? undefined : chunk[id - c * CHUNK];
  }

  delete(id: number): void {
    const c = Math.floor(id / CHUNK);
    const chunk = this.chunks[c];
    if (chunk === undefined) return;
    const j = id - c * CHUNK;
    if (chunk[j] === undefined) return;
    chunk[j] = undefined as unknown as OrderNode;
    this.size--;
    // Free the chunk when it is empty and no later id can land in it (a newer chunk exists).
    if (--this.live[c]! === 0 && c < this.chunks.length - 1) this.chunks[c] = undefined;
  }
}
