// Start-up guards (issue 11, acceptance 9): `mode: live` refuses to start without payload keys,
// approval operators, written caps, a usable whitelist and venue keys; `simulated` refuses a real
// exchange unless the venue is a sandbox. Each case names what is missing. The last case runs the
// real entry point (workers/main.ts) and reads its exit code and message.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HDNodeWallet, Mnemonic } from 'ethers';
import { parse, stringify } from 'yaml';
import { ConfigError, DEFAULT_CONFIG_PATH, parseConfig } from '../../config/load';
import { assertStartupGuards, liveModeProblems, loadStartupConfig, PUBLIC_TEST_ACCOUNTS } from '../../config/startup-guards';
import type { BallastConfig } from '../../domain/config.schema';
import { generateKeyEntry, PAYLOAD_KEYS_ENV } from '../../temporal/codec';

type Raw = any;
const DEMO_RAW: Raw = parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));

const SAFE = '0x1111111111111111111111111111111111111111';
const DESK = '0x2222222222222222222222222222222222222222';

/** A complete live config: one real ccxt venue, no simulation, fresh addresses, written caps. */
function liveRaw(): Raw {
  const c = structuredClone(DEMO_RAW);
  c.mode = 'live';
  delete c.simulation;
  const alpha = c.venues[0];
  c.venues = [
    { kind: 'ccxt', id: 'binance', exchange: 'binance', market: 'BLST/USDT', fees: alpha.fees, rules: alpha.rules, requirements: alpha.requirements, credentials: { apiKeyEnv: 'BINANCE_KEY', secretEnv: 'BINANCE_SECRET' } },
  ];
  c.treasury.safeWallet = SAFE;
  c.treasury.whitelist = [
    { label: 'safe', address: SAFE, chain: 'ethereum', network: 'ERC20' },
    { label: 'desk', address: DESK, chain: 'bsc', network: 'BEP20' },
  ];
  c.priceAction = { dailyUsd: '100000', episodeUsd: '50000', approvalThresholdUsd: '10000' };
  // The demo's operators sign with public Hardhat keys: a live file brings its own (withOperators).
  delete c.treasury.approvals;
  return c;
}

/** Approval operators live in another section's schema: added after parsing, as that section would. */
function withOperators(config: BallastConfig, operators: string[] = ['0x3333333333333333333333333333333333333333']): BallastConfig {
  const ops = operators.map((address, i) => ({ id: `op${i}`, address }));
  return { ...config, treasury: { ...config.treasury, approvals: { operators: ops, tiers: config.treasury.approvals?.tiers ?? [] } } };
}

const ENV = { [PAYLOAD_KEYS_ENV]: generateKeyEntry('k1'), BINANCE_KEY: 'key-value', BINANCE_SECRET: 'secret-value' };
const paths = (c: BallastConfig, env: Record<string, string | undefined>, raw?: unknown) => liveModeProblems(c, env, raw).map((p) => p.path);

