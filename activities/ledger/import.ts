// Import of a JSON-lines ledger (the file ledger of earlier versions, data/ledger.jsonl) into the
// PostgreSQL ledger. Every line is checked first: a torn LAST line (a crash mid-append: never
// acknowledged) is reported and skipped; any other bad line stops the import before anything is
// written, each named by its line number and field. The entries then go in one transaction with
// ON CONFLICT DO NOTHING, so importing the same file again books nothing twice; an id already in the
// database with different content keeps the database's entry and is reported.
import { LedgerEntrySchema, type LedgerEntry } from '../ledger-store';
import type { PgLedgerStore } from './pg-ledger';

export interface ParsedLedgerFile {
  entries: { line: number; entry: LedgerEntry }[];
  /** The last line, when it was not JSON (skipped). */
  tornLine?: number;
  /** `line N: field: problem`, one per bad line. */
  errors: string[];
}

export function parseLedgerJsonl(text: string): ParsedLedgerFile {
  const lines = text.split('\n');
  let last = lines.length - 1;
  while (last >= 0 && lines[last]!.trim() === '') last -= 1;
  const out: ParsedLedgerFile = { entries: [], errors: [] };
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    const line = i + 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      if (i === last) out.tornLine = line;
      else out.errors.push(`line ${line}: not JSON`);
      return;
    }
    const r = LedgerEntrySchema.safeParse(parsed);
    if (r.success) out.entries.push({ line, entry: r.data });
    else for (const iss of r.error.issues) out.errors.push(`line ${line}: ${iss.path.length ? iss.path.join('.') : '(entry)'}: ${iss.message}`);
  });
  return out;
}

export interface ImportReport {
  read: number;
  created: number;
  /** Already in the database with the same content (an earlier import, or a repeated line). */
  existing: number;
  /** Already in the database with different content: the database's entry is kept. */
  conflicting: { line: number; id: string }[];
  tornLine?: number;
}

const canon = (e: LedgerEntry) => JSON.stringify(Object.entries(e).sort(([a], [b]) => a.localeCompare(b)));
const same = (a: LedgerEntry, b: LedgerEntry) => canon(a) === canon(b);

export class LedgerImportError extends Error {
  constructor(readonly errors: string[]) {
    super(`ledger import refused, nothing written:\n  ${errors.join('\n  ')}`);
  }
}

export async function importLedgerJsonl(ledger: PgLedgerStore, text: string): Promise<ImportReport> {
  const parsed = parseLedgerJsonl(text);
  if (parsed.errors.length) throw new LedgerImportError(parsed.errors);
  const results = await ledger.appendMany(parsed.entries.map((e) => e.entry));
  const report: ImportReport = { read: parsed.entries.length, created: 0, existing: 0, conflicting: [], ...(parsed.tornLine ? { tornLine: parsed.tornLine } : {}) };
  results.forEach((r, i) => {
    const { line, entry } = parsed.entries[i]!;
    if (r.created) report.created += 1;
    else if (same(r.entry, entry)) report.existing += 1;
    else report.conflicting.push({ line, id: entry.id });
  });
  return report;
}
