import {
  DEFAULT_IMBALANCE_CONFIG,
  ImbalanceConfigSchema,
  ImbalanceDetector,
  emptyDetectorState,
  observeImbalance,
  type ImbalanceConfig,
  type ImbalanceEvent,
} from '../../domain/quoting/imbalance';

// Drift: raise at >= 20 after 5 s, clear below 10, at most one raise per 60 s.
const config: ImbalanceConfig = {
  ...DEFAULT_IMBALANCE_CONFIG,
  INVENTORY_DRIFT: { enter: 20, exit: 10, minDurationMs: 5_000, cooldownMs: 60_000 },
};

/** Feeds `values` one per second from t=0 and returns every event. */
function run(values: number[], d = new ImbalanceDetector(config), start = 0): ImbalanceEvent[] {
  return values.flatMap((value, i) => d.observe({ now: start + i * 1000, venueId: 'alpha', kind: 'INVENTORY_DRIFT', value }));
}

describe('imbalance detector', () => {
  it('raises a sustained breach exactly once, after the minimum duration', () => {
    const events = run(Array<number>(100).fill(25));
    // Breach starts at t=0; 5 s later (the 6th observation, t=5000) it is sustained.
    expect(events).toEqual([{ type: 'raised', venueId: 'alpha', kind: 'INVENTORY_DRIFT', value: 25, at: 5000 }]);
  });

  it('ignores a spike shorter than the minimum duration', () => {
    expect(run([25, 25, 25, 5, 5, 5, 5, 5, 5])).toEqual([]);
  });

  it('raises once when the value flaps around the enter threshold (hysteresis)', () => {
    const flapping = Array.from({ length: 120 }, (_, i) => (i % 2 === 0 ? 21 : 15)); // 15 is below enter, above exit
    const events = run(flapping);
    expect(events.map((e) => [e.type, e.at])).toEqual([['raised', 5000]]);
  });

  it('clears only once the value falls below exit, not merely below enter', () => {
    const events = run([25, 25, 25, 25, 25, 25, 15, 12, 10, 9, 9]);
    // raised at t=5000 (index 5); 15, 12 and 10 are not below exit 10; 9 at t=9000 is.
    expect(events.map((e) => [e.type, e.at, e.value])).toEqual([
      ['raised', 5000, 25],
      ['cleared', 9000, 9],
    ]);
  });

  it('respects the cooldown between two raises for the same venue and kind', () => {
    const d = new ImbalanceDetector(config);
    const first = run([...Array<number>(6).fill(25), 5], d); // raised at 5000, cleared at 6000
    expect(first.map((e) => e.type)).toEqual(['raised', 'cleared']);
    // A new breach from t=20 s: sustained at 25 s but the cooldown runs until 65 s.
    const second = run(Array<number>(60).fill(30), d, 20_000); // t = 20 s … 79 s
    expect(second.map((e) => [e.type, e.at])).toEqual([['raised', 65_000]]);
  });

  it('tracks venues and kinds independently and does not mutate the input state', () => {
    const s0 = emptyDetectorState();
    const a = observeImbalance(s0, { now: 0, venueId: 'alpha', kind: 'VENUE_UNHEALTHY', value: 1 }, { ...config, VENUE_UNHEALTHY: { enter: 1, exit: 0.5, minDurationMs: 0, cooldownMs: 0 } });
    expect(a.events.map((e) => `${e.type}:${e.venueId}:${e.kind}`)).toEqual(['raised:alpha:VENUE_UNHEALTHY']);
    expect(s0).toEqual({ tracks: {} });
    const b = observeImbalance(a.state, { now: 0, venueId: 'bravo', kind: 'VENUE_UNHEALTHY', value: 0 }, config);
    expect(b.events).toEqual([]);
    expect(Object.keys(b.state.tracks).sort()).toEqual(['alpha|VENUE_UNHEALTHY', 'bravo|VENUE_UNHEALTHY']);
    expect(JSON.parse(JSON.stringify(b.state))).toEqual(b.state);
  });

  it('rejects a config whose exit is not below enter, naming the field', () => {
    const bad = { ...config, ONE_SIDED_SELLING: { enter: 0.5, exit: 0.5, minDurationMs: 0, cooldownMs: 0 } };
    const r = ImbalanceConfigSchema.safeParse(bad);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['ONE_SIDED_SELLING', 'exit']);
    expect(ImbalanceConfigSchema.safeParse(DEFAULT_IMBALANCE_CONFIG).success).toBe(true);
  });
});
