// Fault hooks for tests and chaos scenarios: make the emulator answer a route with an HTTP error,
// broken JSON, a body with missing fields / wrong types / NaN, a rate-limit error, or no answer —
// before the request takes effect, or after it did (`lost-answer`).

export type Fault =
  /** This HTTP status with a raw body (default: a non-JSON text page, as a load balancer sends). */
  | { kind: 'http'; status: number; body?: string }
  /** 200 with a body that is not valid JSON. */
  | { kind: 'malformed-json' }
  /** The real answer, transformed (drop a field, change a type, put NaN in a price...). */
  | { kind: 'mutate'; mutate: (body: unknown) => unknown }
  /** The request is never answered (until the server stops). */
  | { kind: 'stall' }
  /**
   * The request takes effect (a withdrawal is made, an order placed), then its answer is lost: this
   * HTTP status with a non-JSON page instead (default 504, a gateway timeout), or no answer at all (`stall`).
   */
  | { kind: 'lost-answer'; status?: number; stall?: boolean }
  /** 429 with Binance's -1003 body. */
  | { kind: 'rate-limit'; retryAfterS?: number };

export interface FaultRule {
  /** Exact path ("/api/v3/account") or a pattern; all routes when absent. */
  path?: string | RegExp;
  method?: string;
  /** How many matching requests get the fault (default: all until removed). */
  times?: number;
}

interface ActiveRule {
  rule: FaultRule;
  fault: Fault;
  remaining: number;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];

  /** Adds a fault; returns a function that removes it. Later rules win over earlier ones. */
  inject(fault: Fault, rule: FaultRule = {}): () => void {
    const active: ActiveRule = { rule, fault, remaining: rule.times ?? Infinity };
    this.rules.push(active);
    return () => {
      this.rules = this.rules.filter((r) => r !== active);
    };
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault for this request, if any (consumes one use). */
  take(method: string, path: string): Fault | undefined {
    for (let i = this.rules.length - 1; i >= 0; i--) {
      const r = this.rules[i]!;
      if (r.rule.method !== undefined && r.rule.method.toUpperCase() !== method) continue;
      const p = r.rule.path;
      if (p !== undefined && (typeof p === 'string' ? p !== path : !p.test(path))) continue;
      r.remaining--;
      if (r.remaining <= 0) this.rules.splice(i, 1);
      return r.fault;
    }
    return undefined;
  }
}

type Json = unknown;

/** Applies `fn` at a path like "price", "balances[].free" or "[].price" ("[]" = every element). */
function atPath(body: Json, path: string, fn: (obj: Record<string, unknown>, key: string) => void): Json {
  const segs = path.split('.').flatMap((s) => (s.endsWith('[]') ? (s === '[]' ? ['[]'] : [s.slice(0, -2), '[]']) : [s]));
  const walk = (node: Json, i: number): void => {
    const seg = segs[i]!;
    const last = i === segs.length - 1;
    if (seg === '[]') {
      if (Array.isArray(node)) node.forEach((el) => walk(el, i + 1));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    if (last) fn(obj, seg);
    else walk(obj[seg], i + 1);
  };
  const copy = JSON.parse(JSON.stringify(body)) as Json;
  walk(copy, 0);
  return copy;
}

/** Fault helpers for the common malformed answers. */
export const malformed = {
  dropField: (path: string): Fault => ({ kind: 'mutate', mutate: (b) => atPath(b, path, (o, k) => delete o[k]) }),
  setField: (path: string, value: unknown): Fault => ({
    kind: 'mutate',
    mutate: (b) =>
      atPath(b, path, (o, k) => {
        o[k] = value;
      }),
  }),
  garbage: (): Fault => ({ kind: 'malformed-json' }),
};
