// The coordinator's price-action policy (issue 10): sustained selling → a buyback, buy pressure with
// bought-back inventory → a liquidation, a cleared imbalance → a stop; budgets, cooldowns and the
// bought-back inventory against hand-computed figures.
import type { ImbalanceEvent, ImbalanceKind } from '../../domain/quoting/imbalance';
import {
  DAY_MS,
  PolicyParamsSchema,
  PolicyStateSchema,
  actionFor,
  decideOnEvent,
  decideOnTick,
  initialPolicyState,
  nextCheckAt,
  noteChildFinished,
  type ChildOutcome,
  type Decision,
  type PolicyParams,
  type PolicyParamsInput,
  type PolicyResult,
  type PolicyState,
} from '../../domain/treasury/coordinator-policy';

const MIN = 60_000;
const base: PolicyParamsInput = {
  asset: 'BLST',
  minRaisedSeq: 0,
  minRaisedMs: 30_000,
  cooldownMs: { rebalance: 600_000, venueRisk: 300_000, buyback: 30 * MIN, liquidation: 30 * MIN },
  maxActionsPerDay: { rebalance: 2, venueRisk: 2, buyback: 3, liquidation: 2 },
  rebalanceUsdPerDay: '100000',
};
const paParams = (pa: Record<string, unknown> = {}, over: Partial<PolicyParamsInput> = {}): PolicyParams =>
  PolicyParamsSchema.parse({ ...base, ...over, priceAction: { enabled: true, buybackUsdPerDay: '1000', buybackUsdPerEpisode: '600', minLiquidationBase: '1000', ...pa } });
const ev = (type: 'raised' | 'cleared', venueId: string, kind: ImbalanceKind, at: number, value = 0.9): ImbalanceEvent => ({ type, venueId, kind, value, at });

/** Feeds events and ticks in order, carrying the state. */
class Driver {
  state: PolicyState = initialPolicyState();
  constructor(readonly p: PolicyParams) {}
  event(e: ImbalanceEvent): PolicyResult {
    return this.take(decideOnEvent(this.state, e, e.at, this.p));
  }
  tick(now: number): PolicyResult {
    return this.take(decideOnTick(this.state, now, this.p));
  }
  finish(d: Pick<Decision, 'id'>, now: number, outcome: Partial<ChildOutcome> = {}): void {
    this.state = noteChildFinished(this.state, d, { status: 'completed', ...outcome }, now);
  }
  /** Raise, wait out the hysteresis, return what the tick started. */
  raiseAndAct(venue: string, kind: ImbalanceKind, at: number): PolicyResult {
    this.event(ev('raised', venue, kind, at));
    return this.tick(at + 30_000);
  }
  private take(r: PolicyResult): PolicyResult {
    this.state = r.state;
    return r;
  }
}
const only = (r: PolicyResult): Decision => {
  expect(r.start).toHaveLength(1);
  return r.start[0]!;
};
const maxUsdOf = (d: Decision) => (d.kind === 'venueRisk' ? undefined : d.maxUsd);

