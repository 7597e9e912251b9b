import { ValidationError, parseOrThrow, toFieldIssues } from '../../domain/errors';
import {
  ApprovalSchema,
  FundTransferInputSchema,
  RebalanceInputSchema,
  TargetAllocationSchema,
  VenueRiskInputSchema,
  WithdrawalInputSchema,
} from '../../domain/treasury/transfer.schemas';
import type { z } from 'zod';

/** The field paths of every issue, e.g. ['amount', 'to.venue']. */
function paths(schema: z.ZodType, v: unknown): string[] {
  const r = schema.safeParse(v);
  if (r.success) throw new Error(`expected ${JSON.stringify(v)} to be rejected`);
  return toFieldIssues(r.error).map((i) => i.path);
}
function messages(schema: z.ZodType, v: unknown): string[] {
  const r = schema.safeParse(v);
  if (r.success) throw new Error(`expected ${JSON.stringify(v)} to be rejected`);
  return toFieldIssues(r.error).map((i) => `${i.path}: ${i.message}`);
}

const transfer = {
  requestId: 'ops-2026-11-26-001',
  asset: 'BLST',
  amount: '1500.50',
  from: { venue: 'alpha' },
  to: { venue: 'bravo' },
  requester: 'alice@ops',
};

describe('FundTransferInputSchema', () => {
  it('accepts a minimal input, canonicalises the amount and fills the defaults', () => {
    expect(FundTransferInputSchema.parse(transfer)).toEqual({ ...transfer, amount: '1500.5', approvalTimeoutSec: 3600, confirmations: 3 });
  });

  it('accepts a wallet destination and the optional fields; a numeric amount becomes a string', () => {
    const out = FundTransferInputSchema.parse({ ...transfer, amount: 2.5, to: { wallet: 'cold-wallet' }, reason: 'top up', approvalTimeoutSec: 60, confirmations: 100 });
    expect(out.to).toEqual({ wallet: 'cold-wallet' });
    expect(out.amount).toBe('2.5');
    expect([out.approvalTimeoutSec, out.confirmations]).toEqual([60, 100]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a requestId with a space', { requestId: 'bad id' }, 'requestId'],
    ['a too-short requestId', { requestId: 'ab' }, 'requestId'],
    ['a lowercase asset', { asset: 'blst' }, 'asset'],
    ['a zero amount', { amount: '0' }, 'amount'],
    ['a negative amount', { amount: '-1' }, 'amount'],
    ['an exponent amount', { amount: '1e3' }, 'amount'],
    ['a bad from venue', { from: { venue: 'Alpha!' } }, 'from.venue'],
    ['an empty requester', { requester: '   ' }, 'requester'],
    // The USD price for the caps is the worker's to find (source venue's ask), never the requester's to set.
    ['a requester-supplied priceUsd (an unrecognized key: zod reports it at the root, naming the key)', { priceUsd: '0.0001' }, '(root)'],
    ['approvalTimeoutSec below 60', { approvalTimeoutSec: 59 }, 'approvalTimeoutSec'],
    ['approvalTimeoutSec above 7 days', { approvalTimeoutSec: 604_801 }, 'approvalTimeoutSec'],
    ['a fractional approvalTimeoutSec', { approvalTimeoutSec: 60.5 }, 'approvalTimeoutSec'],
    ['zero confirmations', { confirmations: 0 }, 'confirmations'],
    ['101 confirmations', { confirmations: 101 }, 'confirmations'],
    ['confirmations as a string', { confirmations: '3' }, 'confirmations'],
    ['a destination equal to the source', { to: { venue: 'alpha' } }, 'to.venue'],
  ])('rejects %s, naming the field', (_what, patch, field) => {
    expect(paths(FundTransferInputSchema, { ...transfer, ...patch })).toEqual([field]);
  });

  it('requires exactly one of to.venue / to.wallet', () => {
    expect(messages(FundTransferInputSchema, { ...transfer, to: {} })).toEqual(['to: give exactly one of "venue" or "wallet"']);
    expect(messages(FundTransferInputSchema, { ...transfer, to: { venue: 'bravo', wallet: 'cold-wallet' } })).toEqual(['to: give exactly one of "venue" or "wallet"']);
    expect(paths(FundTransferInputSchema, { ...transfer, to: 'bravo' })).toEqual(['to']);
  });

  it('names each missing field with what is expected', () => {
    const msgs = messages(FundTransferInputSchema, {});
    expect(msgs).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^requestId: required: a request id/),
        expect.stringMatching(/^asset: required: an asset symbol/),
        expect.stringMatching(/^amount: required/),
        expect.stringMatching(/^requester: required: an identity/),
      ]),
    );
    expect(paths(FundTransferInputSchema, {})).toEqual(expect.arrayContaining(['from', 'to']));
  });

  it('rejects a misspelt key (strict) and says which', () => {
    const msgs = messages(FundTransferInputSchema, { ...transfer, amout: '1' });
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toContain('amout');
  });

  it('through parseOrThrow the error lists every bad field in one message', () => {
    let err: unknown;
    try {
      parseOrThrow(FundTransferInputSchema, { ...transfer, amount: 'x', confirmations: 0 }, 'fundTransfer input');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).message).toMatch(/^fundTransfer input is invalid: amount: .*; confirmations: at least 1 confirmation$/);
    expect((err as ValidationError).code).toBe('VALIDATION.INVALID_INPUT');
  });
});

