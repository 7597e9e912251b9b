// Signed approvals: the canonical message (domain/treasury/approval.ts), its EIP-712 hash with
// ethers, the quorum tiers, the tally (first decision final, requester's key only requests, distinct
// operators) and the verify activity with real signatures (ethers; no mocks).
import { TypedDataEncoder, Wallet } from 'ethers';
import { createApprovalActivities } from '../../activities/approval.activities';
import { ConfigSchema } from '../../domain/config.schema';
import {
  APPROVAL_DOMAIN,
  APPROVAL_TYPES,
  ApprovalsConfigSchema,
  SignedApprovalSchema,
  approvalMessage,
  approvalSubject,
  quorumFor,
  subjectMismatch,
  tallyApproval,
  type ApprovalSubject,
  type ApprovalTally,
} from '../../domain/treasury/approval';
import { loadConfig } from '../../config/load';
import { parseExpiry, signApproval } from '../../scripts/approve';

const types = APPROVAL_TYPES as unknown as Record<string, { name: string; type: string }[]>;
const subject: ApprovalSubject = { workflowId: 'withdrawal:ops-1', asset: 'BLST', amount: '120000', destination: 'wallet:cold-wallet', address: '0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266', network: 'ERC20' };
// Hardhat's public test keys #10-#12 and #14 (worthless anywhere else).
const alice = new Wallet('0xf214f2b2cd398c806f84e317254e0f0b801d0643303237d97a22a48e01628897');
const bob = new Wallet('0x701b615bbdfb9de65240bc28bd21bbc0d996645a3dd57e7b12bc2bdf6f192c82');
const carol = new Wallet('0xa267530f49f8280200edf313ee7af6b827f2a8bce2897751d06a843f644967b1');
const mallory = new Wallet('0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba');

describe('approval message', () => {
  it('canonicalises the subject: trimmed, asset upper-case, amount a canonical decimal, address lower-case', () => {
    expect(approvalSubject({ ...subject, workflowId: ' withdrawal:ops-1 ', asset: 'blst', amount: '120000.000', address: subject.address })).toEqual({ ...subject, address: subject.address.toLowerCase() });
    expect(approvalSubject({ ...subject, amount: '0.10' }).amount).toBe('0.1');
  });

  it('hashes the same for equivalent spellings and differently for any field, decision or expiry', () => {
    const h = (s: ApprovalSubject, d: 'approve' | 'reject' | 'request' = 'approve', exp = 1_800_000_000) => TypedDataEncoder.hash(APPROVAL_DOMAIN, types, approvalMessage(s, d, exp));
    const base = h(subject);
    expect(h({ ...subject, amount: '120000.00', asset: 'blst', address: subject.address.toLowerCase() })).toBe(base);
    for (const k of Object.keys(subject) as (keyof ApprovalSubject)[]) expect(h({ ...subject, [k]: k === 'amount' ? '120001' : `${subject[k]}x` })).not.toBe(base);
    expect(h(subject, 'reject')).not.toBe(base);
    expect(h(subject, 'request')).not.toBe(base);
    expect(h(subject, 'approve', 1_800_000_001)).not.toBe(base);
  });

  it('is chain-agnostic EIP-712 under the "Ballast approvals" domain', () => {
    expect(APPROVAL_DOMAIN).toEqual({ name: 'Ballast approvals', version: '1' });
    expect(TypedDataEncoder.from(types).encodeType('Approval')).toBe(
      'Approval(string workflowId,string decision,string asset,string amount,string destination,string address,string network,uint64 expiresAt)',
    );
  });

  it('refuses a bad expiry', () => {
    expect(() => approvalMessage(subject, 'approve', 0)).toThrow(/expiresAt/);
    expect(() => approvalMessage(subject, 'approve', 1.5)).toThrow(/expiresAt/);
  });

  it('names what differs from the workflow (wrong workflow, edited fields)', () => {
    expect(subjectMismatch(subject, { ...subject, amount: '120000.0' })).toEqual([]);
    expect(subjectMismatch(subject, { ...subject, workflowId: 'withdrawal:ops-2', amount: '1' })).toEqual([
      'workflowId: signed "withdrawal:ops-2", this workflow has "withdrawal:ops-1"',
      'amount: signed "1", this workflow has "120000"',
    ]);
  });

  it('validates the pasted payload naming the field', () => {
    const r = SignedApprovalSchema.safeParse({ ...subject, decision: 'ok', expiresAt: -1, signature: '0x12' });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['decision', 'expiresAt', 'signature']);
    expect(SignedApprovalSchema.safeParse({ ...subject, decision: 'approve', expiresAt: 1, signature: `0x${'a'.repeat(130)}`, extra: 1 }).success).toBe(false);
  });
});

