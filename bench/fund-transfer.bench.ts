// Benchmark: fundTransfer workflows per second on a local Temporal dev server (its own, headless, on a
// free port; in memory unless BENCH_TEMPORAL_DB=sqlite), with the real workflow, the real treasury
// activities (policy checks, the ledger in an embedded PostgreSQL) and two SimExchanges with no network delay (latency
// 0–1 ms, processingDelayMs 0, no rate limit in the way). Every transfer BLST alpha → bravo, 5 USD,
// below the approval threshold, runs every step: prepare, reserve, withdraw, tx hash, confirmations,
// credit at bravo, ledger.
// The chain (BENCH_CHAIN):
//   hardhat (default) — the SimExchanges' withdrawals are real ERC-20 transfers on a local Hardhat node
//     (EvmChainBridge, automine: every tx is mined in its own block at once) and the transfer asks for
//     1 confirmation, read with ethers by the confirmations activity. A chain without the bridge would
//     not do: its simulated tx hashes are unknown to any node, so the confirmations step never ends.
//   stub — no bridge (simulated tx hashes, the exchanges confirm on their clock after 1 ms) and an
//     in-process JSON-RPC stub that reports a tx the TransferNetwork broadcast as mined with 1
//     confirmation: Temporal and the activities without the chain's cost.
// Run N transfers (BENCH_N, default 200) with at most C in flight (BENCH_CONCURRENCY, default 20); the
// waiting activities poll every BENCH_POLL_MS (default 20). Prints transfers/s, end-to-end latency,
// mean time per activity and a correctness check (exactly N withdrawals at the venue). Never asserts.
// Run: npx tsx bench/fund-transfer.bench.ts   (or npm run bench -- fund-transfer)
import { createServer, type Server } from 'node:http';
import { Worker } from '@temporalio/worker';
import { startBenchLedger } from './bench-ledger';
import { D, fmt } from '../domain/money';
import { mulberry32 } from '../domain/rng';
import { RealClock } from '../hotpath/clocks';
import { presetExchangeConfig } from '../sim/exchange/exchange-presets';
import { SimExchange } from '../sim/exchange/sim-exchange';
import { TransferNetwork, type ChainBridge } from '../sim/exchange/transfer-network';
import { EvmChainBridge, deployTokens, hardhatHotWalletKeys, mintTokens } from '../sim/evm/chain-bridge';
import { hardhatAccountKey, startLocalChain } from '../sim/evm/local-chain';
import { SimVenue } from '../venues/sim/sim-venue';
import type { VenueAdapter } from '../venues/venue.port';
import { fundTransfer, type TransferResult } from '../workflows/fund-transfer.workflow';
import { WORKFLOWS_PATH, workerActivities } from '../workers/temporal.worker';
import { Wallet } from 'ethers';
import { benchConfig, benchLogger, childCpuDelta, childTreesCpuMs, formatPhases, formatSummary, historyPhases, type HistoryPhases, machineContext, ms, runPool, startBenchTemporal, summarize } from './temporal-bench-env';

const N = Number(process.env.BENCH_N ?? '200');
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? '20');
const WARMUP = Number(process.env.BENCH_WARMUP ?? '5');
/** Transfers run one at a time before the concurrent run: the latency of one transfer alone. */
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? '10');
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? '20');
const CHAIN = process.env.BENCH_CHAIN === 'stub' ? 'stub' : 'hardhat';
const ACCOUNT = 'ballast';
const AMOUNT = '10'; // × 0.5 USD = 5 USD, far below the 50000 USD approval threshold
const COLD_WALLET = new Wallet(hardhatAccountKey(0)).address;

interface Chain {
  rpcUrl: string;
  bridge?: ChainBridge;
  describe: string;
  fundHotWallet(address: string, amount: string): Promise<void>;
  stop(): Promise<void>;
}

