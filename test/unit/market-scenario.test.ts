import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/load';
import { buildAgents } from '../../sim/market/agent-factory';
import { loadScenario, parseScenario, ScenarioError } from '../../sim/market/scenario-loader';
import type { Scenario } from '../../sim/market/scenario.schema';

function issuesOf(raw: unknown): string[] {
  try {
    parseScenario(raw, 'test');
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected the scenario to be rejected');
}

const minimal = () => ({
  name: 'x',
  seed: 1,
  duration: '1h',
  fundamental: { initial: 0.5, volatility: 0.5, factor: { volatility: 0.3 } },
  venues: [
    { id: 'alpha', kind: 'cex', market: 'BLST/USDT', rules: { tickSize: '0.0001', lotSize: '1', minNotional: '5' }, fees: { maker: '0.001', taker: '0.002' } },
    { id: 'pool', kind: 'amm', market: 'BLST/USDC', reserves: { base: '4000000', quote: '2000000' } },
  ],
  agents: [] as unknown[],
});

describe('shipped scenarios', () => {
  const demo = loadScenario('demo');
  const stress = loadScenario('stress-24h');

  it('demo.yaml has config/demo.yaml’s CEX venues (tick, lot, min notional, fees) and the 4M/2M pool', () => {
    const config = loadConfig();
    for (const id of ['alpha', 'bravo', 'charlie']) {
      const c = config.venues.find((v) => v.id === id)!;
      const s = demo.venues.find((v) => v.id === id)!;
      expect(s.kind).toBe('cex');
      if (s.kind !== 'cex') continue;
      expect(s.rules).toEqual(c.rules);
      expect(s.fees).toEqual(c.fees);
      expect(s.market).toBe(c.market);
    }
    const pool = demo.venues.find((v) => v.kind === 'amm');
    expect(pool).toMatchObject({ market: 'BLST/USDC', reserves: { base: '4000000', quote: '2000000' }, decimals: { base: 18, quote: 6 } });
  });

  it.each([
    ['demo', () => demo],
    ['stress-24h', () => stress],
  ])('%s has every agent type on 3 CEX + 1 AMM', (_name, get) => {
    const s: Scenario = get();
    expect(s.venues.filter((v) => v.kind === 'cex')).toHaveLength(3);
    expect(s.venues.filter((v) => v.kind === 'amm')).toHaveLength(1);
    expect(new Set(s.agents.map((a) => a.kind))).toEqual(new Set(['noise', 'informed', 'momentum', 'panic', 'whale', 'arbitrage']));
    expect(s.venues.every((v) => v.kind === 'amm' || v.backgroundLiquidity !== undefined)).toBe(true);
  });

  it('stress-24h runs 24 hours with a scheduled jump and a whale sell-off', () => {
    expect(stress.duration).toBe(24 * 3_600_000);
    expect(stress.fundamental.scheduledJumps).toEqual([{ at: 14 * 3_600_000, logSize: -0.12 }]);
    expect(stress.fundamental.jumps.intensityPerDay).toBeGreaterThan(0);
    const whale = stress.agents.find((a) => a.kind === 'whale');
    expect(whale).toMatchObject({ totalBase: '2000000', duration: 2 * 3_600_000 });
  });

  it('expands `count` into separate accounts with per-venue balances', () => {
    const setups = buildAgents(stress.agents);
    const noise = setups.filter((s) => s.agent.kind === 'noise');
    expect(noise.map((s) => s.account)).toEqual(Array.from({ length: 8 }, (_, i) => `noise-${i + 1}`));
    const whale = setups.find((s) => s.agent.kind === 'whale')!;
    expect(whale.balances.uniswap).toEqual({ base: '500000', quote: '0' });
    expect(whale.balances.alpha).toEqual({ base: '500000', quote: '0' });
  });
});

describe('scenario validation names the bad field', () => {
  it('accepts a minimal scenario and fills defaults', () => {
    const s = parseScenario(minimal());
    expect(s.timeStep).toBe(1000);
    expect(s.venues[1]).toMatchObject({ protocol: 'uniswap-v2', decimals: { base: 18, quote: 6 } });
  });

  it.each([
    ['a bad tick size', (s: any) => (s.venues[0].rules.tickSize = 'abc'), 'venues[0].rules.tickSize: expected a decimal number like "0.001", got "abc"'],
    ['a duration without unit', (s: any) => (s.duration = '1 hour'), 'duration: expected a duration like "30s", "5m", "1h"'],
    ['an unknown venue kind', (s: any) => (s.venues[1].kind = 'dex'), 'venues[1].kind'],
    ['a missing volatility', (s: any) => delete s.fundamental.volatility, 'fundamental.volatility'],
    ['a correlation above 1', (s: any) => (s.fundamental.correlation = 1.5), 'fundamental.correlation'],
    ['a typo in a field name', (s: any) => (s.venues[0].feez = {}), 'venues[0]: Unrecognized key: "feez"'],
    ['an unknown agent venue', (s: any) => s.agents.push({ kind: 'noise', id: 'n', venues: ['alpha', 'zeta'], balances: { base: '1', quote: '1' }, ratePerMinute: 1, sizeQuote: { median: 1, sigma: 0 } }), 'agents[0].venues[1]: unknown venue "zeta"'],
    ['a money amount as garbage', (s: any) => s.agents.push({ kind: 'noise', id: 'n', venues: ['alpha'], balances: { base: 'lots', quote: '1' }, ratePerMinute: 1, sizeQuote: { median: 1, sigma: 0 } }), 'agents[0].balances.base'],
    ['a bad field inside an agent', (s: any) => s.agents.push({ kind: 'momentum', id: 'm', venues: ['alpha'], balances: { base: '1', quote: '1' }, ratePerMinute: -1, lookback: '5m', thresholdPct: 1, sizeQuote: 5 }), 'agents[0].ratePerMinute'],
    ['an arbitrageur with one venue', (s: any) => s.agents.push({ kind: 'arbitrage', id: 'a', venues: ['alpha'], balances: { base: '1', quote: '1' }, ratePerMinute: 1, minProfitQuote: '1', maxTradeQuote: 10 }), 'agents[0].venues: an arbitrageur needs at least two venues'],
    ['a whale selling after the end', (s: any) => s.agents.push({ kind: 'whale', id: 'w', venues: ['alpha'], balances: { base: '1', quote: '0' }, start: { from: '50m', to: '55m' }, duration: '20m', totalBase: '1', slices: 2 }), 'agents[0].duration: the sell-off must end within'],
    ['an unknown agent kind', (s: any) => s.agents.push({ kind: 'sniper', id: 's', venues: ['alpha'], balances: { base: '1', quote: '1' } }), 'agents[0].kind'],
    ['duplicate venue ids', (s: any) => (s.venues[1].id = 'alpha'), 'venues[1].id: duplicate venue id "alpha"'],
  ])('%s', (_what, mutate, expected) => {
    const s = minimal();
    mutate(s);
    expect(issuesOf(s).join('\n')).toContain(expected);
  });

  it('loadScenario reports unreadable and non-YAML files with their path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
    try {
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, 'name: [unclosed');
      expect(() => loadScenario(bad)).toThrow(/bad\.yaml is not valid YAML/);
      const wrong = join(dir, 'wrong.yaml');
      writeFileSync(wrong, 'name: x\nseed: -1\n');
      expect(() => loadScenario(wrong)).toThrow(/invalid scenario in .*wrong\.yaml:\n {2}- seed: /);
      expect(() => loadScenario(join(dir, 'missing.yaml'))).toThrow(/cannot read scenario file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