describe('quorum tiers', () => {
  const tiers = [
    { aboveUsd: '100000', quorum: 1 },
    { aboveUsd: '1000000', quorum: 2 },
  ];
  it('takes the highest tier strictly exceeded, at least 1', () => {
    expect(quorumFor('50000', tiers)).toBe(1);
    expect(quorumFor('100000', tiers)).toBe(1);
    expect(quorumFor('1000000', tiers)).toBe(1);
    expect(quorumFor('1000000.01', tiers)).toBe(2);
    expect(quorumFor('5', [])).toBe(1);
  });

  it('config: operators unique, tiers increasing, quorum reachable without the requester', () => {
    const ops = [
      { id: 'a', address: alice.address },
      { id: 'b', address: bob.address },
    ];
    expect(ApprovalsConfigSchema.safeParse({ operators: ops, tiers: [{ aboveUsd: '1', quorum: 1 }] }).success).toBe(true);
    const bad = ApprovalsConfigSchema.safeParse({
      operators: [...ops, { id: 'A', address: bob.address.toLowerCase() }],
      tiers: [
        { aboveUsd: '10', quorum: 2 },
        { aboveUsd: '5', quorum: 1 },
        { aboveUsd: '20', quorum: 3 },
      ],
    });
    expect(bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'operators.2.id: duplicate operator id "A"',
      'operators.2.address: address already belongs to another operator',
      'tiers.1.aboveUsd: tiers must be in increasing aboveUsd',
      'tiers.1.quorum: a higher tier cannot need fewer approvers',
      'tiers.2.quorum: needs 3 approvers besides the requester but only 3 operators are configured',
    ]);
    expect(ApprovalsConfigSchema.safeParse({ operators: [{ id: 'x', address: '0x12' }] }).error!.issues[0]!.path).toEqual(['operators', 0, 'address']);
  });

  it('the demo config is valid and names its operators', () => {
    const c = ConfigSchema.parse(loadConfig());
    expect(c.treasury.approvals.operators.map((o) => o.id)).toEqual(['alice@ops', 'bob@ops', 'carol@ops']);
    expect(c.treasury.approvals.operators.map((o) => o.address)).toEqual([alice.address, bob.address, carol.address]);
  });
});

