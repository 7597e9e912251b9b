// The domain functions both executors of durable decisions share (the workflows/activities live, the
// backtest's SimDurablePlane): evacuation chunks, the rebalance planner's input, what is in flight and
// used today from ledger lines, and the policy's wake-up time while a child runs. Hand-computed figures.
import { PolicyParamsSchema, decideOnEvent, initialPolicyState, nextCheckAt, noteChildFinished, decideOnTick } from '../../domain/treasury/coordinator-policy';
import { evacuable, planEvacuation } from '../../domain/treasury/evacuation-plan';
import { equalTargetAllocation, rebalancePlanInput, transfersInFlight, usedUsdOnDay, type TransferLedgerLine } from '../../domain/treasury/rebalance-inputs';
import { planRebalance } from '../../domain/treasury/rebalance-planner';

describe('planEvacuation', () => {
  const caps = { perTransferUsd: '6000', dailyUsd: '20000' };

  it('cuts each balance into cap-sized chunks with the fee on top of each, skipping dust', () => {
    const plan = planEvacuation(
      [
        { asset: 'BLST', free: '30000', fee: '2', priceUsd: '0.5' },
        { asset: 'USDT', free: '1', fee: '1' }, // not more than one fee: nothing to send, no price needed
        { asset: 'USDC', free: '2500.5', fee: '0.5', priceUsd: '1' },
      ],
      caps,
      '0',
    );
    // BLST: 12 000 per chunk (6 000 USD at 0.50); 30 000 = 12 000 + 2 + 12 000 + 2 + 5 994 + 2.
    expect(plan.chunks).toEqual([
      { asset: 'BLST', amount: '12000', amountUsd: '6000' },
      { asset: 'BLST', amount: '12000', amountUsd: '6000' },
      { asset: 'BLST', amount: '5994', amountUsd: '2997' },
      // 20 000 − 14 997 = 5 003 USD of the day left: USDC fits in one chunk.
      { asset: 'USDC', amount: '2500', amountUsd: '2500' },
    ]);
    expect(plan.blocked).toEqual([]);
  });

  it('stops at the daily cap and reports the rest as blocked', () => {
    // 3 000 USD of the day left: one chunk of 3 000 (+ 1 fee); 9 001 − 3 001 = 6 000 stays.
    const plan = planEvacuation([{ asset: 'USDT', free: '9001', fee: '1', priceUsd: '1' }], caps, '17000');
    expect(plan.chunks).toEqual([{ asset: 'USDT', amount: '3000', amountUsd: '3000' }]);
    expect(plan.blocked).toEqual([{ asset: 'USDT', amount: '6000', reason: 'daily cap 20000 USD reached' }]);
  });

  it('says which balances are worth a withdrawal, and never price-guesses: an unpriced one stays, reported blocked', () => {
    expect([evacuable({ free: '2', fee: '2' }), evacuable({ free: '2.01', fee: '2' })]).toEqual([false, true]);
    expect(planEvacuation([{ asset: 'BLST', free: '10', fee: '1' }], caps, '0')).toEqual({ chunks: [], blocked: [{ asset: 'BLST', amount: '10', reason: 'no USD price source for the caps' }] });
  });
});

describe('rebalance inputs', () => {
  it('equal shares sum to exactly 1, the last venue taking the rounding', () => {
    expect(equalTargetAllocation(['a', 'b', 'c'])).toEqual({ a: '0.333333', b: '0.333333', c: '0.333334' });
  });

  it('feeds the planner what the rebalance workflow always fed it (minimum 1 % of the total)', () => {
    const input = rebalancePlanInput('BLST', { balances: [{ venue: 'aa', amount: '900' }, { venue: 'bb', amount: '100' }], inFlight: [], venues: ['aa', 'bb'], fees: { aa: '2' } });
    expect(input).toMatchObject({ minTransfer: '10', target: { aa: '0.5', bb: '0.5' }, costs: { aa: { withdrawFee: '2', minWithdraw: '0' }, bb: { withdrawFee: '0', minWithdraw: '0' } } });
    expect(planRebalance(input).transfers).toEqual([{ from: 'aa', to: 'bb', amount: '400', fee: '2' }]);
  });

  const lines: TransferLedgerLine[] = [
    { workflowId: 't1', kind: 'reservation', asset: 'BLST', amount: '100', amountUsd: '50', day: '2026-12-01', from: 'a', to: 'venue:b' },
    { workflowId: 't2', kind: 'reservation', asset: 'BLST', amount: '40', amountUsd: '20', day: '2026-12-01', from: 'a', to: 'venue:c' },
    { workflowId: 't2', kind: 'transfer', asset: 'BLST', amount: '40', amountUsd: '20', day: '2026-12-01' },
    { workflowId: 't3', kind: 'reservation', asset: 'BLST', amount: '7', amountUsd: '3.5', day: '2026-12-01', from: 'a', to: 'wallet:cold' },
    { workflowId: 't4', kind: 'reservation', asset: 'BLST', amount: '9', amountUsd: '4.5', day: '2026-12-01', from: 'b', to: 'venue:a' },
    { workflowId: 't4', kind: 'release', asset: 'BLST', amount: '0', amountUsd: '0', day: '2026-12-01' },
    { workflowId: 't5', kind: 'reservation', asset: 'USDT', amount: '10', amountUsd: '10', day: '2026-12-02', from: 'a', to: 'venue:b' },
  ];

  it('in flight: reserved between venues, neither booked nor released', () => {
    expect(transfersInFlight(lines, 'BLST')).toEqual([{ from: 'a', to: 'b', amount: '100' }]);
    expect(transfersInFlight(lines, 'USDT')).toEqual([{ from: 'a', to: 'b', amount: '10' }]);
  });

  it("used today: open reservations plus booked transfers, released ones not at all, other days apart", () => {
    expect(usedUsdOnDay(lines, '2026-12-01')).toBe('73.5');
    expect(usedUsdOnDay(lines, '2026-12-02')).toBe('10');
  });
});

