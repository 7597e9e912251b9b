// The treasury ledger: one row per entry, keyed by an id derived from workflow id + step, so an
// activity retried after a crash (or a worker killed between the write and the activity's completion)
// books nothing twice. Reservations hold a transfer's USD value against the daily cap (a rolling 24 h
// window, domain/treasury/cap-window.ts) from the policy check until the transfer is either booked
// (the reservation turns into spend) or released (nothing moved).
//
// The store of record is PostgreSQL (activities/ledger/pg-ledger.ts): the id is the primary key,
// every amount `numeric`, and a reservation (cap check + insert) is one transaction that serializes
// with every other ledger write, so several workers cannot each reserve the full cap.
// MemoryLedgerStore (activities/ledger/memory-ledger.ts) implements the same interface for unit tests.
import { z } from 'zod';
import { zDecimal, zPositiveDecimal } from '../domain/money';
import type { WithdrawalIntent } from '../domain/treasury/withdrawal-intent';

export const LEDGER_KINDS = ['reservation', 'release', 'transfer', 'fee', 'suspense', 'reversal', 'trade', 'execution'] as const;

export const LedgerEntrySchema = z
  .object({
    /** Idempotency key: `<workflowId>:<step>`. */
    id: z.string().min(1),
    /** Epoch ms when recorded (activity time, not workflow time). */
    at: z.number().int(),
    /** UTC day of the record (kept for reports and old inputs; the cap itself is a rolling 24 h window). */
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    workflowId: z.string().min(1),
    /** `trade`: a price-action slice's fills; `execution`: a buyback's / liquidation's final report. */
    kind: z.enum(LEDGER_KINDS),
    asset: z.string().min(1),
    amount: zDecimal,
    amountUsd: zDecimal,
    from: z.string().optional(),
    to: z.string().optional(),
    txHash: z.string().optional(),
    note: z.string().optional(),
  })
  .strict();
export type LedgerEntry = z.output<typeof LedgerEntrySchema>;
export type LedgerEntryInput = z.input<typeof LedgerEntrySchema>;

/** A withdrawal intent (domain/treasury/withdrawal-intent.ts), validated at the ledger boundary. */
export const WithdrawalIntentSchema = z
  .object({
    id: z.string().min(1),
    workflowId: z.string().min(1),
    attempt: z.number().int().min(1),
    venue: z.string().min(1),
    asset: z.string().min(1),
    amount: zPositiveDecimal,
    address: z.string().min(1),
    network: z.string(),
    memo: z.string().optional(),
    idempotencyKey: z.string().min(1),
    at: z.number().int(),
    refused: z.string().optional(),
  })
  .strict();

export type ReserveResult =
  /** Reserved now (`created`), or already reserved under this id (the entry of record). */
  | { ok: true; entry: LedgerEntry; created: boolean; usedUsd: string }
  /** Refused: `usedUsd` (without this amount) plus the amount would exceed the cap. */
  | { ok: false; usedUsd: string };

export interface LedgerStore {
  /** Appends the entry unless its id is already there; returns the entry of record either way. */
  append(entry: LedgerEntryInput): Promise<{ entry: LedgerEntry; created: boolean }>;
  /**
   * Cap check and insert of a reservation in one serialized transaction: refused when the USD used in
   * the rolling window at `nowMs` plus the entry's amountUsd would exceed `capUsd`. An id already
   * reserved returns that entry, whatever the cap says now.
   */
  reserve(entry: LedgerEntryInput & { kind: 'reservation' }, capUsd: string, nowMs: number): Promise<ReserveResult>;
  get(id: string): Promise<LedgerEntry | undefined>;
  /** Entries in the order they were recorded. */
  entries(filter?: { workflowId?: string; day?: string; kind?: LedgerEntry['kind']; sinceMs?: number }): Promise<LedgerEntry[]>;
  /** USD counted against the daily cap at `nowMs` (domain/treasury/cap-window.ts). */
  usedUsd(nowMs: number): Promise<string>;
  /** Sum of amountUsd of one kind recorded after `sinceMs` (exclusive). */
  sumUsd(kind: LedgerEntry['kind'], sinceMs: number): Promise<string>;
  /**
   * Withdrawal intents (exchanges without client ids): recorded before each venue call, unless one
   * with this id is there (the intent of record is returned either way).
   */
  recordWithdrawalIntent(intent: WithdrawalIntent): Promise<{ intent: WithdrawalIntent; created: boolean }>;
  /** The venue refused this intent's call outright: nothing moved. */
  markWithdrawalIntentRefused(id: string, reason: string): Promise<void>;
  /** A workflow's intents, oldest first. */
  withdrawalIntents(workflowId: string): Promise<WithdrawalIntent[]>;
  /**
   * Attributes a venue withdrawal to a workflow unless another workflow holds it already (one owner
   * per venue + withdrawal id); returns the owner of record.
   */
  attributeWithdrawal(venue: string, withdrawalId: string, workflowId: string, atMs: number): Promise<{ workflowId: string; created: boolean }>;
  /** Venue withdrawal id → owning workflow, for one venue. */
  withdrawalAttributions(venue: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}