describe('tally', () => {
  const open: ApprovalTally = { quorum: 2, requester: 'alice@ops', excluded: ['alice@ops'], approvedBy: [] };
  const step = (t: ApprovalTally, d: 'request' | 'approve' | 'reject', who: string) => {
    const r = tallyApproval(t, d, who);
    if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
    return r.tally;
  };

  it('needs the requester\'s signed request, then distinct operators up to the quorum', () => {
    expect(() => step(open, 'approve', 'bob@ops')).toThrow(/APPROVAL.NO_REQUEST/);
    expect(() => step(open, 'request', 'bob@ops')).toThrow(/must be signed by the requester/);
    const t1 = step(open, 'request', 'Alice@Ops');
    expect(() => step(t1, 'request', 'alice@ops')).toThrow(/already signed/);
    expect(() => step(t1, 'approve', 'alice@ops')).toThrow(/APPROVAL.SELF/);
    const t2 = step(t1, 'approve', 'bob@ops');
    expect(t2.decision).toBeUndefined();
    expect(() => step(t2, 'approve', 'BOB@ops')).toThrow(/APPROVAL.DUPLICATE/);
    const t3 = step(t2, 'approve', 'carol@ops');
    expect(t3).toMatchObject({ decision: 'approve', approvedBy: ['bob@ops', 'carol@ops'] });
    expect(() => step(t3, 'reject', 'dave@ops')).toThrow(/APPROVAL.DECIDED/);
  });

  it('the first decision is final: a reject ends it, a later approval is refused', () => {
    const t = step(step(open, 'request', 'alice@ops'), 'reject', 'bob@ops');
    expect(t).toMatchObject({ decision: 'reject', decidedBy: 'bob@ops' });
    expect(() => step(t, 'approve', 'carol@ops')).toThrow(/first decision is final/);
  });

  it('a system start has no request; the operator behind it never counts', () => {
    const sys: ApprovalTally = { quorum: 1, excluded: ['alice@ops'], approvedBy: [] };
    expect(() => step(sys, 'approve', 'alice@ops')).toThrow(/APPROVAL.SELF/);
    expect(() => step(sys, 'request', 'alice@ops')).toThrow(/no operator requester/);
    expect(step(sys, 'approve', 'bob@ops').decision).toBe('approve');
  });
});

describe('verify activity (real ethers signatures)', () => {
  const config = ConfigSchema.parse(loadConfig());
  const now = 1_800_000_000_000;
  const acts = createApprovalActivities({ config, now: () => now });
  const verify = async (w: Wallet, s = subject, expiresAt = now / 1000 + 60) => {
    const signed = await signApproval(w, s, 'approve', expiresAt);
    return acts.verifyApproval({ subject: s, decision: 'approve', expiresAt: signed.expiresAt, signature: signed.signature });
  };

  it('maps the signer to its operator', async () => {
    expect(await verify(bob)).toEqual({ ok: true, operator: 'bob@ops', address: bob.address.toLowerCase() });
  });

  it('forged: a key that is no operator, or a message altered after signing', async () => {
    expect(await verify(mallory)).toMatchObject({ ok: false, code: 'APPROVAL.FORGED', address: mallory.address.toLowerCase() });
    const signed = await signApproval(bob, subject, 'approve', now / 1000 + 60);
    const altered = await acts.verifyApproval({ subject: { ...subject, amount: '999999' }, decision: 'approve', expiresAt: signed.expiresAt, signature: signed.signature });
    expect(altered).toMatchObject({ ok: false, code: 'APPROVAL.FORGED' });
  });

  it('expired by the worker clock', async () => {
    expect(await verify(bob, subject, now / 1000)).toMatchObject({ ok: false, code: 'APPROVAL.EXPIRED' });
  });

  it('policy: the requester must be an operator; a system start excludes the operator behind it', async () => {
    await expect(acts.approvalPolicy({ amountUsd: '60000', requester: 'dave@ops', system: false })).rejects.toThrow(/requester: "dave@ops" is not an operator/);
    expect(await acts.approvalPolicy({ amountUsd: '210000', requester: 'Alice@Ops', system: false })).toMatchObject({ quorum: 2, requester: 'alice@ops', excluded: ['alice@ops'] });
    expect(await acts.approvalPolicy({ amountUsd: '60000', requester: 'rebalance:bob@ops', system: true })).toEqual({ quorum: 1, excluded: ['bob@ops'], operators: ['alice@ops', 'bob@ops', 'carol@ops'] });
    expect((await acts.approvalPolicy({ amountUsd: '60000', requester: 'venueRisk:liquidityCoordinator', system: true })).excluded).toEqual([]);
  });
});

describe('npm run approve', () => {
  it('parses --expires', () => {
    expect(parseExpiry('90s')).toBe(90);
    expect(parseExpiry('1h')).toBe(3600);
    expect(() => parseExpiry('8d')).toThrow(/7 days/);
    expect(() => parseExpiry('soon')).toThrow(/--expires/);
  });
});
