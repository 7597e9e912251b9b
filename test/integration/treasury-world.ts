// A small treasury world for the workflow tests, all real parts: a local Hardhat chain (Uniswap's
// BLST/USDC deployment plus a USDT token), two SimExchanges whose withdrawals are real ERC-20
// transfers (EvmChainBridge), Ballast's account funded on alpha, resting quotes on alpha and bravo that
// price BLST at 0.5 USD, and the treasury activities' dependencies (SimVenue adapters, a ledger database).
import { Wallet } from 'ethers';
import type { PgLedgerStore } from '../../activities/ledger/pg-ledger';
import { openTestLedger } from './ledger-db';
import type { TreasuryDeps } from '../../activities/treasury.activities';
import type { BallastConfig } from '../../domain/config.schema';
import { mulberry32 } from '../../domain/rng';
import { RealClock } from '../../hotpath/clocks';
import { presetExchangeConfig } from '../../sim/exchange/exchange-presets';
import { SimExchange } from '../../sim/exchange/sim-exchange';
import { TransferNetwork } from '../../sim/exchange/transfer-network';
import { EvmChainBridge, deployTokens, hardhatHotWalletKeys, mintTokens, type BridgeToken } from '../../sim/evm/chain-bridge';
import { hardhatAccountKey, setIntervalMining } from '../../sim/evm/local-chain';
import { startLocalAmm, type LocalAmm } from '../../sim/evm/local-amm';
import { SimVenue } from '../../venues/sim/sim-venue';
import type { VenueAdapter } from '../../venues/venue.port';
import { testConfig } from './helpers';

export const ACCOUNT = 'ballast';
/** Hardhat account #0: the demo's cold wallet (and safe wallet). */
export const COLD_WALLET = new Wallet(hardhatAccountKey(0)).address;

export interface TreasuryWorld {
  rpcUrl: string;
  tokens: Record<string, BridgeToken>;
  alpha: SimExchange;
  bravo: SimExchange;
  config: BallastConfig;
  /** The world's ledger: a fresh PostgreSQL database (`ledger.url`). */
  ledger: PgLedgerStore & { url: string };
  /** Adapters the activities use; tests may wrap one (fault injection) before the worker starts. */
  venues: Map<string, VenueAdapter>;
  treasuryDeps(): Omit<TreasuryDeps, 'config' | 'logger'>;
  stop(): Promise<void>;
}

export interface TreasuryWorldOptions {
  blockMs?: number;
  minConfirmations?: number;
  /** Ballast's funding on alpha (default 1,000,000 BLST and 100,000 USDT). */
  funding?: { BLST: string; USDT: string };
  /** Further edits of the raw config (e.g. another Temporal address). */
  configure?: (raw: Record<string, any>) => void;
}

export async function startTreasuryWorld(o: TreasuryWorldOptions = {}): Promise<TreasuryWorld> {
  const amm: LocalAmm = await startLocalAmm({ reserves: { base: '1000', quote: '500' } });
  const rpcUrl = amm.chain.rpcUrl;
  const usdt = await deployTokens(rpcUrl, [{ symbol: 'USDT', name: 'Tether USD', decimals: 6 }]);
  const tokens: Record<string, BridgeToken> = { BLST: { address: amm.deployment.base.address, decimals: 18 }, USDC: { address: amm.deployment.quote.address, decimals: 6 }, ...usdt };
  // Blocks keep coming, so confirmations accumulate as they would on a real chain.
  await setIntervalMining(rpcUrl, o.blockMs ?? 250);
  const clock = new RealClock();
  const bridge = await EvmChainBridge.start({ rpcUrl, tokens, hotWallets: hardhatHotWalletKeys(['alpha', 'bravo']), pollMs: 50 }, { clock });
  const network = new TransferNetwork({ delayMs: { min: 10, max: 10 } }, { clock, rng: mulberry32(5), bridge });
  const withdrawals = { fees: { BLST: '2', USDT: '1' }, minConfirmations: o.minConfirmations ?? 2, blockTimeMs: o.blockMs ?? 250, processingDelayMs: 200 };
  const make = (id: string, seed: number) => new SimExchange(presetExchangeConfig(id, { latencyMs: { min: 1, max: 2 }, withdrawals }), { clock, rng: mulberry32(seed), network });
  const alpha = make('alpha', 6);
  const bravo = make('bravo', 7);
  const funding = o.funding ?? { BLST: '1000000', USDT: '100000' };
  alpha.fund(ACCOUNT, 'BLST', funding.BLST);
  alpha.fund(ACCOUNT, 'USDT', funding.USDT);
  // Each exchange's hot wallet holds what its customers hold (bravo: what alpha may send it).
  await mintTokens(rpcUrl, tokens, [
    { to: alpha.hotWallet, asset: 'BLST', amount: funding.BLST },
    { to: alpha.hotWallet, asset: 'USDT', amount: funding.USDT },
    { to: bravo.hotWallet, asset: 'BLST', amount: funding.BLST },
  ]);
  // Someone else's quotes around 0.5 on both exchanges: the caps price BLST at the cross-venue fair
  // value of the books (mid 0.5 on each: exactly 0.5 USD).
  for (const ex of [alpha, bravo]) {
    ex.fund('maker', 'BLST', '1000');
    ex.fund('maker', 'USDT', '1000');
    const maker = new SimVenue(ex, 'maker');
    await maker.loadMarket();
    await maker.submitOrder({ clientOrderId: 'ask-1', side: 'sell', price: '0.51', amount: '1000', postOnly: true, timeInForce: 'GTC' });
    await maker.submitOrder({ clientOrderId: 'bid-1', side: 'buy', price: '0.49', amount: '1000', postOnly: true, timeInForce: 'GTC' });
  }

  const bravoBlst = await bravo.depositAddress(ACCOUNT, 'BLST');
  const config = testConfig((raw) => {
    raw.treasury.whitelist = [
      { label: 'cold-wallet', address: COLD_WALLET, chain: 'evm-local', network: 'ERC20' },
      { label: 'bravo-deposit-blst', address: bravoBlst, chain: 'evm-local', network: 'ERC20' },
    ];
    raw.treasury.safeWallet = COLD_WALLET;
    raw.treasury.caps = { perTransferUsd: '250000', dailyUsd: '400000' };
    raw.treasury.approvalThresholdUsd = '50000';
    o.configure?.(raw);
  });
  const ledger = await openTestLedger('treasury');
  const venues = new Map<string, VenueAdapter>([
    ['alpha', new SimVenue(alpha, ACCOUNT)],
    ['bravo', new SimVenue(bravo, ACCOUNT)],
  ]);
  return {
    rpcUrl,
    tokens,
    alpha,
    bravo,
    config,
    ledger,
    venues,
    treasuryDeps: () => ({
      transferVenue: (id) => {
        const v = venues.get(id);
        if (!v) throw new Error(`no venue ${id} in the treasury test world`);
        return v;
      },
      ledger,
      chainRpcUrl: () => rpcUrl,
      now: Date.now,
      waitMs: 5_000,
      pollMs: 50,
    }),
    async stop() {
      await ledger.close();
      await bridge.stop();
      clock.stop();
      await amm.stop();
    },
  };
}
