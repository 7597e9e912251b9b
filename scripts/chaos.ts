// `npm run chaos -- --runs 100`: chaos at scale against the real parts (issue 11, acceptance 10). Not a
// CI test. One world for the whole command (test/integration/treasury-process-world.ts): a local chain,
// SimExchanges alpha/bravo behind Binance emulators that ccxt talks to, a PostgreSQL ledger (embedded
// server), a Temporal dev server on a SQLite file, payload encryption on, and the REAL worker role as a
// child process. Each run starts K concurrent fundTransfer (alpha → bravo) and withdrawal (alpha →
// cold wallet, BLST or USDT) workflows under fresh business-key ids, injects 1–3 faults drawn from the
// seeded RNG at random moments (kill -9 of the worker — at a random time or right after the venue
// accepted a withdrawal —, dev-server stop/start on the same SQLite file, venue HTTP 5xx, stalled
// requests (client timeouts), rate limits, a stalled chain), waits until every workflow is terminal
// (or stuck past --stuck-s), lets the chain settle and checks: exactly-once per workflow, no money lost
// (every withdrawal that moved is a ledger transfer or suspense, no reservation released while it
// moved), per-asset conservation (venue accounts + wallet on chain + in flight + ledger fees = start,
// decimals), and no secret in any decoded history or log. One line per run, a summary, the summary as
// JSON in data/chaos/<timestamp>.json; exit 1 when the goal (every run clean) is missed.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readSync, closeSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultPayloadConverter, type PayloadCodec } from '@temporalio/common';
import { Contract, JsonRpcProvider, formatUnits } from 'ethers';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../activities/ledger/embedded-postgres';
import { createLogger } from '../config/logger';
import { D, fmt, type Dec } from '../domain/money';
import { mulberry32, type Rng } from '../domain/rng';
import { hardhatHotWalletKeys } from '../sim/evm/chain-bridge';
import { hardhatAccountKey } from '../sim/evm/local-chain';
import { findTemporalBinary } from '../temporal/binary';
import { AesGcmPayloadCodec, generateKeyEntry, loadCodecKeys, PAYLOAD_KEYS_ENV } from '../temporal/codec';
import { ballastDataConverter } from '../temporal/data-converter';
import { freePort, startDevServer, type DevServer, type DevServerOptions } from '../temporal/dev-server';
import { startProcessWorld, type ProcessWorld, type WorkerChild } from '../test/integration/treasury-process-world';
import { ACCOUNT, COLD_WALLET } from '../test/integration/treasury-world';
import { fundTransfer } from '../workflows/fund-transfer.workflow';
import { withdrawal } from '../workflows/withdrawal.workflow';
import { conservation, judgeWorkflow, withdrawalsOf, type AssetHoldings, type ConservationLine, type WithdrawalFact, type WorkflowEnd, type WorkflowVerdict } from './chaos/checks';
import { decodeHistoryText, findSecrets, type Secret, type SecretHit } from './chaos/secret-scan';
import { option, UsageError } from './cli-args';

