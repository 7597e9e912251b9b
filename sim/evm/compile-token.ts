// Compiles the local chain's ERC-20 (contracts/MintableToken.sol) with solc-js — the npm `solc`
// package, pure JS/wasm, no compiler download — and caches the artifact under data/evm/, keyed by a
// hash of the source, the compiler version and the settings, so a second boot skips the ~1–2 s compile.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

export interface TokenArtifact {
  abi: unknown[];
  bytecode: string;
  compilerVersion: string;
  /** Whether this call compiled (false: read from the cache). */
  compiled: boolean;
  compileMs: number;
}

const REPO_ROOT = resolve(__dirname, '..', '..');
const SOURCE_FILE = join(__dirname, 'contracts', 'MintableToken.sol');
export const DEFAULT_ARTIFACT_DIR = join(REPO_ROOT, 'data', 'evm');

// 'paris' (no PUSH0) runs on any hardfork a local or test chain may be configured with.
const SETTINGS = { optimizer: { enabled: true, runs: 200 }, evmVersion: 'paris', outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } };

const SolcOutputSchema = z.object({
  errors: z.array(z.object({ severity: z.string(), formattedMessage: z.string() })).optional(),
  contracts: z
    .record(z.string(), z.record(z.string(), z.object({ abi: z.array(z.unknown()), evm: z.object({ bytecode: z.object({ object: z.string().regex(/^[0-9a-f]+$/) }) }) })))
    .optional(),
});

const CachedSchema = z.object({ key: z.string(), abi: z.array(z.unknown()), bytecode: z.string().regex(/^0x[0-9a-f]+$/), compilerVersion: z.string() });

interface Solc {
  version(): string;
  compile(input: string): string;
}

function loadSolc(): Solc {
  // solc ships no types; its API is two functions.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('solc') as Solc;
}

export function compileMintableToken(opts: { artifactDir?: string; useCache?: boolean } = {}): TokenArtifact {
  const t0 = performance.now();
  const dir = opts.artifactDir ?? DEFAULT_ARTIFACT_DIR;
  const source = readFileSync(SOURCE_FILE, 'utf8');
  // The package version names the compiler; loading solc itself (~1 s of wasm) waits until a compile is needed.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const compilerVersion = `solc-js ${(require('solc/package.json') as { version: string }).version}`;
  const key = createHash('sha256').update(JSON.stringify({ source, compilerVersion, SETTINGS })).digest('hex');
  const cacheFile = join(dir, `MintableToken.${key.slice(0, 16)}.json`);
  if (opts.useCache !== false) {
    try {
      const cached = CachedSchema.parse(JSON.parse(readFileSync(cacheFile, 'utf8')));
      if (cached.key === key) return { ...cached, compiled: false, compileMs: performance.now() - t0 };
    } catch {
      // No cache or a bad one: compile below and overwrite it.
    }
  }
  const input = { language: 'Solidity', sources: { 'MintableToken.sol': { content: source } }, settings: SETTINGS };
  const output = SolcOutputSchema.parse(JSON.parse(loadSolc().compile(JSON.stringify(input))));
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(`solc failed on MintableToken.sol:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  const contract = output.contracts?.['MintableToken.sol']?.['MintableToken'];
  if (!contract) throw new Error('solc output has no MintableToken contract');
  const artifact = { key, abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}`, compilerVersion };
  mkdirSync(dir, { recursive: true });
  // Write then rename, so a concurrent reader never sees half a file.
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(artifact));
  renameSync(tmp, cacheFile);
  return { abi: artifact.abi, bytecode: artifact.bytecode, compilerVersion, compiled: true, compileMs: performance.now() - t0 };
}
