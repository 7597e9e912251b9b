// Withdrawals between simulated exchanges as real ERC-20 transfers on a local Hardhat node: the
// network's tx hash is the real one, the token Transfer event carries the exact amount, the
// destination credits only after N confirmations counted on the chain, an idempotent retry sends
// one transaction, a revert refunds, and an asset without a token stays simulated.
import { JsonRpcProvider, Wallet, getAddress } from 'ethers';
import { D } from '../../domain/money';
import { mulberry32 } from '../../domain/rng';
import { RealClock } from '../../hotpath/clocks';
import { presetExchangeConfig } from '../../sim/exchange/exchange-presets';
import { SimExchange } from '../../sim/exchange/sim-exchange';
import { TransferNetwork } from '../../sim/exchange/transfer-network';
import { EvmChainBridge, TOKEN_IFACE, deployTokens, hardhatHotWalletKeys, mintTokens, tokenBalance, type BridgeToken } from '../../sim/evm/chain-bridge';
import { localProvider } from '../../sim/evm/deploy-uniswap-v2';
import { hardhatAccountKey, mineBlocks, setIntervalMining } from '../../sim/evm/local-chain';
import { startLocalAmm, type LocalAmm } from '../../sim/evm/local-amm';
import { txConfirmations } from '../../venues/chain/evm-confirmations';
import { isVenueError } from '../../venues/venue-errors';

jest.setTimeout(180_000);

const WITHDRAWALS = { fees: { BLST: '2', USDT: '1' }, minConfirmations: 3, blockTimeMs: 100, processingDelayMs: 0 };
/** Hardhat account #1: the demo's "alpha-deposit" whitelist entry, an external wallet here. */
const WHITELISTED = new Wallet(hardhatAccountKey(1)).address;

let amm: LocalAmm;
let rpcUrl: string;
let provider: JsonRpcProvider;
let tokens: Record<string, BridgeToken>;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  amm = await startLocalAmm({ reserves: { base: '1000', quote: '500' } });
  rpcUrl = amm.chain.rpcUrl;
  provider = localProvider(rpcUrl);
  const usdt = await deployTokens(rpcUrl, [{ symbol: 'USDT', name: 'Tether USD', decimals: 6 }]);
  tokens = { BLST: { address: amm.deployment.base.address, decimals: 18 }, USDC: { address: amm.deployment.quote.address, decimals: 6 }, ...usdt };
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

afterAll(async () => {
  provider?.destroy();
  await amm?.stop();
});

