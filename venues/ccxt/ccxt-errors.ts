// ccxt exceptions → VenueError codes. ccxt's classes say most of it; for the generic ones
// (ExchangeError, BadRequest, OperationRejected) the exchange's own error code in the message
// decides, because ccxt maps some Binance codes differently per host (api.binance.com vs others).
import ccxt from 'ccxt';
import { VenueError, type VenueErrorCode } from '../venue-errors';

/** Binance error codes (in the body ccxt quotes in its messages) that say more than ccxt's class. */
const BINANCE_CODES: Record<string, VenueErrorCode> = {
  '-1000': 'VENUE.UNAVAILABLE',
  '-1001': 'VENUE.UNAVAILABLE',
  '-1003': 'VENUE.RATE_LIMITED',
  '-1004': 'VENUE.UNAVAILABLE',
  '-1007': 'VENUE.UNAVAILABLE',
  '-1008': 'VENUE.UNAVAILABLE',
  '-1013': 'VENUE.INVALID_ORDER',
  '-1022': 'VENUE.AUTHENTICATION',
  '-2010': 'VENUE.INVALID_ORDER',
  '-2011': 'VENUE.ORDER_NOT_FOUND',
  '-2013': 'VENUE.ORDER_NOT_FOUND',
  '-2014': 'VENUE.AUTHENTICATION',
  '-2015': 'VENUE.AUTHENTICATION',
  '-4019': 'VENUE.WITHDRAWALS_SUSPENDED',
};

function codeHint(message: string): VenueErrorCode | undefined {
  const m = /"code"\s*:\s*(-\d+)/.exec(message);
  return m ? BINANCE_CODES[m[1]!] : undefined;
}

/** The class → code table, most specific classes first (ccxt's hierarchy: OrderNotFound is an InvalidOrder...). */
const BY_CLASS: [new (...args: never[]) => Error, VenueErrorCode][] = [
  [ccxt.OrderImmediatelyFillable, 'VENUE.POST_ONLY_WOULD_CROSS'],
  [ccxt.OrderNotFound, 'VENUE.ORDER_NOT_FOUND'],
  [ccxt.InsufficientFunds, 'VENUE.INSUFFICIENT_FUNDS'],
  [ccxt.InvalidOrder, 'VENUE.INVALID_ORDER'],
  [ccxt.AuthenticationError, 'VENUE.AUTHENTICATION'],
  [ccxt.RateLimitExceeded, 'VENUE.RATE_LIMITED'],
  [ccxt.DDoSProtection, 'VENUE.RATE_LIMITED'],
  // A rejected timestamp (clock skew) is retryable once the time offset is re-synced.
  [ccxt.InvalidNonce, 'VENUE.UNAVAILABLE'],
  [ccxt.RequestTimeout, 'VENUE.UNAVAILABLE'],
  [ccxt.ExchangeNotAvailable, 'VENUE.UNAVAILABLE'],
  [ccxt.NetworkError, 'VENUE.UNAVAILABLE'],
  [ccxt.BadResponse, 'VENUE.BAD_RESPONSE'],
  [ccxt.NotSupported, 'VENUE.NOT_SUPPORTED'],
  [ccxt.BadSymbol, 'VENUE.NOT_SUPPORTED'],
  [ccxt.InvalidAddress, 'VENUE.INVALID_ORDER'],
];

export interface TranslateContext {
  venue: string;
  /** The operation, for the message ("submitOrder"). */
  op: string;
  /** Strings that must never appear in an error (API key, secret). */
  secrets: readonly string[];
  retryAfterMs?: number;
}

export function redact(message: string, secrets: readonly string[]): string {
  let out = message.replace(/signature=[0-9a-fA-F]+/g, 'signature=[REDACTED]');
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[REDACTED]');
  return out;
}

export function translateCcxtError(e: unknown, ctx: TranslateContext): VenueError {
  if (e instanceof VenueError) return e;
  const raw = e instanceof Error ? e.message : String(e);
  const message = `${ctx.op}: ${redact(raw, ctx.secrets)}`;
  const make = (code: VenueErrorCode): VenueError => new VenueError(code, ctx.venue, message, code === 'VENUE.RATE_LIMITED' ? ctx.retryAfterMs : undefined);
  if (!(e instanceof ccxt.BaseError)) {
    // ccxt parsing an answer it did not expect (garbage JSON, wrong types) throws plain TypeErrors.
    return new VenueError('VENUE.BAD_RESPONSE', ctx.venue, `${ctx.op}: unexpected answer from the exchange (${redact(raw, ctx.secrets)})`);
  }
  for (const [cls, code] of BY_CLASS) {
    if (e instanceof cls) {
      // A post-only rejection still says so when ccxt only knows it as a generic InvalidOrder.
      if (code === 'VENUE.INVALID_ORDER' && /would immediately match/i.test(raw)) return make('VENUE.POST_ONLY_WOULD_CROSS');
      return make(code);
    }
  }
  const hint = codeHint(raw);
  if (hint) return make(hint);
  // A request the exchange refused as malformed: for an order, that order is invalid.
  if (e instanceof ccxt.BadRequest || e instanceof ccxt.OperationRejected) return make('VENUE.INVALID_ORDER');
  if (e instanceof ccxt.OperationFailed) return make('VENUE.UNAVAILABLE');
  return make('VENUE.BAD_RESPONSE');
}
