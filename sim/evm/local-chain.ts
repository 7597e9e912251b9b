// Starts a local EVM (`hardhat node`, Hardhat 2) as a child process on 127.0.0.1, waits until its
// JSON-RPC answers, and stops it cleanly. The child runs under temporal/watchdog.cjs, which kills it
// when our process dies for any reason (even SIGKILL), so a crashed test run never leaves a chain behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { HDNodeWallet } from 'ethers';
import { freePort, isPortFree } from '../../temporal/ports';

export { freePort };

export interface LocalChainOptions {
  /** Fixed port; omitted = a free port chosen by the OS. */
  port?: number;
  /** Where the node's output goes (it logs every RPC call); omitted = discarded. */
  logFile?: string;
  /** How long to wait for the RPC to answer. 2 cores shared: allow plenty. */
  startTimeoutMs?: number;
  /**
   * Also mine a block every this many ms, transactions or not, so confirmations keep accumulating
   * (transactions are still mined at once: automine stays on). Omitted: blocks only on transactions.
   */
  intervalMiningMs?: number;
}

export interface LocalChain {
  rpcUrl: string;
  port: number;
  chainId: number;
  /** Milliseconds from spawn to the first RPC answer. */
  startMs: number;
  stop(): Promise<void>;
}

export const LOCAL_CHAIN_ID = 31337;
/** Hardhat's public test mnemonic: its accounts are funded on every local node and worthless elsewhere. */
export const HARDHAT_TEST_MNEMONIC = 'test test test test test test test test test test test junk';

/** The private key of the node's i-th funded account (for a venue that signs locally, as it would live). */
export function hardhatAccountKey(index: number): string {
  return HDNodeWallet.fromPhrase(HARDHAT_TEST_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).privateKey;
}
const REPO_ROOT = resolve(__dirname, '..', '..');
const WATCHDOG = join(REPO_ROOT, 'temporal', 'watchdog.cjs');

/** eth_chainId as a number, or undefined when nothing (valid) answers. */
export async function probeChainId(rpcUrl: string, timeoutMs = 1000): Promise<number | undefined> {
  try {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.json()) as { result?: unknown };
    return typeof body.result === 'string' && /^0x[0-9a-f]+$/i.test(body.result) ? Number.parseInt(body.result, 16) : undefined;
  } catch {
    return undefined;
  }
}

function tail(file: string | undefined, chars = 1500): string {
  if (!file) return '(no logFile given)';
  try {
    return readFileSync(file, 'utf8').slice(-chars);
  } catch {
    return '';
  }
}

async function rpc(rpcUrl: string, method: string, params: unknown[]): Promise<unknown> {
  const res = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message?: unknown } };
  if (body.error) throw new Error(`${method} failed on ${rpcUrl}: ${String(body.error.message)}`);
  return body.result;
}

/** Hardhat's interval mining: a block every `ms` (0 turns it off). Automine is left as it is. */
export async function setIntervalMining(rpcUrl: string, ms: number): Promise<void> {
  if (!Number.isInteger(ms) || ms < 0) throw new RangeError(`interval mining: expected a non-negative integer of ms, got ${ms}`);
  await rpc(rpcUrl, 'evm_setIntervalMining', [ms]);
}

/** Hardhat's automine: every transaction mined in its own block at once (on by default). */
export async function setAutomine(rpcUrl: string, on: boolean): Promise<void> {
  await rpc(rpcUrl, 'evm_setAutomine', [on]);
}

/** Mines `count` blocks now (tests count confirmations block by block with this). */
export async function mineBlocks(rpcUrl: string, count = 1): Promise<void> {
  for (let i = 0; i < count; i++) await rpc(rpcUrl, 'evm_mine', []);
}

/** The node exited before answering (e.g. the port was taken between picking and binding it). */
class ChainExitedError extends Error {}

const exited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;

async function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return true;
  return new Promise((res) => {
    const t = setTimeout(() => res(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      res(true);
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (exited(child)) return;
  child.stdin?.end(); // the watchdog stops the node when its stdin closes
  child.kill('SIGTERM');
  if (await waitForExit(child, 10_000)) return;
  child.kill('SIGKILL');
  await waitForExit(child, 5_000);
}

async function startOnce(port: number, o: LocalChainOptions): Promise<LocalChain> {
  const t0 = performance.now();
  const rpcUrl = `http://127.0.0.1:${port}`;
  let out: number | 'ignore' = 'ignore';
  if (o.logFile) {
    mkdirSync(dirname(o.logFile), { recursive: true });
    out = openSync(o.logFile, 'a');
  }
  const hardhatCli = require.resolve('hardhat/internal/cli/bootstrap.js');
  const child = spawn(process.execPath, [WATCHDOG, process.execPath, hardhatCli, 'node', '--hostname', '127.0.0.1', '--port', String(port)], {
    cwd: REPO_ROOT,
    stdio: ['pipe', out, out],
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true', HARDHAT_HIDE_SOLIDITY_SURVEY_MESSAGE: 'true' },
  });
  if (typeof out === 'number') closeSync(out); // the child holds its own copy
  // If this process exits without calling stop(), take the chain down with it.
  const onExit = () => child.kill('SIGTERM');
  process.once('exit', onExit);
  const deadline = performance.now() + (o.startTimeoutMs ?? 60_000);
  let chainId: number | undefined;
  while (chainId === undefined) {
    if (exited(child)) {
      process.removeListener('exit', onExit);
      throw new ChainExitedError(`hardhat node exited (code ${String(child.exitCode)}) before answering on ${rpcUrl}:\n${tail(o.logFile)}`);
    }
    if (performance.now() > deadline) {
      process.removeListener('exit', onExit);
      await stopChild(child);
      throw new Error(`hardhat node did not answer on ${rpcUrl} within ${o.startTimeoutMs ?? 60_000} ms:\n${tail(o.logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 150));
    chainId = await probeChainId(rpcUrl);
  }
  const startMs = performance.now() - t0;
  if (o.intervalMiningMs !== undefined) {
    try {
      await setIntervalMining(rpcUrl, o.intervalMiningMs);
    } catch (e) {
      process.removeListener('exit', onExit);
      await stopChild(child);
      throw e;
    }
  }
  let stopping: Promise<void> | undefined;
  return {
    rpcUrl,
    port,
    chainId,
    startMs,
    stop: () => {
      stopping ??= stopChild(child).finally(() => process.removeListener('exit', onExit));
      return stopping;
    },
  };
}

/** Start `hardhat node` (chainId 31337, 20 funded unlocked accounts) and wait until it answers. */
export async function startLocalChain(o: LocalChainOptions = {}): Promise<LocalChain> {
  if (o.port !== undefined) {
    // Refuse rather than mistake another process's node for ours.
    if (!(await isPortFree(o.port))) throw new Error(`port ${o.port} on 127.0.0.1 is already in use`);
    return startOnce(o.port, o);
  }
  // A port picked free can be taken before the node binds it: try a few.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(await freePort(), o);
    } catch (e) {
      if (!(e instanceof ChainExitedError)) throw e;
      lastError = e;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
