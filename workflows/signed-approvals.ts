// The signed-approval gate both treasury transfers and price actions use (issue 11): the `approve`
// update (validator: schema, this workflow's id and subject, expiry by workflow time, a signature
// never used before, still undecided) and signal; each signature verified in an activity (the verdict
// sits in the history and replays) and applied strictly in arrival order, so a reject that arrived
// first stays final even when a later approval's verification returns sooner.
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ApprovalActivities, ApprovalPolicy } from '../activities/approval.activities';
import { toFieldIssues } from '../domain/errors';
import { SignedApprovalSchema, subjectMismatch, tallyApproval, type ApprovalSubject, type ApprovalTally, type ApprovalVerdict, type SignedApproval, type SignedDecision } from '../domain/treasury/approval';
import { failureMessage, workflowNow } from './workflow-util';

export const approvalActs = proxyActivities<ApprovalActivities>({
  startToCloseTimeout: '20s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 5 },
});

/** What the `status` query shows: the fields to sign, the quorum, who signed so far. */
export type SigningView = ApprovalSubject & { quorum: number; requester?: string; requestSignedBy?: string; approvedBy: string[] };

export interface SignedApprovalGate {
  /** Opens the gate for this subject and policy (the workflow then awaits `decision()`). */
  open(subject: ApprovalSubject, policy: ApprovalPolicy): SigningView;
  decision(): 'approve' | 'reject' | undefined;
}

export function installSignedApprovals<S, U, G>(o: {
  workflowId: string;
  update: UpdateDefinition<S, [U]>;
  signal: SignalDefinition<[G]>;
  /** Why no approval is taken now (not awaiting), or undefined while awaiting. */
  notAwaiting(): string | undefined;
  /** A verified, counted signature: record it in the status. */
  onSigned(entry: { approver: string; decision: SignedDecision; note?: string }, view: SigningView): void;
  /** The status the update returns. */
  status(): S;
  /** Where a refused signal is noted (signals cannot be refused to the sender). */
  onSignalRefused(message: string): void;
}): SignedApprovalGate {
  let subject: ApprovalSubject | undefined;
  let tally: ApprovalTally | undefined;
  let view: SigningView | undefined;
  const used = new Set<string>();
  let arrived = 0;
  let applied = 0;

  const validate = (raw: unknown): SignedApproval => {
    const r = SignedApprovalSchema.safeParse(raw);
    if (!r.success) throw new Error(`approve is invalid: ${toFieldIssues(r.error).map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    const a = r.data;
    if (a.workflowId !== o.workflowId) throw new Error(`approve is invalid: workflowId: signed for "${a.workflowId}", this is "${o.workflowId}" (wrong workflow)`);
    const why = o.notAwaiting();
    if (why !== undefined || !subject || !tally) throw new Error(`approve is invalid: ${why ?? 'not awaiting approval'}`);
    if (tally.decision !== undefined) throw new Error(`approve is invalid: already ${tally.decision === 'approve' ? 'approved' : 'rejected'}: the first decision is final`);
    const diff = subjectMismatch(subject, a);
    if (diff.length) throw new Error(`approve is invalid: the signed message is not this workflow's: ${diff.join('; ')}`);
    if (a.expiresAt * 1000 <= workflowNow()) throw new Error(`approve is invalid: expiresAt: the signature expired at ${new Date(a.expiresAt * 1000).toISOString()}`);
    if (used.has(a.signature.toLowerCase())) throw new Error('approve is invalid: signature: already used (replayed)');
    return a;
  };

  const apply = async (a: SignedApproval): Promise<S> => {
    const turn = arrived++;
    used.add(a.signature.toLowerCase());
    let v: ApprovalVerdict;
    try {
      v = await approvalActs.verifyApproval({ subject: subject!, decision: a.decision, expiresAt: a.expiresAt, signature: a.signature });
    } catch (e) {
      v = { ok: false, code: 'APPROVAL.INVALID', message: `verification failed: ${failureMessage(e)}` };
    }
    await condition(() => applied === turn);
    applied++;
    if (!v.ok) throw ApplicationFailure.nonRetryable(`approve is refused: ${v.message}`, v.code);
    const t = tallyApproval(tally!, a.decision, v.operator);
    if (!t.ok) throw ApplicationFailure.nonRetryable(`approve is refused: ${t.message}`, t.code);
    tally = t.tally;
    view = { ...view!, ...(tally.requestSignedBy !== undefined ? { requestSignedBy: tally.requestSignedBy } : {}), approvedBy: [...tally.approvedBy] };
    o.onSigned({ approver: v.operator, decision: a.decision, ...(a.note !== undefined ? { note: a.note } : {}) }, view);
    return o.status();
  };

  setHandler(o.update, (raw: U) => apply(validate(raw)), { validator: (raw: U) => void validate(raw) });
  // The Web UI of some versions sends only signals: same rules, a refusal is noted in the status.
  setHandler(o.signal, async (raw: G) => {
    try {
      await apply(validate(raw));
    } catch (e) {
      o.onSignalRefused(e instanceof Error ? e.message : String(e));
    }
  });

  return {
    open(s, policy) {
      subject = s;
      tally = { quorum: policy.quorum, ...(policy.requester !== undefined ? { requester: policy.requester } : {}), excluded: policy.excluded, approvedBy: [] };
      view = { ...s, quorum: policy.quorum, ...(policy.requester !== undefined ? { requester: policy.requester } : {}), approvedBy: [] };
      return view;
    },
    decision: () => tally?.decision,
  };
}