describe('mode live: what it refuses to start without', () => {
  const raw = liveRaw();
  const config = withOperators(parseConfig(raw));

  it('a complete live config and environment passes', () => {
    expect(liveModeProblems(config, ENV, raw)).toEqual([]);
    expect(() => assertStartupGuards(config, ENV, raw)).not.toThrow();
  });

  it('no payload encryption keys', () => {
    const { [PAYLOAD_KEYS_ENV]: _k, ...env } = ENV;
    const p = liveModeProblems(config, env, raw);
    expect(p).toEqual([{ path: PAYLOAD_KEYS_ENV, message: expect.stringContaining(`set ${PAYLOAD_KEYS_ENV}`) }]);
  });

  it('payload keys that do not parse', () => {
    const p = liveModeProblems(config, { ...ENV, [PAYLOAD_KEYS_ENV]: 'k1:not-a-key' }, raw);
    expect(p.map((x) => x.path)).toEqual([PAYLOAD_KEYS_ENV]);
    expect(p[0]!.message).toMatch(/payload encryption keys/);
  });

  it('no approval operators (section absent, or an empty list)', () => {
    for (const c of [parseConfig(raw), withOperators(parseConfig(raw), [])]) {
      const p = liveModeProblems(c, ENV, raw);
      expect(p).toEqual([{ path: 'treasury.approvals.operators', message: expect.stringContaining('at least one approval operator') }]);
    }
  });

  it('caps left to their defaults (each named)', () => {
    const r = liveRaw();
    r.priceAction = { dailyUsd: '300000' }; // the defaults of the others fit under it
    expect(paths(withOperators(parseConfig(r)), ENV, r)).toEqual(['priceAction.episodeUsd', 'priceAction.approvalThresholdUsd']);
    const none = liveRaw();
    delete none.priceAction;
    const p = liveModeProblems(withOperators(parseConfig(none)), ENV, none);
    expect(p.map((x) => x.path)).toEqual(['priceAction.dailyUsd', 'priceAction.episodeUsd', 'priceAction.approvalThresholdUsd']);
    expect(p[0]!.message).toBe("live mode needs this cap written in the config file (the default 500000 is the demo's)");
  });

  it('treasury caps are required by the schema itself', () => {
    const r = liveRaw();
    delete r.treasury.caps;
    expect(() => parseConfig(r)).toThrow(/treasury\.caps: /);
  });

  it('a safe wallet that is not whitelisted, and an empty whitelist', () => {
    const r = liveRaw();
    r.treasury.whitelist = [r.treasury.whitelist[1]];
    expect(liveModeProblems(withOperators(parseConfig(r)), ENV, r)).toEqual([
      { path: 'treasury.safeWallet', message: `${SAFE} is not on treasury.whitelist: venueRisk could not evacuate to it` },
    ]);
    r.treasury.whitelist = [];
    expect(() => parseConfig(r)).toThrow(/treasury\.whitelist: /);
  });

  it('public Hardhat test accounts as destinations (the demo whitelist in live mode)', () => {
    const r = liveRaw();
    r.treasury.whitelist.push(DEMO_RAW.treasury.whitelist[1]); // alpha-deposit: Hardhat account #1
    r.treasury.safeWallet = DEMO_RAW.treasury.safeWallet; // Hardhat account #0
    r.treasury.whitelist.push(DEMO_RAW.treasury.whitelist[0]);
    expect(paths(withOperators(parseConfig(r)), ENV, r)).toEqual(['treasury.safeWallet', 'treasury.whitelist[2].address', 'treasury.whitelist[3].address']);
  });

  it('the public test accounts are those of the "test … junk" mnemonic', () => {
    const m = Mnemonic.fromPhrase('test test test test test test test test test test test junk');
    const derived = PUBLIC_TEST_ACCOUNTS.map((_, i) => HDNodeWallet.fromMnemonic(m, `m/44'/60'/0'/0/${i}`).address);
    expect(derived).toEqual([...PUBLIC_TEST_ACCOUNTS]);
  });

  it('venue API keys missing (the variable names, never values)', () => {
    const p = liveModeProblems(config, { ...ENV, BINANCE_SECRET: '' }, raw);
    expect(p).toEqual([{ path: 'venues[0].credentials', message: 'venue binance: live mode needs its API keys: set BINANCE_SECRET in the environment' }]);
    const both = liveModeProblems(config, { [PAYLOAD_KEYS_ENV]: ENV[PAYLOAD_KEYS_ENV] }, raw);
    expect(both[0]!.message).toContain('set BINANCE_KEY and BINANCE_SECRET');
  });

  it('a sandbox venue in live mode', () => {
    const r = liveRaw();
    r.venues[0].sandbox = true;
    expect(paths(withOperators(parseConfig(r)), ENV, r)).toEqual(['venues[0].sandbox']);
  });

  it('everything missing at once: one error listing each, values never shown', () => {
    const e = (() => {
      try {
        assertStartupGuards(parseConfig(raw), { BINANCE_KEY: 'key-value' }, raw, 'live.yaml');
      } catch (x) {
        return x as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message.split('\n')[0]).toBe('refusing to start in live mode (live.yaml):');
    expect(e.message).toContain(`  - ${PAYLOAD_KEYS_ENV}: `);
    expect(e.message).toContain('  - treasury.approvals.operators: ');
    expect(e.message).toContain('  - venues[0].credentials: ');
    expect(e.message).not.toContain('key-value');
  });

  it('simulated mode has no live guards (the demo starts as it is)', () => {
    expect(liveModeProblems(parseConfig(structuredClone(DEMO_RAW)), {}, DEMO_RAW)).toEqual([]);
  });
});

describe('mode simulated: no real exchange unless it is a sandbox', () => {
  const simulatedWith = (venue: Record<string, unknown>): Raw => {
    const c = structuredClone(DEMO_RAW);
    const alpha = c.venues[0];
    c.venues.push({ kind: 'ccxt', id: 'binance', exchange: 'binance', market: 'BLST/USDT', fees: alpha.fees, rules: alpha.rules, requirements: alpha.requirements, credentials: { apiKeyEnv: 'K', secretEnv: 'S' }, ...venue });
    return c;
  };
  const issues = (c: Raw): string[] => {
    try {
      parseConfig(c);
      return [];
    } catch (e) {
      return (e as Error).message.split('\n').slice(1);
    }
  };

  it('the real exchange API (no restUrl) is refused, naming the venue field', () => {
    expect(issues(simulatedWith({}))).toEqual([
      "  - venues[4].restUrl: mode simulated reaches the real binance API: point restUrl at a local emulator (127.0.0.1 / localhost) or set venues[4].sandbox: true for the exchange's testnet",
    ]);
  });

  it('a restUrl or wsUrl on another host is refused', () => {
    expect(issues(simulatedWith({ restUrl: 'https://api.binance.com' }))[0]).toMatch(/^ {2}- venues\[4\]\.restUrl: mode simulated reaches https:\/\/api\.binance\.com, not a local emulator/);
    expect(issues(simulatedWith({ restUrl: 'http://127.0.0.1:9100', wsUrl: 'wss://stream.binance.com/stream' }))[0]).toMatch(/^ {2}- venues\[4\]\.wsUrl: /);
  });

  it('a local emulator is accepted (127.x, localhost, [::1])', () => {
    for (const restUrl of ['http://127.0.0.1:9100', 'http://localhost:9100', 'http://[::1]:9100', 'http://127.0.0.2:9100']) {
      expect(issues(simulatedWith({ restUrl }))).toEqual([]);
    }
  });

  it('a real exchange with sandbox: true is accepted, and the flag reaches the parsed config', () => {
    const c = parseConfig(simulatedWith({ sandbox: true }));
    expect(c.venues[4]).toMatchObject({ kind: 'ccxt', sandbox: true });
  });
});

describe('the real entry point refuses a live start (workers/main.ts, exit 2)', () => {
  it('names what is missing on stderr and starts nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ballast-live-'));
    const file = join(dir, 'live.yaml');
    writeFileSync(file, stringify(liveRaw()));
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, BINANCE_KEY: 'key-value', BINANCE_SECRET: 'secret-value' };
    const root = resolve(__dirname, '..', '..');
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'workers', 'main.ts'), 'worker', '--config', file], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`ballast: refusing to start in live mode (${file}):`);
    expect(r.stderr).toContain(`  - ${PAYLOAD_KEYS_ENV}: live mode needs payload encryption keys`);
    expect(r.stderr).toContain('  - treasury.approvals.operators: live mode needs at least one approval operator');
    expect(r.stderr).not.toContain('secret-value');
    // The same file through the loader, with everything but the operators given.
    expect(() => loadStartupConfig(file, ENV)).toThrow(/treasury\.approvals\.operators/);
  });
});
