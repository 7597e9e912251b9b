// The treasury ledger: an append-only JSON-lines file, one entry per line, fsynced on every append.
// Entries are keyed by an id derived from workflow id + step, so an activity retried after a crash
// (or a worker killed between the write and the activity's completion) appends nothing twice.
// Reservations hold a transfer's USD value against the day's cap from the policy check until the
// transfer is either booked (the reservation turns into spend) or released (nothing moved).
//
// One writer: the Temporal worker process of this deployment. Several workers would need the
// Postgres ledger ARCHITECTURE.md plans (the file's entry ids already are its primary keys).
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { zDecimal } from '../domain/money';
import { usedUsdOnDay } from '../domain/treasury/rebalance-inputs';

export const LedgerEntrySchema = z
  .object({
    /** Idempotency key: `<workflowId>:<step>`. */
    id: z.string().min(1),
    /** Epoch ms when recorded (activity time, not workflow time). */
    at: z.number().int(),
    /** UTC day the amount counts against (the day of the reservation). */
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    workflowId: z.string().min(1),
    /** `trade`: a price-action slice's fills; `execution`: a buyback's / liquidation's final report. */
    kind: z.enum(['reservation', 'release', 'transfer', 'fee', 'suspense', 'reversal', 'trade', 'execution']),
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

export class LedgerStore {
  private readonly byId = new Map<string, LedgerEntry>();
  private readonly order: LedgerEntry[] = [];

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    if (!existsSync(file)) return;
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      // A torn last line (crash mid-write) is the only tolerated damage: it was never acknowledged.
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        if (i >= lines.length - 2) return;
        throw new Error(`ledger ${file}: line ${i + 1} is not JSON`);
      }
      const e = LedgerEntrySchema.parse(parsed);
      if (!this.byId.has(e.id)) {
        this.byId.set(e.id, e);
        this.order.push(e);
      }
    });
  }

  /** Appends the entry unless its id is already there; returns the entry of record either way. */
  append(entry: LedgerEntryInput): { entry: LedgerEntry; created: boolean } {
    const e = LedgerEntrySchema.parse(entry);
    const existing = this.byId.get(e.id);
    if (existing) return { entry: existing, created: false };
    const fd = openSync(this.file, 'a');
    try {
      appendFileSync(fd, `${JSON.stringify(e)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.byId.set(e.id, e);
    this.order.push(e);
    return { entry: e, created: true };
  }

  get(id: string): LedgerEntry | undefined {
    return this.byId.get(id);
  }

  entries(filter?: { workflowId?: string; day?: string }): LedgerEntry[] {
    return this.order.filter((e) => (filter?.workflowId === undefined || e.workflowId === filter.workflowId) && (filter?.day === undefined || e.day === filter.day));
  }

  /**
   * USD counted against a day's cap: open reservations (not released, not yet booked) plus booked
   * transfers. A booked transfer replaces its reservation (same workflow), so nothing counts twice.
   */
  usedUsd(day: string): string {
    return usedUsdOnDay(this.order, day);
  }
}
