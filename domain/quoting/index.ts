// Quoting models by name: pure functions from a market snapshot to desired post-only quotes.
// `quoteOnGrid(gridSnapshot, params)` is the hot path (integers on the market's grid, no Decimal per
// call); `quoteWith(snapshot, params)` is its string wrapper. Both dispatch on params.model;
// QUOTING_MODELS lists the models for config and UIs.
import type { GridOrder } from '../grid';
import { avellanedaStoikovOnGrid, avellanedaStoikovQuotes } from './avellaneda-stoikov';
import { fixedSpreadOnGrid, fixedSpreadQuotes } from './fixed-spread';
import { glftOnGrid, glftQuotes } from './glft';
import { pureMmOnGrid, pureMmQuotes } from './pure-mm';
import { invalid, quoteStrings, type DesiredQuote, type GridSnapshot, type MarketSnapshot, type QuoteParams, type QuotingModelName } from './quote.types';

export interface QuotingModel<P extends QuoteParams> {
  name: P['model'];
  description: string;
  quote(snapshot: MarketSnapshot, params: P): DesiredQuote[];
  quoteOnGrid(snapshot: GridSnapshot, params: P): GridOrder[];
}

type ParamsOf<N extends QuotingModelName> = Extract<QuoteParams, { model: N }>;

export const QUOTING_MODELS: { readonly [N in QuotingModelName]: QuotingModel<ParamsOf<N>> } = {
  'avellaneda-stoikov': {
    name: 'avellaneda-stoikov',
    description: 'Avellaneda–Stoikov (2008): reservation price skewed by inventory, optimal spread, finite/rolling/cycle horizon',
    quote: avellanedaStoikovQuotes,
    quoteOnGrid: avellanedaStoikovOnGrid,
  },
  glft: {
    name: 'glft',
    description: 'Guéant–Lehalle–Fernandez-Tapia (2013) asymptotic closed-form quotes: stationary half-spread and inventory skew',
    quote: glftQuotes,
    quoteOnGrid: glftOnGrid,
  },
  'pure-mm': {
    name: 'pure-mm',
    description: 'Hummingbot-style pure market making: fixed % spreads, order levels, inventory skew on sizes',
    quote: pureMmQuotes,
    quoteOnGrid: pureMmOnGrid,
  },
  'fixed-spread': {
    name: 'fixed-spread',
    description: 'Naive baseline: one level each side at a fixed symmetric spread, no skew',
    quote: fixedSpreadQuotes,
    quoteOnGrid: fixedSpreadOnGrid,
  },
};

export function isQuotingModelName(name: string): name is QuotingModelName {
  return Object.prototype.hasOwnProperty.call(QUOTING_MODELS, name);
}

/**
 * Grid orders from whichever model `params.model` names: bids best-first then asks best-first,
 * levels numbered from 0 per side. Params are validated on first use and cached per object.
 */
export function quoteOnGrid(s: GridSnapshot, p: QuoteParams): GridOrder[] {
  switch (p.model) {
    case 'avellaneda-stoikov':
      return avellanedaStoikovOnGrid(s, p);
    case 'glft':
      return glftOnGrid(s, p);
    case 'pure-mm':
      return pureMmOnGrid(s, p);
    case 'fixed-spread':
      return fixedSpreadOnGrid(s, p);
    default:
      throw invalid('model', `unknown quoting model ${JSON.stringify((p as { model?: unknown }).model)}`);
  }
}

/** Quotes from whichever model `params.model` names (the string form of quoteOnGrid). */
export function quoteWith(snapshot: MarketSnapshot, params: QuoteParams): DesiredQuote[] {
  return quoteStrings(snapshot, params, quoteOnGrid);
}

export type * from './quote.types';
export { applyPriceBand } from './bands';
export { asReservationPrice, asTotalSpread, asTimeToHorizon } from './avellaneda-stoikov';
export { glftCoefficients, glftDepths } from './glft';
export { inventorySkewFactors, skewFactors, totalOrderSize } from './pure-mm';
export { gridSnapshot, toDesiredQuotes } from './quote.types';
