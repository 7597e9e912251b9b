// Transfers and price-action executions are counted where they are booked: an entry the ledger
// newly created (a retried activity finds its entry there and counts nothing twice).
import type { LedgerEntryInput, LedgerStore } from '../activities/ledger-store';
import type { BallastMetrics } from './metrics';

/** Ledger kinds that end a transfer, and the outcome each one records. */
const TRANSFER_OUTCOMES: Partial<Record<LedgerEntryInput['kind'], string>> = { transfer: 'completed', reversal: 'reversed', suspense: 'suspense' };

/** buyback | liquidation, from the execution report (its first field) or the business-key workflow id. */
function executionKind(e: LedgerEntryInput): string {
  const fromNote = /^\{"kind":"(buyback|liquidation)"/.exec(e.note ?? '')?.[1];
  const fromId = /^(buyback|liquidation):/.exec(e.workflowId ?? '')?.[1];
  return fromNote ?? fromId ?? 'unknown';
}

export function countBooked(m: BallastMetrics, e: LedgerEntryInput): void {
  const outcome = TRANSFER_OUTCOMES[e.kind];
  if (outcome) m.count('ballast_transfers_total', { outcome });
  if (e.kind === 'execution') {
    const kind = executionKind(e);
    m.count('ballast_price_action_executions_total', { kind });
    m.count('ballast_price_action_filled_base_total', { kind }, Number(e.amount));
  }
}

/** The same ledger, counting each entry it newly creates. */
export function countingLedger(ledger: LedgerStore, m: BallastMetrics): LedgerStore {
  return new Proxy(ledger, {
    get(target, prop, receiver) {
      if (prop === 'append') {
        return async (entry: LedgerEntryInput) => {
          const r = await target.append(entry);
          if (r.created) countBooked(m, entry);
          return r;
        };
      }
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
