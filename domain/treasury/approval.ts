// Signed approvals: the canonical approval message (EIP-712 typed data, domain "Ballast approvals",
// no chain id: the same signature is valid whatever network the operator's wallet is on), the zod
// schema of the signed payload an operator pastes into the Web UI's Update form, the quorum tier of an
// amount, and the tally that turns verified signatures into the workflow's decision.
// Pure: no ethers here (the workflow bundle imports this file). Hashing and recovering the signer is
// activities/approval.activities.ts (verify) and scripts/approve.ts (sign), both with ethers' own
// TypedDataEncoder over exactly these `APPROVAL_TYPES`.
import { z } from 'zod';
import { D, fmt } from '../money';

export const APPROVAL_DOMAIN = { name: 'Ballast approvals', version: '1' } as const;

/** The EIP-712 struct. Field order is part of the signature: never reorder, only add a new version. */
export const APPROVAL_TYPES = {
  Approval: [
    { name: 'workflowId', type: 'string' },
    { name: 'decision', type: 'string' },
    { name: 'asset', type: 'string' },
    { name: 'amount', type: 'string' },
    { name: 'destination', type: 'string' },
    { name: 'address', type: 'string' },
    { name: 'network', type: 'string' },
    { name: 'expiresAt', type: 'uint64' },
  ],
} as const;

/**
 * `request`: the requester's own signature on the request (required before approvals count for an
 * operator-started transfer); `approve` / `reject`: another operator's decision.
 */
export const SIGNED_DECISIONS = ['request', 'approve', 'reject'] as const;
export type SignedDecision = (typeof SIGNED_DECISIONS)[number];

/** What the workflow shows (status query) and the message must match: everything but decision and expiry. */
export interface ApprovalSubject {
  workflowId: string;
  asset: string;
  /** Canonical decimal string (no exponent, no trailing zeros). */
  amount: string;
  /** Whitelist label or venue (`wallet:cold-wallet`, `venue:bravo`, `buyback`). */
  destination: string;
  /** Lowercase destination address ("" where there is none, e.g. a buyback). */
  address: string;
  network: string;
}

export interface ApprovalMessage extends ApprovalSubject {
  decision: SignedDecision;
  /** Unix seconds after which the signature is refused. */
  expiresAt: number;
}

/** The subject in canonical form: amounts as canonical decimals, the asset upper-case, the address lower-case, trimmed. */
export function approvalSubject(s: ApprovalSubject): ApprovalSubject {
  return {
    workflowId: s.workflowId.trim(),
    asset: s.asset.trim().toUpperCase(),
    amount: fmt(new D(s.amount.trim())),
    destination: s.destination.trim(),
    address: s.address.trim().toLowerCase(),
    network: s.network.trim(),
  };
}

/** The message to sign: the canonical subject plus decision and expiry (whole seconds). */
export function approvalMessage(subject: ApprovalSubject, decision: SignedDecision, expiresAtSec: number): ApprovalMessage {
  if (!Number.isInteger(expiresAtSec) || expiresAtSec <= 0) throw new Error(`expiresAt: expected unix seconds, got ${expiresAtSec}`);
  return { ...approvalSubject(subject), decision, expiresAt: expiresAtSec };
}

/** The EIP-712 triple for ethers' signTypedData / verifyTypedData. */
export function approvalTypedData(m: ApprovalMessage): { domain: typeof APPROVAL_DOMAIN; types: typeof APPROVAL_TYPES; message: ApprovalMessage } {
  return { domain: APPROVAL_DOMAIN, types: APPROVAL_TYPES, message: m };
}

const zField = (what: string) => z.string({ error: `expected ${what}` }).trim();

/** The `approve` update/signal payload: the message fields and the signature over them. */
export const SignedApprovalSchema = z
  .object({
    workflowId: zField('the workflow id').min(1, 'required: the workflow id'),
    decision: z.enum(SIGNED_DECISIONS, { error: 'expected "request", "approve" or "reject"' }),
    asset: zField('the asset'),
    amount: zField('the amount as a decimal string').regex(/^\d+(\.\d+)?$/, 'expected a decimal string like "1200.5"'),
    destination: zField('the destination'),
    address: zField('the destination address ("" when none)'),
    network: zField('the network'),
    expiresAt: z.number({ error: 'expected unix seconds' }).int('expected whole unix seconds').positive('expected unix seconds'),
    signature: z.string({ error: 'expected the 0x… signature' }).regex(/^0x[0-9a-fA-F]{130}$/, 'expected a 65-byte 0x… hex signature'),
    note: z.string().max(500, 'at most 500 characters').optional(),
  })
  .strict();
export type SignedApproval = z.output<typeof SignedApprovalSchema>;

/** Where the signed message differs from the workflow's subject (wrong workflow, edited fields), as "field: …" lines. */
export function subjectMismatch(expected: ApprovalSubject, got: ApprovalSubject): string[] {
  const e = approvalSubject(expected);
  let g: ApprovalSubject;
  try {
    g = approvalSubject(got);
  } catch {
    return [`amount: ${JSON.stringify(got.amount)} is not a decimal`];
  }
  return (Object.keys(e) as (keyof ApprovalSubject)[]).filter((k) => e[k] !== g[k]).map((k) => `${k}: signed ${JSON.stringify(g[k])}, this workflow has ${JSON.stringify(e[k])}`);
}

export const zOperatorAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x… EVM address of 40 hex digits');

