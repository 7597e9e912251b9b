import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { applyEnvOverrides, ConfigError, DEFAULT_CONFIG_PATH, loadConfig, parseConfig } from '../../config/load';

// The raw (unparsed) demo config; every test deep-clones it and breaks one thing.
type Raw = any;
const DEMO_RAW: Raw = parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
const demo = (): Raw => structuredClone(DEMO_RAW);

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

/** The error lines ("  - path: message") of a ConfigError. */
const lines = (e: ConfigError) => e.message.split('\n').slice(1);

describe('loadConfig on the shipped demo', () => {
  const cfg = loadConfig();

  it('loads 3 sim venues and 1 amm venue', () => {
    expect(cfg.venues).toHaveLength(4);
    expect(cfg.venues.filter((v) => v.kind === 'sim').map((v) => v.id)).toEqual(['alpha', 'bravo', 'charlie']);
    expect(cfg.venues.filter((v) => v.kind === 'amm').map((v) => v.id)).toEqual(['uniswap']);
  });

  it('normalizes decimals to canonical strings', () => {
    const alpha = cfg.venues[0]!;
    expect(alpha.fees).toEqual({ maker: '0.001', taker: '0.002' }); // "0.0010", "0.0020"
    expect(alpha.requirements.maxSpreadPct).toBe('1'); // "1.0"
    expect(cfg.mode).toBe('simulated');
    expect(cfg.treasury.caps).toEqual({ perTransferUsd: '250000', dailyUsd: '1000000' });
  });

  it('parseConfig of the raw demo gives the same result', () => {
    expect(parseConfig(demo())).toEqual(cfg);
  });
});

