// Reads a transaction's confirmations from any EVM JSON-RPC node, with ethers' FetchRequest and
// nothing of the simulator: the Treasury activities use it to wait for a withdrawal's tx hash to be
// N blocks deep. One batched request per read (receipt, transaction, head block), so the three
// answers describe the same moment; every answer is validated before it is believed.
import { FetchRequest } from 'ethers';
import { z } from 'zod';
import { DomainError } from '../../domain/errors';

export const CHAIN_ERROR_CODES = ['CHAIN.INVALID_INPUT', 'CHAIN.UNAVAILABLE', 'CHAIN.BAD_RESPONSE', 'CHAIN.TX_REVERTED', 'CHAIN.TIMEOUT', 'CHAIN.ABORTED'] as const;
export type ChainErrorCode = (typeof CHAIN_ERROR_CODES)[number];

/** Waiting longer or asking again may help for these; the others will not change. */
const RETRYABLE: ReadonlySet<ChainErrorCode> = new Set(['CHAIN.UNAVAILABLE', 'CHAIN.BAD_RESPONSE', 'CHAIN.TIMEOUT']);

export class ChainError extends DomainError {
  declare readonly code: ChainErrorCode;

  constructor(code: ChainErrorCode, message: string, details?: unknown) {
    super(code, message, !RETRYABLE.has(code), details);
    this.name = 'ChainError';
  }
}

export function isChainError(e: unknown, code?: ChainErrorCode): e is ChainError {
  return e instanceof ChainError && (code === undefined || e.code === code);
}

export interface TxConfirmations {
  /** The node knows the transaction (in its mempool or in a block). */
  found: boolean;
  blockNumber?: number;
  /** 0 until mined; then head − block + 1. */
  confirmations: number;
  status: 'pending' | 'success' | 'reverted';
}

export interface ReadOptions {
  /** Per JSON-RPC request; default 10 s. */
  requestTimeoutMs?: number;
}

export interface WaitOptions extends ReadOptions {
  timeoutMs: number;
  pollMs: number;
  signal?: AbortSignal;
  /** Called whenever the observed state changes (an activity heartbeats with it). */
  onProgress?: (c: TxConfirmations) => void;
}

const TX_HASH = /^0x[0-9a-fA-F]{64}$/;
const Quantity = z.string().regex(/^0x[0-9a-fA-F]{1,16}$/, 'expected a hex quantity');
const ReceiptSchema = z.object({ transactionHash: z.string().regex(TX_HASH), blockNumber: Quantity, status: z.enum(['0x1', '0x0']) }).nullable();
const TxSchema = z.object({ hash: z.string().regex(TX_HASH), blockNumber: Quantity.nullable() }).nullable();
const RpcAnswerSchema = z.union([
  z.object({ id: z.number(), result: z.unknown() }),
  z.object({ id: z.number().nullable(), error: z.object({ code: z.number(), message: z.string() }) }),
]);

const num = (q: string): number => Number.parseInt(q, 16);

function checkUrl(rpcUrl: string): void {
  let ok = false;
  try {
    ok = ['http:', 'https:'].includes(new URL(rpcUrl).protocol);
  } catch {
    ok = false;
  }
  if (!ok) throw new ChainError('CHAIN.INVALID_INPUT', `rpcUrl: expected an http(s) URL, got ${JSON.stringify(rpcUrl)}`);
}