describe('WithdrawalInputSchema', () => {
  const w = { requestId: 'wd:001', asset: 'USDT', amount: '100', fromVenue: 'alpha', toWallet: 'cold-wallet', requester: 'alice@ops' };
  it('accepts a withdrawal with defaults', () => {
    expect(WithdrawalInputSchema.parse(w)).toEqual({ ...w, approvalTimeoutSec: 3600, confirmations: 3 });
  });
  it.each<[Record<string, unknown>, string]>([
    [{ fromVenue: undefined }, 'fromVenue'],
    [{ toWallet: '' }, 'toWallet'],
    [{ toWallet: 42 }, 'toWallet'],
    [{ amount: 'ten' }, 'amount'],
    [{ requester: undefined }, 'requester'],
  ])('rejects %j naming %s', (patch, field) => {
    expect(paths(WithdrawalInputSchema, { ...w, ...patch })).toEqual([field]);
  });
  it('does not take a free-form address (addresses come from the whitelist)', () => {
    expect(messages(WithdrawalInputSchema, { ...w, address: '0x0000000000000000000000000000000000000001' })[0]).toContain('address');
  });
});

describe('ApprovalSchema', () => {
  it('accepts approve/reject with a trimmed approver', () => {
    expect(ApprovalSchema.parse({ approver: ' bob@ops ', decision: 'approve' })).toEqual({ approver: 'bob@ops', decision: 'approve' });
    expect(ApprovalSchema.parse({ approver: 'bob@ops', decision: 'reject', note: 'too large' }).decision).toBe('reject');
  });
  it('rejects an empty approver and an unknown decision, naming the fields', () => {
    expect(paths(ApprovalSchema, { approver: ' ', decision: 'ok' })).toEqual(['approver', 'decision']);
    expect(messages(ApprovalSchema, { approver: 'bob', decision: 'yes' })).toEqual(['decision: expected "approve" or "reject"']);
  });
});

describe('RebalanceInputSchema / TargetAllocationSchema', () => {
  it('accepts shares that add up to exactly 1 and defaults dryRun', () => {
    const r = RebalanceInputSchema.parse({ requestId: 'rb-1', asset: 'BLST', requester: 'scheduler', target: { alpha: '0.5', bravo: 0.25, charlie: '0.25' } });
    expect(r.target).toEqual({ alpha: '0.5', bravo: '0.25', charlie: '0.25' });
    expect(r.dryRun).toBe(false);
  });
  it('rejects shares summing to 0.9999 (exact decimal sum, no float slack)', () => {
    expect(messages(TargetAllocationSchema, { alpha: '0.3333', bravo: '0.6666' })).toEqual(['(root): shares must add up to 1, got 0.9999']);
  });
  it('accepts 0.1 + 0.2 + 0.7 (which floats get wrong)', () => {
    expect(TargetAllocationSchema.safeParse({ a1: 0.1, b1: 0.2, c1: 0.7 }).success).toBe(true);
  });
  it('names a bad share and a bad venue key', () => {
    expect(paths(RebalanceInputSchema, { requestId: 'rb-1', asset: 'BLST', requester: 'x', target: { alpha: '1.5', bravo: '-0.5' } })).toEqual(
      expect.arrayContaining(['target.alpha', 'target.bravo']),
    );
    expect(paths(TargetAllocationSchema, { 'Bad Venue': '1' })).toEqual(['Bad Venue']);
    expect(messages(TargetAllocationSchema, {})).toEqual(['(root): expected at least one venue']);
  });
  it('dryRun must be a boolean', () => {
    expect(paths(RebalanceInputSchema, { requestId: 'rb-1', asset: 'BLST', requester: 'x', dryRun: 'yes' })).toEqual(['dryRun']);
  });
});

describe('VenueRiskInputSchema', () => {
  it('accepts a venue risk request and rejects an empty reason', () => {
    expect(VenueRiskInputSchema.parse({ venue: 'alpha', reason: 'stale book', requestedBy: 'coordinator:BLST' }).venue).toBe('alpha');
    expect(paths(VenueRiskInputSchema, { venue: 'alpha', reason: '', requestedBy: 'x' })).toEqual(['reason']);
    expect(paths(VenueRiskInputSchema, { venue: 'alpha', reason: 'r', requestedBy: 'x', safeWallet: '' })).toEqual(['safeWallet']);
  });
});