async function startHardhat(clock: RealClock): Promise<Chain> {
  const chain = await startLocalChain();
  const tokens = await deployTokens(chain.rpcUrl, [{ symbol: 'BLST', name: 'Ballast', decimals: 18 }]);
  const bridge = await EvmChainBridge.start({ rpcUrl: chain.rpcUrl, tokens, hotWallets: hardhatHotWalletKeys(['alpha', 'bravo']), pollMs: POLL_MS }, { clock });
  return {
    rpcUrl: chain.rpcUrl,
    bridge,
    describe: `Hardhat node ${chain.rpcUrl} (automine, no interval mining), EvmChainBridge polling every ${POLL_MS} ms, 1 confirmation`,
    fundHotWallet: (to, amount) => mintTokens(chain.rpcUrl, tokens, [{ to, asset: 'BLST', amount }]),
    async stop() {
      await bridge.stop();
      await chain.stop();
    },
  };
}

/** JSON-RPC stub: a tx the network broadcast is mined in block 1, and the head is block 1. */
async function startStub(network: () => TransferNetwork): Promise<Chain> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const calls = JSON.parse(body) as { id: number; method: string; params: string[] }[];
      const answers = calls.map((c) => {
        const known = c.params[0] !== undefined && network().transfer(c.params[0]) !== undefined;
        const hash = c.params[0];
        if (c.method === 'eth_getTransactionReceipt') return { jsonrpc: '2.0', id: c.id, result: known ? { transactionHash: hash, blockNumber: '0x1', status: '0x1' } : null };
        if (c.method === 'eth_getTransactionByHash') return { jsonrpc: '2.0', id: c.id, result: known ? { hash, blockNumber: '0x1' } : null };
        return { jsonrpc: '2.0', id: c.id, result: '0x1' };
      });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answers));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    rpcUrl: `http://127.0.0.1:${port}`,
    describe: `no chain bridge (simulated tx hashes); in-process JSON-RPC stub on 127.0.0.1:${port} answers "mined, 1 confirmation"`,
    fundHotWallet: () => Promise.resolve(),
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Wall time per activity name, every attempt (what the worker spends outside the workflow). */
function timeActivities(acts: Record<string, (...a: unknown[]) => Promise<unknown>>, into: Map<string, number[]>) {
  return Object.fromEntries(
    Object.entries(acts).map(([name, fn]) => [
      name,
      async (...args: unknown[]) => {
        const t0 = performance.now();
        try {
          return await fn(...args);
        } finally {
          const list = into.get(name) ?? [];
          list.push(performance.now() - t0);
          into.set(name, list);
        }
      },
    ]),
  );
}

