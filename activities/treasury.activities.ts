// Treasury activities: the I/O behind fundTransfer / withdrawal. Each one is safe to retry:
// - the policy (whitelist, per-transfer cap, daily cap) is checked here AGAIN, from the worker's own
//   configuration, whatever the workflow decided — a tampered or stale workflow input cannot move funds;
// - the withdrawal carries an idempotency key derived from workflow id + step, which the venue adapter
//   (and the exchange, where it supports client ids) uses to return the first withdrawal on a retry;
// - before every venue call a durable withdrawal intent is recorded (activities/ledger-store.ts). On an
//   exchange without client ids a retry first looks the withdrawal up by amount, address, network,
//   memo and time window (domain/treasury/withdrawal-intent.ts); an empty lookup younger than the
//   venue's withdrawalHistoryLagMs is "outcome unknown": the attempt fails retryably until the lag
//   has passed, and only then is the withdrawal requested again;
// - ledger writes are keyed by workflow id + step (activities/ledger-store.ts).
// Waiting activities (tx hash, confirmations, credit) poll for up to `waitMs`, heartbeating, and then
// fail retryably: each attempt is short and bounded, and the workflow's retry policy keeps waiting.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { BallastConfig } from '../domain/config.schema';
import { D, fmt } from '../domain/money';
import { capPrice, DEFAULT_STABLECOINS, type CapPriceBook } from '../domain/treasury/cap-price';
import { evacuable, planEvacuation, type EvacuationBalance, type EvacuationPlan } from '../domain/treasury/evacuation-plan';
import { transfersInFlight } from '../domain/treasury/rebalance-inputs';
import { checkTransferPolicy, dailyWindow, entryNetwork } from '../domain/treasury/transfer-policy';
import { decideWithdrawal, WITHDRAWAL_CLOCK_SKEW_MS, type WithdrawalDecision, type WithdrawalIntent } from '../domain/treasury/withdrawal-intent';
import { txConfirmations } from '../venues/chain/evm-confirmations';
import type { TransferRecord, VenueAdapter } from '../venues/venue.port';
import { isVenueError } from '../venues/venue-errors';
import type { LedgerEntryInput, LedgerStore } from './ledger-store';

export interface TreasuryDeps {
  config: BallastConfig;
  /** A transfer-capable adapter for a venue id (throws for an unknown venue). */
  transferVenue(venueId: string): VenueAdapter;
  ledger: LedgerStore;
  /** JSON-RPC URL of the chain withdrawals land on. */
  chainRpcUrl(): string;
  now(): number;
  logger: Logger;
  /** How long one waiting activity polls before failing retryably. Default 20 s. */
  waitMs?: number;
  pollMs?: number;
}

/** `network`: what the withdrawal is sent on, in the source venue's naming; `memo`: the whitelist entry's. */
export type Destination =
  | { kind: 'wallet'; label: string; address: string; network: string; memo?: string }
  | { kind: 'venue'; venue: string; label: string; address: string; network: string; memo?: string };

export interface TransferContext {
  policy: { whitelist: { label: string; address: string; chain: string; network?: string; venueNetworks?: Record<string, string>; memo?: string }[]; caps: { perTransferUsd: string; dailyUsd: string }; approvalThresholdUsd: string };
  /** USD per unit of the asset for the caps (stablecoins 1; the token: the cross-venue fair value; see cap-price.ts). */
  priceUsd: string;
  destination: Destination;
  day: string;
  usedTodayUsd: string;
}

/** A book older than this does not price a cap (the quoting engine's data age limit). */
const CAP_PRICE_MAX_AGE_MS = 60_000;

