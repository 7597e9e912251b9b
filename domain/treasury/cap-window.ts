// The treasury's daily cap as a rolling 24 h window evaluated when asked (at reservation and again
// at execution), not a calendar day fixed at reservation time. What counts against the cap at `now`:
// - every open reservation (neither booked as a transfer nor released), however old: it is a claim
//   on funds that have not left yet, or are leaving now, so it holds its share of the cap until then;
// - every booked transfer recorded within (now − 24 h, now]: funds that left in the window. A booked
//   transfer replaces its workflow's reservation, so nothing counts twice.
// A reservation that waited days for approval therefore never adds a second day's cap: it held the
// cap from the reservation on, and once booked it counts for the 24 h after it left.
// The PostgreSQL ledger (activities/ledger/pg-ledger.ts) evaluates the same rule in SQL; a test checks
// both give the same exact decimal.
import { D, fmt } from '../money';

export const CAP_WINDOW_MS = 86_400_000;

export interface CapLedgerLine {
  workflowId: string;
  kind: string;
  /** Epoch ms when recorded. */
  at: number;
  amountUsd: string | number;
}

export function usedUsdInWindow(entries: readonly CapLedgerLine[], nowMs: number, windowMs = CAP_WINDOW_MS): string {
  const closed = new Set<string>();
  for (const e of entries) if (e.kind === 'transfer' || e.kind === 'release') closed.add(e.workflowId);
  let used = new D(0);
  for (const e of entries) {
    if (e.kind === 'transfer' && e.at > nowMs - windowMs) used = used.plus(e.amountUsd);
    else if (e.kind === 'reservation' && !closed.has(e.workflowId)) used = used.plus(e.amountUsd);
  }
  return fmt(used);
}
