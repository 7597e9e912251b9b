// Start-up guards: what a process refuses to start with. `mode: live` needs payload encryption keys,
// approval operators, caps written down, a usable whitelist and the venues' API keys; each problem
// names what is missing. (Simulated mode's guard, no real exchange without `sandbox`, is in the schema.)
import type { BallastConfig } from '../domain/config.schema';
import { loadCodecKeys, PAYLOAD_KEYS_ENV } from '../temporal/codec';
import { applyEnvOverrides, ConfigError, parseConfig, readRawConfig } from './load';

/**
 * The accounts of Hardhat's (and Anvil's) default mnemonic "test test … junk", whose private keys are
 * public: the demo whitelists them. Funds sent there in live mode are anyone's.
 */
export const PUBLIC_TEST_ACCOUNTS: readonly string[] = [
  '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  '0x90F79bf6EB2c4f870365E785982E1f101E93b906', '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65', '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc',
  '0x976EA74026E726554dB657fA54763abd0C3a0aa9', '0x14dC79964da2C08b23698B3D3cc7Ca32193d9955', '0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f',
  '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720', '0xBcd4042DE499D14e55001CcbB24a551F3b954096', '0x71bE63f3384f5fb98995898A86B02Fb2426c5788',
  '0xFABB0ac9d68B0B445fB7357272Ff202C5651694a', '0x1CBd3b2770909D4e10f157cABC84C7264073C9Ec', '0xdF3e18d64BC6A983f673Ab319CCaE4f1a57C7097',
  '0xcd3B766CCDd6AE721141F452C550Ca635964ce71', '0x2546BcD3c84621e976D8185a91A922aE77ECEc30', '0xbDA5747bFD65F08deb54cb465eB87D40e51B197E',
  '0xdD2FD4581271e230360230F9337D5c0430Bf44C0', '0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199',
];

/** The priceAction caps a live config must write down (their defaults suit only the demo). */
const LIVE_EXPLICIT_CAPS = ['priceAction.dailyUsd', 'priceAction.episodeUsd', 'priceAction.approvalThresholdUsd'] as const;

function at(raw: unknown, path: string): unknown {
  let v: unknown = raw;
  for (const k of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

export interface StartupProblem {
  path: string;
  message: string;
}

/**
 * What stops a `mode: live` start, each naming what is missing: payload encryption keys, approval
 * operators, explicit caps, a usable whitelist, the venues' API keys. `raw` is the file as written
 * (defaults not applied); without it the caps that have defaults are not checked. Simulated mode's
 * guard (no real exchange without `sandbox`) is in the schema, as it needs no environment.
 */
export function liveModeProblems(config: BallastConfig, env: Record<string, string | undefined>, raw?: unknown): StartupProblem[] {
  if (config.mode !== 'live') return [];
  const problems: StartupProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });

  if (!env[PAYLOAD_KEYS_ENV]?.trim()) {
    add(PAYLOAD_KEYS_ENV, `live mode needs payload encryption keys: set ${PAYLOAD_KEYS_ENV} ("<id>:<base64 32-byte key>", see README), or workflow histories hold treasury data in clear`);
  } else {
    try {
      loadCodecKeys(env);
    } catch (e) {
      add(PAYLOAD_KEYS_ENV, (e as Error).message);
    }
  }

  // treasury.approvals is another section's schema; looked up by path so this guard works either way.
  const operators = at(config, 'treasury.approvals.operators');
  if (!Array.isArray(operators) || operators.length === 0) {
    add('treasury.approvals.operators', 'live mode needs at least one approval operator (public key or address) to sign transfers above the threshold');
  }

  if (raw !== undefined) {
    for (const path of LIVE_EXPLICIT_CAPS) {
      if (at(raw, path) === undefined) add(path, `live mode needs this cap written in the config file (the default ${String(at(config, path))} is the demo's)`);
    }
  }

  const t = config.treasury;
  if (t.whitelist.length === 0) add('treasury.whitelist', 'live mode needs at least one whitelisted destination');
  if (!t.whitelist.some((w) => w.address.toLowerCase() === t.safeWallet.toLowerCase())) {
    add('treasury.safeWallet', `${t.safeWallet} is not on treasury.whitelist: venueRisk could not evacuate to it`);
  }
  const publicKeys = new Set(PUBLIC_TEST_ACCOUNTS.map((a) => a.toLowerCase()));
  if (publicKeys.has(t.safeWallet.toLowerCase())) add('treasury.safeWallet', `${t.safeWallet} is a public Hardhat test account (its private key is published)`);
  t.whitelist.forEach((w, i) => {
    if (publicKeys.has(w.address.toLowerCase())) add(`treasury.whitelist[${i}].address`, `${w.label} (${w.address}) is a public Hardhat test account (its private key is published)`);
  });

  config.venues.forEach((v, i) => {
    if (v.kind !== 'ccxt') return;
    const missing = [v.credentials.apiKeyEnv, v.credentials.secretEnv].filter((name) => !env[name]?.trim());
    if (missing.length) add(`venues[${i}].credentials`, `venue ${v.id}: live mode needs its API keys: set ${missing.join(' and ')} in the environment`);
    if (v.sandbox) add(`venues[${i}].sandbox`, `venue ${v.id}: a sandbox (testnet) venue in live mode: remove sandbox or use mode simulated`);
  });
  return problems;
}

/** Throws a ConfigError listing every live-mode problem (nothing when there is none). */
export function assertStartupGuards(config: BallastConfig, env: Record<string, string | undefined>, raw?: unknown, source = 'config'): void {
  const problems = liveModeProblems(config, env, raw);
  if (problems.length === 0) return;
  const lines = problems.map((p) => `  - ${p.path}: ${p.message}`);
  throw new ConfigError(`refusing to start in live mode (${source}):\n${lines.join('\n')}`);
}

/** What every process entry point runs: the file, the environment overrides, the start-up guards. */
export function loadStartupConfig(path: string, env: Record<string, string | undefined>): BallastConfig {
  const raw = readRawConfig(path);
  const config = applyEnvOverrides(parseConfig(raw, path), env);
  assertStartupGuards(config, env, raw, path);
  return config;
}