describe('parseConfig rejects bad configs naming the field and the expectation', () => {
  it('a non-decimal maxSpreadPct', () => {
    const c = demo();
    c.venues[1].requirements.maxSpreadPct = 'wide';
    const e = configError(() => parseConfig(c, 'test.yaml'));
    expect(e.message).toContain('invalid configuration in test.yaml');
    expect(lines(e)).toEqual(['  - venues[1].requirements.maxSpreadPct: expected a decimal number like "0.001", got "wide"']);
  });

  it('quoting.modesMaxAgeMs below the mode poll interval, and its default', () => {
    const c = demo();
    c.quoting = { modesMaxAgeMs: 500 };
    expect(lines(configError(() => parseConfig(c)))).toEqual(['  - quoting.modesMaxAgeMs: at least 1000 ms (the modes are polled every 500 ms)']);
    c.quoting = { modesMaxAgeMs: '10s' };
    expect(lines(configError(() => parseConfig(c)))[0]).toContain('quoting.modesMaxAgeMs: ');
    delete c.quoting;
    expect(parseConfig(c).quoting.modesMaxAgeMs).toBe(10_000);
  });

  it('a missing treasury.caps.dailyUsd', () => {
    const c = demo();
    delete c.treasury.caps.dailyUsd;
    const e = configError(() => parseConfig(c));
    expect(lines(e)).toHaveLength(1);
    expect(lines(e)[0]).toContain('treasury.caps.dailyUsd: ');
    expect(lines(e)[0]).toContain('expected a decimal');
  });

  it('a duplicate venue id', () => {
    const c = demo();
    c.venues[2].id = 'alpha';
    const e = configError(() => parseConfig(c));
    expect(lines(e)).toEqual(['  - venues[2].id: duplicate venue id "alpha"']);
  });

  it('an unknown key at the root (strict)', () => {
    const c = demo();
    c.extra = 1;
    const e = configError(() => parseConfig(c));
    expect(lines(e)).toHaveLength(1);
    expect(lines(e)[0]).toMatch(/^ {2}- \(root\): .*[Uu]nrecognized key.*"extra"/);
  });

  it('an unknown key inside a venue (strict)', () => {
    const c = demo();
    c.venues[0].fees.rebate = '0.0001';
    const e = configError(() => parseConfig(c));
    expect(lines(e)).toHaveLength(1);
    expect(lines(e)[0]).toMatch(/^ {2}- venues\[0\]\.fees: .*[Uu]nrecognized key.*"rebate"/);
  });

  it('perTransferUsd above dailyUsd', () => {
    const c = demo();
    c.treasury.caps.perTransferUsd = '1000000.01'; // dailyUsd is 1000000
    const e = configError(() => parseConfig(c));
    expect(lines(e)).toEqual(['  - treasury.caps.perTransferUsd: must not exceed caps.dailyUsd']);
  });

  it('perTransferUsd equal to dailyUsd is allowed', () => {
    const c = demo();
    c.treasury.caps.perTransferUsd = '1000000';
    c.treasury.approvalThresholdUsd = '1000000';
    expect(parseConfig(c).treasury.caps.perTransferUsd).toBe('1000000');
  });

  it('approvalThresholdUsd above perTransferUsd', () => {
    const c = demo();
    c.treasury.approvalThresholdUsd = '250001'; // perTransferUsd is 250000
    const e = configError(() => parseConfig(c));
    expect(lines(e)).toEqual(['  - treasury.approvalThresholdUsd: must not exceed caps.perTransferUsd']);
  });

  it('a sim venue in live mode (each sim venue named, the amm venue not)', () => {
    const c = demo();
    c.mode = 'live';
    const e = configError(() => parseConfig(c));
    expect(lines(e)).toEqual([
      '  - simulation: no simulated market in live mode',
      '  - venues[0].kind: simulated venues are not allowed in live mode',
      '  - venues[1].kind: simulated venues are not allowed in live mode',
      '  - venues[2].kind: simulated venues are not allowed in live mode',
    ]);
  });

  it('a live config without sim venues is accepted', () => {
    const c = demo();
    c.mode = 'live';
    c.venues = [c.venues[3]];
    delete c.simulation;
    expect(parseConfig(c).venues.map((v) => v.id)).toEqual(['uniswap']);
  });

  it('a market for another asset', () => {
    const c = demo();
    c.venues[2].market = 'ETH/USDT';
    const e = configError(() => parseConfig(c));
    expect(lines(e)).toEqual(['  - venues[2].market: must trade the asset BLST']);
  });

  it('a market whose base merely starts with the asset symbol', () => {
    const c = demo();
    c.venues[0].market = 'BLSTX/USDT';
    const e = configError(() => parseConfig(c));
    expect(lines(e)).toEqual(['  - venues[0].market: must trade the asset BLST']);
  });

  it('a whitelist entry without its network', () => {
    const c = demo();
    delete c.treasury.whitelist[2].network;
    expect(lines(configError(() => parseConfig(c)))).toEqual(['  - treasury.whitelist[2].network: Invalid input: expected string, received undefined']);
  });

  it('a memo network entry without its memo (treasury.memoNetworks, configurable)', () => {
    const c = demo();
    c.treasury.whitelist.push({ label: 'xrp-desk', address: 'rEb8TK3gBgk5auZkwc6sHnwrGVJH8DuaLh', chain: 'xrp', network: 'XRP' });
    expect(lines(configError(() => parseConfig(c)))).toEqual([
      '  - treasury.whitelist[4].memo: required on network XRP (treasury.memoNetworks): the destination credits deposits by memo / tag',
    ]);
    c.treasury.whitelist[4].memo = '108618262';
    expect(parseConfig(c).treasury.whitelist[4]).toMatchObject({ network: 'XRP', memo: '108618262' });
    const d = demo();
    d.treasury.memoNetworks = ['ERC20'];
    expect(lines(configError(() => parseConfig(d)))).toHaveLength(4);
    expect(parseConfig(demo()).treasury.memoNetworks).toContain('XRP');
  });

  it('the same address twice on one network (the withdrawal could not tell the entries apart)', () => {
    const c = demo();
    c.treasury.whitelist.push({ ...c.treasury.whitelist[1], label: 'alpha-again' });
    expect(lines(configError(() => parseConfig(c)))).toEqual([
      '  - treasury.whitelist[4].network: whitelist[1] already has address 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 on network ERC20',
    ]);
    c.treasury.whitelist[4].network = 'BEP20';
    expect(parseConfig(c).treasury.whitelist).toHaveLength(5);
  });

  it('a network code in the wrong shape, and a venue naming its own network', () => {
    const c = demo();
    c.treasury.whitelist[0].network = 'erc 20';
    expect(lines(configError(() => parseConfig(c)))).toEqual(['  - treasury.whitelist[0].network: expected a ccxt network code like "ERC20", "BEP20", "TRC20"']);
    c.treasury.whitelist[0].network = 'ERC20';
    c.treasury.whitelist[0].venueNetworks = { kraken: 'ETHEREUM' };
    expect(parseConfig(c).treasury.whitelist[0]!.venueNetworks).toEqual({ kraken: 'ETHEREUM' });
  });

  it('a bad EVM address in the whitelist', () => {
    const c = demo();
    c.treasury.whitelist[1].address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C'; // 39 hex digits
    const e = configError(() => parseConfig(c));
    expect(lines(e)).toEqual(['  - treasury.whitelist[1].address: expected a 0x-prefixed 20-byte hex address']);
  });

  it('a non-finite number (YAML .inf) where a decimal is expected', () => {
    const c = demo();
    c.venues[0].sim.mid = Number.POSITIVE_INFINITY;
    const e = configError(() => parseConfig(c));
    expect(lines(e)).toHaveLength(1);
    expect(lines(e)[0]).toContain('venues[0].sim.mid: expected a decimal');
  });
});

