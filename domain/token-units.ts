// Exact conversion between decimal strings (what crosses the venue port) and integer token units
// (what the chain and the AMM math use). No floats, no rounding: a decimal with more fractional
// digits than the token has is refused instead of silently truncated.
import { DomainError } from './errors';

const DECIMAL_RE = /^(\d+)(?:\.(\d+))?$/;

export class TokenUnitsError extends DomainError {
  constructor(message: string) {
    super('AMM.INVALID_AMOUNT', message);
    this.name = 'TokenUnitsError';
  }
}

function checkDecimals(decimals: number): void {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 77) throw new TokenUnitsError(`token decimals must be an integer in 0..77, got ${decimals}`);
}

/** "1.5" with 6 decimals → 1500000n. Throws on negatives, exponents, or too many fractional digits. */
export function toUnits(amount: string, decimals: number, what = 'amount'): bigint {
  checkDecimals(decimals);
  const m = DECIMAL_RE.exec(amount.trim());
  if (!m) throw new TokenUnitsError(`${what}: expected a non-negative decimal like "0.001", got ${JSON.stringify(amount)}`);
  const whole = m[1] ?? '0';
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > decimals) throw new TokenUnitsError(`${what}: ${amount} has more than ${decimals} decimal places`);
  return BigInt(whole) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, '0') || '0');
}

/** 1500000n with 6 decimals → "1.5" (canonical: no exponent, no trailing zeros). Exact. */
export function fromUnits(units: bigint, decimals: number): string {
  checkDecimals(decimals);
  const neg = units < 0n;
  const abs = neg ? -units : units;
  const scale = 10n ** BigInt(decimals);
  const whole = abs / scale;
  const frac = (abs % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole.toString()}${frac ? `.${frac}` : ''}`;
}

/** Integer division rounding toward +∞ (both operands positive). */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/**
 * A ratio of two token amounts as a price in human units, quote per base, rounded to `dp` places:
 * price = (quoteUnits / 10^quoteDecimals) / (baseUnits / 10^baseDecimals).
 */
export function unitsPrice(
  quoteUnits: bigint,
  baseUnits: bigint,
  decimals: { base: number; quote: number },
  dp: number,
  rounding: 'up' | 'down',
): string {
  if (baseUnits <= 0n || quoteUnits < 0n) throw new TokenUnitsError('price needs a positive base amount and a non-negative quote amount');
  const num = quoteUnits * 10n ** BigInt(decimals.base) * 10n ** BigInt(dp);
  const den = baseUnits * 10n ** BigInt(decimals.quote);
  return fromUnits(rounding === 'up' ? ceilDiv(num, den) : num / den, dp);
}