/** One JSON-RPC batch; answers in request order, each validated by its schema. */
async function batch(rpcUrl: string, calls: { method: string; params: unknown[] }[], timeoutMs: number, signal?: AbortSignal): Promise<unknown[]> {
  const req = new FetchRequest(rpcUrl);
  req.method = 'POST';
  req.setHeader('content-type', 'application/json');
  req.body = JSON.stringify(calls.map((c, id) => ({ jsonrpc: '2.0', id, method: c.method, params: c.params })));
  req.timeout = timeoutMs;
  req.retryFunc = () => Promise.resolve(false); // our caller polls; no hidden retries inside one read
  const onAbort = (): void => req.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  let body: unknown;
  try {
    const res = await req.send();
    if (res.statusCode < 200 || res.statusCode >= 300) throw new ChainError('CHAIN.UNAVAILABLE', `${rpcUrl}: HTTP ${res.statusCode} ${res.statusMessage}`);
    try {
      body = JSON.parse(res.bodyText) as unknown;
    } catch {
      throw new ChainError('CHAIN.BAD_RESPONSE', `${rpcUrl}: the answer is not JSON`);
    }
  } catch (e) {
    if (e instanceof ChainError) throw e;
    if (signal?.aborted) throw new ChainError('CHAIN.ABORTED', `${rpcUrl}: aborted`);
    throw new ChainError('CHAIN.UNAVAILABLE', `${rpcUrl}: node unreachable (${e instanceof Error ? e.message : String(e)})`);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (!Array.isArray(body)) throw new ChainError('CHAIN.BAD_RESPONSE', `${rpcUrl}: expected a JSON-RPC batch answer (an array)`);
  return calls.map((c, id) => {
    const answers = body.map((a) => RpcAnswerSchema.safeParse(a)).filter((r) => r.success && r.data.id === id);
    const a = answers[0];
    if (!a?.success) throw new ChainError('CHAIN.BAD_RESPONSE', `${rpcUrl}: ${c.method}: no valid answer in the batch`);
    if ('error' in a.data) {
      const code = a.data.error.code === -32602 ? 'CHAIN.INVALID_INPUT' : 'CHAIN.UNAVAILABLE';
      throw new ChainError(code, `${rpcUrl}: ${c.method}: ${a.data.error.message}`);
    }
    return a.data.result;
  });
}

function parse<S extends z.ZodType>(schema: S, value: unknown, field: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ChainError('CHAIN.BAD_RESPONSE', `${field}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** Where the transaction is now: unknown, in the mempool, or mined (with or without success) and how deep. */
export async function txConfirmations(rpcUrl: string, hash: string, o: ReadOptions & { signal?: AbortSignal } = {}): Promise<TxConfirmations> {
  checkUrl(rpcUrl);
  if (!TX_HASH.test(hash)) throw new ChainError('CHAIN.INVALID_INPUT', `hash: expected a 0x-prefixed 32-byte hex transaction hash, got ${JSON.stringify(hash)}`);
  const [rawReceipt, rawTx, rawHead] = await batch(
    rpcUrl,
    [
      { method: 'eth_getTransactionReceipt', params: [hash] },
      { method: 'eth_getTransactionByHash', params: [hash] },
      { method: 'eth_blockNumber', params: [] },
    ],
    o.requestTimeoutMs ?? 10_000,
    o.signal,
  );
  const receipt = parse(ReceiptSchema, rawReceipt, 'eth_getTransactionReceipt');
  const tx = parse(TxSchema, rawTx, 'eth_getTransactionByHash');
  const head = num(parse(Quantity, rawHead, 'eth_blockNumber'));
  if (receipt && receipt.transactionHash.toLowerCase() !== hash.toLowerCase()) {
    throw new ChainError('CHAIN.BAD_RESPONSE', `eth_getTransactionReceipt: transactionHash ${receipt.transactionHash} is not the hash asked for`);
  }
  if (!receipt) return { found: tx !== null, confirmations: 0, status: 'pending' };
  const blockNumber = num(receipt.blockNumber);
  // A node behind a load balancer may answer the head from a lagging replica: never below 1 once mined.
  const confirmations = Math.max(1, head - blockNumber + 1);
  return { found: true, blockNumber, confirmations, status: receipt.status === '0x1' ? 'success' : 'reverted' };
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const t = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort(): void {
      clearTimeout(t);
      reject(new ChainError('CHAIN.ABORTED', 'waiting for confirmations: aborted'));
    }
    signal?.addEventListener('abort', abort, { once: true });
  });

/**
 * Polls until the transaction is mined with success and `n` blocks deep. Throws CHAIN.TX_REVERTED
 * (not retryable) if it reverted, CHAIN.TIMEOUT after `timeoutMs` (the details hold the last state),
 * CHAIN.ABORTED on the signal. A node that is briefly unreachable is polled again until the deadline.
 */
export async function waitForConfirmations(rpcUrl: string, hash: string, n: number, o: WaitOptions): Promise<TxConfirmations> {
  if (!Number.isInteger(n) || n < 1) throw new ChainError('CHAIN.INVALID_INPUT', `confirmations: expected an integer >= 1, got ${n}`);
  if (!Number.isFinite(o.timeoutMs) || o.timeoutMs < 0) throw new ChainError('CHAIN.INVALID_INPUT', `timeoutMs: expected a non-negative number, got ${o.timeoutMs}`);
  if (!Number.isFinite(o.pollMs) || o.pollMs <= 0) throw new ChainError('CHAIN.INVALID_INPUT', `pollMs: expected a positive number, got ${o.pollMs}`);
  const deadline = performance.now() + o.timeoutMs;
  let last: TxConfirmations | undefined;
  let lastError: ChainError | undefined;
  for (;;) {
    if (o.signal?.aborted) throw new ChainError('CHAIN.ABORTED', 'waiting for confirmations: aborted');
    try {
      const c = await txConfirmations(rpcUrl, hash, o);
      lastError = undefined;
      if (c.status === 'reverted') throw new ChainError('CHAIN.TX_REVERTED', `transaction ${hash} reverted in block ${c.blockNumber}`, c);
      if (!last || last.found !== c.found || last.confirmations !== c.confirmations || last.status !== c.status) o.onProgress?.(c);
      last = c;
      if (c.status === 'success' && c.confirmations >= n) return c;
    } catch (e) {
      if (!isChainError(e, 'CHAIN.UNAVAILABLE')) throw e;
      lastError = e;
    }
    const left = deadline - performance.now();
    if (left <= 0) {
      const state = last ? `${last.status}, ${last.confirmations} confirmation(s)${last.found ? '' : ', unknown to the node'}` : 'never read';
      throw new ChainError('CHAIN.TIMEOUT', `transaction ${hash}: not ${n} confirmations deep after ${o.timeoutMs} ms (last: ${state}${lastError ? `; ${lastError.message}` : ''})`, last);
    }
    await sleep(Math.min(o.pollMs, left), o.signal);
  }
}
