// Exact fixed-point helpers for the matching engine: decimal strings are parsed once at the API
// boundary into integers (ticks, lots, smallest asset units) and formatted back only on the way out.
// Every integer stays a JS safe integer; anything that would not is rejected, never rounded.

/** A non-negative decimal: digits, optionally a point and more digits. No sign, exponent or spaces. */
const UNSIGNED_DECIMAL = /^(\d+)(?:\.(\d+))?$/;
const ALL_ZEROS = /^0*$/;
/** Longer inputs cannot be safe integers anyway; the cap keeps garbage strings cheap to refuse. */
const MAX_INPUT_CHARS = 64;

/** `s × 10^dp` as a safe integer, or undefined if `s` is not a plain non-negative decimal, needs more
 *  than `dp` decimals (non-zero digits beyond them), or does not fit a safe integer. */
export function parseScaled(s: unknown, dp: number): number | undefined {
  if (typeof s !== 'string' || s.length === 0 || s.length > MAX_INPUT_CHARS) return undefined;
  const m = UNSIGNED_DECIMAL.exec(s);
  if (!m) return undefined;
  let frac = m[2] ?? '';
  if (frac.length > dp) {
    if (!ALL_ZEROS.test(frac.slice(dp))) return undefined;
    frac = frac.slice(0, dp);
  } else {
    frac = frac.padEnd(dp, '0');
  }
  const n = Number(m[1] + frac);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A signed decimal (fee rates may be negative rebates) as `mant × 10^-dp` with the least dp. */
export function parseSignedDecimal(s: string): { mant: number; dp: number } | undefined {
  const neg = s.startsWith('-');
  const body = neg ? s.slice(1) : s;
  const m = UNSIGNED_DECIMAL.exec(body);
  if (!m) return undefined;
  const frac = (m[2] ?? '').replace(/0+$/, '');
  const mant = Number(m[1] + frac);
  if (!Number.isSafeInteger(mant)) return undefined;
  return { mant: neg ? -mant : mant, dp: frac.length };
}

/** Canonical decimal string of `n × 10^-dp` (n a safe integer): no exponent, no trailing zeros. */
export function formatScaled(n: number, dp: number): string {
  if (dp === 0) return String(n);
  const neg = n < 0;
  let s = String(neg ? -n : n);
  if (s.length <= dp) s = '0'.repeat(dp - s.length + 1) + s;
  const int = s.slice(0, s.length - dp);
  let end = s.length;
  while (end > int.length && s.charCodeAt(end - 1) === 48) end--;
  const out = end > int.length ? `${int}.${s.slice(int.length, end)}` : int;
  return neg && out !== '0' ? `-${out}` : out;
}

/** ⌈a / den⌉ exactly, for a safe integer `a` (any sign) and a positive safe integer `den`. */
export function ceilDiv(a: number, den: number): number {
  const r = a % den; // exact on integers; takes the sign of a
  const q = (a - r) / den; // exact: a - r is a multiple of den
  return r > 0 ? q + 1 : q;
}

/**
 * A fee rate `num / den` applied to `units` of the received asset, rounded up (towards +∞) to a whole
 * unit: the venue never loses dust on a fee, and a rebate (negative rate) is never larger than exact.
 */
export function feeUnits(units: number, num: number, den: number): number {
  if (num === 0) return 0;
  const p = units * num;
  if (Number.isSafeInteger(p)) return ceilDiv(p, den);
  // Rare: the product leaves the safe range; do it exactly in bigint.
  const bp = BigInt(units) * BigInt(num);
  const bd = BigInt(den);
  const q = bp / bd; // truncates toward zero
  return Number(bp % bd > 0n ? q + 1n : q);
}

/** 10^n as a number (exact for n ≤ 22). */
export function pow10(n: number): number {
  return 10 ** n;
}