const ASSETS = ['BLST', 'USDT'] as const;
const WITHDRAW_APPLY = '/sapi/v1/capital/withdraw/apply';
const ROUTES: { name: string; path: string | RegExp }[] = [
  { name: 'withdraw/apply', path: WITHDRAW_APPLY },
  { name: 'withdraw/history', path: '/sapi/v1/capital/withdraw/history' },
  { name: 'deposit/hisrec', path: '/sapi/v1/capital/deposit/hisrec' },
  { name: 'sapi/*', path: /^\/sapi\// },
  { name: 'any', path: /.*/ },
];
const FAULT_KINDS = ['kill9', 'kill9-in-withdraw', 'server-restart', 'http5xx', 'lost-answer', 'malformed', 'timeout', 'rate-limit', 'chain-stall', 'withdraw-outage'] as const;
type FaultKind = (typeof FAULT_KINDS)[number];

interface Options {
  runs: number;
  seed: number;
  concurrency: number;
  json: boolean;
  stuckMs: number;
  selfCheck: boolean;
  faults: FaultKind[];
  /** Stop starting runs after this long (the summary then says how many ran). */
  maxMinutes?: number;
  /**
   * Negative control: in run 1, a second withdrawal for the first workflow is made straight at the
   * venue (as a double-spending bug would); the checks must fail that run (dup, conservation).
   */
  sabotage: boolean;
}

function parseOptions(args: string[]): Options {
  const int = (name: string, dflt: number, min: number, max: number): number => {
    const v = option(args, name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name}: expected an integer ${min}–${max}, got "${v}"`);
    return n;
  };
  // Placeholders for the withdraw-path work (i11-intent): venues without client ids, a lagging
  // withdrawal history. They go to startProcessWorld({ emulator: { … } }) once the emulator has them.
  for (const flag of ['--no-client-ids', '--history-lag-ms']) {
    if (args.includes(flag)) throw new UsageError(`${flag}: this emulator has no such behaviour yet; wire it into startProcessWorld({ emulator }) in scripts/chaos.ts`);
  }
  const faultsArg = option(args, 'faults');
  const faults = faultsArg === undefined ? [...FAULT_KINDS] : faultsArg.split(',').map((f) => f.trim());
  for (const f of faults) if (!(FAULT_KINDS as readonly string[]).includes(f)) throw new UsageError(`--faults: unknown fault "${f}" (known: ${FAULT_KINDS.join(', ')})`);
  return {
    runs: int('runs', 100, 1, 100_000),
    seed: int('seed', 1, 0, 2 ** 31 - 1),
    concurrency: int('concurrency', 6, 1, 50),
    json: args.includes('--json'),
    stuckMs: int('stuck-s', 120, 10, 3600) * 1000,
    selfCheck: args.includes('--self-check'),
    sabotage: args.includes('--sabotage'),
    faults: faults as FaultKind[],
    ...(option(args, 'max-minutes') !== undefined ? { maxMinutes: int('max-minutes', 60, 1, 10_000) } : {}),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const between = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

/**
 * The scan must catch a planted secret: one in an encrypted payload of a history-shaped object (only
 * visible after decoding through the codec) and one in a log line. Run before every chaos run.
 */
export async function selfCheck(): Promise<string[]> {
  const failures: string[] = [];
  const codec = new AesGcmPayloadCodec(loadCodecKeys({ [PAYLOAD_KEYS_ENV]: generateKeyEntry() })!);
  const planted = randomBytes(24).toString('hex');
  const secrets: Secret[] = [{ name: 'planted', value: planted }];
  const [enc] = await codec.encode([new DefaultPayloadConverter().toPayload({ note: planted })]);
  const history = { events: [{ activityTaskScheduledEventAttributes: { input: { payloads: [enc] } } }] };
  const raw = await decodeHistoryText(history, undefined);
  if (findSecrets(raw.text, secrets, 'raw').length !== 0) failures.push('the planted secret is readable without the codec: the payload was not encrypted');
  const decoded = await decodeHistoryText(history, codec);
  if (findSecrets(decoded.text, secrets, 'history').length !== 1) failures.push('the scan missed a secret planted in an encrypted history payload');
  if (findSecrets(`{"level":30,"msg":"key ${planted}"}`, secrets, 'log').length !== 1) failures.push('the scan missed a secret planted in a log line');
  return failures;
}

interface PlannedWorkflow {
  workflowId: string;
  type: 'fundTransfer' | 'withdrawal';
  asset: string;
  amount: string;
  address: string;
}

interface PlannedFault {
  kind: FaultKind;
  atMs: number;
  detail: string;
  /** How often an armed fault on the withdraw call fired (kill9-in-withdraw, lost-answer). */
  fired?: number;
}

export interface RunResult {
  run: number;
  workflows: number;
  completed: number;
  failed: number;
  stuck: number;
  exactlyOnceViolations: number;
  lost: number;
  leakedReservations: number;
  /** Failed workflows by how the ledger closed them: released (nothing moved), suspense, reversal (refunded). */
  booked: { released: number; suspense: number; reversal: number };
  conservation: ConservationLine[];
  conservationOk: boolean;
  secrets: SecretHit[];
  undecodedPayloads: number;
  faults: string[];
  problems: { workflowId: string; problems: string[] }[];
  settled: boolean;
  seconds: number;
  ok: boolean;
}

const ERC20 = ['function balanceOf(address) view returns (uint256)'];

class Chaos {
  private server!: DevServer;
  private serverOptions!: DevServerOptions;
  private pg!: EmbeddedPostgres;
  private pw!: ProcessWorld;
  private conn!: Connection;
  private client!: Client;
  private worker: WorkerChild | undefined;
  private codec: PayloadCodec | undefined;
  private provider!: JsonRpcProvider;
  private secrets: Secret[] = [];
  private lock: Promise<unknown> = Promise.resolve();
  private logOffsets = new Map<string, number>();
  private arrived = new Set<string>();
  private dir = mkdtempSync(join(tmpdir(), 'ballast-chaos-'));
  private pgDir: string | undefined;
  private readonly log = createLogger({ name: 'chaos', level: process.env.CHAOS_LOG_LEVEL ?? 'warn' });

  constructor(private readonly o: Options) {}

  private progress(msg: string): void {
    if (!this.o.json) process.stderr.write(`${msg}\n`);
  }

  /** Serializes process-level faults (kill -9, respawn, server restart). */
  private withLock<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lock.then(fn, fn);
    this.lock = next.catch(() => undefined);
    return next;
  }

  async start(): Promise<void> {
    const t0 = Date.now();
    // Its own temp folder (as the integration setup does): run as root, the server's user must reach it.
    this.pgDir = mkdtempSync(join(tmpdir(), 'ballast-chaos-pg-'));
    this.pg = await startEmbeddedPostgres({ dir: this.pgDir, port: await freePort(), fast: true, detached: false });
    process.env.BALLAST_TEST_PG_ADMIN_URL = this.pg.adminUrl;
    this.serverOptions = { binary: findTemporalBinary({ log: this.log }).path, port: await freePort(), headless: true, dbFile: join(this.dir, 'temporal.sqlite'), logFile: join(this.dir, 'temporal.log'), log: this.log };
    this.server = await startDevServer(this.serverOptions);
    // The world's config and the worker children read these.
    process.env.TEMPORAL_ADDRESS = this.server.address;
    const keys = generateKeyEntry();
    process.env[PAYLOAD_KEYS_ENV] = keys;
    process.env.LOG_LEVEL ??= 'info';
    const converter = ballastDataConverter(process.env);
    this.codec = converter?.payloadCodecs?.[0];
    this.pw = await startProcessWorld();
    this.provider = new JsonRpcProvider(this.pw.world.rpcUrl, undefined, { staticNetwork: true });
    await this.connect();
    this.worker = await this.pw.spawnWorker(this.conn);
    const dbPassword = decodeURIComponent(new URL(this.pg.adminUrl).password);
    this.secrets = [
      { name: 'venue API key', value: this.pw.credentials.apiKey },
      { name: 'venue API secret', value: this.pw.credentials.secret },
      { name: 'payload codec key', value: keys.slice(keys.indexOf(':') + 1) },
      { name: 'ledger DB password', value: dbPassword },
      ...Object.entries(hardhatHotWalletKeys(['alpha', 'bravo'])).map(([id, k]) => ({ name: `${id} hot wallet private key`, value: k })),
      { name: 'operator carol private key (Hardhat #12)', value: hardhatAccountKey(12) },
      { name: 'cold wallet private key (Hardhat #0)', value: hardhatAccountKey(0) },
    ];
    this.progress(`chaos: world up in ${((Date.now() - t0) / 1000).toFixed(1)} s (Temporal ${this.server.address}, worker pid ${this.worker.pid}, files in ${this.dir})`);
  }

  private async connect(): Promise<void> {
    // The previous connection is left open: closing it while its calls retry a restarted server
    // throws "Channel has been shut down" from a timer.
    this.conn = await Connection.connect({ address: this.server.address });
    this.client = new Client({ connection: this.conn, namespace: this.pw.config.temporal.namespace, dataConverter: ballastDataConverter(process.env) ?? {} });
  }

  /** A Temporal call that rides out a dev-server restart (retries for up to 90 s). */
  private async temporal<T>(fn: (c: Client) => Promise<T>, what: string): Promise<T> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      try {
        return await fn(this.client);
      } catch (e) {
        const msg = (e as Error).message ?? '';
        const transient = /UNAVAILABLE|ECONNREFUSED|No connection established|Connection dropped|DEADLINE_EXCEEDED|14 |4 |closed/i.test(msg) || (e as { name?: string }).name === 'ServiceError';
        if (!transient || Date.now() > deadline) throw new Error(`${what}: ${msg}`);
        await sleep(500);
      }
    }
  }

  private alive(w: WorkerChild | undefined): boolean {
    return w !== undefined && w.child.exitCode === null && w.child.signalCode === null;
  }

  /** A worker is polling (a new one if the last died). */
  private ensureWorker(): Promise<void> {
    return this.withLock(async () => {
      if (this.alive(this.worker)) return;
      this.worker = await this.pw.spawnWorker(this.conn);
    });
  }

  private async killWorker(): Promise<void> {
    await this.withLock(async () => {
      const w = this.worker;
      if (!this.alive(w)) return;
      w!.child.kill('SIGKILL');
      await w!.exited;
    });
    await this.ensureWorker();
  }

  private async restartServer(): Promise<void> {
    await this.withLock(async () => {
      await this.server.stop();
      this.server = await startDevServer(this.serverOptions);
      await this.connect();
    });
  }

  // ---- facts ---------------------------------------------------------------------------------

  private bravoDepositAddress(): string {
    const e = this.pw.config.treasury.whitelist.find((w) => w.label === 'bravo-deposit-blst');
    if (!e) throw new Error('the world has no bravo deposit address on its whitelist');
    return e.address;
  }

  private allWithdrawals(): WithdrawalFact[] {
    return this.pw.world.alpha.withdrawalRecords(ACCOUNT).map((r) => ({
      id: r.id,
      asset: r.asset,
      amount: r.amount,
      fee: r.fee,
      address: r.address,
      status: r.status,
      ...(r.idempotencyKey !== undefined ? { idempotencyKey: r.idempotencyKey } : {}),
      ...(r.txHash !== undefined ? { txHash: r.txHash } : {}),
    }));
  }

  /** Whether a withdrawal that left the venue has reached its destination (as of `block`). */
  private async hasArrived(w: WithdrawalFact, block: number): Promise<boolean> {
    if (!w.txHash) return false;
    if (this.arrived.has(w.txHash)) return true;
    let ok = false;
    if (w.address.toLowerCase() === this.bravoDepositAddress().toLowerCase()) {
      ok = this.pw.world.bravo.depositRecords(ACCOUNT).some((d) => d.txHash === w.txHash && d.status === 'ok');
    } else {
      const receipt = await this.provider.getTransactionReceipt(w.txHash);
      ok = receipt !== null && receipt.blockNumber <= block;
    }
    if (ok) this.arrived.add(w.txHash);
    return ok;
  }

  /** Ballast's holdings per asset: both venue accounts, the cold wallet on chain, in flight. */
  private async holdings(): Promise<Record<string, AssetHoldings>> {
    const block = await this.provider.getBlockNumber();
    const out: Record<string, AssetHoldings> = {};
    for (const asset of ASSETS) {
      const token = this.pw.world.tokens[asset]!;
      const wallet = (await new Contract(token.address, ERC20, this.provider).getFunction('balanceOf')(COLD_WALLET, { blockTag: block })) as bigint;
      out[asset] = { venues: '0', wallets: formatUnits(wallet, token.decimals), inFlight: '0' };
    }
    // Venue state is read in one tick (in-process engines), after the chain reads.
    let inFlight: WithdrawalFact[] = [];
    const left = this.allWithdrawals().filter((w) => w.status === 'confirming' || w.status === 'ok');
    for (const w of left) if (!(await this.hasArrived(w, block))) inFlight.push(w);
    // A deposit credited since the chain read is in the venue balance below: not in flight too.
    inFlight = inFlight.filter((w) => !(w.txHash && this.pw.world.bravo.depositRecords(ACCOUNT).some((d) => d.txHash === w.txHash && d.status === 'ok')));
    for (const asset of ASSETS) {
      const h = out[asset]!;
      let venues = new D(0);
      for (const ex of [this.pw.world.alpha, this.pw.world.bravo]) {
        const b = ex.engine.balances(ACCOUNT).find((x) => x.asset === asset);
        if (b) venues = venues.plus(b.free).plus(b.locked);
      }
      h.venues = fmt(venues);
      h.inFlight = fmt(inFlight.filter((w) => w.asset === asset).reduce((s, w) => s.plus(w.amount), new D(0)));
    }
    return out;
  }

  /** Waits until no withdrawal is pending or on its way (or `ms` passed). */
  private async settle(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const block = await this.provider.getBlockNumber();
      let busy = false;
      for (const w of this.allWithdrawals()) {
        if (w.status === 'failed' || w.status === 'canceled') continue;
        if (w.status !== 'ok' || !(await this.hasArrived(w, block))) {
          busy = true;
          break;
        }
      }
      if (!busy) return true;
      await sleep(250);
    }
    return false;
  }

  // ---- one run -------------------------------------------------------------------------------

  private plan(run: number, rng: Rng): { workflows: PlannedWorkflow[]; faults: PlannedFault[] } {
    const workflows: PlannedWorkflow[] = [];
    for (let j = 0; j < this.o.concurrency; j++) {
      // Distinct amounts in a run: withdrawals stay attributable without client ids.
      const frac = String(j + 1).padStart(2, '0');
      const id = `chaos-s${this.o.seed}-r${run}-w${j}`;
      if (rng() < 0.5) {
        workflows.push({ workflowId: `transfer:${id}`, type: 'fundTransfer', asset: 'BLST', amount: `${between(rng, 20, 300)}.${frac}`, address: this.bravoDepositAddress() });
      } else {
        const asset = rng() < 0.7 ? 'BLST' : 'USDT';
        const amount = asset === 'BLST' ? `${between(rng, 20, 300)}.${frac}` : `${between(rng, 5, 60)}.${frac}`;
        workflows.push({ workflowId: `withdrawal:${id}`, type: 'withdrawal', asset, amount, address: COLD_WALLET });
      }
    }
    const faults: PlannedFault[] = [];
    const n = between(rng, 1, 3);
    for (let k = 0; k < n; k++) {
      const kind = pick(rng, this.o.faults);
      const atMs = between(rng, 0, 6000);
      let detail = '';
      if (kind === 'http5xx' || kind === 'timeout' || kind === 'rate-limit' || kind === 'lost-answer' || kind === 'malformed') {
        // A lost answer: the venue made the withdrawal, the client gets a 500 instead of its record.
        const route = kind === 'lost-answer' ? ROUTES[0]! : pick(rng, ROUTES);
        const venue = kind === 'lost-answer' || rng() < 0.8 ? 'alpha' : 'bravo';
        const times = kind === 'timeout' ? between(rng, 1, 2) : between(rng, 1, 4);
        const status = pick(rng, [500, 502, 503, 504]);
        detail = `${venue}:${route.name}x${times}${kind === 'http5xx' ? `:${status}` : ''}`;
      } else if (kind === 'chain-stall') {
        detail = `${between(rng, 2, 8)}s`;
      } else if (kind === 'withdraw-outage') {
        // Long enough that the withdraw activity gives up (8 attempts): the transfers fail and compensate.
        detail = `${between(rng, 50, 70)}s`;
      } else if (kind === 'kill9-in-withdraw') {
        // Armed from the start; fires at the n-th withdrawal the venue accepts.
        detail = `#${between(rng, 1, this.o.concurrency)}`;
      }
      // Faults on the withdraw call itself are armed from the start (the calls come in the first seconds).
      faults.push({ kind, atMs: kind === 'kill9-in-withdraw' || kind === 'lost-answer' || kind === 'withdraw-outage' ? 0 : atMs, detail });
    }
    faults.sort((a, b) => a.atMs - b.atMs);
    return { workflows, faults };
  }

  private async applyFault(f: PlannedFault, disarm: (() => void)[]): Promise<void> {
    const emu = (v: string) => this.pw.emulators[v as 'alpha' | 'bravo'];
    switch (f.kind) {
      case 'kill9':
        await this.killWorker();
        return;
      case 'kill9-in-withdraw': {
        // The venue has made the n-th withdrawal when it builds its answer: the worker dies right there.
        const nth = Number(f.detail.replace('#', ''));
        let seen = 0;
        const remove = this.pw.emulators.alpha.faults.inject(
          {
            kind: 'mutate',
            mutate: (body) => {
              seen += 1;
              const w = this.worker;
              if (seen === nth && this.alive(w)) {
                f.fired = (f.fired ?? 0) + 1;
                w!.child.kill('SIGKILL');
                void w!.exited.then(() => this.ensureWorker()).catch((e: Error) => this.progress(`chaos: respawn failed: ${e.message}`));
              }
              return body;
            },
          },
          { method: 'POST', path: WITHDRAW_APPLY },
        );
        disarm.push(remove);
        return;
      }
      case 'server-restart':
        await this.restartServer();
        return;
      case 'withdraw-outage': {
        // Alpha refuses every withdrawal with a 503 for a while (its history still answers).
        const remove = this.pw.emulators.alpha.faults.inject({ kind: 'http', status: 503 }, { method: 'POST', path: WITHDRAW_APPLY });
        disarm.push(remove);
        await sleep(Number(f.detail.replace('s', '')) * 1000);
        remove();
        return;
      }
      case 'chain-stall': {
        await this.pw.freezeChain();
        await sleep(Number(f.detail.replace('s', '')) * 1000);
        await this.pw.resumeChain();
        return;
      }
      default: {
        const [venue, rest] = f.detail.split(':') as [string, string];
        const [routeName, timesStr] = rest.split('x') as [string, string];
        const route = ROUTES.find((r) => r.name === routeName)!;
        const times = Number(timesStr.split(':')[0]);
        const lostAnswer = (): never => {
          f.fired = (f.fired ?? 0) + 1;
          throw new Error('chaos: the answer was lost after the venue acted');
        };
        const fault =
          f.kind === 'lost-answer'
            ? { kind: 'mutate' as const, mutate: lostAnswer }
            : f.kind === 'malformed'
              ? { kind: 'malformed-json' as const }
              : f.kind === 'http5xx'
            ? { kind: 'http' as const, status: Number(f.detail.split(':')[2]), body: '<html><body>502 Bad Gateway</body></html>' }
            : f.kind === 'timeout'
              ? { kind: 'stall' as const }
              : { kind: 'rate-limit' as const, retryAfterS: 1 };
        disarm.push(emu(venue).faults.inject(fault, { path: route.path, times }));
      }
    }
  }

  private async endOf(workflowId: string): Promise<WorkflowEnd | 'running'> {
    const d = await this.temporal((c) => c.workflow.getHandle(workflowId).describe(), `describe ${workflowId}`);
    const s = d.status.name;
    if (s === 'RUNNING') return 'running';
    return s === 'COMPLETED' ? 'completed' : 'failed';
  }

  async runOnce(run: number): Promise<RunResult> {
    const t0 = Date.now();
    const rng = mulberry32((this.o.seed * 100_003 + run) >>> 0);
    const { workflows, faults } = this.plan(run, rng);
    await this.ensureWorker();
    const start = await this.holdings();
    const taskQueue = this.pw.config.temporal.taskQueue;
    const disarm: (() => void)[] = [];
    const faultErrors: string[] = [];
    const faultRuns = faults.map((f) =>
      sleep(f.atMs)
        .then(() => this.applyFault(f, disarm))
        .catch((e: Error) => faultErrors.push(`${f.kind}: ${e.message}`)),
    );
    await Promise.all(
      workflows.map((w) => {
        const common = { requestId: w.workflowId.slice(w.workflowId.indexOf(':') + 1), asset: w.asset, amount: w.amount, requester: 'alice@ops' };
        return this.temporal<unknown>(
          (c) =>
            w.type === 'fundTransfer'
              ? c.workflow.start(fundTransfer, { taskQueue, workflowId: w.workflowId, args: [{ ...common, from: { venue: 'alpha' }, to: { venue: 'bravo' } }] })
              : c.workflow.start(withdrawal, { taskQueue, workflowId: w.workflowId, args: [{ ...common, fromVenue: 'alpha', toWallet: 'cold-wallet' }] }),
          `start ${w.workflowId}`,
        ).catch((e: Error) => {
          // Started before a restart cut the answer off: the reuse policy refuses the second start.
          if (!/already started|AlreadyStarted/i.test(e.message)) throw e;
        });
      }),
    );
    const ends = new Map<string, WorkflowEnd>();
    const deadline = t0 + this.o.stuckMs;
    while (ends.size < workflows.length && Date.now() < deadline) {
      for (const w of workflows) {
        if (ends.has(w.workflowId)) continue;
        const e = await this.endOf(w.workflowId);
        if (e !== 'running') ends.set(w.workflowId, e);
      }
      if (ends.size < workflows.length) await sleep(500);
    }
    await Promise.all(faultRuns);
    for (const d of disarm) d();
    await this.pw.resumeChain();
    for (const w of workflows) {
      if (ends.has(w.workflowId)) continue;
      ends.set(w.workflowId, 'stuck');
      await this.temporal((c) => c.workflow.getHandle(w.workflowId).terminate('chaos: stuck'), `terminate ${w.workflowId}`).catch(() => undefined);
    }
    if (this.o.sabotage && run === 1) {
      const w = workflows[0]!;
      const network = this.pw.world.alpha.withdrawalRecords(ACCOUNT)[0]?.network ?? 'ERC20';
      await this.pw.world.alpha.withdraw(ACCOUNT, { asset: w.asset, amount: w.amount, address: w.address, network, idempotencyKey: `${w.workflowId}:sabotage` });
      faultErrors.push(`SABOTAGE: a second withdrawal for ${w.workflowId} made at the venue`);
    }
    await this.ensureWorker();
    const settled = await this.settle(60_000);
    const end = await this.holdings();

    // Verdicts per workflow.
    const all = this.allWithdrawals();
    const verdicts: WorkflowVerdict[] = [];
    const fees: Record<string, Dec> = {};
    const booked = { released: 0, suspense: 0, reversal: 0 };
    const addFee = (asset: string, x: string) => (fees[asset] = (fees[asset] ?? new D(0)).plus(x));
    for (const w of workflows) {
      const entries = await this.pw.ledger.entries({ workflowId: w.workflowId });
      const ws = withdrawalsOf(w, all);
      verdicts.push(judgeWorkflow({ ...w, end: ends.get(w.workflowId)!, ledger: entries.map((e) => e.kind) }, ws));
      for (const e of entries) if (e.kind === 'fee') addFee(e.asset, e.amount);
      if (entries.some((e) => e.kind === 'suspense')) booked.suspense += 1;
      else if (entries.some((e) => e.kind === 'reversal')) booked.reversal += 1;
      else if (entries.some((e) => e.kind === 'release')) booked.released += 1;
      // A withdrawal booked to suspense: its venue fee is part of what suspense accounts for.
      if (entries.some((e) => e.kind === 'suspense')) for (const x of ws) if (x.status !== 'failed' && x.status !== 'canceled') addFee(x.asset, x.fee);
    }
    const lines = conservation(start, end, Object.fromEntries(Object.entries(fees).map(([a, d]) => [a, fmt(d)])));

    // Secrets: every history decoded through the codec, and what the logs gained.
    const hits: SecretHit[] = [];
    let undecoded = 0;
    for (const w of workflows) {
      const history = await this.temporal((c) => c.workflow.getHandle(w.workflowId).fetchHistory(), `history ${w.workflowId}`);
      const d = await decodeHistoryText(history, this.codec);
      undecoded += d.undecoded;
      hits.push(...findSecrets(d.text, this.secrets, `history ${w.workflowId}`));
    }
    hits.push(...this.scanLogs());

    const count = (e: WorkflowEnd) => [...ends.values()].filter((x) => x === e).length;
    const r: RunResult = {
      run,
      workflows: workflows.length,
      completed: count('completed'),
      failed: count('failed'),
      stuck: count('stuck'),
      exactlyOnceViolations: verdicts.filter((v) => v.exactlyOnceViolation).length,
      lost: verdicts.filter((v) => v.lost).length,
      leakedReservations: verdicts.filter((v) => v.leakedReservation).length,
      booked,
      conservation: lines,
      conservationOk: lines.every((l) => l.ok),
      secrets: hits,
      undecodedPayloads: undecoded,
      faults: [...faults.map((f) => `${f.kind}${f.detail ? `(${f.detail})` : ''}@${(f.atMs / 1000).toFixed(1)}s${f.kind === 'kill9-in-withdraw' || f.kind === 'lost-answer' ? `[fired ${f.fired ?? 0}]` : ''}`), ...faultErrors.map((e) => `FAULT-ERROR ${e}`)],
      problems: verdicts.filter((v) => v.problems.length > 0).map((v) => ({ workflowId: v.workflowId, problems: v.problems })),
      settled,
      seconds: Math.round((Date.now() - t0) / 100) / 10,
      ok: false,
    };
    r.ok = r.stuck === 0 && r.exactlyOnceViolations === 0 && r.lost === 0 && r.leakedReservations === 0 && r.conservationOk && hits.length === 0 && undecoded === 0;
    return r;
  }

  /**
   * End-to-end proof that the scan sees what this world writes: a canary value in a withdrawal's
   * `reason` (an encrypted input payload on the real server; the amount is over the per-transfer
   * cap, so the policy refuses it before anything is reserved) must be invisible in the raw history
   * and found in the decoded one; a canary line in the world's log folder must be found by the log scan.
   */
  async canary(): Promise<string[]> {
    const value = randomBytes(24).toString('hex');
    const canary: Secret[] = [{ name: 'canary', value }];
    const failures: string[] = [];
    const logFile = join(this.pw.dir, 'canary.log');
    writeFileSync(logFile, `{"level":30,"msg":"canary ${value}"}\n`);
    if (!this.scanLogs(canary, false).some((h) => h.where.endsWith('canary.log'))) failures.push('the log scan missed a canary line in the world\'s log folder');
    rmSync(logFile, { force: true });
    const workflowId = `withdrawal:chaos-canary-${randomBytes(4).toString('hex')}`;
    await this.temporal(
      (c) =>
        c.workflow.start(withdrawal, {
          taskQueue: this.pw.config.temporal.taskQueue,
          workflowId,
          args: [{ requestId: workflowId.slice('withdrawal:'.length), asset: 'BLST', amount: '2000000', fromVenue: 'alpha', toWallet: 'cold-wallet', requester: 'alice@ops', reason: `canary ${value}` }],
        }),
      'start the canary',
    );
    const deadline = Date.now() + 60_000;
    while ((await this.endOf(workflowId)) === 'running' && Date.now() < deadline) await sleep(250);
    const history = await this.temporal((c) => c.workflow.getHandle(workflowId).fetchHistory(), 'canary history');
    if (findSecrets((await decodeHistoryText(history, undefined)).text, canary, 'raw').length > 0) failures.push('the canary is readable in the raw history: payloads are not encrypted');
    if (findSecrets((await decodeHistoryText(history, this.codec)).text, canary, 'decoded').length !== 1) failures.push('the history scan missed the canary in the decoded history');
    if ((await this.pw.ledger.entries({ workflowId })).length > 0) failures.push('the canary withdrawal reached the ledger');
    return failures;
  }

  /** New text in the worker logs and the dev server's log since the last scan (with an overlap). */
  private scanLogs(secrets: readonly Secret[] = this.secrets, advance = true): SecretHit[] {
    const files = [
      this.serverOptions.logFile,
      ...readdirSync(this.pw.dir)
        .filter((f) => f.endsWith('.log'))
        .map((f) => join(this.pw.dir, f)),
    ];
    const hits: SecretHit[] = [];
    for (const f of files) {
      if (!existsSync(f)) continue;
      const size = statSync(f).size;
      const from = Math.max(0, (this.logOffsets.get(f) ?? 0) - 256);
      if (size <= from) continue;
      const buf = Buffer.alloc(size - from);
      const fd = openSync(f, 'r');
      try {
        readSync(fd, buf, 0, buf.length, from);
      } finally {
        closeSync(fd);
      }
      if (advance) this.logOffsets.set(f, size);
      hits.push(...findSecrets(buf.toString('utf8'), secrets, `log ${f}`));
    }
    return hits;
  }

  async stop(): Promise<void> {
    const w = this.worker;
    if (this.alive(w)) {
      w!.child.kill('SIGKILL');
      await w!.exited;
    }
    await this.conn?.close().catch(() => undefined);
    await this.pw?.stop().catch(() => undefined);
    this.provider?.destroy();
    await this.server?.stop().catch(() => undefined);
    await this.pg?.stop().catch(() => undefined);
    if (!process.env.BALLAST_KEEP_TEST_FILES) {
      rmSync(this.dir, { recursive: true, force: true });
      if (this.pgDir) rmSync(this.pgDir, { recursive: true, force: true });
    }
  }
}

