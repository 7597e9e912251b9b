// The chaos run's per-run verdicts, from facts gathered at the venues, on the chain and in the ledger:
// exactly-once (≤ 1 withdrawal per workflow, a completed one has exactly one), lost money (a withdrawal
// the ledger accounts for neither as a transfer nor as suspense, or a reservation released while the
// money moved), leaked reservations, and per-asset conservation. Pure: decimal strings in, verdicts out.
import { D, fmt } from '../../domain/money';

/** The venue's status ('pending' | 'confirming' | 'ok' | 'failed' | 'canceled'). */
export type TransferStatus = string;

/** One withdrawal of Ballast's account as the venue holds it. */
export interface WithdrawalFact {
  id: string;
  asset: string;
  amount: string;
  fee: string;
  address: string;
  status: TransferStatus;
  idempotencyKey?: string;
  txHash?: string;
}

export type WorkflowEnd = 'completed' | 'failed' | 'stuck';

export interface WorkflowFact {
  workflowId: string;
  asset: string;
  amount: string;
  /** Destination address (bravo's deposit address or the cold wallet). */
  address: string;
  end: WorkflowEnd;
  /** Kinds of this workflow's ledger entries, in order. */
  ledger: string[];
}

export interface WorkflowVerdict {
  workflowId: string;
  withdrawals: number;
  /** More than one withdrawal moved money, or completed without exactly one. */
  exactlyOnceViolation: boolean;
  /** Money moved that the ledger does not account for, or a reservation released while it moved. */
  lost: boolean;
  /** Failed with nothing moved, a reservation left neither released nor booked to suspense. */
  leakedReservation: boolean;
  problems: string[];
}

const moved = (w: WithdrawalFact) => w.status !== 'failed' && w.status !== 'canceled';

/**
 * The withdrawals that belong to a workflow: by the idempotency key `<workflowId>:…` where the venue
 * keeps one, else (a venue without client ids) by asset, amount and destination — chaos gives every
 * workflow of a run a distinct amount so the match is unambiguous.
 */
export function withdrawalsOf(wf: Pick<WorkflowFact, 'workflowId' | 'asset' | 'amount' | 'address'>, all: readonly WithdrawalFact[]): WithdrawalFact[] {
  return all.filter((w) =>
    w.idempotencyKey !== undefined && w.idempotencyKey !== ''
      ? w.idempotencyKey.startsWith(`${wf.workflowId}:`)
      : w.asset === wf.asset && new D(w.amount).eq(wf.amount) && w.address.toLowerCase() === wf.address.toLowerCase(),
  );
}

export function judgeWorkflow(wf: WorkflowFact, ws: readonly WithdrawalFact[]): WorkflowVerdict {
  const m = ws.filter(moved);
  const count = (k: string) => wf.ledger.filter((x) => x === k).length;
  const problems: string[] = [];
  let exactlyOnceViolation = false;
  let lost = false;
  let leakedReservation = false;
  if (m.length > 1) {
    exactlyOnceViolation = true;
    problems.push(`${m.length} withdrawals moved money (${m.map((w) => w.id).join(', ')})`);
  }
  if (wf.end === 'completed') {
    if (m.length !== 1) {
      exactlyOnceViolation = true;
      problems.push(`completed with ${m.length} withdrawals that moved money`);
    }
    if (count('transfer') !== 1) problems.push(`completed with ${count('transfer')} ledger transfers`);
  }
  if (wf.end !== 'stuck' && m.length > 0) {
    const accounted = count('transfer') + count('suspense');
    if (m.length > accounted) {
      lost = true;
      problems.push(`${m.length} withdrawal(s) moved money (${m.map((w) => w.id).join(', ')}); the ledger accounts for ${accounted} (transfer or suspense)`);
    }
    if (count('release') > 0) {
      lost = true;
      problems.push('reservation released while the money moved');
    }
  }
  if (wf.end === 'failed' && m.length === 0 && count('reservation') > 0 && count('release') === 0) {
    // Suspense with nothing moved is the conservative booking when the venue could not be asked
    // (unknown outcome): the cap stays consumed, no money is missing. Without it the reservation leaked.
    if (count('suspense') === 0) {
      leakedReservation = true;
      problems.push('failed with nothing moved, reservation never released');
    }
  }
  return { workflowId: wf.workflowId, withdrawals: m.length, exactlyOnceViolation, lost, leakedReservation, problems };
}

/** Ballast's holdings of one asset, as decimal strings. */
export interface AssetHoldings {
  /** Free + locked on each venue account. */
  venues: string;
  /** On-chain balance of the whitelisted wallets. */
  wallets: string;
  /** Left a venue, not yet at its destination (mempool / not yet credited). */
  inFlight: string;
}

export interface ConservationLine {
  asset: string;
  start: string;
  end: string;
  /** Fees the ledger accounts for (its `fee` entries, and the venue fee of withdrawals booked to suspense). */
  fees: string;
  /** start − (end + fees): 0 when every unit is accounted for. */
  diff: string;
  ok: boolean;
}

const total = (h: AssetHoldings) => new D(h.venues).plus(h.wallets).plus(h.inFlight);

/** Per asset: venues + wallets + in flight at the end, plus the fees the ledger accounts for, equals the start. */
export function conservation(start: Record<string, AssetHoldings>, end: Record<string, AssetHoldings>, fees: Record<string, string>): ConservationLine[] {
  const assets = [...new Set([...Object.keys(start), ...Object.keys(end)])].sort();
  return assets.map((asset) => {
    const zero: AssetHoldings = { venues: '0', wallets: '0', inFlight: '0' };
    const s = total(start[asset] ?? zero);
    const e = total(end[asset] ?? zero);
    const f = new D(fees[asset] ?? '0');
    const diff = s.minus(e).minus(f);
    return { asset, start: fmt(s), end: fmt(e), fees: fmt(f), diff: fmt(diff), ok: diff.eq(0) };
  });
}