describe('loadConfig errors name the file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ballast-config-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing file', () => {
    const path = join(dir, 'does-not-exist.yaml');
    const e = configError(() => loadConfig(path));
    expect(e.message).toContain(`cannot read config file ${path}`);
  });

  it('malformed YAML', () => {
    const path = join(dir, 'broken.yaml');
    writeFileSync(path, 'mode: simulated\nasset: { symbol: BLST, quote: [USDT\n');
    const e = configError(() => loadConfig(path));
    expect(e.message).toContain(`config file ${path} is not valid YAML`);
  });

  it('malformed JSON', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"mode": "simulated",');
    const e = configError(() => loadConfig(path));
    expect(e.message).toContain(`config file ${path} is not valid JSON`);
  });

  it('a valid YAML file with an invalid config', () => {
    const path = join(dir, 'invalid.yaml');
    const c = demo();
    c.venues[1].requirements.maxSpreadPct = 'wide';
    writeFileSync(path, JSON.stringify(c)); // JSON is YAML
    const e = configError(() => loadConfig(path));
    expect(e.message).toContain(`invalid configuration in ${path}`);
    expect(e.message).toContain('venues[1].requirements.maxSpreadPct: expected a decimal');
  });
});

describe('applyEnvOverrides', () => {
  const cfg = loadConfig();

  it('overrides the Temporal address and leaves everything else alone', () => {
    const out = applyEnvOverrides(cfg, { TEMPORAL_ADDRESS: 'temporal:7233' });
    expect(out.temporal.address).toBe('temporal:7233');
    expect(cfg.temporal.address).toBe('127.0.0.1:7233'); // input not mutated
    expect({ ...out, temporal: { ...out.temporal, address: cfg.temporal.address } }).toEqual(cfg);
  });

  it('no overrides → the same config', () => {
    expect(applyEnvOverrides(cfg, {})).toEqual(cfg);
  });

  it('overrides the API port as a number', () => {
    const out = applyEnvOverrides(cfg, { BALLAST_API_PORT: '8080', BALLAST_API_HOST: '0.0.0.0' });
    expect(out.api).toEqual({ host: '0.0.0.0', port: 8080, dashboard: { refreshMs: 1000, bufferSize: 120, heartbeatMs: 15000 } });
  });

  it.each(['abc', '0', '65536', '80.5', '-1'])('rejects BALLAST_API_PORT=%j naming the variable', (port) => {
    const e = configError(() => applyEnvOverrides(cfg, { BALLAST_API_PORT: port }));
    expect(e.message).toContain('BALLAST_API_PORT');
    expect(e.message).toContain('expected a port number');
    expect(e.message).toContain(JSON.stringify(port));
  });

  it('validates the overridden values with the schema', () => {
    const e = configError(() => applyEnvOverrides(cfg, { TEMPORAL_ADDRESS: 'no-port-here' }));
    expect(e.message).toContain('invalid configuration in environment overrides');
    expect(e.message).toContain('temporal.address: expected host:port');
  });
});

describe('applyEnvOverrides port parsing', () => {
  const cfg = loadConfig();
  it.each(['0x10', '1e3', '80.5', '70000', '-1'])('rejects BALLAST_API_PORT=%s naming the variable', (port) => {
    expect(() => applyEnvOverrides(cfg, { BALLAST_API_PORT: port })).toThrow(/BALLAST_API_PORT: expected a port number/);
  });
  it('names TEMPORAL_UI_PORT when it is bad, and applies it when good', () => {
    expect(() => applyEnvOverrides(cfg, { TEMPORAL_UI_PORT: 'ui' })).toThrow(/TEMPORAL_UI_PORT: expected a port number/);
    expect(applyEnvOverrides(cfg, { TEMPORAL_UI_PORT: '18233' }).temporal.uiPort).toBe(18233);
  });
});

describe('api.dashboard', () => {
  const demo = () => parse(readFileSync('config/demo.yaml', 'utf8')) as Record<string, Record<string, unknown>>;
  it('refreshes every 1-2 s and names the field otherwise', () => {
    const c = demo();
    c.api = { ...c.api, dashboard: { refreshMs: 500 } };
    expect(() => parseConfig(c)).toThrow(/api\.dashboard\.refreshMs: at least 1000 ms/);
    c.api.dashboard = { refreshMs: 2000 };
    expect(parseConfig(c).api.dashboard).toEqual({ refreshMs: 2000, bufferSize: 120, heartbeatMs: 15000 });
  });
});
