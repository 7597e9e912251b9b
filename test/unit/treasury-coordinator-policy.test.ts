import { D } from '../../domain/money';
import { mulberry32 } from '../../domain/rng';
import type { ImbalanceEvent, ImbalanceKind } from '../../domain/quoting/imbalance';
import {
  DAY_MS,
  PolicyParamsSchema,
  PolicyStateSchema,
  cooldownKey,
  decideOnEvent,
  decideOnTick,
  initialPolicyState,
  nextCheckAt,
  noteChildFinished,
  type Decision,
  type PolicyParams,
  type PolicyResult,
  type PolicyState,
} from '../../domain/treasury/coordinator-policy';

const params: PolicyParams = PolicyParamsSchema.parse({
  asset: 'BLST',
  minRaisedSeq: 0,
  minRaisedMs: 30_000,
  cooldownMs: { rebalance: 600_000, venueRisk: 300_000 },
  maxActionsPerDay: { rebalance: 2, venueRisk: 2 },
  rebalanceUsdPerDay: '100000',
  rebalanceMaxUsdPerAction: '60000',
});
const ev = (type: 'raised' | 'cleared', venueId: string, kind: ImbalanceKind, at: number, value = 25): ImbalanceEvent => ({ type, venueId, kind, value, at });

/** Feeds events/ticks in order, carrying the state; returns every result. */
class Driver {
  state: PolicyState = initialPolicyState();
  started: { at: number; d: Decision }[] = [];
  constructor(readonly p: PolicyParams = params) {}
  event(e: ImbalanceEvent, now = e.at): PolicyResult {
    return this.take(decideOnEvent(this.state, e, now, this.p), now);
  }
  tick(now: number): PolicyResult {
    return this.take(decideOnTick(this.state, now, this.p), now);
  }
  finish(d: Decision, now: number, movedUsd?: string, status: 'completed' | 'failed' = 'completed'): void {
    this.state = noteChildFinished(this.state, d, { status, ...(movedUsd !== undefined ? { movedUsd } : {}) }, now);
  }
  private take(r: PolicyResult, now: number): PolicyResult {
    this.state = r.state;
    for (const d of r.start) this.started.push({ at: now, d });
    return r;
  }
}