describe('price-action mapping', () => {
  it('switched off (the default), sustained selling still rebalances; buy pressure starts nothing', () => {
    const off = PolicyParamsSchema.parse(base);
    expect(off.priceAction.enabled).toBe(false);
    expect(actionFor('ONE_SIDED_SELLING', off)).toBe('rebalance');
    expect(actionFor('ONE_SIDED_BUYING', off)).toBe('none');
    const d = new Driver(off);
    const dec = only(d.raiseAndAct('bravo', 'ONE_SIDED_SELLING', 0));
    expect(dec.kind).toBe('rebalance');
    expect(dec.id).toBe('rebalance:BLST:1');
    const buying = d.raiseAndAct('alpha', 'ONE_SIDED_BUYING', 100_000);
    expect(buying).toMatchObject({ start: [], skipped: [] });
    // A cleared imbalance never asks anything to stop while price action is off.
    expect(d.event(ev('cleared', 'bravo', 'ONE_SIDED_SELLING', 200_000)).stop).toBeUndefined();
  });

  it('switched on, sustained selling starts a buyback after the hysteresis, capped at min(episode, day left)', () => {
    const p = paParams();
    expect(actionFor('ONE_SIDED_SELLING', p)).toBe('buyback');
    expect(actionFor('ONE_SIDED_BUYING', p)).toBe('liquidation');
    expect(actionFor('INVENTORY_DRIFT', p)).toBe('rebalance');
    const d = new Driver(p);
    const r0 = d.event(ev('raised', 'bravo', 'ONE_SIDED_SELLING', 0));
    expect(r0.start).toEqual([]);
    expect(r0.skipped.map((s) => [s.code, s.action])).toEqual([['HYSTERESIS', 'buyback']]);
    expect(d.tick(29_999).start).toEqual([]);
    const dec = only(d.tick(30_000));
    expect(dec).toEqual({
      kind: 'buyback',
      id: 'buyback:BLST:1',
      asset: 'BLST',
      // min(episode 600, day 1000 − 0)
      maxUsd: '600',
      reason: 'ONE_SIDED_SELLING on bravo (value 0.9): buy back BLST for at most 600 USD, never above the fair value at start',
      triggers: [{ venueId: 'bravo', kind: 'ONE_SIDED_SELLING', value: 0.9 }],
    });
    expect(d.state.actions).toEqual([{ id: 'buyback:BLST:1', kind: 'buyback', key: 'buyback', startedAt: 30_000, reservedUsd: '600', status: 'running' }]);
  });

  it('trigger sell-off: a SELL_OFF starts the buyback, one-sided flow alone starts nothing, and its clear stops it', () => {
    const p = paParams({ trigger: 'sell-off' });
    expect(actionFor('SELL_OFF', p)).toBe('buyback');
    expect(actionFor('ONE_SIDED_SELLING', p)).toBe('none');
    expect(actionFor('ONE_SIDED_BUYING', p)).toBe('liquidation');
    // Without a trigger (runs recorded before it), or with price action off, SELL_OFF starts nothing.
    expect(actionFor('SELL_OFF', paParams())).toBe('none');
    expect(actionFor('SELL_OFF', PolicyParamsSchema.parse({ ...base, priceAction: { trigger: 'sell-off' } }))).toBe('none');
    const d = new Driver(p);
    expect(d.raiseAndAct('bravo', 'ONE_SIDED_SELLING', 0)).toMatchObject({ start: [] });
    const dec = only(d.raiseAndAct('bravo', 'SELL_OFF', 60_000));
    expect(dec).toMatchObject({ kind: 'buyback', id: 'buyback:BLST:1', maxUsd: '600', triggers: [{ venueId: 'bravo', kind: 'SELL_OFF', value: 0.9 }] });
    // The flow turning balanced clears ONE_SIDED_SELLING: not what this buyback answers.
    expect(d.event(ev('cleared', 'bravo', 'ONE_SIDED_SELLING', 100_000)).stop).toBeUndefined();
    expect(d.event(ev('cleared', 'bravo', 'SELL_OFF', 120_000)).stop).toEqual([{ id: 'buyback:BLST:1', reason: 'SELL_OFF cleared on every venue (last: bravo)' }]);
    expect(() => paParams({ trigger: 'dip' })).toThrow(/trigger/);
  });

  it('a drift and sustained selling together start a rebalance and a buyback', () => {
    const d = new Driver(paParams());
    d.event(ev('raised', 'alpha', 'INVENTORY_DRIFT', 0));
    d.event(ev('raised', 'bravo', 'ONE_SIDED_SELLING', 0));
    const r = d.tick(30_000);
    expect(r.start.map((x) => [x.kind, x.id, x.triggers.map((t) => t.venueId)])).toEqual([
      ['rebalance', 'rebalance:BLST:1', ['alpha']],
      ['buyback', 'buyback:BLST:2', ['bravo']],
    ]);
  });
});

