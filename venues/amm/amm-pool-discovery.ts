// Reads what the AMM venue must know about its pool from the chain, once, and checks it: the pair
// holds exactly the configured base and quote tokens, the router belongs to the pair's factory, and
// token symbols/decimals are sane. Plus the receipt parsing the venue's writes need.
import { Contract, ZeroAddress, getAddress, type Interface, type JsonRpcProvider, type LogDescription, type TransactionReceipt } from 'ethers';
import { VenueError } from '../venue-errors';
import { ERC20_ABI, PAIR_ABI, ROUTER_ABI } from './amm-abis';
import type { AmmPoolInfo, AmmToken } from './amm-venue.types';
import { rpcAddress, rpcDecimals, rpcSymbol, rpcUint } from './evm-errors';

export async function discoverPool(
  provider: JsonRpcProvider,
  o: { pair: string; router: string; base: string; quote: string },
  venue: string,
): Promise<AmmPoolInfo> {
  const pair = new Contract(o.pair, PAIR_ABI, provider);
  const router = new Contract(o.router, ROUTER_ABI, provider);
  const call = (c: Contract, m: string): Promise<unknown> => c.getFunction(m).staticCall();
  const [t0, t1, pairFactory, lpDec, routerFactory] = await Promise.all([
    call(pair, 'token0'),
    call(pair, 'token1'),
    call(pair, 'factory'),
    call(pair, 'decimals'),
    call(router, 'factory'),
  ]);
  const token0 = rpcAddress(t0, venue, 'pair.token0');
  const token1 = rpcAddress(t1, venue, 'pair.token1');
  const [base, quote] = [getAddress(o.base), getAddress(o.quote)];
  if (!((token0 === base && token1 === quote) || (token0 === quote && token1 === base))) {
    throw new VenueError('VENUE.BAD_RESPONSE', venue, `pair ${o.pair} holds ${token0}/${token1}, not ${base}/${quote}`);
  }
  if (rpcAddress(pairFactory, venue, 'pair.factory') !== rpcAddress(routerFactory, venue, 'router.factory')) {
    throw new VenueError('VENUE.BAD_RESPONSE', venue, `router ${o.router} belongs to another factory than pair ${o.pair}`);
  }
  const tokenInfo = async (address: string, label: string): Promise<AmmToken> => {
    const c = new Contract(address, ERC20_ABI, provider);
    const [sym, dec] = await Promise.all([call(c, 'symbol'), call(c, 'decimals')]);
    return { address, symbol: rpcSymbol(sym, venue, `${label}.symbol`), decimals: rpcDecimals(dec, venue, `${label}.decimals`) };
  };
  const [b, q] = await Promise.all([tokenInfo(base, 'base'), tokenInfo(quote, 'quote')]);
  if (b.symbol === q.symbol) throw new VenueError('VENUE.BAD_RESPONSE', venue, `base and quote tokens share the symbol ${b.symbol}`);
  return { base: b, quote: q, baseIsToken0: token0 === base, lpDecimals: rpcDecimals(lpDec, venue, 'pair.decimals') };
}

function pairLogs(iface: Interface, pairAddress: string, receipt: TransactionReceipt): LogDescription[] {
  const pair = getAddress(pairAddress);
  const out: LogDescription[] = [];
  for (const log of receipt.logs) {
    if (getAddress(log.address) !== pair) continue;
    const parsed = iface.parseLog(log);
    if (parsed) out.push(parsed);
  }
  return out;
}

/** The pair's Swap / Mint / Burn event in a receipt (exactly one per router call through one pair). */
export function pairEvent(iface: Interface, pairAddress: string, receipt: TransactionReceipt, venue: string, name: 'Swap' | 'Mint' | 'Burn'): LogDescription {
  const ev = pairLogs(iface, pairAddress, receipt).find((l) => l.name === name);
  if (!ev) throw new VenueError('VENUE.BAD_RESPONSE', venue, `${name} event missing from receipt ${receipt.hash}`);
  return ev;
}

/** LP tokens minted to `wallet` in a receipt (the first mint's MINIMUM_LIQUIDITY goes to address 0, not counted). */
export function lpMinted(iface: Interface, pairAddress: string, receipt: TransactionReceipt, wallet: string, venue: string): bigint {
  let minted = 0n;
  for (const l of pairLogs(iface, pairAddress, receipt)) {
    if (l.name === 'Transfer' && l.args[0] === ZeroAddress && getAddress(String(l.args[1])) === wallet) {
      minted += rpcUint(l.args[2], 256, venue, 'Transfer.value');
    }
  }
  return minted;
}
