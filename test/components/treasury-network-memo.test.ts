// Whitelist network and memo through the real path (issue 11, acceptance 3): the treasury activities
// on two SimExchanges behind Binance emulators, reached with the real ccxt client. bravo credits
// Ballast's deposits by a memo (as a shared-address network does): a withdrawal must carry it, on the
// whitelist entry's network. A mismatch — the destination's deposit address on another network, or
// another memo — is refused before any withdrawal, naming the whitelist field.
import pino from 'pino';
import { MemoryLedgerStore } from '../../activities/ledger/memory-ledger';
import { createTreasuryActivities } from '../../activities/treasury.activities';
import { DEFAULT_CONFIG_PATH, parseConfig, readRawConfig } from '../../config/load';
import { mulberry32 } from '../../domain/rng';
import { RealClock } from '../../hotpath/clocks';
import { BinanceEmulator } from '../../sim/emulator/binance-emulator';
import { presetExchangeConfig } from '../../sim/exchange/exchange-presets';
import { SimExchange } from '../../sim/exchange/sim-exchange';
import { TransferNetwork } from '../../sim/exchange/transfer-network';
import { CcxtVenue } from '../../venues/ccxt/ccxt-venue';
import type { TransferRecord, VenueAdapter } from '../../venues/venue.port';

const MM = { account: 'mm', apiKey: 'mmKey0001', secret: 'mm-secret-0001' };
const COLD = '0x00000000000000000000000000000000c01dc01d';
const COLD_BSC = '0x00000000000000000000000000000000000b5cb5';
const BRAVO_DEPOSIT = '0x00000000000000000000000000000000b2a7d0de';
const BRAVO_MEMO = '424242';

let clock: RealClock;
let alpha: SimExchange;
let bravo: SimExchange;
const emulators: BinanceEmulator[] = [];
const ccxtVenues = new Map<string, CcxtVenue>();

type Entry = Record<string, unknown>;
const WHITELIST: Entry[] = [
  { label: 'cold-wallet', address: COLD, chain: 'evm-local', network: 'ERC20' },
  { label: 'bravo-deposit', address: BRAVO_DEPOSIT, chain: 'evm-local', network: 'ERC20', memo: BRAVO_MEMO },
  { label: 'cold-bsc', address: COLD_BSC, chain: 'bsc', network: 'BEP20' },
];

/** The treasury activities with the demo config and this whitelist, over the ccxt venues. */
function activities(whitelist: Entry[] = WHITELIST) {
  const raw = readRawConfig(DEFAULT_CONFIG_PATH) as Record<string, any>;
  delete raw.simulation;
  raw.treasury.whitelist = whitelist;
  raw.treasury.safeWallet = COLD;
  const config = parseConfig(raw, 'test config');
  // The ledger is not what this test is about (test/integration/ledger-pg.test.ts is): the in-memory store.
  const ledger = new MemoryLedgerStore();
  return createTreasuryActivities({
    config,
    transferVenue: (id: string): VenueAdapter => {
      const v = ccxtVenues.get(id);
      if (!v) throw new Error(`no venue ${id} here`);
      return v;
    },
    ledger,
    chainRpcUrl: () => 'http://127.0.0.1:1',
    now: Date.now,
    logger: pino({ level: 'silent' }),
    waitMs: 5_000,
    pollMs: 25,
  });
}

async function eventually<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  clock = new RealClock();
  const network = new TransferNetwork({ delayMs: { min: 10, max: 10 } }, { clock, rng: mulberry32(21) });
  const make = (id: string, seed: number) =>
    new SimExchange(
      presetExchangeConfig(id, {
        latencyMs: { min: 1, max: 2 },
        rateLimit: { capacity: 1000, refillPerSec: 1000 },
        withdrawals: { fees: { BLST: '2', USDT: '1' }, minConfirmations: 1, blockTimeMs: 20, processingDelayMs: 20 },
      }),
      { clock, rng: mulberry32(seed), network },
    );
  alpha = make('alpha', 22);
  bravo = make('bravo', 23);
  alpha.fund(MM.account, 'USDT', '10000');
  // bravo's one deposit address for Ballast's account, credited by memo.
  bravo.assignDepositAddress(MM.account, BRAVO_DEPOSIT, BRAVO_MEMO);
  for (const [id, sim] of [['alpha', alpha], ['bravo', bravo]] as const) {
    const emu = new BinanceEmulator({ backend: sim, accounts: [MM], streams: { intervalMs: 50 } });
    emulators.push(emu);
    const { restUrl, wsUrl } = await emu.start();
    ccxtVenues.set(id, new CcxtVenue({ id, exchangeId: 'binance', symbol: 'BLST/USDT', credentials: MM, restUrl, wsUrl, timeoutMs: 3000 }));
  }
});

