// The ledger's side of the daily report: the day's transfers (with their outcome and withdrawal fee),
// the day's buyback / liquidation execution reports, and what completed transfers booked to wallets.
// Pure: the activity reads the entries, this turns them into rows.
import { D, fmt } from '../money';
import type { ExecutionRow, LedgerDay, TransferRow } from './daily-report';

/** The ledger entry fields read here (activities/ledger-store.ts LedgerEntry fits). */
export interface ReportLedgerEntry {
  id: string;
  at: number;
  workflowId: string;
  kind: string;
  asset: string;
  amount: string;
  amountUsd: string;
  from?: string;
  to?: string;
  txHash?: string;
  note?: string;
}

const OUTCOME = { transfer: 'completed', reversal: 'reversed', suspense: 'suspense' } as const;
type OutcomeKind = keyof typeof OUTCOME;
const isOutcome = (k: string): k is OutcomeKind => k in OUTCOME;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function executionRow(e: ReportLedgerEntry): ExecutionRow {
  let r: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(e.note ?? '{}');
    if (parsed && typeof parsed === 'object') r = parsed as Record<string, unknown>;
  } catch {
    // The note is cut at 4000 characters; an unreadable report still counts with its amounts of record.
  }
  const participation = (r.participation && typeof r.participation === 'object' ? r.participation : {}) as Record<string, { base?: unknown }>;
  const perVenue: Record<string, string> = {};
  for (const [venue, p] of Object.entries(participation)) {
    const base = str(p?.base);
    if (base !== null) perVenue[venue] = base;
  }
  return {
    workflowId: e.workflowId,
    kind: str(r.kind) ?? (e.workflowId.startsWith('liquidation') ? 'liquidation' : e.workflowId.includes('buyback') ? 'buyback' : 'unknown'),
    filledBase: e.amount,
    quote: str(r.quote),
    averagePrice: str(r.averagePrice),
    arrivalPrice: str(r.arrivalPrice),
    shortfallQuote: str(r.shortfallQuote),
    shortfallBps: num(r.shortfallBps),
    feesQuote: str(r.feesQuote),
    budgetUsedUsd: e.amountUsd,
    stopReason: str(r.stopReason),
    perVenue,
    at: new Date(e.at).toISOString(),
  };
}

/**
 * `dayEntries`: every entry recorded in [fromMs, toMs) (others are ignored); `related`: entries of the
 * same workflows recorded earlier (their reservations give a reversed transfer its amount);
 * `bookedTransfers`: every `transfer` entry up to the day's end (wallet balances of record).
 */
export function summarizeLedgerDay(
  window: { fromMs: number; toMs: number },
  dayEntries: readonly ReportLedgerEntry[],
  related: readonly ReportLedgerEntry[] = [],
  bookedTransfers: readonly ReportLedgerEntry[] = [],
): LedgerDay {
  const inDay = dayEntries.filter((e) => e.at >= window.fromMs && e.at < window.toMs);
  const byWorkflow = new Map<string, ReportLedgerEntry[]>();
  for (const e of [...related, ...inDay]) {
    const list = byWorkflow.get(e.workflowId) ?? [];
    if (!list.some((x) => x.id === e.id)) list.push(e);
    byWorkflow.set(e.workflowId, list);
  }
  const transfers: TransferRow[] = [];
  for (const e of inDay) {
    if (!isOutcome(e.kind)) continue;
    const all = byWorkflow.get(e.workflowId) ?? [];
    // The amount of record: the booked line's, else the reservation's (a reversal books 0).
    const basis = e.kind === 'reversal' ? (all.find((x) => x.kind === 'reservation') ?? e) : e;
    const fee = all.find((x) => x.kind === 'fee');
    transfers.push({
      workflowId: e.workflowId,
      from: e.from ?? basis.from ?? '',
      to: e.to ?? basis.to ?? '',
      asset: e.asset,
      amount: basis.amount,
      amountUsd: basis.amountUsd,
      fee: fee ? fee.amount : '0',
      outcome: OUTCOME[e.kind],
      at: new Date(e.at).toISOString(),
      ...(e.txHash ? { txHash: e.txHash } : {}),
    });
  }
  const executions = inDay.filter((e) => e.kind === 'execution').map(executionRow);

  const wallets = new Map<string, { wallet: string; asset: string; net: InstanceType<typeof D> }>();
  for (const t of bookedTransfers) {
    if (t.kind !== 'transfer' || t.at >= window.toMs || !t.to?.startsWith('wallet:')) continue;
    const key = `${t.to}|${t.asset}`;
    const w = wallets.get(key) ?? { wallet: t.to.slice('wallet:'.length), asset: t.asset, net: new D(0) };
    w.net = w.net.plus(t.amount);
    wallets.set(key, w);
  }
  return {
    transfers,
    executions,
    wallets: [...wallets.values()].sort((a, b) => (a.wallet + a.asset < b.wallet + b.asset ? -1 : 1)).map((w) => ({ wallet: w.wallet, asset: w.asset, netBooked: fmt(w.net) })),
  };
}
