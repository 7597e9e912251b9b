// SIGNED wallet endpoints (sapi capital): deposit address, withdraw (idempotent on
// `withdrawOrderId` unless `withdrawals.clientIds` is off), deposit and withdrawal history (a withdrawal
// shows only `withdrawals.historyLagMs` after it was applied).
import type { TransferRecord } from '../../venues/venue.port';
import type { EmulatorWithdrawals } from './binance-emulator';
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

export function walletRoutes(deps: RouteDeps, generatedKeys: Set<string>, settings: EmulatorWithdrawals = { historyLagMs: 0, clientIds: true }): Route[] {
  const { backend, transfers } = deps;
  /** Withdrawal id → wall-clock ms it was applied through this emulator (for the history lag). */
  const appliedAt = new Map<string, number>();
  const visible = (t: TransferRecord): boolean => {
    const at = appliedAt.get(t.id);
    return at === undefined || Date.now() - at >= settings.historyLagMs;
  };
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
        let key = settings.clientIds ? p.get('withdrawOrderId') || undefined : undefined;
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
        if (!appliedAt.has(t.id)) appliedAt.set(t.id, Date.now());
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
        const list = (await backend.withdrawals(accountOf(acc), coinOf(p))).filter(visible);
        // Without client ids the exchange filters by none and reports none.
        if (!settings.clientIds) p.delete('withdrawOrderId');
        return page(p, newestFirst(list).filter(historyFilter(p))).map((t) => withdrawalJson(transfers, settings.clientIds ? t : { ...t, idempotencyKey: undefined }));
      },
    },
  ];
}
