// Inputs of the treasury workflows, as an operator types them into the Temporal Web UI's start form
// (one JSON object each). Strict: an unknown or misspelt key is an error, and every error names its
// field (domain/errors.ts turns the issues into "path: message"), so a bad input fails at once and no
// funds move. Amounts are decimal strings (numbers are accepted and canonicalised, never kept as floats).
import { z } from 'zod';
import { D, zDecimal, zPositiveDecimal } from '../money';
import { zVenueId } from '../config.schema';

const got = (v: unknown): string => (v === undefined ? 'nothing' : typeof v === 'string' ? JSON.stringify(v) : typeof v);

/** A required string whose missing/wrong-type message says what is expected. */
const zText = (hint: string) =>
  z.string({ error: (iss) => (iss.input === undefined ? `required: ${hint}` : `${hint}, got ${got(iss.input)}`) }).trim();

export const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{3,80}$/;

/** The business key the workflow id derives from (`transfer:<requestId>`); a second start with it is refused. */
export const zRequestId = zText('a request id (business key) like "ops-2026-11-26-001"').regex(
  REQUEST_ID_RE,
  'expected 3-80 characters from A-Z a-z 0-9 . _ : -',
);
export const zAsset = zText('an asset symbol like "BLST" or "USDT"').regex(/^[A-Z0-9]{2,12}$/, 'expected an asset symbol like "BLST" or "USDT" (2-12 capitals/digits)');
/** Who acts (requester, approver): an identity such as "alice@ops"; compared trimmed and case-insensitively. */
export const zIdentity = zText('an identity like "alice@ops"').min(1, 'required: an identity like "alice@ops"').max(120, 'at most 120 characters');
/** A label of treasury.whitelist; the address is looked up from config, never typed in. */
export const zWalletLabel = zText('a whitelist label like "cold-wallet"').min(1, 'required: a whitelist label like "cold-wallet"').max(64, 'at most 64 characters');
const zVenue = z.string({ error: (iss) => (iss.input === undefined ? 'required: a venue id like "alpha"' : `expected a venue id, got ${got(iss.input)}`) }).pipe(zVenueId);
const zReason = zText('a short free-text reason').max(500, 'at most 500 characters');

export const zApprovalTimeoutSec = z
  .number({ error: 'expected a whole number of seconds (60..604800)' })
  .int('expected a whole number of seconds')
  .min(60, 'at least 60 seconds')
  .max(604_800, 'at most 604800 seconds (7 days)')
  .default(3600);
export const zConfirmations = z
  .number({ error: 'expected a whole number of blocks (1..100)' })
  .int('expected a whole number of blocks')
  .min(1, 'at least 1 confirmation')
  .max(100, 'at most 100 confirmations')
  .default(3);

export const VenueEndpointSchema = z
  .object({ venue: zVenue }, { error: (iss) => `${iss.input === undefined ? 'required: ' : ''}expected { "venue": "<id>" }` })
  .strict();

