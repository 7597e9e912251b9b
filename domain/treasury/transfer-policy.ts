// Transfer policy: whitelist, caps and the approval rule. Pure and deterministic, so the workflow checks
// it before asking for approval and the activity checks it again right before the venue call (a
// workflow bug or a stale input cannot move money past the caps). Exact decimal comparisons only.
import { D, fmt, type Dec } from '../money';
import { DomainError } from '../errors';

export interface WhitelistEntry {
  label: string;
  address: string;
  chain: string;
  /** The network withdrawals to it are sent on (ccxt code, e.g. "ERC20"). Absent only in old histories. */
  network?: string;
  /** A venue's own name for that network, where it differs. */
  venueNetworks?: Record<string, string>;
  /** The memo / tag the destination credits by. */
  memo?: string;
}

/** The network an entry is reached on from (or, for a deposit address, at) a venue, in that venue's naming. */
export function entryNetwork(entry: WhitelistEntry, venueId: string): string | undefined {
  return entry.venueNetworks?.[venueId] ?? entry.network;
}

export interface TransferPolicy {
  whitelist: WhitelistEntry[];
  caps: { perTransferUsd: string; dailyUsd: string };
  /** Transfers whose USD value is strictly above this need a second person's approval. */
  approvalThresholdUsd: string;
}

export interface TransferPolicyRequest {
  asset: string;
  amount: string;
  /** USD per unit of `asset`. */
  priceUsd: string;
  destinationAddress: string;
  /** When given, the whitelist entry with this address must also carry this label. */
  destinationLabel?: string;
  /** When given, the whitelist entry must be on this chain. */
  destinationChain?: string;
  /**
   * When given, the network the withdrawal is sent on (in `sourceVenue`'s naming): the entry must be
   * whitelisted on it, and `destinationMemo` must be exactly the entry's memo (both absent included).
   */
  destinationNetwork?: string;
  destinationMemo?: string;
  /** The venue the withdrawal leaves from (its name for the network: `venueNetworks`). */
  sourceVenue?: string;
  requester: string;
}

export type TransferPolicyCode =
  | 'TRANSFER.NOT_WHITELISTED'
  | 'TRANSFER.NETWORK_MISMATCH'
  | 'TRANSFER.MEMO_MISMATCH'
  | 'TRANSFER.OVER_PER_TRANSFER_CAP'
  | 'TRANSFER.OVER_DAILY_CAP'
  | 'TRANSFER.INVALID';

export type TransferPolicyResult =
  | { ok: true; amountUsd: string; needsApproval: boolean; destination: WhitelistEntry; dailyUsedAfterUsd: string }
  | { ok: false; code: TransferPolicyCode; message: string };

const DECIMAL_RE = /^-?\d+(\.\d+)?$/;

function decimal(v: unknown): Dec | undefined {
  return typeof v === 'string' && DECIMAL_RE.test(v.trim()) ? new D(v.trim()) : undefined;
}

function invalid(message: string): TransferPolicyResult {
  return { ok: false, code: 'TRANSFER.INVALID', message };
}

/**
 * Checks one transfer against the whitelist (address case-insensitive; label and chain when given),
 * the per-transfer cap and the daily cap (what is already used today plus this one). Caps are inclusive:
 * a transfer exactly at a cap passes. `needsApproval` when the USD value is strictly above the threshold.
 */
