// fundTransfer: moves one amount of one asset from a venue to another venue or to a whitelisted
// wallet, durably and provably:
//   validate (zod; errors name the field; the id must be the business key `transfer:<requestId>`, a
//   child's extends its parent's) → context (destination, USD price, today's usage) →
//   policy in the workflow (whitelist, per-transfer cap, daily cap) → who may approve (activity: the
//   quorum tier, the requester must be an operator) → reserve against the daily cap (checked again in
//   the activity) → signed approvals above the threshold (workflows/signed-approvals.ts: the requester's
//   signed request, then M distinct other operators' EIP-712 signatures, each verified in an activity;
//   Update `approve` or signal `approveSignal`; a timeout or a reject releases, nothing moved)
//   → idempotent withdraw keyed `<workflowId>:withdraw` (the activity re-checks the policy) → tx hash
//   → on-chain confirmations → credited at the destination (venues) → ledger.
// Compensation: if a step fails after the venue accepted the withdrawal, the funds are in motion and
// cannot be pulled back by code: the ledger books the amount to `suspense` (so the books stay whole
// and the day's cap stays consumed) and the failure names the tx for operations. Before that point a
// failure releases the reservation: nothing moved. A cancel (Web UI) runs the same compensation in a
// non-cancellable scope. Runs recorded before patch 'signed-approvals' keep free-text approvals.
// Patch 'withdrawal-intent': the compensation asks the withdraw activity's durable intents and the
// venue's history (withdrawalOutcome) and never releases on an empty lookup within the venue's
// history lag; runs recorded before it keep the lookup by key.
// `withdrawal` (withdrawal.workflow.ts) is this workflow to a whitelisted wallet.
import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { TreasuryActivities } from '../activities/treasury.activities';
import { D, fmt } from '../domain/money';
import { ApprovalSchema, FundTransferInputSchema, type Approval, type FundTransferInput, type FundTransferRequest } from '../domain/treasury/transfer.schemas';
import { checkApprover, checkTransferPolicy } from '../domain/treasury/transfer-policy';
import type { SignedApproval } from '../domain/treasury/approval';
import { approvalActs, installSignedApprovals, type SigningView } from './signed-approvals';
import { toFieldIssues } from '../domain/errors';
import { SA_AMOUNT_USD, SA_ASSET, SA_OPERATION, SA_REQUESTER, SA_VENUE } from './search-attributes';
import { validateWorkflowInput } from './validate';
import { failureMessage, failureType } from './workflow-util';

export type TransferPhase =
  | 'validating'
  | 'awaiting-approval'
  | 'withdrawing'
  | 'awaiting-tx'
  | 'confirming'
  | 'crediting'
  | 'ledger'
  | 'completed'
  | 'rejected'
  | 'expired'
  | 'failed'
  | 'compensated'
  | 'cancelled';

export interface TransferStatusView {
  workflowId: string;
  phase: TransferPhase;
  asset: string;
  amount: string;
  amountUsd?: string;
  from: string;
  to: string;
  requester: string;
  needsApproval?: boolean;
  approvals: { approver: string; decision: 'request' | 'approve' | 'reject'; note?: string }[];
  /**
   * Signed approvals (above the threshold): the fields every signature must carry (`npm run approve`
   * reads them here), the quorum, who signed the request, who approved so far.
   */
  signing?: SigningView;
  withdrawalId?: string;
  txHash?: string;
  blockNumber?: number;
  confirmations?: number;
  credited?: boolean;
  error?: string;
}

export interface TransferResult {
  workflowId: string;
  outcome: 'completed' | 'rejected' | 'expired';
  status: TransferStatusView;
}

/** Signed approvals (the fields of `status.signing` + decision, expiresAt, signature); runs before the patch took `{ approver, decision }`. */
export const approveUpdate = defineUpdate<TransferStatusView, [SignedApproval | Approval]>('approve');
export const approveSignal = defineSignal<[SignedApproval | Approval]>('approveSignal');
export const statusQuery = defineQuery<TransferStatusView>('status');