function line(r: RunResult): string {
  const cons = r.conservationOk ? 'ok' : `MISMATCH ${r.conservation.filter((l) => !l.ok).map((l) => `${l.asset} ${l.diff}`).join(' ')}`;
  return [
    `run ${String(r.run).padStart(3)}`,
    `${r.seconds.toFixed(1).padStart(6)} s`,
    `wf ${r.workflows} ok ${r.completed} failed ${r.failed}${r.failed > 0 ? ` (released ${r.booked.released}, suspense ${r.booked.suspense}, reversal ${r.booked.reversal})` : ''} stuck ${r.stuck}`,
    `dup ${r.exactlyOnceViolations} lost ${r.lost} leaked ${r.leakedReservations}`,
    `conservation ${cons}`,
    `secrets ${r.secrets.length}`,
    `${r.ok ? 'PASS' : 'FAIL'}`,
    `faults ${r.faults.join(' ')}`,
  ].join(' | ');
}

async function main(): Promise<number> {
  let o: Options;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\nusage: npm run chaos -- [--runs N] [--seed S] [--concurrency K] [--stuck-s S] [--faults kill9,server-restart,…] [--max-minutes M] [--json] [--self-check] [--sabotage]\n`);
      return 2;
    }
    throw e;
  }
  const failures = await selfCheck();
  if (failures.length > 0 || o.selfCheck) {
    process.stdout.write(failures.length > 0 ? `secret scan self-check FAILED:\n  ${failures.join('\n  ')}\n` : 'secret scan self-check: a secret planted in an encrypted history payload and in a log line is found\n');
    return failures.length > 0 ? 1 : 0;
  }
  const chaos = new Chaos(o);
  const started = new Date();
  const results: RunResult[] = [];
  let fatal: string | undefined;
  const outDir = resolve(__dirname, '..', 'data', 'chaos');
  const outFile = join(outDir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  const sum = (f: (r: RunResult) => number) => results.reduce((s, r) => s + f(r), 0);
  const summarize = () => ({
    startedAt: started.toISOString(),
    seed: o.seed,
    concurrency: o.concurrency,
    runsRequested: o.runs,
    runs: results.length,
    runsPassed: results.filter((r) => r.ok).length,
    workflows: sum((r) => r.workflows),
    completed: sum((r) => r.completed),
    failed: sum((r) => r.failed),
    exactlyOnceViolations: sum((r) => r.exactlyOnceViolations),
    lost: sum((r) => r.lost),
    stuckWorkflows: sum((r) => r.stuck),
    leakedReservations: sum((r) => r.leakedReservations),
    bookedFailures: { released: sum((r) => r.booked.released), suspense: sum((r) => r.booked.suspense), reversal: sum((r) => r.booked.reversal) },
    conservationViolations: results.filter((r) => !r.conservationOk).length,
    secretsFound: sum((r) => r.secrets.length),
    undecodedPayloads: sum((r) => r.undecodedPayloads),
    faultsInjected: sum((r) => r.faults.length),
    seconds: Math.round((Date.now() - started.getTime()) / 1000),
    ...(fatal !== undefined ? { fatal } : {}),
    perRun: results,
  });
  /** The summary so far (after every run, so an interrupted command leaves its figures). */
  function writeSummary(final: boolean) {
    const s = summarize();
    mkdirSync(outDir, { recursive: true });
    writeFileSync(outFile, `${JSON.stringify({ ...s, final }, null, 2)}\n`);
    return s;
  }

  let interrupted = false;
  process.once('SIGINT', () => (interrupted = true));
  try {
    await chaos.start();
    const canary = await chaos.canary();
    if (canary.length > 0) throw new Error(`secret scan canary failed: ${canary.join('; ')}`);
    if (!o.json) process.stderr.write('chaos: canary found in a decoded history (not in the raw one) and in a log file: the secret scan is live\n');
    const budgetEnd = o.maxMinutes !== undefined ? Date.now() + o.maxMinutes * 60_000 : Infinity;
    for (let run = 1; run <= o.runs && !interrupted; run++) {
      if (Date.now() > budgetEnd) {
        fatal = `stopped by --max-minutes ${o.maxMinutes} after ${results.length} run(s)`;
        break;
      }
      const r = await chaos.runOnce(run);
      results.push(r);
      writeSummary(false);
      if (!o.json) {
        process.stdout.write(`${line(r)}\n`);
        for (const p of r.problems) process.stdout.write(`    ${p.workflowId}: ${p.problems.join('; ')}\n`);
        for (const h of r.secrets) process.stdout.write(`    SECRET ${h.secret} in ${h.where}\n`);
      }
    }
  } catch (e) {
    fatal = (e as Error).stack ?? String(e);
  } finally {
    await chaos.stop();
  }
  const summary = writeSummary(true);
  const goal = fatal === undefined && summary.runs === o.runs && summary.runsPassed === o.runs;
  if (o.json) process.stdout.write(`${JSON.stringify({ ...summary, goalMet: goal, file: outFile })}\n`);
  else {
    process.stdout.write(
      [
        '',
        `runs ${summary.runsPassed}/${summary.runs} clean (requested ${o.runs}), workflows ${summary.workflows} (completed ${summary.completed}, failed ${summary.failed}: released ${summary.bookedFailures.released}, suspense ${summary.bookedFailures.suspense}, reversal ${summary.bookedFailures.reversal}), faults ${summary.faultsInjected}, ${summary.seconds} s`,
        `exactly-once violations ${summary.exactlyOnceViolations}, lost ${summary.lost}, stuck workflows ${summary.stuckWorkflows}, leaked reservations ${summary.leakedReservations}`,
        `conservation (venues + wallets + in flight + ledger fees = start): ${summary.conservationViolations} run(s) off`,
        `secrets found in decoded histories and logs: ${summary.secretsFound} (undecodable payloads ${summary.undecodedPayloads})`,
        fatal !== undefined ? `FATAL: ${fatal}` : '',
        `goal (every run clean, 0 duplicates, 0 lost, 0 secrets): ${goal ? 'MET' : 'MISSED'}; summary in ${outFile}`,
        '',
      ].join('\n'),
    );
  }
  return goal ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e: Error) => {
      process.stderr.write(`${e.stack ?? e.message}\n`);
      process.exit(1);
    },
  );
}
