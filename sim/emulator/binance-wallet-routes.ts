// SIGNED wallet endpoints (sapi capital): deposit address, withdraw (idempotent on
// `withdrawOrderId`), deposit and withdrawal history.
import type { TransferRecord } from '../../venues/venue.port';
import { BinanceError, depositJson, networkId, withdrawalJson } from './binance-wire';
import { accountOf, decimalParam, intParam, required, type Route, type RouteDeps } from './binance-routes.types';

/** History filters shared by deposits and withdrawals. */
function historyFilter(p: URLSearchParams): (t: TransferRecord) => boolean {
  const start = intParam(p, 'startTime');
  const end = intParam(p, 'endTime');
  const clientId = p.get('withdrawOrderId');
  const ids = p.get('idList')?.split(',');
  return (t) =>
    (end === undefined || t.timestamp <= end) &&
    (start === undefined || t.timestamp >= start) &&
    (clientId === null || clientId === '' || t.idempotencyKey === clientId) &&
    (ids === undefined || ids.includes(t.id));
}

function page<T>(p: URLSearchParams, items: T[]): T[] {
  const limit = Math.min(intParam(p, 'limit') ?? 1000, 1000);
  const offset = intParam(p, 'offset') ?? 0;
  return items.slice(offset, offset + limit);
}

export function walletRoutes(deps: RouteDeps, generatedKeys: Set<string>): Route[] {
  const { backend, transfers } = deps;
  const newestFirst = (ts: TransferRecord[]): TransferRecord[] => [...ts].sort((a, b) => b.timestamp - a.timestamp);
  const coinOf = (p: URLSearchParams): string | undefined => p.get('coin') || undefined;
  /** Binance names networks by its own ids ("ETH" for ERC20); the backend by its name. */
  const checkNetwork = (p: URLSearchParams): void => {
    const n = p.get('network');
    if (n && n !== networkId(backend.network) && n !== backend.network) {
      throw new BinanceError(400, -4003, `Network ${n} is not supported for this coin (supported: ${networkId(backend.network)}).`);
    }
  };
  let seq = 0;
  return [
    {
      method: 'GET',
      path: '/sapi/v1/capital/deposit/address',
      security: 'SIGNED',
      weight: 10,
      handle: async (p, acc) => {
        const coin = required(p, 'coin');
        checkNetwork(p);
        const address = await backend.depositAddress(accountOf(acc), coin);
        const tag = (await backend.depositMemo?.(accountOf(acc), coin)) ?? '';
        return { address, coin, tag, url: '' };
      },
    },
    {
      method: 'POST',
      path: '/sapi/v1/capital/withdraw/apply',
      security: 'SIGNED',
      // Binance counts sapi against separate, larger UID limits; one shared bucket here.
      weight: 1,
      handle: async (p, acc) => {
        checkNetwork(p);
        let key = p.get('withdrawOrderId') || undefined;
        if (key === undefined) {
          // Without withdrawOrderId Binance does not de-duplicate: every request is a new withdrawal.
          key = `emu-nokey-${++seq}`;
          generatedKeys.add(key);
        }
        const t = await backend.withdraw(accountOf(acc), {
          asset: required(p, 'coin'),
          amount: decimalParam(p, 'amount'),
          address: required(p, 'address'),
          network: backend.network,
          // ccxt sends the unified `tag` as addressTag; the exchange forwards it with the transfer.
          ...(p.get('addressTag') ? { memo: p.get('addressTag')! } : {}),
          idempotencyKey: key,
        });
        return { id: t.id };
      },
    },
    {
      method: 'GET',
      path: '/sapi/v1/capital/deposit/hisrec',
      security: 'SIGNED',
      weight: 1,
      handle: async (p, acc) => {
        const list = await backend.deposits(accountOf(acc), coinOf(p));
        return page(p, newestFirst(list).filter(historyFilter(p))).map((t) => depositJson(transfers, t));
      },
    },
    {
      method: 'GET',
      path: '/sapi/v1/capital/withdraw/history',
      security: 'SIGNED',
      weight: 18,
      handle: async (p, acc) => {
        const list = await backend.withdrawals(accountOf(acc), coinOf(p));
        return page(p, newestFirst(list).filter(historyFilter(p))).map((t) => withdrawalJson(transfers, t));
      },
    },
  ];
}