/** `{ venue }` or `{ wallet }`, exactly one of them; the output is the matching variant. */
export const TransferDestinationSchema = z
  .object({ venue: zVenue.optional(), wallet: zWalletLabel.optional() }, { error: (iss) => `${iss.input === undefined ? 'required: ' : ''}expected { "venue": "<id>" } or { "wallet": "<whitelist label>" }` })
  .strict()
  .superRefine((d, ctx) => {
    if ((d.venue === undefined) === (d.wallet === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of "venue" or "wallet"' });
    }
  })
  .transform((d): { venue: string } | { wallet: string } => (d.venue !== undefined ? { venue: d.venue } : { wallet: d.wallet ?? '' }));
export type TransferDestination = z.output<typeof TransferDestinationSchema>;

export const FundTransferInputSchema = z
  .object({
    requestId: zRequestId,
    asset: zAsset,
    amount: zPositiveDecimal,
    from: VenueEndpointSchema,
    to: TransferDestinationSchema,
    requester: zIdentity,
    reason: zReason.optional(),
    approvalTimeoutSec: zApprovalTimeoutSec,
    confirmations: zConfirmations,
  })
  .strict()
  .superRefine((t, ctx) => {
    if ('venue' in t.to && t.to.venue === t.from.venue) {
      ctx.addIssue({ code: 'custom', path: ['to', 'venue'], message: `must differ from from.venue ("${t.from.venue}")` });
    }
  });
export type FundTransferInput = z.input<typeof FundTransferInputSchema>;
export type FundTransferRequest = z.output<typeof FundTransferInputSchema>;

export const WithdrawalInputSchema = z
  .object({
    requestId: zRequestId,
    asset: zAsset,
    amount: zPositiveDecimal,
    fromVenue: zVenue,
    toWallet: zWalletLabel,
    requester: zIdentity,
    reason: zReason.optional(),
    approvalTimeoutSec: zApprovalTimeoutSec,
    confirmations: zConfirmations,
  })
  .strict();
export type WithdrawalInput = z.input<typeof WithdrawalInputSchema>;
export type WithdrawalRequest = z.output<typeof WithdrawalInputSchema>;

export const APPROVAL_DECISIONS = ['approve', 'reject'] as const;

/** The payload of the `approve` update (or signal) an operator sends from the Web UI. */
export const ApprovalSchema = z
  .object({
    approver: zIdentity,
    decision: z.enum(APPROVAL_DECISIONS, { error: 'expected "approve" or "reject"' }),
    note: zReason.optional(),
  })
  .strict();
export type ApprovalInput = z.input<typeof ApprovalSchema>;
export type Approval = z.output<typeof ApprovalSchema>;

/** A share of the asset's total, 0..1 inclusive. */
const zShare = zDecimal.refine((v) => new D(v).gte(0) && new D(v).lte(1), { message: 'must be between 0 and 1' });

/** Target allocation venue → share; the shares must add up to exactly 1 (decimal, no float slack). */
export const TargetAllocationSchema = z
  .record(zVenueId, zShare, {
    // Only for a non-object: key and value issues keep their own messages.
    error: (iss) =>
      iss.code === 'invalid_type'
        ? 'expected an object of venue id → share, e.g. { "alpha": "0.5", "bravo": "0.5" }'
        : iss.code === 'invalid_key'
          ? 'not a venue id (lowercase letters, digits, "-", 2-32 chars)'
          : undefined,
  })
  .superRefine((t, ctx) => {
    const venues = Object.keys(t);
    if (venues.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'expected at least one venue' });
      return;
    }
    // Per-share errors are reported by the value schema; only sum well-formed ones.
    const total = venues.reduce((acc, v) => acc.plus(new D(t[v] ?? '0')), new D(0));
    if (!total.eq(1)) ctx.addIssue({ code: 'custom', message: `shares must add up to 1, got ${total.toFixed()}` });
  });
export type TargetAllocation = z.output<typeof TargetAllocationSchema>;

export const RebalanceInputSchema = z
  .object({
    requestId: zRequestId,
    asset: zAsset,
    /** Defaults to equal shares over the transfer-capable venues. */
    target: TargetAllocationSchema.optional(),
    requester: zIdentity,
    /** Plan only: return the transfers without starting them. */
    dryRun: z.boolean({ error: 'expected true or false' }).default(false),
    /** Set by the liquidityCoordinator: the decision this run carries out (reported back when it ends). */
    decisionId: zText('a coordinator decision id').optional(),
  })
  .strict();
export type RebalanceInput = z.input<typeof RebalanceInputSchema>;
export type RebalanceRequest = z.output<typeof RebalanceInputSchema>;

export const VenueRiskInputSchema = z
  .object({
    venue: zVenue,
    /** The asset whose liquidityCoordinator holds the venue's operating mode. */
    asset: zAsset.default('BLST'),
    reason: zReason.min(1, 'say why the venue is at risk'),
    requestedBy: zIdentity,
    /** Whitelist label of the wallet the funds go to; defaults to treasury.safeWallet. */
    safeWallet: zWalletLabel.optional(),
    /** Set by the liquidityCoordinator: the decision this run carries out (reported back when it ends). */
    decisionId: zText('a coordinator decision id').optional(),
  })
  .strict();
export type VenueRiskInput = z.input<typeof VenueRiskInputSchema>;
export type VenueRiskRequest = z.output<typeof VenueRiskInputSchema>;

// The `status` query's shape lives with the workflow (workflows/fund-transfer.workflow.ts TransferStatusView).
