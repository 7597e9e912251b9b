// The ethers-only confirmations reader against a real Hardhat node (blocks mined by hand, so every
// count is known), plus nodes that are missing or answer garbage.
import { createServer, type Server } from 'node:http';
import { Wallet, type JsonRpcProvider } from 'ethers';
import { TOKEN_IFACE, deployTokens } from '../../sim/evm/chain-bridge';
import { localProvider } from '../../sim/evm/deploy-uniswap-v2';
import { freePort, hardhatAccountKey, mineBlocks, setAutomine, startLocalChain, type LocalChain } from '../../sim/evm/local-chain';
import { ChainError, isChainError, txConfirmations, waitForConfirmations, type TxConfirmations } from '../../venues/chain/evm-confirmations';

jest.setTimeout(120_000);

let chain: LocalChain;
let provider: JsonRpcProvider;
let garbage: Server | undefined;
const TO = new Wallet(hardhatAccountKey(3)).address;
const UNKNOWN = `0x${'ab'.repeat(32)}`;

beforeAll(async () => {
  chain = await startLocalChain();
  provider = localProvider(chain.rpcUrl);
});

afterAll(async () => {
  provider?.destroy();
  await chain?.stop();
  await new Promise<void>((r) => (garbage ? garbage.close(() => r()) : r()));
});

/** Sends with automine off, so the tx waits in the mempool until the test mines. */
async function pendingTx(data?: { to: string; data: string }): Promise<string> {
  await setAutomine(chain.rpcUrl, false);
  const signer = await provider.getSigner(2);
  const tx = await signer.sendTransaction(data ? { ...data, gasLimit: 100_000 } : { to: TO, value: 1n, gasLimit: 21_000 });
  return tx.hash;
}

async function caught(p: Promise<unknown>): Promise<ChainError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ChainError) return e;
    throw e;
  }
  throw new Error('expected a ChainError');
}

describe('txConfirmations', () => {
  afterEach(async () => setAutomine(chain.rpcUrl, true));

  it('says an unknown hash is not found, a mempool tx is found but pending, and counts blocks once mined', async () => {
    expect(await txConfirmations(chain.rpcUrl, UNKNOWN)).toEqual({ found: false, confirmations: 0, status: 'pending' });
    const hash = await pendingTx();
    expect(await txConfirmations(chain.rpcUrl, hash)).toEqual({ found: true, confirmations: 0, status: 'pending' });
    await mineBlocks(chain.rpcUrl, 1);
    const head = await provider.getBlockNumber();
    expect(await txConfirmations(chain.rpcUrl, hash)).toEqual({ found: true, blockNumber: head, confirmations: 1, status: 'success' });
    await mineBlocks(chain.rpcUrl, 2);
    expect(await txConfirmations(chain.rpcUrl, hash)).toEqual({ found: true, blockNumber: head, confirmations: 3, status: 'success' });
  });

  it('reports a mined transaction that reverted', async () => {
    const token = await deployTokens(chain.rpcUrl, [{ symbol: 'TST', name: 'Test', decimals: 6 }]);
    // Account 2 holds no TST: transfer(…) reverts with "ERC20: insufficient balance" when mined.
    const hash = await pendingTx({ to: token.TST!.address, data: TOKEN_IFACE.encodeFunctionData('transfer', [TO, 5n]) });
    await mineBlocks(chain.rpcUrl, 1);
    const c = await txConfirmations(chain.rpcUrl, hash);
    expect(c).toMatchObject({ found: true, confirmations: 1, status: 'reverted' });
    const e = await caught(waitForConfirmations(chain.rpcUrl, hash, 1, { timeoutMs: 5_000, pollMs: 20 }));
    expect(e.code).toBe('CHAIN.TX_REVERTED');
    expect(e.nonRetryable).toBe(true);
    expect(e.details).toEqual(c);
  });

  it('refuses a malformed hash or URL before asking anything', async () => {
    expect((await caught(txConfirmations(chain.rpcUrl, '0x1234'))).code).toBe('CHAIN.INVALID_INPUT');
    expect((await caught(txConfirmations('ftp://127.0.0.1:1', UNKNOWN))).message).toMatch(/^rpcUrl: /);
    expect((await caught(waitForConfirmations(chain.rpcUrl, UNKNOWN, 0, { timeoutMs: 10, pollMs: 5 }))).message).toMatch(/^confirmations: /);
  });

  it('says UNAVAILABLE (retryable) when no node answers', async () => {
    const port = await freePort();
    const e = await caught(txConfirmations(`http://127.0.0.1:${port}`, UNKNOWN, { requestTimeoutMs: 2_000 }));
    expect(e.code).toBe('CHAIN.UNAVAILABLE');
    expect(e.nonRetryable).toBe(false);
  });

  it('says BAD_RESPONSE, naming the field, when a node answers garbage', async () => {
    garbage = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify([
            { jsonrpc: '2.0', id: 0, result: { transactionHash: UNKNOWN, blockNumber: 'zz', status: '0x1' } },
            { jsonrpc: '2.0', id: 1, result: null },
            { jsonrpc: '2.0', id: 2, result: '0x10' },
          ]),
        );
      });
    });
    const port = await new Promise<number>((r) => garbage!.listen(0, '127.0.0.1', () => r((garbage!.address() as { port: number }).port)));
    const e = await caught(txConfirmations(`http://127.0.0.1:${port}`, UNKNOWN));
    expect(e.code).toBe('CHAIN.BAD_RESPONSE');
    expect(e.message).toMatch(/^eth_getTransactionReceipt: blockNumber: expected a hex quantity/);
  });
});