describe('coordinator policy: rules', () => {
  it('acts on a drift only after it stayed raised for minRaisedMs, once, without mutating the input', () => {
    const s0 = initialPolicyState();
    const r0 = decideOnEvent(s0, ev('raised', 'alpha', 'INVENTORY_DRIFT', 0), 0, params);
    expect(s0).toEqual(initialPolicyState());
    expect(r0.start).toEqual([]);
    expect(r0.skipped.map((s) => s.code)).toEqual(['HYSTERESIS']);
    expect(decideOnTick(r0.state, 29_999, params).start).toEqual([]);
    const r1 = decideOnTick(r0.state, 30_000, params);
    expect(r1.start).toEqual([
      {
        kind: 'rebalance',
        id: 'rebalance:BLST:1',
        asset: 'BLST',
        maxUsd: '60000',
        reason: 'INVENTORY_DRIFT on alpha (value 25): rebalance BLST to the target allocation',
        triggers: [{ venueId: 'alpha', kind: 'INVENTORY_DRIFT', value: 25 }],
      },
    ]);
    // Still raised, already acted on: nothing more, even once the child is done and every cooldown over.
    const done = noteChildFinished(r1.state, r1.start[0] as Decision, { status: 'completed', movedUsd: '100' }, 60_000);
    expect(decideOnTick(done, 10 * DAY_MS, params)).toMatchObject({ start: [], skipped: [] });
    expect(decideOnEvent(done, ev('raised', 'alpha', 'INVENTORY_DRIFT', 10 * DAY_MS, 30), 10 * DAY_MS, params).start).toEqual([]);
  });

  it('needs a clear before acting again; then waits for the running child and the cooldown', () => {
    const d = new Driver();
    d.event(ev('raised', 'alpha', 'INVENTORY_DRIFT', 0));
    const first = d.tick(30_000).start[0];
    if (!first) throw new Error('expected a rebalance');
    d.event(ev('cleared', 'alpha', 'INVENTORY_DRIFT', 60_000));
    d.event(ev('raised', 'alpha', 'INVENTORY_DRIFT', 70_000));
    expect(d.tick(100_000).skipped.map((s) => s.code)).toEqual(['RUNNING']);
    d.finish(first, 200_000, '1000');
    // Started at 30 s; the cooldown is 600 s: blocked until 630 s.
    const cool = d.tick(629_999);
    expect(cool.start).toEqual([]);
    expect(cool.skipped[0]?.code).toBe('COOLDOWN');
    expect(nextCheckAt(d.state, 629_999, params)).toBe(630_000);
    const second = d.tick(630_000).start;
    expect(second.map((x) => [x.kind, x.id])).toEqual([['rebalance', 'rebalance:BLST:2']]);
  });

  it('never acts on a signal that flaps faster than minRaisedMs', () => {
    const d = new Driver();
    for (let t = 0; t < 3_600_000; t += 20_000) {
      d.event(ev('raised', 'alpha', 'INVENTORY_DRIFT', t));
      d.tick(t + 15_000);
      d.event(ev('cleared', 'alpha', 'INVENTORY_DRIFT', t + 29_000));
    }
    expect(d.started).toEqual([]);
    // The same signal held for 30 s acts.
    d.event(ev('raised', 'alpha', 'INVENTORY_DRIFT', 4_000_000));
    expect(d.tick(4_030_000).start).toHaveLength(1);
  });

  it('ONE_SIDED_SELLING rebalances for now and says buyback comes later', () => {
    const d = new Driver();
    d.event(ev('raised', 'bravo', 'ONE_SIDED_SELLING', 0, 0.9));
    const [dec] = d.tick(30_000).start;
    expect(dec?.kind).toBe('rebalance');
    expect(dec?.reason).toBe('ONE_SIDED_SELLING on bravo (value 0.9) (buyback comes later; rebalancing for now): rebalance BLST to the target allocation');
  });

  it('one rebalance covers every sustained drift; a younger one waits for its own turn', () => {
    const d = new Driver();
    d.event(ev('raised', 'alpha', 'INVENTORY_DRIFT', 0));
    d.event(ev('raised', 'bravo', 'ONE_SIDED_SELLING', 1_000));
    d.event(ev('raised', 'charlie', 'INVENTORY_DRIFT', 20_000));
    const r = d.tick(31_000);
    expect(r.start).toHaveLength(1);
    expect(r.start[0]?.triggers.map((t) => t.venueId)).toEqual(['alpha', 'bravo']);
    expect(r.skipped.map((s) => [s.code, s.venueId])).toEqual([['HYSTERESIS', 'charlie']]);
  });

  it('VENUE_UNHEALTHY starts venueRisk for that venue (per-kind hysteresis), and rebalances wait while it runs', () => {
    const p = PolicyParamsSchema.parse({ ...params, perKind: { VENUE_UNHEALTHY: { minRaisedMs: 0 } } });
    const d = new Driver(p);
    d.event(ev('raised', 'alpha', 'INVENTORY_DRIFT', 0));
    const r = d.event(ev('raised', 'bravo', 'VENUE_UNHEALTHY', 5_000, 1));
    expect(r.start).toEqual([
      {
        kind: 'venueRisk',
        id: 'venueRisk:BLST:bravo:1',
        asset: 'BLST',
        venue: 'bravo',
        reason: 'VENUE_UNHEALTHY on bravo (value 1): pause quoting, cancel orders, withdraw to the safe wallet',
        triggers: [{ venueId: 'bravo', kind: 'VENUE_UNHEALTHY', value: 1 }],
      },
    ]);
    expect(d.tick(40_000).skipped.map((s) => s.code)).toEqual(['VENUE_RISK_RUNNING']);
    // A second unhealthy venue gets its own venueRisk (separate cooldown key).
    expect(d.event(ev('raised', 'charlie', 'VENUE_UNHEALTHY', 41_000, 1)).start.map((x) => x.id)).toEqual(['venueRisk:BLST:charlie:2']);
    const risks = d.started.map((s) => s.d);
    for (const x of risks) d.finish(x, 50_000);
    expect(d.tick(50_000).start.map((x) => x.kind)).toEqual(['rebalance']);
  });

  it('COMPLIANCE_BREACH starts nothing but is recorded', () => {
    const d = new Driver();
    const r = d.event(ev('raised', 'alpha', 'COMPLIANCE_BREACH', 0, 1));
    expect(r.start).toEqual([]);
    expect(r.skipped).toEqual([
      {
        code: 'NOT_IN_SCOPE',
        venueId: 'alpha',
        imbalance: 'COMPLIANCE_BREACH',
        reason: "COMPLIANCE_BREACH on alpha recorded; no child started (remediation sets the venue's mode: compliance-remediation.ts)",
      },
    ]);
    expect(d.tick(DAY_MS).start).toEqual([]);
    d.event(ev('cleared', 'alpha', 'COMPLIANCE_BREACH', DAY_MS + 1, 0));
    expect(d.state.compliance.map((c) => [c.type, c.venueId, c.seq])).toEqual([
      ['raised', 'alpha', 1],
      ['cleared', 'alpha', 2],
    ]);
  });

  it('caps starts per rolling day: the third rebalance waits until the first is 24 h old', () => {
    const d = new Driver();
    const cycle = (t: number): Decision[] => {
      d.event(ev('raised', 'alpha', 'INVENTORY_DRIFT', t));
      const r = d.tick(t + 30_000);
      for (const x of r.start) d.finish(x, t + 40_000, '1');
      d.event(ev('cleared', 'alpha', 'INVENTORY_DRIFT', t + 50_000));
      return r.start;
    };
    expect(cycle(0)).toHaveLength(1); // starts at 30 s
    expect(cycle(1_000_000)).toHaveLength(1);
    d.event(ev('raised', 'alpha', 'INVENTORY_DRIFT', 2_000_000));
    const blocked = d.tick(2_030_000);
    expect(blocked.skipped.map((s) => s.code)).toEqual(['BUDGET_ACTIONS']);
    expect(nextCheckAt(d.state, 2_030_000, params)).toBe(30_000 + DAY_MS);
    expect(d.tick(30_000 + DAY_MS - 1).start).toEqual([]);
    expect(d.tick(30_000 + DAY_MS).start).toHaveLength(1);
  });

  it('caps USD per rolling day: reservations, then what actually moved', () => {
    const p = PolicyParamsSchema.parse({ ...params, maxActionsPerDay: { rebalance: 10, venueRisk: 2 }, cooldownMs: { rebalance: 0, venueRisk: 0 } });
    const d = new Driver(p);
    const cycle = (t: number) => {
      d.event(ev('raised', 'alpha', 'INVENTORY_DRIFT', t));
      const r = d.tick(t + 30_000);
      d.event(ev('cleared', 'alpha', 'INVENTORY_DRIFT', t + 50_000));
      return r;
    };
    const a = cycle(0).start[0];
    expect(a?.kind === 'rebalance' && a.maxUsd).toBe('60000'); // per-action cap
    // While `a` runs its 60000 stay reserved: 40000 left.
    d.finish(a as Decision, 40_000); // finished without a report of what moved: the reservation stands
    const b = cycle(100_000).start[0];
    expect(b?.kind === 'rebalance' && b.maxUsd).toBe('40000');
    d.finish(b as Decision, 140_000, '12500.5');
    // 60000 + 12500.5 used: 27499.5 left.
    const c = cycle(200_000).start[0];
    expect(c?.kind === 'rebalance' && c.maxUsd).toBe('27499.5');
    d.finish(c as Decision, 240_000, '27499.5');
    const none = cycle(300_000);
    expect(none.start).toEqual([]);
    expect(none.skipped.map((s) => [s.code, s.reason])).toEqual([['BUDGET_USD', '100000 of 100000 USD rebalanced or reserved in the last 24 h; 0 left']]);
  });

  it('minRaisedSeq counts later coordinator events', () => {
    const p = PolicyParamsSchema.parse({ ...params, minRaisedSeq: 2, minRaisedMs: 0 });
    const d = new Driver(p);
    expect(d.event(ev('raised', 'alpha', 'INVENTORY_DRIFT', 0)).start).toEqual([]);
    expect(d.event(ev('raised', 'bravo', 'COMPLIANCE_BREACH', 1)).start).toEqual([]);
    expect(d.tick(100_000).start).toEqual([]); // ticks are not events
    expect(d.event(ev('cleared', 'bravo', 'COMPLIANCE_BREACH', 2)).start).toHaveLength(1);
  });

  it('keeps a JSON-plain state that validates after a round trip', () => {
    const d = new Driver();
    d.event(ev('raised', 'alpha', 'INVENTORY_DRIFT', 0));
    d.event(ev('raised', 'bravo', 'COMPLIANCE_BREACH', 0));
    d.tick(30_000);
    const copy: unknown = JSON.parse(JSON.stringify(d.state));
    expect(PolicyStateSchema.parse(copy)).toEqual(d.state);
    expect(PolicyStateSchema.safeParse({ ...d.state, seq: -1 }).success).toBe(false);
  });

  it('rejects bad params naming the field', () => {
    const r = PolicyParamsSchema.safeParse({ asset: 'BLST', minRaisedMs: -1, rebalanceUsdPerDay: 'lots' });
    expect(r.success ? [] : r.error.issues.map((i) => i.path.join('.'))).toEqual(['minRaisedMs', 'rebalanceUsdPerDay']);
  });
});