function fail(code: string, message: string): never {
  throw ApplicationFailure.nonRetryable(message, code);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createTreasuryActivities(deps: TreasuryDeps) {
  const waitMs = deps.waitMs ?? 20_000;
  const pollMs = deps.pollMs ?? 250;
  const t = deps.config.treasury;
  const policy = { whitelist: t.whitelist, caps: t.caps, approvalThresholdUsd: t.approvalThresholdUsd };

  function venue(id: string): VenueAdapter {
    if (!deps.config.venues.some((v) => v.id === id)) fail('TRANSFER.UNKNOWN_VENUE', `unknown venue "${id}"`);
    const a = deps.transferVenue(id);
    if (!a.capabilities.transfers || !a.withdraw) fail('TRANSFER.NOT_SUPPORTED', `venue "${id}" does not support transfers`);
    return a;
  }

  /**
   * USD per unit of an asset for the caps, read fresh on every call (domain/treasury/cap-price.ts): 1 for
   * a stablecoin, the cross-venue fair value over every CEX venue's book for the token, refused
   * (TRANSFER.NO_PRICE) for anything else. The source venue plays no part (a requester picks it). The
   * token with no usable book right now fails retryably (the same code): a book outage passes.
   */
  async function priceUsd(asset: string): Promise<string> {
    const setup = { token: deps.config.asset.symbol, quote: deps.config.asset.quote, stablecoins: DEFAULT_STABLECOINS, maxAgeMs: CAP_PRICE_MAX_AGE_MS };
    const books: CapPriceBook[] = [];
    const token = asset.trim().toUpperCase() === setup.token.toUpperCase();
    if (token) {
      const cex = deps.config.venues.filter((v) => v.kind !== 'amm' && v.market.split('/')[0] === setup.token);
      await Promise.all(
        cex.map(async (v) => {
          try {
            books.push({ venueId: v.id, fee: v.fees.taker, book: await deps.transferVenue(v.id).fetchOrderBook(50) });
          } catch (e) {
            books.push({ venueId: v.id, fee: v.fees.taker, error: e instanceof Error ? e.message : String(e) });
          }
        }),
      );
    }
    const r = capPrice(asset, books, setup, deps.now());
    // The token has a price source; no usable book right now (venues down, books stale) may pass: the
    // activity's retries ask again. Any other asset has none, and no retry gives it one.
    if (!r.ok && token) throw ApplicationFailure.retryable(r.message, r.code);
    if (!r.ok) fail(r.code, r.message);
    if (token) deps.logger.info({ asset, priceUsd: r.priceUsd, venues: r.venues, excluded: r.excluded }, 'cap price: cross-venue fair value');
    return r.priceUsd;
  }

  /** Polls `probe` until it returns a value, for up to waitMs; then a retryable failure. */
  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    const until = Date.now() + waitMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() >= until) throw ApplicationFailure.retryable(`still waiting for ${what}`, 'TRANSFER.WAITING');
      try {
        Context.current().heartbeat(what);
      } catch {
        // Not inside an activity context (direct calls in tests): nothing to heartbeat.
      }
      await sleep(pollMs);
    }
  }

  async function evacuationInputs(req: { venue: string }): Promise<{ balances: EvacuationBalance[]; caps: { perTransferUsd: string; dailyUsd: string }; usedTodayUsd: string }> {
    const v = venue(req.venue);
    const balances: EvacuationBalance[] = [];
    for (const b of await v.fetchBalances()) {
      // A venue that publishes no fee is assumed to charge none.
      const fee = v.withdrawalFee ? await v.withdrawalFee(b.asset).catch(() => '0') : '0';
      const row: EvacuationBalance = { asset: b.asset, free: b.free, fee };
      // Priced only when there is something to send (an empty book elsewhere must not block it).
      if (evacuable(row)) {
        try {
          row.priceUsd = await priceUsd(b.asset);
        } catch (e) {
          // No price source (an asset the caps cannot value): left unpriced, the plan reports it as blocked.
          if (!(e instanceof ApplicationFailure && e.type === 'TRANSFER.NO_PRICE')) throw e;
        }
      }
      balances.push(row);
    }
    return { balances, caps: { perTransferUsd: t.caps.perTransferUsd, dailyUsd: t.caps.dailyUsd }, usedTodayUsd: await deps.ledger.usedUsd(deps.now()) };
  }

  /** The venue's configured history lag (10 min where a venue has none configured). */
  function historyLagMs(id: string): number {
    const v = deps.config.venues.find((x) => x.id === id);
    return v && 'withdrawalHistoryLagMs' in v ? v.withdrawalHistoryLagMs : 600_000;
  }

  /** Retryable after `waitMs` (Temporal's nextRetryDelay): the rest of the venue's history lag. */
  function outcomeUnknown(d: { waitMs: number; reason: string }, venueId: string): never {
    throw ApplicationFailure.create({ message: `withdrawal outcome unknown at ${venueId}, waiting ${d.waitMs} ms for its history: ${d.reason}`, type: 'TRANSFER.OUTCOME_UNKNOWN', nonRetryable: false, nextRetryDelay: Math.max(1, d.waitMs) });
  }

  /**
   * What the venue's history says about a workflow's intents; a found withdrawal is attributed to the
   * workflow (one owner per withdrawal: a withdrawal another transfer took meanwhile is looked past).
   */
  async function lookupWithdrawal(workflowId: string, venueId: string, asset: string, intents: WithdrawalIntent[]): Promise<{ decision: WithdrawalDecision; record?: TransferRecord }> {
    const v = venue(venueId);
    const first = intents.find((i) => i.refused === undefined);
    for (let round = 0; round < 5; round++) {
      const history = first ? (await v.fetchWithdrawals!(asset, first.at - WITHDRAWAL_CLOCK_SKEW_MS)).filter((w) => w.type === 'withdrawal') : [];
      const attributed = await deps.ledger.withdrawalAttributions(venueId);
      const decision = decideWithdrawal({ intents, history, attributed, nowMs: deps.now(), historyLagMs: historyLagMs(venueId) });
      if (decision.kind !== 'found') return { decision };
      const owner = await deps.ledger.attributeWithdrawal(venueId, decision.id, workflowId, deps.now());
      if (owner.workflowId === workflowId) {
        if (owner.created) deps.logger.info({ workflowId, venue: venueId, withdrawalId: decision.id }, 'withdrawal found in the venue history and attributed');
        return { decision, record: history.find((h) => h.id === decision.id)! };
      }
      // Another transfer attributed it between our read and our write: look again without it.
    }
    throw ApplicationFailure.retryable(`withdrawal lookup at ${venueId} kept racing other transfers' attributions`, 'TRANSFER.OUTCOME_UNKNOWN');
  }

  return {
    /** Destination, USD price and today's usage: what the workflow needs for its own policy check. */
    async prepareTransfer(req: { asset: string; fromVenue: string; to: { venue: string } | { wallet: string } }): Promise<TransferContext> {
      venue(req.fromVenue);
      let destination: Destination;
      // Network and memo come from the whitelist entry, never from a venue's answer: the withdrawal
      // is sent on the entry's network (in the source venue's naming) with the entry's memo.
      const memoOf = (w: { memo?: string }) => (w.memo !== undefined ? { memo: w.memo } : {});
      if ('wallet' in req.to) {
        const label = req.to.wallet;
        const w = t.whitelist.find((x) => x.label === label);
        if (!w) fail('TRANSFER.NOT_WHITELISTED', `to.wallet: "${label}" is not a whitelisted wallet label`);
        destination = { kind: 'wallet', label, address: w.address, network: entryNetwork(w, req.fromVenue)!, ...memoOf(w) };
      } else {
        const to = req.to.venue;
        if (to === req.fromVenue) fail('TRANSFER.INVALID', 'to.venue: must differ from from.venue');
        const first = await venue(to).fetchDepositAddress!(req.asset);
        const entries = t.whitelist.map((x, i) => ({ x, i })).filter(({ x }) => x.address.toLowerCase() === first.address.toLowerCase());
        // The venue's current deposit address must be one we whitelisted: an exchange that changes
        // its address (or a compromised API answer) stops the transfer here.
        if (entries.length === 0) fail('TRANSFER.NOT_WHITELISTED', `to.venue: ${to}'s deposit address ${first.address} for ${req.asset} is not whitelisted`);
        const { x: w, i } = entries.find(({ x }) => first.network !== '' && entryNetwork(x, to) === first.network) ?? entries[0]!;
        const field = `treasury.whitelist[${i}]`;
        // Then ask the destination for its address ON the entry's network: a venue that takes no
        // deposits there refuses, and a different address or memo there stops the transfer.
        const expected = entryNetwork(w, to)!;
        let dep;
        try {
          dep = await venue(to).fetchDepositAddress!(req.asset, expected);
        } catch (e) {
          if (isVenueError(e, 'VENUE.NOT_SUPPORTED') || isVenueError(e, 'VENUE.INVALID_ORDER')) {
            fail('TRANSFER.NETWORK_MISMATCH', `${field}.network: ${to} takes no ${req.asset} deposits on network "${expected}" (${e.message})`);
          }
          throw e;
        }
        if (dep.network !== '' && dep.network !== expected) {
          fail('TRANSFER.NETWORK_MISMATCH', `${field}.network: ${to}'s ${req.asset} deposit address is on network "${dep.network}", the whitelist says "${expected}"`);
        }
        if (dep.address.toLowerCase() !== w.address.toLowerCase()) {
          fail('TRANSFER.NOT_WHITELISTED', `${field}.address: ${to}'s ${req.asset} deposit address on ${expected} is ${dep.address}, the whitelist says ${w.address}`);
        }
        if ((dep.tag || undefined) !== w.memo) {
          fail('TRANSFER.MEMO_MISMATCH', `${field}.memo: ${to} credits ${req.asset} deposits by memo ${dep.tag ? `"${dep.tag}"` : '(none)'}, the whitelist says ${w.memo !== undefined ? `"${w.memo}"` : '(none)'}`);
        }
        destination = { kind: 'venue', venue: to, label: w.label, address: dep.address, network: entryNetwork(w, req.fromVenue)!, ...memoOf(w) };
      }
      // `day` stays in the context (workflow inputs carry it); the cap is the rolling 24 h at each check.
      const now = deps.now();
      return { policy, priceUsd: await priceUsd(req.asset), destination, day: dailyWindow(now), usedTodayUsd: await deps.ledger.usedUsd(now) };
    },

    /**
     * Holds the transfer's USD value against the daily cap: the check (rolling 24 h at this moment) and
     * the insert are one ledger transaction, serialized with every other worker's ledger writes.
     * `day` is accepted for the workflows' recorded inputs and kept on the entry; the cap ignores it.
     */
    async reserveTransfer(req: { workflowId: string; day: string; asset: string; amount: string; amountUsd: string; from: string; to: string }): Promise<{ usedTodayUsd: string }> {
      const now = deps.now();
      const r = await deps.ledger.reserve(
        { id: `${req.workflowId}:reserve`, at: now, day: req.day, workflowId: req.workflowId, kind: 'reservation', asset: req.asset, amount: req.amount, amountUsd: req.amountUsd, from: req.from, to: req.to },
        t.caps.dailyUsd,
        now,
      );
      if (!r.ok) fail('TRANSFER.OVER_DAILY_CAP', `amount: ${req.amountUsd} USD on top of ${r.usedUsd} USD already used in the last 24 h exceeds the daily cap ${t.caps.dailyUsd} USD`);
      return { usedTodayUsd: r.usedUsd };
    },

    async releaseReservation(req: { workflowId: string; day: string; asset: string; reason: string }): Promise<void> {
      await deps.ledger.append({ id: `${req.workflowId}:release`, at: deps.now(), day: req.day, workflowId: req.workflowId, kind: 'release', asset: req.asset, amount: '0', amountUsd: '0', note: req.reason });
    },

    /** The withdrawal itself: policy re-checked from this worker's config, then one idempotent venue call. */
    async withdraw(req: {
      workflowId: string;
      venue: string;
      asset: string;
      amount: string;
      address: string;
      network: string;
      /** Optional: the withdrawal takes the whitelist entry's memo; one given here must equal it. */
      memo?: string;
      amountUsd: string;
      priceUsd: string;
      requester: string;
      idempotencyKey: string;
      day: string;
    }): Promise<TransferRecord> {
      // Usage excluding this transfer's own reservation: the cap is about the others plus this one,
      // over the 24 h before this execution (not the day of the reservation).
      const own = await deps.ledger.get(`${req.workflowId}:reserve`);
      const usedOthers = fmt(new D(await deps.ledger.usedUsd(deps.now())).minus(own ? own.amountUsd : '0'));
      // The memo is this worker's whitelist entry's (the one on the address and network), whatever the
      // workflow carried; a memo the workflow does carry must be that one.
      const entry = t.whitelist.find((w) => w.address.toLowerCase() === req.address.toLowerCase() && entryNetwork(w, req.venue) === req.network);
      const memo = req.memo ?? entry?.memo;
      // A fresh price, never the workflow's: its input may be hours or days old (a long approval wait).
      const fresh = await priceUsd(req.asset);
      const check = checkTransferPolicy(
        {
          asset: req.asset,
          amount: req.amount,
          priceUsd: fresh,
          destinationAddress: req.address,
          requester: req.requester,
          destinationNetwork: req.network,
          sourceVenue: req.venue,
          ...(memo !== undefined ? { destinationMemo: memo } : {}),
        },
        policy,
        usedOthers,
      );
      if (!check.ok) fail(check.code, `activity policy check: ${check.message}`);
      if (!own) fail('TRANSFER.NOT_RESERVED', `no daily-cap reservation for ${req.workflowId}: refusing to withdraw`);
      const v = venue(req.venue);
      const intents = await deps.ledger.withdrawalIntents(req.workflowId);
      // A retry (or the first attempt after a crash) on an exchange that does not de-duplicate: the
      // earlier call may have been accepted. Look it up; within the history lag an empty answer proves nothing.
      if (intents.length > 0 && !v.capabilities.withdrawalClientIds) {
        const found = await lookupWithdrawal(req.workflowId, req.venue, req.asset, intents);
        if (found.record) {
          deps.logger.info({ workflowId: req.workflowId, venue: req.venue, withdrawalId: found.record.id, intents: intents.length }, 'withdrawal of an earlier attempt found: no new venue call');
          return found.record;
        }
        if (found.decision.kind === 'unknown') outcomeUnknown(found.decision, req.venue);
        deps.logger.warn({ workflowId: req.workflowId, venue: req.venue, reason: found.decision.kind === 'absent' || found.decision.kind === 'none' ? found.decision.reason : '' }, 'no earlier withdrawal at the venue: requesting it again');
      }
      const attempt = (intents[intents.length - 1]?.attempt ?? 0) + 1;
      const intent: WithdrawalIntent = {
        id: `${req.workflowId}:intent:${attempt}`,
        workflowId: req.workflowId,
        attempt,
        venue: req.venue,
        asset: req.asset,
        amount: req.amount,
        address: req.address,
        network: req.network,
        ...(memo !== undefined ? { memo } : {}),
        idempotencyKey: req.idempotencyKey,
        at: deps.now(),
      };
      // Durable before the call: whatever happens next, the books know a withdrawal may be on its way.
      await deps.ledger.recordWithdrawalIntent(intent);
      try {
        const rec = await v.withdraw!({ asset: req.asset, amount: req.amount, address: req.address, network: req.network, ...(memo !== undefined ? { memo } : {}), idempotencyKey: req.idempotencyKey });
        const owner = await deps.ledger.attributeWithdrawal(req.venue, rec.id, req.workflowId, deps.now());
        if (owner.workflowId !== req.workflowId) deps.logger.error({ workflowId: req.workflowId, venue: req.venue, withdrawalId: rec.id, owner: owner.workflowId }, 'the venue answered with a withdrawal another transfer had attributed');
        deps.logger.info({ workflowId: req.workflowId, venue: req.venue, asset: req.asset, amount: req.amount, withdrawalId: rec.id, idempotencyKey: req.idempotencyKey, intent: intent.id }, 'withdrawal accepted by the venue');
        return rec;
      } catch (e) {
        // A definite refusal moved nothing: no retry can help. Anything else (timeout, 5xx) retries:
        // with the same key where the exchange de-duplicates, else through the intent's lookup.
        if (isVenueError(e) && ['VENUE.INSUFFICIENT_FUNDS', 'VENUE.INVALID_ORDER', 'VENUE.NOT_SUPPORTED', 'VENUE.WITHDRAWALS_SUSPENDED'].includes(e.code)) {
          await deps.ledger.markWithdrawalIntentRefused(intent.id, e.code);
          fail(e.code, `withdraw refused by ${req.venue}: ${e.message}`);
        }
        throw e;
      }
    },

    /**
     * What became of a transfer's withdrawal, for its compensation: `none` (no intent — nothing was
     * ever requested —, every request refused, or nothing in the history although the lag has passed),
     * `found` (with the venue's record). An empty lookup within the venue's history lag fails
     * retryably until the lag has passed: the reservation is never released on it.
     */
    async withdrawalOutcome(req: { workflowId: string; venue: string; asset: string }): Promise<{ outcome: 'none'; reason: string } | { outcome: 'found'; record: TransferRecord }> {
      const intents = await deps.ledger.withdrawalIntents(req.workflowId);
      const found = await lookupWithdrawal(req.workflowId, req.venue, req.asset, intents);
      if (found.record) return { outcome: 'found', record: found.record };
      const d = found.decision;
      if (d.kind === 'unknown') outcomeUnknown(d, req.venue);
      return { outcome: 'none', reason: d.kind === 'none' || d.kind === 'absent' ? d.reason : '' };
    },

    /** Until the venue reports the withdrawal's tx hash (broadcast on chain). */
    async awaitWithdrawalTx(req: { venue: string; asset: string; withdrawalId: string }): Promise<TransferRecord & { txHash: string }> {
      const v = venue(req.venue);
      return waitFor(`tx hash of withdrawal ${req.withdrawalId}`, async () => {
        const list = await v.fetchWithdrawals!(req.asset);
        const w = list.find((x) => x.id === req.withdrawalId);
        if (w && (w.status === 'failed' || w.status === 'canceled')) fail('TRANSFER.WITHDRAWAL_FAILED', `withdrawal ${req.withdrawalId} on ${req.venue} ended ${w.status}`);
        return w?.txHash ? { ...w, txHash: w.txHash } : undefined;
      });
    },

    /** Until the tx has `confirmations` blocks on the chain (ethers on the configured RPC). */
    async awaitConfirmations(req: { txHash: string; confirmations: number }): Promise<{ blockNumber: number; confirmations: number }> {
      const rpc = deps.chainRpcUrl();
      return waitFor(`${req.confirmations} confirmations of ${req.txHash}`, async () => {
        const c = await txConfirmations(rpc, req.txHash);
        if (c.status === 'reverted') fail('TRANSFER.TX_REVERTED', `tx ${req.txHash} reverted in block ${c.blockNumber}`);
        return c.found && c.blockNumber !== undefined && c.confirmations >= req.confirmations ? { blockNumber: c.blockNumber, confirmations: c.confirmations } : undefined;
      });
    },

    /** Until the destination venue shows the deposit of this tx as credited. */
    async awaitCredited(req: { venue: string; asset: string; txHash: string }): Promise<TransferRecord> {
      const v = venue(req.venue);
      return waitFor(`credit of ${req.txHash} at ${req.venue}`, async () => {
        const list = await v.fetchDeposits!(req.asset);
        const d = list.find((x) => x.txHash?.toLowerCase() === req.txHash.toLowerCase());
        return d && d.status === 'ok' ? d : undefined;
      });
    },

    async recordLedger(entry: LedgerEntryInput): Promise<{ created: boolean }> {
      return { created: (await deps.ledger.append({ ...entry, at: deps.now() })).created };
    },

    /** The whitelist label of treasury.safeWallet (where venueRisk evacuates to). */
    async safeWalletLabel(): Promise<string> {
      const w = t.whitelist.find((x) => x.address.toLowerCase() === t.safeWallet.toLowerCase());
      if (!w) fail('TRANSFER.NOT_WHITELISTED', `treasury.safeWallet ${t.safeWallet} is not on the whitelist`);
      return w.label;
    },

    /**
     * What venueRisk's evacuation is decided from (the workflow runs the domain's planEvacuation on it):
     * the venue's free balances with their withdrawal fees and USD prices, the caps of this worker's
     * configuration and today's usage.
     */
    evacuationInputs,

    /** The same, planned here: what venueRisk runs recorded before the plan moved into the workflow call. */
    async evacuationPlan(req: { venue: string }): Promise<EvacuationPlan> {
      const i = await evacuationInputs(req);
      return planEvacuation(i.balances, i.caps, i.usedTodayUsd);
    },

    /** A venue's balances (venueRisk: what to evacuate; rebalance: where the asset is). */
    async venueBalances(req: { venue: string }): Promise<{ asset: string; free: string; total: string }[]> {
      const list = await venue(req.venue).fetchBalances();
      return list.map((b) => ({ asset: b.asset, free: b.free, total: b.total }));
    },

    /** Cancels every open order of ours on a venue through its own API (venueRisk, after pausing quoting). */
    async cancelAllOrders(req: { venue: string }): Promise<{ canceled: number }> {
      const v = venue(req.venue);
      if (!v.fetchOpenOrders || !v.cancelOrder) return { canceled: 0 };
      const open = await v.fetchOpenOrders();
      let canceled = 0;
      for (const o of open) {
        try {
          await v.cancelOrder({ venueOrderId: o.venueOrderId, clientOrderId: o.clientOrderId ?? '' });
          canceled += 1;
        } catch (e) {
          // Already gone (filled or cancelled meanwhile) is the outcome we want.
          if (!isVenueError(e, 'VENUE.ORDER_NOT_FOUND')) throw e;
        }
      }
      return { canceled };
    },

    /**
     * What the rebalance planner needs for one asset: balances of the transfer-capable venues and
     * the transfers still under way (reserved in the ledger, neither booked nor released).
     */
    async rebalanceSnapshot(req: { asset: string; venues?: string[] }): Promise<{
      balances: { venue: string; amount: string }[];
      inFlight: { from: string; to: string; amount: string }[];
      venues: string[];
      /** Each venue's published withdrawal fee for the asset ("0" where it publishes none). */
      fees: Record<string, string>;
    }> {
      const venues = req.venues ?? deps.config.venues.filter((v) => v.kind !== 'amm').map((v) => v.id);
      const balances: { venue: string; amount: string }[] = [];
      const fees: Record<string, string> = {};
      for (const id of venues) {
        const v = venue(id);
        const b = (await v.fetchBalances()).find((x) => x.asset === req.asset);
        balances.push({ venue: id, amount: b?.total ?? '0' });
        fees[id] = v.withdrawalFee ? await v.withdrawalFee(req.asset).catch(() => '0') : '0';
      }
      const inFlight = transfersInFlight(await deps.ledger.entries(), req.asset);
      return { balances, inFlight, venues, fees };
    },

    /** Withdrawals the venue recorded under an idempotency key: the audit trail of "exactly one". */
    async withdrawalsByKey(req: { venue: string; asset: string; idempotencyKey: string }): Promise<TransferRecord[]> {
      const list = await venue(req.venue).fetchWithdrawals!(req.asset);
      return list.filter((w) => w.idempotencyKey === req.idempotencyKey);
    },
  };
}

export type TreasuryActivities = ReturnType<typeof createTreasuryActivities>;
