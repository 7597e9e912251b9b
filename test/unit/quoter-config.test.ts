// The config → quoter mapping the live worker and the backtester share: per-venue overrides
// (`venues[].quoting`, what `npm run tune` writes) replace the strategy's values for that venue only.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ConfigError, DEFAULT_CONFIG_PATH, parseConfig } from '../../config/load';
import { quoterConfigFor } from '../../hotpath/quoter-config';

const raw = () => structuredClone(parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8')));

describe('quoterConfigFor', () => {
  it('without overrides: the strategy model, depth 1.1× the requirement over the strategy levels', () => {
    const r = raw();
    for (const v of r.venues) delete v.quoting;
    const cfg = parseConfig(r);
    const bravo = cfg.venues.find((v) => v.id === 'bravo')!;
    const q = quoterConfigFor(cfg, bravo, 0.5, '100000');
    expect(q.model.model).toBe(cfg.strategy.model);
    expect(q.depth).toEqual({ quote: '55000', bandPct: '2', levels: cfg.strategy.orderLevels, stepPct: cfg.strategy.levelSpacingPct });
    expect(q.refresh.pricePct).toBe(cfg.strategy.refreshTolerancePct);
  });

  it('a venue override changes that venue only, and reaches the model', () => {
    const r = raw();
    for (const v of r.venues) delete v.quoting;
    r.venues[1].quoting = { model: 'pure-mm', halfSpreadPct: '0.12', depthMargin: '1.25', orderLevels: 7, levelSpacingPct: '0.15', refreshTolerancePct: '0.1' };
    const cfg = parseConfig(r);
    const [alpha, bravo] = cfg.venues;
    const qb = quoterConfigFor(cfg, bravo!, 0.5, '100000');
    expect(qb.model).toMatchObject({ model: 'pure-mm', bidSpreadPct: '0.12', askSpreadPct: '0.12', orderLevels: 7, levelSpacingPct: '0.15' });
    expect(qb.depth).toEqual({ quote: '62500', bandPct: '2', levels: 7, stepPct: '0.15' });
    expect(qb.refresh.pricePct).toBe('0.1');
    const qa = quoterConfigFor(cfg, alpha!, 0.5, '100000');
    expect(qa.model.model).toBe(cfg.strategy.model);
    expect(qa.depth.quote).toBe('22000');
  });

  it('A-S: halfSpreadPct sets k = 1 / (h × mid), riskAversionScale multiplies γ', () => {
    const r = raw();
    for (const v of r.venues) delete v.quoting;
    r.strategy.model = 'avellaneda-stoikov';
    r.venues[0].quoting = { halfSpreadPct: '0.1', riskAversionScale: '0.5' };
    const cfg = parseConfig(r);
    const base = quoterConfigFor(cfg, cfg.venues[1]!, 0.5, '1000').model;
    const tuned = quoterConfigFor(cfg, cfg.venues[0]!, 0.5, '1000').model;
    if (base.model !== 'avellaneda-stoikov' || tuned.model !== 'avellaneda-stoikov') throw new Error('expected A-S');
    expect(base.k).toBeCloseTo(1000, 9);
    expect(tuned.k).toBeCloseTo(2000, 9);
    expect(tuned.gamma).toBeCloseTo(base.gamma / 2, 12);
  });

  it('a bad override is refused naming the field', () => {
    const r = raw();
    r.venues[2].quoting = { depthMargin: '0.8' };
    expect(() => parseConfig(r)).toThrow(ConfigError);
    expect(() => parseConfig(r)).toThrow(/venues\[2\]\.quoting\.depthMargin: must be between 1 and 5/);
  });
});
