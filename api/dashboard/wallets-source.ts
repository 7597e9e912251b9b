// The treasury wallets' balances of the asset and its quote currency, read on chain. In the simulation
// the chain, its tokens and their decimals are the simulated market's (GET /chain); a live config names
// no RPC endpoint per wallet chain yet, so there the balances stay null (not configured).
import { Contract, JsonRpcProvider } from 'ethers';
import { z } from 'zod';
import type { BallastConfig } from '../../domain/config.schema';
import { fromUnits } from '../../domain/token-units';

const ChainSchema = z.object({ rpcUrl: z.string(), chainId: z.number().int(), tokens: z.record(z.string(), z.string()), decimals: z.record(z.string(), z.number().int()) });
const ERC20 = ['function balanceOf(address owner) view returns (uint256)'];

/** Per wallet address (lower case): base and quote balances, decimal strings; null for a token the chain lacks. */
export type WalletBalances = Record<string, { base: string | null; quote: string | null }>;

export function walletBalancesReader(config: BallastConfig, marketUrl: string, timeoutMs: number): () => Promise<WalletBalances> {
  let chain: Promise<{ provider: JsonRpcProvider; info: z.infer<typeof ChainSchema> }> | undefined;
  const connect = () => {
    chain ??= (async () => {
      const r = await fetch(`${marketUrl}/chain`, { signal: AbortSignal.timeout(timeoutMs) });
      if (!r.ok) throw new Error(`the simulated market runs no chain (GET /chain: ${r.status})`);
      const info = ChainSchema.parse(await r.json());
      return { info, provider: new JsonRpcProvider(info.rpcUrl, info.chainId, { staticNetwork: true, cacheTimeout: -1 }) };
    })();
    chain.catch(() => (chain = undefined));
    return chain;
  };
  const addresses = [...new Set([config.treasury.safeWallet, ...config.treasury.whitelist.filter((w) => /^0x[0-9a-fA-F]{40}$/.test(w.address)).map((w) => w.address)].map((a) => a.toLowerCase()))];
  return async () => {
    const { info, provider } = await connect();
    const balance = async (symbol: string, who: string): Promise<string | null> => {
      const token = info.tokens[symbol];
      const decimals = info.decimals[symbol];
      if (!token || decimals === undefined) return null;
      const raw = (await new Contract(token, ERC20, provider).getFunction('balanceOf').staticCall(who)) as bigint;
      return fromUnits(raw, decimals);
    };
    const out: WalletBalances = {};
    await Promise.all(addresses.map(async (a) => (out[a] = { base: await balance(config.asset.symbol, a), quote: await balance(config.asset.quote, a) })));
    return out;
  };
}
