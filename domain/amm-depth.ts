// The order book a constant-product pool implies: the base amount that moves the marginal price
// between consecutive price points, priced with the pool fee. Used to measure an AMM venue's depth
// with the same compliance code as a CEX book.
import { D, fmt } from './money';
import type { BookLevel } from './order-book';

export interface ImpliedBookParams {
  reserveBase: string;
  reserveQuote: string;
  /** Pool fee as a fraction ("0.003" for Uniswap V2). */
  fee: string;
  levels: number;
  stepPct: string;
}

export function constantProductImpliedBook(p: ImpliedBookParams): { bids: BookLevel[]; asks: BookLevel[]; mid: string } {
  const x0 = new D(p.reserveBase);
  const y0 = new D(p.reserveQuote);
  const k = x0.times(y0);
  const p0 = y0.div(x0);
  const fee = new D(p.fee);
  const step = new D(p.stepPct).div(100);
  // Base reserve when the marginal price is `price`: x = sqrt(k / price).
  const baseAt = (price: InstanceType<typeof D>) => k.div(price).sqrt();
  const asks: BookLevel[] = [];
  const bids: BookLevel[] = [];
  let prevUp = x0;
  let prevDown = x0;
  for (let i = 1; i <= p.levels; i++) {
    const up = p0.times(new D(1).plus(step.times(i)));
    const xUp = baseAt(up);
    // Buying base from the pool: the taker pays the worst marginal price of the slice plus the fee.
    asks.push({ price: fmt(up.div(new D(1).minus(fee)), 12), amount: fmt(prevUp.minus(xUp), 12) });
    prevUp = xUp;
    const downFactor = new D(1).minus(step.times(i));
    if (downFactor.lte(0)) continue;
    const down = p0.times(downFactor);
    const xDown = baseAt(down);
    bids.push({ price: fmt(down.times(new D(1).minus(fee)), 12), amount: fmt(xDown.minus(prevDown), 12) });
    prevDown = xDown;
  }
  return { bids, asks, mid: fmt(p0) };
}
