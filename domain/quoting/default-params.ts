// Default model parameters sized from a venue's price and the quote value of one order level: the
// starting point the live quoting worker and the backtester share before per-venue tuning (config).
import { D, fmt } from '../money';
import type { QuoteParams, QuotingModelName } from './index';

/** Per-venue knobs (config `venues[].quoting`); every one has the documented default below. */
export interface QuoteParamOptions {
  /** Half-spread around fair value, percent. Default 0.2. */
  halfSpreadPct?: string;
  /** Multiplier on the default γ. Default 1. */
  riskAversionScale?: string;
  orderLevels?: number;
  levelSpacingPct?: string;
}

/** Model parameters sized from the venue's price and one level's quote value (documented defaults, tunable per venue). */
export function defaultQuoteParams(model: QuotingModelName, mid: number, levelQuote: number, o: QuoteParamOptions = {}): QuoteParams {
  const orderAmount = fmt(new D(levelQuote).div(mid.toPrecision(12)).floor());
  const ladder = { orderAmount, orderLevels: o.orderLevels ?? 5, levelSpacingPct: o.levelSpacingPct ?? '0.3' };
  const half = o.halfSpreadPct ?? '0.2';
  // γ, k in the models' units (1/price). Near zero inventory the A-S/GLFT half-spread is ≈ 1/k, so
  // k = 1 / (half-spread × mid): with mid ≈ 0.5 and 0.2 %, k = 1000.
  const k = 1 / ((Number(half) / 100) * mid);
  const gamma = (20 / (mid / 0.5)) * Number(o.riskAversionScale ?? '1');
  switch (model) {
    case 'fixed-spread':
      return { model, spreadPct: fmt(new D(half).times(2)), orderAmount: fmt(new D(orderAmount).times(5)) };
    case 'pure-mm':
      return { model, bidSpreadPct: half, askSpreadPct: half, ...ladder };
    case 'avellaneda-stoikov':
      return { model, gamma, k, horizon: { kind: 'rolling', seconds: 3600 }, ...ladder };
    case 'glft':
      return { model, gamma, k, A: 0.05, ...ladder };
  }
}
