// Rebalance planner: the cheapest transfers that move an asset from venues above their target share to
// venues below it. Pure and exact (decimals), so the rebalance workflow can run it in workflow code.
//
// Model: a transfer of `amount` from venue v costs v a flat `withdrawFee` on top (paid from v's balance,
// as exchanges charge it) and credits `amount` at the destination. Fees are per transfer, so fewer,
// larger transfers are cheaper, and an expensive venue should send as few transfers as possible. That is
// a fixed-charge transportation problem; we solve it greedily: sources by fee (highest first), each
// first takes a deficit equal to its surplus if there is one, else the smallest deficit it can fill in
// one transfer (best fit), else the largest deficit. On ≤ 4 venues that is optimal (tests check it
// against brute force). A naive fill in input order is computed too and the better plan is returned,
// so the result is never worse than naive pairing.
import { z } from 'zod';
import { D, fmt, zNonNegativeDecimal, type Dec } from '../money';
import { DomainError, parseOrThrow } from '../errors';
import { TargetAllocationSchema } from './transfer.schemas';

const zVenue = z.string().min(1, 'expected a venue id');

export const PlanRebalanceInputSchema = z
  .object({
    asset: z.string().min(1, 'expected an asset symbol'),
    /** Current balances per venue (the venue's total for the asset). */
    balances: z.array(z.object({ venue: zVenue, amount: zNonNegativeDecimal }).strict()),
    /** Share of the total per venue (sum exactly 1). Venues outside the target are never touched. */
    target: TargetAllocationSchema,
    /**
     * Transfers already under way: counted as arrived at `to` and gone from `from`. Set `sourceDebited`
     * when `from`'s reported balance already excludes it (the venue has processed the withdrawal).
     */
    inFlight: z.array(z.object({ from: zVenue, to: zVenue, amount: zNonNegativeDecimal, sourceDebited: z.boolean().optional() }).strict()).default([]),
    costs: z.record(zVenue, z.object({ withdrawFee: zNonNegativeDecimal, minWithdraw: zNonNegativeDecimal }).strict()),
    /** Transfers smaller than this are not worth doing. */
    minTransfer: zNonNegativeDecimal,
    /** Decimal places of transfer amounts; amounts are rounded down, never above a surplus. */
    amountDp: z.number().int().min(0).max(18).default(8),
  })
  .strict()
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.balances.forEach((b, i) => {
      if (seen.has(b.venue)) ctx.addIssue({ code: 'custom', path: ['balances', i, 'venue'], message: `duplicate venue "${b.venue}"` });
      seen.add(b.venue);
    });
  });
export type PlanRebalanceInput = z.input<typeof PlanRebalanceInputSchema>;
type Input = z.output<typeof PlanRebalanceInputSchema>;

export interface PlannedTransfer {
  from: string;
  to: string;
  amount: string;
  /** Withdrawal fee charged at `from`, on top of `amount`. */
  fee: string;
}

export interface UnmetNeed {
  venue: string;
  /** `deficit`: still below target by `amount`; `surplus`: still above target by `amount`. */
  side: 'deficit' | 'surplus';
  amount: string;
  reason: string;
}

export interface RebalancePlan {
  asset: string;
  transfers: PlannedTransfer[];
  /** Balances with the in-flight transfers applied: what the plan starts from. */
  before: Record<string, string>;
  /** total of the target venues × share. */
  targetAmounts: Record<string, string>;
  /** `before` after the planned transfers; Σ after = Σ before − totalFee exactly. */
  after: Record<string, string>;
  unmet: UnmetNeed[];
  totalFee: string;
  /** Which candidate won (the greedy one unless the naive fill was strictly better). */
  strategy: Strategy;
}

interface Source {
  venue: string;
  surplus: Dec;
  fee: Dec;
  /** max(minTransfer, the venue's minWithdraw). */
  min: Dec;
  /** What is left to pay amounts and fees from. */
  balance: Dec;
  order: number;
  note?: string;
}
interface Sink {
  venue: string;
  need: Dec;
  order: number;
  note?: string;
}
interface Fill {
  transfers: { from: string; to: string; amount: Dec; fee: Dec }[];
  sources: Source[];
  sinks: Sink[];
}

/**
 * `greedy`: sources by fee, highest first. `greedy-fit`: the same, but sources that fit in one deficit
 * go before those that must split anyway (so they are not crowded out of the big deficits).
 * `naive`: north-west corner in input order, the baseline.
 */
