// A small parser of the Prometheus text exposition format (version 0.0.4), enough for what prom-client
// writes: `# HELP` / `# TYPE` comments, `name{label="value",...} value [timestamp]` samples, label
// values with \\, \" and \n escapes, and the special values NaN, +Inf, -Inf (any case).

export interface PromSample {
  labels: Record<string, string>;
  value: number;
}

/** Samples by metric name (histogram/summary series keep their own `_bucket`/`_sum`/`_count` names). */
export type PromSamples = ReadonlyMap<string, readonly PromSample[]>;

export class PromParseError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

const NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL = /[a-zA-Z_][a-zA-Z0-9_]*/y;

/** Special values, any case (prom-client writes "Nan"; Prometheus parses them as Go's ParseFloat does). */
function parseValue(s: string, line: number): number {
  const l = s.toLowerCase();
  if (l === 'nan') return NaN;
  if (l === '+inf' || l === 'inf') return Infinity;
  if (l === '-inf') return -Infinity;
  const v = Number(s);
  if (s === '' || Number.isNaN(v)) throw new PromParseError(line, `bad sample value "${s}"`);
  return v;
}

/** Parses one sample line (no comment, not blank). */
function parseSample(text: string, line: number): { name: string; sample: PromSample } {
  NAME.lastIndex = 0;
  const nm = NAME.exec(text);
  if (!nm) throw new PromParseError(line, 'expected a metric name');
  const name = nm[0];
  let i = NAME.lastIndex;
  const labels: Record<string, string> = {};
  if (text[i] === '{') {
    i++;
    for (;;) {
      while (text[i] === ' ') i++;
      if (text[i] === '}') {
        i++;
        break;
      }
      LABEL.lastIndex = i;
      const lm = LABEL.exec(text);
      if (!lm) throw new PromParseError(line, `expected a label name at column ${i + 1}`);
      i = LABEL.lastIndex;
      if (text[i] !== '=' || text[i + 1] !== '"') throw new PromParseError(line, `expected ="value" after label ${lm[0]}`);
      i += 2;
      let value = '';
      for (;;) {
        const c = text[i];
        if (c === undefined) throw new PromParseError(line, `unterminated value of label ${lm[0]}`);
        if (c === '"') break;
        if (c === '\\') {
          const n = text[i + 1];
          value += n === 'n' ? '\n' : (n ?? '');
          i += 2;
        } else {
          value += c;
          i++;
        }
      }
      i++;
      labels[lm[0]] = value;
      while (text[i] === ' ') i++;
      if (text[i] === ',') i++;
      else if (text[i] !== '}') throw new PromParseError(line, `expected "," or "}" after label ${lm[0]}`);
    }
  }
  const rest = text.slice(i).trim().split(/\s+/);
  if (rest.length < 1 || rest.length > 2 || rest[0] === '') throw new PromParseError(line, 'expected a value (and optional timestamp) after the series');
  return { name, sample: { labels, value: parseValue(rest[0]!, line) } };
}

export function parsePromText(text: string): PromSamples {
  const out = new Map<string, PromSample[]>();
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const t = lines[n]!.trim();
    if (t === '' || t.startsWith('#')) continue;
    const { name, sample } = parseSample(t, n + 1);
    const list = out.get(name);
    if (list) list.push(sample);
    else out.set(name, [sample]);
  }
  return out;
}

/** Samples of one family whose labels include `match`. */
export function select(samples: PromSamples | undefined, name: string, match: Record<string, string> = {}): readonly PromSample[] {
  const all = samples?.get(name) ?? [];
  const keys = Object.keys(match);
  return keys.length === 0 ? all : all.filter((s) => keys.every((k) => s.labels[k] === match[k]));
}

/** The single value of one series (labels include `match`), or null when absent. */
export function valueOf(samples: PromSamples | undefined, name: string, match: Record<string, string> = {}): number | null {
  const s = select(samples, name, match)[0];
  return s === undefined || !Number.isFinite(s.value) ? null : s.value;
}
