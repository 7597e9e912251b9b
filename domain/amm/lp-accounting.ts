// Impermanent loss against fees earned, for a liquidity provider, in decimal (money, not floats).
//   IL   = value of the position's principal − value of holding what was deposited, at the current price
//   fees = what the position earned from the pool fee (collected or still in the position)
// so position value − hold value = IL + fees. The ledger is JSON-plain state updated by pure
// functions, the way the coordinator policy keeps its state; adds and partial removes are pro rata.
//
// V2 keeps fees in the reserves. They are separated with the growth of √k per LP token, g = √(x·y)/S:
// swaps raise it only through the fee, mints and burns keep it. A position's principal is its share
// of the reserves scaled by g_entry/g_now; the rest is fees.
import { D, fmt, type Dec } from '../money';

export interface Amounts {
  base: string;
  quote: string;
}

export interface LpLedgerState {
  /** Deposited and not yet withdrawn (pro rata), human units: the "hold" portfolio. */
  heldBase: string;
  heldQuote: string;
  /** Fees realized on withdrawals (V2) or collected (V3). */
  feesBase: string;
  feesQuote: string;
  /** IL realized on withdrawals, valued at the price of each withdrawal. */
  realizedIlQuote: string;
  adds: number;
  removes: number;
}

export const EMPTY_LP_LEDGER: LpLedgerState = { heldBase: '0', heldQuote: '0', feesBase: '0', feesQuote: '0', realizedIlQuote: '0', adds: 0, removes: 0 };

const value = (a: Amounts, price: string | Dec): Dec => new D(a.base).times(price).plus(a.quote);

export function lpDeposit(s: LpLedgerState, deposited: Amounts): LpLedgerState {
  return { ...s, heldBase: fmt(new D(s.heldBase).plus(deposited.base)), heldQuote: fmt(new D(s.heldQuote).plus(deposited.quote)), adds: s.adds + 1 };
}

export interface LpWithdrawal {
  /** Share of the position withdrawn, 0 < fraction ≤ 1 (LP burned / LP held before). */
  fraction: string;
  /** Principal part of what came out (no fees). */
  principal: Amounts;
  /** Fee part of what came out. */
  fees: Amounts;
  price: string;
}

export function lpWithdraw(s: LpLedgerState, w: LpWithdrawal): LpLedgerState {
  const f = new D(w.fraction);
  if (f.lte(0) || f.gt(1)) throw new RangeError(`lpWithdraw: fraction must be in (0, 1], got ${w.fraction}`);
  const heldOut = { base: new D(s.heldBase).times(f), quote: new D(s.heldQuote).times(f) };
  const il = value(w.principal, w.price).minus(heldOut.base.times(w.price).plus(heldOut.quote));
  return {
    heldBase: fmt(new D(s.heldBase).minus(heldOut.base)),
    heldQuote: fmt(new D(s.heldQuote).minus(heldOut.quote)),
    feesBase: fmt(new D(s.feesBase).plus(w.fees.base)),
    feesQuote: fmt(new D(s.feesQuote).plus(w.fees.quote)),
    realizedIlQuote: fmt(new D(s.realizedIlQuote).plus(il)),
    adds: s.adds,
    removes: s.removes + 1,
  };
}

/** Adds collected fees without a withdrawal of principal (V3 collect). */
export function lpCollect(s: LpLedgerState, fees: Amounts): LpLedgerState {
  return { ...s, feesBase: fmt(new D(s.feesBase).plus(fees.base)), feesQuote: fmt(new D(s.feesQuote).plus(fees.quote)) };
}

export interface LpMark {
  /** Realized + unrealized impermanent loss, quote (negative = a loss). */
  ilQuote: string;
  /** Realized + unrealized fees, quote. */
  feesQuote: string;
  /** ilQuote + feesQuote: the position against holding. */
  netQuote: string;
  /** Current principal + uncollected fees, quote. */
  positionValueQuote: string;
  holdValueQuote: string;
}

/** Marks the ledger at `price` with the open position's principal and its fees not yet realized. */
export function lpMark(s: LpLedgerState, open: { principal: Amounts; fees: Amounts }, price: string): LpMark {
  const hold = new D(s.heldBase).times(price).plus(s.heldQuote);
  const principal = value(open.principal, price);
  const il = new D(s.realizedIlQuote).plus(principal.minus(hold));
  const fees = new D(s.feesBase).plus(open.fees.base).times(price).plus(s.feesQuote).plus(open.fees.quote);
  return {
    ilQuote: fmt(il, 6),
    feesQuote: fmt(fees, 6),
    netQuote: fmt(il.plus(fees), 6),
    positionValueQuote: fmt(principal.plus(value(open.fees, price)), 6),
    holdValueQuote: fmt(hold, 6),
  };
}

// ---- V2: fees inside the reserves ----

export interface V2PoolHuman {
  base: string;
  quote: string;
  totalSupply: string;
}

/** √(base·quote) per LP token: grows only by fees. */
export function v2Growth(pool: V2PoolHuman): string {
  return fmt(new D(pool.base).times(pool.quote).sqrt().div(pool.totalSupply));
}

/** Entry growth of a position after minting `minted` LP at growth `g` (LP-weighted average). */
export function v2EntryGrowth(prevLp: string, prevEntry: string, minted: string, g: string): string {
  const total = new D(prevLp).plus(minted);
  if (total.lte(0)) return g;
  return fmt(new D(prevLp).times(prevEntry).plus(new D(minted).times(g)).div(total));
}

/** A V2 position of `lp` tokens split into principal and fees (both human amounts). */
export function v2Split(lp: string, pool: V2PoolHuman, entryGrowth: string): { principal: Amounts; fees: Amounts } {
  const share = new D(lp).div(pool.totalSupply);
  const base = share.times(pool.base);
  const quote = share.times(pool.quote);
  const g = new D(v2Growth(pool));
  const k = g.gt(0) ? new D(entryGrowth).div(g) : new D(1);
  return {
    principal: { base: fmt(base.times(k)), quote: fmt(quote.times(k)) },
    fees: { base: fmt(base.times(new D(1).minus(k))), quote: fmt(quote.times(new D(1).minus(k))) },
  };
}

/** The fee one swap pays an LP holding `share` of the pool, in the token paid in. */
export function feeShareOfSwap(amountIn: string, share: string, feeRate: string): string {
  return fmt(new D(amountIn).times(feeRate).times(share));
}
