// Quantizing orders to a venue's rules, exactly. A buy's price rounds down and a sell's up, so
// rounding never makes a quote more aggressive (a post-only order never crosses because of it).
import Decimal from 'decimal.js';
import { D, fmt } from './money';

export interface QuantizeRules {
  tickSize: string;
  lotSize: string;
  minNotional: string;
}

export type Quantized =
  | { ok: true; price: string; amount: string; notional: string }
  | { ok: false; reason: 'PRICE_NOT_POSITIVE' | 'AMOUNT_BELOW_LOT' | 'BELOW_MIN_NOTIONAL'; message: string };

export function quantizePrice(price: Decimal.Value, tickSize: string, side: 'buy' | 'sell'): string {
  const ticks = new D(price).div(tickSize);
  return fmt((side === 'buy' ? ticks.floor() : ticks.ceil()).times(tickSize));
}

export function quantizeAmount(amount: Decimal.Value, lotSize: string): string {
  return fmt(new D(amount).div(lotSize).floor().times(lotSize));
}

export function quantizeOrder(o: { side: 'buy' | 'sell'; price: string; amount: string }, rules: QuantizeRules): Quantized {
  const price = quantizePrice(o.price, rules.tickSize, o.side);
  if (new D(price).lte(0)) return { ok: false, reason: 'PRICE_NOT_POSITIVE', message: `price ${o.price} is below one tick (${rules.tickSize})` };
  const amount = quantizeAmount(o.amount, rules.lotSize);
  if (new D(amount).lte(0)) return { ok: false, reason: 'AMOUNT_BELOW_LOT', message: `amount ${o.amount} is below one lot (${rules.lotSize})` };
  const notional = new D(price).times(amount);
  if (notional.lt(rules.minNotional)) {
    return { ok: false, reason: 'BELOW_MIN_NOTIONAL', message: `notional ${fmt(notional)} is below the minimum ${rules.minNotional}` };
  }
  return { ok: true, price, amount, notional: fmt(notional) };
}
