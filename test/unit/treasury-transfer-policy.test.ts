import { D } from '../../domain/money';
import { mulberry32 } from '../../domain/rng';
import { DomainError } from '../../domain/errors';
import { checkApprover, checkTransferPolicy, dailyWindow, entryNetwork, policyError, type TransferPolicy, type TransferPolicyRequest } from '../../domain/treasury/transfer-policy';

const COLD = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const ALPHA = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

const policy: TransferPolicy = {
  whitelist: [
    { label: 'cold-wallet', address: COLD, chain: 'evm-local', network: 'ERC20' },
    { label: 'alpha-deposit', address: ALPHA, chain: 'evm-local', network: 'ERC20' },
  ],
  caps: { perTransferUsd: '10000', dailyUsd: '25000' },
  approvalThresholdUsd: '1000',
};
const req: TransferPolicyRequest = { asset: 'BLST', amount: '2000', priceUsd: '0.5', destinationAddress: COLD, requester: 'alice@ops' };

describe('checkTransferPolicy', () => {
  it('passes a whitelisted transfer and computes its USD value exactly (2000 × 0.5 = 1000, not above the threshold)', () => {
    expect(checkTransferPolicy(req, policy, '0')).toEqual({
      ok: true,
      amountUsd: '1000',
      needsApproval: false,
      destination: policy.whitelist[0],
      dailyUsedAfterUsd: '1000',
    });
  });

  it('needs approval strictly above the threshold: 2000.002 × 0.5 = 1000.001', () => {
    const r = checkTransferPolicy({ ...req, amount: '2000.002' }, policy, '0');
    expect(r).toMatchObject({ ok: true, amountUsd: '1000.001', needsApproval: true });
  });

  it('uses exact decimals: 0.1 × 3 USD is exactly 0.3 (a float would say 0.30000000000000004)', () => {
    const p = { ...policy, caps: { perTransferUsd: '0.3', dailyUsd: '0.3' }, approvalThresholdUsd: '0.3' };
    expect(checkTransferPolicy({ ...req, amount: '0.1', priceUsd: '3' }, p, '0')).toMatchObject({ ok: true, amountUsd: '0.3', needsApproval: false });
  });

  it('matches the whitelist address case-insensitively and ignores surrounding space', () => {
    expect(checkTransferPolicy({ ...req, destinationAddress: ` ${COLD.toLowerCase()} ` }, policy, '0').ok).toBe(true);
    expect(checkTransferPolicy({ ...req, destinationAddress: COLD.toUpperCase().replace('0X', '0x') }, policy, '0').ok).toBe(true);
  });

  it('refuses an address that is not whitelisted', () => {
    expect(checkTransferPolicy({ ...req, destinationAddress: '0x0000000000000000000000000000000000000001' }, policy, '0')).toEqual({
      ok: false,
      code: 'TRANSFER.NOT_WHITELISTED',
      message: 'destination 0x0000000000000000000000000000000000000001 is not on the whitelist',
    });
  });

  it('refuses a whitelisted address under another label or chain', () => {
    const byLabel = checkTransferPolicy({ ...req, destinationLabel: 'alpha-deposit' }, policy, '0');
    expect(byLabel).toMatchObject({ ok: false, code: 'TRANSFER.NOT_WHITELISTED' });
    expect(!byLabel.ok && byLabel.message).toContain('whitelisted as "cold-wallet", not "alpha-deposit"');
    expect(checkTransferPolicy({ ...req, destinationLabel: 'cold-wallet' }, policy, '0').ok).toBe(true);
    expect(checkTransferPolicy({ ...req, destinationChain: 'mainnet' }, policy, '0')).toMatchObject({ ok: false, code: 'TRANSFER.NOT_WHITELISTED' });
  });

  it('per-transfer cap is inclusive: 20000 × 0.5 = 10000 passes, 20000.0002 × 0.5 = 10000.0001 does not', () => {
    expect(checkTransferPolicy({ ...req, amount: '20000' }, policy, '0')).toMatchObject({ ok: true, amountUsd: '10000', needsApproval: true });
    const over = checkTransferPolicy({ ...req, amount: '20000.0002' }, policy, '0');
    expect(over).toEqual({
      ok: false,
      code: 'TRANSFER.OVER_PER_TRANSFER_CAP',
      message: '20000.0002 BLST is 10000.0001 USD, above the per-transfer cap of 10000 USD',
    });
  });

  it('daily cap counts what is already used today plus this transfer (inclusive)', () => {
    // 24000 used + 1000 = 25000: exactly at the cap.
    expect(checkTransferPolicy(req, policy, '24000')).toMatchObject({ ok: true, dailyUsedAfterUsd: '25000' });
    const over = checkTransferPolicy(req, policy, '24000.01');
    expect(over).toEqual({
      ok: false,
      code: 'TRANSFER.OVER_DAILY_CAP',
      message: '1000 USD on top of 24000.01 USD already moved today is 25000.01 USD, above the daily cap of 25000 USD',
    });
  });

  it('checks the whitelist before the caps (a non-whitelisted huge transfer reports the whitelist)', () => {
    expect(checkTransferPolicy({ ...req, amount: '99999999', destinationAddress: '0x1' }, policy, '0')).toMatchObject({ code: 'TRANSFER.NOT_WHITELISTED' });
  });

  it.each<[string, Partial<TransferPolicyRequest>, string, string]>([
    ['a zero amount', { amount: '0' }, '0', 'amount:'],
    ['an exponent amount', { amount: '1e3' }, '0', 'amount:'],
    ['a float-looking garbage price', { priceUsd: 'NaN' }, '0', 'priceUsd:'],
    ['a negative price', { priceUsd: '-1' }, '0', 'priceUsd:'],
    ['a negative usage', {}, '-5', 'usedTodayUsd:'],
    ['an empty requester', { requester: ' ' }, '0', 'requester:'],
    ['an empty destination', { destinationAddress: '' }, '0', 'destinationAddress:'],
  ])('refuses %s as TRANSFER.INVALID naming the field', (_what, patch, used, field) => {
    const r = checkTransferPolicy({ ...req, ...patch }, policy, used);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.code).toBe('TRANSFER.INVALID');
    expect(!r.ok && r.message.startsWith(field)).toBe(true);
  });

  it('policyError turns a refusal into a non-retryable DomainError with the same code', () => {
    const r = checkTransferPolicy({ ...req, destinationAddress: '0x1' }, policy, '0');
    if (r.ok) throw new Error('expected a refusal');
    const e = policyError(r);
    expect(e).toBeInstanceOf(DomainError);
    expect([e.code, e.nonRetryable, e.message]).toEqual(['TRANSFER.NOT_WHITELISTED', true, r.message]);
  });

  it('random cases agree with a direct decimal evaluation of the rules (seeded)', () => {
    const rng = mulberry32(5);
    let passed = 0;
    let approvals = 0;
    for (let i = 0; i < 500; i++) {
      const amount = (rng() * 30000).toFixed(Math.floor(rng() * 6));
      const price = (0.01 + rng()).toFixed(4);
      const used = (rng() * 30000).toFixed(2);
      if (new D(amount).lte(0)) continue;
      const r = checkTransferPolicy({ ...req, amount, priceUsd: price }, policy, used);
      const usd = new D(amount).times(price);
      const expected = usd.gt(10000) ? 'TRANSFER.OVER_PER_TRANSFER_CAP' : usd.plus(used).gt(25000) ? 'TRANSFER.OVER_DAILY_CAP' : 'ok';
      expect(r.ok ? 'ok' : r.code).toBe(expected);
      if (r.ok) {
        passed += 1;
        expect(new D(r.amountUsd).eq(usd)).toBe(true);
        expect(r.needsApproval).toBe(usd.gt(1000));
        if (r.needsApproval) approvals += 1;
      }
    }
    // The generator must exercise every branch, or the agreement above proves little.
    expect(passed).toBeGreaterThan(50);
    expect(approvals).toBeGreaterThan(20);
  });
});