// ---- seeded random properties --------------------------------------------------------------------

const VENUES = ['alpha', 'bravo', 'charlie'];
const KINDS: ImbalanceKind[] = ['INVENTORY_DRIFT', 'ONE_SIDED_SELLING', 'VENUE_UNHEALTHY', 'COMPLIANCE_BREACH'];

describe('coordinator policy: seeded properties', () => {
  it.each([1, 2, 3, 4, 5, 6])('seed %i: never exceeds the budgets, never acts twice within a cooldown, only on sustained raises', (seed) => {
    const rng = mulberry32(seed);
    const p = PolicyParamsSchema.parse({
      ...params,
      minRaisedSeq: Math.floor(rng() * 3),
      maxActionsPerDay: { rebalance: 1 + Math.floor(rng() * 4), venueRisk: 1 + Math.floor(rng() * 3) },
      cooldownMs: { rebalance: Math.floor(rng() * 7_200_000), venueRisk: Math.floor(rng() * 3_600_000) },
      perKind: { VENUE_UNHEALTHY: { minRaisedMs: 5_000 } },
    });
    const d = new Driver(p);
    const raisedSince = new Map<string, { ms: number; seq: number }>();
    const acted = new Set<string>();
    const running: { d: Decision; until: number }[] = [];
    const moved = new Map<string, string>();
    let t = 0;
    let seq = 0;
    const check = (r: PolicyResult, now: number) => {
      for (const dec of r.start) {
        for (const trig of dec.triggers) {
          const k = `${trig.venueId}|${trig.kind}`;
          const since = raisedSince.get(k);
          if (!since) throw new Error(`${dec.id} acted on ${k}, which is not raised`);
          const min = trig.kind === 'VENUE_UNHEALTHY' ? 5_000 : p.minRaisedMs;
          expect(now - since.ms).toBeGreaterThanOrEqual(min);
          expect(seq - since.seq).toBeGreaterThanOrEqual(p.minRaisedSeq);
          expect(acted.has(k)).toBe(false); // once per raise episode
          acted.add(k);
        }
        const maxUsd = dec.kind === 'rebalance' ? new D(dec.maxUsd) : new D(0);
        running.push({ d: dec, until: now + Math.floor(rng() * 7_200_000) });
        moved.set(dec.id, maxUsd.times(rng().toFixed(2)).toDecimalPlaces(2, D.ROUND_DOWN).toFixed());
      }
    };
    for (let step = 0; step < 4000; step++) {
      t += Math.floor(rng() * 120_000);
      for (const c of running.filter((x) => x.until <= t)) {
        d.finish(c.d, t, moved.get(c.d.id), rng() < 0.2 ? 'failed' : 'completed');
        running.splice(running.indexOf(c), 1);
      }
      if (rng() < 0.3) {
        check(d.tick(t), t);
        continue;
      }
      const venue = VENUES[Math.floor(rng() * VENUES.length)] ?? 'alpha';
      const kind = KINDS[Math.floor(rng() * KINDS.length)] ?? 'INVENTORY_DRIFT';
      const k = `${venue}|${kind}`;
      const type = raisedSince.has(k) ? (rng() < 0.7 ? 'cleared' : 'raised') : 'raised';
      seq += 1;
      if (type === 'raised' && !raisedSince.has(k)) raisedSince.set(k, { ms: t, seq });
      if (type === 'cleared') {
        raisedSince.delete(k);
        acted.delete(k);
      }
      check(d.event(ev(type, venue, kind, t), t), t);
      // JSON-plain: the state survives a round trip through JSON and its schema unchanged.
      if (step % 97 === 0) expect(PolicyStateSchema.parse(JSON.parse(JSON.stringify(d.state)))).toEqual(d.state);
    }
    const starts = d.started;
    expect(starts.length).toBeGreaterThan(5); // not vacuous
    for (const [i, s] of starts.entries()) {
      const windowStarts = starts.slice(0, i + 1).filter((x) => x.d.kind === s.d.kind && x.at > s.at - DAY_MS);
      expect(windowStarts.length).toBeLessThanOrEqual(p.maxActionsPerDay[s.d.kind]);
      if (s.d.kind === 'rebalance') {
        // What the window's rebalances moved (or may still move, if unfinished) stays within the budget.
        const usd = windowStarts.reduce((a, x) => a.plus(running.some((r) => r.d.id === x.d.id) && x.d.kind === 'rebalance' ? x.d.maxUsd : (moved.get(x.d.id) ?? '0')), new D(0));
        expect(usd.lte(p.rebalanceUsdPerDay)).toBe(true);
      }
      const key = cooldownKey(s.d.kind, s.d.kind === 'venueRisk' ? s.d.venue : undefined);
      const prev = starts
        .slice(0, i)
        .filter((x) => cooldownKey(x.d.kind, x.d.kind === 'venueRisk' ? x.d.venue : undefined) === key)
        .pop();
      if (prev) expect(s.at - prev.at).toBeGreaterThanOrEqual(p.cooldownMs[s.d.kind]);
    }
  });

  it('never acts on random flapping (every raised episode shorter than minRaisedMs)', () => {
    const rng = mulberry32(99);
    const d = new Driver();
    let t = 0;
    for (let i = 0; i < 3000; i++) {
      const venue = VENUES[Math.floor(rng() * VENUES.length)] ?? 'alpha';
      const kind = KINDS[Math.floor(rng() * 3)] ?? 'INVENTORY_DRIFT';
      d.event(ev('raised', venue, kind, t));
      const dur = Math.floor(rng() * 29_999);
      d.tick(t + Math.floor(dur / 2));
      d.event(ev('cleared', venue, kind, t + dur));
      t += dur + Math.floor(rng() * 60_000);
    }
    expect(d.started).toEqual([]);
    expect(d.state.counters.events).toBe(6000);
  });
});
