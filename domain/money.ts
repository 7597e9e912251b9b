// Decimal arithmetic for every amount, price and fee. Never binary floats for money.
import Decimal from 'decimal.js';
import { z } from 'zod';

/** A Decimal constructor isolated from global config: 40 significant digits, banker's rounding. */
export const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 });
export type Dec = Decimal;

const DECIMAL_RE = /^-?(\d+)(\.\d+)?$/;

/** A string `fmt` returns unchanged: no exponent, sign only when non-zero, no leading or trailing zeros. */
const CANONICAL_RE = /^-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?$/;

/** Canonical decimal string: no exponent, no trailing zeros after the point. */
export function fmt(x: Decimal.Value, dp?: number): string {
  if (dp === undefined) {
    // Fast paths, same results: an already canonical string is its own canonical form (most inputs
    // are earlier outputs of fmt), and a Decimal needs no copy to be printed.
    if (typeof x === 'string' && x !== '-0' && CANONICAL_RE.test(x)) return x;
  }
  let d = x instanceof Decimal ? x : new D(x);
  if (dp !== undefined) d = d.toDecimalPlaces(dp, Decimal.ROUND_HALF_EVEN);
  const s = d.toFixed();
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

const DECIMAL_HINT = 'expected a decimal number like "0.001"';
const show = (v: unknown): string => (typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v)));

/**
 * A decimal amount at a boundary (config file, workflow input, exchange response).
 * Accepts a decimal string, or a finite number (YAML writes `0.001` as a number); outputs a
 * canonical decimal string so nothing downstream ever holds a float.
 */
export const zDecimal = z
  // zod 4's z.number() itself rejects NaN and ±Infinity (and the union reports only "Invalid input"),
  // so non-finite numbers, missing fields and wrong types get the decimal hint here.
  .union([z.string(), z.number()], {
    error: (iss) => (iss.input === undefined ? `required: ${DECIMAL_HINT}` : `${DECIMAL_HINT}, got ${show(iss.input)}`),
  })
  .superRefine((v, ctx) => {
    if (typeof v === 'number' ? !Number.isFinite(v) : !DECIMAL_RE.test(v.trim())) {
      ctx.addIssue({ code: 'custom', message: `${DECIMAL_HINT}, got ${show(v)}` });
    }
  })
  .transform((v) => fmt(typeof v === 'number' ? new D(v.toString()) : v.trim()));

export const zPositiveDecimal = zDecimal.refine((v) => new D(v).gt(0), { message: 'must be greater than 0' });
export const zNonNegativeDecimal = zDecimal.refine((v) => new D(v).gte(0), { message: 'must be 0 or more' });

export function sum(values: Decimal.Value[]): Decimal {
  return values.reduce<Decimal>((acc, v) => acc.plus(v), new D(0));
}
