// The run's event log: every record is folded into a SHA-256 (so two runs compare by one hash) and
// counted; the last `keep` records are kept as text for inspection and tests.
import { createHash, type Hash } from 'node:crypto';

export class EventLog {
  private readonly hash: Hash = createHash('sha256');
  private digestCache: string | undefined;
  /** Records are hashed in batches: hashing the concatenation is the same as hashing each in turn. */
  private pending = '';
  count = 0;
  readonly recent: string[] = [];

  constructor(private readonly keep = 0) {}

  /** Appends a record; fields are joined with "|" (no field may contain one). */
  add(kind: string, ...fields: (string | number | bigint)[]): void {
    const line = fields.length === 0 ? kind : `${kind}|${fields.join('|')}`;
    this.pending += `${line}\n`;
    if (this.pending.length > 65_536) this.flush();
    this.count++;
    this.digestCache = undefined;
    if (this.keep > 0) {
      this.recent.push(line);
      if (this.recent.length > this.keep * 2) this.recent.splice(0, this.recent.length - this.keep);
    }
  }

  /** Hash of everything logged so far (hex). */
  digest(): string {
    this.flush();
    this.digestCache ??= this.hash.copy().digest('hex');
    return this.digestCache;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.hash.update(this.pending);
    this.pending = '';
  }
}
