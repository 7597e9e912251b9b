// The ledger interface in memory, for unit tests of pure logic (no durability, one process).
// Same rules as the PostgreSQL store: unique ids, the rolling-window cap (domain/treasury/cap-window.ts).
import { D, fmt } from '../../domain/money';
import { usedUsdInWindow } from '../../domain/treasury/cap-window';
import type { WithdrawalIntent } from '../../domain/treasury/withdrawal-intent';
import { ComplianceHistoryForwarder, type ComplianceHistoryStore } from '../compliance-history-store';
import { MemoryComplianceHistory } from './memory-compliance-history';
import { LedgerEntrySchema, WithdrawalIntentSchema, type LedgerEntry, type LedgerEntryInput, type LedgerStore, type ReserveResult } from '../ledger-store';

export class MemoryLedgerStore extends ComplianceHistoryForwarder implements LedgerStore, ComplianceHistoryStore {
  protected readonly compliance = new MemoryComplianceHistory();
  private readonly byId = new Map<string, LedgerEntry>();
  private readonly order: LedgerEntry[] = [];
  private readonly intents: WithdrawalIntent[] = [];
  private readonly owners = new Map<string, string>();

  async append(entry: LedgerEntryInput): Promise<{ entry: LedgerEntry; created: boolean }> {
    const e = LedgerEntrySchema.parse(entry);
    const existing = this.byId.get(e.id);
    if (existing) return { entry: existing, created: false };
    this.byId.set(e.id, e);
    this.order.push(e);
    return { entry: e, created: true };
  }

  async reserve(entry: LedgerEntryInput & { kind: 'reservation' }, capUsd: string, nowMs: number): Promise<ReserveResult> {
    const e = LedgerEntrySchema.parse(entry);
    const existing = this.byId.get(e.id);
    const used = usedUsdInWindow(this.order, nowMs);
    if (existing) return { ok: true, entry: existing, created: false, usedUsd: used };
    if (new D(used).plus(e.amountUsd).gt(capUsd)) return { ok: false, usedUsd: used };
    const r = await this.append(e);
    return { ok: true, entry: r.entry, created: r.created, usedUsd: usedUsdInWindow(this.order, nowMs) };
  }

  async get(id: string): Promise<LedgerEntry | undefined> {
    return this.byId.get(id);
  }

  async entries(filter?: { workflowId?: string; day?: string; kind?: LedgerEntry['kind']; sinceMs?: number }): Promise<LedgerEntry[]> {
    return this.order.filter(
      (e) =>
        (filter?.workflowId === undefined || e.workflowId === filter.workflowId) &&
        (filter?.day === undefined || e.day === filter.day) &&
        (filter?.kind === undefined || e.kind === filter.kind) &&
        (filter?.sinceMs === undefined || e.at > filter.sinceMs),
    );
  }

  async usedUsd(nowMs: number): Promise<string> {
    return usedUsdInWindow(this.order, nowMs);
  }

  async sumUsd(kind: LedgerEntry['kind'], sinceMs: number): Promise<string> {
    return fmt(this.order.filter((e) => e.kind === kind && e.at > sinceMs).reduce((a, e) => a.plus(e.amountUsd), new D(0)));
  }

  async recordWithdrawalIntent(intent: WithdrawalIntent): Promise<{ intent: WithdrawalIntent; created: boolean }> {
    const i: WithdrawalIntent = WithdrawalIntentSchema.parse(intent);
    const existing = this.intents.find((x) => x.id === i.id || (x.workflowId === i.workflowId && x.attempt === i.attempt));
    if (existing) return { intent: { ...existing }, created: false };
    this.intents.push(i);
    return { intent: { ...i }, created: true };
  }

  async markWithdrawalIntentRefused(id: string, reason: string): Promise<void> {
    const i = this.intents.find((x) => x.id === id);
    if (i && i.refused === undefined) i.refused = reason;
  }

  async withdrawalIntents(workflowId: string): Promise<WithdrawalIntent[]> {
    return this.intents.filter((i) => i.workflowId === workflowId).map((i) => ({ ...i }));
  }

  async attributeWithdrawal(venue: string, withdrawalId: string, workflowId: string): Promise<{ workflowId: string; created: boolean }> {
    const key = `${venue}\u0000${withdrawalId}`;
    const owner = this.owners.get(key);
    if (owner !== undefined) return { workflowId: owner, created: false };
    this.owners.set(key, workflowId);
    return { workflowId, created: true };
  }

  async withdrawalAttributions(venue: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [k, wf] of this.owners) if (k.startsWith(`${venue}\u0000`)) out[k.slice(venue.length + 1)] = wf;
    return out;
  }

  async close(): Promise<void> {}
}
