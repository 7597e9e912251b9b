// What a market is and what trades on it: the plain types shared by the quoting decision (domain/) and
// the Venue port (venues/venue.port.ts re-exports them). Every amount and price is a canonical decimal string.

export type Side = 'buy' | 'sell';

export interface MarketRules {
  /** Unified symbol, "BASE/QUOTE". */
  symbol: string;
  base: string;
  quote: string;
  tickSize: string;
  lotSize: string;
  /** Minimum price × amount in quote currency. */
  minNotional: string;
  /** Fee rates as fractions ("0.001" = 10 bp). */
  makerFee: string;
  takerFee: string;
}

export interface PublicTrade {
  tradeId: string;
  price: string;
  amount: string;
  /** The taker's side. */
  side: Side;
  timestamp: number;
}