const acts = proxyActivities<TreasuryActivities>({
  startToCloseTimeout: '60s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 8 },
});
// The withdrawal itself: a cancel waits for the running attempt's outcome, so the compensation's
// lookup by key never runs while a venue call may still land (then release a reservation for money in motion).
const withdrawing = proxyActivities<TreasuryActivities>({
  startToCloseTimeout: '60s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 8 },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});
// Waiting steps fail retryably every ~20 s while they wait: give them room.
const waits = proxyActivities<TreasuryActivities>({
  startToCloseTimeout: '60s',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 1.5, maximumInterval: '5s', maximumAttempts: 120 },
});

/** The business key: `transfer:<requestId>` / `withdrawal:<requestId>` (a child's id extends its parent's). */
export const transferWorkflowId = (operation: 'fundTransfer' | 'withdrawal', requestId: string) => `${operation === 'fundTransfer' ? 'transfer' : 'withdrawal'}:${requestId}`;

function describeDestination(to: FundTransferRequest['to']): string {
  return 'wallet' in to ? `wallet:${to.wallet}` : `venue:${to.venue}`;
}

export async function fundTransfer(rawInput: FundTransferInput): Promise<TransferResult> {
  const input = validateWorkflowInput(FundTransferInputSchema, rawInput, 'fundTransfer');
  return runTransfer(input, 'fundTransfer');
}

/** The transfer both workflows run (withdrawal.workflow.ts maps its input onto this one). */
export async function runTransfer(input: FundTransferRequest, operation: 'fundTransfer' | 'withdrawal'): Promise<TransferResult> {
  const info = workflowInfo();
  const workflowId = info.workflowId;
  // Runs recorded before this patch took free-text approvals and any workflow id.
  const signed = patched('signed-approvals');
  // Started by rebalance / venueRisk: no human requester signs; above the threshold operators still must.
  const system = info.parent !== undefined;
  if (signed) {
    const key = transferWorkflowId(operation, input.requestId);
    const ok = system ? workflowId.startsWith(`${info.parent.workflowId}:`) : workflowId === key;
    if (!ok) {
      throw ApplicationFailure.nonRetryable(
        system ? `workflow id: a child transfer's id extends its parent's ("${info.parent.workflowId}:…"), got "${workflowId}"` : `workflow id: expected "${key}" (the business key from requestId), got "${workflowId}"`,
        'TRANSFER.INVALID',
      );
    }
  }
  const status: TransferStatusView = {
    workflowId,
    phase: 'validating',
    asset: input.asset,
    amount: input.amount,
    from: input.from.venue,
    to: describeDestination(input.to),
    requester: input.requester,
    approvals: [],
  };
  setHandler(statusQuery, () => status);
  upsertSearchAttributes([
    { key: SA_OPERATION, value: operation },
    { key: SA_ASSET, value: input.asset },
    { key: SA_VENUE, value: input.from.venue },
    { key: SA_REQUESTER, value: input.requester },
  ]);

  // Approval handlers exist from the start, so an early approval is validated, not lost.
  let decision: 'approve' | 'reject' | undefined;
  // Signed approvals (workflows/signed-approvals.ts): the gate opens once the policy is known (above the threshold only).
  const gate = signed
    ? installSignedApprovals({
        workflowId,
        update: approveUpdate,
        signal: approveSignal,
        notAwaiting: () => (status.phase === 'awaiting-approval' ? undefined : `the transfer is not awaiting approval (phase ${status.phase})`),
        onSigned: (entry, view) => {
          status.approvals.push(entry);
          status.signing = view;
          decision = gate!.decision();
        },
        status: () => status,
        onSignalRefused: (m) => (status.error = m),
      })
    : undefined;
  if (!signed) installLegacyApprovals();

  function installLegacyApprovals(): void {
    // Runs recorded before signed approvals: a free-text approver other than the requester.
    const accept = (a: Approval): void => {
      status.approvals.push({ approver: a.approver, decision: a.decision, ...(a.note !== undefined ? { note: a.note } : {}) });
      decision = a.decision;
    };
    const validateApproval = (raw: unknown): Approval => {
      const r = ApprovalSchema.safeParse(raw);
      if (!r.success) throw new Error(`approve is invalid: ${toFieldIssues(r.error).map((i) => `${i.path}: ${i.message}`).join('; ')}`);
      const who = checkApprover(input.requester, r.data.approver);
      if (!who.ok) throw new Error(`approve is invalid: ${who.message}`);
      if (status.phase !== 'awaiting-approval') throw new Error(`approve is invalid: the transfer is not awaiting approval (phase ${status.phase})`);
      return r.data;
    };
    setHandler(approveUpdate, (raw) => {
      accept(validateApproval(raw));
      return status;
    }, { validator: (raw) => void validateApproval(raw) });
    // The Web UI of some versions sends only signals: same rules, but a bad signal cannot be refused,
    // so it is recorded in the status (as an error line) and ignored.
    setHandler(approveSignal, (raw) => {
      try {
        accept(validateApproval(raw));
      } catch (e) {
        status.error = e instanceof Error ? e.message : String(e);
      }
    });
  }

  const ctx = await acts.prepareTransfer({ asset: input.asset, fromVenue: input.from.venue, to: input.to });
  const check = checkTransferPolicy(
    { asset: input.asset, amount: input.amount, priceUsd: ctx.priceUsd, destinationAddress: ctx.destination.address, destinationLabel: ctx.destination.label, requester: input.requester },
    ctx.policy,
    ctx.usedTodayUsd,
  );
  if (!check.ok) {
    status.phase = 'failed';
    status.error = check.message;
    throw ApplicationFailure.nonRetryable(check.message, check.code);
  }
  status.amountUsd = check.amountUsd;
  status.needsApproval = check.needsApproval;
  upsertSearchAttributes([{ key: SA_AMOUNT_USD, value: Number(check.amountUsd) }]);
  if (signed && check.needsApproval) {
    // Who counts, before anything is reserved: an operator start whose requester has no key is refused here.
    try {
      const pol = await approvalActs.approvalPolicy({ amountUsd: check.amountUsd, requester: input.requester, system });
      status.signing = gate!.open({ workflowId, asset: input.asset, amount: input.amount, destination: status.to, address: ctx.destination.address.toLowerCase(), network: ctx.destination.network }, pol);
    } catch (e) {
      status.phase = 'failed';
      status.error = failureMessage(e);
      throw e;
    }
  }
  const ledgerBase = { day: ctx.day, workflowId, asset: input.asset, amount: input.amount, amountUsd: check.amountUsd, from: input.from.venue, to: status.to };
  await acts.reserveTransfer({ workflowId, day: ctx.day, asset: input.asset, amount: input.amount, amountUsd: check.amountUsd, from: input.from.venue, to: status.to });

  if (check.needsApproval) {
    status.phase = 'awaiting-approval';
    const timeoutSec = input.approvalTimeoutSec;
    let decided: boolean;
    try {
      decided = await condition(() => decision !== undefined, timeoutSec * 1000);
    } catch (e) {
      // Cancelled (Web UI → Cancel) while waiting: nothing moved, release the reservation whatever the scope.
      if (isCancellation(e)) {
        status.phase = 'cancelled';
        await CancellationScope.nonCancellable(() => acts.releaseReservation({ workflowId, day: ctx.day, asset: input.asset, reason: 'cancelled while awaiting approval' }));
      }
      throw e;
    }
    if (!decided || decision === 'reject') {
      status.phase = decided ? 'rejected' : 'expired';
      await acts.releaseReservation({ workflowId, day: ctx.day, asset: input.asset, reason: status.phase });
      return { workflowId, outcome: status.phase, status };
    }
  }

  status.phase = 'withdrawing';
  let withdrawn = false;
  try {
    const w = await withdrawing.withdraw({
      workflowId,
      venue: input.from.venue,
      asset: input.asset,
      amount: input.amount,
      address: ctx.destination.address,
      network: ctx.destination.network,
      amountUsd: check.amountUsd,
      priceUsd: ctx.priceUsd,
      requester: input.requester,
      idempotencyKey: `${workflowId}:withdraw`,
      day: ctx.day,
    });
    withdrawn = true;
    status.withdrawalId = w.id;
    status.phase = 'awaiting-tx';
    const tx = await waits.awaitWithdrawalTx({ venue: input.from.venue, asset: input.asset, withdrawalId: w.id });
    status.txHash = tx.txHash;
    status.phase = 'confirming';
    const conf = await waits.awaitConfirmations({ txHash: tx.txHash, confirmations: input.confirmations });
    status.blockNumber = conf.blockNumber;
    status.confirmations = conf.confirmations;
    if (ctx.destination.kind === 'venue') {
      status.phase = 'crediting';
      await waits.awaitCredited({ venue: ctx.destination.venue, asset: input.asset, txHash: tx.txHash });
      status.credited = true;
    }
    status.phase = 'ledger';
    await acts.recordLedger({ ...ledgerBase, id: `${workflowId}:transfer`, at: 0, kind: 'transfer', txHash: tx.txHash });
    if (new D(tx.fee).gt(0)) await acts.recordLedger({ ...ledgerBase, id: `${workflowId}:fee`, at: 0, kind: 'fee', amount: tx.fee, amountUsd: fmt(new D(tx.fee).times(ctx.priceUsd)), txHash: tx.txHash });
    status.phase = 'completed';
    return { workflowId, outcome: 'completed', status };
  } catch (e) {
    // Compensation must run to the end even when the workflow was cancelled (Web UI → Cancel).
    return await CancellationScope.nonCancellable(() => compensate(e));
  }

  async function compensate(e: unknown): Promise<never> {
    status.error = failureMessage(e);
    // Runs recorded before this patch looked the withdrawal up by key only (and released on an empty answer).
    if (patched('withdrawal-intent')) return compensateByIntent(e);
    if (!withdrawn) {
      // The withdraw activity gave up. After timeouts the outcome is unknown — the venue may have
      // accepted it — so ask the venue by key before concluding that nothing moved.
      const byKey = await acts.withdrawalsByKey({ venue: input.from.venue, asset: input.asset, idempotencyKey: `${workflowId}:withdraw` }).catch(() => undefined);
      if (byKey !== undefined && byKey.every((r) => r.status === 'failed' || r.status === 'canceled')) {
        status.phase = 'failed';
        await acts.releaseReservation({ workflowId, day: ctx.day, asset: input.asset, reason: `failed before any withdrawal: ${status.error}` });
        throw e;
      }
      if (byKey?.[0]) status.withdrawalId = byKey[0].id;
      if (byKey?.[0]?.txHash) status.txHash = byKey[0].txHash;
    }
    // The venue accepted the withdrawal. If it then failed it (refused broadcast, reverted tx), the
    // venue refunds: check its record rather than assume, and reverse our side — release the day's
    // reservation and book a reversal. Otherwise the funds are in motion: book them to suspense (the
    // amount stays accounted for and the cap consumed) and fail loudly with the tx, for operations.
    // (The venue unreachable here: the outcome stays unknown, and unknown is booked to suspense.)
    const records = await acts.withdrawalsByKey({ venue: input.from.venue, asset: input.asset, idempotencyKey: `${workflowId}:withdraw` }).catch(() => undefined);
    if (records !== undefined && records.length > 0 && records.every((r) => r.status === 'failed' || r.status === 'canceled')) {
      await acts.recordLedger({ ...ledgerBase, id: `${workflowId}:reversal`, at: 0, kind: 'reversal', amount: '0', amountUsd: '0', ...(status.txHash ? { txHash: status.txHash } : {}), note: `withdrawal ${records.map((r) => r.status).join(',')} at ${input.from.venue} (refunded by the venue): ${status.error}` });
      await acts.releaseReservation({ workflowId, day: ctx.day, asset: input.asset, reason: 'withdrawal failed at the venue and was refunded' });
      status.phase = 'compensated';
      throw ApplicationFailure.nonRetryable(`withdrawal failed at ${input.from.venue} and was refunded (${failureType(e) ?? 'error'}): ${status.error}`, 'TRANSFER.WITHDRAWAL_FAILED');
    }
    await acts.recordLedger({ ...ledgerBase, id: `${workflowId}:suspense`, at: 0, kind: 'suspense', ...(status.txHash ? { txHash: status.txHash } : {}), note: status.error });
    status.phase = 'compensated';
    throw ApplicationFailure.nonRetryable(`transfer failed after the withdrawal (${status.txHash ?? status.withdrawalId ?? 'no tx yet'}); booked to suspense: ${status.error}`, 'TRANSFER.SUSPENSE');
  }

  /**
   * The compensation from the withdraw activity's durable intents (activities/treasury.activities.ts
   * withdrawalOutcome): no intent, every request refused, or nothing in the venue's history after its
   * lag → nothing moved, release. An empty lookup within the lag waits (the activity fails retryably
   * until the lag has passed), so a withdrawal the venue accepted but does not show yet never loses
   * its reservation. Found and failed/canceled at the venue → refunded: reversal + release. Found
   * otherwise, or the venue unreachable (outcome unknown) → suspense.
   */
  async function compensateByIntent(e: unknown): Promise<never> {
    // One retry waits the rest of the lag (nextRetryDelay); an unreachable venue gives up like every other step.
    const o = await acts.withdrawalOutcome({ workflowId, venue: input.from.venue, asset: input.asset }).catch(() => undefined);
    if (!withdrawn && o?.outcome === 'none') {
      status.phase = 'failed';
      await acts.releaseReservation({ workflowId, day: ctx.day, asset: input.asset, reason: `failed before any withdrawal (${o.reason}): ${status.error}` });
      throw e;
    }
    if (o?.outcome === 'found') {
      status.withdrawalId = o.record.id;
      if (o.record.txHash) status.txHash = o.record.txHash;
      if (o.record.status === 'failed' || o.record.status === 'canceled') {
        await acts.recordLedger({ ...ledgerBase, id: `${workflowId}:reversal`, at: 0, kind: 'reversal', amount: '0', amountUsd: '0', ...(status.txHash ? { txHash: status.txHash } : {}), note: `withdrawal ${o.record.status} at ${input.from.venue} (refunded by the venue): ${status.error}` });
        await acts.releaseReservation({ workflowId, day: ctx.day, asset: input.asset, reason: 'withdrawal failed at the venue and was refunded' });
        status.phase = 'compensated';
        throw ApplicationFailure.nonRetryable(`withdrawal failed at ${input.from.venue} and was refunded (${failureType(e) ?? 'error'}): ${status.error}`, 'TRANSFER.WITHDRAWAL_FAILED');
      }
    }
    await acts.recordLedger({ ...ledgerBase, id: `${workflowId}:suspense`, at: 0, kind: 'suspense', ...(status.txHash ? { txHash: status.txHash } : {}), note: status.error });
    status.phase = 'compensated';
    throw ApplicationFailure.nonRetryable(`transfer failed after the withdrawal (${status.txHash ?? status.withdrawalId ?? 'outcome unknown'}); booked to suspense: ${status.error}`, 'TRANSFER.SUSPENSE');
  }
}
