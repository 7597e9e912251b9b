// What the rebalance planner is fed, decided once for both executors: the rebalance workflow (live,
// from the treasury activities' snapshot and ledger) and the backtest's executor
// (sim/backtest/sim-executor.ts, from the simulated exchanges and its own ledger). Pure.
import { D, fmt } from '../money';
import type { PlanRebalanceInput } from './rebalance-planner';

/** Minimum transfer, as a share of the asset's total: smaller moves are noise, not rebalancing. */
export const MIN_TRANSFER_SHARE = '0.01';

/** Where the asset is now, as the planner needs it. */
export interface RebalanceSnapshot {
  balances: { venue: string; amount: string }[];
  inFlight: { from: string; to: string; amount: string; sourceDebited?: boolean }[];
  /** The transfer-capable venues considered. */
  venues: string[];
  /** Each venue's published withdrawal fee for the asset ("0" where it publishes none). */
  fees: Record<string, string>;
}

/** Equal shares over the venues (6 dp, rounded down); the last one takes the rounding, so they sum to exactly 1. */
export function equalTargetAllocation(venues: readonly string[]): Record<string, string> {
  const share = new D(1).div(venues.length).toDecimalPlaces(6, D.ROUND_DOWN);
  return Object.fromEntries(venues.map((v, i) => [v, i === venues.length - 1 ? fmt(new D(1).minus(share.times(venues.length - 1))) : fmt(share)]));
}

/** The planner's input: the given target (or equal shares), fees as published, minimum 1 % of the total. */
export function rebalancePlanInput(asset: string, snap: RebalanceSnapshot, target?: Record<string, string>): PlanRebalanceInput {
  const total = snap.balances.reduce((s, b) => s.plus(b.amount), new D(0));
  return {
    asset,
    balances: snap.balances,
    target: target ?? equalTargetAllocation(snap.venues),
    inFlight: snap.inFlight,
    costs: Object.fromEntries(snap.venues.map((v) => [v, { withdrawFee: snap.fees[v] ?? '0', minWithdraw: '0' }])),
    minTransfer: fmt(total.times(MIN_TRANSFER_SHARE)),
  };
}

/** The ledger lines that matter for "what is under way" (activities/ledger-store.ts entries fit). */
export interface TransferLedgerLine {
  workflowId: string;
  kind: 'reservation' | 'release' | 'transfer' | 'fee' | 'suspense' | 'reversal' | 'trade' | 'execution';
  asset: string;
  amount: string | number;
  amountUsd?: string | number;
  day?: string;
  from?: string;
  /** `venue:<id>` for a transfer between venues, `wallet:<label>` otherwise. */
  to?: string;
}

/**
 * Reservations still under way: reserved in the ledger and neither booked, released nor sent to
 * suspense (one per workflow, the first). What "in flight" means, for the planner and the dashboard.
 */
export function openReservations<T extends TransferLedgerLine>(entries: readonly T[]): T[] {
  const byWf = new Map<string, T[]>();
  for (const e of entries) byWf.set(e.workflowId, [...(byWf.get(e.workflowId) ?? []), e]);
  const out: T[] = [];
  for (const list of byWf.values()) {
    const r = list.find((e) => e.kind === 'reservation');
    const done = list.some((e) => e.kind === 'transfer' || e.kind === 'release' || e.kind === 'suspense');
    if (r && !done) out.push(r);
  }
  return out;
}

/** Transfers between venues reserved in the ledger and neither booked, released nor sent to suspense. */
export function transfersInFlight(entries: readonly TransferLedgerLine[], asset: string): { from: string; to: string; amount: string }[] {
  return openReservations(entries.filter((e) => e.asset === asset)).flatMap((r) =>
    r.from && r.to?.startsWith('venue:') ? [{ from: r.from, to: r.to.slice('venue:'.length), amount: String(r.amount) }] : [],
  );
}

/**
 * USD counted against a day's cap: open reservations (not released, not yet booked) plus booked
 * transfers. A booked transfer replaces its reservation (same workflow), so nothing counts twice.
 */
export function usedUsdOnDay(entries: readonly TransferLedgerLine[], day: string): string {
  let used = new D(0);
  const byWf = new Map<string, TransferLedgerLine[]>();
  for (const e of entries) if (e.day === day) byWf.set(e.workflowId, [...(byWf.get(e.workflowId) ?? []), e]);
  for (const list of byWf.values()) {
    const booked = list.filter((e) => e.kind === 'transfer');
    if (booked.length > 0) {
      for (const b of booked) used = used.plus(b.amountUsd ?? 0);
      continue;
    }
    if (!list.some((e) => e.kind === 'release')) for (const r of list.filter((e) => e.kind === 'reservation')) used = used.plus(r.amountUsd ?? 0);
  }
  return fmt(used);
}
