// A hand-made `AgentView` from plain data: agents' decisions are tested on it, and tools can ask an
// agent what it would do in a given market without building engines.
import type { AgentView, ExactVenueState, Holdings, VenueView } from './agent.types';

export interface StaticVenueData {
  id: string;
  kind?: 'cex' | 'amm';
  bid?: number;
  ask?: number;
  takerFee?: number;
  last?: number;
  lastTradeAt?: number;
  /** Past mids, oldest first, spaced `historyEveryMs` apart; the newest is one spacing before now. */
  history?: number[];
}

export interface StaticViewData {
  now?: number;
  /** The fundamental, or a function of how far ahead is asked (ms). */
  fundamental?: number | ((aheadMs: number) => number);
  venues: StaticVenueData[];
  holdings?: Record<string, Holdings>;
  historyEveryMs?: number;
  exact?: Record<string, ExactVenueState>;
}

function staticVenue(d: StaticVenueData, every: number): VenueView {
  const mid = d.bid !== undefined && d.ask !== undefined ? (d.bid + d.ask) / 2 : undefined;
  const hist = d.history ?? [];
  return {
    id: d.id,
    kind: d.kind ?? 'cex',
    bid: d.bid,
    ask: d.ask,
    mid,
    last: d.last,
    lastTradeAt: d.lastTradeAt,
    takerFee: d.takerFee ?? 0,
    midAgo(ms: number): number | undefined {
      if (ms <= 0) return mid;
      const k = Math.round(ms / every); // k spacings back; history[len-1] is 1 spacing back
      return hist[hist.length - k];
    },
    peakWithin(ms: number): number | undefined {
      const n = Math.min(hist.length, Math.floor(ms / every));
      const window = hist.slice(hist.length - n);
      if (mid !== undefined) window.push(mid);
      return window.length ? Math.max(...window) : undefined;
    },
  };
}

export function staticView(d: StaticViewData): AgentView {
  const every = d.historyEveryMs ?? 60_000;
  const venues = new Map(d.venues.map((v) => [v.id, staticVenue(v, every)]));
  const f = d.fundamental ?? 1;
  return {
    now: d.now ?? 0,
    venue: (id) => venues.get(id),
    holdings: (id) => d.holdings?.[id] ?? { base: 0, quote: 0 },
    fundamental: (aheadMs = 0) => (typeof f === 'function' ? f(aheadMs) : f),
    exact: (id) => d.exact?.[id],
  };
}