async function main(): Promise<void> {
  const context = machineContext();
  const temporal = await startBenchTemporal();
  const clock = new RealClock();
  // The stub reads the network, which needs the chain's bridge first: a late-bound reference.
  const late: { network?: TransferNetwork } = {};
  const chain = CHAIN === 'hardhat' ? await startHardhat(clock) : await startStub(() => late.network!);
  const network = new TransferNetwork({ delayMs: { min: 0, max: 0 } }, { clock, rng: mulberry32(5), ...(chain.bridge ? { bridge: chain.bridge } : {}) });
  late.network = network;
  const withdrawals = { fees: { BLST: '2' }, minConfirmations: 1, blockTimeMs: 1, processingDelayMs: 0 };
  const make = (id: string, seed: number) =>
    new SimExchange(presetExchangeConfig(id, { latencyMs: { min: 0, max: 1 }, rateLimit: { capacity: 1_000_000, refillPerSec: 1_000_000 }, withdrawals }), { clock, rng: mulberry32(seed), network });
  const alpha = make('alpha', 6);
  const bravo = make('bravo', 7);
  const total = (N + WARMUP + SEQUENTIAL) * (Number(AMOUNT) + 2);
  alpha.fund(ACCOUNT, 'BLST', String(total));
  await chain.fundHotWallet(alpha.hotWallet, String(total));
  alpha.fund('maker', 'BLST', '1000');
  const maker = new SimVenue(alpha, 'maker');
  await maker.loadMarket();
  await maker.submitOrder({ clientOrderId: 'ask-1', side: 'sell', price: '0.5', amount: '1000', postOnly: true, timeInForce: 'GTC' });
  const bravoDeposit = await bravo.depositAddress(ACCOUNT, 'BLST');

  const taskQueue = `bench-transfer-${process.pid}`;
  const config = benchConfig(temporal.address, taskQueue, (raw) => {
    raw.treasury.whitelist = [
      { label: 'cold-wallet', address: COLD_WALLET, chain: 'evm-local', network: 'ERC20' },
      { label: 'bravo-deposit-blst', address: bravoDeposit, chain: 'evm-local', network: 'ERC20' },
    ];
    raw.treasury.safeWallet = COLD_WALLET;
    raw.treasury.caps = { perTransferUsd: '250000', dailyUsd: '100000000' };
    raw.treasury.approvalThresholdUsd = '50000';
  });
  const ledgerDb = await startBenchLedger('transfer');
  const ledger = ledgerDb.ledger;
  const venues = new Map<string, VenueAdapter>([
    ['alpha', new SimVenue(alpha, ACCOUNT)],
    ['bravo', new SimVenue(bravo, ACCOUNT)],
  ]);
  const treasury = {
    transferVenue: (id: string) => {
      const v = venues.get(id);
      if (!v) throw new Error(`no venue ${id} in the bench`);
      return v;
    },
    ledger,
    chainRpcUrl: () => chain.rpcUrl,
    now: Date.now,
    waitMs: 20_000,
    pollMs: POLL_MS,
  };
  const activityMs = new Map<string, number[]>();
  const activities = timeActivities(workerActivities({ config, logger: benchLogger, now: Date.now, treasury }) as Record<string, (...a: unknown[]) => Promise<unknown>>, activityMs);
  const tb = performance.now();
  const worker = await Worker.create({
    connection: temporal.native,
    taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    activities,
    ...(temporal.dataConverter ? { dataConverter: temporal.dataConverter } : {}),
  });
  const bundleMs = performance.now() - tb;
  const running = worker.run();

  const phases = { alone: [] as HistoryPhases[], loaded: [] as HistoryPhases[] };
  const sample = async (id: string, into: HistoryPhases[]) => {
    const h = await temporal.client.workflow.getHandle(`transfer:${id}`).fetchHistory();
    into.push(historyPhases(h.events ?? []));
  };
  const runOne = async (id: string): Promise<{ ms: number; result?: TransferResult; error?: string }> => {
    const t0 = performance.now();
    try {
      const handle = await temporal.client.workflow.start(fundTransfer, {
        taskQueue,
        workflowId: `transfer:${id}`,
        args: [{ requestId: id, asset: 'BLST', amount: AMOUNT, from: { venue: 'alpha' }, to: { venue: 'bravo' }, requester: 'bench@ops', confirmations: 1 }],
      });
      const result = await handle.result();
      return { ms: performance.now() - t0, result };
    } catch (e) {
      return { ms: performance.now() - t0, error: e instanceof Error ? `${e.message}${e.cause instanceof Error ? `: ${e.cause.message}` : ''}` : String(e) };
    }
  };

  const run = `r${process.pid}`;
  await runPool(WARMUP, CONCURRENCY, async (i) => void (await runOne(`${run}-warm-${i}`)));
  const alone: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const r = await runOne(`${run}-alone-${i}`);
    if (r.result?.outcome === 'completed') alone.push(r.ms);
  }
  activityMs.clear();
  const bravoBefore = bravo.engine.balances(ACCOUNT).find((b) => b.asset === 'BLST')?.free ?? '0';
  const latencies: number[] = [];
  const errors: string[] = [];
  let completed = 0;
  const cpu0 = process.cpuUsage();
  const children0 = childTreesCpuMs();
  const t0 = performance.now();
  await runPool(N, CONCURRENCY, async (i) => {
    const r = await runOne(`${run}-${i}`);
    if (r.result?.outcome === 'completed') {
      completed += 1;
      latencies.push(r.ms);
    } else errors.push(r.error ?? `outcome ${r.result?.outcome}`);
  });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const children = childCpuDelta(children0, childTreesCpuMs(), wallMs);
  // Per-phase breakdown from the histories (server timestamps): the lone transfers, and every 10th of the run.
  for (let i = 0; i < SEQUENTIAL; i++) await sample(`${run}-alone-${i}`, phases.alone);
  for (let i = 0; i < N; i += 10) await sample(`${run}-${i}`, phases.loaded);
  worker.shutdown();
  await running;

  // Correctness: exactly one withdrawal per transfer under its key, all sent and confirmed, all credited.
  const keys = new Set(Array.from({ length: N }, (_, i) => `transfer:${run}-${i}:withdraw`));
  const mine = alpha.withdrawalRecords(ACCOUNT, 'BLST').filter((w) => w.idempotencyKey !== undefined && keys.has(w.idempotencyKey));
  const distinct = new Set(mine.map((w) => w.idempotencyKey)).size;
  const okStatus = mine.filter((w) => w.status === 'ok' && w.txHash).length;
  const bravoAfter = bravo.engine.balances(ACCOUNT).find((b) => b.asset === 'BLST')?.free ?? '0';
  const credited = fmt(new D(bravoAfter).minus(bravoBefore));
  const expectedCredit = fmt(new D(AMOUNT).times(N));
  const booked = (await ledger.entries({ kind: 'transfer' })).filter((e) => e.workflowId.startsWith(`transfer:${run}-`) && !e.workflowId.includes('-warm-') && !e.workflowId.includes('-alone-')).length;
  const verdict = mine.length === N && distinct === N && okStatus === N && credited === expectedCredit && booked === N && completed === N ? 'OK' : 'MISMATCH';

  const lat = summarize(latencies);
  const perActivity = [...activityMs.entries()]
    .map(([name, list]) => {
      const s = summarize(list);
      return `    ${name.padEnd(20)} ${String(list.length).padStart(5)} calls   mean ${ms(s.mean).padStart(9)}   p99 ${ms(s.p99).padStart(9)}   per transfer ${ms(list.reduce((a, b) => a + b, 0) / Math.max(1, completed)).padStart(9)}`;
    })
    .join('\n');
  const activityPerTransfer = [...activityMs.values()].reduce((a, l) => a + l.reduce((x, y) => x + y, 0), 0) / Math.max(1, completed);
  const lines = [
    `fundTransfer throughput: ${N} transfers (BLST alpha → bravo, ${AMOUNT} BLST = 5 USD, no approval), at most ${CONCURRENCY} in flight, after ${WARMUP} warm-up transfers`,
    `  machine            ${context}`,
    `  Temporal           dev server ${temporal.address} headless, ${temporal.storage}, payload encryption ${temporal.dataConverter ? 'ON' : 'off'}; server up in ${(temporal.startMs / 1000).toFixed(1)} s, worker bundle ${(bundleMs / 1000).toFixed(1)} s; one worker, default slots`,
    `  chain              ${chain.describe}`,
    `  venues             2 SimExchanges, latency 0–1 ms, processingDelayMs 0, minConfirmations 1; activities poll every ${POLL_MS} ms; ledger in ${ledgerDb.describe}`,
    `  completed          ${completed}/${N}${errors.length ? `   failures ${errors.length}, first: ${errors[0]}` : ''}`,
    `  wall time          ${(wallMs / 1000).toFixed(2)} s`,
    `  throughput         ${(completed / (wallMs / 1000)).toFixed(1)} transfers/s`,
    `  end-to-end         ${formatSummary(lat)}   (client start → result, ${CONCURRENCY} in flight)`,
    `  one at a time      ${formatSummary(summarize(alone))}   (${SEQUENTIAL} transfers before the run, nothing else in flight)`,
    `  CPU during run     cores busy on average: this process ${((cpu.user + cpu.system) / 1000 / wallMs).toFixed(2)} (client + worker + sim venues${CHAIN === 'stub' ? ' + RPC stub' : ' + bridge'}), ${children || 'child processes n/a'}`,
    `  phases, alone      ${formatPhases(phases.alone)}`,
    `  phases, in the run ${formatPhases(phases.loaded)}`,
    `  activity time      (wall time in the activity functions, every attempt; waits include polling)`,
    perActivity,
    `    all activities per transfer ${ms(activityPerTransfer)} of a mean end-to-end ${ms(lat.mean)}: the other ${ms(lat.mean - activityPerTransfer)} is Temporal around ${([...activityMs.values()].reduce((a, l) => a + l.length, 0) / Math.max(1, completed)).toFixed(1)} activity calls per transfer (task dispatch, history writes, workflow activations)`,
    `  check              ${verdict}: withdrawals at alpha under this run's keys ${mine.length} (distinct keys ${distinct}, status ok with tx ${okStatus}) vs ${N}; credited at bravo ${credited} vs ${expectedCredit} BLST; ledger transfer entries ${booked} vs ${N}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await chain.stop();
  await ledgerDb.stop();
  clock.stop();
  await temporal.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`fund-transfer bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
