// Default model parameters sized from a venue's price and the quote value of one order level: the
// starting point the live quoting worker and the backtester share before per-venue tuning (config).
import { D, fmt } from '../money';
import type { QuoteParams, QuotingModelName } from './index';

/** Default model parameters for the backtest, sized from the venue's price (documented choices, not tuned). */
export function defaultQuoteParams(model: QuotingModelName, mid: number, levelQuote: number): QuoteParams {
  const orderAmount = fmt(new D(levelQuote).div(mid.toPrecision(12)).floor());
  const ladder = { orderAmount, orderLevels: 5, levelSpacingPct: '0.3' };
  // γ, k in the models' units (1/price): with mid ≈ 0.5, k = 1000 gives ≈ 0.2 % half-spreads.
  const k = 2 / (0.004 * mid);
  switch (model) {
    case 'fixed-spread':
      return { model, spreadPct: '0.4', orderAmount: fmt(new D(orderAmount).times(5)) };
    case 'pure-mm':
      return { model, bidSpreadPct: '0.2', askSpreadPct: '0.2', ...ladder };
    case 'avellaneda-stoikov':
      return { model, gamma: 20 / (mid / 0.5), k, horizon: { kind: 'rolling', seconds: 3600 }, ...ladder };
    case 'glft':
      return { model, gamma: 20 / (mid / 0.5), k, A: 0.05, ...ladder };
  }
}