export function checkTransferPolicy(req: TransferPolicyRequest, policy: TransferPolicy, usedTodayUsd: string): TransferPolicyResult {
  const amount = decimal(req.amount);
  if (!amount || amount.lte(0)) return invalid(`amount: expected a positive decimal, got ${JSON.stringify(req.amount)}`);
  const price = decimal(req.priceUsd);
  if (!price || price.lte(0)) return invalid(`priceUsd: expected a positive decimal, got ${JSON.stringify(req.priceUsd)}`);
  const used = decimal(usedTodayUsd);
  if (!used || used.lt(0)) return invalid(`usedTodayUsd: expected a decimal of 0 or more, got ${JSON.stringify(usedTodayUsd)}`);
  if (typeof req.asset !== 'string' || !req.asset.trim()) return invalid('asset: required');
  if (typeof req.requester !== 'string' || !req.requester.trim()) return invalid('requester: required (who asks for the transfer)');
  if (typeof req.destinationAddress !== 'string' || !req.destinationAddress.trim()) return invalid('destinationAddress: required');
  const perTransfer = decimal(policy.caps.perTransferUsd);
  const daily = decimal(policy.caps.dailyUsd);
  const threshold = decimal(policy.approvalThresholdUsd);
  if (!perTransfer || !daily || !threshold) return invalid('policy: caps.perTransferUsd, caps.dailyUsd and approvalThresholdUsd must be decimals');

  const address = req.destinationAddress.trim().toLowerCase();
  const atAddress = policy.whitelist.filter((e) => e.address.trim().toLowerCase() === address);
  if (atAddress.length === 0) return { ok: false, code: 'TRANSFER.NOT_WHITELISTED', message: `destination ${req.destinationAddress} is not on the whitelist` };
  let entry = atAddress[0]!;
  if (req.destinationNetwork !== undefined) {
    // The same address may be whitelisted on several networks (an EVM address on ERC20 and BEP20).
    const venue = req.sourceVenue ?? '';
    const onNetwork = atAddress.find((e) => entryNetwork(e, venue) === req.destinationNetwork);
    if (!onNetwork) {
      const listed = atAddress.map((e) => entryNetwork(e, venue) ?? '(none)').join(', ');
      return {
        ok: false,
        code: 'TRANSFER.NETWORK_MISMATCH',
        message: `network: destination ${req.destinationAddress} is whitelisted on ${listed}${req.sourceVenue ? ` (as ${req.sourceVenue} names it)` : ''}, not "${req.destinationNetwork}"`,
      };
    }
    entry = onNetwork;
    if ((req.destinationMemo ?? undefined) !== entry.memo) {
      return {
        ok: false,
        code: 'TRANSFER.MEMO_MISMATCH',
        message:
          entry.memo === undefined
            ? `memo: destination "${entry.label}" takes no memo, got "${req.destinationMemo}"`
            : `memo: destination "${entry.label}" is credited by memo "${entry.memo}", ${req.destinationMemo === undefined ? 'none given' : `not "${req.destinationMemo}"`}`,
      };
    }
  }
  if (req.destinationLabel !== undefined && req.destinationLabel.trim() !== entry.label) {
    return {
      ok: false,
      code: 'TRANSFER.NOT_WHITELISTED',
      message: `destination ${req.destinationAddress} is whitelisted as "${entry.label}", not "${req.destinationLabel}"`,
    };
  }
  if (req.destinationChain !== undefined && req.destinationChain !== entry.chain) {
    return {
      ok: false,
      code: 'TRANSFER.NOT_WHITELISTED',
      message: `destination ${req.destinationAddress} is whitelisted on chain "${entry.chain}", not "${req.destinationChain}"`,
    };
  }

  const amountUsd = amount.times(price);
  if (amountUsd.gt(perTransfer)) {
    return {
      ok: false,
      code: 'TRANSFER.OVER_PER_TRANSFER_CAP',
      message: `${fmt(amount)} ${req.asset} is ${fmt(amountUsd)} USD, above the per-transfer cap of ${fmt(perTransfer)} USD`,
    };
  }
  const after = used.plus(amountUsd);
  if (after.gt(daily)) {
    return {
      ok: false,
      code: 'TRANSFER.OVER_DAILY_CAP',
      message: `${fmt(amountUsd)} USD on top of ${fmt(used)} USD already moved today is ${fmt(after)} USD, above the daily cap of ${fmt(daily)} USD`,
    };
  }
  return { ok: true, amountUsd: fmt(amountUsd), needsApproval: amountUsd.gt(threshold), destination: { ...entry }, dailyUsedAfterUsd: fmt(after) };
}

/** The failed result as a DomainError (non-retryable) for the activity / workflow boundary. */
export function policyError(r: { ok: false; code: string; message: string }): DomainError {
  return new DomainError(r.code, r.message, true);
}

const DAY_MS = 86_400_000;

/** The UTC calendar day a transfer counts against for the daily cap, e.g. "2026-11-26". */
export function dailyWindow(nowMs: number): string {
  if (!Number.isFinite(nowMs) || nowMs < 0) throw new DomainError('TRANSFER.INVALID', `nowMs: expected epoch milliseconds, got ${nowMs}`);
  return new Date(Math.floor(nowMs / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

export type ApproverCheck = { ok: true; approver: string } | { ok: false; code: 'TRANSFER.SELF_APPROVAL' | 'TRANSFER.INVALID'; message: string };

const identity = (s: unknown): string => (typeof s === 'string' ? s.trim().toLowerCase() : '');

/** A second person must approve: the approver is required and differs from the requester (trimmed, case-insensitive). */
export function checkApprover(requester: string, approver: string): ApproverCheck {
  if (!identity(approver)) return { ok: false, code: 'TRANSFER.INVALID', message: 'approver: required (who approves)' };
  if (!identity(requester)) return { ok: false, code: 'TRANSFER.INVALID', message: 'requester: required (who asked for the transfer)' };
  if (identity(approver) === identity(requester)) {
    return { ok: false, code: 'TRANSFER.SELF_APPROVAL', message: `approver "${approver.trim()}" is the requester: a different person must approve` };
  }
  return { ok: true, approver: approver.trim() };
}
