// Public trades of the market in a fixed-size ring of typed arrays: recording a trade allocates
// nothing; strings are made only when someone reads recentTrades.
import type { SideCode } from './book-side';

export interface TradeRecord {
  tradeNo: number;
  price: number;
  lots: number;
  takerSide: SideCode;
  makerIndex: number;
  takerIndex: number;
  timestamp: number;
}

export class TradeRing {
  private readonly no: Float64Array;
  private readonly price: Float64Array;
  private readonly lots: Float64Array;
  private readonly ts: Float64Array;
  private readonly takerSide: Uint8Array;
  private readonly maker: Int32Array;
  private readonly taker: Int32Array;
  private next = 0;
  private count = 0;

  constructor(private readonly capacity: number) {
    this.no = new Float64Array(capacity);
    this.price = new Float64Array(capacity);
    this.lots = new Float64Array(capacity);
    this.ts = new Float64Array(capacity);
    this.takerSide = new Uint8Array(capacity);
    this.maker = new Int32Array(capacity);
    this.taker = new Int32Array(capacity);
  }

  push(tradeNo: number, price: number, lots: number, takerSide: SideCode, makerIndex: number, takerIndex: number, ts: number): void {
    const i = this.next;
    this.no[i] = tradeNo;
    this.price[i] = price;
    this.lots[i] = lots;
    this.takerSide[i] = takerSide;
    this.maker[i] = makerIndex;
    this.taker[i] = takerIndex;
    this.ts[i] = ts;
    this.next = i + 1 === this.capacity ? 0 : i + 1;
    if (this.count < this.capacity) this.count++;
  }

  /** The last `limit` trades, oldest first. */
  last(limit: number): TradeRecord[] {
    // NaN and negatives give nothing; Infinity gives everything kept.
    const n = limit >= this.count ? this.count : limit > 0 ? Math.floor(limit) : 0;
    const out: TradeRecord[] = [];
    for (let k = n; k >= 1; k--) {
      const i = (this.next - k + this.capacity) % this.capacity;
      out.push({
        tradeNo: this.no[i]!,
        price: this.price[i]!,
        lots: this.lots[i]!,
        takerSide: this.takerSide[i] as SideCode,
        makerIndex: this.maker[i]!,
        takerIndex: this.taker[i]!,
        timestamp: this.ts[i]!,
      });
    }
    return out;
  }
}