describe('nextCheckAt while a child runs', () => {
  const params = PolicyParamsSchema.parse({ asset: 'BLST', minRaisedMs: 1_000, perKind: { VENUE_UNHEALTHY: { minRaisedMs: 0 } } });
  const ev = (venueId: string, kind: 'VENUE_UNHEALTHY' | 'INVENTORY_DRIFT', at: number) => ({ type: 'raised' as const, venueId, kind, value: 1, at });

  it('without waitForBlocks: a drift blocked by a running venueRisk asks to be woken now, every time; with it: not until the child reports', () => {
    let s = decideOnEvent(initialPolicyState(), ev('alpha', 'VENUE_UNHEALTHY', 0), 0, params).state;
    const risk = s.actions[0]!;
    s = decideOnEvent(s, ev('bravo', 'INVENTORY_DRIFT', 100), 100, params).state;
    expect(nextCheckAt(s, 5_000, params)).toBe(5_000);
    expect(nextCheckAt(s, 5_000, params, { waitForBlocks: true })).toBeUndefined();
    // The child reports: the drift acts on the re-decision.
    s = noteChildFinished(s, risk, { status: 'completed' }, 6_000);
    expect(decideOnTick(s, 6_000, params).start.map((d) => d.kind)).toEqual(['rebalance']);
  });

  it('with waitForBlocks, a drift held by the spent USD budget is woken when the spending rolls out of the 24 h window', () => {
    const tight = PolicyParamsSchema.parse({ asset: 'BLST', minRaisedMs: 0, rebalanceUsdPerDay: '1000', cooldownMs: { rebalance: 60_000, venueRisk: 60_000 } });
    let s = decideOnEvent(initialPolicyState(), ev('alpha', 'INVENTORY_DRIFT', 0), 0, tight).state;
    const first = s.actions[0]!;
    expect(first.reservedUsd).toBe('1000');
    // It moved 400 USD: 600 left, so a new drift can act after the cooldown.
    s = noteChildFinished(s, first, { status: 'completed', movedUsd: '400' }, 10_000);
    s = decideOnEvent(s, ev('bravo', 'INVENTORY_DRIFT', 20_000), 20_000, tight).state;
    expect(nextCheckAt(s, 20_000, tight, { waitForBlocks: true })).toBe(60_000);
    const second = decideOnTick(s, 60_000, tight);
    expect(second.start.map((d) => d.kind === 'rebalance' && d.maxUsd)).toEqual(['600']);
    // The second reserves the remaining 600 and reports nothing moved: the budget is spent until the
    // first start (t = 0) rolls out, 24 h later — not "now" (which would wake the caller at once, forever).
    s = noteChildFinished(second.state, second.start[0]!, { status: 'failed' }, 70_000);
    s = decideOnEvent(s, ev('charlie', 'INVENTORY_DRIFT', 80_000), 80_000, tight).state;
    expect(decideOnTick(s, 200_000, tight).skipped.map((x) => x.code)).toEqual(['BUDGET_USD']);
    expect(nextCheckAt(s, 200_000, tight)).toBe(200_000);
    expect(nextCheckAt(s, 200_000, tight, { waitForBlocks: true })).toBe(86_400_000);
  });

  it('with waitForBlocks, a drift still in its hysteresis when nothing runs is woken at its end', () => {
    const s = decideOnEvent(initialPolicyState(), ev('bravo', 'INVENTORY_DRIFT', 100), 100, params).state;
    expect(nextCheckAt(s, 200, params, { waitForBlocks: true })).toBe(1_100);
  });
});
