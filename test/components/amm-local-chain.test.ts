// The local EVM launcher: answers when started, is gone when stopped, refuses a taken port.
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeChainId, startLocalChain, type LocalChain } from '../../sim/evm/local-chain';

jest.setTimeout(120_000);

let chain: LocalChain | undefined;
let blocker: Server | undefined;

afterAll(async () => {
  await chain?.stop();
  await new Promise<void>((r) => (blocker ? blocker.close(() => r()) : r()));
});

describe('startLocalChain', () => {
  it('starts hardhat node on 127.0.0.1, answers chain id 31337, logs to the file, and stops for good', async () => {
    const logFile = join(mkdtempSync(join(tmpdir(), 'ballast-evm-')), 'hardhat.log');
    chain = await startLocalChain({ logFile });
    expect(chain.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(chain.chainId).toBe(31337);
    expect(await probeChainId(chain.rpcUrl)).toBe(31337);
    expect(readFileSync(logFile, 'utf8')).toMatch(/Started HTTP and WebSocket JSON-RPC server/);
    await Promise.all([chain.stop(), chain.stop()]); // idempotent
    expect(await probeChainId(chain.rpcUrl)).toBeUndefined();
  });

  it('refuses a port that is already taken instead of talking to someone else', async () => {
    blocker = createServer();
    const port = await new Promise<number>((r) => blocker!.listen(0, '127.0.0.1', () => r((blocker!.address() as { port: number }).port)));
    await expect(startLocalChain({ port })).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`);
  });
});
