// pino, configured once. Secrets are redacted by key name at any depth and by shape inside strings.
import pino, { type Logger } from 'pino';

const SECRET_KEY = /(secret|passw(or)?d|private[-_]?key|privkey|api[-_]?key|apikey|mnemonic|seed[-_]?phrase|passphrase|token|authorization|signature|encryption[-_]?key)/i;
// Secrets inside free text are caught when labelled ("privateKey=0x…", "api key: …"). Unlabelled
// 32-byte hex is left alone: tx hashes look exactly like private keys.
const PRIVATE_KEY_IN_TEXT = /(private[-_ ]?key|secret|api[-_ ]?key)(["'\s:=]+)(0x)?[0-9a-zA-Z+/_-]{16,}/gi;

export const REDACTED = '[REDACTED]';

const MAX_DEPTH = 8;

function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(PRIVATE_KEY_IN_TEXT, (_m, k: string, sep: string) => `${k}${sep}${REDACTED}`);
  if (value === null || typeof value !== 'object') return value;
  // Deeper than anything we log on purpose (or a cycle): drop it rather than let a secret through.
  if (depth > MAX_DEPTH) return '[TRUNCATED]';
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  const entries: [string, unknown][] = Object.entries(value);
  if (value instanceof Error) {
    // Errors become plain objects here so their message, stack and extra properties are redacted too.
    entries.unshift(['type', value.name], ['message', value.message], ['stack', value.stack]);
    if (value.cause !== undefined) entries.push(['cause', value.cause]);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) out[k] = SECRET_KEY.test(k) ? REDACTED : redactDeep(v, depth + 1);
  return out;
}

export interface LoggerOptions {
  level?: string;
  name?: string;
  destination?: pino.DestinationStream;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const logger = pino(
    {
      name: opts.name ?? 'ballast',
      level: opts.level ?? 'info',
      base: { service: opts.name ?? 'ballast' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        log: (obj) => redactDeep(obj) as Record<string, unknown>,
      },
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
  // pino applies no formatter to fields bound with logger.child({...}); redact them on the way in.
  // Children inherit this property, so every descendant redacts too.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with each child's own `this`
  const originalChild = (Object.getPrototypeOf(logger) as Logger).child;
  logger.child = function (this: Logger, bindings, options) {
    return originalChild.call(this, redactDeep(bindings) as typeof bindings, options);
  } as Logger['child'];
  return logger;
}
