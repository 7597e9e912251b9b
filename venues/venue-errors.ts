// Typed venue errors. Adapters translate whatever the venue says (ccxt exception classes, HTTP
// codes, JSON-RPC reverts) into one of these codes, so callers and workflows branch on `code`.
import { DomainError } from '../domain/errors';

export const VENUE_ERROR_CODES = [
  'VENUE.AUTHENTICATION',
  'VENUE.INSUFFICIENT_FUNDS',
  'VENUE.RATE_LIMITED',
  'VENUE.UNAVAILABLE',
  'VENUE.INVALID_ORDER',
  'VENUE.POST_ONLY_WOULD_CROSS',
  'VENUE.ORDER_NOT_FOUND',
  'VENUE.WITHDRAWALS_SUSPENDED',
  'VENUE.BAD_RESPONSE',
  'VENUE.NOT_SUPPORTED',
] as const;
export type VenueErrorCode = (typeof VENUE_ERROR_CODES)[number];

/** Retrying may help for these; the others need a different request. */
const RETRYABLE: ReadonlySet<VenueErrorCode> = new Set(['VENUE.RATE_LIMITED', 'VENUE.UNAVAILABLE', 'VENUE.BAD_RESPONSE']);

export class VenueError extends DomainError {
  declare readonly code: VenueErrorCode;

  constructor(
    code: VenueErrorCode,
    readonly venue: string,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(code, `${venue}: ${message}`, !RETRYABLE.has(code));
    this.name = 'VenueError';
  }
}

export function isVenueError(e: unknown, code?: VenueErrorCode): e is VenueError {
  return e instanceof VenueError && (code === undefined || e.code === code);
}
