// Approval activities: who may sign, and who did. Verification recovers the signer of the EIP-712
// approval message (domain/treasury/approval.ts) with ethers and maps the address to a configured
// operator (treasury.approvals.operators). It runs as an activity so the verdict is recorded in the
// workflow's history and a replay reads it from there (the worker's config or clock may have changed).
// Only public data passes through here: addresses, the message, the signature; never a key.
import { ApplicationFailure } from '@temporalio/activity';
import { verifyTypedData } from 'ethers';
import type { BallastConfig } from '../domain/config.schema';
import { APPROVAL_DOMAIN, APPROVAL_TYPES, SIGNED_DECISIONS, approvalMessage, quorumFor, type ApprovalSubject, type ApprovalVerdict, type SignedDecision } from '../domain/treasury/approval';

export interface ApprovalDeps {
  config: BallastConfig;
  /** Epoch ms (the expiry check). */
  now(): number;
}

export interface ApprovalPolicyRequest {
  amountUsd: string;
  requester: string;
  /** Started by another workflow (rebalance / venueRisk): no human requester signs. */
  system: boolean;
}

export interface ApprovalPolicy {
  quorum: number;
  /** The operator id of the requester (operator-started); their signed request comes first. */
  requester?: string;
  /** Operators who can never count for this transfer. */
  excluded: string[];
  operators: string[];
}

export interface VerifyApprovalRequest {
  subject: ApprovalSubject;
  decision: SignedDecision;
  expiresAt: number;
  signature: string;
}

const SYSTEM_PREFIX = /^(rebalance|venueRisk|liquidityCoordinator):/i;

export function createApprovalActivities(deps: ApprovalDeps) {
  const approvals = deps.config.treasury.approvals;
  const byAddress = new Map(approvals.operators.map((o) => [o.address.toLowerCase(), o.id]));
  const operatorId = (name: string) => approvals.operators.find((o) => o.id.toLowerCase() === name.trim().toLowerCase())?.id;

  return {
    /**
     * The quorum of an amount and whose keys never count. An operator start needs the requester to be a
     * configured operator (their key signs the request): otherwise refused at once, before anything is reserved.
     */
    async approvalPolicy(req: ApprovalPolicyRequest): Promise<ApprovalPolicy> {
      const quorum = quorumFor(req.amountUsd, approvals.tiers);
      const operators = approvals.operators.map((o) => o.id);
      if (req.system) {
        // `rebalance:<who>` / `venueRisk:<who>`: the operator behind the system start, if any, never counts.
        let who = req.requester.trim();
        while (SYSTEM_PREFIX.test(who)) who = who.replace(SYSTEM_PREFIX, '');
        const behind = operatorId(who);
        return { quorum, excluded: behind ? [behind] : [], operators };
      }
      const requester = operatorId(req.requester);
      if (!requester) {
        throw ApplicationFailure.nonRetryable(
          `requester: "${req.requester}" is not an operator of treasury.approvals.operators; above the approval threshold the requester signs the request with their own key (npm run approve -- <workflowId> --request)`,
          'APPROVAL.REQUESTER_NOT_OPERATOR',
        );
      }
      if (quorum > operators.length - 1) {
        throw ApplicationFailure.nonRetryable(`treasury.approvals: ${quorum} approvers besides ${requester} are needed but only ${operators.length} operators are configured`, 'APPROVAL.QUORUM_UNREACHABLE');
      }
      return { quorum, requester, excluded: [requester], operators };
    },

    /** Recovers the signer of the message and maps it to an operator. A verdict, never a retry: a bad signature stays bad. */
    async verifyApproval(req: VerifyApprovalRequest): Promise<ApprovalVerdict> {
      if (!SIGNED_DECISIONS.includes(req.decision)) return { ok: false, code: 'APPROVAL.INVALID', message: `decision: ${JSON.stringify(req.decision)} is not one of ${SIGNED_DECISIONS.join(', ')}` };
      let address: string;
      try {
        const message = approvalMessage(req.subject, req.decision, req.expiresAt);
        address = verifyTypedData(APPROVAL_DOMAIN, APPROVAL_TYPES as unknown as Record<string, { name: string; type: string }[]>, message, req.signature).toLowerCase();
      } catch (e) {
        return { ok: false, code: 'APPROVAL.INVALID', message: `signature: not a valid signature of this message (${e instanceof Error ? e.message.split(' (')[0] : String(e)})` };
      }
      const operator = byAddress.get(address);
      if (!operator) return { ok: false, code: 'APPROVAL.FORGED', message: `signed by ${address}, which is not a configured operator (or the message was altered after signing)`, address };
      if (req.expiresAt * 1000 <= deps.now()) {
        return { ok: false, code: 'APPROVAL.EXPIRED', message: `signature of ${operator} expired at ${new Date(req.expiresAt * 1000).toISOString()}`, address };
      }
      return { ok: true, operator, address };
    },
  };
}

export type ApprovalActivities = ReturnType<typeof createApprovalActivities>;
