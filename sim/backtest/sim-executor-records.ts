// What SimDurablePlane keeps for the report and the scorecard: one record per decision (its triggering
// imbalances, what it did, when it started and ended, when its imbalances cleared), skip reasons,
// and counters. Plain JSON; amounts are decimal strings.
import { D, fmt } from '../../domain/money';
import type { BallastConfig } from '../../domain/config.schema';
import type { ImbalanceEvent, ImbalanceKind } from '../../domain/quoting/imbalance';
import type { PolicyAction, SkipCode, Skipped } from '../../domain/treasury/coordinator-policy';
import type { SimExchange } from '../exchange/sim-exchange';
import type { TransferNetwork } from '../exchange/transfer-network';
import type { SimTransfer } from './sim-executor-transfers';
import type { PriceActionRecord } from './sim-price-action';

export interface DecisionRecord {
  id: string;
  kind: PolicyAction;
  /** venueRisk: the venue. */
  venue?: string;
  /** rebalance / buyback: the USD cap the policy reserved, and what it moved or spent (reported back, freeing the rest). */
  maxUsd?: string;
  movedUsd?: string;
  /** buyback / liquidation: base bought / sold (reported back). */
  filledBase?: string;
  reason: string;
  /** The imbalances that led to it: raised at, and cleared at (once cleared after the decision). */
  triggers: { venueId: string; kind: ImbalanceKind; value: number; raisedAt: number; clearedAt?: number }[];
  /** The event the decision was made on (absent: made on the policy's timer or a child's report). */
  decidedOn?: ImbalanceEvent[];
  startedAt: number;
  finishedAt?: number;
  /** When every triggering imbalance had cleared. */
  clearedAt?: number;
  status: 'running' | 'completed' | 'failed';
  phase: 'starting' | 'planning' | 'transferring' | 'done' | 'canceling' | 'evacuating' | 'awaiting-resume' | 'resumed' | 'failed' | 'executing';
  message?: string;
  /** Withdrawals it made (rebalance moves, evacuation chunks), as they stand. */
  transfers: SimTransfer[];
  plan?: { before: Record<string, string>; targetAmounts: Record<string, string>; after: Record<string, string>; totalFee: string; unmet: number };
  canceledOrders?: number;
  blocked?: { asset: string; amount: string; reason: string }[];
  resumedAt?: number;
  /** buyback / liquidation: the execution report, its child orders and the reversion after it. */
  priceAction?: PriceActionRecord;
  /** When the coordinator asked it to stop (its imbalance cleared), and why. */
  stopRequestedAt?: number;
  stopRequest?: string;
  /** One line for the report, once finished. */
  summary?: string;
}

export interface SkipRecord extends Skipped {
  at: number;
}

export interface DurableStats {
  events: number;
  decisions: Record<PolicyAction, number>;
  finished: { completed: number; failed: number };
  skipped: Partial<Record<SkipCode, number>>;
  transfers: { made: number; completed: number; failed: number; moved: Record<string, string> };
  /** Withdrawal fees paid, per asset, and valued at the price each transfer was checked at. */
  feesPaid: Record<string, string>;
  feesPaidUsd: string;
  modeChanges: number;
}

export const emptyStats = (): DurableStats => ({
  events: 0,
  decisions: { rebalance: 0, venueRisk: 0, buyback: 0, liquidation: 0 },
  finished: { completed: 0, failed: 0 },
  skipped: {},
  transfers: { made: 0, completed: 0, failed: 0, moved: {} },
  feesPaid: {},
  feesPaidUsd: '0',
  modeChanges: 0,
});

export function decisionSummary(r: DecisionRecord, transfers: readonly SimTransfer[]): string {
  const secs = (ms: number) => `${Math.round(ms / 1000)} s`;
  const moves = transfers.map((t) => `${t.amount} ${t.asset} ${t.from}→${t.to.replace(/^(venue|wallet):/, '')} ${t.status}${t.fee ? ` fee ${t.fee}` : ''}${t.landedAt !== undefined ? ` in ${secs(t.landedAt - t.requestedAt)}` : ''}`);
  const fees = transfers.reduce((s, t) => (t.status === 'completed' && t.fee ? s.plus(t.fee) : s), new D(0));
  if (r.kind === 'buyback' || r.kind === 'liquidation') {
    const x = r.priceAction?.report;
    const rev = (r.priceAction?.reversion ?? []).map((v) => `${Math.round(v.afterMs / 60_000)} min ${v.reverted === null ? '—' : `${(100 * v.reverted).toFixed(0)} %`}`).join(', ');
    const what = x ? `${x.stopReason ?? x.status}: ${x.filledBase} of ${x.quantity} at ${x.averagePrice ?? '—'} vs arrival ${x.arrivalPrice} (${x.shortfallBps ?? '—'} bp), ${x.budgetUsedUsd} USD` : (r.message ?? 'no execution');
    return `${r.kind}: ${what}${rev ? `; reverted ${rev}` : ''}; ${r.status} after ${secs((r.finishedAt ?? r.startedAt) - r.startedAt)}`;
  }
  const what = r.kind === 'venueRisk' ? `venueRisk ${r.venue}: ${r.canceledOrders ?? 0} orders cancelled, ` : 'rebalance: ';
  return `${what}${moves.length ? moves.join('; ') : 'no transfer'}; fees ${fmt(fees)}; ${r.status} after ${secs((r.finishedAt ?? r.startedAt) - r.startedAt)}`;
}

/**
 * Ballast's deposit address on each exchange is its whitelisted `<venue>-deposit` address, and the
 * safe wallet is named on the network — the set-up `npm start`'s market makes (workers/market.ts).
 * An exchange that already gave the account addresses keeps them.
 */
export function assignWhitelistedAddresses(exchanges: Record<string, SimExchange>, network: TransferNetwork, account: string, config: BallastConfig): void {
  for (const [id, ex] of Object.entries(exchanges)) {
    const w = config.treasury.whitelist.find((x) => x.label === `${id}-deposit`);
    if (!w) continue;
    try {
      ex.assignDepositAddress(account, w.address);
    } catch {
      // Already assigned (by the runner or an earlier plane): keep what the exchange has.
    }
  }
  const safe = config.treasury.whitelist.find((x) => x.address.toLowerCase() === config.treasury.safeWallet.toLowerCase());
  if (safe && network.owner(safe.address).kind === 'external') {
    try {
      network.registerExternalWallet(safe.address, safe.label);
    } catch {
      // An exchange owns that address: leave it.
    }
  }
}