describe('dailyWindow', () => {
  it('returns the UTC calendar day, with the boundary at 00:00:00.000 UTC', () => {
    const midnight = Date.UTC(2026, 10, 26);
    expect(dailyWindow(midnight)).toBe('2026-11-26');
    expect(dailyWindow(midnight - 1)).toBe('2026-11-25');
    expect(dailyWindow(midnight + 86_400_000 - 1)).toBe('2026-11-26');
    expect(dailyWindow(0)).toBe('1970-01-01');
  });
  it('throws on a non-time', () => {
    expect(() => dailyWindow(Number.NaN)).toThrow(/nowMs/);
    expect(() => dailyWindow(-1)).toThrow(/nowMs/);
  });
});

describe('checkApprover', () => {
  it('accepts a different person and returns the trimmed approver', () => {
    expect(checkApprover('alice@ops', ' bob@ops ')).toEqual({ ok: true, approver: 'bob@ops' });
  });
  it.each([
    ['alice@ops', 'alice@ops'],
    ['alice@ops', 'ALICE@ops'],
    ['alice@ops', '  Alice@Ops  '],
    [' alice@ops', 'alice@ops\t'],
  ])('refuses self-approval: requester %j, approver %j', (requester, approver) => {
    expect(checkApprover(requester, approver)).toMatchObject({ ok: false, code: 'TRANSFER.SELF_APPROVAL' });
  });
  it('refuses an empty approver or requester', () => {
    expect(checkApprover('alice@ops', '  ')).toEqual({ ok: false, code: 'TRANSFER.INVALID', message: 'approver: required (who approves)' });
    expect(checkApprover('', 'bob')).toMatchObject({ ok: false, code: 'TRANSFER.INVALID' });
  });
});