describe('buyback limits', () => {
  it('one at a time: a re-raised selling waits for the running buyback (RUNNING), and nextCheckAt does not spin', () => {
    const d = new Driver(paParams());
    const first = only(d.raiseAndAct('bravo', 'ONE_SIDED_SELLING', 0));
    d.event(ev('cleared', 'bravo', 'ONE_SIDED_SELLING', 100_000));
    d.event(ev('raised', 'bravo', 'ONE_SIDED_SELLING', 110_000));
    const blocked = d.tick(40 * MIN);
    expect(blocked.start).toEqual([]);
    expect(blocked.skipped.map((s) => [s.code, s.action, s.reason])).toEqual([['RUNNING', 'buyback', 'buyback:BLST:1 is still running']]);
    // Waiting on the child's report, not on time.
    expect(nextCheckAt(d.state, 40 * MIN, d.p, { waitForBlocks: true })).toBeUndefined();
    d.finish(first, 41 * MIN, { movedUsd: '100' });
    // Cooldown (30 min from the start at 30 s) is over: starts at once.
    expect(nextCheckAt(d.state, 41 * MIN, d.p, { waitForBlocks: true })).toBe(41 * MIN);
    expect(only(d.tick(41 * MIN)).id).toBe('buyback:BLST:2');
  });

  it('cooldown: a new buyback waits 30 min from the last start; nextCheckAt names that instant', () => {
    const d = new Driver(paParams());
    const first = only(d.raiseAndAct('bravo', 'ONE_SIDED_SELLING', 0)); // started at 30 s
    d.finish(first, 60_000, { movedUsd: '10' });
    d.event(ev('cleared', 'bravo', 'ONE_SIDED_SELLING', 70_000));
    d.event(ev('raised', 'bravo', 'ONE_SIDED_SELLING', 80_000));
    const cool = d.tick(110_000);
    expect(cool.skipped.map((s) => s.code)).toEqual(['COOLDOWN']);
    expect(nextCheckAt(d.state, 110_000, d.p, { waitForBlocks: true })).toBe(30_000 + 30 * MIN);
    expect(d.tick(30_000 + 30 * MIN - 1).start).toEqual([]);
    expect(only(d.tick(30_000 + 30 * MIN)).kind).toBe('buyback');
  });

  it('maxActionsPerDay: the fourth buyback in 24 h waits until the first is a day old', () => {
    const d = new Driver(paParams({ buybackUsdPerDay: '100000', buybackUsdPerEpisode: '10' }, { cooldownMs: { rebalance: 0, venueRisk: 0, buyback: 0, liquidation: 0 } }));
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = i * 3_600_000;
      const dec = only(d.raiseAndAct('bravo', 'ONE_SIDED_SELLING', t));
      starts.push(t + 30_000);
      d.finish(dec, t + 60_000, { movedUsd: '10' });
      d.event(ev('cleared', 'bravo', 'ONE_SIDED_SELLING', t + 70_000));
    }
    d.event(ev('raised', 'bravo', 'ONE_SIDED_SELLING', 4 * 3_600_000));
    const r = d.tick(4 * 3_600_000 + 30_000);
    expect(r.skipped.map((s) => [s.code, s.reason])).toEqual([['BUDGET_ACTIONS', '3 buyback started in the last 24 h; the budget is 3']]);
    expect(nextCheckAt(d.state, 4 * 3_600_000 + 30_000, d.p, { waitForBlocks: true })).toBe(starts[0]! + DAY_MS);
    expect(d.tick(starts[0]! + DAY_MS - 1).start).toEqual([]);
    expect(only(d.tick(starts[0]! + DAY_MS)).id).toBe('buyback:BLST:4');
  });

  it('daily USD over a rolling 24 h: the reservation, then what the child reports it spent', () => {
    // Day 1000, episode 600, no cooldown.
    const d = new Driver(paParams({}, { cooldownMs: { rebalance: 0, venueRisk: 0, buyback: 0, liquidation: 0 }, maxActionsPerDay: { rebalance: 2, venueRisk: 2, buyback: 10, liquidation: 2 } }));
    const cycle = (t: number) => {
      const r = d.raiseAndAct('bravo', 'ONE_SIDED_SELLING', t);
      d.event(ev('cleared', 'bravo', 'ONE_SIDED_SELLING', t + 50_000));
      return r;
    };
    const a = only(cycle(0)); // at 30 s
    expect(maxUsdOf(a)).toBe('600');
    // Finished without a report of what it spent: its 600 stay reserved, 400 left.
    d.finish(a, 40_000);
    const b = only(cycle(100_000)); // at 130 s
    expect(maxUsdOf(b)).toBe('400');
    // It reports 150.25 spent: that replaces its 400 reservation; 1000 − 600 − 150.25 = 249.75.
    d.finish(b, 140_000, { movedUsd: '150.25' });
    const c = only(cycle(200_000)); // at 230 s
    expect(maxUsdOf(c)).toBe('249.75');
    d.finish(c, 240_000, { movedUsd: '249.75' });
    const none = cycle(300_000);
    expect(none.start).toEqual([]);
    expect(none.skipped.map((s) => [s.code, s.reason])).toEqual([['BUDGET_USD', '1000 of 1000 USD of buybacks spent or reserved in the last 24 h']]);
    // Blocked by the USD budget with nothing running: sleeps until the first start (30 s, 600 USD)
    // leaves the window — neither now (a spin) nor never.
    d.event(ev('raised', 'bravo', 'ONE_SIDED_SELLING', 400_000));
    d.tick(430_000);
    expect(nextCheckAt(d.state, 430_000, d.p, { waitForBlocks: true })).toBe(30_000 + DAY_MS);
    expect(d.tick(30_000 + DAY_MS - 1).skipped.map((s) => s.code)).toEqual(['BUDGET_USD']);
    // 600 rolled out: 1000 − 150.25 − 249.75 = 600 left, the episode cap is 600.
    expect(maxUsdOf(only(d.tick(30_000 + DAY_MS)))).toBe('600');
  });

  it('a day budget of 0 never wakes the coordinator for a buyback', () => {
    const d = new Driver(paParams({ buybackUsdPerDay: '0' }));
    const r = d.raiseAndAct('bravo', 'ONE_SIDED_SELLING', 0);
    expect(r.skipped.map((s) => s.code)).toEqual(['BUDGET_USD']);
    expect(nextCheckAt(d.state, 30_000, d.p, { waitForBlocks: true })).toBeUndefined();
  });
});

