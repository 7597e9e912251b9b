// Withdrawal idempotency on exchanges that take no client id (issue 11, item 5). Before every venue
// call the withdraw activity records a durable intent (what it is about to send, and when). After a
// crash or a lost answer the outcome is unknown: the venue may have accepted the withdrawal. This file
// decides, from the intents and the venue's withdrawal history, which withdrawal is ours and what to
// do when none shows:
// - a history entry matches an intent when asset, address, network and memo are the intent's, the
//   amount is the intent's gross (fee on top) or net (fee taken out of it) and it was made in the
//   window [first intent − clock skew, now]; one already attributed to another transfer never matches
//   (two same-amount transfers to one address cannot both claim one withdrawal);
// - none matches while the latest intent is younger than the venue's history lag: the outcome stays
//   unknown (wait; never withdraw again, never release the reservation);
// - none matches after the lag: nothing was accepted (withdraw again / release).
// Pure: `now` is passed in.
import { D } from '../money';

/** What the withdraw activity is about to send (one per venue call), recorded before the call. */
export interface WithdrawalIntent {
  /** `<workflowId>:intent:<n>` (n from 1). */
  id: string;
  workflowId: string;
  attempt: number;
  venue: string;
  asset: string;
  amount: string;
  address: string;
  network: string;
  memo?: string;
  /** The idempotency key sent where the exchange takes client ids. */
  idempotencyKey: string;
  /** Epoch ms, recorded just before the call. */
  at: number;
  /** Set when the venue refused this call outright (nothing moved). */
  refused?: string;
}

/** The fields of a venue's withdrawal history entry the match reads (venue.port.ts TransferRecord). */
export interface WithdrawalCandidate {
  id: string;
  asset: string;
  amount: string;
  fee: string;
  address: string;
  network: string;
  memo?: string;
  idempotencyKey?: string;
  timestamp: number;
}

/** Venue clocks and Binance's second-resolution applyTime: how far before the first intent a match may be stamped. */
export const WITHDRAWAL_CLOCK_SKEW_MS = 5_000;

/** EVM addresses are case-insensitive (checksum casing); every other address format compares exactly. */
export function sameAddress(a: string, b: string): boolean {
  const evm = /^0x[0-9a-fA-F]{40}$/;
  return evm.test(a) && evm.test(b) ? a.toLowerCase() === b.toLowerCase() : a.trim() === b.trim();
}

/** Exchanges name one network several ways (Binance "ETH", ccxt "ERC20"); an empty name is "not reported". */
const NETWORK_ALIASES: Record<string, string> = { ETH: 'ERC20', BSC: 'BEP20', TRX: 'TRC20' };
export function sameNetwork(a: string, b: string): boolean {
  const n = (x: string) => {
    const u = x.trim().toUpperCase();
    return NETWORK_ALIASES[u] ?? u;
  };
  return a.trim() === '' || b.trim() === '' || n(a) === n(b);
}

/** The amount reported is what we asked (fee charged on top) or what we asked minus the fee (fee taken out). */
export function sameAmount(intent: string, c: { amount: string; fee: string }): boolean {
  const asked = new D(intent);
  return new D(c.amount).eq(asked) || new D(c.amount).plus(c.fee).eq(asked);
}

export interface MatchInput<C extends WithdrawalCandidate = WithdrawalCandidate> {
  /** This transfer's intents, oldest first (at least one). */
  intents: readonly WithdrawalIntent[];
  /** The venue's withdrawal history for the asset. */
  history: readonly C[];
  /** Venue withdrawal id → the workflow it is attributed to (every transfer's, this one's included). */
  attributed: Readonly<Record<string, string>>;
  nowMs: number;
  skewMs?: number;
}

/**
 * This transfer's withdrawal in the history: one already attributed to it, else the oldest unattributed
 * entry matching its intents (by key first where the exchange reported ours). Undefined when none.
 */
export function matchWithdrawal<C extends WithdrawalCandidate>(m: MatchInput<C>): C | undefined {
  const first = m.intents[0];
  if (!first) return undefined;
  const wf = first.workflowId;
  const own = m.history.find((c) => m.attributed[c.id] === wf);
  if (own) return own;
  const free = m.history.filter((c) => m.attributed[c.id] === undefined);
  const keys = new Set(m.intents.map((i) => i.idempotencyKey));
  const byKey = free.find((c) => c.idempotencyKey !== undefined && keys.has(c.idempotencyKey));
  if (byKey) return byKey;
  const from = first.at - (m.skewMs ?? WITHDRAWAL_CLOCK_SKEW_MS);
  const fits = (c: C) =>
    c.timestamp >= from &&
    c.timestamp <= m.nowMs + (m.skewMs ?? WITHDRAWAL_CLOCK_SKEW_MS) &&
    m.intents.some(
      (i) =>
        c.asset.toUpperCase() === i.asset.toUpperCase() &&
        sameAddress(c.address, i.address) &&
        sameNetwork(c.network, i.network) &&
        (c.memo ?? '') === (i.memo ?? '') &&
        sameAmount(i.amount, c) &&
        // An entry carrying a client id that is not ours is someone else's withdrawal.
        (c.idempotencyKey === undefined || keys.has(c.idempotencyKey)),
    );
  return [...free].filter(fits).sort((a, b) => a.timestamp - b.timestamp || a.id.localeCompare(b.id))[0];
}

export type WithdrawalDecision =
  /** No intent, or every intent refused outright: nothing was ever accepted. */
  | { kind: 'none'; reason: string }
  /** The withdrawal is in the history. */
  | { kind: 'found'; id: string }
  /** Not in the history yet, and the latest call is younger than the history lag: wait `waitMs`. */
  | { kind: 'unknown'; waitMs: number; reason: string }
  /** Not in the history although the lag has passed since the latest call: that call was never accepted. */
  | { kind: 'absent'; reason: string };

/** What the intents and the history say about this transfer's withdrawal at `nowMs`. */
export function decideWithdrawal(m: MatchInput & { historyLagMs: number }): WithdrawalDecision {
  const sent = m.intents.filter((i) => i.refused === undefined);
  if (sent.length === 0) return { kind: 'none', reason: m.intents.length === 0 ? 'no withdrawal was ever requested' : 'every request was refused by the venue' };
  const hit = matchWithdrawal({ ...m, intents: sent });
  if (hit) return { kind: 'found', id: hit.id };
  const latest = sent[sent.length - 1]!;
  const age = m.nowMs - latest.at;
  if (age < m.historyLagMs) {
    return { kind: 'unknown', waitMs: m.historyLagMs - age, reason: `request ${latest.id} made ${age} ms ago is not in the venue's history yet (history lag ${m.historyLagMs} ms)` };
  }
  return { kind: 'absent', reason: `request ${latest.id} made ${age} ms ago is not in the venue's history after its lag (${m.historyLagMs} ms)` };
}
