// pino, configured once. Secrets are redacted by key name at any depth and by shape inside strings.
import pino, { type Logger } from 'pino';

const SECRET_KEY = /(secret|passw(or)?d|private[-_]?key|privkey|api[-_]?key|apikey|mnemonic|seed[-_]?phrase|passphrase|token|authorization|signature|encryption[-_]?key)/i;
// Secrets inside free text are caught when labelled ("privateKey=0x…", "api key: …"). Unlabelled
// 32-byte hex is left alone: tx hashes look exactly like private keys.
const PRIVATE_KEY_IN_TEXT = /(private[-_ ]?key|secret|api[-_ ]?key)(["'\s:=]+)(0x)?[0-9a-zA-Z+/_-]{16,}/gi;

export const REDACTED = '[REDACTED]';

function redactDeep(value: unknown, depth = 0): unknown {
  if (depth > 8) return value;
  if (typeof value === 'string') return value.replace(PRIVATE_KEY_IN_TEXT, (_m, k: string, sep: string) => `${k}${sep}${REDACTED}`);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  if (value && typeof value === 'object' && !(value instanceof Error)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? REDACTED : redactDeep(v, depth + 1);
    return out;
  }
  return value;
}

export interface LoggerOptions {
  level?: string;
  name?: string;
  destination?: pino.DestinationStream;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  return pino(
    {
      name: opts.name ?? 'ballast',
      level: opts.level ?? 'info',
      base: { service: opts.name ?? 'ballast' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: (obj) => redactDeep(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          // Redact secrets that appear in the message string itself.
          const redacted = args.map((a) => (typeof a === 'string' ? (redactDeep(a) as string) : a)) as typeof args;
          method.apply(this, redacted);
        },
      },
    },
    opts.destination,
  );
}