describe('stopping a running buyback', () => {
  it('selling cleared on one venue while another still sells: no stop; cleared everywhere: stop', () => {
    const d = new Driver(paParams());
    d.event(ev('raised', 'alpha', 'ONE_SIDED_SELLING', 0));
    d.event(ev('raised', 'bravo', 'ONE_SIDED_SELLING', 0));
    const dec = only(d.tick(30_000));
    expect(dec.triggers.map((t) => t.venueId)).toEqual(['alpha', 'bravo']);
    expect(d.event(ev('cleared', 'alpha', 'ONE_SIDED_SELLING', 60_000)).stop).toBeUndefined();
    // Another imbalance clearing is not this one.
    d.event(ev('raised', 'alpha', 'INVENTORY_DRIFT', 61_000));
    expect(d.event(ev('cleared', 'alpha', 'INVENTORY_DRIFT', 62_000)).stop).toBeUndefined();
    expect(d.event(ev('cleared', 'bravo', 'ONE_SIDED_SELLING', 70_000)).stop).toEqual([
      { id: 'buyback:BLST:1', reason: 'ONE_SIDED_SELLING cleared on every venue (last: bravo)' },
    ]);
  });

  it('no stop once the buyback has finished', () => {
    const d = new Driver(paParams());
    const dec = only(d.raiseAndAct('bravo', 'ONE_SIDED_SELLING', 0));
    d.finish(dec, 40_000, { movedUsd: '1' });
    expect(d.event(ev('cleared', 'bravo', 'ONE_SIDED_SELLING', 50_000)).stop).toBeUndefined();
  });
});

