// pino, configured once. Secrets are redacted by key name at any depth and by shape inside strings.
// On a terminal the lines are made readable by pino-pretty; otherwise (pipes, files, log shippers) they
// stay JSON, one object a line. Redaction happens before either: the pretty printer only ever sees
// redacted records.
import pino, { type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';

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

export type LogFormat = 'json' | 'pretty';

/**
 * `LOG_FORMAT=json` or `pretty` decides; otherwise pretty on a terminal (`isTTY`), JSON elsewhere.
 * Any other LOG_FORMAT value is refused, naming the variable.
 */
export function chooseLogFormat(env: Record<string, string | undefined>, isTTY: boolean): LogFormat {
  const v = env.LOG_FORMAT?.trim().toLowerCase();
  if (v === undefined || v === '') return isTTY ? 'pretty' : 'json';
  if (v === 'json' || v === 'pretty') return v;
  throw new Error(`LOG_FORMAT: expected "json" or "pretty", got ${JSON.stringify(env.LOG_FORMAT)}`);
}

export interface LoggerOptions {
  level?: string;
  name?: string;
  /** Where lines go (default stdout). With `format: 'pretty'`, the readable text is written there. */
  destination?: pino.DestinationStream;
  /** Default JSON; entry points pass chooseLogFormat(process.env, process.stdout.isTTY). */
  format?: LogFormat;
  /** Colours in pretty output; default: when writing to stdout. */
  colorize?: boolean;
}

function prettyStream(opts: LoggerOptions): pino.DestinationStream {
  const format = prettyFactory({
    colorize: opts.colorize ?? opts.destination === undefined,
    translateTime: 'SYS:HH:MM:ss.l',
    // name says which process; pid, hostname and the repeated service name are noise on a terminal.
    ignore: 'pid,hostname,service',
    singleLine: true,
  });
  // Synchronous stdout: a line logged just before process.exit is not lost.
  const out = opts.destination ?? pino.destination({ fd: 1, sync: true });
  return { write: (line: string) => out.write(format(line)) };
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
    opts.format === 'pretty' ? prettyStream(opts) : opts.destination,
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