async function world(o: { tokens?: Record<string, BridgeToken>; float?: string } = {}) {
  const clock = new RealClock();
  const errors: Error[] = [];
  const bridge = await EvmChainBridge.start({ rpcUrl, tokens: o.tokens ?? tokens, hotWallets: hardhatHotWalletKeys(['alpha', 'bravo']), pollMs: 30 }, { clock, onError: (e) => errors.push(e) });
  cleanups.push(async () => {
    await bridge.stop();
    clock.stop();
  });
  const network = new TransferNetwork({ delayMs: { min: 10, max: 10 } }, { clock, rng: mulberry32(5), bridge });
  const make = (id: string, seed: number) =>
    new SimExchange(presetExchangeConfig(id, { latencyMs: { min: 1, max: 1 }, withdrawals: WITHDRAWALS }), { clock, rng: mulberry32(seed), network });
  const a = make('alpha', 6);
  const b = make('bravo', 7);
  a.fund('mm', 'BLST', '1000');
  a.fund('mm', 'USDT', '1000');
  const float = o.float ?? '1000';
  const grants = Object.keys(o.tokens ?? tokens)
    .filter((asset) => asset !== 'USDC')
    .map((asset) => ({ to: a.hotWallet, asset, amount: float }));
  await mintTokens(rpcUrl, tokens, grants);
  return { clock, bridge, network, a, b, errors };
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const until = performance.now() + ms;
  while (!(await cond())) {
    if (performance.now() > until) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const free = (ex: SimExchange, account: string, asset: string) => ex.engine.balances(account).find((x) => x.asset === asset)?.free ?? '0';
const units = (amount: string, decimals: number) => BigInt(new D(amount).times(new D(10).pow(decimals)).toFixed(0));

async function transferLogs(hash: string) {
  const receipt = await provider.getTransactionReceipt(hash);
  if (!receipt) throw new Error(`no receipt for ${hash}`);
  const logs = receipt.logs.map((l) => ({ address: l.address, parsed: TOKEN_IFACE.parseLog({ topics: [...l.topics], data: l.data }) }));
  return { receipt, transfers: logs.filter((l) => l.parsed?.name === 'Transfer').map((l) => ({ token: l.address, from: String(l.parsed!.args[0]), to: String(l.parsed!.args[1]), value: l.parsed!.args[2] as bigint })) };
}

describe('EvmChainBridge behind the TransferNetwork', () => {
  it('uses Hardhat accounts 10 and 11 as the exchanges hot wallets', async () => {
    const { a, b } = await world();
    expect(a.hotWallet).toBe(new Wallet(hardhatAccountKey(10)).address);
    expect(b.hotWallet).toBe(new Wallet(hardhatAccountKey(11)).address);
  });

  it('sends a real token transfer to the destination deposit address; B credits only after 3 confirmations on chain', async () => {
    const { a, b, network, errors } = await world();
    const addr = await b.depositAddress('mm', 'BLST');
    const hotBefore = await tokenBalance(rpcUrl, tokens.BLST!.address, a.hotWallet);
    await a.withdraw('mm', { asset: 'BLST', amount: '12.5', address: addr, network: 'ERC20', idempotencyKey: 'a-to-b' });
    await waitFor('the withdrawal tx hash', () => a.withdrawalRecords('mm')[0]?.txHash !== undefined);
    const hash = a.withdrawalRecords('mm')[0]!.txHash!;
    expect(network.transfer(hash)).toMatchObject({ onChain: true, from: a.hotWallet, to: addr, amount: '12.5' });
    await waitFor('the receipt', async () => (await provider.getTransactionReceipt(hash)) !== null);

    const { receipt, transfers } = await transferLogs(hash);
    expect(receipt.status).toBe(1);
    expect(receipt.from).toBe(a.hotWallet);
    expect(transfers).toEqual([{ token: tokens.BLST!.address, from: a.hotWallet, to: getAddress(addr), value: 12_500_000_000_000_000_000n }]);

    // Automine put the tx in a block: 1 confirmation, and no other block comes unless we mine one.
    await waitFor('the deposit at 1 confirmation', () => b.depositRecords('mm')[0]?.confirmations === 1);
    expect(b.depositRecords('mm')[0]).toMatchObject({ status: 'confirming', txHash: hash, amount: '12.5' });
    expect(free(b, 'mm', 'BLST')).toBe('0');
    await mineBlocks(rpcUrl, 1);
    await waitFor('the deposit at 2 confirmations', () => b.depositRecords('mm')[0]?.confirmations === 2);
    expect(free(b, 'mm', 'BLST')).toBe('0');
    expect(network.inFlight('BLST')).toBe('12.5');
    await mineBlocks(rpcUrl, 1);
    await waitFor('the deposit credited', () => b.depositRecords('mm')[0]?.status === 'ok');
    expect(free(b, 'mm', 'BLST')).toBe('12.5');
    expect(b.depositRecords('mm')[0]!.confirmations).toBe(3);
    expect(await txConfirmations(rpcUrl, hash)).toEqual({ found: true, blockNumber: receipt.blockNumber, confirmations: 3, status: 'success' });

    await waitFor('the withdrawal ok', () => a.withdrawalRecords('mm')[0]?.status === 'ok');
    expect(a.withdrawalRecords('mm')[0]!.confirmations).toBe(3);
    expect(free(a, 'mm', 'BLST')).toBe('985.5'); // 1000 − 12.5 − fee 2
    expect(network.transfer(hash)!.status).toBe('credited');
    expect(network.inFlight('BLST')).toBe('0');
    expect(await tokenBalance(rpcUrl, tokens.BLST!.address, addr)).toBe(12_500_000_000_000_000_000n);
    expect(hotBefore - (await tokenBalance(rpcUrl, tokens.BLST!.address, a.hotWallet))).toBe(12_500_000_000_000_000_000n);
    expect(errors).toEqual([]);
  });

  it('pays an external whitelisted wallet exactly, with confirmations growing as blocks come', async () => {
    const { a, network, errors } = await world();
    const before = await tokenBalance(rpcUrl, tokens.USDT!.address, WHITELISTED);
    await setIntervalMining(rpcUrl, 150);
    try {
      await a.withdraw('mm', { asset: 'USDT', amount: '7.25', address: WHITELISTED, network: 'ERC20', idempotencyKey: 'to-cold' });
      const seen: number[] = [];
      await waitFor('5 confirmations', () => {
        const c = a.withdrawalRecords('mm')[0]?.confirmations ?? 0;
        if (seen.at(-1) !== c) seen.push(c);
        return c >= 5 || a.withdrawalRecords('mm')[0]?.status === 'ok';
      });
      // minConfirmations is 3: the desk stops counting there; the chain goes on.
      const hash = a.withdrawalRecords('mm')[0]!.txHash!;
      const first = await txConfirmations(rpcUrl, hash);
      await waitFor('the chain to move on', async () => (await txConfirmations(rpcUrl, hash)).confirmations > first.confirmations + 1);
      expect(seen[0]).toBe(0);
      expect(seen.at(-1)).toBe(3);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
    } finally {
      await setIntervalMining(rpcUrl, 0);
    }
    expect((await tokenBalance(rpcUrl, tokens.USDT!.address, WHITELISTED)) - before).toBe(7_250_000n);
    expect(network.externalBalance(WHITELISTED, 'USDT')).toBe('7.25');
    expect(free(a, 'mm', 'USDT')).toBe('991.75'); // 1000 − 7.25 − fee 1
    expect(errors).toEqual([]);
  });

  it('sends one transaction for one idempotency key, however often the withdrawal is retried', async () => {
    const { a, network } = await world();
    const nonceBefore = await provider.getTransactionCount(a.hotWallet, 'latest');
    const blockBefore = await provider.getBlockNumber();
    const req = { asset: 'BLST', amount: '3', address: WHITELISTED, network: 'ERC20', idempotencyKey: 'transfer:42/withdraw' };
    const [r1, r2] = await Promise.all([a.withdraw('mm', req), a.withdraw('mm', req)]);
    await waitFor('the receipt', async () => {
      const h = a.withdrawalRecords('mm')[0]?.txHash;
      return h !== undefined && (await provider.getTransactionReceipt(h)) !== null;
    });
    const r3 = await a.withdraw('mm', req);
    expect(r2.id).toBe(r1.id);
    expect(r3.id).toBe(r1.id);
    expect(a.withdrawalRecords('mm')).toHaveLength(1);
    expect(network.transfers().filter((t) => t.from === a.hotWallet)).toHaveLength(1);
    expect(await provider.getTransactionCount(a.hotWallet, 'latest')).toBe(nonceBefore + 1);
    const logs = await provider.getLogs({ address: tokens.BLST!.address, fromBlock: blockBefore + 1, toBlock: 'latest', topics: [TOKEN_IFACE.getEvent('Transfer')!.topicHash, null, null] });
    const fromHot = logs.filter((l) => TOKEN_IFACE.parseLog({ topics: [...l.topics], data: l.data })?.args[0] === a.hotWallet);
    expect(fromHot).toHaveLength(1);
    expect(fromHot[0]!.transactionHash).toBe(a.withdrawalRecords('mm')[0]!.txHash);
    expect(free(a, 'mm', 'BLST')).toBe('995'); // one withdrawal of 3 + fee 2
  });

  it('fails and refunds a withdrawal whose transfer reverts on chain (hot wallet short of tokens)', async () => {
    const { a, network } = await world({ float: '1' });
    a.fund('mm', 'BLST', '999000'); // now 1,000,000: more than the hot wallet ever received
    const hotHolds = await tokenBalance(rpcUrl, tokens.BLST!.address, a.hotWallet);
    expect(hotHolds).toBeLessThan(units('900000', 18));
    await a.withdraw('mm', { asset: 'BLST', amount: '900000', address: WHITELISTED, network: 'ERC20', idempotencyKey: 'too-much' });
    await waitFor('the failure', () => a.withdrawalRecords('mm')[0]?.status === 'failed');
    const hash = a.withdrawalRecords('mm')[0]!.txHash!;
    expect((await txConfirmations(rpcUrl, hash)).status).toBe('reverted');
    expect(free(a, 'mm', 'BLST')).toBe('1000000');
    expect(a.feesCollected('BLST')).toBe('0');
    expect(network.transfer(hash)).toMatchObject({ status: 'failed', onChain: true });
    expect(network.inFlight('BLST')).toBe('0');
    expect(await tokenBalance(rpcUrl, tokens.BLST!.address, a.hotWallet)).toBe(hotHolds);
    // The nonce was used by the reverted tx: the next withdrawal still goes through.
    await a.withdraw('mm', { asset: 'BLST', amount: '0.5', address: WHITELISTED, network: 'ERC20', idempotencyKey: 'small' });
    await waitFor('the next withdrawal mined', async () => {
      const h = a.withdrawalRecords('mm')[1]?.txHash;
      return h !== undefined && (await txConfirmations(rpcUrl, h)).status === 'success';
    });
  });

  it('refuses an amount the token cannot express, and keeps an asset without a token simulated', async () => {
    const { a, b, network } = await world({ tokens: { BLST: tokens.BLST! } });
    // USDT has no token in this bridge: the old simulated path, confirmations on the Clock.
    const addr = await b.depositAddress('mm', 'USDT');
    await a.withdraw('mm', { asset: 'USDT', amount: '4', address: addr, network: 'ERC20', idempotencyKey: 'sim' });
    await waitFor('the simulated deposit credited', () => b.depositRecords('mm')[0]?.status === 'ok');
    const hash = a.withdrawalRecords('mm')[0]!.txHash!;
    expect(network.transfer(hash)!.onChain).toBe(false);
    expect(await txConfirmations(rpcUrl, hash)).toEqual({ found: false, confirmations: 0, status: 'pending' });
    expect(free(b, 'mm', 'USDT')).toBe('4');
    // BLST has 18 decimals on chain: 19 decimal places cannot be sent.
    const tooFine = a.withdraw('mm', { asset: 'BLST', amount: '1.0000000000000000001', address: WHITELISTED, network: 'ERC20', idempotencyKey: 'fine' });
    await expect(tooFine).rejects.toThrow(/18 decimals/);
    await tooFine.catch((e: unknown) => expect(isVenueError(e, 'VENUE.INVALID_ORDER')).toBe(true));
    expect(free(a, 'mm', 'BLST')).toBe('1000');
  });
});