export const ApprovalsConfigSchema = z
  .object({
    /** Who may sign: an id (as typed in `requester`) and the address of their key. */
    operators: z
      .array(z.object({ id: z.string().trim().min(1, 'required: an operator id like "alice@ops"').max(120), address: zOperatorAddress }).strict())
      .default([]),
    /** Distinct operators needed: the highest tier whose aboveUsd the amount exceeds (at least 1). */
    tiers: z
      .array(z.object({ aboveUsd: z.string().regex(/^\d+(\.\d+)?$/, 'expected a decimal string'), quorum: z.number().int().min(1).max(20) }).strict())
      .default([]),
  })
  .strict()
  .superRefine((a, ctx) => {
    const ids = new Set<string>();
    const addrs = new Set<string>();
    a.operators.forEach((o, i) => {
      if (ids.has(o.id.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['operators', i, 'id'], message: `duplicate operator id "${o.id}"` });
      if (addrs.has(o.address.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['operators', i, 'address'], message: `address already belongs to another operator` });
      ids.add(o.id.toLowerCase());
      addrs.add(o.address.toLowerCase());
    });
    a.tiers.forEach((t, i) => {
      const prev = a.tiers[i - 1];
      if (prev && !new D(t.aboveUsd).gt(prev.aboveUsd)) ctx.addIssue({ code: 'custom', path: ['tiers', i, 'aboveUsd'], message: 'tiers must be in increasing aboveUsd' });
      if (prev && t.quorum < prev.quorum) ctx.addIssue({ code: 'custom', path: ['tiers', i, 'quorum'], message: 'a higher tier cannot need fewer approvers' });
      if (a.operators.length > 0 && t.quorum > a.operators.length - 1) {
        ctx.addIssue({ code: 'custom', path: ['tiers', i, 'quorum'], message: `needs ${t.quorum} approvers besides the requester but only ${a.operators.length} operators are configured` });
      }
    });
  });
export type ApprovalsConfig = z.output<typeof ApprovalsConfigSchema>;

/** Distinct approvers an amount needs: the quorum of the highest tier it is strictly above, at least 1. */
export function quorumFor(amountUsd: string, tiers: readonly { aboveUsd: string; quorum: number }[]): number {
  const usd = new D(amountUsd);
  return tiers.reduce((q, t) => (usd.gt(t.aboveUsd) ? Math.max(q, t.quorum) : q), 1);
}

/** The verify activity's verdict: who signed (an operator), or why not. */
export type ApprovalVerdict =
  | { ok: true; operator: string; address: string }
  | { ok: false; code: 'APPROVAL.FORGED' | 'APPROVAL.EXPIRED' | 'APPROVAL.INVALID'; message: string; address?: string };

export interface ApprovalTally {
  /** Distinct operators needed. */
  quorum: number;
  /** The operator whose own signed request is required first (operator-started), if any. */
  requester?: string;
  /** Operators who can never count (the requester, the operator behind a system start). */
  excluded: string[];
  requestSignedBy?: string;
  approvedBy: string[];
  decision?: 'approve' | 'reject';
  decidedBy?: string;
}

export type TallyResult = { ok: true; tally: ApprovalTally } | { ok: false; code: string; message: string };

const same = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

/**
 * Applies one verified signature. The first decision is final; the requester's key only signs the
 * request; an operator counts once; approvals count only after the requester's signed request (when
 * one is required) — so one person alone can never reach a quorum of others.
 */
export function tallyApproval(t: ApprovalTally, decision: SignedDecision, operator: string): TallyResult {
  if (t.decision !== undefined) return { ok: false, code: 'APPROVAL.DECIDED', message: `already ${t.decision === 'approve' ? 'approved' : 'rejected'} by ${t.decidedBy ?? '?'}: the first decision is final` };
  if (decision === 'request') {
    if (!same(operator, t.requester)) return { ok: false, code: 'APPROVAL.INVALID', message: `decision "request" must be signed by the requester${t.requester ? ` (${t.requester})` : ' (this transfer has no operator requester)'}, not by ${operator}` };
    if (t.requestSignedBy !== undefined) return { ok: false, code: 'APPROVAL.REPLAYED', message: 'the request is already signed' };
    return done({ ...t, requestSignedBy: operator });
  }
  if (same(operator, t.requester) || t.excluded.some((x) => same(x, operator))) {
    return { ok: false, code: 'APPROVAL.SELF', message: `${operator} requested this transfer: the requester's key never counts as an approver` };
  }
  if (t.requester !== undefined && t.requestSignedBy === undefined) {
    return { ok: false, code: 'APPROVAL.NO_REQUEST', message: `the requester ${t.requester} has not signed the request yet (npm run approve -- <id> --request)` };
  }
  if (decision === 'reject') return done({ ...t, decision: 'reject', decidedBy: operator });
  if (t.approvedBy.some((x) => same(x, operator))) return { ok: false, code: 'APPROVAL.DUPLICATE', message: `${operator} has already approved: the quorum needs ${t.quorum} distinct operators` };
  return done({ ...t, approvedBy: [...t.approvedBy, operator] });
}

function done(t: ApprovalTally): TallyResult {
  if (t.decision === undefined && t.approvedBy.length >= t.quorum && (t.requester === undefined || t.requestSignedBy !== undefined)) {
    return { ok: true, tally: { ...t, decision: 'approve', decidedBy: t.approvedBy.join(', ') } };
  }
  return { ok: true, tally: t };
}
