import { mulberry32 } from '../../domain/rng';
import { VirtualClock } from '../../hotpath/clocks';
import { FaultInjector, type FaultKind } from '../../sim/exchange/fault-injector';
import { applyFaultSchedule, faultWindows, mergeWindows, outageWindows } from '../../sim/backtest/fault-schedule';
import { sellOffEpisodes } from '../../sim/backtest/sell-off-episodes';
import { PRESET_WITHDRAWALS } from '../../sim/exchange/exchange-presets';
import { SimExchange } from '../../sim/exchange/sim-exchange';
import { TransferNetwork } from '../../sim/exchange/transfer-network';
import { loadScenario, parseScenario, ScenarioError } from '../../sim/market/scenario-loader';
import { ScenarioRunner } from '../../sim/market/scenario-runner';
import type { CexScenarioVenue, Scenario } from '../../sim/market/scenario.schema';
import { isVenueError } from '../../venues/venue-errors';

const cex = (id: string, faults: unknown[] = []) => ({
  id,
  kind: 'cex',
  market: 'BLST/USDT',
  rules: { tickSize: '0.0001', lotSize: '1', minNotional: '5' },
  fees: { maker: '0.001', taker: '0.002' },
  faults,
});

const scenario = (faults: Record<string, unknown[]>, duration = '2h') =>
  parseScenario({
    name: 'faulty',
    seed: 1,
    duration,
    fundamental: { initial: 0.5, volatility: 0.5, factor: { volatility: 0.3 } },
    venues: [cex('alpha', faults.alpha), cex('bravo', faults.bravo), { id: 'pool', kind: 'amm', market: 'BLST/USDC', reserves: { base: '4000000', quote: '2000000' } }],
  });