describe('waitForConfirmations', () => {
  afterEach(async () => setAutomine(chain.rpcUrl, true));

  it('resolves once the tx is N blocks deep, reporting each change on the way', async () => {
    const hash = await pendingTx();
    const seen: TxConfirmations[] = [];
    const waiting = waitForConfirmations(chain.rpcUrl, hash, 3, { timeoutMs: 60_000, pollMs: 20, onProgress: (c) => seen.push(c) });
    // Blocks one at a time, each after the waiter has seen the previous state.
    for (let i = 1; i <= 3; i++) {
      const want = i - 1;
      while (seen.at(-1)?.confirmations !== want) await new Promise((r) => setTimeout(r, 10));
      await mineBlocks(chain.rpcUrl, 1);
    }
    const done = await waiting;
    expect(done).toMatchObject({ found: true, confirmations: 3, status: 'success' });
    expect(seen.map((c) => [c.status, c.confirmations])).toEqual([
      ['pending', 0],
      ['success', 1],
      ['success', 2],
      ['success', 3],
    ]);
  });

  it('times out with the last state when the tx is not deep enough, and when it is unknown', async () => {
    const hash = await pendingTx();
    const e = await caught(waitForConfirmations(chain.rpcUrl, hash, 1, { timeoutMs: 200, pollMs: 20 }));
    expect(e.code).toBe('CHAIN.TIMEOUT');
    expect(e.nonRetryable).toBe(false);
    expect(e.details).toEqual({ found: true, confirmations: 0, status: 'pending' });
    const u = await caught(waitForConfirmations(chain.rpcUrl, UNKNOWN, 1, { timeoutMs: 100, pollMs: 20 }));
    expect(u.code).toBe('CHAIN.TIMEOUT');
    expect(u.message).toMatch(/unknown to the node/);
  });

  it('keeps polling through an unreachable node until the deadline, then times out saying why', async () => {
    const port = await freePort();
    const e = await caught(waitForConfirmations(`http://127.0.0.1:${port}`, UNKNOWN, 1, { timeoutMs: 150, pollMs: 30, requestTimeoutMs: 1_000 }));
    expect(isChainError(e, 'CHAIN.TIMEOUT')).toBe(true);
    expect(e.message).toMatch(/never read; .*node unreachable/);
  });

  it('stops on the abort signal', async () => {
    const ctl = new AbortController();
    const waiting = waitForConfirmations(chain.rpcUrl, UNKNOWN, 1, { timeoutMs: 60_000, pollMs: 20, signal: ctl.signal });
    setTimeout(() => ctl.abort(), 50);
    expect((await caught(waiting)).code).toBe('CHAIN.ABORTED');
  });
});