afterAll(async () => {
  for (const v of ccxtVenues.values()) await v.close();
  for (const e of emulators) await e.stop();
  clock.stop();
});

const withdrawInput = (workflowId: string, ctx: { destination: { address: string; network: string }; priceUsd: string; day: string }, amount = '100') => ({
  workflowId,
  venue: 'alpha',
  asset: 'USDT',
  amount,
  address: ctx.destination.address,
  network: ctx.destination.network,
  amountUsd: amount,
  priceUsd: ctx.priceUsd,
  requester: 'alice@ops',
  idempotencyKey: `${workflowId}:withdraw`,
  day: ctx.day,
});

describe('whitelist network and memo, ccxt → Binance emulator → SimExchange', () => {
  it('a match goes through: bravo deposit on ERC20 with its memo; the withdrawal carries both and bravo credits it', async () => {
    const acts = activities();
    const ctx = await acts.prepareTransfer({ asset: 'USDT', fromVenue: 'alpha', to: { venue: 'bravo' } });
    expect(ctx.destination).toEqual({ kind: 'venue', venue: 'bravo', label: 'bravo-deposit', address: BRAVO_DEPOSIT, network: 'ERC20', memo: BRAVO_MEMO });
    await acts.reserveTransfer({ workflowId: 'transfer:nm-1', day: ctx.day, asset: 'USDT', amount: '100', amountUsd: '100', from: 'alpha', to: 'bravo' });
    // The workflow passes address and network; the memo is the worker's whitelist entry's.
    const w = await acts.withdraw(withdrawInput('transfer:nm-1', ctx));
    // What the exchange itself recorded (network in its naming, the memo ccxt sent as addressTag).
    const [onAlpha] = (await alpha.withdrawals(MM.account, 'USDT')).filter((r) => r.idempotencyKey === 'transfer:nm-1:withdraw');
    expect(onAlpha).toMatchObject({ id: w.id, network: 'ERC20', memo: BRAVO_MEMO, address: BRAVO_DEPOSIT, amount: '100' });
    // Read back through ccxt: the history shows the memo too.
    const viaCcxt = (await ccxtVenues.get('alpha')!.fetchWithdrawals('USDT')).find((r) => r.id === w.id);
    expect(viaCcxt?.memo).toBe(BRAVO_MEMO);
    const credited = await eventually(async () => (await bravo.deposits(MM.account, 'USDT')).find((d: TransferRecord) => d.status === 'ok'), 'bravo credits the deposit');
    expect(credited).toMatchObject({ amount: '100', memo: BRAVO_MEMO, address: BRAVO_DEPOSIT });
    expect((await bravo.fetchBalances(MM.account)).find((b) => b.asset === 'USDT')?.free).toBe('100');
  });

  it('a memo that differs from the destination venue\'s is refused, naming treasury.whitelist[1].memo', async () => {
    const wrongMemo = WHITELIST.map((e, i) => (i === 1 ? { ...e, memo: '999' } : e));
    await expect(activities(wrongMemo).prepareTransfer({ asset: 'USDT', fromVenue: 'alpha', to: { venue: 'bravo' } })).rejects.toMatchObject({
      type: 'TRANSFER.MEMO_MISMATCH',
      nonRetryable: true,
      message: 'treasury.whitelist[1].memo: bravo credits USDT deposits by memo "424242", the whitelist says "999"',
    });
    const noMemo = WHITELIST.map((e, i) => (i === 1 ? { label: e.label, address: e.address, chain: e.chain, network: e.network } : e));
    await expect(activities(noMemo).prepareTransfer({ asset: 'USDT', fromVenue: 'alpha', to: { venue: 'bravo' } })).rejects.toMatchObject({
      type: 'TRANSFER.MEMO_MISMATCH',
      message: 'treasury.whitelist[1].memo: bravo credits USDT deposits by memo "424242", the whitelist says (none)',
    });
  });

  it('a destination whose deposit address is on another network is refused (the emulator answers -4003 for BEP20), naming treasury.whitelist[1].network', async () => {
    const bep20 = WHITELIST.map((e, i) => (i === 1 ? { ...e, network: 'BEP20' } : e));
    const err = await activities(bep20)
      .prepareTransfer({ asset: 'USDT', fromVenue: 'alpha', to: { venue: 'bravo' } })
      .then(() => undefined, (e: unknown) => e as { type?: string; message: string });
    expect(err?.type).toBe('TRANSFER.NETWORK_MISMATCH');
    expect(err?.message).toMatch(/^treasury\.whitelist\[1\]\.network: bravo takes no USDT deposits on network "BEP20" \(.*Network BSC is not supported/);
  });

  it('a wallet destination is sent on its entry\'s network: ERC20 passes, BEP20 is refused by the exchange and nothing moves', async () => {
    const acts = activities();
    const erc = await acts.prepareTransfer({ asset: 'USDT', fromVenue: 'alpha', to: { wallet: 'cold-wallet' } });
    expect(erc.destination).toEqual({ kind: 'wallet', label: 'cold-wallet', address: COLD, network: 'ERC20' });
    await acts.reserveTransfer({ workflowId: 'transfer:nm-2', day: erc.day, asset: 'USDT', amount: '50', amountUsd: '50', from: 'alpha', to: 'cold-wallet' });
    const ok = await acts.withdraw(withdrawInput('transfer:nm-2', erc, '50'));
    const rec = (await alpha.withdrawals(MM.account, 'USDT')).find((r) => r.id === ok.id);
    expect(rec).toMatchObject({ network: 'ERC20', address: COLD });
    expect(rec?.memo).toBeUndefined();

    const bsc = await acts.prepareTransfer({ asset: 'USDT', fromVenue: 'alpha', to: { wallet: 'cold-bsc' } });
    expect(bsc.destination).toMatchObject({ address: COLD_BSC, network: 'BEP20' });
    await acts.reserveTransfer({ workflowId: 'transfer:nm-3', day: bsc.day, asset: 'USDT', amount: '50', amountUsd: '50', from: 'alpha', to: 'cold-bsc' });
    const before = (await alpha.withdrawals(MM.account)).length;
    await expect(acts.withdraw(withdrawInput('transfer:nm-3', bsc, '50'))).rejects.toMatchObject({ type: 'VENUE.INVALID_ORDER', message: expect.stringContaining('Network BSC is not supported') });
    expect((await alpha.withdrawals(MM.account)).length).toBe(before);
  });

  it('the withdraw activity refuses a network the whitelist does not give that address (a tampered or stale workflow input), before the venue call', async () => {
    const acts = activities();
    const ctx = await acts.prepareTransfer({ asset: 'USDT', fromVenue: 'alpha', to: { wallet: 'cold-wallet' } });
    await acts.reserveTransfer({ workflowId: 'transfer:nm-4', day: ctx.day, asset: 'USDT', amount: '10', amountUsd: '10', from: 'alpha', to: 'cold-wallet' });
    const before = (await alpha.withdrawals(MM.account)).length;
    await expect(acts.withdraw({ ...withdrawInput('transfer:nm-4', ctx, '10'), network: 'TRC20' })).rejects.toMatchObject({
      type: 'TRANSFER.NETWORK_MISMATCH',
      message: `activity policy check: network: destination ${COLD} is whitelisted on ERC20 (as alpha names it), not "TRC20"`,
    });
    await expect(acts.withdraw({ ...withdrawInput('transfer:nm-4', ctx, '10'), memo: 'x1' })).rejects.toMatchObject({
      type: 'TRANSFER.MEMO_MISMATCH',
      message: 'activity policy check: memo: destination "cold-wallet" takes no memo, got "x1"',
    });
    expect((await alpha.withdrawals(MM.account)).length).toBe(before);
  });

  it('why the memo matters: a deposit to bravo without it is never credited (the exchange cannot attribute it)', async () => {
    const v = ccxtVenues.get('alpha')!;
    const w = await v.withdraw({ asset: 'USDT', amount: '5', address: BRAVO_DEPOSIT, network: 'ERC20', idempotencyKey: 'raw-no-memo' });
    const lost = await eventually(async () => (await bravo.deposits(MM.account, 'USDT')).find((d) => d.amount === '5' && d.status !== 'pending'), 'bravo sees the deposit');
    expect(w.id).toBeDefined();
    expect(lost.status).toBe('failed');
    expect(lost.memo).toBeUndefined();
    expect((await bravo.fetchBalances(MM.account)).find((b) => b.asset === 'USDT')?.free).toBe('100'); // only the first transfer's
  });

  it('caps with no price: the token with no usable book fails retryably (an outage passes), an asset with no source does not', async () => {
    const acts = activities();
    // No one quotes BLST on these two exchanges: no usable book for the cross-venue fair value.
    await expect(acts.prepareTransfer({ asset: 'BLST', fromVenue: 'alpha', to: { wallet: 'cold-wallet' } })).rejects.toMatchObject({ type: 'TRANSFER.NO_PRICE', nonRetryable: false });
    await expect(acts.prepareTransfer({ asset: 'XYZ', fromVenue: 'alpha', to: { wallet: 'cold-wallet' } })).rejects.toMatchObject({ type: 'TRANSFER.NO_PRICE', nonRetryable: true });
  });
});