function issuesOf(raw: Record<string, unknown[]>): string[] {
  try {
    scenario(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected the scenario to be rejected');
}

describe('scenario fault schedules', () => {
  it('parses every fault kind with its window, defaults and all', () => {
    const s = scenario({
      bravo: [
        { kind: 'outage', at: '30m', duration: '10m' },
        { kind: 'http5xx', fraction: 0.25, at: '1h', duration: '5m' },
        { kind: 'timeouts', at: '1h', duration: '1m' },
        { kind: 'staleBook', at: '20m', duration: '2m' },
        { kind: 'withdrawalsSuspended', at: '20m', duration: '1h' },
      ],
    });
    const bravo = s.venues.find((v) => v.id === 'bravo');
    expect(bravo?.kind === 'cex' && bravo.faults).toEqual([
      { kind: 'outage', at: 1_800_000, duration: 600_000 },
      { kind: 'http5xx', fraction: 0.25, at: 3_600_000, duration: 300_000 },
      { kind: 'timeouts', executedFraction: 0, at: 3_600_000, duration: 60_000 },
      { kind: 'staleBook', at: 1_200_000, duration: 120_000 },
      { kind: 'withdrawalsSuspended', at: 1_200_000, duration: 3_600_000 },
    ]);
  });

  it('names the bad field', () => {
    expect(issuesOf({ alpha: [{ kind: 'http5xx', fraction: 1.5, at: '1m', duration: '1m' }] })).toEqual(['venues[0].faults[0].fraction: Too big: expected number to be <=1']);
    expect(issuesOf({ alpha: [{ kind: 'outage', at: '1m' }] })).toEqual(['venues[0].faults[0].duration: required: expected a duration like "30s", "5m", "1h"']);
    expect(issuesOf({ bravo: [{ kind: 'outage', at: '3h', duration: '1m' }] })).toEqual(['venues[1].faults[0].at: must be before the end of the scenario (duration)']);
    expect(
      issuesOf({
        alpha: [
          { kind: 'outage', at: '10m', duration: '30m' },
          { kind: 'staleBook', at: '20m', duration: '5m' }, // another kind may overlap
          { kind: 'outage', at: '20m', duration: '5m' },
        ],
      }),
    ).toEqual(['venues[0].faults[2].at: overlaps faults[0], also "outage": windows of one kind must not overlap']);
  });

  it('shipped scenarios without faults parse to empty fault lists', () => {
    const s = loadScenario('stress-24h');
    expect(s.venues.every((v) => v.kind === 'amm' || v.faults.length === 0)).toBe(true);
  });
});

describe('faultWindows / outageWindows', () => {
  const s = scenario({
    alpha: [{ kind: 'withdrawalsSuspended', at: '10m', duration: '1h' }],
    bravo: [
      { kind: 'outage', at: '90m', duration: '1h' }, // runs past the 2 h end: clipped
      { kind: 'outage', at: '30m', duration: '10m' },
      { kind: 'timeouts', at: '35m', duration: '10m' },
    ],
  });

  it('gives absolute windows from the run start, clipped to the end, every venue listed', () => {
    const start = 1_000_000;
    expect(outageWindows(s, start)).toEqual({
      alpha: [],
      bravo: [
        { startMs: start + 1_800_000, endMs: start + 2_400_000 },
        { startMs: start + 5_400_000, endMs: start + 7_200_000 },
      ],
      pool: [],
    });
    expect(faultWindows(s, 0).map((w) => `${w.venue}:${w.kind}@${w.startMs / 60_000}-${w.endMs / 60_000}`)).toEqual([
      'alpha:withdrawalsSuspended@10-70',
      'bravo:outage@30-40',
      'bravo:timeouts@35-45',
      'bravo:outage@90-120',
    ]);
  });

  it('can count other kinds as unhealthy, merging overlaps', () => {
    expect(outageWindows(s, 0, ['outage', 'timeouts']).bravo).toEqual([
      { startMs: 1_800_000, endMs: 2_700_000 },
      { startMs: 5_400_000, endMs: 7_200_000 },
    ]);
    expect(mergeWindows([{ startMs: 5, endMs: 6 }, { startMs: 0, endMs: 2 }, { startMs: 2, endMs: 3 }, { startMs: 4, endMs: 4 }])).toEqual([
      { startMs: 0, endMs: 3 },
      { startMs: 5, endMs: 6 },
    ]);
  });

  it('leaves out windows after a shortened end', () => {
    const short = { ...s, duration: 3_000_000 };
    expect(outageWindows(short, 0).bravo).toEqual([{ startMs: 1_800_000, endMs: 2_400_000 }]);
  });
});

describe('applyFaultSchedule', () => {
  const s = scenario({
    alpha: [{ kind: 'http5xx', fraction: 0.5, at: '5m', duration: '5m' }],
    bravo: [
      { kind: 'outage', at: '10m', duration: '20m' },
      { kind: 'withdrawalsSuspended', at: '0s', duration: '40m' },
    ],
  });

  function setup(startMs: number) {
    const clock = new VirtualClock(startMs);
    const ex = { alpha: { faults: new FaultInjector(clock, mulberry32(1)) }, bravo: { faults: new FaultInjector(clock, mulberry32(2)) } };
    const trace: string[] = [];
    for (const [id, e] of Object.entries(ex)) e.faults.onChange((k: FaultKind, on: boolean) => trace.push(`${(clock.now() - startMs) / 60_000}m ${id}:${k}:${on ? 'on' : 'off'}`));
    return { clock, ex, trace };
  }

  it('switches each window on and off at its time relative to the start', () => {
    const { clock, ex, trace } = setup(1_000_000);
    applyFaultSchedule(s, ex, clock);
    clock.runUntil(1_000_000 + 7 * 60_000);
    expect(ex.alpha.faults.get('http5xx')).toEqual({ kind: 'http5xx', fraction: 0.5 });
    clock.runAll();
    expect(trace).toEqual([
      '0m bravo:withdrawalsSuspended:on',
      '5m alpha:http5xx:on',
      '10m bravo:outage:on', // same instant: timers run in the order they were scheduled
      '10m alpha:http5xx:off',
      '30m bravo:outage:off',
      '40m bravo:withdrawalsSuspended:off',
    ]);
  });

  it('joins a run already under way: a current window for what is left, past ones skipped', () => {
    const { clock, ex, trace } = setup(0);
    clock.runUntil(15 * 60_000);
    applyFaultSchedule(s, ex, clock, { startMs: 0 });
    clock.runAll();
    expect(trace).toEqual(['15m bravo:withdrawalsSuspended:on', '15m bravo:outage:on', '30m bravo:outage:off', '40m bravo:withdrawalsSuspended:off']);
  });

  it('cancels windows not yet started', () => {
    const { clock, ex, trace } = setup(0);
    const cancel = applyFaultSchedule(s, ex, clock);
    clock.runUntil(60_000);
    cancel();
    clock.runAll();
    expect(trace).toEqual(['0m bravo:withdrawalsSuspended:on', '40m bravo:withdrawalsSuspended:off']);
  });

  it('refuses a venue with faults but no exchange', () => {
    const { clock, ex } = setup(0);
    expect(() => applyFaultSchedule(s, { alpha: ex.alpha }, clock)).toThrow('venue "bravo" has faults in scenario "faulty" but no exchange was given');
  });
});

describe('shipped fault scenarios', () => {
  const H = 3_600_000;
  const M = 60_000;

  it.each(['calm-24h', 'outage-selloff', 'arb-storm', 'thin-venue', 'stress-24h'])('%s loads and runs', (name) => {
    const s = loadScenario(name);
    expect(s.duration).toBe(24 * H);
    // Ten virtual minutes: every agent and fault type wired (the full day is a command, see the report).
    const summary = ScenarioRunner.virtual({ ...s, duration: 10 * M }).runVirtual();
    expect(Object.values(summary.venues).every((v) => v.trades > 0)).toBe(true);
  });

  it('outage-selloff: bravo down 09:30–10:00 inside its withdrawal suspension, while the whale sells and the news hits', () => {
    const s = loadScenario('outage-selloff');
    expect(outageWindows(s, 0)).toEqual({ alpha: [], bravo: [{ startMs: 9.5 * H, endMs: 10 * H }], charlie: [], uniswap: [] });
    expect(faultWindows(s, 0).map((w) => `${w.venue}:${w.kind}@${w.startMs / M}-${w.endMs / M}`)).toEqual([
      'bravo:withdrawalsSuspended@510-690',
      'bravo:http5xx@560-570',
      'bravo:outage@570-600',
    ]);
    expect(sellOffEpisodes(s, 0)).toEqual([
      { label: 'whale whale', startMs: 9 * H, endMs: 11 * H },
      { label: 'jump -5.8%', startMs: (9 + 20 / 60) * H, endMs: (10 + 20 / 60) * H },
    ]);
  });

  it('arb-storm and thin-venue carry their faults; calm-24h has none', () => {
    const kinds = (name: string) => faultWindows(loadScenario(name), 0).map((w) => `${w.venue}:${w.kind}`);
    expect(kinds('arb-storm')).toEqual(['alpha:staleBook', 'charlie:timeouts']);
    expect(kinds('thin-venue')).toEqual(['charlie:http5xx']);
    expect(kinds('calm-24h')).toEqual([]);
  });

  it('an outage stops the venue for API clients only: the agents trade on through it', async () => {
    // outage-selloff with bravo's outage moved to minutes 2–4 of a 6-minute run.
    const base = loadScenario('outage-selloff');
    const s: Scenario = {
      ...base,
      duration: 6 * M,
      venues: base.venues.map((v) => (v.id === 'bravo' && v.kind === 'cex' ? { ...v, faults: [{ kind: 'outage' as const, at: 2 * M, duration: 2 * M }] } : v)),
    };
    const clock = new VirtualClock(Date.parse(s.startTime));
    const network = new TransferNetwork({ delayMs: { min: 1000, max: 1000 } }, { clock, rng: mulberry32(3) });
    const exchanges: Record<string, SimExchange> = {};
    for (const v of s.venues.filter((x): x is CexScenarioVenue => x.kind === 'cex')) {
      const market = { symbol: v.market, base: 'BLST', quote: 'USDT', tickSize: v.rules.tickSize, lotSize: v.rules.lotSize, minNotional: v.rules.minNotional, makerFee: v.fees.maker, takerFee: v.fees.taker };
      exchanges[v.id] = new SimExchange({ id: v.id, market, latencyMs: { min: 10, max: 10 }, rateLimit: { capacity: 100, refillPerSec: 100 }, withdrawals: PRESET_WITHDRAWALS }, { clock, rng: mulberry32(4), network });
    }
    const runner = new ScenarioRunner(s, { clock, engines: Object.fromEntries(Object.entries(exchanges).map(([id, e]) => [id, e.engine])) });
    const bravo = exchanges.bravo!;
    const tradesAt: number[] = [];
    bravo.engine.subscribe({ onTrade: (t) => tradesAt.push(t.timestamp - runner.startMs) });
    runner.start();
    applyFaultSchedule(s, exchanges, clock);
    const t0 = runner.startMs;

    await clock.runUntilAsync(t0 + 3 * M);
    const during = await clock.resolve(bravo.fetchBook('ballast', 5)).catch((e: unknown) => e);
    expect(isVenueError(during) && during.code).toBe('VENUE.UNAVAILABLE');
    await clock.runUntilAsync(t0 + 5 * M);
    await expect(clock.resolve(bravo.fetchBook('ballast', 5))).resolves.toMatchObject({ bids: expect.any(Array) });
    runner.runVirtual();
    expect(tradesAt.filter((t) => t >= 2 * M && t < 4 * M).length).toBeGreaterThan(0);
  });
});