describe('liquidation of bought-back inventory', () => {
  it('buy pressure with nothing bought back (≤ minLiquidationBase) is NOT_IN_SCOPE, once per raise', () => {
    const d = new Driver(paParams());
    d.event(ev('raised', 'alpha', 'ONE_SIDED_BUYING', 0));
    const r = d.tick(30_000);
    expect(r.start).toEqual([]);
    expect(r.skipped.map((s) => [s.code, s.action, s.reason])).toEqual([['NOT_IN_SCOPE', 'liquidation', 'bought-back inventory 0 is not above 1000: nothing to liquidate']]);
    expect(d.tick(DAY_MS)).toMatchObject({ start: [], skipped: [] });
    expect(nextCheckAt(d.state, DAY_MS, d.p, { waitForBlocks: true })).toBeUndefined();
  });

  it('exactly minLiquidationBase bought back is still not enough', () => {
    const d = new Driver(paParams());
    const bb = only(d.raiseAndAct('bravo', 'ONE_SIDED_SELLING', 0));
    d.finish(bb, 60_000, { movedUsd: '500', filledBase: '1000' });
    expect(d.state.boughtBackBase).toBe('1000');
    expect(d.raiseAndAct('alpha', 'ONE_SIDED_BUYING', 100_000).skipped.map((s) => s.code)).toEqual(['NOT_IN_SCOPE']);
  });

  it('after a buyback reports what it bought, buy pressure liquidates exactly that; the sale reduces it', () => {
    const d = new Driver(paParams());
    const bb = only(d.raiseAndAct('bravo', 'ONE_SIDED_SELLING', 0));
    d.finish(bb, 60_000, { movedUsd: '2500.5', filledBase: '5000.25' });
    expect(d.state.boughtBackBase).toBe('5000.25');
    d.event(ev('cleared', 'bravo', 'ONE_SIDED_SELLING', 70_000));
    const liq = only(d.raiseAndAct('alpha', 'ONE_SIDED_BUYING', 100_000));
    expect(liq).toEqual({
      kind: 'liquidation',
      id: 'liquidation:BLST:2',
      asset: 'BLST',
      maxUsd: '0',
      quantityBase: '5000.25',
      reason: 'ONE_SIDED_BUYING on alpha (value 0.9): sell 5000.25 bought-back BLST into the buying, only above fair value + 0.5 %',
      triggers: [{ venueId: 'alpha', kind: 'ONE_SIDED_BUYING', value: 0.9 }],
    });
    // The buying clears everywhere: the running liquidation is asked to stop.
    expect(d.event(ev('cleared', 'alpha', 'ONE_SIDED_BUYING', 200_000)).stop).toEqual([
      { id: 'liquidation:BLST:2', reason: 'ONE_SIDED_BUYING cleared on every venue (last: alpha)' },
    ]);
    d.finish(liq, 210_000, { movedUsd: '1300', filledBase: '1200.5' });
    expect(d.state.boughtBackBase).toBe('3799.75');
    // Overselling (a report above what was held) floors at 0, never negative.
    const liq2 = only(d.raiseAndAct('alpha', 'ONE_SIDED_BUYING', 210_000 + 30 * MIN));
    expect(liq2.kind === 'liquidation' && liq2.quantityBase).toBe('3799.75');
    d.finish(liq2, 220_000 + 30 * MIN, { filledBase: '4000' });
    expect(d.state.boughtBackBase).toBe('0');
  });

  it('raised while nothing was held: waits for the buying to clear and come back before liquidating', () => {
    const d = new Driver(paParams());
    d.raiseAndAct('alpha', 'ONE_SIDED_BUYING', 0); // NOT_IN_SCOPE, acted on
    const bb = only(d.raiseAndAct('bravo', 'ONE_SIDED_SELLING', 100_000));
    d.finish(bb, 200_000, { movedUsd: '100', filledBase: '2000' });
    expect(d.tick(300_000).start).toEqual([]);
    d.event(ev('cleared', 'alpha', 'ONE_SIDED_BUYING', 310_000));
    expect(only(d.raiseAndAct('alpha', 'ONE_SIDED_BUYING', 320_000)).kind).toBe('liquidation');
  });

  it('a repeated report of the same child does not count its fill twice', () => {
    const d = new Driver(paParams());
    const bb = only(d.raiseAndAct('bravo', 'ONE_SIDED_SELLING', 0));
    d.finish(bb, 60_000, { movedUsd: '2500', filledBase: '5000' });
    d.finish(bb, 61_000, { movedUsd: '2500', filledBase: '5000' });
    expect(d.state.boughtBackBase).toBe('5000');
    // A report with a malformed amount changes nothing either.
    d.finish({ id: 'liquidation:BLST:9' }, 62_000, { filledBase: '-5' });
    expect(d.state.boughtBackBase).toBe('5000');
  });
});

describe('price-action state', () => {
  it('round-trips through JSON and PolicyStateSchema with boughtBackBase; older states without it still parse', () => {
    const d = new Driver(paParams());
    const bb = only(d.raiseAndAct('bravo', 'ONE_SIDED_SELLING', 0));
    d.finish(bb, 60_000, { movedUsd: '250', filledBase: '5000.125' });
    d.raiseAndAct('alpha', 'ONE_SIDED_BUYING', 100_000);
    expect(d.state.boughtBackBase).toBe('5000.125');
    expect(d.state.actions.map((a) => a.kind)).toEqual(['buyback', 'liquidation']);
    const copy: unknown = JSON.parse(JSON.stringify(d.state));
    expect(PolicyStateSchema.parse(copy)).toEqual(d.state);
    const { boughtBackBase: _omit, ...old } = d.state;
    expect(PolicyStateSchema.parse(JSON.parse(JSON.stringify(old)))).toEqual(old);
    expect(PolicyStateSchema.safeParse({ ...d.state, boughtBackBase: 5 }).success).toBe(false);
  });

  it('price-action params: defaults, and bad values refused naming the field', () => {
    const p = PolicyParamsSchema.parse({ asset: 'BLST', priceAction: { enabled: true } });
    expect(p.priceAction).toMatchObject({ buybackUsdPerDay: '500000', buybackUsdPerEpisode: '250000', buybackLimitPct: 0, liquidationPremiumPct: 0.5, minLiquidationBase: '1000' });
    expect(p.cooldownMs.buyback).toBe(30 * MIN);
    const r = PolicyParamsSchema.safeParse({ asset: 'BLST', priceAction: { buybackUsdPerEpisode: '0', liquidationPremiumPct: -1 } });
    expect(r.success ? [] : r.error.issues.map((i) => i.path.join('.'))).toEqual(['priceAction.buybackUsdPerEpisode', 'priceAction.liquidationPremiumPct']);
  });
});
