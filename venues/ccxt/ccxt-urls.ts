// Points a ccxt exchange at another host (the exchange emulator, a testnet, a proxy) by rewriting
// `exchange.urls.api`: every REST base keeps its path under the new origin; every websocket URL
// becomes `wsUrl` (an emulator serves all streams on one endpoint; for Binance spot it must contain
// "/stream", which is how ccxt's binance tells spot streams from futures ones).

type UrlTree = string | { [k: string]: UrlTree } | UrlTree[];

function rewrite(node: UrlTree, restOrigin: string | undefined, wsUrl: string | undefined): UrlTree {
  if (typeof node === 'string') {
    if (wsUrl !== undefined && /^wss?:\/\//.test(node)) return wsUrl;
    if (restOrigin !== undefined && /^https?:\/\//.test(node)) {
      const u = new URL(node);
      return `${restOrigin}${u.pathname === '/' ? '' : u.pathname}${u.search}`;
    }
    return node;
  }
  if (Array.isArray(node)) return node.map((n) => rewrite(n, restOrigin, wsUrl));
  const out: { [k: string]: UrlTree } = {};
  for (const [k, v] of Object.entries(node)) out[k] = rewrite(v, restOrigin, wsUrl);
  return out;
}

export function rewriteApiUrls(urls: { api?: unknown }, restUrl: string | undefined, wsUrl: string | undefined): void {
  if (urls.api === undefined || (restUrl === undefined && wsUrl === undefined)) return;
  const restOrigin = restUrl === undefined ? undefined : restUrl.replace(/\/+$/, '');
  urls.api = rewrite(urls.api as UrlTree, restOrigin, wsUrl);
}