describe('checkTransferPolicy: network and memo (issue 11, acceptance 3)', () => {
  const XRP_DESK = 'rEb8TK3gBgk5auZkwc6sHnwrGVJH8DuaLh';
  const net: TransferPolicy = {
    ...policy,
    whitelist: [
      { label: 'cold-wallet', address: COLD, chain: 'ethereum', network: 'ERC20', venueNetworks: { kraken: 'ETHEREUM' } },
      { label: 'cold-wallet-bsc', address: COLD, chain: 'bsc', network: 'BEP20' },
      { label: 'xrp-desk', address: XRP_DESK, chain: 'xrp', network: 'XRP', memo: '108618262' },
    ],
  };
  const onNet = (r: Partial<TransferPolicyRequest>) => checkTransferPolicy({ ...req, ...r }, net, '0');

  it('without a network (what recorded histories ask) the check is the address check it always was', () => {
    expect(onNet({}).ok).toBe(true);
    expect(onNet({ destinationAddress: XRP_DESK }).ok).toBe(true);
  });

  it('picks the entry on the withdrawal network when one address is whitelisted on two', () => {
    expect(onNet({ destinationNetwork: 'ERC20' })).toMatchObject({ ok: true, destination: { label: 'cold-wallet' } });
    expect(onNet({ destinationNetwork: 'BEP20' })).toMatchObject({ ok: true, destination: { label: 'cold-wallet-bsc' } });
  });

  it('refuses a network the address is not whitelisted on, naming the field and the networks it is on', () => {
    expect(onNet({ destinationNetwork: 'TRC20' })).toEqual({
      ok: false,
      code: 'TRANSFER.NETWORK_MISMATCH',
      message: `network: destination ${COLD} is whitelisted on ERC20, BEP20, not "TRC20"`,
    });
  });

  it("uses a venue's own name for the network (venueNetworks) when the withdrawal leaves from that venue", () => {
    expect(onNet({ destinationNetwork: 'ETHEREUM', sourceVenue: 'kraken' })).toMatchObject({ ok: true, destination: { label: 'cold-wallet' } });
    expect(onNet({ destinationNetwork: 'ERC20', sourceVenue: 'kraken' })).toMatchObject({ ok: false, code: 'TRANSFER.NETWORK_MISMATCH' });
    expect(onNet({ destinationNetwork: 'ERC20', sourceVenue: 'binance' }).ok).toBe(true);
    expect(entryNetwork(net.whitelist[0]!, 'kraken')).toBe('ETHEREUM');
    expect(entryNetwork(net.whitelist[0]!, 'binance')).toBe('ERC20');
  });

  it('requires exactly the entry\'s memo: missing, different and unexpected memos are refused', () => {
    expect(onNet({ destinationAddress: XRP_DESK, destinationNetwork: 'XRP', destinationMemo: '108618262' }).ok).toBe(true);
    expect(onNet({ destinationAddress: XRP_DESK, destinationNetwork: 'XRP' })).toEqual({
      ok: false,
      code: 'TRANSFER.MEMO_MISMATCH',
      message: 'memo: destination "xrp-desk" is credited by memo "108618262", none given',
    });
    expect(onNet({ destinationAddress: XRP_DESK, destinationNetwork: 'XRP', destinationMemo: '1' })).toMatchObject({
      code: 'TRANSFER.MEMO_MISMATCH',
      message: 'memo: destination "xrp-desk" is credited by memo "108618262", not "1"',
    });
    expect(onNet({ destinationNetwork: 'ERC20', destinationMemo: '7' })).toMatchObject({ code: 'TRANSFER.MEMO_MISMATCH', message: 'memo: destination "cold-wallet" takes no memo, got "7"' });
  });

  it('the caps still apply after a network match', () => {
    expect(onNet({ destinationNetwork: 'ERC20', amount: '30000' })).toMatchObject({ ok: false, code: 'TRANSFER.OVER_PER_TRANSFER_CAP' });
  });
});
