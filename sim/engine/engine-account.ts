// An account inside one matching engine: the market's two assets as integer smallest units (hot
// path), any other asset as an exact Decimal (transfers only), its open orders as an intrusive list,
// and a bounded log of its own fills (myTrades).
import { D, type Dec } from '../../domain/money';
import type { OrderNode, SideCode } from './book-side';

/** One side of one trade as the account saw it; formatted into an EngineFill only when asked. */
export interface FillRecord {
  tradeNo: number;
  orderNo: number;
  clientOrderId: string | undefined;
  side: SideCode;
  price: number;
  lots: number;
  /** In smallest units of the asset received (base for a buy, quote for a sell); negative = rebate. */
  fee: number;
  maker: boolean;
  timestamp: number;
}

/** A bounded ring of fill records in typed arrays that grow on demand up to the limit. */
export class FillLog {
  private cap = 0;
  private n = 0;
  private next = 0;
  private tradeNo = new Float64Array(0);
  private orderNo = new Float64Array(0);
  private price = new Float64Array(0);
  private lots = new Float64Array(0);
  private fee = new Float64Array(0);
  private ts = new Float64Array(0);
  private bits = new Uint8Array(0); // bit 0: sell, bit 1: maker
  private cid: (string | undefined)[] = [];

  constructor(private readonly limit: number) {}

  push(tradeNo: number, orderNo: number, cid: string | undefined, side: SideCode, price: number, lots: number, fee: number, maker: boolean, ts: number): void {
    if (this.n === this.cap && this.cap < this.limit) this.grow();
    const i = this.n < this.limit ? this.n++ : this.next;
    this.next = i + 1 === this.limit ? 0 : i + 1;
    this.tradeNo[i] = tradeNo;
    this.orderNo[i] = orderNo;
    this.price[i] = price;
    this.lots[i] = lots;
    this.fee[i] = fee;
    this.ts[i] = ts;
    this.bits[i] = side | (maker ? 2 : 0);
    this.cid[i] = cid;
  }

  /** Oldest first. */
  records(): FillRecord[] {
    const out: FillRecord[] = [];
    const full = this.n === this.limit;
    for (let k = 0; k < this.n; k++) {
      const i = full ? (this.next + k) % this.limit : k;
      const bits = this.bits[i]!;
      out.push({
        tradeNo: this.tradeNo[i]!,
        orderNo: this.orderNo[i]!,
        clientOrderId: this.cid[i],
        side: (bits & 1) as SideCode,
        price: this.price[i]!,
        lots: this.lots[i]!,
        fee: this.fee[i]!,
        maker: (bits & 2) !== 0,
        timestamp: this.ts[i]!,
      });
    }
    return out;
  }

  private grow(): void {
    const cap = Math.min(this.limit, Math.max(16, this.cap * 2));
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.tradeNo = f64(this.tradeNo);
    this.orderNo = f64(this.orderNo);
    this.price = f64(this.price);
    this.lots = f64(this.lots);
    this.fee = f64(this.fee);
    this.ts = f64(this.ts);
    const bits = new Uint8Array(cap);
    bits.set(this.bits);
    this.bits = bits;
    this.cap = cap;
  }
}

export interface OtherBalance {
  free: Dec;
  locked: Dec;
}

export class EngineAccount {
  // Smallest units. `*Locked` = open-order holds + manual holds (`*Held`).
  baseFree = 0;
  baseLocked = 0;
  quoteFree = 0;
  quoteLocked = 0;
  /** Manual holds (pending withdrawals) — the part of locked that release/consume may touch. */
  baseHeld = 0;
  quoteHeld = 0;
  readonly other = new Map<string, OtherBalance>();

  openHead: OrderNode | null = null;
  openTail: OrderNode | null = null;
  openCount = 0;
  /** Open orders by client order id (duplicates are refused among open orders only). */
  readonly byClientId = new Map<string, OrderNode>();

  /** The account's last `historyLimit` fills (allocation-free on the hot path). */
  readonly fills: FillLog;

  constructor(
    readonly name: string,
    readonly index: number,
    historyLimit: number,
  ) {
    this.fills = new FillLog(historyLimit);
  }

  linkOpen(node: OrderNode): void {
    node.accNext = null;
    node.accPrev = this.openTail;
    if (this.openTail === null) this.openHead = node;
    else this.openTail.accNext = node;
    this.openTail = node;
    this.openCount++;
    if (node.clientOrderId !== undefined) this.byClientId.set(node.clientOrderId, node);
  }

  unlinkOpen(node: OrderNode): void {
    if (node.accPrev === null) this.openHead = node.accNext;
    else node.accPrev.accNext = node.accNext;
    if (node.accNext === null) this.openTail = node.accPrev;
    else node.accNext.accPrev = node.accPrev;
    node.accPrev = node.accNext = null;
    this.openCount--;
    if (node.clientOrderId !== undefined) this.byClientId.delete(node.clientOrderId);
  }

  otherBalance(asset: string): OtherBalance {
    let b = this.other.get(asset);
    if (b === undefined) {
      b = { free: new D(0), locked: new D(0) };
      this.other.set(asset, b);
    }
    return b;
  }
}