export const STRATEGIES = ['greedy', 'greedy-fit', 'naive'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** Runs one strategy on fresh copies of the sources and sinks. */
function fill(srcIn: Source[], sinkIn: Sink[], strategy: Strategy, dp: number): Fill {
  const sources = srcIn.map((s) => ({ ...s }));
  const sinks = sinkIn.map((d) => ({ ...d }));
  const transfers: Fill['transfers'] = [];
  const down = (x: Dec): Dec => x.toDecimalPlaces(dp, D.ROUND_DOWN);

  /** Sends as much as possible from s to d in one transfer; false (with a note) when it cannot. */
  const send = (s: Source, d: Sink): boolean => {
    const amount = down(D.min(s.surplus, d.need, s.balance.minus(s.fee)));
    if (amount.lte(0)) {
      if (s.balance.minus(s.fee).lte(0)) {
        s.note = `${s.venue}'s balance ${fmt(s.balance)} cannot pay the withdrawal fee ${fmt(s.fee)} and send more`;
        d.note = s.note;
      }
      return false;
    }
    if (amount.lt(s.min)) {
      d.note = `a transfer of ${fmt(amount)} from ${s.venue} is below the minimum ${fmt(s.min)}`;
      s.note = d.note;
      return false;
    }
    transfers.push({ from: s.venue, to: d.venue, amount, fee: s.fee });
    s.surplus = s.surplus.minus(amount);
    s.balance = s.balance.minus(amount).minus(s.fee);
    d.need = d.need.minus(amount);
    return true;
  };

  if (strategy === 'naive') {
    // North-west corner in input order: the baseline a person would write first.
    for (const s of sources) {
      for (const d of sinks) {
        if (s.surplus.lte(0)) break;
        if (d.need.gt(0)) send(s, d);
      }
    }
    return { transfers, sources, sinks };
  }

  const largestNeed = sinks.reduce((m, d) => D.max(m, d.need), new D(0));
  const splits = (x: Source) => (strategy === 'greedy-fit' && x.surplus.gt(largestNeed) ? 1 : 0);
  const bySourceCost = [...sources].sort((a, b) => splits(a) - splits(b) || b.fee.cmp(a.fee) || b.surplus.cmp(a.surplus) || a.order - b.order);
  const open = (blocked: Set<Sink>) => sinks.filter((d) => d.need.gt(0) && !blocked.has(d));
  // Exact matches first (one transfer settles both sides), the most expensive sources choosing first.
  for (const s of bySourceCost) {
    const exact = sinks.find((d) => d.need.gt(0) && d.need.eq(s.surplus));
    if (exact && s.balance.minus(s.fee).gte(s.surplus)) send(s, exact);
  }
  for (const s of bySourceCost) {
    const blocked = new Set<Sink>();
    while (s.surplus.gt(0)) {
      const cands = open(blocked);
      if (cands.length === 0) break;
      const exact = cands.find((d) => d.need.eq(s.surplus));
      const fits = cands.filter((d) => d.need.gte(s.surplus)).sort((a, b) => a.need.cmp(b.need) || a.order - b.order);
      const largest = [...cands].sort((a, b) => b.need.cmp(a.need) || a.order - b.order);
      const d = exact ?? fits[0] ?? largest[0];
      if (!d) break;
      if (!send(s, d)) blocked.add(d);
    }
  }
  return { transfers, sources, sinks };
}

const moved = (f: Fill): Dec => f.transfers.reduce((acc, t) => acc.plus(t.amount), new D(0));
const fees = (f: Fill): Dec => f.transfers.reduce((acc, t) => acc.plus(t.fee), new D(0));

/** Better = moves more, then pays less in fees, then fewer transfers. */
function better(a: Fill, b: Fill): boolean {
  const m = moved(a).cmp(moved(b));
  if (m !== 0) return m > 0;
  const f = fees(a).cmp(fees(b));
  if (f !== 0) return f < 0;
  return a.transfers.length < b.transfers.length;
}

/** Plans the transfers; throws a ValidationError naming the bad field, or REBALANCE.INVALID. */
export function planRebalance(raw: PlanRebalanceInput): RebalancePlan {
  return plan(raw, 'best');
}

/** One strategy alone on the same input, so tests can compare the greedy with the naive fill. */
export function planWith(raw: PlanRebalanceInput, strategy: Strategy): RebalancePlan {
  return plan(raw, strategy);
}

function plan(raw: PlanRebalanceInput, choose: Strategy | 'best'): RebalancePlan {
  const p: Input = parseOrThrow(PlanRebalanceInputSchema, raw, 'rebalance plan input');
  const effective = new Map<string, Dec>();
  const add = (venue: string, x: Dec | string | number) => effective.set(venue, (effective.get(venue) ?? new D(0)).plus(x));
  for (const b of p.balances) add(b.venue, b.amount);
  for (const venue of Object.keys(p.target)) add(venue, 0);
  for (const t of p.inFlight) {
    if (!t.sourceDebited) add(t.from, new D(t.amount).neg());
    add(t.to, t.amount);
  }
  for (const [venue, x] of effective) {
    if (x.lt(0)) throw new DomainError('REBALANCE.INVALID', `inFlight: transfers out of ${venue} exceed its balance by ${fmt(x.neg())}`);
  }

  // Input order breaks ties (balances first, then target-only venues), so results are reproducible.
  const order = new Map<string, number>();
  for (const v of [...p.balances.map((b) => b.venue), ...Object.keys(p.target)]) if (!order.has(v)) order.set(v, order.size);
  const targetVenues = Object.keys(p.target).sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  const total = targetVenues.reduce((acc, v) => acc.plus(effective.get(v) ?? 0), new D(0));
  const minTransfer = new D(p.minTransfer);
  const targetAmounts: Record<string, string> = {};
  const sources: Source[] = [];
  const sinks: Sink[] = [];
  const unmet: UnmetNeed[] = [];
  for (const venue of targetVenues) {
    const want = total.times(p.target[venue] ?? '0');
    targetAmounts[venue] = fmt(want);
    const have = effective.get(venue) ?? new D(0);
    const o = order.get(venue) ?? 0;
    if (have.gt(want)) {
      const cost = p.costs[venue];
      // Without known withdrawal costs we can neither price nor safely make a withdrawal there.
      if (!cost) unmet.push({ venue, side: 'surplus', amount: fmt(have.minus(want)), reason: 'no withdrawal costs known for this venue' });
      else sources.push({ venue, surplus: have.minus(want), fee: new D(cost.withdrawFee), min: D.max(minTransfer, cost.minWithdraw), balance: have, order: o });
    } else if (have.lt(want)) {
      sinks.push({ venue, need: want.minus(have), order: o });
    }
  }

  let strategy: Strategy;
  let best: Fill;
  if (choose === 'best') {
    // Every candidate is cheap (a few venues); keep the best, earlier candidates winning ties.
    const fills = STRATEGIES.map((st) => [st, fill(sources, sinks, st, p.amountDp)] as const);
    [strategy, best] = fills.reduce((acc, f) => (better(f[1], acc[1]) ? f : acc));
  } else {
    strategy = choose;
    best = fill(sources, sinks, choose, p.amountDp);
  }

  const after = new Map(effective);
  for (const t of best.transfers) {
    after.set(t.from, (after.get(t.from) ?? new D(0)).minus(t.amount).minus(t.fee));
    after.set(t.to, (after.get(t.to) ?? new D(0)).plus(t.amount));
  }
  // Leftovers below the amount precision are rounding dust, not unmet needs.
  const dust = new D(10).pow(-p.amountDp);
  for (const d of best.sinks) {
    if (d.need.lt(dust)) continue;
    const reason = d.need.lt(minTransfer) ? `below the minimum transfer ${fmt(minTransfer)}` : (d.note ?? 'no surplus left to cover it');
    unmet.push({ venue: d.venue, side: 'deficit', amount: fmt(d.need), reason });
  }
  for (const s of best.sources) {
    if (s.surplus.gte(dust)) unmet.push({ venue: s.venue, side: 'surplus', amount: fmt(s.surplus), reason: s.note ?? 'no deficit left to send it to' });
  }
  const record = (m: Map<string, Dec>) => Object.fromEntries([...m.keys()].sort().map((v) => [v, fmt(m.get(v) ?? 0)]));
  return {
    asset: p.asset,
    transfers: best.transfers.map((t) => ({ from: t.from, to: t.to, amount: fmt(t.amount), fee: fmt(t.fee) })),
    before: record(effective),
    targetAmounts,
    after: record(after),
    unmet,
    totalFee: fmt(fees(best)),
    strategy,
  };
}
