// The withdrawal matcher of exchanges without client ids (domain/treasury/withdrawal-intent.ts):
// amount gross or net of fee, address case, network names, memo, time window, attribution, history lag.
import { decideWithdrawal, matchWithdrawal, sameAddress, sameNetwork, type WithdrawalCandidate, type WithdrawalIntent } from '../../domain/treasury/withdrawal-intent';

const ADDR = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const T0 = 1_800_000_000_000;
const intent = (o: Partial<WithdrawalIntent> = {}): WithdrawalIntent => ({
  id: 'transfer:a:intent:1',
  workflowId: 'transfer:a',
  attempt: 1,
  venue: 'alpha',
  asset: 'BLST',
  amount: '400',
  address: ADDR,
  network: 'ERC20',
  idempotencyKey: 'transfer:a:withdraw',
  at: T0,
  ...o,
});
const cand = (o: Partial<WithdrawalCandidate> = {}): WithdrawalCandidate => ({ id: 'w1', asset: 'BLST', amount: '400', fee: '2', address: ADDR, network: 'ERC20', timestamp: T0 + 100, ...o });
const match = (history: WithdrawalCandidate[], o: { intents?: WithdrawalIntent[]; attributed?: Record<string, string>; nowMs?: number } = {}) =>
  matchWithdrawal({ intents: o.intents ?? [intent()], history, attributed: o.attributed ?? {}, nowMs: o.nowMs ?? T0 + 10_000 })?.id;

describe('matchWithdrawal', () => {
  it('matches the amount gross (fee on top) or net of the fee, nothing else', () => {
    expect(match([cand({ amount: '400' })])).toBe('w1');
    expect(match([cand({ amount: '398', fee: '2' })])).toBe('w1');
    expect(match([cand({ amount: '398', fee: '1' })])).toBeUndefined();
    expect(match([cand({ amount: '400.000001' })])).toBeUndefined();
    expect(match([cand({ amount: '400.000', fee: '0' })])).toBe('w1');
  });

  it('compares EVM addresses without case and other addresses exactly', () => {
    expect(match([cand({ address: ADDR.toLowerCase() })])).toBe('w1');
    expect(match([cand({ address: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' })])).toBeUndefined();
    expect(sameAddress('TQrZ8tKfjLm', 'tqrz8tkfjlm')).toBe(false);
    expect(sameAddress('TQrZ8tKfjLm', 'TQrZ8tKfjLm')).toBe(true);
  });

  it('requires the network (ETH and ERC20 are one name) and the memo', () => {
    expect(match([cand({ network: 'ETH' })])).toBe('w1');
    expect(match([cand({ network: 'BSC' })])).toBeUndefined();
    expect(sameNetwork('', 'ERC20')).toBe(true);
    expect(match([cand({ memo: '123' })])).toBeUndefined();
    expect(match([cand({ memo: '123' })], { intents: [intent({ memo: '123' })] })).toBe('w1');
    expect(match([cand({ memo: '124' })], { intents: [intent({ memo: '123' })] })).toBeUndefined();
    expect(match([cand({ asset: 'USDT' })])).toBeUndefined();
  });

  it('only within [first intent − skew, now]', () => {
    expect(match([cand({ timestamp: T0 - 4_000 })])).toBe('w1');
    expect(match([cand({ timestamp: T0 - 6_000 })])).toBeUndefined();
    expect(match([cand({ timestamp: T0 + 60_000 })], { nowMs: T0 + 10_000 })).toBeUndefined();
    // A later intent keeps the window open from the first.
    expect(match([cand({ timestamp: T0 + 1 })], { intents: [intent(), intent({ id: 'transfer:a:intent:2', attempt: 2, at: T0 + 30_000 })], nowMs: T0 + 40_000 })).toBe('w1');
  });

  it('never takes a withdrawal attributed to another transfer; its own attribution wins', () => {
    const two = [cand({ id: 'w1', timestamp: T0 + 10 }), cand({ id: 'w2', timestamp: T0 + 20 })];
    expect(match(two)).toBe('w1');
    expect(match(two, { attributed: { w1: 'transfer:b' } })).toBe('w2');
    expect(match(two, { attributed: { w1: 'transfer:b', w2: 'transfer:c' } })).toBeUndefined();
    expect(match(two, { attributed: { w2: 'transfer:a' } })).toBe('w2');
  });

  it("by key where the exchange reported ours; another transfer's client id never matches", () => {
    expect(match([cand({ id: 'w1', idempotencyKey: 'transfer:b:withdraw' }), cand({ id: 'w2', idempotencyKey: 'transfer:a:withdraw', timestamp: T0 + 500 })])).toBe('w2');
    expect(match([cand({ idempotencyKey: 'transfer:b:withdraw' })])).toBeUndefined();
  });
});

describe('decideWithdrawal', () => {
  const lag = 3_000;
  const decide = (intents: WithdrawalIntent[], history: WithdrawalCandidate[], nowMs: number) => decideWithdrawal({ intents, history, attributed: {}, nowMs, historyLagMs: lag });

  it('no intent, or only refused ones: none (release is safe)', () => {
    expect(decide([], [], T0).kind).toBe('none');
    expect(decide([intent({ refused: 'VENUE.INSUFFICIENT_FUNDS' })], [], T0 + 1).kind).toBe('none');
  });

  it('an empty lookup within the lag is unknown with the rest of the lag to wait, never none', () => {
    expect(decide([intent()], [], T0 + 1_000)).toMatchObject({ kind: 'unknown', waitMs: 2_000 });
    expect(decide([intent()], [], T0 + 2_999)).toMatchObject({ kind: 'unknown', waitMs: 1 });
    // The lag counts from the latest call.
    expect(decide([intent(), intent({ id: 'transfer:a:intent:2', attempt: 2, at: T0 + 5_000 })], [], T0 + 6_000)).toMatchObject({ kind: 'unknown', waitMs: 2_000 });
  });

  it('found as soon as it shows; absent only after the lag', () => {
    expect(decide([intent()], [cand()], T0 + 500)).toEqual({ kind: 'found', id: 'w1' });
    expect(decide([intent()], [], T0 + 3_000).kind).toBe('absent');
    expect(decide([intent()], [cand({ amount: '1' })], T0 + 3_000).kind).toBe('absent');
  });
});
