// Quoting models by name: pure functions from a market snapshot to desired post-only quotes.
// `quoteWith(snapshot, params)` dispatches on params.model; QUOTING_MODELS lists them for config and UIs.
import { avellanedaStoikovQuotes } from './avellaneda-stoikov';
import { fixedSpreadQuotes } from './fixed-spread';
import { glftQuotes } from './glft';
import { pureMmQuotes } from './pure-mm';
import { invalid, type DesiredQuote, type MarketSnapshot, type QuoteParams, type QuotingModelName } from './quote.types';

export interface QuotingModel<P extends QuoteParams> {
  name: P['model'];
  description: string;
  quote(snapshot: MarketSnapshot, params: P): DesiredQuote[];
}

type ParamsOf<N extends QuotingModelName> = Extract<QuoteParams, { model: N }>;

export const QUOTING_MODELS: { readonly [N in QuotingModelName]: QuotingModel<ParamsOf<N>> } = {
  'avellaneda-stoikov': {
    name: 'avellaneda-stoikov',
    description: 'Avellaneda–Stoikov (2008): reservation price skewed by inventory, optimal spread, finite/rolling/cycle horizon',
    quote: avellanedaStoikovQuotes,
  },
  glft: {
    name: 'glft',
    description: 'Guéant–Lehalle–Fernandez-Tapia (2013) asymptotic closed-form quotes: stationary half-spread and inventory skew',
    quote: glftQuotes,
  },
  'pure-mm': {
    name: 'pure-mm',
    description: 'Hummingbot-style pure market making: fixed % spreads, order levels, inventory skew on sizes',
    quote: pureMmQuotes,
  },
  'fixed-spread': {
    name: 'fixed-spread',
    description: 'Naive baseline: one level each side at a fixed symmetric spread, no skew',
    quote: fixedSpreadQuotes,
  },
};

export function isQuotingModelName(name: string): name is QuotingModelName {
  return Object.prototype.hasOwnProperty.call(QUOTING_MODELS, name);
}

/** Quotes from whichever model `params.model` names. */
export function quoteWith(snapshot: MarketSnapshot, params: QuoteParams): DesiredQuote[] {
  switch (params.model) {
    case 'avellaneda-stoikov':
      return QUOTING_MODELS['avellaneda-stoikov'].quote(snapshot, params);
    case 'glft':
      return QUOTING_MODELS.glft.quote(snapshot, params);
    case 'pure-mm':
      return QUOTING_MODELS['pure-mm'].quote(snapshot, params);
    case 'fixed-spread':
      return QUOTING_MODELS['fixed-spread'].quote(snapshot, params);
    default:
      throw invalid('model', `unknown quoting model ${JSON.stringify((params as { model?: unknown }).model)}`);
  }
}

export type * from './quote.types';
export { applyPriceBand } from './bands';
export { asReservationPrice, asTotalSpread, asTimeToHorizon } from './avellaneda-stoikov';
export { glftCoefficients, glftDepths } from './glft';
export { inventorySkewFactors, totalOrderSize } from './pure-mm';
